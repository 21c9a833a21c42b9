#include "ebprop/random_streams.h"

#include <random>

namespace ebprop {

namespace {

Rng stream(std::uint64_t seed, std::uint32_t number) {
  std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                         number};
  return Rng(sequence);
}

}  // namespace

RandomStreams::RandomStreams(std::uint64_t seed)
    : initialization(seed), shuffling(seed), sampling(stream(seed, 3)) {}

}  // namespace ebprop
