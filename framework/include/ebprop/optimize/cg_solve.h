// cg_solve: the matrix-free solve of the damped Newton-type system (A + λI) δ = −g by linear
// conjugate gradient (Hestenes & Stiefel), for Gauss-Newton, Levenberg-Marquardt (Eq. 46-47) and
// Newton steps (Eq. 40) on networks too large for a dense matrix. A is seen only through
// products A v: the objective's gauss_newton_vector (G, positive semi-definite) or
// hessian_vector (H, possibly indefinite), so memory stays O(n).
//
// The solve is in double whatever the objective's type (the product adapts the vectors), because
// CG's recurrences lose orthogonality fast in single precision.
//
// cg_solve(product, g, options)
//   requires: product(v, av) sets av = A v for a symmetric A with av.size() == v.size() ==
//             g.size(); options.tolerance ≥ 0, options.damping ≥ 0, options.max_iterations ≥ 0.
//   ensures:  starts from δ₀ = 0 and runs CG on (A + λI) δ = −g, λ = options.damping, until
//             - the relative residual ‖(A + λI) δ + g‖ / ‖g‖ ≤ tolerance: stop converged;
//             - max_iterations products were made (0: g.size(), the count in which CG solves an
//               SPD system in exact arithmetic): stop iteration_cap, δ the last iterate;
//             - a direction p has pᵀ(A + λI)p ≤ 0 (A + λI is not positive definite; for a
//               Gauss-Newton G with λ = 0, p is in its null space): stop negative_curvature, δ the
//               last iterate before p, or −g when it is met by the first direction (δ = 0 would
//               not move) — as truncated-Newton CG does (Nocedal & Wright, Alg. 7.1). Every CG
//               iterate, and −g, is a descent direction: gᵀδ < 0 unless g = 0;
//             - a product or the curvature is not finite: stop non_finite, δ the last iterate
//               (−g at the first), returned and not thrown (objective.h);
//             g = 0 returns δ = 0, converged, and a g that is not finite δ = 0, non_finite, both
//             with no product made. `residual` is the relative residual of the last CG iterate
//             (1 for δ₀ = 0, so also when −g is returned), updated by CG's recurrence;
//             `curvature` the last pᵀ(A + λI)p / pᵀp met (the offending value when
//             negative_curvature or non_finite).
#pragma once

#include <functional>
#include <string>

#include "ebprop/state.h"

namespace ebprop::optimize {

struct CgSolveOptions {
  double tolerance = 1e-10;  // on the relative residual ‖(A + λI) δ + g‖ / ‖g‖
  int max_iterations = 0;    // products A v; 0: the dimension
  double damping = 0;        // λ
};

struct CgSolveResult {
  enum class Stop { converged, iteration_cap, negative_curvature, non_finite };
  Vector<double> delta;
  int iterations = 0;   // products A v made
  double residual = 0;  // relative, of delta
  double curvature = 0;
  Stop stop = Stop::converged;
};

// "converged", "iteration cap", "negative curvature", "non-finite product".
std::string cg_stop_name(CgSolveResult::Stop stop);

using CgProduct = std::function<void(const Vector<double>& v, Vector<double>& av)>;

CgSolveResult cg_solve(const CgProduct& product, const Vector<double>& g,
                       const CgSolveOptions& options);

}  // namespace ebprop::optimize
