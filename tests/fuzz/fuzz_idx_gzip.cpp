// Fuzz target: the IDX reader's gzip path on well-formed gzip streams. The input is the
// decompressed content: the target gzips it, so the fuzzer explores IDX headers and sizes behind
// the inflate step instead of spending its time on CRC errors (fuzz_idx covers corrupt streams).
// An ebprop::Error is the expected refusal; anything else is a finding.
#include <ebprop/data/idx.h>
#include <ebprop/error.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "input_file.h"

namespace {

std::vector<std::uint8_t> gzip(const std::uint8_t* data, std::size_t size) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::vector<std::uint8_t> out(deflateBound(&stream, size) + 32);
  stream.next_in = const_cast<std::uint8_t*>(data);
  stream.avail_in = static_cast<uInt>(size);
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  out.resize(stream.total_out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ebprop::fuzz::InputFile file("-idx.gz");
  const std::vector<std::uint8_t> compressed = gzip(data, size);
  try {
    ebprop::data::read_idx(file.write(compressed.data(), compressed.size()));
  } catch (const ebprop::Error&) {
    // The expected refusal of a bad IDX file.
  }
  return 0;
}
