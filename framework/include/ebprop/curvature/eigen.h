// Estimators of the largest eigenvalue λmax of the Hessian and of the best learning rate
// (§5.1, §9.2: η_opt = 1/λmax for the principal direction, η_max = 2/λmax).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "ebprop/curvature/loss.h"

namespace ebprop::curvature {

struct EigenEstimate {
  double lambda = 0;      // the estimate of λmax (‖Ψ‖ for the power-type methods)
  double rayleigh = 0;    // Ψᵀ H Ψ / ΨᵀΨ at the end: negative if the dominant eigenvalue is
                          // negative (online_estimate: a leaky average of Ψ̂ᵀ H_p Ψ̂)
  Vector<double> vector;  // the estimated principal eigenvector, unit length
  std::vector<double> history;  // the estimate after each iteration / presentation
  int iterations = 0;
  bool converged = false;  // the stopping test was met (online_estimate has none: false)
  // ‖HΨ̂ − ρΨ̂‖ / |ρ| for the final unit vector Ψ̂ and ρ = `rayleigh` (power-type methods; NaN for
  // online_estimate, which forms no full-set product). H symmetric has an eigenvalue within
  // residual·|ρ| of ρ; a residual far above the tolerance means Ψ̂ mixes eigenvectors (λ2/λ1 near
  // 1).
  double residual = std::numeric_limits<double>::quiet_NaN();
};

// Eq. 60: the power method Ψ ← H Ψ/‖Ψ‖ on Hessian-vector products over the whole data set, from
// a random start drawn from `seed`, until the relative change of ‖Ψ‖ is below `tolerance`.
EigenEstimate power_method(Loss& loss, int max_iterations = 100, double tolerance = 1e-6,
                           std::uint64_t seed = 1, HvpMethod method = HvpMethod::automatic);

// Eq. 63: the Taylor-expansion estimate: Ψ ← (1/α)(∇E(w + αΨ/‖Ψ‖) − ∇E(w)), over the whole data
// set, α small (the power method with a forward-difference HVP): at most `iterations`, stopping
// when ‖Ψ‖ changes by less than `tolerance` (relative).
EigenEstimate taylor_estimate(Loss& loss, int iterations = 20, double alpha = 1e-4,
                              std::uint64_t seed = 1, double tolerance = 1e-6);

// Eq. 64: the online running average over single presentations p (drawn at random):
//   Ψ ← (1 − γ) Ψ + (γ/α) (∇E_p(w + αΨ/‖Ψ‖) − ∇E_p(w)),
// the leak γ included (without it ‖Ψ‖ would grow to λ/γ). history has one entry per presentation.
EigenEstimate online_estimate(Loss& loss, int presentations = 500, double gamma = 0.01,
                              double alpha = 1e-4, std::uint64_t seed = 1);

// The k largest eigenvalues (by algebraic value, decreasing) by the Lanczos method with full
// reorthogonalization on Hessian-vector products; `steps` Krylov vectors (default 2k + 20).
Vector<double> lanczos(Loss& loss, int k, int steps = 0, std::uint64_t seed = 1,
                       HvpMethod method = HvpMethod::automatic);

// The power method on an explicit symmetric matrix (for tests against a dense solver).
EigenEstimate power_method(const Matrix<double>& symmetric, int max_iterations = 1000,
                           double tolerance = 1e-10, std::uint64_t seed = 1);

}  // namespace ebprop::curvature
