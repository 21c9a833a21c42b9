// The bytes of the binary files the tools read, for cases that forge them: IDX files (a big-endian
// header and values: data/idx.h) and weights files (little-endian fields sealed by a CRC-32:
// model_file.h, whose reader still takes the EBPROPW1 weights files of earlier versions).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace ebprop::test {

// `value` as `size` bytes, most significant first (big) or last (little).
inline std::string big_endian(std::uint64_t value, int size = 4) {
  std::string bytes;
  for (int i = size - 1; i >= 0; --i) bytes += static_cast<char>((value >> (8 * i)) & 0xFF);
  return bytes;
}
inline std::string little_endian(std::uint64_t value, int size = 4) {
  std::string bytes;
  for (int i = 0; i < size; ++i) bytes += static_cast<char>((value >> (8 * i)) & 0xFF);
  return bytes;
}

// An IDX file: the magic number 0x0000TTRR (type code, rank), the dimensions, then `data` as it is.
inline std::string idx(unsigned char type, const std::vector<std::uint32_t>& dims,
                       const std::string& data) {
  std::string bytes{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (const std::uint32_t d : dims) bytes += big_endian(d);
  return bytes + data;
}

// IDX files of unsigned bytes (type 0x08), 32-bit ints (0x0C) and 32-bit floats (0x0D).
inline std::string idx_ubytes(const std::vector<std::uint32_t>& dims,
                              const std::vector<unsigned char>& values) {
  return idx(0x08, dims, std::string(values.begin(), values.end()));
}
inline std::string idx_ints(const std::vector<std::uint32_t>& dims,
                            const std::vector<std::uint32_t>& values) {
  std::string data;
  for (const std::uint32_t v : values) data += big_endian(v);
  return idx(0x0C, dims, data);
}
inline std::string idx_floats(const std::vector<std::uint32_t>& dims,
                              const std::vector<float>& values) {
  std::string data;
  for (const float v : values) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    data += big_endian(bits);
  }
  return idx(0x0D, dims, data);
}

// CRC-32 with zlib's polynomial, the checksum that ends a weights file.
inline std::uint32_t crc32_of(const std::string& bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const unsigned char byte : bytes) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A weights file of `body` (everything after the EBPROPW1 header), with a correct checksum.
inline std::string sealed_weights(const std::string& body) {
  const std::string bytes = "EBPROPW1" + body;
  return bytes + little_endian(crc32_of(bytes));
}

// A weights file of blocks named, shaped and filled with one value each.
struct WeightsBlock {
  std::string name;
  std::uint32_t rows, cols;
  double value;
};
inline std::string weights_file(const std::vector<WeightsBlock>& blocks) {
  std::string body = little_endian(blocks.size());
  for (const WeightsBlock& b : blocks) {
    body += little_endian(b.name.size()) + b.name + little_endian(b.rows) + little_endian(b.cols);
    std::uint64_t bits;
    std::memcpy(&bits, &b.value, sizeof bits);
    for (std::uint64_t i = 0; i < std::uint64_t{b.rows} * b.cols; ++i)
      body += little_endian(bits, 8);
  }
  return sealed_weights(body);
}

// Writes `bytes` to `path` as they are.
inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace ebprop::test
