#include "options.h"

#include <boost/program_options.hpp>
#include <iostream>

#include "tool_options.h"

namespace ebprop::run {

namespace po = boost::program_options;

CheckpointEvery parse_checkpoint_every(const std::string& text) {
  std::size_t used = 0;
  long long count = 0;
  try {
    count = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = text.substr(used);
  const auto refuse = [&] {
    throw tools::CommandLineError(
        "--checkpoint-every takes a count of epochs (2, 2epochs) or of optimizer steps "
        "(500steps), at least 1; found '" +
        text + "'");
  };
  if (used == 0 || count < 1) refuse();
  CheckpointEvery every;
  if (unit.empty() || unit == "epoch" || unit == "epochs") {
    if (count > 1000000000) refuse();
    every.epochs = static_cast<int>(count);
  } else if (unit == "step" || unit == "steps") {
    every.epochs = 0;
    every.steps = count;
  } else {
    refuse();
  }
  return every;
}

namespace {

// The options for graph and plugin authors, and their checks (after parsing).
struct AuthorOptions {
  std::string time_iterations = "10";

  static const SettingSpec& iterations_spec() {
    static const SettingSpec spec =
        optional("time-iterations", SettingType::integer, "10",
                 "iterations of --time averaged (after 2 warm-up iterations)")
            .at_least(1)
            .at_most(1000000);
    return spec;
  }

  po::options_description describe(CommandLine& cli) {
    po::options_description options("For graph and plugin authors (each instead of training)");
    options.add_options()("time", po::bool_switch(&cli.time),
                          "print the time of each node's fprop, bprop, bbprop, r_fprop and "
                          "r_bprop at the [run] batch size (--batch), and exit")(
        "time-iterations", po::value(&time_iterations),
        ("iterations --time averages, after 2 warm-up iterations (default 10; " +
         setting_constraint(iterations_spec()) + ")")
            .c_str())("time-inputs", po::value(&cli.time_inputs),
                      "what --time feeds the graph: 'data' (the first examples of the training "
                      "set) or 'random' (uniform in [-1, 1]); default: data when the graph's "
                      "[data] names a training set, else random")(
        "dot", po::value(&cli.dot),
        "write the graph in Graphviz's dot language to this file (atomically), and exit");
    return options;
  }

  void check(const po::variables_map& vm, CommandLine& cli) const {
    int actions = 0;
    for (const char* action : {"describe", "time", "dot"})
      if (vm.count(action) && !vm[action].defaulted()) ++actions;
    if (actions > 1)
      throw tools::CommandLineError(
          "--describe, --time and --dot each run instead of training: give one of them");
    for (const char* option : {"time-iterations", "time-inputs"})
      if (vm.count(option) && !cli.time)
        throw tools::CommandLineError("--" + std::string(option) + " is for --time, not given");
    cli.time_iterations = static_cast<int>(
        tools::validate_options(
            {iterations_spec()},
            {{"time-iterations", {time_iterations, tools::command_line("time-iterations")}}},
            "ebprop-run")
            .integer("time-iterations"));
    if (!cli.time_inputs.empty() && cli.time_inputs != "data" && cli.time_inputs != "random")
      throw tools::CommandLineError("--time-inputs must be 'data' or 'random', found '" +
                                    printable(cli.time_inputs) + "'");
  }
};

}  // namespace

std::optional<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine cli;
  std::string data_dir;
  po::options_description general("General");
  general.add_options()("help,h", "print this help and exit")(
      "version", "print the version of ebprop and of its plugin ABI, and exit")(
      "list-plugins", po::bool_switch(&cli.list_plugins),
      "print every module and optimizer type with its settings, and exit")(
      "describe", po::bool_switch(&cli.describe),
      "print the graph's nodes in the file's order (shapes, inputs, settings with the "
      "defaults marked) and its parameters, and exit")(
      "plugin-path", po::value(&cli.plugin_paths)->composing(),
      "a directory (or file) of plugins, searched after the built-in plugin directory and "
      "EBPROP_PLUGIN_PATH; may be repeated");
  po::options_description training(
      "Training (each overrides the graph file's [run], [data] or [optimizer] section)");
  training.add_options()("epochs", po::value<std::string>(), "passes over the training set")(
      "batch", po::value<std::string>(), "examples per step (1: online)")(
      "seed", po::value<std::string>(), "random seed: the same seed gives the same run")(
      "threads", po::value<std::string>(),
      "threads running the parts of each batch ([run] threads)")(
      "optimizer", po::value(&cli.overrides.optimizer), "optimizer type (see --list-plugins)")(
      "lr", po::value<std::string>(),
      "the optimizer's lr setting (same as --opt lr=X); 'auto': 1/λmax from the online "
      "estimate of Eq. 64 (500 presentations) on the starting weights (§9.2), (1 − μ)/λmax "
      "under momentum μ; refused for optimizers whose lr is not a global step size (sdlm, the "
      "batch methods)")("opt", po::value(&cli.overrides.opt)->composing(),
                        "KEY=VALUE: an optimizer setting; may be repeated")(
      "data-dir", po::value(&data_dir), "directory of IDX files (the [data] key dir)")(
      "set", po::value(&cli.overrides.set)->composing(),
      "KEY=VALUE: any [run] or [data] key; may be repeated")(
      "test-only", po::bool_switch(&cli.test_only),
      "evaluate the --load model without training (refused without --load)");
  po::options_description output("Output");
  output.add_options()("metrics", po::value(&cli.metrics),
                       "write one JSON object per epoch to this file; a name ending in .csv "
                       "writes CSV instead (a header line of the same fields, empty cells for "
                       "null)")(
      "trace", po::value(&cli.trace),
      "write every weight after every step to this CSV file (a row for the starting weights, "
      "then one per step: the trajectories of Fig. 10-14 and 22-23); nets of at most 1000 "
      "weights; rewritten whole at the end of an epoch when it has doubled since it was last "
      "written, and at the end of the run, when training diverges or is interrupted")(
      "save", po::value(&cli.save),
      "write the model (weights, input transform, classes: docs/models.md) here after every "
      "epoch (atomically; a diverged or interrupted epoch is not saved)")(
      "save-best", po::value(&cli.save_best),
      "§2: write the model here after each epoch whose validation error (regression: loss) "
      "is lower than every earlier epoch's; needs a validation set ([data] validation)")(
      "load", po::value(&cli.load),
      "start from this model, or an old weights file (names and shapes must match; the "
      "model's input transform is used)")("quiet,q", po::bool_switch(&cli.quiet),
                                          "print only the epoch lines");
  po::options_description resuming("Checkpoints");
  resuming.add_options()(
      "checkpoint", po::value(&cli.checkpoint),
      "write the whole state of the run here (the model, the optimizer, the position in the "
      "epoch, the random streams, the metrics so far; docs/checkpoints.md), atomically, every "
      "--checkpoint-every, at the end, and when "
      "SIGINT or SIGTERM stops the run")(
      "checkpoint-every", po::value<std::string>(),
      "N or Nepochs: every N epochs (default 1); Nsteps: every N optimizer steps, in the "
      "middle of epochs too")(
      "resume", po::value(&cli.resume),
      "continue the run a --checkpoint file holds, exactly as if it had not stopped (same "
      "graph and settings; --epochs may grow); the metrics file continues its records; with "
      "--checkpoint the same file may be given to both");
  AuthorOptions author_options;
  po::options_description authors = author_options.describe(cli);
  po::options_description hidden;
  hidden.add_options()("graph", po::value(&cli.graph_file));
  po::positional_options_description positional;
  positional.add("graph", 1);

  po::options_description visible;  // what a misspelt option may have meant
  visible.add(general).add(training).add(output).add(resuming).add(authors);
  po::options_description all;
  all.add(visible).add(hidden);
  const po::variables_map vm =
      tools::parse_options(argc, argv, all, positional, visible, "ebprop-run");
  if (vm.count("version")) {
    std::cout << tools::version_text("ebprop-run");
    return std::nullopt;
  }

  if (vm.count("help")) {
    std::cout
        << "Usage: ebprop-run GRAPH-FILE [options]\n"
           "Trains and evaluates a network described by a graph file (docs/graph-files.md).\n"
           "Example: ebprop-run graphs/digits-mlp.graph --epochs 5 --save digits.model\n\n"
        << general << "\n"
        << training << "\n"
        << output << "\n"
        << resuming << "\n"
        << authors << "\nKeys of the [run] section (and of --set):\n"
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
           "SIGINT or SIGTERM stops at the end of the current step, keeping the last saved epoch\n"
           "(and writing --checkpoint, which --resume continues).\n"
           "Data-parallel: mpirun -np N ebprop-run GRAPH-FILE ... splits each batch across N\n"
           "processes, with weights bit-identical for any N (reproducible and block above);\n"
           "rank 0 prints and writes the outputs (docs/mpi.md).\n"
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
    for (const auto& item : cli.overrides.opt)
      if (cli.lr_auto && item.rfind("lr=", 0) == 0)
        throw tools::CommandLineError("--lr auto and --opt " + printable(item) +
                                      " both give the rate: give one of them");
    if (!cli.lr_auto) cli.overrides.opt.push_back("lr=" + lr);
    cli.overrides.shortcut["lr"] = "lr";
  }
  if (vm.count("checkpoint-every")) {
    if (cli.checkpoint.empty())
      throw tools::CommandLineError(
          "--checkpoint-every needs --checkpoint FILE: the file to write the checkpoints to");
    cli.checkpoint_every = parse_checkpoint_every(vm["checkpoint-every"].as<std::string>());
  }
  if (!cli.trace.empty() && !cli.resume.empty())
    throw tools::CommandLineError(
        "--trace records a run from its starting weights; it cannot follow --resume");
  author_options.check(vm, cli);
  if (cli.graph_file.empty() && !cli.list_plugins)
    throw tools::CommandLineError(
        "no graph file given (usage: ebprop-run GRAPH-FILE [options]; see --help)");
  return cli;
}

}  // namespace ebprop::run
