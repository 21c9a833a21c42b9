// Fuzz target: the CSV reader. The first byte picks the label column (first, last, or none with
// one real-valued target), the rest is the file. An ebprop::Error is the expected refusal;
// anything else is a finding.
#include <ebprop/data/csv.h>
#include <ebprop/error.h>

#include <cstddef>
#include <cstdint>

#include "input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ebprop::fuzz::InputFile file(".csv");
  if (size == 0) return 0;
  ebprop::data::CsvOptions options;
  switch (data[0] % 3) {
    case 0:
      options.label_column = 0;
      break;
    case 1:
      options.label_column = -1;
      break;
    default:
      options.label_column = ebprop::data::CsvOptions::none;
      options.target_columns = 1;
  }
  try {
    ebprop::data::load_csv(file.write(data + 1, size - 1), options);
  } catch (const ebprop::Error&) {
    // The expected refusal of a bad CSV file.
  }
  return 0;
}
