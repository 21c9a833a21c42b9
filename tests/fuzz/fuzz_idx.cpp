// Fuzz target: the IDX reader on the bytes as they are — plain IDX files, and gzip streams
// (possibly corrupt) when the input starts like one. An ebprop::Error is the expected refusal;
// anything else is a finding.
#include <ebprop/data/idx.h>
#include <ebprop/error.h>

#include <cstddef>
#include <cstdint>

#include "input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ebprop::fuzz::InputFile file("-idx");
  try {
    ebprop::data::read_idx(file.write(data, size));
  } catch (const ebprop::Error&) {
    // The expected refusal of a bad IDX file.
  }
  return 0;
}
