// linear: the full connection y = W x + b, the weighted sums of a layer (§1.2).
#include <algorithm>
#include <cstdint>
#include <string>

#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Linear final : public Module<T> {
 public:
  explicit Linear(const Settings& settings)
      : outputs_(static_cast<int>(settings.integer("outputs"))), bias_(settings.boolean("bias")) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    inputs_ = shape_size(inputs.at(0));  // any shape, taken flat
    // Eq. 16: m counts every connection into a unit, the bias's included.
    fan_in_ = checked_size(std::int64_t{inputs_} + (bias_ ? 1 : 0), "linear's fan-in");
    return {outputs_};
  }

  std::vector<ParamSpec> parameters() const override {
    std::vector<ParamSpec> specs{{"weight", outputs_, inputs_, fan_in_, Init::fan_in}};
    if (bias_) specs.push_back({"bias", outputs_, 1, fan_in_, Init::fan_in});
    return specs;
  }

  void bind(const std::vector<ParamView<T>>& views) override {
    weight_ = views.at(0);
    if (bias_) bias_view_ = views.at(1);
  }

  void fprop(const Inputs<T>& in, State<T>& out) override {
    const Matrix<T>& x = in[0]->x;
    out.resize(static_cast<int>(x.cols()));
    out.x.noalias() = weight_.value() * x;
    if (bias_) out.x.colwise() += bias_view_.value().col(0);
  }

  // Eq. 4-5: dx += Wᵀ dy, dW += dy xᵀ, db += Σ_examples dy. In a fused step (module.h) the
  // gradient goes straight into the weights instead, after dx has read them: W −= s dy xᵀ and
  // b −= s Σ dy, or with SDLM's factors F (Eq. 61) W −= s F⊙(dy xᵀ) and b −= s F_b⊙Σ dy.
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    if (input.needs_gradient) input.dx.noalias() += weight_.value().transpose() * out.dx;
    descend_or_add(weight_, out.dx, input.x);
    if (!bias_) return;
    const T bias_step = bias_view_.descent_step();
    if (bias_step == T(0)) {
      bias_view_.grad().col(0) += out.dx.rowwise().sum();
    } else if (const T* f = bias_view_.descent_factors()) {
      bias_view_.value().col(0).array() -= bias_step *
                                           Eigen::Map<const Vector<T>>(f, outputs_).array() *
                                           out.dx.rowwise().sum().array();
    } else {
      bias_view_.value().col(0) -= bias_step * out.dx.rowwise().sum();
    }
  }

  bool fuses_descent() const override { return true; }

  // Gauss-Newton (§7.3): Eq. 56 ddx += (W∘W)ᵀ ddy; Eq. 54 ddW += ddy (x∘x)ᵀ, ddb += Σ ddy.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    if (input.needs_gradient) add_squared_weights(out.ddx, input.ddx);
    x_squared_ = input.x.array().square();
    add_outer(weight_.hess(), out.ddx, x_squared_, T(1));
    if (bias_) bias_view_.hess().col(0) += out.ddx.rowwise().sum();
  }

  bool has_r_passes() const override { return true; }

  // R{y} = W R{x} + V x + R{b}, V the direction of W (§7.5). R{x} = 0 for data (module.h).
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    out.rx.noalias() = weight_.direction() * in[0]->x;
    if (in[0]->needs_gradient) out.rx.noalias() += weight_.value() * in[0]->rx;
    if (bias_) out.rx.colwise() += bias_view_.direction().col(0);
  }

  // R{dx} = Vᵀ dy + Wᵀ R{dy};  R{dW} = R{dy} xᵀ + dy R{x}ᵀ;  R{db} = Σ R{dy}.
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    if (input.needs_gradient) {
      input.rdx.noalias() += weight_.direction().transpose() * out.dx;
      input.rdx.noalias() += weight_.value().transpose() * out.rdx;
      weight_.r_grad().noalias() += out.dx * input.rx.transpose();
    }
    weight_.r_grad().noalias() += out.rdx * input.x.transpose();
    if (bias_) bias_view_.r_grad().col(0) += out.rdx.rowwise().sum();
  }

 private:
  // ddx += (W∘W)ᵀ ddy. For one example each weight is squared as it is read, a column of W at a
  // time (writing W∘W out would cost as much again); for more, one matrix product with W∘W.
  void add_squared_weights(const Matrix<T>& ddy, Matrix<T>& ddx) {
    const auto w = weight_.value();
    if (ddy.cols() == 1) {
      for (Eigen::Index j = 0; j < w.cols(); ++j)
        ddx(j, 0) += (w.col(j).array().square() * ddy.col(0).array()).sum();
      return;
    }
    w_squared_ = w.array().square();
    ddx.noalias() += w_squared_.transpose() * ddy;
  }

  // The weight part of bprop: view.grad() += a bᵀ, or the fused step of `view` with it.
  void descend_or_add(const ParamView<T>& view, const Matrix<T>& a, const Matrix<T>& b) {
    const T step = view.descent_step();
    const T* f = view.descent_factors();
    if (step == T(0)) {
      add_outer(view.grad(), a, b, T(1));
      return;
    }
    if (f == nullptr) {
      add_outer(view.value(), a, b, -step);
      return;
    }
    // SDLM's factors (Eq. 61).
    const Eigen::Map<const Matrix<T>> factors(f, view.rows, view.cols);
    auto w = view.value();
    if (a.cols() == 1) {
      // Online SDLM: column j of W moves by −s x_j F_j⊙dy, one pass over W and F.
      for (Eigen::Index j = 0; j < w.cols(); ++j)
        w.col(j).array() -= (step * b(j, 0)) * factors.col(j).array() * a.col(0).array();
    } else {
      // A batch: the product a bᵀ one block of columns at a time into scratch that stays in
      // cache, each block stepped as soon as it is made: no pass over dw.
      constexpr Eigen::Index kBlock = 64;
      block_.resize(view.rows * kBlock);
      for (Eigen::Index j = 0; j < w.cols(); j += kBlock) {
        const Eigen::Index n = std::min(kBlock, w.cols() - j);
        Eigen::Map<Matrix<T>> g(block_.data(), view.rows, n);
        g.noalias() = a * b.middleRows(j, n).transpose();
        w.middleCols(j, n).array() -= step * factors.middleCols(j, n).array() * g.array();
      }
    }
  }

  // g += c a bᵀ summed over the batch. For one example this is the rank-1 update of online
  // learning (§4.1); Eigen would otherwise run a depth-1 matrix product through its GEMM kernel.
  static void add_outer(typename ParamView<T>::MatrixMap g, const Matrix<T>& a, const Matrix<T>& b,
                        T c) {
    if (a.cols() == 1)
      g.noalias() += (c * a.col(0)) * b.col(0).transpose();
    else
      g.noalias() += c * (a * b.transpose());
  }

  int outputs_;
  bool bias_;
  int inputs_ = 0, fan_in_ = 1;
  ParamView<T> weight_, bias_view_;
  Matrix<T> w_squared_, x_squared_;  // bbprop scratch, sized once
  Vector<T> block_;                  // fused SDLM step's scratch: rows × 64 of a bᵀ
};

void register_linear(Registry& registry) {
  registry.add_module<Linear>(
      {"linear",
       "full connection y = W x + b (§1.2); weights drawn with sigma = m^-1/2 (Eq. 16), "
       "bbprop by Eq. 54 and 56",
       {"x"},
       {required("outputs", SettingType::integer, "number of output units").at_least(1),
        optional("bias", SettingType::boolean, "true", "add a trainable bias per output")},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{{"outputs", "4"}}, {{5}}},
        {{{"outputs", "3"}, {"bias", "false"}}, {{5}}},
        {{{"outputs", "2"}}, {{2, 3, 2}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_linear)
