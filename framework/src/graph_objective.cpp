#include "ebprop/graph_objective.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>

#include "ebprop/memory.h"
#include "ebprop/tree_sum.h"

namespace ebprop {

namespace {

template <typename T>
std::string node_at(const Graph<T>& graph, int index) {
  const auto& node = graph.nodes()[index];
  return "node '" + node.name + "' (" + graph.file() + ":" + std::to_string(node.where.line) + ")";
}

// Lends a team to the graph's splitting modules (Graph::lend_threads) while it lives.
template <typename T>
class Lending {
 public:
  Lending(Graph<T>& graph, ThreadTeam* team) : graph_(graph) { graph_.lend_threads(team); }
  ~Lending() { graph_.lend_threads(nullptr); }
  Lending(const Lending&) = delete;
  Lending& operator=(const Lending&) = delete;

 private:
  Graph<T>& graph_;
};

}  // namespace

template <typename T>
GraphObjective<T>::GraphObjective(Graph<T>& graph, const data::Dataset& data, Rng& sampling,
                                  GraphObjectiveOptions options)
    : graph_(graph),
      data_(data),
      sampling_(sampling),
      options_(std::move(options)),
      losses_(graph.loss_nodes_in_file_order()),
      team_(std::max(1, options_.threads)) {
  workers_.push_back(std::make_unique<Worker>(graph, nullptr, data));  // checks the inputs
  const std::string where = graph.file().empty() ? "the graph" : graph.file();
  if (data.size() == 0) throw NumericError("the data set '" + data.name + "' is empty");
  if (options_.chunk < 1)
    throw Error("the chunk size must be at least 1, not " + std::to_string(options_.chunk));
  if (graph.loss_nodes().empty()) throw Error(where + " has no loss node");
  if (!options_.predict.empty()) {
    predict_ = graph.find(options_.predict);
    if (predict_ < 0) graph.node(options_.predict);  // throws with a did-you-mean
  } else if (!data.labels.empty()) {
    predict_ = graph.nodes()[losses_.front()].inputs.front();
  }
  // The predicted class is the argmax of this node (data::predicted_class): it must have one
  // value per class, or one value for two classes on one output.
  if (predict_ >= 0 && !data.labels.empty() &&
      graph.nodes()[predict_].state.size() != data.targets.rows()) {
    const auto& predict = graph.nodes()[predict_];
    throw Error("the prediction node '" + predict.name + "' (line " +
                std::to_string(predict.where.line) + ") has " +
                std::to_string(predict.state.size()) + " values, but there are " +
                std::to_string(data.targets.rows()) +
                " classes: name the node whose largest value is the class with [run] predict = "
                "NODE (or --set predict=NODE)");
  }
  if (data.labels.empty()) predict_ = -1;
  if (options_.threads < 1 || options_.min_part < 1 || options_.block < 1)
    throw Error("threads, min_part and block must be at least 1");
  if (options_.units_below < 0) throw Error("units_below must not be negative");
  splits_ = graph.splits_work();
  for (int t = 1; t < options_.threads; ++t) {
    auto replica = graph.replica();
    Graph<T>& g = *replica;
    workers_.push_back(std::make_unique<Worker>(g, std::move(replica), data));
  }
}

template <typename T>
std::vector<std::string> GraphObjective<T>::loss_names() const {
  std::vector<std::string> names;
  for (int l : losses_) names.push_back(graph_.nodes()[l].name);
  return names;
}

// The single-output midpoint as the settings write it ("0", "0.5").
static std::string midpoint_text(float midpoint) {
  std::ostringstream text;
  text << midpoint;
  return text.str();
}

template <typename T>
std::string GraphObjective<T>::scored_description() const {
  if (predict_ < 0) return "";
  const auto& nodes = graph_.nodes();
  const auto line = [&](int i) { return " (line " + std::to_string(nodes[i].where.line) + ")"; };
  std::string text = "node '" + nodes[predict_].name + "'" + line(predict_) +
                     (data_.single_output()
                          ? ", its one value: class 1 above " +
                                midpoint_text(data_.single_output_midpoint) + ", else class 0"
                          : ", argmax over " + std::to_string(data_.targets.rows()) + " classes");
  if (options_.predict.empty())
    return text + "; loss '" + nodes[losses_.front()].name + "'" + line(losses_.front()) +
           ", the first loss in the file";
  text += ", named by predict=";
  for (int l : losses_)
    if (nodes[l].inputs.front() == predict_)
      return text + "; loss '" + nodes[l].name + "'" + line(l);
  return text + "; no loss reads it as its output";
}

template <typename T>
std::string GraphObjective<T>::name() const {
  return (graph_.file().empty() ? std::string("the graph") : graph_.file()) + " on '" + data_.name +
         "'";
}

template <typename T>
Batch GraphObjective<T>::sample(int count) {
  if (count < 1) throw Error("a sample needs at least one example");
  std::vector<int> examples(count);
  for (int& i : examples)
    i = std::min(data_.size() - 1, static_cast<int>(uniform01(sampling_) * data_.size()));
  return Batch::of(std::move(examples));
}

template <typename T>
std::string GraphObjective<T>::gauss_newton_refusal() const {
  for (int l : graph_.loss_nodes()) {
    const auto& node = graph_.nodes()[l];
    if (node.gauss_newton == ModuleInfo::GaussNewton::none)
      return "the Gauss-Newton matrix is defined for a mean squared error (§6.4), but the loss " +
             node_at(graph_, l) + " is " + node.type +
             "; use a method that needs only gradients (cg, bfgs, lbfgs) or the Hessian (newton)";
  }
  const auto missing = graph_.nodes_without_r_passes();
  if (!missing.empty())
    return "Gauss-Newton products need R-operator passes, and these nodes have none: " +
           join(missing);
  return "";
}

template <typename T>
std::string GraphObjective<T>::gauss_newton_notice() const {
  for (int l : graph_.loss_nodes())
    if (graph_.nodes()[l].gauss_newton == ModuleInfo::GaussNewton::generalized)
      return "the loss " + node_at(graph_, l) + " is " + graph_.nodes()[l].type +
             ", not a squared error: the Gauss-Newton matrix is the generalized one, Jᵀ H_L J "
             "with H_L the loss's Hessian in its input (for softmax cross-entropy, the Fisher "
             "information matrix of §6.4)";
  return "";
}

template <typename T>
void GraphObjective<T>::track_errors(const Batch& batch, bool example_losses) {
  tracked_ = &batch;
  tracked_done_ = false;
  track_examples_ = example_losses;
  tracked_errors_ = -1;
  tracked_predictions_.clear();
  tracked_losses_.clear();
  tracked_example_losses_.clear();
}

template <typename T>
bool GraphObjective<T>::by_units(int count) const {
  return splits_ && options_.threads > 1 &&
         std::int64_t{count} < std::int64_t{options_.units_below} * options_.threads;
}

template <typename T>
int GraphObjective<T>::parts_of(int count) const {
  if (by_units(count)) return 1;
  return std::max(1, std::min(options_.threads, count / options_.min_part));
}

template <typename T>
void GraphObjective<T>::load(Worker& w, const Batch& batch, int first, int count) {
  if (batch.is_all()) {
    w.feeder.load(data_, first, count);
  } else {
    w.indices.assign(batch.examples().begin() + first, batch.examples().begin() + first + count);
    w.feeder.load(data_, w.indices);
  }
}

template <typename T>
void GraphObjective<T>::add_example_losses(const Worker& w, int first, int count,
                                           std::vector<double>& into) const {
  for (int l : losses_) {
    const auto& node = w.graph->nodes()[l];
    for (int k = 0; k < count; ++k)
      into[first + k] += node.loss_weight * static_cast<double>(node.state.x(0, k));
  }
}

template <typename T>
template <typename Tally>
void GraphObjective<T>::count_classes(const Worker& w, const Batch& batch, int first, int count,
                                      Tally&& tally) const {
  const auto& y = w.graph->nodes()[predict_].state.x;
  for (int k = 0; k < count; ++k) {
    const int predicted = data::predicted_class(y.col(k), data_);
    const int example = batch.is_all() ? first + k : w.indices[k];
    tally(predicted, predicted != data_.labels[example]);
  }
}

template <typename T>
template <typename Pass>
double GraphObjective<T>::for_each_part(const Batch& batch, int limit, Pass&& pass, int max_parts) {
  const int total = batch.size(data_.size());
  const bool tracking = tracked_ == &batch && !tracked_done_;
  const bool classes = tracking && predict_ >= 0;
  for (auto& w : workers_) {
    w->loss = 0;
    w->culprit.clear();
    w->losses.assign(tracking ? losses_.size() : 0, 0.0);
    w->errors = 0;
    w->predictions.assign(classes ? data_.classes : 0, 0);
  }
  // Each part writes its own range of the batch's entries.
  std::vector<double> example_losses(tracking && track_examples_ ? total : 0, 0.0);
  // One part, on worker k: examples [first, first + count) of the batch.
  const auto run_part = [&](Worker& w, int first, int count) {
    load(w, batch, first, count);
    const double share = static_cast<double>(count) / total;
    w.loss += share * pass(w, count, share);
    for (std::size_t l = 0; l < w.losses.size(); ++l)
      w.losses[l] += share * w.graph->loss_of(losses_[l]);
    if (!example_losses.empty()) add_example_losses(w, first, count, example_losses);
    if (classes)
      count_classes(w, batch, first, count, [&](int predicted, bool wrong) {
        w.errors += wrong;
        ++w.predictions[predicted];
      });
  };
  for (int first = 0; first < total; first += limit) {
    const int count = std::min(limit, total - first);
    const int parts = std::min(max_parts, parts_of(count));
    if (parts == 1) {
      const Lending<T> lending(graph_, by_units(count) ? &team_ : nullptr);
      run_part(*workers_.front(), first, count);
      continue;
    }
    team_.run(parts, [&](int k) {
      const int begin = first + static_cast<int>(std::int64_t{count} * k / parts);
      const int end = first + static_cast<int>(std::int64_t{count} * (k + 1) / parts);
      run_part(*workers_[k], begin, end - begin);
    });
  }
  // The workers' sums, in worker order.
  double loss = 0;
  culprit_.clear();
  std::vector<double> losses(tracking ? losses_.size() : 0, 0.0);
  std::vector<int> predictions(classes ? data_.classes : 0, 0);
  int errors = 0;
  for (const auto& w : workers_) {
    loss += w->loss;
    if (culprit_.empty()) culprit_ = w->culprit;
    for (std::size_t l = 0; l < losses.size(); ++l) losses[l] += w->losses[l];
    for (std::size_t c = 0; c < predictions.size(); ++c) predictions[c] += w->predictions[c];
    errors += w->errors;
  }
  if (tracking) {
    tracked_done_ = true;
    tracked_losses_ = std::move(losses);
    tracked_example_losses_ = std::move(example_losses);
    if (classes) {
      tracked_errors_ = errors;
      tracked_predictions_ = std::move(predictions);
    }
  }
  return loss;
}

template <typename T>
template <typename Pass, typename Values, typename Take>
double GraphObjective<T>::for_each_block(const Batch& batch, Pass&& pass, Values&& values,
                                         Eigen::Index size, Take&& take) {
  Communicator& ranks = *options_.communicator;
  const int total = batch.size(data_.size());
  const int block = options_.block;
  const int leaves = (total + block - 1) / block;
  // This rank's blocks [first_leaf, end_leaf), and a run of them for each worker.
  const int first_leaf = static_cast<int>(std::int64_t{leaves} * ranks.rank() / ranks.size());
  const int end_leaf = static_cast<int>(std::int64_t{leaves} * (ranks.rank() + 1) / ranks.size());
  const int mine = end_leaf - first_leaf;
  const int workers = std::max(1, std::min(options_.threads, mine));
  const bool tracking = tracked_ == &batch && !tracked_done_;
  const bool classes = tracking && predict_ >= 0;
  const bool examples = tracking && track_examples_;
  // The scalars of a block: Σ share · loss, then when tracking each loss node's share · mean,
  // and with classes the errors and the examples predicted as each class (exact in double).
  const std::size_t scalars =
      1 + (tracking ? losses_.size() : 0) + (classes ? 1 + data_.classes : 0);
  // Of this rank's examples: their losses (emphasizing), gathered from every rank below.
  std::vector<double> example_losses(examples ? total : 0, 0.0);
  const auto run_worker = [&](int k) {
    Worker& w = *workers_[k];
    w.culprit.clear();
    w.tree.reset(leaves);
    const int begin = first_leaf + mine * k / workers, end = first_leaf + mine * (k + 1) / workers;
    std::vector<double> sum(scalars);
    for (int leaf = begin; leaf < end; ++leaf) {
      const int first = leaf * block, count = std::min(block, total - first);
      load(w, batch, first, count);
      const double share = static_cast<double>(count) / total;
      std::fill(sum.begin(), sum.end(), 0.0);
      sum[0] = share * pass(w, share);
      std::size_t at = 1;
      if (tracking)
        for (int l : losses_) sum[at++] = share * w.graph->loss_of(l);
      if (examples) add_example_losses(w, first, count, example_losses);
      if (classes)
        count_classes(w, batch, first, count, [&](int predicted, bool wrong) {
          sum[at] += wrong;
          ++sum[at + 1 + predicted];
        });
      w.tree.add(leaf, values(w), sum);
    }
  };
  if (workers == 1)
    run_worker(0);
  else
    team_.run(workers, run_worker);

  std::vector<PartialSum<T>*> nodes;
  for (int k = 0; k < workers; ++k)
    for (std::size_t i = 0; i < workers_[k]->tree.count(); ++i)
      nodes.push_back(&workers_[k]->tree.nodes()[i]);
  const PartialSum<T>& sum = reduce(ranks, leaves, nodes, size, total_);
  take(sum.values);
  const double loss = sum.scalars[0];
  // Which node went non-finite: the first rank's that saw one (every rank knows the loss).
  culprit_.clear();
  for (int k = 0; k < workers && culprit_.empty(); ++k) culprit_ = workers_[k]->culprit;
  if (!std::isfinite(loss) && ranks.size() > 1)
    for (const Bytes& from : ranks.all_gather(Bytes(culprit_.begin(), culprit_.end())))
      if (!from.empty()) {
        culprit_.assign(from.begin(), from.end());
        break;
      }
  if (tracking) {
    tracked_done_ = true;
    tracked_losses_.assign(sum.scalars.begin() + 1, sum.scalars.begin() + 1 + losses_.size());
    if (examples) {
      // Each rank's examples are those of its blocks: [first_leaf · block, end_leaf · block).
      const int from = std::min(total, first_leaf * block), to = std::min(total, end_leaf * block);
      Bytes own(reinterpret_cast<const char*>(example_losses.data() + from),
                reinterpret_cast<const char*>(example_losses.data() + to));
      tracked_example_losses_.clear();
      for (const Bytes& part : ranks.all_gather(own)) {
        const auto* values = reinterpret_cast<const double*>(part.data());
        tracked_example_losses_.insert(tracked_example_losses_.end(), values,
                                       values + part.size() / sizeof(double));
      }
    }
    if (classes) {
      const std::size_t at = 1 + losses_.size();
      tracked_errors_ = static_cast<int>(sum.scalars[at]);
      tracked_predictions_.assign(data_.classes, 0);
      for (int c = 0; c < data_.classes; ++c)
        tracked_predictions_[c] = static_cast<int>(sum.scalars[at + 1 + c]);
    }
  }
  return loss;
}

template <typename T>
double GraphObjective<T>::forward(Worker& w) {
  w.graph->fprop();
  const double e = w.graph->loss();
  if (!std::isfinite(e) && w.culprit.empty()) {
    const int bad = w.graph->first_non_finite();
    w.culprit = node_at(*w.graph, bad >= 0 ? bad : w.graph->loss_nodes().front()) +
                " produced a non-finite value";
  }
  return e;
}

template <typename T>
template <typename Field>
void GraphObjective<T>::add_replicas(Vector<T>& into, Field&& field, int workers) {
  if (workers < 2) return;
  const Eigen::Index n = into.size();
  team_.run(workers, [&](int k) {
    const Eigen::Index begin = n * k / workers, end = n * (k + 1) / workers;
    for (int r = 1; r < workers; ++r)
      into.segment(begin, end - begin) += field(*workers_[r]).segment(begin, end - begin);
  });
}

template <typename T>
double GraphObjective<T>::compute_value(const Batch& batch) {
  if (options_.communicator)
    return for_each_block(
        batch, [&](Worker& w, double) { return forward(w); },
        [](Worker& w) -> const Vector<T>& {
          w.leaf.resize(0);
          return w.leaf;
        },
        0, [](const Vector<T>&) {});
  return for_each_part(batch, options_.chunk, [&](Worker& w, int, double) { return forward(w); });
}

template <typename T>
double GraphObjective<T>::accumulate(const Batch& batch, bool with_curvature) {
  for (auto& w : workers_) w->fresh = true;
  return for_each_part(batch, options_.chunk, [&](Worker& w, int, double share) {
    if (w.fresh) {  // on the worker's own thread, before its first part
      auto& q = w.graph->parameters();
      q.clear_gradients_if_needed();  // online steps: dw is zero after the last descend
      if (with_curvature) q.clear_hessian();
      w.fresh = false;
    }
    const double part_loss = forward(w);
    w.graph->bprop(share);
    if (with_curvature) w.graph->bbprop(share);
    return part_loss;
  });
}

template <typename T>
int GraphObjective<T>::workers_of(const Batch& batch) const {
  const int total = batch.size(data_.size());
  return parts_of(std::min(total, options_.chunk));  // the first chunk's: the most
}

template <typename T>
double GraphObjective<T>::compute_gradient(const Batch& batch, bool with_curvature) {
  if (options_.communicator) {
    auto& p = parameters();
    const Eigen::Index n = p.size();
    const double e = for_each_block(
        batch,
        [&](Worker& w, double share) {
          auto& q = w.graph->parameters();
          q.clear_gradients();
          if (with_curvature) q.clear_hessian();
          const double part_loss = forward(w);
          w.graph->bprop(share);
          if (with_curvature) w.graph->bbprop(share);
          return part_loss;
        },
        [&](Worker& w) -> const Vector<T>& {
          const auto& q = std::as_const(w.graph->parameters());
          if (!with_curvature) return q.dw();
          w.leaf.resize(2 * n);
          w.leaf.head(n) = q.dw();
          w.leaf.tail(n) = q.ddw();
          return w.leaf;
        },
        with_curvature ? 2 * n : n,
        [&](const Vector<T>& total) {
          p.dw() = total.head(n);
          if (with_curvature) p.ddw() = total.tail(n);
        });
    return e;
  }
  const double e = accumulate(batch, with_curvature);
  const int workers = workers_of(batch);
  auto& p = parameters();
  add_replicas(
      p.dw(),
      [](Worker& w) -> const Vector<T>& { return std::as_const(w.graph->parameters()).dw(); },
      workers);
  if (with_curvature)
    add_replicas(
        p.ddw(),
        [](Worker& w) -> const Vector<T>& { return std::as_const(w.graph->parameters()).ddw(); },
        workers);
  return e;
}

template <typename T>
double GraphObjective<T>::compute_descent(const Batch& batch, T eta, const Vector<T>* factors) {
  if (options_.communicator) return Objective<T>::compute_descent(batch, eta, factors);
  const int total = batch.size(data_.size());
  auto& p = parameters();
  const int workers = workers_of(batch);
  if (workers > 1) {
    // The replicas' gradients summed, the step taken and every dw cleared in one pass, the
    // weights split over the threads.
    const double e = accumulate(batch, false);
    std::vector<ParameterStore<T>*> replicas;
    for (int k = 1; k < workers; ++k) replicas.push_back(&workers_[k]->graph->parameters());
    const Eigen::Index n = p.size();
    team_.run(workers, [&](int k) {
      p.descend_range(eta, n * k / workers, n * (k + 1) / workers, replicas, factors);
    });
    p.mark_gradients_zero();
    for (auto* q : replicas) q->mark_gradients_zero();
    return e;
  }
  if (total > options_.chunk || !p.any_fusable())
    return Objective<T>::compute_descent(batch, eta, factors);
  p.clear_gradients_if_needed();
  return for_each_part(batch, options_.chunk, [&](Worker& w, int, double) {
    const double e = forward(w);
    w.graph->bprop_descending(eta, factors);
    return e;
  });
}

template <typename T>
void GraphObjective<T>::require_r_passes(const char* what) const {
  const auto missing = graph_.nodes_without_r_passes();
  if (!missing.empty())
    throw Error(std::string(what) + " need R-operator passes (§7.5), and these nodes of " + name() +
                " have none: " + join(missing));
}

template <typename T>
void GraphObjective<T>::compute_hessian_vector(const Batch& batch, const Vector<T>& v,
                                               Vector<T>& hv) {
  require_r_passes("exact Hessian-vector products");
  product_along(batch, v, hv, &Graph<T>::hessian_vector);
}

template <typename T>
void GraphObjective<T>::compute_gauss_newton_vector(const Batch& batch, const Vector<T>& v,
                                                    Vector<T>& gv) {
  product_along(batch, v, gv, &Graph<T>::gauss_newton_vector);
}

template <typename T>
void GraphObjective<T>::product_along(const Batch& batch, const Vector<T>& v, Vector<T>& out,
                                      void (Graph<T>::*pass)()) {
  if (options_.communicator) {
    parameters().rw() = v;
    for_each_block(
        batch,
        [&](Worker& w, double share) {
          const double e = forward(w);
          w.graph->parameters().clear_gradients();
          w.graph->bprop(share);
          (w.graph->*pass)();
          return e;
        },
        [](Worker& w) -> const Vector<T>& { return std::as_const(w.graph->parameters()).rdw(); },
        parameters().size(), [&](const Vector<T>& total) { out = total; });
    return;
  }
  const int workers = workers_of(batch);
  auto& p = parameters();
  p.rw() = v;
  for (int k = 0; k < workers; ++k) workers_[k]->sum.setZero(p.size());
  for_each_part(batch, options_.chunk, [&](Worker& w, int, double share) {
    const double e = forward(w);
    auto& q = w.graph->parameters();
    q.clear_gradients();
    w.graph->bprop(share);
    (w.graph->*pass)();
    w.sum += std::as_const(q).rdw();
    return e;
  });
  out = workers_.front()->sum;
  add_replicas(
      out, [](Worker& w) -> const Vector<T>& { return w.sum; }, workers);
}

// Column k of each example's rows is R{o} along e_k (§7.5); rows: the outputs o of the loss
// nodes, example by example.
template <typename T>
Matrix<double> GraphObjective<T>::compute_jacobian(const Batch& batch) {
  require_r_passes("exact Jacobians");
  auto& p = parameters();
  const std::int64_t n = p.size();
  std::int64_t outputs_per_example = 0;
  for (int l : graph_.loss_nodes())
    outputs_per_example += graph_.nodes()[graph_.nodes()[l].inputs.front()].state.size();
  const std::int64_t rows = outputs_per_example * batch.size(data_.size());
  check_allocation(static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(n), sizeof(double),
                   "the dense Jacobian of " + name() + " (" + std::to_string(rows) + " × " +
                       std::to_string(n) + ")");
  Matrix<double> jacobian(rows, n);
  std::int64_t row = 0;
  // One worker: the columns move the one direction rw that every replica reads.
  for_each_part(
      batch, options_.chunk,
      [&](Worker& w, int count, double) {
        const double e = forward(w);
        p.rw().setZero();
        for (std::int64_t k = 0; k < n; ++k) {
          p.rw()[k] = 1;
          graph_.r_fprop();
          std::int64_t r = row;
          for (int example = 0; example < count; ++example)
            for (int l : graph_.loss_nodes()) {
              const auto& rx = graph_.nodes()[graph_.nodes()[l].inputs.front()].state.rx;
              jacobian.col(k).segment(r, rx.rows()) = rx.col(example).template cast<double>();
              r += rx.rows();
            }
          p.rw()[k] = 0;
        }
        row += outputs_per_example * count;
        return e;
      },
      1);
  return jacobian;
}

template class GraphObjective<float>;
template class GraphObjective<double>;

}  // namespace ebprop
