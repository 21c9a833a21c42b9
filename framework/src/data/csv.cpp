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

// Whether a cell is a finite float (what an input, a target or a number label must be).
bool finite_number(std::string_view cell, double& value) {
  return parse_number(cell, value) && std::isfinite(static_cast<float>(value));
}

bool any_number(const std::vector<std::string_view>& cells, std::size_t up_to) {
  double value = 0;
  for (std::size_t c = 0; c < std::min(up_to, cells.size()); ++c)
    if (parse_number(cells[c], value)) return true;
  return false;
}

// The header rule of CsvHeader (csv.h) for the first two non-blank lines (`second` is null when
// there is only one).
bool is_header(CsvHeader header, std::string_view first, const std::string_view* second) {
  if (header != CsvHeader::automatic) return header == CsvHeader::yes;
  const std::vector<std::string_view> cells = split_cells(first);
  if (any_number(cells, cells.size())) return false;
  return second == nullptr || any_number(split_cells(*second), cells.size());
}

std::string number_str(float value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

std::string cell_str(std::string_view cell) {
  return cell.empty() ? "an empty cell" : "'" + std::string(cell) + "'";
}

// "a, b, c" or the first ten and how many more.
std::string names_str(const std::vector<std::string>& names) {
  std::vector<std::string> shown(names.begin(),
                                 names.begin() + std::min<std::size_t>(10, names.size()));
  return join(shown) +
         (names.size() > shown.size() ? ", ... (" + std::to_string(names.size()) + " in all)" : "");
}

}  // namespace

CsvHeader parse_csv_header(const std::string& text) {
  static const std::vector<std::string> words = {"auto", "yes", "no"};
  for (std::size_t i = 0; i < words.size(); ++i)
    if (text == words[i]) return static_cast<CsvHeader>(i);
  throw Error("unknown CSV header rule '" + text + "': expected " + join(words, ", "));
}

Dataset load_csv(const std::string& path, const CsvOptions& options) try {
  const std::string text = read_file(path);
  if (text.empty()) throw FileError(path + ": empty file");

  struct Line {
    int number;
    std::string_view text;
  };
  std::vector<Line> lines;  // the non-blank ones
  int line_number = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!trim(line).empty()) lines.push_back({line_number, line});
  }
  std::size_t first = 0;
  if (!lines.empty() &&
      is_header(options.header, lines[0].text, lines.size() > 1 ? &lines[1].text : nullptr))
    first = 1;
  if (first == lines.size()) throw FileError(path + ": no rows of numbers (only a header)");

  // The first example fixes the columns, which is the label and whether labels are names.
  std::vector<std::string_view> cells = split_cells(lines[first].text);
  const int columns = static_cast<int>(cells.size());
  const bool has_label = options.label_column != CsvOptions::none;
  const int label_column = !has_label                 ? -1
                           : options.label_column < 0 ? columns + options.label_column
                                                      : options.label_column;
  if (has_label && (label_column < 0 || label_column >= columns))
    throw FileError(path + ": label column " + std::to_string(options.label_column) +
                    " does not exist: rows have " + std::to_string(columns) + " columns");
  const int target_columns = has_label ? 0 : options.target_columns;
  const int features = columns - target_columns - (has_label ? 1 : 0);
  if (target_columns < 0 || features < 1)
    throw FileError(path + ": rows have " + std::to_string(columns) + " columns, too few for " +
                    (has_label ? std::string("a label column")
                               : std::to_string(target_columns) + " target columns") +
                    " and at least one input");
  double value = 0;
  const bool text_labels =
      has_label && (!options.class_names.empty() || !parse_number(cells[label_column], value));

  const int examples = static_cast<int>(lines.size() - first);
  Dataset data;
  data.name = path;
  data.input_shape = {features};
  data.inputs.resize(features, examples);
  data.targets.resize(target_columns, examples);
  if (has_label) data.labels.resize(examples);
  std::vector<std::string> label_names;  // of each example, when they are text
  for (int i = 0; i < examples; ++i) {
    const Line& line = lines[first + i];
    const SourceLocation where{path, line.number, 0};
    cells = split_cells(line.text);
    if (static_cast<int>(cells.size()) != columns)
      throw SourceError(where, "row has " + std::to_string(cells.size()) + " columns, but line " +
                                   std::to_string(lines[first].number) + " has " +
                                   std::to_string(columns));
    int feature = 0;
    for (int c = 0; c < columns; ++c) {
      const std::string column = "column " + std::to_string(c + 1) + ": ";
      if (c == label_column) {
        if (text_labels) {
          if (cells[c].empty()) throw SourceError(where, column + "the label is an empty cell");
          label_names.emplace_back(cells[c]);
          continue;
        }
        if (!parse_number(cells[c], value))
          throw SourceError(where, column + "expected a number label like line " +
                                       std::to_string(lines[first].number) + "'s, found " +
                                       cell_str(cells[c]));
        const auto label = static_cast<float>(value);
        if (!(label >= 0 && label <= kMaxLabel) || label != std::floor(label))
          throw SourceError(where, column + "found label " + number_str(label) +
                                       "; labels must be integers from 0 to 16777215");
        if (label > static_cast<float>(max_label(examples)))
          throw SourceError(where, column + label_too_large(label, examples));
        data.labels[i] = static_cast<int>(label);
        data.classes = std::max(data.classes, data.labels[i] + 1);
        continue;
      }
      if (!finite_number(cells[c], value))
        throw SourceError(where, column + "expected a number, found " + cell_str(cells[c]));
      if (c >= columns - target_columns)
        data.targets(c - (columns - target_columns), i) = static_cast<float>(value);
      else
        data.inputs(feature++, i) = static_cast<float>(value);
    }
  }
  if (!text_labels) return data;

  // Text labels: classes are the names in sorted order (deterministic, whatever the file order).
  data.class_names = options.class_names;
  if (data.class_names.empty()) {
    data.class_names = label_names;
    std::sort(data.class_names.begin(), data.class_names.end());
    data.class_names.erase(std::unique(data.class_names.begin(), data.class_names.end()),
                           data.class_names.end());
  }
  data.classes = static_cast<int>(data.class_names.size());
  for (int i = 0; i < examples; ++i) {
    const auto it =
        std::lower_bound(data.class_names.begin(), data.class_names.end(), label_names[i]);
    if (it == data.class_names.end() || *it != label_names[i])
      throw SourceError({path, lines[first + i].number, 0},
                        "column " + std::to_string(label_column + 1) + ": label '" +
                            label_names[i] + "' is not among the " +
                            std::to_string(data.class_names.size()) +
                            " classes of the training set (" + names_str(data.class_names) + ")");
    data.labels[i] = static_cast<int>(it - data.class_names.begin());
  }
  return data;
} catch (const std::bad_alloc&) {
  throw FileError(out_of_memory(path));
}

}  // namespace ebprop::data
