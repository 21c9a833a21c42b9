#include "ebprop/optimize/line_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ebprop/error.h"
#include "ebprop/settings.h"

namespace ebprop::optimize {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// One trial of the search: φ(α) = E(w0 + α d) and φ'(α) = ∇E(w0 + α d)ᵀd.
struct Trial {
  double alpha = 0, loss = 0, slope = 0;
  bool finite = true;
};

// The minimizer of the cubic with the values and slopes of a and b (Nocedal & Wright Eq. 3.59);
// NaN when the cubic has none.
double cubic_minimizer(const Trial& a, const Trial& b) {
  const double d1 = a.slope + b.slope - 3 * (a.loss - b.loss) / (a.alpha - b.alpha);
  const double discriminant = d1 * d1 - a.slope * b.slope;
  if (!(discriminant >= 0)) return nan;
  const double d2 = std::copysign(std::sqrt(discriminant), b.alpha - a.alpha);
  const double denominator = b.slope - a.slope + 2 * d2;
  if (denominator == 0) return nan;
  return b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / denominator;
}

// The minimizer of the quadratic with a's value and slope and b's value; NaN when it has none.
double quadratic_minimizer(const Trial& a, const Trial& b) {
  const double h = b.alpha - a.alpha, curvature = b.loss - a.loss - a.slope * h;
  if (!(curvature > 0)) return nan;
  return a.alpha - a.slope * h * h / (2 * curvature);
}

template <typename T>
class Search {
 public:
  Search(Objective<T>& objective, const Batch& batch, const Vector<T>& w0, double loss0,
         const Vector<T>& g0, const Vector<T>& direction, const LineSearchOptions& options)
      : objective_(objective),
        batch_(batch),
        w0_(w0),
        g0_(g0),
        d_(direction),
        options_(options),
        start_{0, loss0, static_cast<double>(g0.dot(direction)), true},
        best_(start_) {}

  LineSearchResult run();

 private:
  Trial evaluate(double alpha);
  // E(w0 + α d) is low enough for the sufficient-decrease condition.
  bool decreases(const Trial& t) const {
    return t.finite && t.loss <= start_.loss + options_.c1 * t.alpha * start_.slope;
  }
  bool flat(const Trial& t) const { return std::abs(t.slope) <= -options_.c2 * start_.slope; }
  bool out_of_evaluations() const { return evaluations_ >= options_.max_evaluations; }
  LineSearchResult zoom(Trial lo, Trial hi);
  LineSearchResult accept(const Trial& t) const;
  LineSearchResult fail(const std::string& why);

  Objective<T>& objective_;
  const Batch& batch_;
  const Vector<T>& w0_;
  const Vector<T>& g0_;
  const Vector<T>& d_;
  const LineSearchOptions& options_;
  const Trial start_;
  Trial best_;               // the lowest finite loss so far (start_ until a trial is lower)
  Vector<T> best_gradient_;  // its gradient, when it is not start_
  Trial last_;               // the trial whose point and gradient are in the store
  int evaluations_ = 0;
};

template <typename T>
Trial Search<T>::evaluate(double alpha) {
  auto& p = objective_.parameters();
  p.w() = w0_ + static_cast<T>(alpha) * d_;
  ++evaluations_;
  Trial t;
  t.alpha = alpha;
  t.loss = objective_.gradient(batch_);
  t.slope = static_cast<double>(p.dw().dot(d_));
  t.finite = std::isfinite(t.loss) && std::isfinite(t.slope);
  if (t.finite && t.loss < best_.loss) {
    best_ = t;
    best_gradient_ = p.dw();
  }
  last_ = t;
  return t;
}

template <typename T>
LineSearchResult Search<T>::accept(const Trial& t) const {
  LineSearchResult r;
  r.step = t.alpha;
  r.loss = t.loss;
  r.slope = t.slope;
  r.evaluations = evaluations_;
  r.wolfe = true;
  return r;
}

template <typename T>
LineSearchResult Search<T>::fail(const std::string& why) {
  auto& p = objective_.parameters();
  if (best_.alpha != last_.alpha) {
    p.w() = w0_ + static_cast<T>(best_.alpha) * d_;
    p.dw() = best_.alpha == 0 ? g0_ : best_gradient_;
  }
  LineSearchResult r = accept(best_);
  r.wolfe = false;
  r.failure = why;
  return r;
}

template <typename T>
LineSearchResult Search<T>::run() {
  Trial previous = start_;
  double alpha = options_.initial_step;
  double limit = std::numeric_limits<double>::infinity();  // the shortest non-finite trial
  double shrink = 0.1;  // squared at each non-finite trial in a row: 1e120 is back to 1 in 7
  // Bracketing (Algorithm 3.5): lengthen the step until it is acceptable or an interval is known
  // to hold acceptable steps.
  for (;;) {
    if (out_of_evaluations())
      return fail("no step met the strong Wolfe conditions in " +
                  std::to_string(options_.max_evaluations) + " evaluations");
    const Trial t = evaluate(alpha);
    // A step far too long: not finite, or a loss so high that the parabola through the last
    // trials puts the minimum within a tenth of the way to it. Back off towards the last finite
    // trial (to that parabola's minimum, or by `shrink`, whichever is further), and never go this
    // far again.
    const double parabola = t.finite ? quadratic_minimizer(previous, t) : nan;
    if (!t.finite || (!decreases(t) && std::isfinite(parabola) &&
                      parabola - previous.alpha < 0.1 * (t.alpha - previous.alpha))) {
      limit = alpha;
      const double back = shrink * (alpha - previous.alpha);
      alpha = previous.alpha +
              (std::isfinite(parabola) ? std::max(back, parabola - previous.alpha) : back);
      shrink *= shrink;
      if (alpha - previous.alpha <= 1e-12 * alpha)
        return fail("every step beyond " + short_number(previous.alpha) +
                    " gave a loss or gradient that is not finite");
      continue;
    }
    shrink = 0.1;
    if (!decreases(t) || (previous.alpha > 0 && t.loss >= previous.loss)) return zoom(previous, t);
    if (flat(t)) return accept(t);
    if (t.slope >= 0) return zoom(t, previous);
    // Still descending: extrapolate with the cubic, at least 1.1 and at most 4 times the last
    // increase further, and at most half way to a step that was not finite.
    const double increase = t.alpha - previous.alpha;
    double next = cubic_minimizer(previous, t);
    if (!std::isfinite(next)) next = t.alpha + 4 * increase;
    next = std::clamp(next, t.alpha + 1.1 * increase, t.alpha + 4 * increase);
    next = std::min(next, t.alpha + 0.5 * (limit - t.alpha));
    previous = t;
    alpha = next;
  }
}

// Algorithm 3.6: `lo` is the lowest trial that decreases E enough, and the interval between lo
// and hi holds steps that meet the strong Wolfe conditions. Each trial is the interpolating
// cubic's minimizer, kept at least 0.1 of the interval away from both ends.
template <typename T>
LineSearchResult Search<T>::zoom(Trial lo, Trial hi) {
  for (;;) {
    if (out_of_evaluations())
      return fail("no step met the strong Wolfe conditions in " +
                  std::to_string(options_.max_evaluations) + " evaluations");
    const double width = std::abs(hi.alpha - lo.alpha);
    if (width <= 1e-14 * std::max(lo.alpha, hi.alpha))
      return fail("the interval of steps shrank to nothing at " + short_number(lo.alpha) +
                  " (the loss varies by less than its rounding)");
    double next = nan;
    if (hi.finite) {
      next = cubic_minimizer(lo, hi);
      if (!std::isfinite(next)) next = quadratic_minimizer(lo, hi);
    }
    // The trial as a fraction of the way from lo to hi.
    const double fraction =
        std::isfinite(next) ? std::clamp((next - lo.alpha) / (hi.alpha - lo.alpha), 0.1, 0.9) : 0.5;
    const Trial t = evaluate(lo.alpha + fraction * (hi.alpha - lo.alpha));
    // A loss within rounding of lo's cannot say which is lower: the slope decides then.
    const double rounding = 4 * std::numeric_limits<double>::epsilon() * std::abs(lo.loss);
    if (!decreases(t) || t.loss > lo.loss + rounding) {
      hi = t;
    } else {
      if (flat(t)) return accept(t);
      if (t.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
      lo = t;
    }
  }
}

}  // namespace

template <typename T>
LineSearchResult line_search(Objective<T>& objective, const Batch& batch, const Vector<T>& w0,
                             double loss0, const Vector<T>& g0, const Vector<T>& direction,
                             const LineSearchOptions& options) {
  const auto n = objective.parameters().size();
  if (w0.size() != n || g0.size() != n || direction.size() != n)
    throw Error("line search on " + objective.name() + ": the point, gradient and direction have " +
                std::to_string(w0.size()) + ", " + std::to_string(g0.size()) + " and " +
                std::to_string(direction.size()) + " elements, the objective " + std::to_string(n) +
                " weights");
  if (!(0 < options.c1 && options.c1 < options.c2 && options.c2 < 1))
    throw Error("line search: needs 0 < c1 < c2 < 1, not c1 = " + short_number(options.c1) +
                " and c2 = " + short_number(options.c2));
  if (!(options.initial_step > 0) || options.max_evaluations < 1)
    throw Error("line search: needs an initial step > 0 and at least one evaluation");
  if (!std::isfinite(loss0))
    throw Error("line search on " + objective.name() + ": the loss at the start is not finite");
  const double slope = static_cast<double>(g0.dot(direction));
  if (!(slope < 0))
    throw Error("line search on " + objective.name() +
                ": the direction is not a descent direction (∇Eᵀd = " + short_number(slope) +
                ", must be negative)");
  return Search<T>(objective, batch, w0, loss0, g0, direction, options).run();
}

std::vector<SettingSpec> line_search_settings(const std::string& c2) {
  return {optional("c1", SettingType::real, "1e-4", "line search: sufficient decrease")
              .above(0)
              .below(1),
          optional("c2", SettingType::real, c2, "line search: curvature (strong Wolfe), above c1")
              .above(0)
              .below(1),
          optional("line-evaluations", SettingType::integer, "25",
                   "line search: at most this many evaluations")
              .at_least(1)};
}

LineSearchOptions line_search_options(const Settings& settings, const std::string& optimizer) {
  LineSearchOptions options;
  options.c1 = settings.real("c1");
  options.c2 = settings.real("c2");
  options.max_evaluations = static_cast<int>(settings.integer("line-evaluations"));
  if (!(options.c1 < options.c2)) {
    std::ostringstream message;
    message << "optimizer " << optimizer
            << ": the line search needs c1 < c2, not c1 = " << options.c1
            << " and c2 = " << options.c2;
    throw SourceError(settings.where("c2"), message.str());
  }
  return options;
}

double read_state_scalar(const OptimizerState& state, const std::string& name,
                         const std::string& optimizer) {
  const auto it = state.find(name);
  if (it == state.end() || it->second.size() != 1)
    throw Error(optimizer + " state has no scalar '" + name + "'");
  return it->second[0];
}

void require_state(bool found, const std::string& name, const std::string& optimizer) {
  if (!found) throw Error(optimizer + " state has a point but no '" + name + "'");
}

template LineSearchResult line_search(Objective<float>&, const Batch&, const Vector<float>&, double,
                                      const Vector<float>&, const Vector<float>&,
                                      const LineSearchOptions&);
template LineSearchResult line_search(Objective<double>&, const Batch&, const Vector<double>&,
                                      double, const Vector<double>&, const Vector<double>&,
                                      const LineSearchOptions&);

}  // namespace ebprop::optimize
