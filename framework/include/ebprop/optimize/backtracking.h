// Backtracking along a descent direction (Armijo's rule), for the methods of §6 that compute a
// step rather than search a line: Gauss-Newton (Eq. 46) and Newton (Eq. 40).
//
// backtrack(objective, batch, start, loss, slope, delta, first, trial)
//   requires: w == start; loss = E(start); slope = ∇E(start)ᵀδ; first > 0.
//   ensures:  tries w = start + t·δ for t = first, first/2, … (at most max_halvings halvings)
//             and returns the first t with E(w) ≤ loss + armijo·t·slope — finite, so a probe
//             that overflows is halved too — with w there and `trial` evaluated at it; returns 0
//             with w = start when no t passes (or slope ≥ 0: δ does not descend).
// OWNERSHIP: refers to nothing after the call.
#pragma once

#include <ebprop/objective.h>
#include <ebprop/optimize/evaluated_point.h>

#include <cmath>

namespace ebprop::optimize {

constexpr double armijo = 1e-4;
constexpr int max_halvings = 30;

template <typename T>
double backtrack(Objective<T>& objective, const Batch& batch, const Vector<T>& start, double loss,
                 double slope, const Vector<double>& delta, double first,
                 EvaluatedPoint<T>& trial) {
  auto& w = objective.parameters().w();
  if (!(slope < 0)) return 0;
  double t = first;
  for (int halvings = 0; halvings <= max_halvings; ++halvings, t /= 2) {
    w = start + (t * delta).template cast<T>();
    const double e = trial.evaluate(objective, batch);
    if (std::isfinite(e) && e <= loss + armijo * t * slope) return t;
  }
  w = start;
  return 0;
}

}  // namespace ebprop::optimize
