// Line search: the step length along a descent direction that every line-search method of §6
// (conjugate gradient, BFGS, L-BFGS) takes, satisfying the strong Wolfe conditions
//
//   sufficient decrease  E(w0 + α d) ≤ E(w0) + c1 α ∇E(w0)ᵀd
//   curvature            |∇E(w0 + α d)ᵀd| ≤ c2 |∇E(w0)ᵀd|
//
// by bracketing and then zooming (Nocedal & Wright, Algorithms 3.5 and 3.6), each new trial the
// minimizer of the cubic through the two ends' values and slopes, safeguarded into the interval.
// A trial where E or its slope is not finite (the network diverged, the test function
// overflowed) is not an error: the search steps back towards the last finite trial, by a factor
// that squares at each such trial in a row (0.1, 0.01, 1e-4, …: a step 1e100 too long is undone
// in a few trials), and never again goes as far. A finite trial so high that the parabola
// through it and the last trial puts the minimum within a tenth of the way is treated alike
// (stepping back to that minimum when it is further than the factor says).
//
// line_search(objective, batch, w0, loss0, g0, d, options)
//   requires: objective.parameters().w() has w0's size; loss0 = E(w0) and g0 = ∇E(w0) on `batch`,
//             both finite; d has w0's size. Throws Error when d is not a descent direction
//             (∇E(w0)ᵀd ≥ 0, or not finite) or when the options are out of range
//             (0 < c1 < c2 < 1, initial_step > 0, max_evaluations ≥ 1).
//   ensures:  w = w0 + α d at the accepted step and dw = ∇E there (the caller needs no further
//             evaluation). When the conditions could not be met within max_evaluations (or the
//             interval shrank to nothing), w is the best point found — the lowest finite loss,
//             w0 itself with α = 0 when no trial went lower — dw its gradient, and `failure` says
//             why. Each trial is one objective.gradient(batch) evaluation.
//
// OWNERSHIP: nothing is kept; the objective's store is changed as said above.
#pragma once

#include <string>

#include "ebprop/objective.h"

namespace ebprop::optimize {

struct LineSearchOptions {
  double c1 = 1e-4;  // sufficient decrease (Armijo)
  double c2 = 0.9;   // curvature: 0.9 for quasi-Newton methods, 0.1 for conjugate gradient
  double initial_step = 1;
  int max_evaluations = 25;
};

struct LineSearchResult {
  double step = 0;      // α
  double loss = 0;      // E(w0 + α d)
  double slope = 0;     // ∇E(w0 + α d)ᵀd
  int evaluations = 0;  // gradient evaluations made
  bool wolfe = false;   // both strong-Wolfe conditions hold at the point
  std::string failure;  // when !wolfe: why the search ended
};

template <typename T>
LineSearchResult line_search(Objective<T>& objective, const Batch& batch, const Vector<T>& w0,
                             double loss0, const Vector<T>& g0, const Vector<T>& direction,
                             const LineSearchOptions& options = {});

extern template LineSearchResult line_search(Objective<float>&, const Batch&, const Vector<float>&,
                                             double, const Vector<float>&, const Vector<float>&,
                                             const LineSearchOptions&);
extern template LineSearchResult line_search(Objective<double>&, const Batch&,
                                             const Vector<double>&, double, const Vector<double>&,
                                             const Vector<double>&, const LineSearchOptions&);

}  // namespace ebprop::optimize
