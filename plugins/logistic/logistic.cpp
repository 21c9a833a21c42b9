// logistic: f(a) = 1 / (1 + e^-a), the non-symmetric sigmoid §4.4 advises against (outputs are
// all positive, which biases the next layer's weight updates, §4.3); here for comparison.
#include "ebprop/plugin.h"
#include "ebprop/pointwise.h"

namespace {

using namespace ebprop;

template <typename T>
class Logistic final : public Pointwise<T> {
 public:
  explicit Logistic(const Settings& /*settings*/) {}

 private:
  using typename Pointwise<T>::Array;
  void evaluate(const Matrix<T>& a, Matrix<T>& y, Array& slope) override {
    y.array() = a.array().logistic();
    slope = y.array() * (T(1) - y.array());  // f'(a) = f(a) (1 − f(a))
  }
  void second_derivative(const Matrix<T>& /*a*/, const Matrix<T>& y, Array& f2) override {
    f2 = y.array() * (T(1) - y.array()) * (T(1) - T(2) * y.array());  // f'' = f' (1 − 2f)
  }
};

void register_logistic(Registry& registry) {
  registry.add_module<Logistic>(
      {"logistic",
       "f(a) = 1/(1 + e^-a), pointwise; §4.4 prefers the symmetric stanh",
       {"x"},
       {},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{3, 2}}}, {{}, {{5}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_logistic)
