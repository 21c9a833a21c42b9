// Whole-graph derivative checks for the tests: the graph's gradient and its R-operator H v (§7.5)
// against central differences of the loss, on random inputs.
#pragma once

#include <ebprop/graph.h>

#include "test_util.h"

namespace ebprop::test {

// Loss of the graph for the inputs already set.
inline double energy(Graph<double>& graph) {
  graph.fprop();
  return graph.loss();
}

// Fills every input node with `batch` examples of values uniform in [-1, 1).
inline void random_inputs(Graph<double>& graph, int batch, Rng& rng) {
  for (int i : graph.input_nodes()) {
    auto& state = graph.node(i).state;
    state.x = random_matrix(state.size(), batch, rng);
  }
}

// dE/dw by fprop and bprop at the current weights.
inline Vector<double> gradient(Graph<double>& graph) {
  graph.fprop();
  graph.parameters().clear_gradients();
  graph.bprop();
  return graph.parameters().dw();
}

// Largest relative difference between the graph's gradient and central differences of E.
inline double gradient_error(Graph<double>& graph) {
  auto& p = graph.parameters();
  const Vector<double> analytic = gradient(graph);
  Vector<double> numeric(p.size());
  const double h = 1e-6;
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    const double saved = p.w()[i];
    p.w()[i] = saved + h;
    const double plus = energy(graph);
    p.w()[i] = saved - h;
    const double minus = energy(graph);
    p.w()[i] = saved;
    numeric[i] = (plus - minus) / (2 * h);
  }
  return (analytic - numeric).lpNorm<Eigen::Infinity>() / numeric.lpNorm<Eigen::Infinity>();
}

// Largest relative difference between the R-operator's H v (§7.5) and gradient differences along v.
inline double hessian_vector_error(Graph<double>& graph, Rng& rng) {
  auto& p = graph.parameters();
  p.rw() = random_matrix(p.size(), 1, rng);
  gradient(graph);
  graph.hessian_vector();
  const Vector<double> exact = p.rdw();
  const double h = 1e-5;
  const Vector<double> w = p.w(), v = p.rw();
  p.w() = w + h * v;
  const Vector<double> plus = gradient(graph);
  p.w() = w - h * v;
  const Vector<double> minus = gradient(graph);
  p.w() = w;
  const Vector<double> numeric = (plus - minus) / (2 * h);
  return (exact - numeric).lpNorm<Eigen::Infinity>() / numeric.lpNorm<Eigen::Infinity>();
}

}  // namespace ebprop::test
