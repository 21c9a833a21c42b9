// Trainer: feeds a data set through a graph and lets an optimizer learn, one epoch at a time.
//
// It owns the training objective (a GraphObjective on the training set, graph_objective.h) and
// makes the batches the optimizer asks for (Optimizer::data_use()): the shuffled training set
// in mini-batches (§4.1), the whole set (one step per epoch: an iteration of a §6 method), or
// large samples drawn anew every few iterations. Shuffling and curvature sampling draw from their
// own streams (random_streams.h). Training stops with TrainingDiverged when a loss or a weight
// becomes non-finite (naming the first node whose output went bad and its graph-file line, or the
// parameter), or, under the divergence rule of TrainerConfig, when the training loss grows far
// above the loss of the starting weights (bounded outputs never give a NaN). A stop request
// (stop_when) ends an epoch after the current step; an optimizer's stop rule ends the run
// (EpochReport::stop).
//
// OWNERSHIP: the caller owns the graph, optimizer and data sets, and keeps them alive while the
// trainer lives.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ebprop/data/dataset.h"
#include "ebprop/graph.h"
#include "ebprop/graph_objective.h"
#include "ebprop/optimizer.h"
#include "ebprop/random_streams.h"

namespace ebprop {

struct TrainerConfig {
  int batch = 1;           // examples per step of a stochastic optimizer (1: online, §4.1)
  bool shuffle = true;     // reshuffle the training set each epoch (§4.1)
  std::uint64_t seed = 1;  // seeds the shuffling and curvature-sampling streams
  std::string predict;     // node whose argmax is the predicted class; "" = first input of
                           // the loss node written first in the graph file
  int eval_batch = 256;    // examples per pass when evaluating
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

template <typename T>
class Trainer final {
 public:
  // Requires: the graph's input nodes match the data set (data/feeder.h) and it has a loss node;
  // the training set is not empty. Throws Error otherwise. Attaches the optimizer.
  Trainer(Graph<T>& graph, Optimizer<T>& optimizer, const data::Dataset& train,
          TrainerConfig config);

  // Called every `every` examples inside an epoch with (examples done, examples in the epoch).
  void on_progress(std::function<void(int, int)> callback, int every);

  // Called after every step of an epoch; when it returns true, the epoch ends there (interrupted).
  void stop_when(std::function<bool()> requested);

  // One epoch: begin_epoch, then the steps of the optimizer's data use; then evaluates `test`
  // when given. Throws TrainingDiverged (see above); on return the weights are finite.
  EpochReport run_epoch(int epoch, const data::Dataset* test);

  // Loss and error of the graph on a data set (fprop only). Throws NumericError naming the data
  // set and the node when an output is non-finite (TrainingDiverged inside run_epoch).
  Evaluation evaluate(const data::Dataset& data);

  GraphObjective<T>& objective() { return objective_; }

 private:
  // The epoch's steps for each data use; mini_batch_epoch returns in report.train the sums over
  // steps of loss · examples (in all and per loss node), the misclassified examples counted and
  // the prediction histogram.
  void mini_batch_epoch(EpochReport& report, int& errors);
  void iteration_epoch(EpochReport& report, const DataUse& use);
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
  std::vector<int> order_;  // the shuffled example indices
  std::int64_t seen_ = 0;
  std::int64_t iterations_ = 0;  // steps of an iterating optimizer, over the run
  Batch sample_ = Batch::all();  // resampled: the current sample
  int epoch_ = 0;
  bool in_epoch_ = false;      // a non-finite value is then divergence
  double starting_loss_ = -1;  // for the divergence rule; < 0 until measured
  std::function<bool()> stop_requested_;
  std::function<void(int, int)> progress_;
  int progress_every_ = 0;
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace ebprop
