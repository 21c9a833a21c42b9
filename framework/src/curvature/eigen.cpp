#include "ebprop/curvature/eigen.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <functional>

#include "weight_guard.h"

namespace ebprop::curvature {

namespace {

// hv = H v for some symmetric H.
using Product = std::function<void(const Vector<double>&, Vector<double>&)>;

Vector<double> random_unit(std::int64_t n, Rng& rng) {
  Vector<double> v(n);
  for (double& x : v) x = 2 * uniform01(rng) - 1;
  return v / v.norm();
}

void require(bool ok, const std::string& message) {
  if (!ok) throw Error(message);
}

// Eq. 60 on unit vectors: with HΨ computed for a unit Ψ, λ = ‖HΨ‖ estimates |λmax| and ΨᵀHΨ its
// sign; then Ψ ← HΨ/‖HΨ‖. Stops when |Δλ|/λ < tolerance or after max_iterations products. The
// reported vector is the Ψ of the last product, so `rayleigh` and `lambda` both describe it.
EigenEstimate power_iterations(const Product& product, std::int64_t n, int max_iterations,
                               double tolerance, std::uint64_t seed) {
  require(max_iterations >= 1,
          "the power method needs at least one iteration, not " + std::to_string(max_iterations));
  require(std::isfinite(tolerance) && tolerance >= 0,
          "the tolerance must be finite and >= 0, not " + std::to_string(tolerance));
  Rng rng(seed);
  EigenEstimate result;
  Vector<double> psi = random_unit(n, rng), h;
  for (;;) {
    product(psi, h);
    ++result.iterations;
    const double previous = result.lambda;
    result.lambda = h.norm();
    result.rayleigh = psi.dot(h);
    result.history.push_back(result.lambda);
    const bool settled =
        result.iterations > 1 && std::abs(result.lambda - previous) < tolerance * result.lambda;
    if (result.lambda == 0 || settled || result.iterations == max_iterations) {  // HΨ = 0: stuck
      result.converged = settled;
      break;
    }
    psi = h / result.lambda;
  }
  // h = HΨ̂ for the final Ψ̂ (psi is the unit vector the last product was taken of).
  if (result.rayleigh != 0)
    result.residual = (h - result.rayleigh * psi).norm() / std::abs(result.rayleigh);
  result.vector = psi;
  return result;
}

}  // namespace

EigenEstimate power_method(Loss& loss, int max_iterations, double tolerance, std::uint64_t seed,
                           HvpMethod method) {
  return power_iterations(
      [&](const Vector<double>& v, Vector<double>& hv) { loss.hessian_vector(v, hv, method); },
      loss.dimension(), max_iterations, tolerance, seed);
}

// Eq. 63 is Eq. 60 with H Ψ̂ ≈ (∇E(w + αΨ̂) − ∇E(w))/α, a forward difference (error O(α)):
// the power method on that product.
EigenEstimate taylor_estimate(Loss& loss, int iterations, double alpha, std::uint64_t seed,
                              double tolerance) {
  require(std::isfinite(alpha) && alpha > 0, "alpha must be > 0, not " + std::to_string(alpha));
  Vector<double> g0, g1;
  loss.gradient(g0);
  return power_iterations(
      [&](const Vector<double>& v, Vector<double>& hv) {
        {
          const WeightGuard guard(loss.weights());
          loss.weights() = guard.saved() + alpha * v;
          loss.gradient(g1);
        }
        hv = (g1 - g0) / alpha;
      },
      loss.dimension(), iterations, tolerance, seed);
}

// Eq. 64: a leaky running average of single-example products H_p Ψ̂ ≈ (∇E_p(w + αΨ̂) − ∇E_p(w))/α.
// At its fixed point Ψ = E_p[H_p] Ψ̂ = H Ψ̂, so ‖Ψ‖ → λmax. The leak multiplies the new term as
// well as the old one: without γ on the new term the fixed point is γΨ = HΨ̂, ‖Ψ‖ = λ/γ.
// `rayleigh` is the same leaky average of Ψ̂ᵀH_pΨ̂. There is no stopping test: `converged` is false.
EigenEstimate online_estimate(Loss& loss, int presentations, double gamma, double alpha,
                              std::uint64_t seed) {
  require(presentations >= 1, "the online estimate needs at least one presentation, not " +
                                  std::to_string(presentations));
  require(gamma > 0 && gamma <= 1,
          "the leak gamma must be in (0, 1], not " + std::to_string(gamma));
  require(std::isfinite(alpha) && alpha > 0, "alpha must be > 0, not " + std::to_string(alpha));
  Rng rng(seed);
  EigenEstimate result;
  Vector<double> psi = random_unit(loss.dimension(), rng), unit, g0, g1;
  const int examples = loss.examples();
  while (result.iterations < presentations) {
    const int p = std::min(examples - 1, static_cast<int>(uniform01(rng) * examples));
    unit = psi / psi.norm();
    loss.example_gradient(p, g0);
    {
      const WeightGuard guard(loss.weights());
      loss.weights() = guard.saved() + alpha * unit;
      loss.example_gradient(p, g1);
    }
    const Vector<double> hp = (g1 - g0) / alpha;
    psi = (1 - gamma) * psi + gamma * hp;
    result.rayleigh = (1 - gamma) * result.rayleigh + gamma * unit.dot(hp);
    ++result.iterations;
    result.lambda = psi.norm();
    result.history.push_back(result.lambda);
    if (result.lambda == 0) break;  // γ = 1 and H_p Ψ̂ = 0: nothing left to average
  }
  result.vector = result.lambda > 0 ? Vector<double>(psi / result.lambda) : unit;
  return result;
}

// Lanczos: an orthonormal Krylov basis V of (v, Hv, H²v, ...) with VᵀHV = T tridiagonal; the
// extreme eigenvalues of T converge first to those of H. Every new vector is orthogonalized
// against all previous ones, twice (classical Gram-Schmidt, "twice is enough"), so no spurious
// copies of converged eigenvalues appear. If the Krylov space closes (β = 0), a fresh random
// vector orthogonal to V continues it and T splits into blocks.
Vector<double> lanczos(Loss& loss, int k, int steps, std::uint64_t seed, HvpMethod method) {
  const std::int64_t n = loss.dimension();
  require(k >= 1 && k <= n, "k must be between 1 and the number of weights (" + std::to_string(n) +
                                "), not " + std::to_string(k));
  const std::int64_t m = steps == 0 ? std::min<std::int64_t>(2 * k + 20, n) : steps;
  require(m >= k && m <= n, "the Lanczos steps must be between k (" + std::to_string(k) +
                                ") and the number of weights (" + std::to_string(n) + "), not " +
                                std::to_string(steps));
  Rng rng(seed);
  Matrix<double> basis(n, m);
  Vector<double> alpha(m), beta = Vector<double>::Zero(m - 1), v = random_unit(n, rng), w;
  const auto orthogonalize = [&](Vector<double>& x, std::int64_t columns) {
    for (int pass = 0; pass < 2; ++pass)
      x -= basis.leftCols(columns) * (basis.leftCols(columns).transpose() * x);
  };
  double scale = 0;  // ‖T‖, roughly: what counts as a closed Krylov space
  for (std::int64_t j = 0; j < m; ++j) {
    basis.col(j) = v;
    loss.hessian_vector(v, w, method);
    alpha[j] = v.dot(w);
    if (j + 1 == m) break;
    orthogonalize(w, j + 1);  // removes α_j v_j and β_{j-1} v_{j-1} too
    beta[j] = w.norm();
    scale = std::max({scale, std::abs(alpha[j]), beta[j]});
    if (beta[j] <= 1e-10 * scale) {
      beta[j] = 0;
      w = random_unit(n, rng);
      orthogonalize(w, j + 1);
    }
    v = w / w.norm();
  }
  Eigen::SelfAdjointEigenSolver<Matrix<double>> solver;
  solver.computeFromTridiagonal(alpha, beta, Eigen::EigenvaluesOnly);
  if (solver.info() != Eigen::Success) throw NumericError("the tridiagonal eigensolver failed");
  return solver.eigenvalues().reverse().head(k);
}

EigenEstimate power_method(const Matrix<double>& symmetric, int max_iterations, double tolerance,
                           std::uint64_t seed) {
  require(symmetric.rows() == symmetric.cols() && symmetric.size() > 0,
          "the power method needs a non-empty square matrix, not " +
              std::to_string(symmetric.rows()) + "x" + std::to_string(symmetric.cols()));
  if (!symmetric.allFinite()) throw NumericError("the matrix holds a NaN or infinite value");
  const double asymmetry = (symmetric - symmetric.transpose()).cwiseAbs().maxCoeff();
  require(asymmetry <= 1e-12 * symmetric.cwiseAbs().maxCoeff(),
          "the matrix is not symmetric (max |M - Mᵀ| = " + std::to_string(asymmetry) +
              "); symmetrize it first");
  return power_iterations(
      [&](const Vector<double>& v, Vector<double>& hv) { hv.noalias() = symmetric * v; },
      symmetric.rows(), max_iterations, tolerance, seed);
}

}  // namespace ebprop::curvature
