// Trainer: feeds a data set through a graph and lets an optimizer learn, one epoch at a time.
//
// It owns the training objective (a GraphObjective on the training set, graph_objective.h) and
// makes the batches the optimizer asks for (Optimizer::data_use()): the training set in
// mini-batches (§4.1) in the presentation order of TrainerConfig::order (presentation.h: none,
// shuffled, class-interleaved or emphasized, §4.2), the whole set (one step per epoch: an
// iteration of a §6 method), or large samples drawn anew every few iterations. The presentation
// order and curvature sampling draw from their own streams (random_streams.h). Emphasizing keeps
// each example's loss from the last time it was presented (GraphObjective's
// tracked_example_losses: measured on the batch of the step, at the weights before the step) and
// draws the next epoch's presentations from them. Training stops with TrainingDiverged when a loss
// or a weight becomes non-finite (naming the first node whose output went bad and its graph-file
// line, or the parameter), or, under the divergence rule of TrainerConfig, when the training loss
// grows far above the loss of the starting weights (bounded outputs never give a NaN). A stop
// request (stop_when) ends an epoch after the current step; an optimizer's stop rule ends the run
// (EpochReport::stop).
//
// RESUMING: state() is the trainer's whole position after any step (after_step) or epoch — the
// presentation order, the counters, the sums of the epoch in progress, the random streams and
// the objective's counts, and the examples' last losses of emphasizing — and restore() puts a new
// trainer (same graph, data and settings, the optimizer restored from the same checkpoint) there,
// so that the next run_epoch continues the interrupted epoch, or begins the next one, exactly as
// the first run would have.
//
// OWNERSHIP: the caller owns the graph, optimizer and data sets, and keeps them alive while the
// trainer lives.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "ebprop/data/dataset.h"
#include "ebprop/graph.h"
#include "ebprop/graph_objective.h"
#include "ebprop/optimizer.h"
#include "ebprop/presentation.h"
#include "ebprop/random_streams.h"

namespace ebprop {

struct TrainerConfig {
  int batch = 1;  // examples per step of a stochastic optimizer (1: online, §4.1)
  // The presentation order of each epoch of a stochastic optimizer (presentation.h). interleave
  // needs labels; interleave and emphasize need an optimizer that steps per mini-batch (an
  // iteration on the whole set or on samples ignores the order).
  Order order = Order::shuffle;
  // emphasize: each example's probability is kept within [floor, cap] / P (P examples);
  // 0 ≤ floor ≤ 1 ≤ cap.
  double emphasize_floor = 0.2;
  double emphasize_cap = 5;
  std::uint64_t seed = 1;  // seeds the shuffling and curvature-sampling streams
  std::string predict;     // node whose argmax is the predicted class; "" = first input of
                           // the loss node written first in the graph file
  int eval_batch = 256;    // examples per pass when evaluating
  int threads = 1;         // graphs running parts of a batch at once (GraphObjectiveOptions)
  // Reproducible sums over the ranks of `communicator` in blocks of `block` examples, for
  // training and evaluation (GraphObjectiveOptions); null: this process alone. Every rank runs
  // the same trainer on the same data and settings, and ends each step with the same weights.
  Communicator* communicator = nullptr;
  int block = 64;
  // The divergence rule (0: off): training stops when the mean training loss over a tenth of an
  // epoch (the last tenth takes in a shorter rest; a batch optimizer: the loss after its step)
  // exceeds divergence_factor times the loss of the starting weights on the first
  // divergence_examples training examples (measured before the first epoch). Requires: 0 or > 1.
  double divergence_factor = 0;
  int divergence_examples = 1000;
};

// Training diverged: a non-finite loss or weight, or the divergence rule. The weights are those
// of the step that diverged: not worth keeping.
class TrainingDiverged : public NumericError {
 public:
  TrainingDiverged(const std::string& message, bool by_rule);
  ~TrainingDiverged() override;
  bool by_rule() const { return by_rule_; }  // the divergence rule fired (the values are finite)

 private:
  bool by_rule_;
};

struct Evaluation {
  double loss = 0;   // mean over examples of E (Σ over losses of weight · their mean)
  double error = 0;  // % of misclassified examples (NaN without labels)
  // Each loss node's mean over the examples, without its weight, in the graph file's order
  // (EpochReport::loss_names); empty when not measured.
  std::vector<double> losses = {};
  // Examples predicted as each class, one count per class (empty without labels): a histogram
  // whose one nonzero bin says that the net predicts a single class for every example.
  std::vector<int> predicted = {};
};

struct EpochReport {
  int epoch = 0;
  Evaluation train;    // mini-batches: running, measured on each batch while training; an
                       // iteration over the set: at the weights it reached
  Evaluation test;     // after the epoch (NaN without a test set)
  double seconds = 0;  // training time of the epoch (without the test pass)
  double examples_per_second = 0;
  // §2: measured after the epoch on the validation set, like `test` (NaN without one)
  Evaluation validation;
  double rate = 0;   // the optimizer's last rate
  int examples = 0;  // training examples presented (fewer than the set when interrupted)
  // A stop request ended the epoch early: `train` covers the examples presented, `test` is not
  // measured, and the weights are those of the middle of the epoch.
  bool interrupted = false;
  StepResult last_step;          // of the epoch's last step (‖g‖, step length, the stop rule)
  EvaluationCounts evaluations;  // of the training objective, since the run began
  std::string stop;              // the optimizer's stop rule fired: the run is over
  std::vector<std::string> loss_names;  // of Evaluation::losses: the loss nodes in file order
};

// How far an epoch has gone: where it goes on, and the sums its report is made of.
struct EpochProgress {
  int next = 0;  // mini-batches: the position in the order of the next batch; iterations: the step
  int examples = 0;               // presented in the epoch so far
  double loss_sum = 0;            // Σ over its steps of loss · examples
  std::vector<double> loss_sums;  // the same for each loss node (Evaluation::losses)
  std::vector<int> predicted;     // examples predicted as each class (Evaluation::predicted)
  int errors = 0;                 // misclassified examples counted while training
  int window_start = 0;           // the divergence rule's current tenth of the epoch
  double window_loss = 0;
  double rate = std::numeric_limits<double>::quiet_NaN();  // the optimizer's, after the last step
  StepResult last_step;
};

// Where a trainer is: everything run_epoch reads that changes as it goes.
struct TrainerState {
  int epoch = 0;            // the epoch in progress, or the last one finished
  bool in_epoch = false;    // the epoch stopped after a step (a stop request): `progress` goes on
  EpochProgress progress;   // of that epoch
  std::vector<int> order;   // the presentation order (emphasize: the epoch's draws)
  std::vector<int> sample;  // resampled: the current sample
  std::int64_t seen = 0;    // examples presented in the run
  std::int64_t steps = 0;   // optimizer steps in the run
  std::int64_t iterations = 0;
  double starting_loss = -1;        // the divergence rule's reference; < 0 until measured
  std::string shuffling, sampling;  // the streams' states (generator_state)
  EvaluationCounts counts;          // the training objective's
  // emphasize: each example's loss when it was last presented, NaN for those never presented;
  // empty under the other orders.
  std::vector<double> example_losses;
};

template <typename T>
class Trainer final {
 public:
  // Requires: the graph's input nodes match the data set (data/feeder.h) and it has a loss node;
  // the training set is not empty; an order of interleave has labels, interleave and emphasize
  // an optimizer that steps per mini-batch, emphasize 0 ≤ floor ≤ 1 ≤ cap. Throws Error otherwise
  // (naming the order). Attaches the optimizer.
  Trainer(Graph<T>& graph, Optimizer<T>& optimizer, const data::Dataset& train,
          TrainerConfig config);

  // Called every `every` examples inside an epoch with (examples done, examples in the epoch).
  void on_progress(std::function<void(int, int)> callback, int every);

  // Called after every step of an epoch; when it returns true, the epoch ends there (interrupted).
  void stop_when(std::function<bool()> requested);

  // Called after every step (before the stop request is asked), with the steps of the run so far;
  // state() then describes the point after that step (to write a checkpoint there).
  void after_step(std::function<void(std::int64_t)> callback);

  // The trainer's position (see RESUMING above).
  TrainerState state() const;
  // Requires: a new trainer, nothing run yet; `state` from a trainer of the same graph, data set
  // and settings. Throws Error when the state does not fit the data set (order or sample not a
  // set of its indices, the examples' losses not one per example); the trainer is unchanged then.
  void restore(const TrainerState& state);

  // One epoch: begin_epoch, then the steps of the optimizer's data use; then evaluates
  // `validation` and `test` when given (not after an interrupted epoch). Throws TrainingDiverged
  // (see above); on return the weights are finite.
  EpochReport run_epoch(int epoch, const data::Dataset* test,
                        const data::Dataset* validation = nullptr);

  // Loss and error of the graph on a data set (fprop only). Throws NumericError naming the data
  // set and the node when an output is non-finite (TrainingDiverged inside run_epoch).
  Evaluation evaluate(const data::Dataset& data);

  GraphObjective<T>& objective() { return objective_; }

 private:
  // The epoch's steps for each data use, from epoch_progress_ on (the start, or where a restored
  // epoch stopped).
  void mini_batch_epoch(EpochReport& report);
  void begin_presentation();  // the epoch's order_ (config_.order)
  void iteration_epoch(EpochReport& report, const DataUse& use);
  // After each step, with epoch_progress_ and the counters up to date: counts the step, records
  // the optimizer's rate, calls after_step. Returns true when a stop is requested.
  bool step_done();
  Evaluation evaluate_first(const data::Dataset& data, int count);  // on examples [0, count)
  void check_loss_growth(double mean_loss, int first, int last);    // the divergence rule
  void check_weights_finite();
  [[noreturn]] void diverged(const std::string& culprit);

  Graph<T>& graph_;
  Optimizer<T>& optimizer_;
  const data::Dataset& train_;
  TrainerConfig config_;
  RandomStreams streams_;
  GraphObjective<T> objective_;
  std::vector<int> order_;              // the example indices in presentation order
  std::vector<double> example_losses_;  // emphasize: TrainerState::example_losses
  std::int64_t seen_ = 0;
  std::int64_t steps_ = 0;
  std::int64_t iterations_ = 0;  // steps of an iterating optimizer, over the run
  std::vector<int> sample_;      // resampled: the current sample
  int epoch_ = 0;
  bool in_epoch_ = false;      // a non-finite value is then divergence
  double starting_loss_ = -1;  // for the divergence rule; < 0 until measured
  // The epoch in progress; `resumed_`: restored from a state in the middle of epoch epoch_,
  // which the next run_epoch continues.
  EpochProgress epoch_progress_;
  bool resumed_ = false;
  std::function<bool()> stop_requested_;
  std::function<void(std::int64_t)> after_step_;
  std::function<void(int, int)> progress_;
  int progress_every_ = 0;
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace ebprop
