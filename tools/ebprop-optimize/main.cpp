// ebprop-optimize: runs an optimizer plugin on a test function with a known minimum (§6's batch
// methods, and any other optimizer), one step on the whole "set" per iteration, printing the
// progress and, as its last line, a JSON summary: what optimizer authors test and benchmark with
// (bench/optimizers/). See --help.
#include <ebprop/optimize/test_functions.h>
#include <ebprop/plugin_loader.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "command_line_error.h"
#include "optimizer_setup.h"
#include "options.h"
#include "summary.h"
#include "tool_options.h"

namespace ebprop::optimize_tool {
namespace {

// The test function of the command line; a refusal names --function or --dim.
std::unique_ptr<optimize::TestFunction> make_function(const CommandLine& cli) {
  try {
    return optimize::make_test_function(cli.function, cli.dim, cli.function_options);
  } catch (const Error& e) {
    const auto& names = optimize::test_function_names();
    const bool known = std::find(names.begin(), names.end(), cli.function) != names.end();
    throw tools::CommandLineError((known ? "--dim: " : "--function: ") + std::string(e.what()));
  }
}

// "-" for a quantity the step did not report.
std::string shown(double v) {
  if (std::isnan(v)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.6e", v);
  return text;
}

// The loss a progress line shows: at the new point when the step knows it, else at its start.
double reported_loss(const StepResult& r) { return std::isnan(r.new_loss) ? r.loss : r.new_loss; }

enum class Ending { optimizer, cap, non_finite };

int run(int argc, char** argv) {
  const std::optional<CommandLine> parsed = parse_command_line(argc, argv);
  if (!parsed) return 0;
  const CommandLine& cli = *parsed;

  Registry registry;
  load_plugins(registry, cli.plugin_paths);
  const OptimizerPtr<double> optimizer = make_optimizer(registry, cli.optimizer, cli.opt);
  const std::unique_ptr<optimize::TestFunction> function = make_function(cli);
  function->reset();
  optimizer->attach(function->parameters());

  if (!cli.quiet)
    std::printf("%s on %s from its start\n%9s  %-14s %-14s %-14s %11s %10s\n",
                cli.optimizer.c_str(), function->name().c_str(), "iteration", "loss", "|g|", "step",
                "evaluations", "seconds");
  using clock = std::chrono::steady_clock;
  clock::duration in_steps{};
  Summary summary;
  Ending ending = Ending::cap;
  std::int64_t iteration = 0;
  while (iteration < cli.max_iterations) {
    ++iteration;
    const auto start = clock::now();
    // One example, the whole set: every iteration is one epoch of the trainer.
    optimizer->begin_epoch(static_cast<int>(std::min<std::int64_t>(iteration, 1 << 30)), *function);
    const StepResult result = optimizer->step(*function, Batch::all(), iteration);
    in_steps += clock::now() - start;
    const double loss = reported_loss(result);
    if (!result.notice.empty() && !cli.quiet) std::printf("note: %s\n", result.notice.c_str());
    if (!cli.quiet)
      std::printf("%9lld  %-14s %-14s %-14s %11lld %10.4f\n", static_cast<long long>(iteration),
                  shown(loss).c_str(), shown(result.grad_norm).c_str(), shown(result.step).c_str(),
                  static_cast<long long>(function->counts().evaluations()),
                  std::chrono::duration<double>(in_steps).count());
    if (!std::isfinite(loss) || !function->parameters().w().allFinite()) {
      ending = Ending::non_finite;
      summary.stop = "non-finite loss (" + shown(loss) + ") at iteration " +
                     std::to_string(iteration) + ": the optimizer diverged";
      break;
    }
    if (!result.stop.empty()) {
      ending = Ending::optimizer;
      summary.stop = result.stop;
      break;
    }
  }
  if (ending == Ending::cap)
    summary.stop = "--max-iterations " + std::to_string(cli.max_iterations) +
                   " reached without the optimizer stopping";

  summary.optimizer = cli.optimizer;
  summary.function = cli.function;
  summary.dim = cli.dim;
  summary.iterations = iteration;
  summary.counts = function->counts();  // the optimizer's evaluations only
  summary.seconds = std::chrono::duration<double>(in_steps).count();
  summary.ended = ending == Ending::optimizer ? "optimizer"
                  : ending == Ending::cap     ? "cap"
                                              : "non-finite";
  summary.loss = function->gradient(Batch::all());
  summary.grad_norm = function->parameters().dw().norm();
  summary.minimum = function->minimum();
  summary.distance = (function->parameters().w() - function->minimizer()).norm();

  std::cout.flush();
  std::fflush(stdout);
  if (ending == Ending::non_finite) std::cerr << "ebprop-optimize: " << summary.stop << "\n";
  if (ending == Ending::cap && !cli.quiet) std::cerr << "ebprop-optimize: " << summary.stop << "\n";
  std::cout << json_line(summary) << std::endl;
  return ending == Ending::optimizer ? 0 : ending == Ending::cap ? 3 : 1;
}

}  // namespace
}  // namespace ebprop::optimize_tool

int main(int argc, char** argv) {
  return ebprop::tools::tool_main("ebprop-optimize",
                                  [&] { return ebprop::optimize_tool::run(argc, argv); });
}
