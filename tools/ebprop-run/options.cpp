#include "options.h"

#include <ebprop/registry.h>

#include <boost/filesystem.hpp>
#include <boost/program_options.hpp>
#include <iostream>

namespace ebprop::run {

namespace po = boost::program_options;

const std::vector<SettingSpec>& run_settings() {
  static const std::vector<SettingSpec> settings{
      optional("epochs", SettingType::integer, "10", "passes over the training set"),
      optional("batch", SettingType::integer, "1",
               "examples per step: 1 is online learning (§4.1)"),
      optional("seed", SettingType::integer, "1",
               "seeds initialization, shuffling and sampling: the same seed gives the same run"),
      optional("shuffle", SettingType::boolean, "true",
               "reshuffle the training set each epoch (§4.1)"),
      optional("predict", SettingType::text, "",
               "node whose largest output is the predicted class (default: the first input of the "
               "first loss node)"),
      optional("precision", SettingType::text, "float", "float (float32, fast) or double"),
      optional("threads", SettingType::integer, "1",
               "threads for matrix products (Eigen/OpenMP); 1 is fastest for online learning")};
  return settings;
}

const std::vector<SettingSpec>& data_settings() {
  static const std::vector<SettingSpec> settings{
      optional("dir", SettingType::text, "",
               "directory holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz] and "
               "t10k-* or test-* files"),
      optional("train-images", SettingType::text, "", "IDX file of training examples"),
      optional("train-labels", SettingType::text, "", "IDX file of training labels"),
      optional("test-images", SettingType::text, "", "IDX file of test examples"),
      optional("test-labels", SettingType::text, "", "IDX file of test labels"),
      optional("train-csv", SettingType::text, "", "CSV file of training examples (label first)"),
      optional("test-csv", SettingType::text, "", "CSV file of test examples"),
      optional("label-column", SettingType::integer, "0", "CSV column of the label (-1: last)"),
      optional("center", SettingType::text, "per-feature",
               "§4.3 subtract the training-set mean: none, per-feature or global"),
      optional("scale", SettingType::text, "global",
               "§4.3 divide by the training-set standard deviation: none, per-feature or global"),
      optional("target-low", SettingType::real, "-1", "§4.5 target of the wrong classes"),
      optional("target-high", SettingType::real, "1", "§4.5 target of the right class"),
      optional("train-limit", SettingType::integer, "0",
               "use only the first N training examples (0: all)"),
      optional("test-limit", SettingType::integer, "0",
               "use only the first N test examples (0: all)")};
  return settings;
}

static std::string schema_table(const std::vector<SettingSpec>& schema) {
  std::string text;
  for (const auto& s : schema) {
    std::string head =
        "  " + s.name + " = " +
        (s.default_value ? (s.default_value->empty() ? "\"\"" : *s.default_value) : "(required)");
    head.resize(std::max<std::size_t>(head.size() + 1, 30), ' ');
    text += head + s.doc + "\n";
  }
  return text;
}

std::optional<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine cli;
  std::string data_dir;
  po::options_description general("General");
  general.add_options()("help,h", "print this help and exit")(
      "list-plugins", po::bool_switch(&cli.list_plugins),
      "print every module and optimizer type with its settings, and exit")(
      "describe", po::bool_switch(&cli.describe),
      "print the graph's nodes, shapes and parameters, and exit")(
      "plugin-path", po::value(&cli.plugin_paths)->composing(),
      "a directory (or file) of plugins, searched after the built-in plugin directory and "
      "EBPROP_PLUGIN_PATH; may be repeated");
  po::options_description training(
      "Training (each overrides the graph file's [run], [data] or [optimizer] section)");
  training.add_options()("epochs", po::value<std::string>(), "passes over the training set")(
      "batch", po::value<std::string>(), "examples per step (1: online)")(
      "seed", po::value<std::string>(), "random seed: the same seed gives the same run")(
      "threads", po::value<std::string>(), "threads for matrix products")(
      "optimizer", po::value(&cli.optimizer), "optimizer type (see --list-plugins)")(
      "lr", po::value<std::string>(), "the optimizer's lr setting (same as --opt lr=X)")(
      "opt", po::value(&cli.opt)->composing(), "KEY=VALUE: an optimizer setting; may be repeated")(
      "data-dir", po::value(&data_dir), "directory of IDX files (the [data] key dir)")(
      "set", po::value(&cli.set)->composing(),
      "KEY=VALUE: any [run] or [data] key; may be repeated")(
      "test-only", po::bool_switch(&cli.test_only),
      "evaluate (usually with --load) without training");
  po::options_description output("Output");
  output.add_options()("metrics", po::value(&cli.metrics),
                       "write one JSON object per epoch to this file")(
      "save", po::value(&cli.save), "write the weights here after every epoch (atomically)")(
      "load", po::value(&cli.load), "start from these weights (names and shapes must match)")(
      "quiet,q", po::bool_switch(&cli.quiet), "print only the epoch lines");
  po::options_description hidden;
  hidden.add_options()("graph", po::value(&cli.graph_file));
  po::positional_options_description positional;
  positional.add("graph", 1);

  po::options_description all;
  all.add(general).add(training).add(output).add(hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw Error(std::string(e.what()) + " (see ebprop-run --help)");
  }

  if (vm.count("help")) {
    std::cout
        << "Usage: ebprop-run GRAPH-FILE [options]\n"
           "Trains and evaluates a network described by a graph file (docs/graph-files.md).\n"
           "Example: ebprop-run graphs/digits-mlp.graph --epochs 5 --save digits.weights\n\n"
        << general << "\n"
        << training << "\n"
        << output << "\nKeys of the [run] section (and of --set):\n"
        << schema_table(run_settings()) << "\nKeys of the [data] section (and of --set):\n"
        << schema_table(data_settings())
        << "\nThe [optimizer NAME] section takes that optimizer's settings: see --list-plugins.\n"
           "Plugins are searched in the build's plugin directory, then EBPROP_PLUGIN_PATH\n"
           "(':'-separated), then --plugin-path. Exit status: 0 success, 1 error, 2 usage.\n";
    return std::nullopt;
  }
  for (const char* key : {"epochs", "batch", "seed", "threads"})
    if (vm.count(key)) cli.set.push_back(std::string(key) + "=" + vm[key].as<std::string>());
  if (!data_dir.empty()) cli.set.push_back("dir=" + data_dir);
  if (vm.count("lr")) cli.opt.push_back("lr=" + vm["lr"].as<std::string>());
  if (cli.graph_file.empty() && !cli.list_plugins)
    throw Error("no graph file given (usage: ebprop-run GRAPH-FILE [options]; see --help)");
  return cli;
}

// Splits KEY=VALUE from the command line.
static std::pair<std::string, RawSetting> split_assignment(const std::string& text,
                                                           const std::string& option) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error("--" + option + " expects KEY=VALUE, found '" + text + "'");
  return {text.substr(0, eq), {text.substr(eq + 1), {"command line (--" + option + ")", 0, 0}}};
}

static bool in_schema(const std::vector<SettingSpec>& schema, const std::string& key) {
  for (const auto& s : schema)
    if (s.name == key) return true;
  return false;
}

RunConfig merge_config(const CommandLine& cli, const GraphSpec& spec, const Registry& registry) {
  RawSettings run = spec.run.settings, data = spec.data.settings;
  for (const auto& item : cli.set) {
    auto [key, value] = split_assignment(item, "set");
    if (in_schema(run_settings(), key))
      run[key] = value;
    else if (in_schema(data_settings(), key))
      data[key] = value;
    else {
      std::vector<std::string> known;
      for (const auto& s : run_settings()) known.push_back(s.name);
      for (const auto& s : data_settings()) known.push_back(s.name);
      const std::string hint = did_you_mean(key, known);
      throw Error("--set: unknown key '" + key + "'" + (hint.empty() ? "" : "; " + hint) +
                  " (known: " + join(known) + ")");
    }
  }

  RunConfig config;
  const SourceLocation file_where{spec.file, 0, 0};
  config.run = Settings::validate(run_settings(), run, "[run]",
                                  spec.run.present ? spec.run.where : file_where);
  config.data = Settings::validate(data_settings(), data, "[data]",
                                   spec.data.present ? spec.data.where : file_where);

  config.optimizer = spec.optimizer.present ? spec.optimizer.argument : "sgd";
  RawSettings opt = spec.optimizer.settings;
  SourceLocation opt_where = spec.optimizer.where;
  if (!cli.optimizer.empty() && cli.optimizer != config.optimizer) {
    config.optimizer = cli.optimizer;  // the file's settings were for another optimizer
    opt.clear();
    opt_where = {"command line (--optimizer)", 0, 0};
  }
  for (const auto& item : cli.opt) {
    auto [key, value] = split_assignment(item, "opt");
    opt[key] = value;
  }
  const OptimizerInfo* info = nullptr;
  try {
    info = &registry.optimizer_info(config.optimizer);
  } catch (const Error& e) {
    if (spec.optimizer.present && cli.optimizer.empty())
      throw SourceError(spec.optimizer.where, e.what());
    throw;
  }
  config.optimizer_settings =
      Settings::validate(info->settings, opt, "optimizer " + config.optimizer, opt_where);
  config.base_dir = boost::filesystem::path(spec.file).parent_path().string();
  return config;
}

std::string resolve_path(const RunConfig& config, const Settings& settings,
                         const std::string& key) {
  const std::string& value = settings.text(key);
  namespace fs = boost::filesystem;
  const bool from_file = settings.given(key) && settings.where(key).line > 0;
  if (value.empty() || !from_file || fs::path(value).is_absolute() || config.base_dir.empty())
    return value;
  return (fs::path(config.base_dir) / value).lexically_normal().string();
}

}  // namespace ebprop::run
