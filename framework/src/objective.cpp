#include "ebprop/objective.h"

#include "ebprop/error.h"
#include "ebprop/memory.h"

namespace ebprop {

namespace {

// n × n doubles must fit before a dense matrix is built (memory.h).
void check_dense(std::int64_t n, const std::string& what, const std::string& of) {
  check_allocation(static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n), sizeof(double),
                   "the dense " + what + " of " + of + " (" + std::to_string(n) + " × " +
                       std::to_string(n) + ")");
}

}  // namespace

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
  const std::int64_t n = dimension();
  check_dense(n, "Gauss-Newton matrix", name());
  Matrix<double> g(n, n);
  Vector<T> unit = Vector<T>::Zero(n), column;
  for (std::int64_t k = 0; k < n; ++k) {
    unit[k] = 1;
    compute_gauss_newton_vector(batch, unit, column);
    g.col(k) = column.template cast<double>();
    unit[k] = 0;
  }
  return g;
}

template <typename T>
Matrix<double> Objective<T>::compute_hessian(const Batch& batch) {
  const std::int64_t n = dimension();
  check_dense(n, "Hessian", name());
  Matrix<double> h(n, n);
  Vector<T> unit = Vector<T>::Zero(n), column;
  for (std::int64_t k = 0; k < n; ++k) {
    unit[k] = 1;
    compute_hessian_vector(batch, unit, column);
    h.col(k) = column.template cast<double>();
    unit[k] = 0;
  }
  return h;
}

template class Objective<float>;
template class Objective<double>;

}  // namespace ebprop
