#include "ebprop/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <limits>
#include <numeric>
#include <sstream>

namespace ebprop {

namespace {

const double not_a_number = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TrainingDiverged::TrainingDiverged(const std::string& message, bool by_rule)
    : NumericError(message), by_rule_(by_rule) {}
TrainingDiverged::~TrainingDiverged() = default;

// The training and evaluation objectives' options.
static GraphObjectiveOptions objective_options(const TrainerConfig& config) {
  GraphObjectiveOptions options;
  options.chunk = config.eval_batch;
  options.predict = config.predict;
  options.threads = config.threads;
  options.communicator = config.communicator;
  options.block = config.block;
  return options;
}

template <typename T>
Trainer<T>::Trainer(Graph<T>& graph, Optimizer<T>& optimizer, const data::Dataset& train,
                    TrainerConfig config)
    : graph_(graph),
      optimizer_(optimizer),
      train_(train),
      config_(config),
      streams_(config.seed),
      objective_(graph, train, streams_.sampling, objective_options(config)) {
  if (config_.batch < 1) throw Error("the batch size must be at least 1");
  const std::string order = "order = " + order_name(config_.order);
  const bool per_step = config_.order == Order::interleave || config_.order == Order::emphasize;
  const DataUse::Kind use = optimizer.data_use().kind;
  if (per_step && use != DataUse::Kind::mini_batches)
    throw Error(order + " (§4.2) orders the presentations of an optimizer that steps per " +
                "mini-batch, but this one iterates on " +
                (use == DataUse::Kind::full_set ? "the whole training set"
                                                : "samples of the training set") +
                " (§6), where the order changes nothing; use order = shuffle");
  if (config_.order == Order::interleave && train.labels.empty())
    throw Error(order + " (§4.2) presents successive examples of different classes, but the " +
                "training set '" + train.name +
                "' has no labels (a regression); use order = shuffle");
  if (config_.order == Order::emphasize) {
    example_losses_.assign(train.size(), not_a_number);
    // Refuses bounds outside 0 ≤ floor ≤ 1 ≤ cap before anything runs.
    emphasis_probabilities(example_losses_, config_.emphasize_floor, config_.emphasize_cap);
  }
  order_.resize(train.size());
  std::iota(order_.begin(), order_.end(), 0);
  optimizer_.attach(graph.parameters());
}

template <typename T>
void Trainer<T>::on_progress(std::function<void(int, int)> callback, int every) {
  progress_ = std::move(callback);
  progress_every_ = every;
}

template <typename T>
void Trainer<T>::stop_when(std::function<bool()> requested) {
  stop_requested_ = std::move(requested);
}

template <typename T>
void Trainer<T>::diverged(const std::string& culprit) {
  throw TrainingDiverged("training diverged in epoch " + std::to_string(epoch_) + " after " +
                             std::to_string(seen_) + " examples: " + culprit +
                             "; lower the learning rate",
                         false);
}

template <typename T>
void Trainer<T>::after_step(std::function<void(std::int64_t)> callback) {
  after_step_ = std::move(callback);
}

template <typename T>
TrainerState Trainer<T>::state() const {
  TrainerState s;
  s.epoch = epoch_;
  s.in_epoch = in_epoch_ || resumed_;  // after_step: in the epoch; after run_epoch: interrupted
  s.progress = epoch_progress_;
  s.order = order_;
  s.sample = sample_;
  s.seen = seen_;
  s.steps = steps_;
  s.iterations = iterations_;
  s.starting_loss = starting_loss_;
  s.shuffling = generator_state(streams_.shuffling);
  s.sampling = generator_state(streams_.sampling);
  s.counts = objective_.counts();
  s.example_losses = example_losses_;
  return s;
}

template <typename T>
void Trainer<T>::restore(const TrainerState& s) {
  const auto is_index_set = [&](const std::vector<int>& indices, bool permutation) {
    if (permutation && indices.size() != order_.size()) return false;
    std::vector<char> met(order_.size(), 0);
    for (int i : indices) {
      if (i < 0 || i >= train_.size() || met[i]) return false;
      met[i] = 1;
    }
    return true;
  };
  // Emphasizing draws with replacement: its order is a list of the examples, not a permutation.
  const bool draws = config_.order == Order::emphasize;
  const auto in_range = [&](const std::vector<int>& indices) {
    return indices.size() == order_.size() &&
           std::all_of(indices.begin(), indices.end(),
                       [&](int i) { return i >= 0 && i < train_.size(); });
  };
  if (draws ? !in_range(s.order) : !is_index_set(s.order, true))
    throw Error("the saved presentation order is not one of the " + std::to_string(train_.size()) +
                " training examples of '" + train_.name + "'");
  if (!is_index_set(s.sample, false))
    throw Error("the saved sample is not a set of training examples of '" + train_.name + "'");
  if (s.example_losses.size() != example_losses_.size())
    throw Error("the checkpoint holds " + std::to_string(s.example_losses.size()) +
                " examples' losses for emphasizing, but order = " + order_name(config_.order) +
                " on '" + train_.name + "' keeps " + std::to_string(example_losses_.size()));
  const int span =
      optimizer_.data_use().kind == DataUse::Kind::mini_batches ? train_.size() : train_.size() + 1;
  if (s.in_epoch && (s.progress.next < 0 || s.progress.next > span || s.progress.examples < 0))
    throw Error("the saved position in the epoch is outside the training set");
  Rng shuffling, sampling;
  restore_generator(shuffling, s.shuffling, "the shuffling stream");
  restore_generator(sampling, s.sampling, "the sampling stream");

  streams_.shuffling = shuffling;
  streams_.sampling = sampling;
  epoch_ = s.epoch;
  resumed_ = s.in_epoch;
  epoch_progress_ = s.progress;
  order_ = s.order;
  sample_ = s.sample;
  seen_ = s.seen;
  steps_ = s.steps;
  iterations_ = s.iterations;
  starting_loss_ = s.starting_loss;
  objective_.restore_counts(s.counts);
  example_losses_ = s.example_losses;
}

template <typename T>
EpochReport Trainer<T>::run_epoch(int epoch, const data::Dataset* test,
                                  const data::Dataset* validation) {
  if (config_.divergence_factor != 0 && starting_loss_ < 0)
    starting_loss_ =
        evaluate_first(train_, std::min(train_.size(), config_.divergence_examples)).loss;
  const bool continuing = resumed_;
  if (continuing && epoch != epoch_)
    throw Error("the restored trainer is in epoch " + std::to_string(epoch_) +
                ", which must go on before epoch " + std::to_string(epoch));
  resumed_ = false;
  epoch_ = epoch;
  in_epoch_ = true;
  EpochReport report;
  report.epoch = epoch;
  const auto start = std::chrono::steady_clock::now();
  if (!continuing) {
    epoch_progress_ = EpochProgress{};
    epoch_progress_.loss_sums.assign(objective_.loss_nodes().size(), 0.0);
    epoch_progress_.predicted.assign(train_.labels.empty() ? 0 : train_.classes, 0);
    optimizer_.begin_epoch(epoch, objective_);
  }

  const DataUse use = optimizer_.data_use();
  report.loss_names = objective_.loss_names();
  if (use.kind == DataUse::Kind::mini_batches) {
    mini_batch_epoch(report);
    const EpochProgress& p = epoch_progress_;
    report.train.loss = p.loss_sum / p.examples;
    for (double sum : p.loss_sums) report.train.losses.push_back(sum / p.examples);
    report.train.predicted = p.predicted;
    report.train.error = train_.labels.empty() ? not_a_number : 100.0 * p.errors / p.examples;
  } else {
    iteration_epoch(report, use);
  }
  report.examples = epoch_progress_.examples;
  report.last_step = epoch_progress_.last_step;
  resumed_ = report.interrupted;  // state() then says where the epoch goes on
  check_weights_finite();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.examples_per_second = report.examples / std::max(report.seconds, 1e-9);
  report.rate = epoch_progress_.rate;
  report.evaluations = objective_.counts();
  report.validation = validation && !report.interrupted ? evaluate(*validation)
                                                        : Evaluation{not_a_number, not_a_number};
  report.test =
      test && !report.interrupted ? evaluate(*test) : Evaluation{not_a_number, not_a_number};
  in_epoch_ = false;
  return report;
}

template <typename T>
bool Trainer<T>::step_done() {
  ++steps_;
  epoch_progress_.rate = optimizer_.current_rate();
  if (after_step_) after_step_(steps_);
  return stop_requested_ && stop_requested_();
}

template <typename T>
void Trainer<T>::begin_presentation() {
  switch (config_.order) {
    case Order::none:
      break;
    case Order::shuffle:  // §4.1
      shuffle_order(order_, streams_.shuffling);
      break;
    case Order::interleave:  // §4.2: successive examples of different classes
      order_ = interleaved_order(train_.labels, streams_.shuffling);
      break;
    case Order::emphasize:  // §4.2: large errors presented more often
      order_ = draw_with(
          emphasis_probabilities(example_losses_, config_.emphasize_floor, config_.emphasize_cap),
          train_.size(), streams_.shuffling);
      break;
  }
}

// §4.1: steps over the set in the presentation order, `batch` examples each.
template <typename T>
void Trainer<T>::mini_batch_epoch(EpochReport& report) {
  EpochProgress& p = epoch_progress_;
  if (p.next == 0) begin_presentation();
  int next_progress = (p.next / std::max(progress_every_, 1) + 1) * progress_every_;
  // The divergence rule looks at each tenth of the epoch (at least one step); a shorter rest
  // at the end joins the last tenth, so that no mean is taken over a handful of examples.
  const int tenth = std::max(1, train_.size() / 10);
  while (p.next < train_.size()) {
    const int n = std::min(config_.batch, train_.size() - p.next);
    const Batch batch = Batch::of({order_.begin() + p.next, order_.begin() + p.next + n});
    seen_ += n;
    const bool emphasizing = config_.order == Order::emphasize;
    objective_.track_errors(batch, emphasizing);
    p.last_step = optimizer_.step(objective_, batch, seen_);
    if (!std::isfinite(p.last_step.loss)) diverged(objective_.non_finite_culprit());
    // §4.2: an example's error is measured when it is presented (an optimizer that never
    // evaluates the batch leaves the losses as they were).
    const auto& presented = objective_.tracked_example_losses();
    if (emphasizing)
      for (std::size_t k = 0; k < presented.size(); ++k)
        example_losses_[batch.examples()[k]] = presented[k];
    const double step_loss = p.last_step.loss * n;
    p.loss_sum += step_loss;
    p.window_loss += step_loss;
    p.errors += std::max(0, objective_.tracked_errors());
    const auto& losses = objective_.tracked_losses();
    for (std::size_t l = 0; l < losses.size(); ++l) p.loss_sums[l] += losses[l] * n;
    const auto& predicted = objective_.tracked_predictions();
    for (std::size_t c = 0; c < predicted.size(); ++c) p.predicted[c] += predicted[c];
    p.next += n;
    p.examples = p.next;
    const bool window_full =
        p.examples - p.window_start >= tenth && train_.size() - p.examples >= tenth;
    if (window_full || p.examples == train_.size()) {
      check_loss_growth(p.window_loss / (p.examples - p.window_start), p.window_start + 1,
                        p.examples);
      p.window_start = p.examples;
      p.window_loss = 0;
    }
    if (progress_ && p.next >= next_progress) {
      progress_(p.next, train_.size());
      next_progress += progress_every_;
    }
    if (step_done()) {
      report.interrupted = true;
      break;
    }
  }
}

// An iterating method: one step on the whole set, or as many steps on samples as present the
// set once, each sample used for `every` steps. The training loss and error are measured at the
// weights the epoch reached (a non-finite loss there is divergence).
template <typename T>
void Trainer<T>::iteration_epoch(EpochReport& report, const DataUse& use) {
  EpochProgress& p = epoch_progress_;
  const bool whole = use.kind == DataUse::Kind::full_set;
  const int sample = whole ? train_.size() : std::clamp(use.sample, 1, train_.size());
  const int steps = whole ? 1 : (train_.size() + sample - 1) / sample;
  while (p.next < steps) {
    if (!whole && iterations_ % std::max(1, use.every) == 0) {
      shuffle_order(order_, streams_.shuffling);
      sample_.assign(order_.begin(), order_.begin() + sample);
    }
    seen_ += sample;
    ++iterations_;
    p.last_step = optimizer_.step(objective_, whole ? Batch::all() : Batch::of(sample_), seen_);
    p.examples += sample;
    ++p.next;
    const bool stop_requested = step_done();
    if (!p.last_step.stop.empty()) {
      report.stop = p.last_step.stop;
      break;
    }
    if (stop_requested) {
      report.interrupted = p.next < steps;
      break;
    }
  }
  report.train = evaluate(train_);
  check_loss_growth(report.train.loss, 1, train_.size());
}

template <typename T>
Evaluation Trainer<T>::evaluate(const data::Dataset& data) {
  if (data.size() == 0) throw NumericError("the data set '" + data.name + "' is empty");
  return evaluate_first(data, data.size());
}

template <typename T>
Evaluation Trainer<T>::evaluate_first(const data::Dataset& data, int count) {
  GraphObjective<T> on(graph_, data, streams_.sampling, objective_options(config_));
  std::vector<int> first(count);
  std::iota(first.begin(), first.end(), 0);
  const Batch batch = count == data.size() ? Batch::all() : Batch::of(std::move(first));
  on.track_errors(batch);
  const double loss = on.value(batch);
  if (!std::isfinite(loss)) {
    if (in_epoch_) diverged(on.non_finite_culprit());
    // The data are finite (data::require_finite) and so are the weights (model_file.h): the
    // weights are too large for this data.
    throw NumericError("evaluating on '" + data.name + "': " + on.non_finite_culprit());
  }
  const int errors = on.tracked_errors();
  return {loss, errors < 0 ? not_a_number : 100.0 * errors / count, on.tracked_losses(),
          on.tracked_predictions()};
}

template <typename T>
void Trainer<T>::check_loss_growth(double mean_loss, int first, int last) {
  if (config_.divergence_factor == 0 || !(mean_loss > config_.divergence_factor * starting_loss_))
    return;
  std::ostringstream message;
  message << std::setprecision(4) << "training diverged in epoch " << epoch_ << " after " << seen_
          << " examples: the mean training loss of examples " << first << "-" << last
          << " of the epoch, " << mean_loss << ", is more than " << config_.divergence_factor
          << " times the loss of the starting weights, " << starting_loss_
          << "; lower the learning rate";
  throw TrainingDiverged(message.str(), true);
}

template <typename T>
void Trainer<T>::check_weights_finite() {
  const auto& params = graph_.parameters();
  if (params.w().allFinite()) return;
  for (const auto& block : params.blocks())
    if (!params.w().segment(block.offset, block.size()).allFinite())
      throw TrainingDiverged("training diverged in epoch " + std::to_string(epoch_) + " after " +
                                 std::to_string(seen_) + " examples: parameter '" + block.name +
                                 "' became non-finite; lower the learning rate",
                             false);
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace ebprop
