// CSV files: one example per line, numbers separated by commas; an optional header line (a first
// line none of whose cells is a number) is skipped. Errors name file:line and the column.
#pragma once

#include <string>

#include "ebprop/data/dataset.h"

namespace ebprop::data {

struct CsvOptions {
  // Column holding the class label (0-based; -1 from the end; `none` for regression where the
  // last `target_columns` columns are real-valued targets).
  static constexpr int none = -1000000;
  int label_column = 0;
  int target_columns = 0;  // used only when label_column == none
};

// Every remaining column is an input feature; input_shape = {features}.
Dataset load_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace ebprop::data
