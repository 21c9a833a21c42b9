#include "ebprop/curvature/loss.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <tuple>

#include "ebprop/graph_objective.h"
#include "weight_guard.h"

namespace ebprop::curvature {

namespace {

const double epsilon = std::numeric_limits<double>::epsilon();

// Most doubles one chunk of the Gauss-Newton Jacobians may hold (32 MB).
const std::int64_t jacobian_budget = std::int64_t(1) << 22;

Inputs<double> inputs_of(Graph<double>& graph, int node) {
  Inputs<double> in;
  for (int i : graph.nodes()[node].inputs) in.push_back(&graph.node(i).state);
  return in;
}

}  // namespace

struct Loss::Impl {
  Graph<double>& graph;
  const data::Dataset& data;
  int chunk;
  Rng sampling{1};  // unused by the loss's own evaluations, which cover the whole set
  GraphObjective<double> objective;
  std::vector<std::string> notes;
  bool noted_hvp = false, noted_jacobian = false;

  Impl(Graph<double>& g, const data::Dataset& d, int c)
      : graph(g), data(d), chunk(c), objective(g, d, sampling, {c, ""}) {}

  ParameterStore<double>& params() { return graph.parameters(); }

  void check_weights() const {
    const auto& p = graph.parameters();
    for (const auto& block : p.blocks())
      for (std::int64_t i = block.offset; i < block.offset + block.size(); ++i)
        if (!std::isfinite(p.w()[i]))
          throw NumericError("the weights are not finite: parameter '" + block.name + "' holds " +
                             std::to_string(p.w()[i]) + " at index " +
                             std::to_string(i - block.offset));
  }

  // The curvature tools need a finite loss: a non-finite one is an error naming the node.
  double finite(double e) const {
    if (!std::isfinite(e))
      throw NumericError("the loss on '" + data.name +
                         "' is not finite: " + objective.non_finite_culprit());
    return e;
  }

  double gradient(Vector<double>& g) {
    const double e = finite(objective.gradient(Batch::all()));
    g = params().dw();
    return e;
  }

  // Calls f(n, weight) with each chunk of n examples loaded (weight n/P in the mean).
  void for_each_chunk(int limit, const std::function<void(int, double)>& f) {
    for (int first = 0; first < data.size(); first += limit) {
      const int n = std::min(limit, data.size() - first);
      objective.feeder().load(data, first, n);
      f(n, static_cast<double>(n) / data.size());
    }
  }

  // fprop of the loaded chunk; returns its mean loss, which must be finite.
  double forward() {
    graph.fprop();
    const double e = graph.loss();
    if (!std::isfinite(e)) {
      const int bad = graph.first_non_finite();
      const auto& node = graph.nodes()[bad >= 0 ? bad : graph.loss_nodes().front()];
      throw NumericError("the loss on '" + data.name + "' is not finite: node '" + node.name +
                         "' (" + graph.file() + ":" + std::to_string(node.where.line) +
                         ") produced a non-finite value");
    }
    return e;
  }

  // Per example p of the loaded (fprop'ed) chunk, the diagonal of ∂²E_p/∂o² for the output o of
  // loss node `loss` (its first input): that loss module's own bbprop with dy = its weight in E
  // (graph.h) and ddy = 0 is exactly its curvature term (module.h), read from o's ddx.
  Matrix<double> output_curvature(int loss) {
    auto& node = graph.node(loss);
    const Inputs<double> in = inputs_of(graph, loss);
    for (State<double>* s : in) s->ddx.setZero(s->x.rows(), s->x.cols());
    node.state.dx.setConstant(1, node.state.x.cols(), node.loss_weight);
    node.state.ddx.setZero(1, node.state.x.cols());
    node.module->bbprop(in, node.state);
    return in[0]->ddx;
  }

  void note(bool& once, const std::string& what, const std::string& fallback) {
    if (once) return;
    once = true;
    notes.push_back(what + " need R-operator passes; nodes without them: " +
                    join(graph.nodes_without_r_passes()) + " — using " + fallback);
  }
};

Loss::Loss(Graph<double>& graph, const data::Dataset& data, int chunk) {
  const std::string where = graph.file().empty() ? "the graph" : graph.file();
  if (data.size() == 0) throw NumericError("the data set '" + data.name + "' is empty");
  if (!data.inputs.allFinite() || !data.targets.allFinite())
    throw NumericError("the data set '" + data.name + "' holds a NaN or infinite value");
  if (chunk < 1) throw Error("the chunk size must be at least 1, not " + std::to_string(chunk));
  impl_ = std::make_shared<Impl>(graph, data, chunk);
  if (graph.parameters().size() == 0) throw Error(where + " has no weights to differentiate");
}

int Loss::examples() const { return impl_->data.size(); }
std::int64_t Loss::dimension() const { return impl_->graph.parameters().size(); }
Vector<double>& Loss::weights() { return impl_->graph.parameters().w(); }
bool Loss::exact_hvp_available() const { return impl_->graph.nodes_without_r_passes().empty(); }
const std::vector<std::string>& Loss::notes() const { return impl_->notes; }

double Loss::value() {
  impl_->check_weights();
  return impl_->finite(impl_->objective.value(Batch::all()));
}

double Loss::gradient(Vector<double>& g) {
  impl_->check_weights();
  return impl_->gradient(g);
}

double Loss::example_gradient(int example, Vector<double>& g) {
  if (example < 0 || example >= examples())
    throw Error("example " + std::to_string(example) + " is outside the data set '" +
                impl_->data.name + "' of " + std::to_string(examples()) + " examples");
  impl_->check_weights();
  const double e = impl_->finite(impl_->objective.gradient(Batch::of({example})));
  g = impl_->params().dw();
  return e;
}

void Loss::hessian_vector(const Vector<double>& v, Vector<double>& hv, HvpMethod method,
                          double step) {
  if (v.size() != dimension())
    throw Error("the vector has " + std::to_string(v.size()) + " elements but the graph has " +
                std::to_string(dimension()) + " weights");
  if (!v.allFinite()) throw NumericError("the vector holds a non-finite value (NaN or infinity)");
  const double norm = v.norm();
  if (norm == 0) throw NumericError("no Hessian-vector product along a zero vector");
  if (!(step >= 0) || !std::isfinite(step))
    throw Error("the finite-difference step must be finite and >= 0, not " + std::to_string(step));
  impl_->check_weights();
  auto& p = impl_->params();

  if (method == HvpMethod::automatic) {
    method = exact_hvp_available() ? HvpMethod::exact : HvpMethod::finite_difference;
    if (method == HvpMethod::finite_difference)
      impl_->note(impl_->noted_hvp, "exact Hessian-vector products", "finite differences (Eq. 59)");
  }
  if (method == HvpMethod::exact) {
    if (!exact_hvp_available())
      throw Error("no exact Hessian-vector product: nodes without R-operator passes: " +
                  join(impl_->graph.nodes_without_r_passes()));
    impl_->objective.hessian_vector(Batch::all(), v, hv);
    return;
  }
  // Eq. 59, central: H v = (∇E(w + s v) − ∇E(w − s v)) / 2s + O(s²).
  // Central differences balance an O(s²) truncation error against an O(eps/s) rounding error:
  // s = cbrt(eps)·(1 + ‖w‖)/‖v‖, relative to the scale of w (80× more accurate than sqrt(eps)
  // on the test network).
  const double s = step > 0 ? step : std::cbrt(epsilon) * (1 + p.w().norm()) / norm;
  Vector<double> plus, minus;
  {
    const WeightGuard guard(p.w());
    p.w() = guard.saved() + s * v;
    impl_->gradient(plus);
    p.w() = guard.saved() - s * v;
    impl_->gradient(minus);
  }
  hv = (plus - minus) / (2 * s);
}

void Loss::bbprop_diagonal(Vector<double>& d) {
  impl_->check_weights();
  impl_->finite(impl_->objective.curvature(Batch::all()));
  d = impl_->params().ddw();
}

// Eq. 51: G = (1/P) Σ_p Σ_loss J_pᵀ D_p J_p, with J_p = ∂o/∂w for the output o of each loss node
// (its first input; the other inputs, the targets, are constants) and D_p the diagonal of
// ∂²E_p/∂o² from the loss module's own bbprop term. Exact for losses whose Hessian in o is
// diagonal, as MSE (D = I) and every per-output loss. Column k of J_p is R{o} along e_k (§7.5), or
// a central difference of fprop when some module has no R-passes.
Matrix<double> Loss::gauss_newton() {
  impl_->check_weights();
  auto& graph = impl_->graph;
  auto& p = impl_->params();
  const std::int64_t n = dimension();
  const bool exact = exact_hvp_available();
  if (!exact)
    impl_->note(impl_->noted_jacobian, "exact Jacobians (Eq. 51)", "finite differences of fprop");

  std::vector<int> outputs;
  std::int64_t rows_per_example = 0;
  for (int l : graph.loss_nodes()) {
    outputs.push_back(graph.nodes()[l].inputs.front());
    rows_per_example += graph.nodes()[outputs.back()].state.size();
  }
  const int limit = static_cast<int>(std::clamp<std::int64_t>(
      jacobian_budget / std::max<std::int64_t>(1, rows_per_example * n), 1, impl_->chunk));

  Matrix<double> g = Matrix<double>::Zero(n, n);
  impl_->for_each_chunk(limit, [&](int count, double weight) {
    impl_->forward();
    std::vector<Matrix<double>> curvature;  // D, one column per example
    for (int l : graph.loss_nodes()) curvature.push_back(impl_->output_curvature(l));

    // J: rows (output i, example p) of each loss node, one column per weight.
    std::vector<Matrix<double>> jacobian;
    for (int o : outputs) jacobian.emplace_back(graph.nodes()[o].state.x.size(), n);
    const auto column = [&](std::int64_t k, const std::function<Matrix<double>(int)>& of) {
      for (std::size_t l = 0; l < outputs.size(); ++l)
        jacobian[l].col(k) = of(outputs[l]).reshaped();
    };
    if (exact) {
      p.rw().setZero();
      for (std::int64_t k = 0; k < n; ++k) {
        p.rw()[k] = 1;
        graph.r_fprop();
        column(k, [&](int o) { return graph.nodes()[o].state.rx; });
        p.rw()[k] = 0;
      }
    } else {
      // Central differences, h = eps^(1/3)·(1 + |w_k|): truncation O(h²) balances rounding.
      const WeightGuard guard(p.w());
      std::vector<Matrix<double>> plus(outputs.size());
      for (std::int64_t k = 0; k < n; ++k) {
        const double h = std::cbrt(epsilon) * (1 + std::abs(guard.saved()[k]));
        const double up = guard.saved()[k] + h, down = guard.saved()[k] - h;
        p.w()[k] = up;
        impl_->forward();
        for (std::size_t l = 0; l < outputs.size(); ++l)
          plus[l] = graph.nodes()[outputs[l]].state.x;
        p.w()[k] = down;
        impl_->forward();
        p.w()[k] = guard.saved()[k];
        for (std::size_t l = 0; l < outputs.size(); ++l)
          jacobian[l].col(k) =
              ((plus[l] - graph.nodes()[outputs[l]].state.x) / (up - down)).reshaped();
      }
    }
    for (std::size_t l = 0; l < outputs.size(); ++l)
      g.noalias() += (weight / count) * jacobian[l].transpose() *
                     (curvature[l].reshaped().asDiagonal() * jacobian[l]);
  });
  return g;
}

}  // namespace ebprop::curvature
