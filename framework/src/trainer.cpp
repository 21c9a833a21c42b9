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

template <typename T>
int find_source(const Graph<T>& graph, const std::string& source) {
  for (int i : graph.input_nodes())
    if (graph.nodes()[i].source == source) return i;
  return -1;
}

}  // namespace

TrainingDiverged::TrainingDiverged(const std::string& message, bool by_rule)
    : NumericError(message), by_rule_(by_rule) {}
TrainingDiverged::~TrainingDiverged() = default;

template <typename T>
Trainer<T>::Trainer(Graph<T>& graph, Optimizer<T>& optimizer, const data::Dataset& train,
                    TrainerConfig config)
    : graph_(graph), optimizer_(optimizer), train_(train), config_(config), rng_(config.seed) {
  if (train.size() == 0) throw NumericError("the training set '" + train.name + "' is empty");
  if (config_.batch < 1) throw Error("the batch size must be at least 1");
  inputs_node_ = find_source(graph, "inputs");
  targets_node_ = find_source(graph, "targets");
  const std::string where = graph.file().empty() ? "the graph" : graph.file();
  if (inputs_node_ < 0)
    throw Error(where + " has no input node with source=inputs to feed the examples to");
  if (targets_node_ < 0)
    throw Error(where + " has no input node with source=targets to feed the targets to");
  const auto& in = graph.nodes()[inputs_node_];
  const auto& tn = graph.nodes()[targets_node_];
  if (in.state.size() != train.inputs.rows())
    throw Error("input '" + in.name + "' (line " + std::to_string(in.where.line) + ") has shape " +
                shape_str(in.state.shape) + " (" + std::to_string(in.state.size()) +
                " values) but the examples of '" + train.name + "' have " +
                std::to_string(train.inputs.rows()));
  if (tn.state.size() != train.targets.rows())
    throw Error("input '" + tn.name + "' (line " + std::to_string(tn.where.line) + ") has shape " +
                shape_str(tn.state.shape) + " (" + std::to_string(tn.state.size()) +
                " values) but the targets of '" + train.name + "' have " +
                std::to_string(train.targets.rows()));
  if (graph.loss_nodes().empty()) throw Error(where + " has no loss node to train");

  if (config_.predict.empty()) {
    const auto& loss = graph.nodes()[graph.loss_nodes().front()];
    predict_node_ = loss.inputs.front();
  } else {
    predict_node_ = graph.find(config_.predict);
    if (predict_node_ < 0) graph.node(config_.predict);  // throws with a did-you-mean
  }
  // The predicted class is the argmax of this node: it must have one value per class.
  const auto& predict = graph.nodes()[predict_node_];
  if (!train.labels.empty() && predict.state.size() != train.targets.rows())
    throw Error("the prediction node '" + predict.name + "' (line " +
                std::to_string(predict.where.line) + ") has " +
                std::to_string(predict.state.size()) + " values, but there are " +
                std::to_string(train.targets.rows()) +
                " classes: name the node whose largest value is the class with [run] predict = "
                "NODE (or --set predict=NODE)");
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
void Trainer<T>::load(const data::Dataset& data, const std::vector<int>& indices) {
  auto& x = graph_.node(inputs_node_).state.x;
  auto& t = graph_.node(targets_node_).state.x;
  loaded_ = &data;
  const int n = static_cast<int>(indices.size());
  x.resize(data.inputs.rows(), n);
  t.resize(data.targets.rows(), n);
  for (int k = 0; k < n; ++k) {
    x.col(k) = data.inputs.col(indices[k]).template cast<T>();
    t.col(k) = data.targets.col(indices[k]).template cast<T>();
  }
}

template <typename T>
double Trainer<T>::forward_checked() {
  graph_.fprop();
  const double loss = graph_.loss();
  if (std::isfinite(loss)) return loss;
  const int bad = graph_.first_non_finite();
  const auto& node = graph_.nodes()[bad >= 0 ? bad : graph_.loss_nodes().front()];
  const std::string culprit = "node '" + node.name + "' (" + graph_.file() + ":" +
                              std::to_string(node.where.line) + ") produced a non-finite value";
  if (in_epoch_)
    throw TrainingDiverged("training diverged in epoch " + std::to_string(epoch_) + " after " +
                               std::to_string(seen_) + " examples: " + culprit +
                               "; lower the learning rate",
                           false);
  // The data are finite (data::require_finite) and so are the weights (weights_file.h): the
  // weights are too large for this data.
  throw NumericError("evaluating on '" + (loaded_ ? loaded_->name : std::string("the data")) +
                     "': " + culprit);
}

template <typename T>
double Trainer<T>::gradient_of_loaded() {
  const double loss = forward_checked();
  graph_.parameters().clear_gradients_if_needed();
  graph_.bprop();
  return loss;
}

template <typename T>
double Trainer<T>::curvature_of_loaded() {
  const double loss = gradient_of_loaded();
  graph_.parameters().clear_hessian();
  graph_.bbprop();
  return loss;
}

// The current batch is loaded again on each call: an optimizer may have evaluated other examples
// (sample_curvature, full_gradient) since the last one.
// The running training error counts the predictions of the batch's (last) evaluation.
template <typename T>
double Trainer<T>::batch_gradient() {
  load(train_, batch_);
  const double loss = gradient_of_loaded();
  batch_errors_ = errors_in_batch(train_, batch_);
  return loss;
}

template <typename T>
double Trainer<T>::batch_curvature() {
  load(train_, batch_);
  const double loss = curvature_of_loaded();
  batch_errors_ = errors_in_batch(train_, batch_);
  return loss;
}

template <typename T>
double Trainer<T>::full_loss() {
  return evaluate(train_).loss;
}

template <typename T>
double Trainer<T>::full_gradient() {
  auto& params = graph_.parameters();
  Vector<T> total = Vector<T>::Zero(params.size());
  double loss = 0;
  std::vector<int> chunk;
  for (int start = 0; start < train_.size(); start += config_.eval_batch) {
    const int n = std::min(config_.eval_batch, train_.size() - start);
    chunk.resize(n);
    std::iota(chunk.begin(), chunk.end(), start);
    load(train_, chunk);
    const double weight = static_cast<double>(n) / train_.size();
    loss += weight * gradient_of_loaded();
    total += static_cast<T>(weight) * params.dw();
  }
  params.dw() = total;
  params.note_gradients_written();
  return loss;
}

template <typename T>
void Trainer<T>::sample_curvature(int samples) {
  if (samples < 1) throw Error("the curvature needs at least one sample");
  auto& params = graph_.parameters();
  Vector<T> total = Vector<T>::Zero(params.size());
  std::vector<int> chunk;
  for (int done = 0; done < samples; done += config_.eval_batch) {
    const int n = std::min(config_.eval_batch, samples - done);
    chunk.resize(n);
    for (int& i : chunk)
      i = std::min(train_.size() - 1, static_cast<int>(uniform01(rng_) * train_.size()));
    load(train_, chunk);
    curvature_of_loaded();
    total += static_cast<T>(static_cast<double>(n) / samples) * params.ddw();
  }
  params.ddw() = total;
}

template <typename T>
int Trainer<T>::errors_in_batch(const data::Dataset& data, const std::vector<int>& indices) const {
  if (data.labels.empty()) return 0;
  const auto& y = graph_.nodes()[predict_node_].state.x;
  int errors = 0;
  for (int k = 0; k < static_cast<int>(indices.size()); ++k) {
    Eigen::Index predicted = 0;
    y.col(k).maxCoeff(&predicted);
    errors += predicted != data.labels[indices[k]];
  }
  return errors;
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
  optimizer_.begin_epoch(epoch, *this);

  double loss_sum = 0;
  int errors = 0;
  if (optimizer_.kind() == Optimizer<T>::Kind::batch) {
    seen_ += train_.size();
    loss_sum = optimizer_.step(*this) * train_.size();
    report.examples = train_.size();
    const Evaluation after = evaluate(train_);
    errors = static_cast<int>(std::lround(after.error * train_.size() / 100));
    check_loss_growth(after.loss, 1, train_.size());
  } else {
    if (config_.shuffle) shuffle(order_, rng_);
    int next_progress = progress_every_;
    // The divergence rule looks at each tenth of the epoch (at least one step); a shorter rest
    // at the end joins the last tenth, so that no mean is taken over a handful of examples.
    const int tenth = std::max(1, train_.size() / 10);
    int window_start = 0;
    double window_loss = 0;
    for (int start_index = 0; start_index < train_.size(); start_index += config_.batch) {
      const int n = std::min(config_.batch, train_.size() - start_index);
      batch_.assign(order_.begin() + start_index, order_.begin() + start_index + n);
      seen_ += n;
      batch_errors_ = 0;
      const double step_loss = optimizer_.step(*this) * n;
      loss_sum += step_loss;
      window_loss += step_loss;
      errors += batch_errors_;
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
  check_weights_finite();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.examples_per_second = report.examples / std::max(report.seconds, 1e-9);
  report.train.loss = loss_sum / report.examples;
  report.train.error = train_.labels.empty() ? not_a_number : 100.0 * errors / report.examples;
  report.rate = optimizer_.current_rate();
  report.test =
      test && !report.interrupted ? evaluate(*test) : Evaluation{not_a_number, not_a_number};
  in_epoch_ = false;
  return report;
}

template <typename T>
Evaluation Trainer<T>::evaluate(const data::Dataset& data) {
  if (data.size() == 0) throw NumericError("the data set '" + data.name + "' is empty");
  return evaluate_first(data, data.size());
}

template <typename T>
Evaluation Trainer<T>::evaluate_first(const data::Dataset& data, int count) {
  double loss = 0;
  int errors = 0;
  std::vector<int> chunk;
  for (int start = 0; start < count; start += config_.eval_batch) {
    const int n = std::min(config_.eval_batch, count - start);
    chunk.resize(n);
    std::iota(chunk.begin(), chunk.end(), start);
    load(data, chunk);
    loss += forward_checked() * n;
    errors += errors_in_batch(data, chunk);
  }
  return {loss / count, data.labels.empty() ? not_a_number : 100.0 * errors / count};
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
