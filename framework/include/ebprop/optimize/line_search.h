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
//
// What the line-search optimizers (cg, bfgs, lbfgs) share besides the search:
//
// line_search_settings(c2)
//   ensures: the specs of c1 (default 1e-4), c2 (default `c2`) and line-evaluations (25), in
//            that order, to append to an optimizer's settings.
// line_search_options(settings, optimizer)
//   requires: `settings` were checked against line_search_settings' specs.
//   ensures: c1, c2 and max_evaluations from them (initial_step left at its default). Throws
//            SourceError at c2, "optimizer OPTIMIZER: the line search needs c1 < c2, ...",
//            when not c1 < c2.
//
// StartPoint<T>: where an iteration starts — the point the last line search accepted, with E
// and ∇E there (in T, as the method computes with them) — and the count of iterations.
// reset(n)
//   ensures: n zero weights, no accepted point, no iterations.
// begin(objective, batch)
//   ensures: loss() and gradient() are E and ∇E at objective.parameters().w on `batch`: the
//            accepted point's when batch.is_all(), finish() was called since the last begin()
//            and w equals that point exactly (saving an evaluation), else one
//            objective.gradient(batch). Returns true when it evaluated: what the method
//            remembers of earlier points does not belong to this one.
// stops(objective, stop, result)
//   requires: begin() just before.
//   ensures: result.loss = loss(). True, with result complete, when the iteration ends here:
//            E or ‖∇E‖ not finite (not counted as an iteration), or ‖∇E‖ < stop.grad_tol
//            (counted; new_loss = loss(), grad_norm, step 0 and stop from stop.check). Else
//            false, with the iteration counted and grad_norm() = ‖∇E‖.
// finish(objective, search, direction, steepest, stop, result)
//   requires: stops() returned false, and `search` along `direction` from point() just ended.
//   ensures: objective.parameters().w, search.loss and objective.parameters().dw are the
//            accepted point, its E and ∇E, for the next begin(); result.new_loss, grad_norm
//            (there) and step = α‖d‖ are set, and result.stop: the search's failure when it made
//            no progress along steepest descent (`steepest`), else stop.check's verdict.
// put(state, params) / restore_point(state, params, optimizer) / restore_scalars(state, optimizer)
//   ensures: put stores "point", "gradient" (per parameter), "loss", "iteration" and
//            "has-point". restore_point reads "point" and "gradient", false (nothing read) when
//            there is no "point"; restore_scalars reads the three scalars. They throw Error
//            "OPTIMIZER state has a point but no 'NAME'" or "... has no scalar 'NAME'".
// state_scalar(v), read_state_scalar(state, name, optimizer), require_state(found, name, optimizer)
//   the one-element entries and the errors above, for a method's own state.
//
// OWNERSHIP: StartPoint holds copies; it refers to no objective between calls.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ebprop/error.h"
#include "ebprop/objective.h"
#include "ebprop/optimizer.h"
#include "ebprop/settings.h"

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

std::vector<SettingSpec> line_search_settings(const std::string& c2);
LineSearchOptions line_search_options(const Settings& settings, const std::string& optimizer);

inline Vector<double> state_scalar(double v) { return Vector<double>::Constant(1, v); }
double read_state_scalar(const OptimizerState& state, const std::string& name,
                         const std::string& optimizer);
void require_state(bool found, const std::string& name, const std::string& optimizer);

template <typename T>
class StartPoint {
 public:
  void reset(std::int64_t n) {
    point_ = gradient_ = Vector<T>::Zero(n);
    loss_ = grad_norm_ = 0;
    iteration_ = 0;
    has_point_ = false;
  }

  bool begin(Objective<T>& objective, const Batch& batch) {
    const auto& p = objective.parameters();
    const bool evaluate = !(batch.is_all() && has_point_ && p.w() == point_);
    if (evaluate) {
      loss_ = objective.gradient(batch);
      point_ = p.w();
      gradient_ = p.dw();
    }
    has_point_ = false;
    return evaluate;
  }

  bool stops(const Objective<T>& objective, const StopRules& stop, StepResult& result) {
    result.loss = loss_;
    grad_norm_ = static_cast<double>(gradient_.norm());
    if (!std::isfinite(loss_) || !std::isfinite(grad_norm_)) {
      result.stop = "the loss or its gradient is not finite at the start of the iteration";
      return true;
    }
    ++iteration_;
    if (grad_norm_ < stop.grad_tol) {
      result.new_loss = loss_;
      result.grad_norm = grad_norm_;
      result.step = 0;
      result.stop =
          stop.check(iteration_, loss_, loss_, grad_norm_, objective.counts().evaluations());
      return true;
    }
    return false;
  }

  void finish(Objective<T>& objective, const LineSearchResult& search, const Vector<T>& direction,
              bool steepest, const StopRules& stop, StepResult& result) {
    const auto& p = objective.parameters();
    point_ = p.w();
    gradient_ = p.dw();
    loss_ = search.loss;
    has_point_ = true;
    result.new_loss = search.loss;
    result.grad_norm = static_cast<double>(gradient_.norm());
    result.step = search.step * static_cast<double>(direction.norm());
    if (search.step == 0 && steepest)
      result.stop = "the line search along steepest descent made no progress: " + search.failure;
    else
      result.stop = stop.check(iteration_, result.loss, search.loss, result.grad_norm,
                               objective.counts().evaluations());
  }

  void put(OptimizerState& state, const ParameterStore<T>& params) const {
    put_per_parameter(state, "point", point_, params);
    put_per_parameter(state, "gradient", gradient_, params);
    state["loss"] = state_scalar(loss_);
    state["iteration"] = state_scalar(static_cast<double>(iteration_));
    state["has-point"] = state_scalar(has_point_ ? 1 : 0);
  }

  bool restore_point(const OptimizerState& state, const ParameterStore<T>& params,
                     const std::string& optimizer) {
    if (!get_per_parameter(state, "point", point_, params)) return false;
    require_state(get_per_parameter(state, "gradient", gradient_, params), "gradient", optimizer);
    return true;
  }

  void restore_scalars(const OptimizerState& state, const std::string& optimizer) {
    loss_ = read_state_scalar(state, "loss", optimizer);
    iteration_ = static_cast<std::int64_t>(read_state_scalar(state, "iteration", optimizer));
    has_point_ = read_state_scalar(state, "has-point", optimizer) != 0;
  }

  const Vector<T>& point() const { return point_; }
  const Vector<T>& gradient() const { return gradient_; }  // ∇E at point(), in T
  double loss() const { return loss_; }
  double grad_norm() const { return grad_norm_; }  // ‖gradient()‖, after stops()
  std::int64_t iteration() const { return iteration_; }

 private:
  Vector<T> point_, gradient_;
  double loss_ = 0, grad_norm_ = 0;
  std::int64_t iteration_ = 0;
  bool has_point_ = false;  // point_, gradient_ and loss_ are the last accepted point's
};

}  // namespace ebprop::optimize
