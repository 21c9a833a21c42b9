// tanh: the hyperbolic tangent, the symmetric sigmoid of §4.4 without its scaling.
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Tanh final : public Module<T> {
 public:
  explicit Tanh(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override { return inputs.at(0); }

  // Caches f'(a) = 1 − tanh²(a) for bprop and bbprop.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(static_cast<int>(in[0]->x.cols()));
    out.x.array() = in[0]->x.array().tanh();
    derivative_ = T(1) - out.x.array().square();
  }

  void bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->dx.array() += out.dx.array() * derivative_;
  }

  // Eq. 53: d2E/da2 += d2E/dy2 f'(a)^2.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->ddx.array() += out.ddx.array() * derivative_.square();
  }

 private:
  Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic> derivative_;
};

void register_tanh(Registry& registry) {
  registry.add_module<Tanh>(
      {"tanh", "f(a) = tanh(a), pointwise (§4.4: prefer stanh)", {"x"}, {}, false});
}

}  // namespace

EBPROP_PLUGIN(register_tanh)
