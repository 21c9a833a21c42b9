// Loss: E(w), the mean loss of a graph over a fixed set of examples, as a function of the
// weights — the object every second-order tool of §5-§9 works on.
//
// It feeds the examples to the graph's input nodes (source=inputs and source=targets, as the
// trainer does), in chunks, and offers the loss, its gradient, Hessian-vector products (exact by
// the R-operator of §7.5 when every module has R-passes, else by finite differences of gradients,
// Eq. 59), per-example gradients (for the online estimator of Eq. 64), the bbprop diagonal
// (Eq. 53-56) and per-example output Jacobians (for the Gauss-Newton matrix of Eq. 51).
// Vectors are in the layout of the graph's parameter store (ParameterStore::w).
//
// OWNERSHIP: the caller owns the graph and the data set and keeps them alive. Every call leaves
// the weights as it found them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ebprop/data/dataset.h"
#include "ebprop/graph.h"

namespace ebprop::curvature {

enum class HvpMethod {
  automatic,         // exact when every module has R-passes, finite differences otherwise
  exact,             // R-operator; throws Error naming the modules without R-passes
  finite_difference  // Eq. 59: (∇E(w + s v) − ∇E(w − s v)) / 2s, central
};

class Loss {
 public:
  // Requires: the graph has input nodes with source=inputs and source=targets matching the data
  // set's rows; data non-empty. Throws Error / NumericError otherwise.
  Loss(Graph<double>& graph, const data::Dataset& data, int chunk = 256);

  int examples() const;
  std::int64_t dimension() const;  // number of weights
  Vector<double>& weights();       // the graph's w (read and write)

  double value();                      // E(w)
  double gradient(Vector<double>& g);  // g = ∇E(w); returns E(w)
  // ∇E_p(w) of one example p (0-based index into the data set); returns E_p(w).
  double example_gradient(int example, Vector<double>& g);

  // hv = H v, H = ∇²E(w). With finite differences, `step` 0 chooses s = cbrt(eps)·(1+‖w‖)/‖v‖,
  // the best step for central differences.
  // Throws NumericError for a zero or non-finite v.
  void hessian_vector(const Vector<double>& v, Vector<double>& hv,
                      HvpMethod method = HvpMethod::automatic, double step = 0);
  // Whether hessian_vector(automatic) is exact; the first fallback to finite differences writes
  // one line naming the modules without R-passes to `notes()` (and the tools print it once).
  bool exact_hvp_available() const;
  const std::vector<std::string>& notes() const;

  // The bbprop diagonal of ∇²E averaged over the examples (§7.3; Gauss-Newton, with the
  // off-diagonal terms dropped at every layer: exact for the last layer under MSE).
  void bbprop_diagonal(Vector<double>& d);

  // Eq. 51: the Gauss-Newton ("square Jacobian") matrix Σ_p J_pᵀ D_p J_p / P, with J_p the
  // Jacobian of the loss nodes' first inputs o (the outputs; targets are constants) w.r.t. w by
  // the R-operator or finite differences, and D_p the DIAGONAL of ∂²E_p/∂o² (from the loss
  // module's own bbprop term): exact for MSE (D = I) and every per-output loss, whose ∂²E_p/∂o² is
  // diagonal. Dense: for networks up to a few thousand weights.
  Matrix<double> gauss_newton();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ebprop::curvature
