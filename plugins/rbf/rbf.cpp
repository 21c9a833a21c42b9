// rbf: Gaussian radial basis function units (§4.8), y_i = exp(−‖x − ν_i‖² / (2σ_i²)).
//
// §4.8's network g(x) = Σ_i w_i exp(−‖x − ν_i‖² / (2σ_i²)) is this layer followed by `linear`.
// Each unit has a centre ν_i (parameter "centre", units × inputs) and a width σ_i, trained here by
// gradient descent like any weight (§4.8 also mentions setting them by unsupervised clustering;
// the engine's initializers do not see the data). With n inputs, the parameter "width" holds
//     ρ_i = log(σ_i / √n),   i.e.  σ_i = √n · exp(ρ_i):
// the log keeps σ positive whatever step an optimizer takes, and the √n makes Init::zero a
// sensible start. For inputs normalized as §4.3 advises (zero mean, unit variance), and centres
// drawn with unit variance too (Init::fan_in with m = 1, Eq. 16's rule for a single input), the
// squared distance is about 2n, so the units start near e^-1, on the steep part of the Gaussian.
#include <string>

#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Rbf final : public Module<T> {
 public:
  explicit Rbf(const Settings& settings) : units_(static_cast<int>(settings.integer("units"))) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    inputs_ = shape_size(inputs.at(0));  // any shape, taken flat
    return {units_};
  }

  std::vector<ParamSpec> parameters() const override {
    return {{"centre", units_, inputs_, 1, Init::fan_in}, {"width", units_, 1, 1, Init::zero}};
  }

  void bind(const std::vector<ParamView<T>>& views) override {
    centre_ = views.at(0);
    width_ = views.at(1);
  }

  // y_i = exp(−c_i d_i / 2) with d_i = ‖x − ν_i‖² and c_i = 1/σ_i² = exp(−2ρ_i) / n.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    const Matrix<T>& x = in[0]->x;
    out.resize(static_cast<int>(x.cols()));
    c_ = (T(-2) * width_.value().col(0).array()).exp() / T(inputs_);
    d_.resize(units_, x.cols());
    for (int i = 0; i < units_; ++i) d_.row(i) = difference(x, i).colwise().squaredNorm();
    out.x = ((d_.array().colwise() * c_.array()) * T(-0.5)).exp().matrix();
  }

  // With g_i = dy_i · y_i · c_i:  dE/dx = −Σ_i g_i (x − ν_i),  dE/dν_i = Σ g_i (x − ν_i),
  // dE/dρ_i = Σ g_i d_i (dc_i/dρ_i = −2c_i); the sums Σ run over the examples of the batch.
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    const Matrix<T> g = gain(out.dx, out.x);
    for (int i = 0; i < units_; ++i) {
      const Matrix<T> term = (difference(input.x, i).array().rowwise() * g.row(i).array()).matrix();
      if (input.needs_gradient) input.dx -= term;
      centre_.grad().row(i) += term.rowwise().sum().transpose();
    }
    width_.grad().col(0) += g.cwiseProduct(d_).rowwise().sum();
  }

  // Gauss-Newton (§7.3): Σ_i ddy_i J_i², the Jacobians being bprop's with dy_i = 1, so with
  // q_i = ddy_i (y_i c_i)²:  ddx += Σ_i q_i (x − ν_i)²,  ddν_i += Σ q_i (x − ν_i)²,
  // ddρ_i += Σ q_i d_i².
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    const Matrix<T> q = (out.x.array().colwise() * c_.array()).square() * out.ddx.array();
    for (int i = 0; i < units_; ++i) {
      const Matrix<T> term =
          (difference(input.x, i).array().square().rowwise() * q.row(i).array()).matrix();
      if (input.needs_gradient) input.ddx += term;
      centre_.hess().row(i) += term.rowwise().sum().transpose();
    }
    width_.hess().col(0) += q.cwiseProduct(d_.cwiseAbs2()).rowwise().sum();
  }

  bool has_r_passes() const override { return true; }

  // §7.5, along R{x} and the direction (V, R{ρ}) of (ν, ρ): with R{x − ν_i} = R{x} − V_i,
  //   R{y_i} = y_i c_i (d_i R{ρ_i} − (x − ν_i)ᵀ R{x − ν_i}).
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    const State<T>& input = *in[0];
    out.rx.resize(units_, input.batch());
    for (int i = 0; i < units_; ++i)
      out.rx.row(i) =
          -difference(input.x, i).cwiseProduct(r_difference(input.rx, i)).colwise().sum();
    out.rx += (d_.array().colwise() * width_.direction().col(0).array()).matrix();
    out.rx = (out.rx.array() * out.x.array()).colwise() * c_.array();
  }

  // The R{} of bprop's three sums, with R{g_i} = c_i (R{dy_i} y_i + dy_i R{y_i}) − 2 g_i R{ρ_i}
  // and R{d_i} = 2 (x − ν_i)ᵀ R{x − ν_i}.
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    const Matrix<T> g = gain(out.dx, out.x);
    const Matrix<T> rg = (gain(out.rdx, out.x) + gain(out.dx, out.rx)).array() -
                         (g.array().colwise() * width_.direction().col(0).array()) * T(2);
    for (int i = 0; i < units_; ++i) {
      const Matrix<T>& diff = difference(input.x, i);
      const Matrix<T>& r_diff = r_difference(input.rx, i);
      const Matrix<T> term =
          (diff.array().rowwise() * rg.row(i).array() + r_diff.array().rowwise() * g.row(i).array())
              .matrix();
      if (input.needs_gradient) input.rdx -= term;
      centre_.r_grad().row(i) += term.rowwise().sum().transpose();
      const Matrix<T> r_d = T(2) * diff.cwiseProduct(r_diff).colwise().sum();
      width_.r_grad()(i, 0) +=
          (rg.row(i).cwiseProduct(d_.row(i)) + g.row(i).cwiseProduct(r_d)).sum();
    }
  }

 private:
  // x − ν_i for every example (one column each), in a scratch matrix.
  const Matrix<T>& difference(const Matrix<T>& x, int i) {
    diff_ = x.colwise() - centre_.value().row(i).transpose();
    return diff_;
  }

  // R{x − ν_i} = R{x} − V_i.
  const Matrix<T>& r_difference(const Matrix<T>& rx, int i) {
    r_diff_ = rx.colwise() - centre_.direction().row(i).transpose();
    return r_diff_;
  }

  // g = dy ∘ y ∘ c per unit (row) and example (column).
  Matrix<T> gain(const Matrix<T>& dy, const Matrix<T>& y) const {
    return (dy.array() * y.array()).colwise() * c_.array();
  }

  int units_;
  int inputs_ = 0;
  ParamView<T> centre_, width_;
  Vector<T> c_;              // 1/σ_i² of the last fprop
  Matrix<T> d_;              // ‖x − ν_i‖² of the last fprop, units × batch
  Matrix<T> diff_, r_diff_;  // scratch, inputs × batch
};

void register_rbf(Registry& registry) {
  registry.add_module<Rbf>(
      {"rbf",
       "Gaussian RBF units y_i = exp(-|x - centre_i|^2 / (2 sigma_i^2)) (§4.8); 'width' holds "
       "log(sigma / sqrt(inputs)), 0 at the start; bbprop by Gauss-Newton (§7.3)",
       {"x"},
       {required("units", SettingType::integer, "number of RBF units").at_least(1)},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{{"units", "3"}}, {{5}}}, {{{"units", "1"}}, {{2, 3}}}, {{{"units", "4"}}, {{1}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_rbf)
