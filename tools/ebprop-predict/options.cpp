#include "options.h"

#include <boost/program_options.hpp>
#include <iostream>

#include "tool_options.h"

namespace ebprop::predict {
namespace {

namespace po = boost::program_options;

// The numeric and word options, validated like settings: a value out of range names the option.
const std::vector<SettingSpec>& option_settings() {
  static const std::vector<SettingSpec> settings{
      optional("batch", SettingType::integer, "1000",
               "examples evaluated in one pass (larger is faster, until memory runs out)")
          .at_least(1)
          .at_most(1000000),
      optional("header", SettingType::text, "auto",
               "CSV input: whether the first line is a header (auto: when none of its cells is a "
               "number and the next line has numbers below them)")
          .one_of({"auto", "yes", "no"})};
  return settings;
}

// Validated only when given: without it, a CSV input has no label column.
const SettingSpec& label_column_setting() {
  static const SettingSpec setting =
      required("label-column", SettingType::integer,
               "CSV input: the column of the labels (0-based, -1: last)")
          .at_least(-1);
  return setting;
}

const char* const usage =
    R"(Usage: ebprop-predict GRAPH-FILE --load MODEL --input DATA --out FILE.csv [options]
Predicts, with the model ebprop-run --save wrote for this graph, every example of DATA: an
IDX file of examples (plain or gzip, as the training data) or a CSV file with the columns of
the model's training CSV (the label column only with --label-column). The inputs get the
model's transform (the training set's centering and scaling, and its §4.3 decorrelation);
nothing is fitted again.
Example: ebprop-predict graphs/digits-mlp.graph --load digits.model \
           --input data/mnist10k/test-images-idx3-ubyte.gz \
           --labels data/mnist10k/test-labels-idx1-ubyte.gz --out predictions.csv

)";

const char* const notes = R"(
The predicted node is the one training scores ([run] predict, or the first input of the
first loss node); the precision is the graph's [run] precision. FILE.csv has the header
example,predicted,<one column per class> for a classifier (predicted: the class with the
largest output, by its name when the labels were text) and example,NODE.0,NODE.1,... for a
regression (NODE the predicted node); examples are numbered from 1. With labels, the error, the confusion
matrix (rows: true class, columns: predicted) and the error of each class are printed.
The output is checked before any work (it may not be an input) and written atomically.
Exit status: 0 success, 1 error (a graph the model does not fit, inputs of another size, a
NaN or infinite input), 2 usage (a missing or bad option, an output refused).
)";

}  // namespace

std::optional<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine cli;
  po::options_description options("Options");
  options.add_options()("help,h", "print this help and exit")(
      "version", "print the version of ebprop and of its plugin ABI, and exit")(
      "load", po::value(&cli.load), "the model file (written by ebprop-run --save; required)")(
      "input", po::value(&cli.input), "the examples: an IDX or a CSV file (required)")(
      "out", po::value(&cli.out), "the CSV file of predictions to write (required)")(
      "labels", po::value(&cli.labels), "IDX input: the IDX file of its labels")(
      "threads", po::value<std::string>(),
      "threads running the parts of each batch ([run] threads)")(
      "plugin-path", po::value(&cli.plugin_paths)->composing(),
      "a directory (or file) of plugins, searched after the built-in plugin directory and "
      "EBPROP_PLUGIN_PATH; may be repeated");
  std::vector<SettingSpec> all_settings = option_settings();
  all_settings.push_back(label_column_setting());
  for (const auto& s : all_settings) {
    const std::string constraint = setting_constraint(s);
    const std::string deflt = s.default_value ? "default " + *s.default_value : "default: none";
    options.add_options()(
        s.name.c_str(), po::value<std::string>(),
        (s.doc + " (" + deflt + (constraint.empty() ? "" : "; " + constraint) + ")").c_str());
  }
  po::options_description hidden;
  hidden.add_options()("graph", po::value(&cli.graph_file));
  po::positional_options_description positional;
  positional.add("graph", 1);
  po::options_description all;
  all.add(options).add(hidden);
  const po::variables_map vm =
      tools::parse_options(argc, argv, all, positional, options, "ebprop-predict");
  if (vm.count("help")) {
    std::cout << usage << options << notes;
    return std::nullopt;
  }
  if (vm.count("version")) {
    std::cout << tools::version_text("ebprop-predict");
    return std::nullopt;
  }
  if (cli.graph_file.empty())
    throw tools::CommandLineError(
        "no graph file given (usage: ebprop-predict GRAPH-FILE --load MODEL --input DATA --out "
        "FILE.csv; see --help)");
  if (cli.load.empty())
    throw tools::CommandLineError(
        "no --load MODEL given: a prediction needs trained weights (ebprop-run --save writes a "
        "model), not the graph's random ones");
  if (cli.input.empty())
    throw tools::CommandLineError("no --input DATA given: the examples to predict");
  if (cli.out.empty())
    throw tools::CommandLineError("no --out FILE.csv given: where to write the predictions");

  RawSettings given;
  for (const auto& s : all_settings)
    if (vm.count(s.name))
      given[s.name] = {vm[s.name].as<std::string>(), tools::command_line(s.name)};
  if (!given.count("label-column")) all_settings.pop_back();
  const Settings v = tools::validate_options(all_settings, given, "ebprop-predict");
  cli.batch = static_cast<int>(v.integer("batch"));
  cli.header = v.text("header");
  if (v.given("label-column")) cli.label_column = static_cast<int>(v.integer("label-column"));
  if (cli.label_column && !cli.labels.empty())
    throw tools::CommandLineError(
        "--labels and --label-column exclude each other: --labels names the labels of IDX "
        "examples, --label-column the label column of a CSV file");
  if (vm.count("threads")) {
    cli.overrides.set.push_back("threads=" + vm["threads"].as<std::string>());
    cli.overrides.shortcut["threads"] = "threads";
  }
  return cli;
}

}  // namespace ebprop::predict
