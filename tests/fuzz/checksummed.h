// The file a fuzz input of a checksummed format stands for (fuzz_weights, fuzz_checkpoint): the
// first byte picks it. With an even byte, the rest is the file without its trailing CRC-32, which
// is appended here, so that mutations reach the parser behind the checksum; with an odd byte, the
// rest is the whole file as it is (a wrong checksum is refused before anything else is read).
// Requires: size >= 1.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ebprop::fuzz {

inline std::vector<std::uint8_t> checksummed_file(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data + 1, data + size);
  if (data[0] % 2 == 0) {
    const auto crc =
        static_cast<std::uint32_t>(crc32(0L, bytes.data(), static_cast<uInt>(bytes.size())));
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
  }
  return bytes;
}

}  // namespace ebprop::fuzz
