// Objective: E(w), the function every optimizer and every curvature tool works on.
//
// E is a mean loss over the examples of a data set (a graph's, graph_objective.h) or a test
// function with a known minimum (optimize/test_functions.h, one "example"). Every evaluation is
// at the current point w = parameters().w and over an explicit Batch: the whole set, or a list of
// examples. Losses are means over the batch's examples; derivatives are those of that mean.
//
// What can be asked for (each an exact computation, none by finite differences):
//   value          E
//   gradient       E and ∇E                                      (fprop + bprop)
//   curvature      E, ∇E and the bbprop diagonal (Eq. 53-56)      (+ bbprop)
//   hessian_vector H v, H = ∇²E, by the R-operator (§7.5)
//   gauss_newton_vector  G v with G = Σ_p J_pᵀ H_L J_p / P: J_p the Jacobian of the outputs the
//                  loss sees (for a graph, each loss node's first input), H_L the Hessian of the
//                  loss in those outputs. For MSE this is the square-Jacobian matrix of Eq. 46-47;
//                  for softmax cross-entropy the generalized Gauss-Newton matrix, which for that
//                  loss is the Fisher information matrix (§6.4's natural gradient).
//   jacobian, gauss_newton, hessian   the dense matrices, for small problems
// A non-finite loss or derivative is RETURNED (as NaN or infinity in the result), never thrown:
// a line search that probed too far steps back, and only the training loop decides what
// divergence is. Errors of use (a vector of the wrong size, a dense matrix that does not fit in
// memory, a product the problem does not define) throw ebprop::Error with a message naming the
// node or the loss.
//
// Every evaluation is counted (counts()), so optimizers report "evaluations" as libraries do:
// one function+gradient evaluation is one count of `gradients`.
//
// OWNERSHIP: the implementation owns or references its parameter store; callers change w through
// parameters() and never keep pointers into dw, ddw across evaluations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ebprop/parameters.h"

namespace ebprop {

// The examples an evaluation covers.
class Batch {
 public:
  static Batch all() { return Batch(); }
  // Requires: every index in [0, examples()) of the objective it is used with; repeats allowed.
  static Batch of(std::vector<int> examples) { return Batch(std::move(examples)); }

  bool is_all() const { return all_; }
  const std::vector<int>& examples() const { return examples_; }  // empty for all()
  // The number of examples the batch covers in a set of `set_size`.
  int size(int set_size) const { return all_ ? set_size : static_cast<int>(examples_.size()); }

 private:
  Batch() = default;
  explicit Batch(std::vector<int> examples) : examples_(std::move(examples)), all_(false) {}
  std::vector<int> examples_;
  bool all_ = true;
};

// How many evaluations of each kind an objective has made.
struct EvaluationCounts {
  std::int64_t values = 0;     // E alone
  std::int64_t gradients = 0;  // E and ∇E together (curvature() counts here too)
  std::int64_t curvatures = 0;
  std::int64_t hessian_vectors = 0;
  std::int64_t gauss_newton_vectors = 0;
  std::int64_t matrices = 0;  // dense Jacobians, Gauss-Newton matrices, Hessians
  // Examples fed through value, gradient and curvature evaluations (Σ of their batch sizes): the
  // common measure of work between a method that steps per example and one that iterates on
  // the whole set (examples / P = passes over the data).
  std::int64_t examples = 0;
  // Function and gradient evaluations, as optimization libraries count them.
  std::int64_t evaluations() const { return values + gradients; }
};

template <typename T>
class Objective {
 public:
  virtual ~Objective() = default;

  // The point w and where evaluations write: gradient() overwrites dw, curvature() dw and ddw.
  virtual ParameterStore<T>& parameters() = 0;
  std::int64_t dimension() { return parameters().size(); }
  // P: the examples in the set (1 for a test function, whose only batch is all()).
  virtual int examples() const = 0;
  // For messages: "graphs/fit.graph on 'train'", "rosenbrock (n = 2)".
  virtual std::string name() const = 0;

  // --- evaluations at w over a batch (counted) ---
  double value(const Batch& batch) {
    ++counts_.values;
    counts_.examples += batch.size(examples());
    return compute_value(batch);
  }
  // Returns E; dw = ∇E.
  double gradient(const Batch& batch) {
    ++counts_.gradients;
    counts_.examples += batch.size(examples());
    return compute_gradient(batch, false);
  }
  // Returns E; dw = ∇E; ddw = the bbprop diagonal (§7.3: Gauss-Newton with the off-diagonal
  // terms dropped at every layer).
  double curvature(const Batch& batch) {
    ++counts_.gradients;
    ++counts_.curvatures;
    counts_.examples += batch.size(examples());
    return compute_gradient(batch, true);
  }
  // The step of SGD without momentum (§4.1): returns E at w, then sets
  // w ← w − η·shared_lr_scale⊙∇E (ParameterStore::descend) and leaves dw = 0. With `factors`,
  // SDLM's step (§9.1) w ← w − η·factors⊙∇E instead. Counted as a gradient. A graph fuses the
  // step into bprop where its modules can (Module::fuses_descent).
  // Requires: factors, when given, has dimension() entries.
  double descend(const Batch& batch, T eta, const Vector<T>* factors = nullptr) {
    if (factors) check_vector(*factors);
    ++counts_.gradients;
    counts_.examples += batch.size(examples());
    return compute_descent(batch, eta, factors);
  }
  // hv = H v. Requires: v.size() == dimension(). Leaves dw unspecified.
  void hessian_vector(const Batch& batch, const Vector<T>& v, Vector<T>& hv) {
    check_vector(v);
    ++counts_.hessian_vectors;
    compute_hessian_vector(batch, v, hv);
  }
  // gv = G v (see above). Requires: v.size() == dimension() and gauss_newton_refusal() empty
  // (throws Error with that message otherwise). Leaves dw unspecified.
  void gauss_newton_vector(const Batch& batch, const Vector<T>& v, Vector<T>& gv) {
    check_vector(v);
    check_gauss_newton();
    ++counts_.gauss_newton_vectors;
    compute_gauss_newton_vector(batch, v, gv);
  }

  // Why G is not defined for this objective ("" when it is): names the loss (node and line).
  virtual std::string gauss_newton_refusal() const { return ""; }
  // One line to tell the user how G is formed when it is not the plain square Jacobian (the
  // generalized Gauss-Newton of softmax_xent); "" otherwise.
  virtual std::string gauss_newton_notice() const { return ""; }

  // --- dense matrices, for small problems (Error when n × n doubles do not fit, memory.h) ---
  // The Jacobian of the outputs the loss sees: one row per output per example of the batch (in
  // example order, outputs of the first loss node first), one column per weight.
  Matrix<double> jacobian(const Batch& batch) {
    ++counts_.matrices;
    return compute_jacobian(batch);
  }
  Matrix<double> gauss_newton(const Batch& batch) {
    check_gauss_newton();
    ++counts_.matrices;
    return compute_gauss_newton(batch);
  }
  Matrix<double> hessian(const Batch& batch) {
    ++counts_.matrices;
    return compute_hessian(batch);
  }

  // `count` examples drawn with replacement from the curvature-sampling stream (§9.1: "estimated
  // on a few hundred samples"); all() for a test function.
  virtual Batch sample(int count) = 0;

  const EvaluationCounts& counts() const { return counts_; }
  // A resumed run continues the counts of the run it resumes (a checkpoint's).
  void restore_counts(const EvaluationCounts& counts) { counts_ = counts; }

 protected:
  virtual double compute_value(const Batch& batch) = 0;
  virtual double compute_gradient(const Batch& batch, bool with_curvature) = 0;
  virtual void compute_hessian_vector(const Batch& batch, const Vector<T>& v, Vector<T>& hv) = 0;
  virtual void compute_gauss_newton_vector(const Batch& batch, const Vector<T>& v,
                                           Vector<T>& gv) = 0;
  virtual Matrix<double> compute_jacobian(const Batch& batch) = 0;
  // The default: compute_gradient, then parameters().descend(eta) (or descend(eta, *factors)).
  virtual double compute_descent(const Batch& batch, T eta, const Vector<T>* factors);
  // The defaults build the matrices from n products with the unit vectors.
  virtual Matrix<double> compute_gauss_newton(const Batch& batch);
  virtual Matrix<double> compute_hessian(const Batch& batch);

 private:
  void check_vector(const Vector<T>& v);
  void check_gauss_newton() const;
  EvaluationCounts counts_;
};

extern template class Objective<float>;
extern template class Objective<double>;

}  // namespace ebprop
