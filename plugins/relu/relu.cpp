// relu: the rectifier f(a) = max(a, 0), pointwise. Not among the paper's sigmoids (§4.4): it is
// here for comparison with them. f'(a) is 1 for a > 0 and 0 otherwise (f'(0) taken as 0), and
// f'' = 0 away from 0, so the Gauss-Newton rule (Eq. 53) and the R-operator (§7.5) are exact.
#include "ebprop/plugin.h"
#include "ebprop/pointwise.h"

namespace {

using namespace ebprop;

template <typename T>
class Relu final : public Pointwise<T> {
 public:
  explicit Relu(const Settings& /*settings*/) {}

 private:
  using typename Pointwise<T>::Array;
  void evaluate(const Matrix<T>& a, Matrix<T>& y, Array& slope) override {
    y = a.cwiseMax(T(0));
    slope = (a.array() > T(0)).template cast<T>();
  }
  void second_derivative(const Matrix<T>& a, const Matrix<T>& /*y*/, Array& f2) override {
    f2.setZero(a.rows(), a.cols());
  }
};

void register_relu(Registry& registry) {
  registry.add_module<Relu>(
      {"relu",
       "the rectifier f(a) = max(a, 0), pointwise (f'(0) taken as 0)",
       {"x"},
       {},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{2, 3, 3}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_relu)
