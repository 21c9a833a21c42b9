// stanh: the paper's sigmoid f(a) = A tanh(S a) + t a (§4.4), A = 1.7159 and S = 2/3 so that
// f(±1) = ±1, with the optional "twisting term" t a that avoids flat spots.
#include "ebprop/plugin.h"
#include "ebprop/pointwise.h"

namespace {

using namespace ebprop;

template <typename T>
class STanh final : public Pointwise<T> {
 public:
  explicit STanh(const Settings& settings)
      : amplitude_(static_cast<T>(settings.real("amplitude"))),
        slope_(static_cast<T>(settings.real("slope"))),
        twist_(static_cast<T>(settings.real("twist"))) {}

 private:
  using typename Pointwise<T>::Array;
  // f'(a) = A S (1 − tanh²(S a)) + t: computed with f, so all three passes use the same twist.
  void evaluate(const Matrix<T>& a, Matrix<T>& y, Array& slope) override {
    tanh_ = (slope_ * a.array()).tanh();
    y.array() = amplitude_ * tanh_ + twist_ * a.array();
    slope = amplitude_ * slope_ * (T(1) - tanh_.square()) + twist_;
  }
  // f''(a) = −2 A S² tanh(S a) (1 − tanh²(S a)); the twist term is linear and adds nothing.
  void second_derivative(const Matrix<T>& /*a*/, const Matrix<T>& /*y*/, Array& f2) override {
    f2 = T(-2) * amplitude_ * slope_ * slope_ * tanh_ * (T(1) - tanh_.square());
  }

  T amplitude_, slope_, twist_;
  Array tanh_;
};

void register_stanh(Registry& registry) {
  registry.add_module<STanh>(
      {"stanh",
       "the recommended sigmoid f(a) = 1.7159 tanh(2a/3) + t a (§4.4), pointwise",
       {"x"},
       {optional("amplitude", SettingType::real, "1.7159", "A in A tanh(S a) + t a"),
        optional("slope", SettingType::real, "0.666666666666666667", "S in A tanh(S a) + t a"),
        optional("twist", SettingType::real, "0", "t, the twisting term t a (§4.4)")},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{6}}},
        {{{"twist", "0.3"}}, {{2, 3}}},
        {{{"amplitude", "1"}, {"slope", "1.5"}, {"twist", "-0.1"}}, {{4}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_stanh)
