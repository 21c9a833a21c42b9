// softmax_xent: the cross-entropy of a softmax, E_p = −log p_c with p = exp(s) / Σ_k exp(s_k),
// s the scores and c the example's class: the largest entry of its target, so the ±1 one-of-N
// codes of §4.5 (and 0/1 codes) both name the class. Its gradient is dE/ds = p − e_c (e_c the
// one-hot vector of c). Its Hessian ∂²E/∂s² = diag(p) − p pᵀ is the loss's own curvature
// (module.h); bbprop adds its diagonal p (1 − p), exact rather than Gauss-Newton-approximated.
//
// Nothing flows back to the target: E is piecewise constant in it.
#include <cmath>

#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class SoftmaxXent final : public Module<T> {
 public:
  explicit SoftmaxXent(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    if (shape_size(inputs.at(0)) != shape_size(inputs.at(1)))
      throw ShapeError("scores have shape " + shape_str(inputs[0]) + " but target has shape " +
                       shape_str(inputs[1]) + "; softmax_xent needs one target value per score");
    return {1};
  }

  // The softmax with the largest score subtracted first, so exp() cannot overflow:
  // E = log Σ_k exp(s_k − m) − (s_c − m). Caches p and p − e_c.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    const Matrix<T>& s = in[0]->x;
    const Matrix<T>& target = in[1]->x;
    const int batch = static_cast<int>(s.cols());
    out.resize(batch);
    p_.resize(s.rows(), batch);
    error_.resize(s.rows(), batch);
    for (int b = 0; b < batch; ++b) {
      Eigen::Index c = 0;
      target.col(b).maxCoeff(&c);
      const T m = s.col(b).maxCoeff();
      p_.col(b) = (s.col(b).array() - m).exp();
      const T z = p_.col(b).sum();
      p_.col(b) /= z;
      out.x(0, b) = std::log(z) - (s(c, b) - m);
      error_.col(b) = p_.col(b);
      error_(c, b) -= T(1);
    }
  }

  // dE/ds = dy (p − e_c).
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient)
      in[0]->dx.array() += error_.array().rowwise() * out.dx.row(0).array();
  }

  // Gauss-Newton term ddy (p − e_c)² plus the loss's own curvature dy · p (1 − p) (module.h): with
  // the trainer's seeds ddy = 0 and dy = 1/batch, this is p (1 − p) / batch.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    if (!in[0]->needs_gradient) return;
    in[0]->ddx.array() += error_.array().square().rowwise() * out.ddx.row(0).array() +
                          (p_.array() * (T(1) - p_.array())).rowwise() * out.dx.row(0).array();
  }

  bool has_r_passes() const override { return true; }

  // R{E} = (p − e_c)ᵀ R{s} per example.
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    out.rx = error_.cwiseProduct(in[0]->rx).colwise().sum();
  }

  // R{dE/ds} = R{dy} (p − e_c) + dy R{p}, with R{p} = p ∘ (R{s} − pᵀ R{s}).
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    if (!in[0]->needs_gradient) return;
    const Matrix<T>& rs = in[0]->rx;
    const Matrix<T> r_p =
        (p_.array() * (rs.array().rowwise() - p_.cwiseProduct(rs).colwise().sum().array()))
            .matrix();
    in[0]->rdx.array() += error_.array().rowwise() * out.rdx.row(0).array() +
                          r_p.array().rowwise() * out.dx.row(0).array();
  }

 private:
  Matrix<T> p_;      // softmax of the last fprop, scores × batch
  Matrix<T> error_;  // p − e_c
};

void register_softmax_xent(Registry& registry) {
  registry.add_module<SoftmaxXent>(
      {"softmax_xent",
       "cross-entropy of a softmax E = -log p_class, the class being the target's largest entry; "
       "bbprop adds its own curvature p (1 - p) (§7.3)",
       {"scores", "target"},
       {},
       true,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{4}, {4}}, {CheckValues::any, CheckValues::one_of_n}},
        {{}, {{2, 3}, {6}}, {CheckValues::any, CheckValues::one_of_n}}},
       ModuleInfo::GaussNewton::generalized});
}

}  // namespace

EBPROP_PLUGIN(register_softmax_xent)
