// Backtracking along a descent direction (Armijo's rule), for the methods of §6 that compute a
// step rather than search a line: Gauss-Newton (Eq. 46) and Newton (Eq. 40).
//
// backtrack(objective, batch, start, loss, slope, delta, first, trial)
//   requires: w == start; loss = E(start); slope = ∇E(start)ᵀδ; first > 0.
//   ensures:  tries w = start + t·δ for t = first, first/2, … (at most max_halvings halvings)
//             and returns the first t with E(w) ≤ loss + armijo·t·slope — finite, so a probe
//             that overflows is halved too — with w there and `trial` evaluated at it; returns 0
//             with w = start when no t passes (or slope ≥ 0: δ does not descend).
// no_step(result, g, why)
//   ensures:  `result` (whose loss is E at w) says that w stays: new_loss = loss, ‖g‖, step 0,
//             stop = why.
// backtracked_step(objective, batch, delta, first, here, trial, rules, iteration, method, result)
//   requires: `here` evaluated at w (result.loss = here.loss()); delta finite.
//   ensures:  backtracks from w along δ from the factor `first`. When a factor passes: `here`
//             holds the accepted point, ++iteration, and `result` gets new_loss, ‖g‖ there, the
//             step ‖Δw‖ and what `rules` say; returns the factor. Otherwise w stays, no_step with
//             "no decrease along the METHOD step in 30 halvings", and returns 0.
// OWNERSHIP: refers to nothing after the call.
#pragma once

#include <ebprop/objective.h>
#include <ebprop/optimize/evaluated_point.h>
#include <ebprop/optimizer.h>

#include <cmath>
#include <string>
#include <utility>

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

inline StepResult no_step(StepResult result, const Vector<double>& g, std::string why) {
  result.new_loss = result.loss;
  result.grad_norm = g.norm();
  result.step = 0;
  result.stop = std::move(why);
  return result;
}

template <typename T>
double backtracked_step(Objective<T>& objective, const Batch& batch, const Vector<double>& delta,
                        double first, EvaluatedPoint<T>& here, EvaluatedPoint<T>& trial,
                        const StopRules& rules, std::int64_t& iteration, const std::string& method,
                        StepResult& result) {
  const Vector<T> start = objective.parameters().w();
  const Vector<double>& g = here.gradient();
  const double factor =
      backtrack(objective, batch, start, result.loss, g.dot(delta), delta, first, trial);
  if (factor == 0) {
    result = no_step(result, g,
                     "no decrease along the " + method + " step in " +
                         std::to_string(max_halvings) + " halvings");
    return 0;
  }
  std::swap(here, trial);
  ++iteration;
  result.new_loss = here.loss();
  result.grad_norm = here.gradient().norm();
  result.step = (objective.parameters().w() - start).template cast<double>().norm();
  result.stop = rules.check(iteration, result.loss, result.new_loss, result.grad_norm,
                            objective.counts().evaluations());
  return factor;
}

}  // namespace ebprop::optimize
