// ebprop-plot: draws columns of a CSV file (with a header line) or of a JSON-lines file as an SVG
// chart, or the learning curves of an ebprop-run --metrics file.
//   ebprop-plot run.csv --x presentations --y online --y power -o lambda.svg --log-x
//   ebprop-plot spectrum.csv --histogram eigenvalue --bins 40 -o spectrum.svg
//   ebprop-plot metrics.jsonl --curves -o curves.svg
#include <ebprop/error.h>
#include <ebprop/files.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "curves.h"
#include "files.h"
#include "run_config.h"
#include "svg_plot.h"
#include "table.h"
#include "tool_options.h"

namespace po = boost::program_options;
using ebprop::Error;

namespace {

// --bins, validated like a setting. A chart is 800 pixels wide: more bins than that draw nothing
// more, and a larger count would only ask for memory.
const ebprop::SettingSpec bins_option =
    ebprop::optional("bins", ebprop::SettingType::integer, "30", "histogram bins")
        .at_least(1)
        .at_most(800);

int run(int argc, char** argv) {
  std::string input, output, x, histogram_column;
  std::vector<std::string> ys;
  bool curves = false;
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
      "curves", po::bool_switch(&curves),
      "learning curves of an ebprop-run --metrics file (JSON lines or CSV): train, validation "
      "and test loss against epoch, and their error rates in a second panel; a set without "
      "numbers is not drawn; --title heads the loss panel, --log-x applies to both panels, "
      "--log-y to the loss panel")(
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
          << "Usage: ebprop-plot DATA -o CHART.svg (--x COL --y COL... | --histogram COL |\n"
             "                                        --curves)\n"
             "Draws columns of DATA: a CSV file that has a header line, or a JSON-lines file\n"
             "(a first character '{': one object per line, as ebprop-run --metrics\n"
             "writes; the keys are the columns). Only the columns drawn need numbers. Empty,\n"
             "nan, null and inf cells are gaps in a line and are skipped by a histogram (it\n"
             "says how many).\n\n"
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
  if (curves && (!histogram_column.empty() || !x.empty() || !ys.empty() || !chart.x_label.empty() ||
                 !chart.y_label.empty()))
    throw ebprop::tools::CommandLineError(
        "--curves draws the metrics file's own columns with their own labels: give it without "
        "--x, --y, --histogram, --xlabel or --ylabel");
  if (!curves && histogram_column.empty() && (x.empty() || ys.empty()))
    throw ebprop::tools::CommandLineError(
        "give --x and at least one --y, or --histogram, or --curves");
  ebprop::tools::check_outputs({{"the input", input}}, {{"--output", output}});
  const ebprop::plot::Table table = ebprop::plot::read_table(input);
  if (curves) {
    ebprop::write_file_atomically(output, ebprop::plot::render_panels(ebprop::plot::learning_curves(
                                              table, chart.title, chart.log_x, chart.log_y)));
    return 0;
  }
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
  return ebprop::tools::tool_main("ebprop-plot", [&] { return run(argc, argv); });
}
