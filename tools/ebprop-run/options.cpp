#include "options.h"

#include <boost/program_options.hpp>
#include <iostream>

namespace ebprop::run {

namespace po = boost::program_options;

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
      "optimizer", po::value(&cli.overrides.optimizer), "optimizer type (see --list-plugins)")(
      "lr", po::value<std::string>(),
      "the optimizer's lr setting (same as --opt lr=X); 'auto': 1/λmax from the online "
      "estimate of Eq. 64 (500 presentations) on the starting weights (§9.2)")(
      "opt", po::value(&cli.overrides.opt)->composing(),
      "KEY=VALUE: an optimizer setting; may be repeated")(
      "data-dir", po::value(&data_dir), "directory of IDX files (the [data] key dir)")(
      "set", po::value(&cli.overrides.set)->composing(),
      "KEY=VALUE: any [run] or [data] key; may be repeated")(
      "test-only", po::bool_switch(&cli.test_only),
      "evaluate the --load model without training (refused without --load)");
  po::options_description output("Output");
  output.add_options()("metrics", po::value(&cli.metrics),
                       "write one JSON object per epoch to this file")(
      "save", po::value(&cli.save),
      "write the model (weights, input transform, classes: docs/models.md) here after every "
      "epoch (atomically; a diverged or interrupted epoch is not saved)")(
      "load", po::value(&cli.load),
      "start from this model, or an old weights file (names and shapes must match; the "
      "model's input transform is used)")("quiet,q", po::bool_switch(&cli.quiet),
                                          "print only the epoch lines");
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
    throw tools::CommandLineError(std::string(e.what()) + " (see ebprop-run --help)");
  }

  if (vm.count("help")) {
    std::cout
        << "Usage: ebprop-run GRAPH-FILE [options]\n"
           "Trains and evaluates a network described by a graph file (docs/graph-files.md).\n"
           "Example: ebprop-run graphs/digits-mlp.graph --epochs 5 --save digits.model\n\n"
        << general << "\n"
        << training << "\n"
        << output << "\nKeys of the [run] section (and of --set):\n"
        << tools::schema_table(tools::run_settings())
        << "\nKeys of the [data] section (and of --set):\n"
        << tools::schema_table(tools::data_settings())
        << "\nThe [optimizer NAME] section takes that optimizer's settings: see --list-plugins.\n"
           "Plugins are searched in the build's plugin directory, then EBPROP_PLUGIN_PATH\n"
           "(':'-separated), then --plugin-path.\n"
           "Outputs are checked before training: each must be writable and none may be an input\n"
           "(graph, --load, data, plugins) or another output. Files are written atomically (a\n"
           "unique temporary renamed over the target). Training stops on a NaN or, by the rule\n"
           "diverge-factor above, on a loss that grows; the last good epoch's files are kept.\n"
           "SIGINT or SIGTERM stops at the end of the current step, keeping the last saved epoch.\n"
           "Exit status: 0 success, 1 error or divergence, 2 usage (an output refused included),\n"
           "130 SIGINT, 143 SIGTERM.\n";
    return std::nullopt;
  }
  // The shortcuts come after --set and --opt, so they win, and a refusal names them.
  for (const char* key : {"epochs", "batch", "seed", "threads"})
    if (vm.count(key)) {
      cli.overrides.set.push_back(std::string(key) + "=" + vm[key].as<std::string>());
      cli.overrides.shortcut[key] = key;
    }
  if (!data_dir.empty()) {
    cli.overrides.set.push_back("dir=" + data_dir);
    cli.overrides.shortcut["dir"] = "data-dir";
  }
  if (vm.count("lr")) {
    const std::string lr = vm["lr"].as<std::string>();
    cli.lr_auto = lr == "auto";
    if (!cli.lr_auto) cli.overrides.opt.push_back("lr=" + lr);
    cli.overrides.shortcut["lr"] = "lr";
  }
  if (cli.graph_file.empty() && !cli.list_plugins)
    throw tools::CommandLineError(
        "no graph file given (usage: ebprop-run GRAPH-FILE [options]; see --help)");
  return cli;
}

}  // namespace ebprop::run
