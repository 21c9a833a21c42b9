#include "ebprop/curvature/matrices.h"

#include <Eigen/Eigenvalues>

namespace ebprop::curvature {

namespace {

// Column k is H e_k; the result is (H + Hᵀ)/2.
Matrix<double> by_columns(Loss& loss, HvpMethod method, double step) {
  const std::int64_t n = loss.dimension();
  Matrix<double> h(n, n);
  Vector<double> e = Vector<double>::Zero(n), column;
  for (std::int64_t k = 0; k < n; ++k) {
    e[k] = 1;
    loss.hessian_vector(e, column, method, step);
    h.col(k) = column;
    e[k] = 0;
  }
  return (h + h.transpose()) / 2;
}

}  // namespace

Matrix<double> full_hessian(Loss& loss, double step) {
  return by_columns(loss, HvpMethod::finite_difference, step);
}

Matrix<double> full_hessian_exact(Loss& loss) { return by_columns(loss, HvpMethod::exact, 0); }

Vector<double> spectrum(const Matrix<double>& symmetric) {
  if (symmetric.rows() != symmetric.cols() || symmetric.size() == 0)
    throw Error("the spectrum needs a non-empty square matrix, not " +
                std::to_string(symmetric.rows()) + "x" + std::to_string(symmetric.cols()));
  if (!symmetric.allFinite()) throw NumericError("the matrix holds a NaN or infinite value");
  const Eigen::SelfAdjointEigenSolver<Matrix<double>> solver(symmetric, Eigen::EigenvaluesOnly);
  if (solver.info() != Eigen::Success) throw NumericError("the eigensolver did not converge");
  return solver.eigenvalues().reverse();  // Eigen's are increasing
}

}  // namespace ebprop::curvature
