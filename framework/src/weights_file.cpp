#include "ebprop/weights_file.h"

#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "ebprop/error.h"
#include "ebprop/files.h"

namespace ebprop {

namespace {

const char magic[] = "EBPROPW1";

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_f64(std::string& out, double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, 8);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

std::uint32_t crc_of(const std::string& bytes, std::size_t length) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(length)));
}

// Reads the little-endian fields of bytes[begin, end) of a weights file, with the file named in
// every error. Requires: `bytes` outlives the reader (it keeps a reference, not a copy).
class Reader {
 public:
  Reader(const std::string& bytes, std::size_t begin, std::size_t end, const std::string& path)
      : bytes_(bytes), end_(end), path_(path), pos_(begin) {}
  std::uint32_t u32() {
    need(4);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
  }
  double f64() {
    need(8);
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    pos_ += 8;
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  std::string text(std::size_t n) {
    need(n);
    pos_ += n;
    return bytes_.substr(pos_ - n, n);
  }
  bool done() const { return pos_ == end_; }

 private:
  void need(std::size_t n) {
    if (end_ - pos_ < n) throw FileError("weights file '" + path_ + "' is truncated");
  }
  const std::string& bytes_;
  std::size_t end_;
  std::string path_;
  std::size_t pos_;
};

// Throws NumericError when one of the `count` values of the parameter `name` is NaN or infinite,
// or too large for the training precision T: a weights file holds only usable weights, and a
// non-finite one is never reported as divergence. `context` begins the message.
template <typename T, typename V>
void refuse_non_finite(const std::string& name, const V* values, std::int64_t count,
                       const std::string& context) {
  for (std::int64_t i = 0; i < count; ++i) {
    if (std::isfinite(static_cast<T>(values[i]))) continue;
    std::ostringstream value;
    value << values[i];
    throw NumericError(context + ": parameter '" + name + "' value " + std::to_string(i) +
                       " (counted from 0) is " +
                       (std::isnan(values[i])   ? std::string("NaN")
                        : std::isinf(values[i]) ? std::string("infinite")
                                                : value.str() + ", too large for " +
                                                      (sizeof(T) == 4 ? "float" : "double")));
  }
}

struct StoredBlock {
  std::uint32_t rows, cols;
  std::vector<double> values;
};

}  // namespace

template <typename T>
void save_weights(const ParameterStore<T>& params, const std::string& path) {
  for (const auto& block : params.blocks())
    refuse_non_finite<T>(block.name, params.w().data() + block.offset, block.size(),
                         "cannot save weights to '" + path + "'");
  std::string out(magic, 8);
  put_u32(out, static_cast<std::uint32_t>(params.blocks().size()));
  for (const auto& block : params.blocks()) {
    put_u32(out, static_cast<std::uint32_t>(block.name.size()));
    out += block.name;
    put_u32(out, static_cast<std::uint32_t>(block.rows));
    put_u32(out, static_cast<std::uint32_t>(block.cols));
    for (std::int64_t i = 0; i < block.size(); ++i)
      put_f64(out, static_cast<double>(params.w()[block.offset + i]));
  }
  put_u32(out, crc_of(out, out.size()));

  write_file_atomically(path, out);
}

template <typename T>
void load_weights(ParameterStore<T>& params, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw FileError("cannot open weights file '" + path + "': " + std::strerror(errno));
  std::string bytes;
  try {  // a directory opens, then fails in the first read
    bytes.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    throw FileError("cannot read weights file '" + path + "': " + std::strerror(errno));
  }
  if (bytes.size() < 16 || bytes.compare(0, 8, magic, 8) != 0)
    throw FileError("'" + path + "' is not an ebprop weights file (no EBPROPW1 header)");
  const std::size_t body = bytes.size() - 4;
  Reader crc_reader(bytes, body, bytes.size(), path);
  if (crc_reader.u32() != crc_of(bytes, body))
    throw FileError("weights file '" + path + "' is corrupt (checksum mismatch)");

  Reader in(bytes, 0, body, path);
  in.text(8);
  std::map<std::string, StoredBlock> stored;
  const std::uint32_t count = in.u32();
  for (std::uint32_t b = 0; b < count; ++b) {
    const std::string name = in.text(in.u32());
    StoredBlock block{in.u32(), in.u32(), {}};
    const std::uint64_t n = static_cast<std::uint64_t>(block.rows) * block.cols;
    if (n > body) throw FileError("weights file '" + path + "' is truncated");
    block.values.resize(n);
    for (auto& v : block.values) v = in.f64();
    stored[name] = std::move(block);
  }
  if (!in.done()) throw FileError("weights file '" + path + "' has trailing data");

  std::vector<std::string> problems;
  for (const auto& block : params.blocks()) {
    const auto it = stored.find(block.name);
    if (it == stored.end())
      problems.push_back("'" + block.name + "' is missing from the file");
    else if (it->second.rows != static_cast<std::uint32_t>(block.rows) ||
             it->second.cols != static_cast<std::uint32_t>(block.cols))
      problems.push_back("'" + block.name + "' is " + std::to_string(it->second.rows) + "x" +
                         std::to_string(it->second.cols) + " in the file but " +
                         std::to_string(block.rows) + "x" + std::to_string(block.cols) +
                         " in the graph");
  }
  for (const auto& [name, block] : stored)
    if (params.find(name) == nullptr) problems.push_back("'" + name + "' is not in the graph");
  if (!problems.empty())
    throw FileError("weights file '" + path +
                    "' does not match the graph: " + join(problems, "; "));

  for (const auto& block : params.blocks()) {
    const auto& values = stored.at(block.name).values;
    refuse_non_finite<T>(block.name, values.data(), block.size(), "weights file '" + path + "'");
  }
  for (const auto& block : params.blocks()) {
    const auto& values = stored.at(block.name).values;
    for (std::int64_t i = 0; i < block.size(); ++i)
      params.w()[block.offset + i] = static_cast<T>(values[i]);
  }
}

template void save_weights(const ParameterStore<float>&, const std::string&);
template void save_weights(const ParameterStore<double>&, const std::string&);
template void load_weights(ParameterStore<float>&, const std::string&);
template void load_weights(ParameterStore<double>&, const std::string&);

}  // namespace ebprop
