// CSV files: one example per line, cells separated by commas; blank lines are skipped. Every cell
// is a number, except the label's when the labels are text (class names: "cat", "dog"), which
// are mapped to the class indices of the names in sorted order. A first line may be a header
// (CsvOptions::header). Errors name file:line and the column ("digits.csv:3: column 2: ...").
#pragma once

#include <string>
#include <vector>

#include "ebprop/data/dataset.h"

namespace ebprop::data {

// Whether the first non-blank line names the columns instead of holding an example.
//   automatic  a header when none of its cells is a number and some cell of the next non-blank
//              line below one of them is (so a first example whose label is text, "cat,0.1,0.2",
//              is an example, not a header); a file of one line of text is only a header
//   yes, no    always, never
enum class CsvHeader { automatic, yes, no };

// Parses "auto", "yes", "no"; throws ebprop::Error listing these.
CsvHeader parse_csv_header(const std::string& text);

struct CsvOptions {
  // Column holding the class label (0-based; -1 from the end; `none` when there is no label: a
  // regression, whose last `target_columns` columns are real-valued targets, or examples alone
  // when target_columns is 0).
  static constexpr int none = -1000000;
  int label_column = 0;
  int target_columns = 0;  // used only when label_column == none
  CsvHeader header = CsvHeader::automatic;
  // The names of the classes, sorted, when the labels are text (a training set's or a model's):
  // every label must be one of them, and is mapped to its index here. When empty, the labels are
  // numbers if the first example's label is a number, else names, whose sorted list becomes the
  // data set's class_names.
  std::vector<std::string> class_names;
};

// Every column but the label and the targets is an input feature; input_shape = {features}.
// Throws FileError naming the file (cannot be read, empty, no examples, a label column that does
// not exist, too few columns) and SourceError naming file:line and the column (a cell that is not
// a finite number, a row of another length, a label that is not an integer from 0 to 16777215 or
// is above max_label, a text label among number labels or not among `class_names`).
Dataset load_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace ebprop::data
