#include "ebprop/trainer.h"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <limits>
#include <numeric>
#include <sstream>

namespace ebprop {

namespace {

const double not_a_number = std::numeric_limits<double>::quiet_NaN();

// Fisher-Yates with the platform-independent deviate of parameters.h.
void shuffle(std::vector<int>& order, Rng& rng) {
  for (std::size_t i = order.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform01(rng) * static_cast<double>(i));
    std::swap(order[i - 1], order[std::min(j, i - 1)]);
  }
}

}  // namespace

TrainingDiverged::TrainingDiverged(const std::string& message, bool by_rule)
    : NumericError(message), by_rule_(by_rule) {}
TrainingDiverged::~TrainingDiverged() = default;

template <typename T>
Trainer<T>::Trainer(Graph<T>& graph, Optimizer<T>& optimizer, const data::Dataset& train,
                    TrainerConfig config)
    : graph_(graph),
      optimizer_(optimizer),
      train_(train),
      config_(config),
      streams_(config.seed),
      objective_(graph, train, streams_.sampling, {config.eval_batch, config.predict}) {
  if (config_.batch < 1) throw Error("the batch size must be at least 1");
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
EpochReport Trainer<T>::run_epoch(int epoch, const data::Dataset* test) {
  if (config_.divergence_factor != 0 && starting_loss_ < 0)
    starting_loss_ =
        evaluate_first(train_, std::min(train_.size(), config_.divergence_examples)).loss;
  epoch_ = epoch;
  in_epoch_ = true;
  EpochReport report;
  report.epoch = epoch;
  const auto start = std::chrono::steady_clock::now();
  optimizer_.begin_epoch(epoch, objective_);

  const DataUse use = optimizer_.data_use();
  if (use.kind == DataUse::Kind::mini_batches) {
    double loss_sum = 0;
    int errors = 0;
    mini_batch_epoch(report, loss_sum, errors);
    report.train.loss = loss_sum / report.examples;
    report.train.error = train_.labels.empty() ? not_a_number : 100.0 * errors / report.examples;
  } else {
    iteration_epoch(report, use);
  }
  check_weights_finite();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.examples_per_second = report.examples / std::max(report.seconds, 1e-9);
  report.rate = optimizer_.current_rate();
  report.evaluations = objective_.counts();
  report.test =
      test && !report.interrupted ? evaluate(*test) : Evaluation{not_a_number, not_a_number};
  in_epoch_ = false;
  return report;
}

// §4.1: steps over the shuffled set, `batch` examples each.
template <typename T>
void Trainer<T>::mini_batch_epoch(EpochReport& report, double& loss_sum, int& errors) {
  if (config_.shuffle) shuffle(order_, streams_.shuffling);
  int next_progress = progress_every_;
  // The divergence rule looks at each tenth of the epoch (at least one step); a shorter rest
  // at the end joins the last tenth, so that no mean is taken over a handful of examples.
  const int tenth = std::max(1, train_.size() / 10);
  int window_start = 0;
  double window_loss = 0;
  for (int start_index = 0; start_index < train_.size(); start_index += config_.batch) {
    const int n = std::min(config_.batch, train_.size() - start_index);
    const Batch batch = Batch::of({order_.begin() + start_index, order_.begin() + start_index + n});
    seen_ += n;
    objective_.track_errors(batch);
    report.last_step = optimizer_.step(objective_, batch, seen_);
    if (!std::isfinite(report.last_step.loss)) diverged(objective_.non_finite_culprit());
    const double step_loss = report.last_step.loss * n;
    loss_sum += step_loss;
    window_loss += step_loss;
    errors += std::max(0, objective_.tracked_errors());
    report.examples = start_index + n;
    const bool window_full =
        report.examples - window_start >= tenth && train_.size() - report.examples >= tenth;
    if (window_full || report.examples == train_.size()) {
      check_loss_growth(window_loss / (report.examples - window_start), window_start + 1,
                        report.examples);
      window_start = report.examples;
      window_loss = 0;
    }
    if (progress_ && start_index + n >= next_progress) {
      progress_(start_index + n, train_.size());
      next_progress += progress_every_;
    }
    if (stop_requested_ && stop_requested_()) {
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
  const bool whole = use.kind == DataUse::Kind::full_set;
  const int sample = whole ? train_.size() : std::clamp(use.sample, 1, train_.size());
  const int steps = whole ? 1 : (train_.size() + sample - 1) / sample;
  for (int s = 0; s < steps; ++s) {
    if (!whole && iterations_ % std::max(1, use.every) == 0) {
      shuffle(order_, streams_.shuffling);
      sample_ = Batch::of({order_.begin(), order_.begin() + sample});
    }
    seen_ += sample;
    ++iterations_;
    report.last_step = optimizer_.step(objective_, whole ? Batch::all() : sample_, seen_);
    report.examples += sample;
    if (!report.last_step.stop.empty()) {
      report.stop = report.last_step.stop;
      break;
    }
    if (stop_requested_ && stop_requested_()) {
      report.interrupted = s + 1 < steps;
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
  GraphObjective<T> on(graph_, data, streams_.sampling, {config_.eval_batch, config_.predict});
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
  return {loss, errors < 0 ? not_a_number : 100.0 * errors / count};
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
