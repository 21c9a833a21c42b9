// logistic: f(a) = 1 / (1 + e^-a), the non-symmetric sigmoid §4.4 advises against (outputs are
// all positive, which biases the next layer's weight updates, §4.3); here for comparison.
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Logistic final : public Module<T> {
 public:
  explicit Logistic(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override { return inputs.at(0); }

  // Caches f'(a) = f(a) (1 − f(a)) for bprop and bbprop.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(static_cast<int>(in[0]->x.cols()));
    out.x.array() = in[0]->x.array().logistic();
    derivative_ = out.x.array() * (T(1) - out.x.array());
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

void register_logistic(Registry& registry) {
  registry.add_module<Logistic>({"logistic",
                                 "f(a) = 1/(1 + e^-a), pointwise; §4.4 prefers the symmetric stanh",
                                 {"x"},
                                 {},
                                 false});
}

}  // namespace

EBPROP_PLUGIN(register_logistic)
