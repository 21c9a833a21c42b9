// GraphObjective: E(w) of a graph on a data set — the mean over examples of the sum of the loss
// nodes' outputs (graph.h) — as an Objective (objective.h) for optimizers, the trainer and the
// curvature tools.
//
// Batches are fed in chunks of at most `chunk` examples (data/feeder.h) and the chunks' means
// combined with their weights, so memory does not grow with the batch. With `threads` > 1 a chunk
// is cut into parts run at once, one per thread, by the graph and replicas of it (Graph::replica)
// that read the same weights; each part's loss seeds carry its share of the batch, so every graph
// ADDS its share of the derivatives and the replicas' sums are added to the graph's once, in a
// fixed order. Parts have at least min_part examples: a small batch (online learning) runs on
// the calling thread alone. A graph whose weights dominate (a perceptron, whose modules split
// their passes by units: module.h) runs a small batch instead on one graph lent the threads
// (units_below), each core keeping its rows of W. The threads are the objective's own
// (thread_team.h), and matrix products inside a part or a piece stay on its thread, so cores are
// never oversubscribed. The derivatives:
//   gradient / curvature   fprop, bprop and (curvature) bbprop of each chunk
//   hessian_vector         the R-operator (§7.5): exact; Error naming the nodes without R-passes
//   gauss_newton_vector    r_fprop gives J v at each loss node's first input o; the loss
//                          module's r_bprop gives H_L (J v) (module.h); a bprop from o seeded
//                          with that gives Jᵀ H_L J v (Graph::gauss_newton_vector)
//   jacobian               column k is R{o} along the unit vector e_k
// A non-finite loss is returned as it is; non_finite_culprit() then names the first node that
// produced a non-finite value.
//
// Reproducible sums (options.communicator set: an MPI run, or [run] reproducible = true): the
// batch is cut instead into blocks of options.block examples, the blocks are shared out among the
// communicator's ranks and each rank's among its threads, each block's share of the loss, the
// derivatives (dw, ddw, the Hessian- and Gauss-Newton-vector products) and the tracked errors is
// formed by one graph, and the blocks are added in a fixed tree (tree_sum.h). Every rank then
// holds the same sums, bit for bit the same for any number of ranks and threads. The Jacobian is
// computed whole on every rank (it is for small problems). Every rank must make the same
// evaluations in the same order (communicator.h).
//
// Classification: when the data set has labels and a prediction node is known (the `predict`
// node, or by default the first input of the loss node written first in the graph FILE — not the
// first in the engine's topological order, which may be an auxiliary head — and which must then
// have one value per class), track_errors(batch) makes the next evaluation of exactly that Batch
// object count its misclassified examples (argmax of the prediction node against the label) and
// how many examples it predicted as each class, read back with tracked_errors() and
// tracked_predictions(). The same evaluation records each loss node's mean over the batch
// (tracked_losses(), with or without labels), and, when track_errors was asked for them, each
// example's own loss (tracked_example_losses(): what §4.2's emphasizing scheme weighs). The
// trainer measures its running training error and losses this way, without a pass of its own.
//
// OWNERSHIP: the caller owns the graph, the data set and the sampling generator, and keeps them
// alive while the objective lives. Evaluations write the graph's states and the store's dw, ddw,
// rw and rdw; none changes w.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ebprop/communicator.h"
#include "ebprop/data/dataset.h"
#include "ebprop/data/feeder.h"
#include "ebprop/graph.h"
#include "ebprop/objective.h"
#include "ebprop/thread_team.h"
#include "ebprop/tree_sum.h"

namespace ebprop {

struct GraphObjectiveOptions {
  int chunk = 256;      // examples per pass
  std::string predict;  // node whose argmax is the class; "" = first input of the file's first
                        // loss node
  int threads = 1;      // graphs running parts of a chunk at once (the graph and threads − 1
                        // replicas); ≥ 1
  int min_part = 16;    // the fewest examples a part gets when a chunk is cut for the threads
  // Model parallelism: with threads > 1 and a graph whose modules split their passes
  // (Graph::splits_work), a chunk of fewer than units_below · threads examples runs on the graph
  // alone, its modules splitting each pass by units over the threads; 0: never.
  int units_below = 64;
  // Reproducible sums over the ranks of `communicator` (see above); null: this process alone.
  Communicator* communicator = nullptr;
  int block = 64;  // examples per block of a reproducible sum; ≥ 1
};

template <typename T>
class GraphObjective final : public Objective<T> {
 public:
  // Requires: the graph's input nodes match the data set (data::Feeder), it has a loss node, and
  // the data set is not empty; chunk ≥ 1. Throws Error naming what does not fit.
  GraphObjective(Graph<T>& graph, const data::Dataset& data, Rng& sampling,
                 GraphObjectiveOptions options = {});

  ParameterStore<T>& parameters() override { return graph_.parameters(); }
  int examples() const override { return data_.size(); }
  std::string name() const override;
  Batch sample(int count) override;

  // G is defined when every loss is a mean of per-example losses of the outputs with R-passes:
  // refused, naming the node and its line, when a module on the way has no R-passes.
  std::string gauss_newton_refusal() const override;
  // For a softmax_xent loss node: says that G is the generalized Gauss-Newton (Fisher) matrix.
  std::string gauss_newton_notice() const override;

  Graph<T>& graph() { return graph_; }
  const data::Dataset& data() const { return data_; }
  data::Feeder<T>& feeder() { return workers_.front()->feeder; }

  // "node 'h' (fit.graph:4) produced a non-finite value" after an evaluation that returned a
  // non-finite loss; "" when the last evaluation was finite.
  const std::string& non_finite_culprit() const { return culprit_; }

  // `example_losses`: the evaluation also records each example's loss (tracked_example_losses).
  void track_errors(const Batch& batch, bool example_losses = false);
  // Misclassified examples of the tracked batch's first evaluation since track_errors; −1 when
  // it has not been evaluated, or the data set has no labels.
  int tracked_errors() const { return tracked_errors_; }
  // Of that evaluation: examples predicted as each class (one count per class; empty when it has
  // not been made, or the data set has no labels).
  const std::vector<int>& tracked_predictions() const { return tracked_predictions_; }
  // Of that evaluation: each loss node's mean output over the batch, without its weight, in the
  // order of loss_nodes() below (empty when it has not been made).
  const std::vector<double>& tracked_losses() const { return tracked_losses_; }
  // Of that evaluation, when track_errors asked for them: each example's loss E_p = Σ over loss
  // nodes of weight · the node's output for the example (so that E is their mean), one per entry
  // of the batch in its order, at the weights of the evaluation (before a step moves them).
  // Empty when it has not been made or was not asked for.
  const std::vector<double>& tracked_example_losses() const { return tracked_example_losses_; }
  int predict_node() const { return predict_; }
  // True when a chunk of `count` examples runs on the graph alone, its modules splitting their
  // passes over the threads (model parallelism: units_below); false when parts of it run on
  // replicas, or on the calling thread alone.
  bool by_units(int count) const;
  // Which node is scored and why, for the runner's header: "node 'out' (line 12), argmax over 10
  // classes; loss 'xent' (line 14), the first loss in the file" (or "named by predict=", and the
  // first loss in the file that reads it, if any); "" without classification.
  std::string scored_description() const;
  // The loss nodes in the graph file's order (Graph::loss_nodes_in_file_order): the order of
  // tracked_losses() and of the runner's reports.
  const std::vector<int>& loss_nodes() const { return losses_; }
  // Their names, in that order (EpochReport::loss_names).
  std::vector<std::string> loss_names() const;

 protected:
  double compute_value(const Batch& batch) override;
  double compute_gradient(const Batch& batch, bool with_curvature) override;
  // Fused into bprop (Graph::bprop_descending) when the batch runs as one part of one chunk.
  double compute_descent(const Batch& batch, T eta, const Vector<T>* factors) override;
  void compute_hessian_vector(const Batch& batch, const Vector<T>& v, Vector<T>& hv) override;
  void compute_gauss_newton_vector(const Batch& batch, const Vector<T>& v, Vector<T>& gv) override;
  Matrix<double> compute_jacobian(const Batch& batch) override;

 private:
  // One graph running parts of the chunks: the objective's own (workers_[0]) or a replica.
  struct Worker {
    Worker(Graph<T>& g, std::unique_ptr<Graph<T>> r, const data::Dataset& data)
        : graph(&g), replica(std::move(r)), feeder(g, data) {}
    Graph<T>* graph;
    std::unique_ptr<Graph<T>> replica;  // null for workers_[0]
    data::Feeder<T> feeder;
    std::vector<int> indices;  // of the part loaded last, when the batch is a list
    std::string culprit;       // of its last forward(), "" when finite
    bool fresh = false;        // accumulate(): its derivatives are not yet cleared
    // Of the batch being evaluated: Σ share · the part's loss and per-loss means; errors and
    // predictions of the tracked batch.
    double loss = 0;
    std::vector<double> losses;
    int errors = 0;
    std::vector<int> predictions;
    Vector<T> sum;  // product_along: Σ of the parts' rdw
    // for_each_block: the tree of the worker's run of blocks, and a block's [dw; ddw]
    TreeSum<T> tree;
    Vector<T> leaf;
  };

  // Feeds examples [first, first + count) of `batch` to the worker's graph.
  void load(Worker& w, const Batch& batch, int first, int count);
  // After a forward pass of those examples: adds each one's loss (Σ over loss nodes of weight ·
  // output) into into[first + k].
  void add_example_losses(const Worker& w, int first, int count, std::vector<double>& into) const;
  // After a forward pass of those examples: calls tally(predicted class, misclassified) for each.
  template <typename Tally>
  void count_classes(const Worker& w, const Batch& batch, int first, int count,
                     Tally&& tally) const;
  // The parts of a chunk of `count` examples: how many workers run it.
  int parts_of(int count) const;
  // How many workers an evaluation of `batch` uses.
  int workers_of(const Batch& batch) const;
  // Every worker's dw (and ddw) from zero: its share of ∇E over the batch (and of the bbprop
  // diagonal), each cleared on the worker's thread. Returns E.
  double accumulate(const Batch& batch, bool with_curvature);
  // Calls pass(worker, count, share) with each part of each chunk of `batch` loaded in the
  // worker's graph, share = count / batch size, the parts of a chunk at once on their threads;
  // returns Σ share · (the part's mean loss). An exception in a part is rethrown after the others.
  // At most max_parts parts per chunk.
  template <typename Pass>
  double for_each_part(const Batch& batch, int limit, Pass&& pass, int max_parts = 1 << 30);
  // The reproducible evaluation: calls pass(worker, share) with each of this rank's blocks of
  // `batch` loaded in a worker's graph (its threads each taking a run of blocks), then adds up
  // over every rank, in the fixed tree, the blocks' Σ share · loss, the tracked sums, and the
  // vectors values(worker) of `size` entries read after each pass (size 0 for a value), whose
  // total it passes to take(total). Returns E.
  template <typename Pass, typename Values, typename Take>
  double for_each_block(const Batch& batch, Pass&& pass, Values&& values, Eigen::Index size,
                        Take&& take);
  double forward(Worker& worker);  // fprop of the loaded part: its mean loss, noting a culprit
  void require_r_passes(const char* what) const;
  // Adds every replica's `field` (dw, ddw or rdw of its store, or its sum) into the graph's (or
  // into `out`), split over the threads by ranges of weights.
  template <typename Field>
  void add_replicas(Vector<T>& into, Field&& field, int workers);
  // out = Σ over the parts of rdw after fprop, bprop(share) and `pass` (the Hessian-vector or
  // Gauss-Newton-vector product of Graph) along v.
  void product_along(const Batch& batch, const Vector<T>& v, Vector<T>& out,
                     void (Graph<T>::*pass)());

  Graph<T>& graph_;
  const data::Dataset& data_;
  Rng& sampling_;
  GraphObjectiveOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  int predict_ = -1;     // −1: no classification
  bool splits_ = false;  // graph_.splits_work()
  std::string culprit_;
  std::vector<int> losses_;  // in file order
  const Batch* tracked_ = nullptr;
  bool tracked_done_ = true;  // the tracked batch's first evaluation has been made
  int tracked_errors_ = -1;
  std::vector<int> tracked_predictions_;
  std::vector<double> tracked_losses_;
  bool track_examples_ = false;  // the tracked evaluation records tracked_example_losses_
  std::vector<double> tracked_example_losses_;
  PartialSum<T> total_;  // for_each_block's sums across ranks (reduce)
  ThreadTeam team_;      // one thread per worker; joined before the workers go
};

extern template class GraphObjective<float>;
extern template class GraphObjective<double>;

}  // namespace ebprop
