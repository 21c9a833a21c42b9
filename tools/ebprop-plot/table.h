// What ebprop-plot draws from: a table of named columns, read from a CSV file with a header line
// or from a JSON-lines file (one flat object per line, as ebprop-run --metrics writes).
#pragma once

#include <string>
#include <vector>

namespace ebprop::plot {

// The cells as text; only the columns drawn must hold numbers, so that a file with a column of
// names (ebprop-hessian's diagonal.csv, layers.csv) can be drawn too.
struct Table {
  std::string file;
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> cells;  // per column, one cell per row
  std::vector<long long> lines;                 // the file's line of each row

  bool has(const std::string& name) const;

  // The column's cells as numbers: NaN for an empty, nan or null cell (a gap). Throws
  // ebprop::FileError naming file:line of a cell that is not a number, ebprop::Error for a
  // missing column (with a did-you-mean and the columns there are).
  std::vector<double> column(const std::string& name) const;
};

// A CSV file: its first line names the columns, every other non-empty line has as many cells.
// Throws ebprop::FileError naming the file (and file:line of a row with another number of cells).
Table read_csv(const std::string& path);

// A JSON-lines file: each non-blank line one JSON object whose values are numbers, null, true,
// false or strings (a nested object or array is kept as its text: not a number when drawn). The
// columns are the keys in the order they first appear; a row lacking a key has an empty cell
// there. Throws ebprop::FileError naming file:line (and the column) of a line that is not such an
// object, or that gives a key twice.
Table read_json_lines(const std::string& path);

// read_json_lines when the file's first non-blank character is '{', read_csv otherwise.
Table read_table(const std::string& path);

}  // namespace ebprop::plot
