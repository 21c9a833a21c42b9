// linear: the full connection y = W x + b, the weighted sums of a layer (§1.2).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

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

  bool splits_work() const override { return true; }
  void use_workers(const Workers& workers) override { workers_ = &workers; }

  // Split by input units (module.h, SPLITTING A PASS): each piece owns a range of W's columns,
  // contiguous in memory, in every pass. Here piece k forms W_k x_k over its columns, and the
  // pieces' sums are added in piece order.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    const Matrix<T>& x = in[0]->x;
    out.resize(static_cast<int>(x.cols()));
    const int pieces = pieces_of(x.cols());
    partial_.resize(pieces - 1);
    split(x.cols(), [&](int k, Eigen::Index j, Eigen::Index n) {
      Matrix<T>& y = k == 0 ? out.x : partial_[k - 1];
      y.noalias() = weight_.value().middleCols(j, n) * x.middleRows(j, n);
    });
    for (const Matrix<T>& y : partial_) out.x += y;
    if (bias_) out.x.colwise() += bias_view_.value().col(0);
  }

  // Eq. 4-5: dx += Wᵀ dy, dW += dy xᵀ, db += Σ_examples dy. In a fused step (module.h) the
  // gradient goes straight into the weights instead, after dx has read them: W −= s dy xᵀ and
  // b −= s Σ dy, or with SDLM's factors F (Eq. 61) W −= s F⊙(dy xᵀ) and b −= s F_b⊙Σ dy.
  // Split by input units: each piece's rows of dx read only its own columns of W.
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    const Eigen::Index batch = out.dx.cols();
    const int pieces = pieces_of(batch);
    if (weight_.descent_factors() && batch > 1) block_.resize(pieces * outputs_ * kBlock);
    split(batch, [&](int k, Eigen::Index j, Eigen::Index n) {
      if (input.needs_gradient)
        input.dx.middleRows(j, n).noalias() +=
            weight_.value().middleCols(j, n).transpose() * out.dx;
      descend_or_add(k, j, n, out.dx, input.x);
    });
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
  // Split by input units, as bprop.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    const Eigen::Index batch = out.ddx.cols();
    if (input.needs_gradient && batch > 1) w_squared_.resize(outputs_, inputs_);
    x_squared_ = input.x.array().square();
    split(batch, [&](int, Eigen::Index j, Eigen::Index n) {
      if (input.needs_gradient) add_squared_weights(out.ddx, input.ddx, j, n);
      add_outer(weight_.hess().middleCols(j, n), out.ddx, x_squared_.middleRows(j, n), T(1));
    });
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
  // The least work of a piece of a split (multiply-adds): below it, waking a thread costs more
  // than the piece saves.
  static constexpr std::int64_t kPieceWork = 1 << 16;

  // task(piece, first, count) over the pieces of W's columns, of at least kPieceWork each.
  int pieces_of(Eigen::Index batch) const { return workers_->pieces(inputs_, grain(batch)); }
  template <typename Task>
  void split(Eigen::Index batch, Task&& task) const {
    workers_->split(inputs_, grain(batch), [&](int k, std::int64_t begin, std::int64_t end) {
      task(k, static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(end - begin));
    });
  }
  std::int64_t grain(Eigen::Index batch) const {
    return std::max<std::int64_t>(1, kPieceWork / (std::int64_t{outputs_} * batch));
  }

  // Rows [j, j + n) of ddx += (W∘W)ᵀ ddy. For one example each weight is squared as it is read,
  // a column of W at a time (writing W∘W out would cost as much again); for more, one matrix
  // product with those columns of W∘W (w_squared_, sized by the caller).
  void add_squared_weights(const Matrix<T>& ddy, Matrix<T>& ddx, Eigen::Index j, Eigen::Index n) {
    const auto w = weight_.value();
    if (ddy.cols() == 1) {
      for (Eigen::Index c = j; c < j + n; ++c)
        ddx(c, 0) += (w.col(c).array().square() * ddy.col(0).array()).sum();
      return;
    }
    w_squared_.middleCols(j, n) = w.middleCols(j, n).array().square();
    ddx.middleRows(j, n).noalias() += w_squared_.middleCols(j, n).transpose() * ddy;
  }

  // Columns [j, j + n) of the weight part of bprop, for piece k: grad() += dy xᵀ, or the fused
  // step with it.
  void descend_or_add(int k, Eigen::Index j, Eigen::Index n, const Matrix<T>& dy,
                      const Matrix<T>& x) {
    const T step = weight_.descent_step();
    const T* f = weight_.descent_factors();
    const auto b = x.middleRows(j, n);
    if (step == T(0)) {
      add_outer(weight_.grad().middleCols(j, n), dy, b, T(1));
      return;
    }
    auto w = weight_.value().middleCols(j, n);
    if (f == nullptr) {
      add_outer(w, dy, b, -step);
      return;
    }
    // SDLM's factors (Eq. 61).
    const auto factors = Eigen::Map<const Matrix<T>>(f, outputs_, inputs_).middleCols(j, n);
    if (dy.cols() == 1) {
      // Online SDLM: column c of W moves by −s x_c F_c⊙dy, one pass over W and F.
      for (Eigen::Index c = 0; c < n; ++c)
        w.col(c).array() -= (step * b(c, 0)) * factors.col(c).array() * dy.col(0).array();
    } else {
      // A batch: the product dy xᵀ one block of columns at a time into the piece's scratch,
      // which stays in cache (piece k's part of block_, sized by the caller), each block stepped
      // as soon as it is made: no pass over dw.
      for (Eigen::Index c = 0; c < n; c += kBlock) {
        const Eigen::Index m = std::min(kBlock, n - c);
        Eigen::Map<Matrix<T>> g(block_.data() + k * outputs_ * kBlock, outputs_, m);
        g.noalias() = dy * b.middleRows(c, m).transpose();
        w.middleCols(c, m).array() -= step * factors.middleCols(c, m).array() * g.array();
      }
    }
  }

  // g += c a bᵀ summed over the batch. For one example this is the rank-1 update of online
  // learning (§4.1); Eigen would otherwise run a depth-1 matrix product through its GEMM kernel.
  template <typename G, typename B>
  static void add_outer(G&& g, const Matrix<T>& a, const B& b, T c) {
    if (a.cols() == 1)
      g.noalias() += (c * a.col(0)) * b.col(0).transpose();
    else
      g.noalias() += c * (a * b.transpose());
  }

  static constexpr Eigen::Index kBlock = 64;  // columns of a block of the batch SDLM step

  int outputs_;
  bool bias_;
  int inputs_ = 0, fan_in_ = 1;
  ParamView<T> weight_, bias_view_;
  Matrix<T> w_squared_, x_squared_;  // bbprop scratch, sized once
  Vector<T> block_;                  // fused SDLM step's scratch: outputs × kBlock a piece
  std::vector<Matrix<T>> partial_;   // fprop: W_k x_k of the pieces after the first
  const Workers* workers_ = &Workers::alone();
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
