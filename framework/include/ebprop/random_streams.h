// RandomStreams: the independent, seeded generators of a run.
//
// Initialization (Eq. 16), shuffling (§4.1) and curvature sampling (§9.1) each draw from their
// own stream, derived from one seed, so changing how many samples one of them takes (SDLM's
// `samples`) leaves the others' sequences, and so the run's other choices, as they were.
#pragma once

#include <cstdint>

#include "ebprop/parameters.h"

namespace ebprop {

struct RandomStreams {
  // Initialization is mt19937_64(seed) itself, as it always was, so a seed gives the same initial
  // weights as in earlier versions; shuffling and sampling are mt19937_64 seeded through
  // std::seed_seq{low and high 32 bits of seed, 2 or 3}: platform-independent sequences that
  // repeat neither the initialization's draws nor each other's.
  explicit RandomStreams(std::uint64_t seed);

  Rng initialization;
  Rng shuffling;
  Rng sampling;
};

}  // namespace ebprop
