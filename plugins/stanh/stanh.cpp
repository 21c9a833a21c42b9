// stanh: the paper's sigmoid f(a) = A tanh(S a) + t a (§4.4), A = 1.7159 and S = 2/3 so that
// f(±1) = ±1, with the optional "twisting term" t a that avoids flat spots.
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class STanh final : public Module<T> {
 public:
  explicit STanh(const Settings& settings)
      : amplitude_(static_cast<T>(settings.real("amplitude"))),
        slope_(static_cast<T>(settings.real("slope"))),
        twist_(static_cast<T>(settings.real("twist"))) {}

  Shape output_shape(const std::vector<Shape>& inputs) override { return inputs.at(0); }

  // Caches f'(a) = A S (1 − tanh²(S a)) + t, so that bprop and bbprop use the same twist as fprop.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    const auto a = in[0]->x.array();
    out.resize(static_cast<int>(a.cols()));
    tanh_ = (slope_ * a).tanh();
    out.x.array() = amplitude_ * tanh_ + twist_ * a;
    derivative_ = amplitude_ * slope_ * (T(1) - tanh_.square()) + twist_;
  }

  void bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->dx.array() += out.dx.array() * derivative_;
  }

  // Eq. 53: d2E/da2 += d2E/dy2 f'(a)^2.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->ddx.array() += out.ddx.array() * derivative_.square();
  }

 private:
  T amplitude_, slope_, twist_;
  Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic> tanh_, derivative_;
};

void register_stanh(Registry& registry) {
  registry.add_module<STanh>(
      {"stanh",
       "the recommended sigmoid f(a) = 1.7159 tanh(2a/3) + t a (§4.4), pointwise",
       {"x"},
       {optional("amplitude", SettingType::real, "1.7159", "A in A tanh(S a) + t a"),
        optional("slope", SettingType::real, "0.666666666666666667", "S in A tanh(S a) + t a"),
        optional("twist", SettingType::real, "0", "t, the twisting term t a (§4.4)")},
       false});
}

}  // namespace

EBPROP_PLUGIN(register_stanh)
