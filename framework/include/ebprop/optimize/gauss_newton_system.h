// GaussNewtonSystem: the step of Eq. 46-47, δ solving (G + λI) δ = −g, with G the objective's
// Gauss-Newton matrix (JᵀJ for MSE, §6.4) at its current w. Shared by the gauss-newton and
// levenberg-marquardt plugins.
//
// Dense for n ≤ dense-max: G from objective.gauss_newton() (one matrix evaluation, n
// Gauss-Newton-vector products inside) and a Cholesky factorization per λ. Matrix-free above:
// cg_solve (optimize/cg_solve.h) on objective.gauss_newton_vector, O(n) memory.
//
// GaussNewtonSystem(objective, batch, options)
//   requires: objective.gauss_newton_refusal() is empty (check_gauss_newton below).
//   ensures:  dense: G at the current w is built (Error when it does not fit, objective.h; also
//             when its Cholesky factor does not fit besides it, memory.h).
// solve(g, λ)
//   requires: w is still the point of construction (matrix-free products are evaluated there);
//             λ ≥ 0.
//   ensures:  returns δ, not finite when G or λ is not. Dense: exact but for rounding; where G + λI
//   is singular (λ = 0 and G
//             rank-deficient) a tiny jitter εI is added, ε from 1e-12·max G_kk growing ×10 until
//             the Cholesky factorization succeeds. Matrix-free: to cg-tol, or after
//             min(cg-iterations, n) products (G is positive semi-definite: a direction of zero
//             curvature stops CG with its last iterate, a descent direction).
// solve_truncated(g, rcond)
//   requires: dense (n ≤ dense-max); rcond ≥ 0.
//   ensures:  δ = −G⁺g with G⁺ the truncated pseudo-inverse: the eigen-directions of G whose
//             eigenvalue is at most rcond·λmax are left out. It solves min ‖Jδ + r‖ in the
//             subspace where the data determine the step; a near-singular G (a net with more
//             freedom than its outputs pin down) otherwise gives steps along its tiniest
//             eigenvalues, thousands of times too long.
// curvature_along(g): gᵀGg / gᵀg, the Rayleigh quotient of G along g (0 for g = 0): a scale for
//             λ (one product when matrix-free).
// OWNERSHIP: refers to the objective and the batch for its lifetime (one step).
#pragma once

#include <ebprop/error.h>
#include <ebprop/memory.h>
#include <ebprop/objective.h>
#include <ebprop/optimize/cg_solve.h>
#include <ebprop/settings.h>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace ebprop::optimize {

struct GaussNewtonOptions {
  std::int64_t dense_max = 2000;
  double cg_tol = 1e-6;
  int cg_iterations = 250;

  GaussNewtonOptions() = default;
  explicit GaussNewtonOptions(const Settings& s)
      : dense_max(s.integer("dense-max")),
        cg_tol(s.real("cg-tol")),
        cg_iterations(static_cast<int>(s.integer("cg-iterations"))) {}

  static std::vector<SettingSpec> settings() {
    return {optional("dense-max", SettingType::integer, "2000",
                     "the largest number of weights for which G is built and factored (dense "
                     "Cholesky); above it, matrix-free conjugate gradient on G·v products")
                .at_least(0),
            optional("cg-tol", SettingType::real, "1e-6",
                     "matrix-free: the relative residual at which conjugate gradient stops")
                .above(0),
            optional("cg-iterations", SettingType::integer, "250",
                     "matrix-free: at most this many G·v products per solve, and never more than "
                     "the number of weights")
                .at_least(1)};
  }
};

// §6.4: G is the square Jacobian of MSE; for another loss the objective refuses. Throws Error
// naming the optimizer and giving the objective's reason.
template <typename T>
void check_gauss_newton(const Objective<T>& objective, const std::string& optimizer) {
  const std::string refusal = objective.gauss_newton_refusal();
  if (!refusal.empty()) throw Error(optimizer + ": " + refusal);
}

template <typename T>
class GaussNewtonSystem {
 public:
  GaussNewtonSystem(Objective<T>& objective, const Batch& batch, const GaussNewtonOptions& options)
      : objective_(objective), batch_(batch), options_(options) {
    const std::int64_t n = objective.dimension();
    if (n > options.dense_max) return;
    check_allocation(static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n) * 2,
                     sizeof(double),
                     "the Gauss-Newton matrix of " + objective.name() + " and its Cholesky factor");
    g_matrix_ = objective.gauss_newton(batch);
    dense_ = true;
  }

  Vector<double> solve(const Vector<double>& g, double lambda) {
    if (dense_) return dense_solve(g, lambda);
    CgSolveOptions cg;
    cg.tolerance = options_.cg_tol;
    // CG solves an n × n system in n products in exact arithmetic; beyond them, with products in
    // single precision, it mostly chases rounding.
    cg.max_iterations =
        static_cast<int>(std::min<std::int64_t>(options_.cg_iterations, objective_.dimension()));
    cg.damping = lambda;
    return cg_solve(product(), g, cg).delta;
  }

  bool dense() const { return dense_; }

  Vector<double> solve_truncated(const Vector<double>& g, double rcond) {
    const Eigen::SelfAdjointEigenSolver<Matrix<double>> eigen(g_matrix_);
    if (eigen.info() != Eigen::Success)  // G not finite
      return Vector<double>::Constant(g.size(), std::numeric_limits<double>::quiet_NaN());
    const Vector<double>& values = eigen.eigenvalues();
    const double cut = rcond * values.maxCoeff();
    Vector<double> c = eigen.eigenvectors().transpose() * (-g);
    for (Eigen::Index i = 0; i < c.size(); ++i) c[i] = values[i] > cut ? c[i] / values[i] : 0;
    return eigen.eigenvectors() * c;
  }

  double curvature_along(const Vector<double>& g) {
    const double gg = g.squaredNorm();
    if (gg == 0) return 0;
    if (dense_) return g.dot(g_matrix_ * g) / gg;
    Vector<double> gv;
    product()(g, gv);
    return g.dot(gv) / gg;
  }

 private:
  // The objective's products are in T; the solve is in double.
  CgProduct product() {
    return [this](const Vector<double>& v, Vector<double>& gv) {
      objective_.gauss_newton_vector(batch_, v.template cast<T>(), product_);
      gv = product_.template cast<double>();
    };
  }

  Vector<double> dense_solve(const Vector<double>& g, double lambda) {
    Matrix<double> a = g_matrix_;
    a.diagonal().array() += lambda;
    Eigen::LLT<Eigen::Ref<Matrix<double>>> llt(a);  // in place: a becomes the factor
    // G is only positive semi-definite: when G + λI is singular, a jitter relative to G's scale,
    // the smallest of 1e-12·10^k that makes the Cholesky factorization succeed.
    const double scale = g_matrix_.diagonal().cwiseAbs().maxCoeff();
    for (double jitter = 1e-12 * (scale > 0 ? scale : 1);
         llt.info() != Eigen::Success && std::isfinite(jitter); jitter *= 10) {
      a = g_matrix_;
      a.diagonal().array() += lambda + jitter;
      llt.compute(a);
    }
    if (llt.info() != Eigen::Success)  // G or λ not finite
      return Vector<double>::Constant(g.size(), std::numeric_limits<double>::quiet_NaN());
    return llt.solve(-g);
  }

  Objective<T>& objective_;
  const Batch& batch_;
  GaussNewtonOptions options_;
  bool dense_ = false;
  Matrix<double> g_matrix_;
  Vector<T> product_;
};

}  // namespace ebprop::optimize
