#include "ebprop/random_streams.h"

#include <random>
#include <sstream>

#include "ebprop/error.h"

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

std::string generator_state(const Rng& rng) {
  std::ostringstream text;
  text << rng;
  return text.str();
}

void restore_generator(Rng& rng, const std::string& state, const std::string& what) {
  std::istringstream text(state);
  Rng restored;
  text >> restored;
  if (!text || !(text >> std::ws).eof())
    throw Error(what + ": the saved generator state is not an mt19937_64 state");
  rng = restored;
}

}  // namespace ebprop
