// tanh: the hyperbolic tangent, the symmetric sigmoid of §4.4 without its scaling.
#include "ebprop/plugin.h"
#include "ebprop/pointwise.h"

namespace {

using namespace ebprop;

template <typename T>
class Tanh final : public Pointwise<T> {
 public:
  explicit Tanh(const Settings& /*settings*/) {}

 private:
  using typename Pointwise<T>::Array;
  void evaluate(const Matrix<T>& a, Matrix<T>& y, Array& slope) override {
    y.array() = a.array().tanh();
    slope = T(1) - y.array().square();  // f'(a) = 1 − tanh²(a)
  }
  void second_derivative(const Matrix<T>& /*a*/, const Matrix<T>& y, Array& f2) override {
    f2 = T(-2) * y.array() * (T(1) - y.array().square());  // f'' = −2 tanh (1 − tanh²)
  }
};

void register_tanh(Registry& registry) {
  registry.add_module<Tanh>(
      {"tanh",
       "f(a) = tanh(a), pointwise (§4.4: prefer stanh)",
       {"x"},
       {},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{6}}}, {{}, {{2, 3}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_tanh)
