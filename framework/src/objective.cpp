#include "ebprop/objective.h"

#include "ebprop/error.h"
#include "ebprop/memory.h"

namespace ebprop {

namespace {

// The dense matrix whose column k is product(e_k), after checking that n × n doubles fit
// (memory.h).
template <typename T, typename Product>
Matrix<double> columns_of(std::int64_t n, const std::string& what, const std::string& of,
                          Product&& product) {
  check_allocation(static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n), sizeof(double),
                   "the dense " + what + " of " + of + " (" + std::to_string(n) + " × " +
                       std::to_string(n) + ")");
  Matrix<double> m(n, n);
  Vector<T> unit = Vector<T>::Zero(n), column;
  for (std::int64_t k = 0; k < n; ++k) {
    unit[k] = 1;
    product(unit, column);
    m.col(k) = column.template cast<double>();
    unit[k] = 0;
  }
  return m;
}

}  // namespace

template <typename T>
double Objective<T>::compute_descent(const Batch& batch, T eta, const Vector<T>* factors) {
  const double e = compute_gradient(batch, false);
  if (factors)
    parameters().descend(eta, *factors);
  else
    parameters().descend(eta);
  return e;
}

template <typename T>
void Objective<T>::check_vector(const Vector<T>& v) {
  if (v.size() != dimension())
    throw Error("the vector has " + std::to_string(v.size()) + " elements but " + name() + " has " +
                std::to_string(dimension()) + " weights");
}

template <typename T>
void Objective<T>::check_gauss_newton() const {
  const std::string refusal = gauss_newton_refusal();
  if (!refusal.empty()) throw Error(refusal);
}

template <typename T>
Matrix<double> Objective<T>::compute_gauss_newton(const Batch& batch) {
  return columns_of<T>(
      dimension(), "Gauss-Newton matrix", name(),
      [&](const Vector<T>& v, Vector<T>& gv) { compute_gauss_newton_vector(batch, v, gv); });
}

template <typename T>
Matrix<double> Objective<T>::compute_hessian(const Batch& batch) {
  return columns_of<T>(dimension(), "Hessian", name(), [&](const Vector<T>& v, Vector<T>& hv) {
    compute_hessian_vector(batch, v, hv);
  });
}

template class Objective<float>;
template class Objective<double>;

}  // namespace ebprop
