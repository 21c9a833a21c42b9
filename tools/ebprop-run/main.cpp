// ebprop-run: trains, tests and inspects a network described by a graph file.
#include <ebprop/checkpoint.h>
#include <ebprop/communicator.h>
#include <ebprop/curvature/eigen.h>
#include <ebprop/files.h>
#include <ebprop/graph.h>
#include <ebprop/graph_parser.h>
#include <ebprop/layer_rates.h>
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
#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "dot.h"
#include "early_stopping.h"
#include "files.h"
#include "inspect.h"
#include "options.h"
#include "ranks.h"
#include "report.h"
#include "resume.h"
#include "stop_signals.h"
#include "timing.h"
#include "tool_options.h"
#include "weight_trace.h"

namespace ebprop::run {
namespace {

// The presentations of the online λmax estimate behind --lr auto (Eq. 64).
constexpr int kAutoRatePresentations = 500;

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

// What the outputs hold when a run stops before its end, the last epoch written being `saved`
// (by this run or, resumed, by the run it continues).
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
  // The first validated epoch is the best so far: --save-best was written whenever an epoch was.
  if (!cli.save_best.empty())
    text += std::string(text.empty() ? "" : "; ") +
            (saved > 0 ? "the weights of the best epoch so far on the validation set are in '" +
                             cli.save_best + "'"
                       : "no best weights were saved ('" + cli.save_best + "' is as it was)");
  return text.empty() ? "nothing was saved (no --save, --save-best or --metrics)" : text;
}

// Throws Error listing every difference between the identity of the checkpoint `path` and this
// run's.
void refuse_another_run(const std::string& path, const RunIdentity& saved, const RunIdentity& now) {
  const std::vector<std::string> differences = identity_differences(saved, now);
  if (differences.empty()) return;
  std::string list;
  for (const auto& d : differences) list += "\n  " + d;
  throw Error("cannot resume from '" + path +
              "': it is the checkpoint of another run (the number of epochs, the threads and the "
              "test set may change; nothing else):" +
              list);
}

// "epoch 3 after 1200 of 10000 examples" or "the end of epoch 3", from a trainer's state.
std::string position(const TrainerState& state, int examples) {
  if (!state.in_epoch) return "the end of epoch " + std::to_string(state.epoch);
  return "epoch " + std::to_string(state.epoch) + " after " +
         std::to_string(state.progress.examples) + " of " + std::to_string(examples) + " examples";
}

// The header lines on what is scored: the node whose argmax is the class and the loss it feeds
// (GraphObjective::scored_description), and with several losses each with its line and weight.
template <typename T>
std::string run_losses(const Graph<T>& graph, const GraphObjective<T>& objective) {
  std::ostringstream text;
  const std::string scored = objective.scored_description();
  if (!scored.empty()) text << "scored: " << scored << "\n";
  const auto& losses = objective.loss_nodes();
  if (losses.size() < 2) return text.str();
  text << "losses:";
  for (std::size_t l = 0; l < losses.size(); ++l) {
    const auto& node = graph.nodes()[losses[l]];
    text << (l ? ", " : " ") << node.name << " (" << node.type << ", line " << node.where.line
         << ", weight " << node.loss_weight << ")";
  }
  text << "; E = Σ weight · loss, each reported alone without its weight\n";
  return text.str();
}

// §9.2: λmax from the online estimator (Eq. 64) on the weights training starts from (the same
// seed gives the same initial weights in double as in float).
double largest_eigenvalue(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
                          const tools::RunConfig& config, const tools::Data& data) {
  const auto seed = static_cast<std::uint64_t>(config.run.integer("seed"));
  RandomStreams streams(seed);
  Graph<double> graph(spec, registry, streams.initialization);
  if (!cli.load.empty()) load_model(cli.load, graph.parameters());
  curvature::Loss loss(graph, data.train);
  const auto estimate = curvature::online_estimate(loss, kAutoRatePresentations, 0.01, 1e-4, seed);
  if (!std::isfinite(estimate.lambda) || estimate.lambda <= 0)
    throw NumericError("--lr auto: the online estimate of λmax is " +
                       std::to_string(estimate.lambda) + "; give the rate with --lr");
  return estimate.lambda;
}

// --lr auto for the optimizer of `config`, by what its lr means (OptimizerInfo::rate_kind): a
// global step size gets η = 1/λmax (§9.2, plain gradient descent), or η = (1 − μ)/λmax under a
// heavy-ball momentum μ > 0 — on a quadratic the slow directions then move by η/(1 − μ) per step,
// so this keeps that effective rate at 1/λmax, well inside the stability bound
// η < 2(1 + μ)/λmax. Any other kind is refused (CommandLineError) saying what to use instead.
double automatic_rate(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
                      const tools::RunConfig& config, const tools::Data& data) {
  const OptimizerInfo& info = registry.optimizer_info(config.optimizer);
  switch (info.rate_kind) {
    case OptimizerInfo::RateKind::none:
      throw tools::CommandLineError("--lr auto: optimizer " + config.optimizer +
                                    " has no global step size to set (1/λmax, §9.2, is the rate "
                                    "of gradient descent); drop --lr auto");
    case OptimizerInfo::RateKind::curvature_scaled:
      throw tools::CommandLineError(
          "--lr auto: the lr of optimizer " + config.optimizer +
          " is the global factor η of Eq. 61, which it divides by its own per-weight curvature "
          "estimates (⟨h_kk⟩ + μ), so 1/λmax is not its scale; give it with --lr (§9.1: about "
          "5e-4 to 1e-5 for LeNet-5), or use --lr auto with sgd");
    case OptimizerInfo::RateKind::global_step:
      break;
  }
  const double momentum =
      info.momentum_setting.empty() ? 0 : config.optimizer_settings.real(info.momentum_setting);
  const double lambda = largest_eigenvalue(cli, spec, registry, config, data);
  const double rate = (1 - momentum) / lambda;
  if (!cli.quiet) {
    std::cout << "lr auto: λmax ≈ " << lambda << " (online estimate, Eq. 64, "
              << kAutoRatePresentations << " presentations) → ";
    if (momentum > 0)
      std::cout << "lr = (1 − μ)/λmax = " << rate << " (" << info.momentum_setting
                << " μ = " << momentum
                << ": the effective rate η/(1 − μ) is 1/λmax of §9.2; plain 1/λmax "
                << "would be " << 1 / lambda << ")\n";
    else
      std::cout << "lr = 1/λmax = " << rate << "\n";
  }
  return rate;
}

// What every rank of an MPI run must have alike (Ranks::agree): the run's identity (graph,
// settings, training data), the other data sets, the epochs, the starting weights, and the
// checkpoint resumed from (its sections, as read).
template <typename T>
std::vector<std::string> rank_facts(const CommandLine& cli, const RunIdentity& identity,
                                    const Graph<T>& graph, const tools::RunConfig& config,
                                    const tools::Data& data,
                                    const std::optional<CheckpointFile>& resume) {
  const auto hash = [](const std::string& bytes) {
    return "hash " + std::to_string(std::hash<std::string>()(bytes));
  };
  std::vector<std::string> facts;
  for (const std::string& line : identity.graph) facts.push_back("graph: " + line);
  for (const auto& [key, value] : identity.settings)
    facts.push_back("setting " + key + ": " + value);
  facts.push_back("training data: " + identity.data);
  facts.push_back("test data: " + (data.has_test ? data_fingerprint(data.test) : "none"));
  facts.push_back("validation data: " +
                  (data.has_validation ? data_fingerprint(data.validation) : "none"));
  facts.push_back("epochs: " + std::to_string(config.run.integer("epochs")));
  facts.push_back("test-only: " + std::to_string(cli.test_only));
  const auto& w = graph.parameters().w();
  facts.push_back("starting weights: " +
                  hash(std::string(reinterpret_cast<const char*>(w.data()), sizeof(T) * w.size())));
  std::string sections;
  if (resume)
    for (const auto& [name, bytes] : resume->archive.sections()) sections += name + '\0' + bytes;
  facts.push_back("--resume checkpoint: " + (resume ? hash(sections) : std::string("none")));
  return facts;
}

template <typename T>
int run(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
        tools::RunConfig config, Ranks* ranks) {
  // A checkpoint to resume is read first: a wrong file is refused before any work.
  std::optional<CheckpointFile> resume;
  if (!cli.resume.empty()) {
    resume = read_checkpoint(cli.resume);
    add_keys_added_since(resume->checkpoint.identity);
  }
  RandomStreams streams(static_cast<std::uint64_t>(config.run.integer("seed")));
  Graph<T> graph(spec, registry, streams.initialization);
  // The model to start from: --load's, or the checkpoint's (its weights and input transform),
  // once the checkpoint is known to be of this graph.
  std::optional<tools::LoadedModel> model;
  if (resume) {
    RunIdentity this_graph = resume->checkpoint.identity;
    this_graph.graph = graph_structure(spec, graph);
    refuse_another_run(cli.resume, resume->checkpoint.identity, this_graph);
    model = tools::LoadedModel{cli.resume, get_model(resume->archive, graph.parameters())};
  } else if (!cli.load.empty()) {
    model = tools::load_model_file(cli.load, graph.parameters());
  }
  const tools::Data data = tools::load_data(config, model ? &*model : nullptr);
  if (cli.lr_auto) {
    std::ostringstream rate;
    rate << std::setprecision(10) << automatic_rate(cli, spec, registry, config, data);
    tools::Overrides overrides = cli.overrides;
    overrides.opt.push_back("lr=" + rate.str());
    config = merge_config(overrides, spec, registry);
  }

  // §4.7: lower layers get larger rates (layer_rates.h), for optimizers with a global step size.
  std::vector<std::string> layer_rates;
  if (const double factor = config.run.real("lower-layer-rates"); factor != 1) {
    if (registry.optimizer_info(config.optimizer).rate_kind != OptimizerInfo::RateKind::global_step)
      tools::refuse(config.run.where("lower-layer-rates"),
                    "lower-layer-rates multiplies global step sizes, but optimizer " +
                        config.optimizer +
                        " has none (sdlm divides its rates by its own curvature estimates; the "
                        "batch methods choose their steps by line searches or trust regions)");
    layer_rates = apply_lower_layer_rule(graph, factor);
  }
  auto optimizer = tools::make_optimizer<T>(registry, config);
  TrainerConfig tc;
  tc.batch = static_cast<int>(config.run.integer("batch"));
  tc.order = tools::presentation_order(config.run);
  tc.emphasize_floor = config.run.real("emphasize-floor");
  tc.emphasize_cap = config.run.real("emphasize-cap");
  tc.seed = static_cast<std::uint64_t>(config.run.integer("seed"));
  tc.predict = config.run.text("predict");
  tc.threads = static_cast<int>(config.run.integer("threads"));
  tc.divergence_factor = divergence_factor(config.run);
  // Reproducible sums (GraphObjective): across the ranks of an MPI run, or by [run] reproducible
  // in this process alone, to the bit as an MPI run makes them.
  SingleProcess alone;
  if (ranks)
    tc.communicator = &ranks->world();
  else if (config.run.boolean("reproducible"))
    tc.communicator = &alone;
  tc.block = static_cast<int>(config.run.integer("block"));
  Trainer<T> trainer(graph, *optimizer, data.train, tc);
  // Only rank 0 of an MPI run writes files (ranks.h).
  const bool writes = !ranks || ranks->primary();
  // A stop request (SIGINT, SIGTERM) on any rank stops every rank after the same step.
  const auto stop_requested = [&] {
    return ranks ? ranks->any_stop(stop_signal() != 0) : stop_signal() != 0;
  };
  const DataUse use = optimizer->data_use();
  // The examples each step of an iterating optimizer presents, as the trainer draws them.
  const int sample = use.kind == DataUse::Kind::full_set
                         ? data.train.size()
                         : std::clamp(use.sample, 1, data.train.size());
  const bool classes = !data.train.labels.empty();  // else a regression: losses only
  // §2: the best epoch on the validation set, for --save-best and [run] patience.
  EarlyStopping early = EarlyStopping::from(config, cli.save_best, data.has_validation, classes);
  const int epochs = cli.test_only ? 0 : static_cast<int>(config.run.integer("epochs"));
  // From here on SIGINT and SIGTERM end training at the end of a step, with every file whole. A
  // run that only evaluates has nothing half-done to protect: the signals end it at once.
  if (epochs > 0) catch_stop_signals();
  trainer.stop_when(stop_requested);
  // The run's identity, with its checksum of the training data: for --checkpoint and --resume,
  // and for the ranks of an MPI run to agree on.
  const RunIdentity identity = cli.checkpoint.empty() && cli.resume.empty() && !ranks
                                   ? RunIdentity{}
                                   : run_identity(spec, graph, config, data.train);
  if (ranks) ranks->agree(rank_facts(cli, identity, graph, config, data, resume));

  // A set's file, and its IDX targets file when it has one that the training set's line has not
  // named (a validation set held out of the training set has the training set's).
  const auto from = [&](const ebprop::data::Dataset& set) {
    const bool plain = set.targets_name.empty() ||
                       (&set != &data.train && set.targets_name == data.train.targets_name);
    return set.name + (plain ? "" : " (targets " + set.targets_name + ")");
  };
  if (!cli.quiet)
    std::cout << "graph " << graph.file() << ": " << graph.nodes().size() << " nodes, "
              << graph.parameters().size() << " parameters, "
              << (std::is_same<T, float>::value ? "float32" : "float64") << "\n"
              << "data: " << data.train.size() << " training examples from " << from(data.train)
              << (data.has_test
                      ? ", " + std::to_string(data.test.size()) + " test from " + from(data.test)
                      : "")
              << (data.has_validation ? ", " + std::to_string(data.validation.size()) +
                                            " validation from " + from(data.validation)
                                      : "")
              << "\n"
              << "training: " << training_plan(use, epochs, tc.batch, sample) << ", optimizer "
              << config.optimizer << ", seed " << tc.seed << "\n"
              << run_losses(graph, trainer.objective()) << std::flush;  // seen before epoch 1
  if (!cli.quiet && tc.communicator)
    std::cout << "sums: reproducible, in blocks of " << tc.block << " examples added in a fixed "
              << "tree"
              << (ranks ? ", over " + std::to_string(ranks->world().size()) +
                              (ranks->world().size() == 1 ? " MPI rank (" : " MPI ranks (") +
                              ranks->world().library() + ")"
                        : " (one process)")
              << "\n";
  if (!cli.quiet && !layer_rates.empty()) {
    std::cout << "rates (lower-layer-rates, §4.7):";
    for (const std::string& line : layer_rates) std::cout << " " << line << ";";
    std::cout << "\n";
  }

  // mpirun gives rank 0 a terminal whether or not its own output is one: no progress line there.
  const bool terminal = isatty(STDOUT_FILENO) && !cli.quiet && !ranks;
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

  const MetricsFormat metrics_form = metrics_format(cli.metrics);
  if (epochs == 0) {  // --test-only or --epochs 0: evaluate (and save) the starting weights
    const Evaluation test =
        data.has_test ? trainer.evaluate(data.test) : trainer.evaluate(data.train);
    std::cout << (data.has_test ? "test" : "train") << " loss " << std::setprecision(6) << test.loss
              << (classes ? " error " + percent(test.error) : "")
              << per_loss_columns(trainer.objective().loss_names(), test) << "\n";
    if (!cli.save.empty() && writes) save_model(cli.save, graph.parameters(), data.model);
    return 0;
  }

  // The run's record, restored from --resume and written with --checkpoint.
  RunRecord record;
  EpochReport last;        // of the last epoch this process finished
  const auto warn = [&] {  // at the end of a run that finished an epoch here
    if (last.epoch == 0) return;
    std::cout.flush();
    for (const std::string& w : end_of_run_warnings(record.first_train_loss, last))
      std::cerr << "ebprop-run: warning: " << w << "\n";
  };
  int first_epoch = 1;
  if (resume) {
    const Checkpoint& saved = resume->checkpoint;
    refuse_another_run(cli.resume, saved.identity, identity);
    record = RunRecord::decode(saved.run, "checkpoint '" + cli.resume + "', section run");
    if (!record.finished.empty()) {
      std::cout << "the run of '" << cli.resume << "' has finished (" << record.finished
                << "); there is nothing to resume\n";
      return 0;
    }
    optimizer->restore(saved.optimizer);
    trainer.restore(saved.trainer);
    first_epoch = saved.trainer.in_epoch ? saved.trainer.epoch : saved.trainer.epoch + 1;
    if (!cli.quiet)
      std::cout << "resuming '" << cli.resume << "' from "
                << position(saved.trainer, data.train.size()) << std::endl;
    early.restore(record.early);
    if (!cli.metrics.empty() && writes)
      write_file_atomically(cli.metrics, record.metrics(metrics_form));
    if (first_epoch > epochs) {
      std::cout << "the run has done its " << record.epochs_done
                << " epochs; give a larger --epochs to train on\n";
      return 0;
    }
  }
  // --trace: the weights after every step, from the starting weights on (weight_trace.h).
  std::optional<WeightTrace<T>> trace;
  int epoch_in_progress = 0;
  if (!cli.trace.empty()) {
    const std::int64_t per_epoch = use.kind == DataUse::Kind::mini_batches
                                       ? (std::int64_t{data.train.size()} + tc.batch - 1) / tc.batch
                                       : std::max(1, data.train.size() / sample);
    trace.emplace(cli.trace, graph.parameters(), per_epoch * epochs);
    if (writes) trace->write();
  }
  const CheckpointEvery& every = cli.checkpoint_every;
  // Writes the run's state to --checkpoint. Weights that went non-finite are not kept: the
  // trainer reports the divergence at the end of the epoch, and the last checkpoint stays.
  const auto write_checkpoint_now = [&] {
    if (cli.checkpoint.empty() || !writes || !graph.parameters().w().allFinite()) return;
    write_checkpoint(cli.checkpoint,
                     {identity, optimizer->state(), trainer.state(), record.encode()},
                     graph.parameters(), data.model);
  };
  if (every.steps > 0 || trace)
    trainer.after_step([&](std::int64_t steps) {
      if (trace) trace->record(steps, epoch_in_progress);
      if (every.steps > 0 && steps % every.steps == 0) write_checkpoint_now();
    });
  const auto checkpoint_kept = [&](const std::string& where) {
    return cli.checkpoint.empty() ? std::string()
                                  : "; the checkpoint of " + where + " is in '" + cli.checkpoint +
                                        "' (continue with --resume " + cli.checkpoint + ")";
  };

  for (int epoch = first_epoch; epoch <= epochs; ++epoch) {
    EpochReport r;
    epoch_in_progress = epoch;
    try {
      r = trainer.run_epoch(epoch, data.has_test ? &data.test : nullptr,
                            data.has_validation ? &data.validation : nullptr);
    } catch (const TrainingDiverged& e) {
      if (trace && writes) trace->write();  // up to the step that diverged: how it went (Fig. 11)
      if (terminal) std::cout << "\n";
      std::cout.flush();
      std::cerr << "ebprop-run: error: " << e.what()
                << (e.by_rule() ? " (the divergence rule: [run] diverge-factor; "
                                  "--set diverge-factor=off turns it off)"
                                : "")
                << "\nebprop-run: " << kept_outputs(cli, record.epochs_done)
                << (cli.checkpoint.empty()
                        ? ""
                        : "; the last checkpoint in '" + cli.checkpoint + "' is as it was")
                << "\n";
      return 1;
    }
    if (terminal) std::cout << "\r" << std::string(60, ' ') << "\r";
    if (trace && writes) trace->write_if_due();
    if (r.interrupted) {
      if (trace && writes) trace->write();
      write_checkpoint_now();
      std::cout.flush();
      std::cerr << "ebprop-run: interrupted by " << stop_signal_name() << " in epoch " << epoch
                << " after " << r.examples << " of " << data.train.size() << " examples; epoch "
                << epoch << " was not saved; " << kept_outputs(cli, record.epochs_done)
                << checkpoint_kept(position(trainer.state(), data.train.size())) << "\n";
      warn();  // on the epochs that finished
      return 128 + stop_signal();
    }
    if (use.kind != DataUse::Kind::mini_batches) record.iteration += r.examples / sample;
    // How the optimizer made its step (a damped Hessian, the generalized Gauss-Newton matrix),
    // each different notice once.
    if (!r.last_step.notice.empty() && record.notices.insert(r.last_step.notice).second)
      std::cout << "note: " << r.last_step.notice << "\n";
    std::cout << epoch_line(r, record.iteration, classes) << std::endl;
    record.add_metrics(r);
    if (!cli.metrics.empty() && writes)
      write_file_atomically(cli.metrics, record.metrics(metrics_form));
    if (!cli.save.empty() && writes) save_model(cli.save, graph.parameters(), data.model);
    record.epochs_done = epoch;
    if (epoch == 1) record.first_train_loss = r.train.loss;
    last = r;
    if (data.has_validation && early.improved(r) && !cli.save_best.empty() && writes)
      save_model(cli.save_best, graph.parameters(), data.model);
    if (!r.stop.empty())
      record.finished = "stopped: " + r.stop;
    else if (early.exhausted())
      record.finished = early.stop_line();
    record.early = early.state();
    const bool interrupted = stop_requested();
    if (epoch == epochs || !record.finished.empty() || interrupted ||
        (every.epochs > 0 && epoch % every.epochs == 0))
      write_checkpoint_now();
    if (!r.stop.empty()) {  // the optimizer has finished: a normal end
      std::cout << "stopped: " << r.stop << std::endl;
      break;
    }
    if (early.exhausted()) {
      std::cout << early.stop_line() << std::endl;
      break;
    }
    if (interrupted) {
      if (trace && writes) trace->write();
      std::cerr << "ebprop-run: interrupted by " << stop_signal_name() << " after epoch " << epoch
                << "; " << kept_outputs(cli, record.epochs_done)
                << checkpoint_kept("the end of epoch " + std::to_string(epoch)) << "\n";
      warn();
      return 128 + stop_signal();
    }
  }
  if (trace && writes) trace->write();
  if (data.has_validation) std::cout << early.best_line() << std::endl;
  warn();
  return 0;
}

int main_checked(int argc, char** argv, Ranks* ranks) {
  const std::optional<CommandLine> cli = parse_command_line(argc, argv);
  if (!cli) return 0;

  Registry registry;
  load_plugins(registry, cli->plugin_paths);
  if (cli->list_plugins) {
    print_plugins(registry);
    return 0;
  }
  if (!cli->resume.empty() && !cli->load.empty())
    throw tools::CommandLineError(
        "--resume and --load exclude each other: a checkpoint holds its own weights");
  if (!cli->resume.empty() && cli->test_only)
    throw tools::CommandLineError(
        "--resume and --test-only exclude each other: --resume continues training");
  if (cli->test_only && cli->load.empty())
    throw tools::CommandLineError(
        "--test-only evaluates a trained model: give --load MODEL (without it the weights are "
        "random)");
  const GraphSpec spec = parse_graph_file(cli->graph_file);
  const tools::RunConfig config = merge_config(cli->overrides, spec, registry);
  if (cli->describe) {
    RandomStreams streams(static_cast<std::uint64_t>(config.run.integer("seed")));
    Graph<float> graph(spec, registry, streams.initialization);
    if (const double factor = config.run.real("lower-layer-rates"); factor != 1)
      apply_lower_layer_rule(graph, factor);  // its rates are the ones shown
    describe(spec, graph, registry);
    return 0;
  }
  if (!cli->dot.empty()) return write_dot(*cli, spec, registry, config);
  // Before any work that takes time: no output may destroy an input or another output.
  std::vector<tools::RunFile> inputs =
      tools::run_inputs(cli->graph_file, cli->load, config, registry);
  // The checkpoint resumed from may be the one the run goes on writing.
  if (!cli->resume.empty() && !same_file(cli->resume, cli->checkpoint))
    inputs.push_back({"the --resume checkpoint", cli->resume});
  tools::check_outputs(inputs, {{"--save", cli->save},
                                {"--metrics", cli->metrics},
                                {"--save-best", cli->save_best},
                                {"--checkpoint", cli->checkpoint},
                                {"--trace", cli->trace}});
  // One thread policy for the process: the objective's parts own the threads (a batch is cut
  // into parts run at once, GraphObjectiveOptions::threads), and every matrix product stays on
  // the thread of its part. OpenMP's setting is what Eigen in the engine and in every plugin
  // reads (Eigen::setNbThreads would reach only this executable's copy of Eigen); --time measures
  // one graph, whose products may use the threads themselves.
  const int threads = static_cast<int>(config.run.integer("threads"));
  omp_set_num_threads(cli->time ? threads : 1);
  if (cli->time) return time_passes(*cli, spec, registry, config);
  if (config.run.text("precision") == "double")
    return run<double>(*cli, spec, registry, config, ranks);
  return run<float>(*cli, spec, registry, config,
                    ranks);  // the schema allows float and double only
}

// A stream buffer that drops what it is given: the output of ranks other than 0.
class Discard final : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

// ebprop-run as one rank of an MPI run (ranks.h): rank 0 prints; a failure before the ranks
// agree is reported by rank 0 for all, one after it ends every rank.
int run_as_rank(tools::MpiWorld& world, int argc, char** argv) {
  Ranks ranks(world);
  static Discard discard;  // outlives the streams' last flush at exit
  if (!ranks.primary()) {
    std::cout.rdbuf(&discard);
    std::cerr.rdbuf(&discard);
  }
  int status = 0;
  std::string message;
  try {
    status = main_checked(argc, argv, &ranks);
  } catch (const RanksStopped& stopped) {
    return stopped.status();
  } catch (const tools::CommandLineError& e) {
    status = 2;
    message = e.what();
  } catch (const std::exception& e) {
    status = 1;
    message = std::string("error: ") + e.what();
  }
  std::cout.flush();
  if (!ranks.agreed()) return ranks.end_before_agreement(status, message);
  if (!message.empty()) {  // this rank alone may have failed: the others must not wait for it
    std::fprintf(stderr, "ebprop-run: rank %d of %d: %s\n", world.rank(), world.size(),
                 message.c_str());
    std::fflush(stderr);
    world.abort(status);
  }
  return status;
}

}  // namespace
}  // namespace ebprop::run

int main(int argc, char** argv) {
  std::unique_ptr<ebprop::tools::MpiWorld> world;
  const int started = ebprop::tools::tool_main("ebprop-run", [&] {
    world = ebprop::tools::join_mpi(argc, argv);
    return 0;
  });
  if (started != 0) return started;
  if (world) return ebprop::run::run_as_rank(*world, argc, argv);
  return ebprop::tools::tool_main("ebprop-run",
                                  [&] { return ebprop::run::main_checked(argc, argv, nullptr); });
}
