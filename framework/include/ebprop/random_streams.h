// RandomStreams: the independent, seeded generators of a run.
//
// Initialization (Eq. 16), shuffling (§4.1) and curvature sampling (§9.1) each draw from their
// own generator, seeded from one seed, so changing how many samples one of them takes (SDLM's
// `samples`) leaves the others' sequences, and so the run's other choices, as they were.
#pragma once

#include <cstdint>
#include <string>

#include "ebprop/parameters.h"

namespace ebprop {

struct RandomStreams {
  // Initialization and shuffling are each an mt19937_64(seed) of their own, as they always were,
  // so a seed gives the initial weights and the presentation order of earlier versions (and of
  // the runs documented in docs/); sampling is an mt19937_64 seeded through std::seed_seq{low
  // and high 32 bits of seed, 3}: a platform-independent sequence of its own, so the samples an
  // optimizer draws never move the presentation order.
  explicit RandomStreams(std::uint64_t seed);

  Rng initialization;
  Rng shuffling;
  Rng sampling;
};

// A generator's whole state as text (the standard's operator<<: 312 words and the position), so a
// checkpoint continues its sequence exactly.
std::string generator_state(const Rng& rng);
// Sets `rng` to a state generator_state wrote. Throws Error naming `what` ("the shuffling stream")
// when the text is not such a state; `rng` is unchanged then.
void restore_generator(Rng& rng, const std::string& state, const std::string& what);

}  // namespace ebprop
