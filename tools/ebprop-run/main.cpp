// ebprop-run: trains, tests and inspects a network described by a graph file.
#include <ebprop/curvature/eigen.h>
#include <ebprop/files.h>
#include <ebprop/graph.h>
#include <ebprop/graph_parser.h>
#include <ebprop/model_file.h>
#include <ebprop/plugin_loader.h>
#include <ebprop/random_streams.h>
#include <ebprop/trainer.h>
#include <omp.h>
#include <unistd.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "files.h"
#include "inspect.h"
#include "options.h"
#include "report.h"
#include "stop_signals.h"

namespace ebprop::run {
namespace {

// The [run] key diverge-factor: a number above 1, or 0 / off for no divergence rule.
double divergence_factor(const Settings& run) {
  const std::string& text = run.text("diverge-factor");
  if (text == "off") return 0;
  std::size_t used = 0;
  double factor = -1;
  try {
    factor = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  if (used != text.size() || !(factor == 0 || factor > 1))
    throw SourceError(run.where("diverge-factor"),
                      "diverge-factor must be a number above 1, or 0 or off to turn the "
                      "divergence rule off; found '" +
                          text + "'");
  return factor;
}

// What the outputs hold when a run stops before its end, the last epoch written being `saved`.
std::string kept_outputs(const CommandLine& cli, int saved) {
  const std::string epoch = "epoch " + std::to_string(saved);
  std::string text;
  if (!cli.save.empty())
    text += saved > 0 ? "the weights of " + epoch + " are kept in '" + cli.save + "'"
                      : "no weights were saved ('" + cli.save + "' is as it was)";
  if (!cli.metrics.empty())
    text += std::string(text.empty() ? "" : "; ") +
            (saved > 0 ? "the metrics of epochs 1 to " + std::to_string(saved) + " are in '" +
                             cli.metrics + "'"
                       : "no metrics were written ('" + cli.metrics + "' is as it was)");
  return text.empty() ? "nothing was saved (no --save or --metrics)" : text;
}

// §9.2: the rate 1/λmax, with λmax from the online estimator (Eq. 64) on the weights training
// starts from (the same seed gives the same initial weights in double as in float).
double automatic_rate(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
                      const tools::RunConfig& config, const tools::Data& data) {
  const auto seed = static_cast<std::uint64_t>(config.run.integer("seed"));
  RandomStreams streams(seed);
  Graph<double> graph(spec, registry, streams.initialization);
  if (!cli.load.empty()) load_model(cli.load, graph.parameters());
  curvature::Loss loss(graph, data.train);
  const int presentations = 500;
  const auto estimate = curvature::online_estimate(loss, presentations, 0.01, 1e-4, seed);
  if (!std::isfinite(estimate.lambda) || estimate.lambda <= 0)
    throw NumericError("--lr auto: the online estimate of λmax is " +
                       std::to_string(estimate.lambda) + "; give the rate with --lr");
  if (!cli.quiet)
    std::cout << "lr auto: λmax ≈ " << estimate.lambda << " (online estimate, Eq. 64, "
              << presentations << " presentations) → lr = 1/λmax = " << 1 / estimate.lambda << "\n";
  return 1 / estimate.lambda;
}

template <typename T>
int run(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
        tools::RunConfig config) {
  RandomStreams streams(static_cast<std::uint64_t>(config.run.integer("seed")));
  Graph<T> graph(spec, registry, streams.initialization);
  const std::optional<tools::LoadedModel> model =
      cli.load.empty() ? std::nullopt : tools::load_model_file(cli.load, graph.parameters());
  const tools::Data data = tools::load_data(config, model ? &*model : nullptr);
  if (cli.lr_auto) {
    bool has_rate = false;
    for (const auto& s : registry.optimizer_info(config.optimizer).settings)
      has_rate = has_rate || s.name == "lr";
    if (!has_rate) throw Error("--lr auto: optimizer " + config.optimizer + " has no lr setting");
    std::ostringstream rate;
    rate << std::setprecision(10) << automatic_rate(cli, spec, registry, config, data);
    tools::Overrides overrides = cli.overrides;
    overrides.opt.push_back("lr=" + rate.str());
    config = merge_config(overrides, spec, registry);
  }

  auto optimizer = tools::make_optimizer<T>(registry, config);
  TrainerConfig tc;
  tc.batch = static_cast<int>(config.run.integer("batch"));
  tc.shuffle = config.run.boolean("shuffle");
  tc.seed = static_cast<std::uint64_t>(config.run.integer("seed"));
  tc.predict = config.run.text("predict");
  tc.divergence_factor = divergence_factor(config.run);
  Trainer<T> trainer(graph, *optimizer, data.train, tc);
  const DataUse use = optimizer->data_use();
  // The examples each step of an iterating optimizer presents, as the trainer draws them.
  const int sample = use.kind == DataUse::Kind::full_set
                         ? data.train.size()
                         : std::clamp(use.sample, 1, data.train.size());
  const bool classes = !data.train.labels.empty();  // else a regression: losses only
  const int epochs = cli.test_only ? 0 : static_cast<int>(config.run.integer("epochs"));
  // From here on SIGINT and SIGTERM end training at the end of a step, with every file whole. A
  // run that only evaluates has nothing half-done to protect: the signals end it at once.
  if (epochs > 0) catch_stop_signals();
  trainer.stop_when([] { return stop_signal() != 0; });

  if (!cli.quiet)
    std::cout << "graph " << graph.file() << ": " << graph.nodes().size() << " nodes, "
              << graph.parameters().size() << " parameters, "
              << (std::is_same<T, float>::value ? "float32" : "float64") << "\n"
              << "data: " << data.train.size() << " training examples from " << data.train.name
              << (data.has_test
                      ? ", " + std::to_string(data.test.size()) + " test from " + data.test.name
                      : "")
              << "\n"
              << "training: " << training_plan(use, epochs, tc.batch, sample) << ", optimizer "
              << config.optimizer << ", seed " << tc.seed << std::endl;  // seen before epoch 1

  const bool terminal = isatty(STDOUT_FILENO) && !cli.quiet;
  auto epoch_started = std::chrono::steady_clock::now();
  int last_done = 0;
  if (terminal)
    trainer.on_progress(
        [&](int done, int total) {
          const auto now = std::chrono::steady_clock::now();
          if (done < last_done) epoch_started = now;  // a new epoch began
          last_done = done;
          const double elapsed = std::chrono::duration<double>(now - epoch_started).count();
          std::cout << "\r  " << done << "/" << total << " (" << (100 * done / total) << "%)  "
                    << static_cast<long>(done / std::max(elapsed, 1e-9)) << " ex/s  ETA "
                    << std::fixed << std::setprecision(1)
                    << elapsed * (total - done) / std::max(done, 1) << " s   " << std::flush;
          std::cout.unsetf(std::ios::fixed);
        },
        std::max(1, data.train.size() / 100));

  std::string metrics;
  if (epochs == 0) {  // --test-only or --epochs 0: evaluate (and save) the starting weights
    const Evaluation test =
        data.has_test ? trainer.evaluate(data.test) : trainer.evaluate(data.train);
    std::cout << (data.has_test ? "test" : "train") << " loss " << std::setprecision(6) << test.loss
              << (classes ? " error " + percent(test.error) : "") << "\n";
    if (!cli.save.empty()) save_model(cli.save, graph.parameters(), data.model);
    return 0;
  }
  int saved = 0;               // the last epoch whose weights and metrics are written
  std::int64_t iteration = 0;  // an iterating optimizer's, over the run
  std::set<std::string> notices;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    EpochReport r;
    try {
      r = trainer.run_epoch(epoch, data.has_test ? &data.test : nullptr);
    } catch (const TrainingDiverged& e) {
      if (terminal) std::cout << "\n";
      std::cout.flush();
      std::cerr << "ebprop-run: error: " << e.what()
                << (e.by_rule() ? " (the divergence rule: [run] diverge-factor; "
                                  "--set diverge-factor=off turns it off)"
                                : "")
                << "\nebprop-run: " << kept_outputs(cli, saved) << "\n";
      return 1;
    }
    if (terminal) std::cout << "\r" << std::string(60, ' ') << "\r";
    if (r.interrupted) {
      std::cout.flush();
      std::cerr << "ebprop-run: interrupted by " << stop_signal_name() << " in epoch " << epoch
                << " after " << r.examples << " of " << data.train.size() << " examples; epoch "
                << epoch << " was not saved; " << kept_outputs(cli, saved) << "\n";
      return 128 + stop_signal();
    }
    if (use.kind != DataUse::Kind::mini_batches) iteration += r.examples / sample;
    // How the optimizer made its step (a damped Hessian, the generalized Gauss-Newton matrix),
    // each different notice once.
    if (!r.last_step.notice.empty() && notices.insert(r.last_step.notice).second)
      std::cout << "note: " << r.last_step.notice << "\n";
    std::cout << epoch_line(r, iteration, classes) << std::endl;
    if (!cli.metrics.empty()) {
      metrics += metrics_line(r);
      write_file_atomically(cli.metrics, metrics);
    }
    if (!cli.save.empty()) save_model(cli.save, graph.parameters(), data.model);
    saved = epoch;
    if (!r.stop.empty()) {  // the optimizer has finished: a normal end
      std::cout << "stopped: " << r.stop << std::endl;
      return 0;
    }
    if (stop_signal() != 0) {
      std::cerr << "ebprop-run: interrupted by " << stop_signal_name() << " after epoch " << epoch
                << "; " << kept_outputs(cli, saved) << "\n";
      return 128 + stop_signal();
    }
  }
  return 0;
}

int main_checked(int argc, char** argv) {
  const std::optional<CommandLine> cli = parse_command_line(argc, argv);
  if (!cli) return 0;

  Registry registry;
  load_plugins(registry, cli->plugin_paths);
  if (cli->list_plugins) {
    print_plugins(registry);
    return 0;
  }
  if (cli->test_only && cli->load.empty())
    throw tools::CommandLineError(
        "--test-only evaluates a trained model: give --load MODEL (without it the weights are "
        "random)");
  const GraphSpec spec = parse_graph_file(cli->graph_file);
  const tools::RunConfig config = merge_config(cli->overrides, spec, registry);
  if (cli->describe) {
    RandomStreams streams(static_cast<std::uint64_t>(config.run.integer("seed")));
    describe(Graph<float>(spec, registry, streams.initialization));
    return 0;
  }
  // Before any work that takes time: no output may destroy an input or another output.
  tools::check_outputs(tools::run_inputs(cli->graph_file, cli->load, config, registry),
                       {{"--save", cli->save}, {"--metrics", cli->metrics}});
  const int threads = static_cast<int>(config.run.integer("threads"));
  // One thread policy for the process: OpenMP's, which Eigen in the engine and in every plugin
  // reads (Eigen::setNbThreads would reach only this executable's copy of Eigen).
  omp_set_num_threads(threads);
  if (config.run.text("precision") == "double") return run<double>(*cli, spec, registry, config);
  return run<float>(*cli, spec, registry, config);  // the schema allows float and double only
}

}  // namespace
}  // namespace ebprop::run

int main(int argc, char** argv) {
  try {
    return ebprop::run::main_checked(argc, argv);
  } catch (const ebprop::tools::CommandLineError& e) {  // README: 2 for a usage error
    std::cout.flush();
    std::cerr << "ebprop-run: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "ebprop-run: error: " << e.what() << "\n";
    return 1;
  }
}
