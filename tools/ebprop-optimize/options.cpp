#include "options.h"

#include <ebprop/plugin_loader.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <limits>

#include "function_table.h"
#include "run_config.h"
#include "tool_options.h"

namespace ebprop::optimize_tool {
namespace {

namespace po = boost::program_options;

// The numeric options, validated like settings: a value out of range names the option.
const std::vector<SettingSpec>& option_settings() {
  static const std::vector<SettingSpec> settings{
      required("dim", SettingType::integer, "the dimension n of the test function").at_least(1),
      optional("condition", SettingType::real, "100",
               "quadratic: the condition number of its matrix")
          .at_least(1),
      optional("seed", SettingType::integer, "1",
               "quadratic, least-squares: the seed of their random matrices")
          .at_least(0)
          .at_most(static_cast<double>(std::numeric_limits<std::int64_t>::max())),
      optional("max-iterations", SettingType::integer, std::to_string(default_max_iterations),
               "the cap on iterations: reaching it without the optimizer stopping exits 3")
          .at_least(1)};
  return settings;
}

// The optimizers the plugins of this build (and EBPROP_PLUGIN_PATH, --plugin-path) register, for
// --help; a plugin that cannot be loaded is said, not fatal there.
std::string optimizer_list(const std::vector<std::string>& plugin_paths) {
  try {
    Registry registry;
    load_plugins(registry, plugin_paths);
    return join(registry.optimizer_types());
  } catch (const std::exception& e) {
    return std::string("(the plugins could not be loaded: ") + e.what() + ")";
  }
}

// The text of --help around the option table and the lists made at run time.
const char* const usage =
    R"(Usage: ebprop-optimize --optimizer NAME [--opt KEY=VALUE]... --function F --dim N
                       [--condition K] [--seed S] [--max-iterations N] [--quiet]
Runs an optimizer plugin on a test function with a known minimum, from the function's
standard start, in double precision: one step(objective, Batch::all()) per iteration
until the optimizer stops (a stop rule fired, or it can make no progress) or the cap
--max-iterations is reached. For optimizer authors: the same plugin trains networks in
ebprop-run. Example:
  ebprop-optimize --optimizer lbfgs --function rosenbrock --dim 100 --opt grad-tol=1e-8

)";

const char* const optimizers_note = R"(
  Their settings (--opt): ebprop-run --list-plugins. The batch methods of §6 share the
  stop rules grad-tol, loss-tol, max-iterations and max-evaluations. An optimizer made
  for mini-batches (sgd, sdlm, adaptive) or resampled batches runs too: the function's
  one example is the whole set, so every step is a full-batch step and each iteration
  is one epoch (begin_epoch is called before it; examples seen = the iteration).
  Such optimizers have no stop rule: give a small lr (sgd: --opt lr=1e-3 on
  rosenbrock) and expect exit 3.

Output: a line per iteration (unless --quiet): iteration, the loss at the new point
(or at the step's start when the optimizer does not say), ‖∇E‖ there ('-' when not
known), ‖Δw‖, function+gradient evaluations so far and the seconds spent in steps;
then, as the last line, one JSON object: optimizer, function, dim, iterations,
evaluations (values + gradients, as libraries count them), gradients, values,
curvatures, hessian_vectors, gauss_newton_vectors, matrices (the optimizer's
evaluations only), loss, grad_norm (both recomputed at the final point), minimum,
distance (‖x − x*‖), stop (the reason), ended (optimizer, cap or non-finite), seconds.
Plugins are searched in the build's plugin directory, then EBPROP_PLUGIN_PATH
(':'-separated), then --plugin-path.

Exit status: 0 the optimizer stopped (its reason in "stop"), 1 error or a non-finite
loss (diverged), 2 usage (a bad option, --opt key or value, unknown name),
3 --max-iterations reached without the optimizer stopping.
)";

void print_help(const po::options_description& options,
                const std::vector<std::string>& plugin_paths) {
  std::cout << usage << options
            << "\nTest functions (optimize/test_functions.h; one example each, exact "
               "derivatives):\n"
            << test_function_table() << "\nOptimizers: " << optimizer_list(plugin_paths)
            << optimizers_note;
}

}  // namespace

std::optional<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine cli;
  po::options_description options("Options");
  options.add_options()("help,h", "print this help and exit")(
      "version", "print the version of ebprop and of its plugin ABI, and exit")(
      "optimizer", po::value(&cli.optimizer), "the optimizer type (required; listed below)")(
      "opt", po::value(&cli.opt)->composing(),
      "KEY=VALUE: a setting of the optimizer, checked against its schema; may be repeated")(
      "function", po::value(&cli.function), "the test function (required; listed below)")(
      "plugin-path", po::value(&cli.plugin_paths)->composing(),
      "a directory (or file) of plugins, searched after the built-in plugin directory and "
      "EBPROP_PLUGIN_PATH; may be repeated")("quiet,q", po::bool_switch(&cli.quiet),
                                             "print only the JSON line");
  for (const auto& s : option_settings()) {
    const std::string constraint = setting_constraint(s);
    const std::string deflt = s.default_value ? "default " + *s.default_value : "required";
    options.add_options()(
        s.name.c_str(), po::value<std::string>(),
        (s.doc + " (" + deflt + (constraint.empty() ? "" : "; " + constraint) + ")").c_str());
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).style(tools::option_style).run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw tools::CommandLineError(tools::option_error_message(e, options, "ebprop-optimize"));
  }
  if (vm.count("version")) {
    std::cout << tools::version_text("ebprop-optimize");
    return std::nullopt;
  }
  if (vm.count("help")) {
    print_help(options, cli.plugin_paths);
    return std::nullopt;
  }
  if (cli.optimizer.empty())
    throw tools::CommandLineError("no --optimizer given (see ebprop-optimize --help)");
  if (cli.function.empty())
    throw tools::CommandLineError("no --function given: one of " +
                                  join(optimize::test_function_names()) +
                                  " (see ebprop-optimize --help)");
  RawSettings given;
  for (const auto& s : option_settings())
    if (vm.count(s.name))
      given[s.name] = {vm[s.name].as<std::string>(), tools::command_line(s.name)};
  if (!given.count("dim"))
    throw tools::CommandLineError("no --dim given: the dimension of " + cli.function +
                                  " (see ebprop-optimize --help for what each function takes)");
  const Settings v = tools::validate_options(option_settings(), given, "ebprop-optimize");
  cli.dim = static_cast<int>(v.integer("dim"));
  cli.function_options.condition = v.real("condition");
  cli.function_options.seed = static_cast<std::uint64_t>(v.integer("seed"));
  cli.max_iterations = v.integer("max-iterations");
  return cli;
}

}  // namespace ebprop::optimize_tool
