// euclidean and euclidean_loss: LeNet-5's output layer of Euclidean RBF units and its training
// criterion (LeCun, Bottou, Bengio & Haffner 1998, §II.B Eq. 7 and §II.C Eq. 8). One prototype
// p_i per class, a vector of the input's size.
//
//   euclidean(x)              y_i = −‖x − p_i‖²      scores for prediction; argmax = nearest p_i
//   euclidean_loss(x, target) E_p = ½ ‖x − p_c‖²     c = the largest entry of the target
//
// Why a loss of its own rather than the layer followed by "pick the correct class's output":
// LeNet-5's criterion E = y_c (Eq. 8) is linear in the layer's outputs, so under the
// Gauss-Newton rule of bbprop (§7.3), where a layer drops its own second derivative, no curvature
// would ever enter the network. The composition is one function of x, though: the squared
// distance to the correct class's prototype, i.e. mse with that prototype as the target, whose
// second derivative (1 per component) is exact; euclidean_loss adds it where module.h lets a loss
// add curvature. Its ½ (as in mse and EBLearn's euclidean_module) only rescales the learning rate
// against LeNet-5's ‖x − p_c‖².
// The layer serves prediction: its outputs are the negated distances, so the runner's argmax picks
// the nearest prototype (`predict = NODE` in [run]), and softmax_xent on them is LeNet-5's
// discriminative criterion (Eq. 9) without the rubbish-class constant j.
//
// Prototypes. With trainable=false (the default; LeNet-5 kept them fixed, "at least initially")
// they are fixed ±1 codes drawn at random from `seed`, identical in every module with the same
// seed and size. LeNet-5 drew stylized 7×12 bitmaps of its characters instead, noting that random
// ±1 codes would do: random codes are the stand-in here. With trainable=true they are a parameter
// "prototypes" (classes × inputs), drawn uniform with unit variance like the ±1 codes (Init::fan_in
// with m = 1); a euclidean layer and a euclidean_loss share it with
// `share.prototypes=NODE.prototypes` (§4.7). Trained under euclidean_loss alone, prototypes can
// collapse onto one point with x (the trivial minimum of §II.C); softmax_xent on the layer's
// scores has no such minimum.
#include <cstdint>
#include <limits>
#include <string>

#include "ebprop/memory.h"
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

// The prototypes of either module: fixed codes or a trainable parameter.
template <typename T>
class Prototypes {
 public:
  explicit Prototypes(const Settings& settings)
      : trainable_(settings.boolean("trainable")), seed_(settings.integer("seed")) {}

  // Makes them classes × inputs; draws the fixed codes, refusing two equal ones.
  void resize(int classes, int inputs) {
    classes_ = classes;
    inputs_ = inputs;
    const int size =
        checked_size(std::int64_t{classes} * inputs, "the prototypes (classes x inputs)");
    if (trainable_) return;  // a parameter: the engine checks its memory
    check_allocation(static_cast<std::uint64_t>(size), 2 * sizeof(T), "the fixed prototypes");
    Rng rng(static_cast<std::uint64_t>(seed_));
    codes_.resize(classes, inputs);
    for (int i = 0; i < classes; ++i)
      for (int j = 0; j < inputs; ++j) codes_(i, j) = uniform01(rng) < 0.5 ? T(-1) : T(1);
    for (int i = 0; i < classes; ++i)
      for (int k = 0; k < i; ++k)
        if (codes_.row(i) == codes_.row(k))
          throw ShapeError("the ±1 codes drawn for classes " + std::to_string(k) + " and " +
                           std::to_string(i) + " with seed " + std::to_string(seed_) +
                           " coincide, so no distance can tell them apart: give the prototypes "
                           "more inputs (LeNet-5: 84 for 10 classes) or another seed");
    zero_ = Matrix<T>::Zero(classes, inputs);
  }

  std::vector<ParamSpec> parameters() const {
    if (!trainable_) return {};
    return {{"prototypes", classes_, inputs_, 1, Init::fan_in}};
  }

  void bind(const std::vector<ParamView<T>>& views) {
    if (trainable_) view_ = views.at(0);
  }

  bool trainable() const { return trainable_; }
  const ParamView<T>& view() const { return view_; }

  // p_i as a column: a view of row i of the classes × inputs matrix.
  using Column = Eigen::Map<const Vector<T>, 0, Eigen::InnerStride<>>;
  Column row(int i) const { return column(trainable_ ? view_.w : codes_.data(), i); }
  // V_i, the direction of p_i for the R-passes (§7.5): 0 for fixed codes.
  Column direction(int i) const { return column(trainable_ ? view_.rw : zero_.data(), i); }

 private:
  Column column(const T* data, int i) const {
    return Column(data + i, inputs_, Eigen::InnerStride<>(classes_));
  }

  bool trainable_;
  std::int64_t seed_;
  int classes_ = 0, inputs_ = 0;
  Matrix<T> codes_, zero_;  // when fixed
  ParamView<T> view_;       // when trainable
};

std::vector<SettingSpec> prototype_settings() {
  return {optional("trainable", SettingType::boolean, "false",
                   "train the prototypes (else fixed random ±1 codes, as LeNet-5 kept them fixed)"),
          optional("seed", SettingType::integer, "1", "draws the fixed ±1 codes")
              .at_least(0)
              .at_most(static_cast<double>(std::numeric_limits<std::int64_t>::max()))};
}

template <typename T>
class Euclidean final : public Module<T> {
 public:
  explicit Euclidean(const Settings& settings)
      : units_(static_cast<int>(settings.integer("units"))), prototypes_(settings) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    prototypes_.resize(units_, shape_size(inputs.at(0)));
    return {units_};
  }

  std::vector<ParamSpec> parameters() const override { return prototypes_.parameters(); }
  void bind(const std::vector<ParamView<T>>& views) override { prototypes_.bind(views); }

  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(in[0]->batch());
    for (int i = 0; i < units_; ++i)
      out.x.row(i) = -difference(in[0]->x, i).colwise().squaredNorm();
  }

  // dE/dx = −2 Σ_i dy_i (x − p_i), dE/dp_i = 2 Σ_examples dy_i (x − p_i).
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    for (int i = 0; i < units_; ++i) {
      const Matrix<T> term =
          (difference(input.x, i).array().rowwise() * out.dx.row(i).array() * T(2)).matrix();
      if (input.needs_gradient) input.dx -= term;
      if (prototypes_.trainable())
        prototypes_.view().grad().row(i) += term.rowwise().sum().transpose();
    }
  }

  // Gauss-Newton (§7.3): J² = 4 (x − p_i)² for both x and p_i; the layer's own second derivative
  // (−2) is dropped, as for any layer.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    for (int i = 0; i < units_; ++i) {
      const Matrix<T> term =
          (difference(input.x, i).array().square().rowwise() * out.ddx.row(i).array() * T(4))
              .matrix();
      if (input.needs_gradient) input.ddx += term;
      if (prototypes_.trainable())
        prototypes_.view().hess().row(i) += term.rowwise().sum().transpose();
    }
  }

  bool has_r_passes() const override { return true; }

  // §7.5: R{y_i} = −2 (x − p_i)ᵀ R{x − p_i}, with R{x − p_i} = R{x} − V_i.
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    out.rx.resize(units_, in[0]->batch());
    for (int i = 0; i < units_; ++i)
      out.rx.row(i) =
          T(-2) * difference(in[0]->x, i).cwiseProduct(r_difference(in[0]->rx, i)).colwise().sum();
  }

  // R{} of bprop's terms: 2 (R{dy_i} (x − p_i) + dy_i R{x − p_i}).
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    for (int i = 0; i < units_; ++i) {
      const Matrix<T> term =
          (T(2) * (difference(input.x, i).array().rowwise() * out.rdx.row(i).array() +
                   r_difference(input.rx, i).array().rowwise() * out.dx.row(i).array()))
              .matrix();
      if (input.needs_gradient) input.rdx -= term;
      if (prototypes_.trainable())
        prototypes_.view().r_grad().row(i) += term.rowwise().sum().transpose();
    }
  }

 private:
  // x − p_i and R{x} − V_i for every example (one column each), in scratch matrices.
  const Matrix<T>& difference(const Matrix<T>& x, int i) {
    diff_ = x.colwise() - prototypes_.row(i);
    return diff_;
  }
  const Matrix<T>& r_difference(const Matrix<T>& rx, int i) {
    r_diff_ = rx.colwise() - prototypes_.direction(i);
    return r_diff_;
  }

  int units_;
  Prototypes<T> prototypes_;
  Matrix<T> diff_, r_diff_;
};

template <typename T>
class EuclideanLoss final : public Module<T> {
 public:
  explicit EuclideanLoss(const Settings& settings) : prototypes_(settings) {}

  // One prototype per class, one class per target entry.
  Shape output_shape(const std::vector<Shape>& inputs) override {
    prototypes_.resize(shape_size(inputs.at(1)), shape_size(inputs.at(0)));
    return {1};
  }

  std::vector<ParamSpec> parameters() const override { return prototypes_.parameters(); }
  void bind(const std::vector<ParamView<T>>& views) override { prototypes_.bind(views); }

  // Caches each example's class c and x − p_c.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    const Matrix<T>& x = in[0]->x;
    const int batch = static_cast<int>(x.cols());
    out.resize(batch);
    classes_.resize(batch);
    error_.resize(x.rows(), batch);
    for (int b = 0; b < batch; ++b) {
      Eigen::Index c = 0;
      in[1]->x.col(b).maxCoeff(&c);
      classes_[b] = static_cast<int>(c);
      error_.col(b) = x.col(b) - prototypes_.row(classes_[b]);
    }
    out.x = T(0.5) * error_.colwise().squaredNorm();
  }

  // dE/dx = dy (x − p_c), dE/dp_c = −dy (x − p_c).
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    const Matrix<T> grad = (error_.array().rowwise() * out.dx.row(0).array()).matrix();
    if (in[0]->needs_gradient) in[0]->dx += grad;
    if (prototypes_.trainable()) add_to_prototypes(prototypes_.view().grad(), -grad);
  }

  // Gauss-Newton term ddy (x − p_c)² plus the loss's own curvature dy · 1 (module.h), for x and
  // for p_c: with the trainer's seeds ddy = 0 and dy = 1/batch, this is 1/batch.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    const Matrix<T> curvature =
        ((error_.array().square().rowwise() * out.ddx.row(0).array()).rowwise() +
         out.dx.row(0).array())
            .matrix();
    if (in[0]->needs_gradient) in[0]->ddx += curvature;
    if (prototypes_.trainable()) add_to_prototypes(prototypes_.view().hess(), curvature);
  }

  bool has_r_passes() const override { return true; }

  // §7.5: R{E} = (x − p_c)ᵀ R{x − p_c}, R{x − p_c} = R{x} − V_c.
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    r_error_ = in[0]->rx;
    for (int b = 0; b < r_error_.cols(); ++b) r_error_.col(b) -= prototypes_.direction(classes_[b]);
    out.rx = error_.cwiseProduct(r_error_).colwise().sum();
  }

  // R{dE/dx} = R{dy} (x − p_c) + dy R{x − p_c}; R{dE/dp_c} is its negative.
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    const Matrix<T> r_grad = (error_.array().rowwise() * out.rdx.row(0).array() +
                              r_error_.array().rowwise() * out.dx.row(0).array())
                                 .matrix();
    if (in[0]->needs_gradient) in[0]->rdx += r_grad;
    if (prototypes_.trainable()) add_to_prototypes(prototypes_.view().r_grad(), -r_grad);
  }

 private:
  // Adds column b of `per_example` into the row of example b's class.
  void add_to_prototypes(typename ParamView<T>::MatrixMap target,
                         const Matrix<T>& per_example) const {
    for (int b = 0; b < per_example.cols(); ++b)
      target.row(classes_[b]) += per_example.col(b).transpose();
  }

  Prototypes<T> prototypes_;
  std::vector<int> classes_;  // of the last fprop's examples
  Matrix<T> error_;           // x − p_c
  Matrix<T> r_error_;         // R{x − p_c}
};

void register_euclidean(Registry& registry) {
  std::vector<SettingSpec> layer_settings{
      required("units", SettingType::integer, "number of classes (one prototype each)")
          .at_least(1)};
  for (const SettingSpec& s : prototype_settings()) layer_settings.push_back(s);
  registry.add_module<Euclidean>(
      {"euclidean",
       "LeNet-5's Euclidean RBF outputs, negated: y_i = -|x - p_i|^2 (LeCun et al. 1998, Eq. 7), "
       "so argmax predicts the nearest prototype; bbprop by Gauss-Newton (§7.3)",
       {"x"},
       layer_settings,
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{{"units", "3"}}, {{5}}},
        {{{"units", "2"}, {"seed", "9"}}, {{2, 2}}},
        {{{"units", "4"}, {"trainable", "true"}}, {{3}}}}});
  registry.add_module<EuclideanLoss>(
      {"euclidean_loss",
       "LeNet-5's criterion (LeCun et al. 1998, Eq. 8) as MSE to the correct class's prototype: "
       "E = ½ |x - p_class|^2; bbprop adds its own curvature 1 (§7.3)",
       {"x", "target"},
       prototype_settings(),
       true,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{6}, {4}}, {CheckValues::any, CheckValues::one_of_n}},
        {{{"trainable", "true"}}, {{2, 3}, {3}}, {CheckValues::any, CheckValues::one_of_n}}}});
}

}  // namespace

EBPROP_PLUGIN(register_euclidean)
