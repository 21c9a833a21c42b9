// CSV files (see csv.h): the whole file is read at once, then split into lines and cells.
#include "ebprop/data/csv.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include <string_view>

#include "ebprop/error.h"
#include "ebprop/memory.h"

namespace ebprop::data {
namespace {

// Largest label accepted: every integer up to 2^24 is exact in float.
constexpr float kMaxLabel = 16777215.0f;

std::string read_file(const std::string& path) {
  if (std::filesystem::is_directory(path))
    throw FileError(path + ": is a directory, not a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string_view trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// The cells of one line, trimmed: "1, 2,,x" has four.
std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  for (std::size_t start = 0;;) {
    const std::size_t end = std::min(line.find(',', start), line.size());
    cells.push_back(trim(line.substr(start, end - start)));
    if (end == line.size()) return cells;
    start = end + 1;
  }
}

// Whether the cell is a number; `value` is the number.
bool parse_number(std::string_view cell, double& value) {
  const auto [stop, status] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return !cell.empty() && status == std::errc() && stop == cell.data() + cell.size();
}

// The cells of one line as numbers, or the first cell that is not a finite float.
struct Row {
  std::vector<float> values;
  int bad_column = 0;  // 1-based; 0 when every cell is a number
  std::string bad_cell;
};

Row parse_row(std::string_view line) {
  Row row;
  for (const std::string_view cell : split_cells(line)) {
    double value = 0;
    const bool number = parse_number(cell, value);
    if (!number || !std::isfinite(static_cast<float>(value))) {
      row.bad_column = static_cast<int>(row.values.size()) + 1;
      row.bad_cell = cell;
      return row;
    }
    row.values.push_back(static_cast<float>(value));
  }
  return row;
}

// A header names the columns: none of its cells is a number. A first line with some numbers and
// a bad cell ("0,1,nan,3") is an example with a bad cell, never skipped as a header.
bool is_header(std::string_view line) {
  double value = 0;
  for (const std::string_view cell : split_cells(line))
    if (parse_number(cell, value)) return false;
  return true;
}

std::string number_str(float value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

}  // namespace

Dataset load_csv(const std::string& path, const CsvOptions& options) try {
  const std::string text = read_file(path);

  std::vector<float> values;   // all cells, row after row
  std::vector<int> row_lines;  // the line number of each row, for messages
  int columns = 0;
  bool first_line = true;
  int line_number = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;

    const Row row = parse_row(line);
    const SourceLocation where{path, line_number, 0};
    if (row.bad_column > 0) {
      if (first_line && is_header(line)) {
        first_line = false;
        continue;
      }
      throw SourceError(where,
                        "column " + std::to_string(row.bad_column) + ": expected a number, found " +
                            (row.bad_cell.empty() ? "an empty cell" : "'" + row.bad_cell + "'"));
    }
    first_line = false;
    const int row_columns = static_cast<int>(row.values.size());
    if (columns == 0) {
      columns = row_columns;
    } else if (row_columns != columns) {
      throw SourceError(where, "row has " + std::to_string(row_columns) + " columns, but line " +
                                   std::to_string(row_lines.front()) + " has " +
                                   std::to_string(columns));
    }
    values.insert(values.end(), row.values.begin(), row.values.end());
    row_lines.push_back(line_number);
  }
  if (text.empty()) throw FileError(path + ": empty file");
  if (row_lines.empty()) throw FileError(path + ": no rows of numbers (only a header)");

  // Which columns are inputs, and which the label or the targets.
  const bool regression = options.label_column == CsvOptions::none;
  const int label_column = regression                 ? -1
                           : options.label_column < 0 ? columns + options.label_column
                                                      : options.label_column;
  if (!regression && (label_column < 0 || label_column >= columns))
    throw FileError(path + ": label column " + std::to_string(options.label_column) +
                    " does not exist: rows have " + std::to_string(columns) + " columns");
  const int target_columns = regression ? options.target_columns : 0;
  const int features = columns - target_columns - (regression ? 0 : 1);
  if (target_columns < 0 || features < 1)
    throw FileError(path + ": rows have " + std::to_string(columns) + " columns, too few for " +
                    (regression ? std::to_string(target_columns) + " target columns"
                                : std::string("a label column")) +
                    " and at least one input");

  const int examples = static_cast<int>(row_lines.size());
  Dataset data;
  data.name = path;
  data.input_shape = {features};
  data.inputs.resize(features, examples);
  if (regression)
    data.targets.resize(target_columns, examples);
  else
    data.labels.resize(examples);
  for (int i = 0; i < examples; ++i) {
    const float* row = values.data() + static_cast<std::size_t>(i) * columns;
    int feature = 0;
    for (int c = 0; c < columns; ++c) {
      if (c == label_column) continue;
      if (c >= columns - target_columns)
        data.targets(c - (columns - target_columns), i) = row[c];
      else
        data.inputs(feature++, i) = row[c];
    }
    if (regression) continue;
    const float label = row[label_column];
    if (!(label >= 0 && label <= kMaxLabel) || label != std::floor(label))
      throw SourceError({path, row_lines[i], 0},
                        "column " + std::to_string(label_column + 1) + ": found label " +
                            number_str(label) + "; labels must be integers from 0 to 16777215");
    if (label > static_cast<float>(max_label(examples)))
      throw SourceError({path, row_lines[i], 0}, "column " + std::to_string(label_column + 1) +
                                                     ": " + label_too_large(label, examples));
    data.labels[i] = static_cast<int>(label);
    data.classes = std::max(data.classes, data.labels[i] + 1);
  }
  return data;
} catch (const std::bad_alloc&) {
  throw FileError(out_of_memory(path));
}

}  // namespace ebprop::data
