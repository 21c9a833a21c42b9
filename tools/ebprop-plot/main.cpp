// ebprop-plot: draws columns of a CSV file (with a header line) as an SVG chart.
//   ebprop-plot run.csv --x presentations --y online --y power -o lambda.svg --log-x
//   ebprop-plot spectrum.csv --histogram eigenvalue --bins 40 -o spectrum.svg
#include <ebprop/error.h>
#include <ebprop/files.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "files.h"
#include "run_config.h"
#include "svg_plot.h"
#include "tool_options.h"

namespace po = boost::program_options;
using ebprop::Error;

namespace {

// A CSV file's cells as text; only the columns drawn must hold numbers, so that a file with a
// column of names (ebprop-hessian's diagonal.csv, layers.csv) can be drawn too.
struct Table {
  std::string file;
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> cells;  // per column
  std::vector<long long> lines;                 // the file's line of each row

  // The column's cells as numbers: NaN for an empty, nan or null cell (a gap). Throws
  // ebprop::Error naming the line of a cell that is not a number, or a missing column.
  std::vector<double> column(const std::string& name) const {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      const std::string hint = ebprop::did_you_mean(name, names);
      throw Error(file + " has no column '" + name + "'" + (hint.empty() ? "" : "; " + hint) +
                  " (columns: " + ebprop::join(names) + ")");
    }
    std::vector<double> values;
    for (std::size_t row = 0; row < lines.size(); ++row) {
      const std::string& cell = cells[it - names.begin()][row];
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);
      const bool empty = cell.empty() || cell == "nan" || cell == "null";
      if (!empty && (end == cell.c_str() || *end != '\0'))
        throw ebprop::FileError(file + ":" + std::to_string(lines[row]) + ": column '" + name +
                                "': expected a number, found '" + cell + "'");
      values.push_back(empty ? std::nan("") : v);
    }
    return values;
  }
};

// The cells of one line; "a,,b," has four, the last two empty.
std::vector<std::string> split(std::string line) {
  while (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    std::string cell =
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!cell.empty() && cell.back() == ' ') cell.pop_back();
    cells.push_back(cell);
    if (comma == std::string::npos) return cells;
    start = comma + 1;
  }
}

Table read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ebprop::FileError("cannot read '" + path + "'");
  Table table;
  std::string line;
  if (!std::getline(in, line)) throw ebprop::FileError(path + " is empty");
  table.file = path;
  table.names = split(line);
  table.cells.resize(table.names.size());
  for (long long number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const auto cells = split(line);
    if (cells.size() != table.names.size())
      throw ebprop::FileError(path + ":" + std::to_string(number) + ": " +
                              std::to_string(cells.size()) + " cells, the header has " +
                              std::to_string(table.names.size()));
    for (std::size_t i = 0; i < cells.size(); ++i) table.cells[i].push_back(cells[i]);
    table.lines.push_back(number);
  }
  return table;
}

// --bins, validated like a setting. A chart is 800 pixels wide: more bins than that draw nothing
// more, and a larger count would only ask for memory.
const ebprop::SettingSpec bins_option =
    ebprop::optional("bins", ebprop::SettingType::integer, "30", "histogram bins")
        .at_least(1)
        .at_most(800);

int run(int argc, char** argv) {
  std::string input, output, x, histogram_column;
  std::vector<std::string> ys;
  ebprop::plot::Chart chart;
  std::string bins = *bins_option.default_value;
  po::options_description options("Options");
  options.add_options()("help,h", "print this help")(
      "version", "print the version of ebprop and of its plugin ABI, and exit")(
      "output,o", po::value(&output)->required(),
      "the SVG file to write (atomically; not the input)")(
      "x", po::value(&x), "column for the x axis")("y", po::value(&ys)->composing(),
                                                   "a column to draw against x; may be repeated")(
      "histogram", po::value(&histogram_column), "draw a histogram of this column instead")(
      "bins", po::value(&bins),
      ("histogram bins (default 30; " + ebprop::setting_constraint(bins_option) + ")").c_str())(
      "title", po::value(&chart.title), "chart title")("xlabel", po::value(&chart.x_label),
                                                       "x axis label (default: the column name)")(
      "ylabel", po::value(&chart.y_label), "y axis label")("log-x", po::bool_switch(&chart.log_x),
                                                           "logarithmic x axis")(
      "log-y", po::bool_switch(&chart.log_y), "logarithmic y axis");
  po::options_description hidden;
  hidden.add_options()("input", po::value(&input)->required());
  po::positional_options_description positional;
  positional.add("input", 1);
  po::options_description all;
  all.add(options).add(hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv)
                  .options(all)
                  .positional(positional)
                  .style(ebprop::tools::option_style)
                  .run(),
              vm);
    if (vm.count("version")) {
      std::cout << ebprop::tools::version_text("ebprop-plot");
      return 0;
    }
    if (vm.count("help")) {
      std::cout
          << "Usage: ebprop-plot DATA.csv -o CHART.svg (--x COL --y COL... | --histogram COL)\n"
             "Draws columns of a CSV file that has a header line; only the columns drawn\n"
             "need numbers. Empty, nan, null and inf cells are gaps in a line and are\n"
             "skipped by a histogram (it says how many).\n\n"
          << options << "\nExit status: 0 success, 1 error, 2 usage (a bad option).\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "ebprop-plot: " << ebprop::tools::option_error_message(e, options, "ebprop-plot")
              << "\n";
    return 2;
  }
  const int bin_count = static_cast<int>(
      ebprop::tools::validate_options(
          {bins_option}, {{"bins", {bins, ebprop::tools::command_line("bins")}}}, "ebprop-plot")
          .integer("bins"));
  if (histogram_column.empty() && (x.empty() || ys.empty()))
    throw ebprop::tools::CommandLineError("give --x and at least one --y, or --histogram");
  ebprop::tools::check_outputs({{"the input", input}}, {{"--output", output}});
  const Table table = read_csv(input);
  if (!histogram_column.empty()) {
    chart.bars = true;
    const std::vector<double> values = table.column(histogram_column);
    const std::size_t skipped = ebprop::plot::count_non_finite(values);
    if (skipped == values.size())
      throw Error(input + ": column '" + histogram_column + "' has no finite number to plot (" +
                  std::to_string(skipped) + " cells, all empty, nan, null or inf)");
    chart.series.push_back(ebprop::plot::histogram(values, bin_count, chart.bar_width));
    if (skipped > 0)
      std::cerr << "ebprop-plot: the histogram skips " << skipped << " of " << values.size()
                << " cells of column '" << histogram_column
                << "' that are empty, nan, null or inf\n";
    if (chart.x_label.empty()) chart.x_label = histogram_column;
    if (chart.y_label.empty()) chart.y_label = "count";
  } else {
    for (const auto& y : ys) chart.series.push_back({y, table.column(x), table.column(y)});
    if (chart.x_label.empty()) chart.x_label = x;
  }
  ebprop::write_file_atomically(output, ebprop::plot::render(chart));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const ebprop::tools::CommandLineError& e) {
    std::cerr << "ebprop-plot: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ebprop-plot: error: " << e.what() << "\n";
    return 1;
  }
}
