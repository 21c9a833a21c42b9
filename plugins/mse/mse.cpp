// mse: the loss E_p = ½ Σ_k (d_k − o_k)² of one example (§1), d the target, o the output.
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Mse final : public Module<T> {
 public:
  explicit Mse(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    if (shape_size(inputs.at(0)) != shape_size(inputs.at(1)))
      throw ShapeError("output has shape " + shape_str(inputs[0]) + " but target has shape " +
                       shape_str(inputs[1]));
    return {1};
  }

  // Caches o − d for bprop and bbprop.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    error_ = in[0]->x - in[1]->x;
    out.resize(static_cast<int>(error_.cols()));
    out.x = T(0.5) * error_.colwise().squaredNorm();
  }

  // dE/do = dy (o − d), dE/dd = dy (d − o).
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    const auto dy = out.dx.row(0).array();
    if (in[0]->needs_gradient) in[0]->dx.array() += error_.array().rowwise() * dy;
    if (in[1]->needs_gradient) in[1]->dx.array() -= error_.array().rowwise() * dy;
  }

  // Gauss-Newton term ddy (o − d)² plus the loss's own curvature dy · d²E/do² = dy · 1, where
  // curvature enters the network (module.h): the engine seeds ddy = 0, dy = 1/batch. Same for d.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    const auto dy = out.dx.row(0).array();
    const auto ddy = out.ddx.row(0).array();
    for (State<T>* input : in)
      if (input->needs_gradient)
        input->ddx.array() += (error_.array().square().rowwise() * ddy).rowwise() + dy;
  }

  bool has_r_passes() const override { return true; }

  // R{E} = Σ_k (o − d)_k R{o − d}_k per example.
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    r_error_ = in[0]->rx - in[1]->rx;
    out.rx = error_.cwiseProduct(r_error_).colwise().sum();
  }

  // R{dE/do} = R{dy} (o − d) + dy R{o − d}; dE/dd is its negative.
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    const auto dy = out.dx.row(0).array();
    const auto rdy = out.rdx.row(0).array();
    const Matrix<T> r_grad =
        (error_.array().rowwise() * rdy + r_error_.array().rowwise() * dy).matrix();
    if (in[0]->needs_gradient) in[0]->rdx += r_grad;
    if (in[1]->needs_gradient) in[1]->rdx -= r_grad;
  }

 private:
  Matrix<T> error_;    // o − d
  Matrix<T> r_error_;  // R{o − d}
};

void register_mse(Registry& registry) {
  registry.add_module<Mse>(
      {"mse",
       "mean squared error loss E = ½ Σ (d − o)² per example (§1); "
       "bbprop adds its own curvature 1 (§7.3)",
       {"output", "target"},
       {},
       true,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{4}, {4}}, {CheckValues::any, CheckValues::plus_minus_one}},
        {{}, {{2, 2}, {4}}, {CheckValues::any, CheckValues::plus_minus_one}}},
       ModuleInfo::GaussNewton::square_jacobian});
}

}  // namespace

EBPROP_PLUGIN(register_mse)
