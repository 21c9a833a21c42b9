// Optimizer: changes the parameters to lower E, using what an Objective can compute
// (objective.h). An optimizer sees only the objective — never a graph, a data set or a trainer —
// so the same plugin trains a network and minimizes a test function (ebprop-optimize).
//
// Each optimizer declares how it consumes data (data_use()):
//  - mini_batches: the stochastic methods (online or mini-batch SGD, momentum, annealing,
//    adaptive rates, SDLM, §4 and §9.1): one step per mini-batch of the shuffled training set;
//  - full_set: the batch methods of §6 (CG, BFGS, L-BFGS, Gauss-Newton, Levenberg-Marquardt,
//    Newton): a step is one iteration on Batch::all(), and one epoch of the runner is one step;
//  - resampled: an iteration on a large mini-batch of `sample` examples, drawn anew every `every`
//    iterations (§6.2's remedy for redundant data); an epoch is as many iterations as cover the
//    set once.
// The trainer makes the batches and calls step(); an optimizer may evaluate other batches too
// (objective.sample() for curvature estimates).
//
// LIFECYCLE: constructor(const Settings&), attach(store) once after the parameters are
// initialized, then begin_epoch / step any number of times. restore() may follow attach().
//
// STATE is kept by parameter name (put_per_parameter below), never by position or address, so
// a checkpoint restores into a graph whose store is laid out differently, and a resumed run
// continues exactly.
//
// OWNERSHIP: the caller owns the objective and the store, and keeps them alive from attach() on.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "ebprop/objective.h"
#include "ebprop/parameters.h"
#include "ebprop/settings.h"

namespace ebprop {

struct DataUse {
  enum class Kind { mini_batches, full_set, resampled };
  Kind kind = Kind::mini_batches;
  int sample = 0;  // resampled: examples per sample (capped at the set's size)
  int every = 1;   // resampled: iterations on each sample
};

// What one step did.
struct StepResult {
  static constexpr double unknown = std::numeric_limits<double>::quiet_NaN();
  // The mean loss the step evaluated at the point it started from (a stochastic step: its batch
  // before the update). NaN when it evaluated none there.
  double loss = unknown;
  // The mean loss at the point it moved to, when it knows it (an iterative method: the accepted
  // point of its line search or trust region); NaN otherwise.
  double new_loss = unknown;
  double grad_norm = unknown;  // ‖∇E‖ at the new point, when known
  double step = unknown;       // ‖Δw‖ of the step
  // Non-empty when the method has finished: which stop rule fired ("‖g‖ 8.1e-07 < grad-tol
  // 1e-06"), or why it can make no progress. The trainer then ends the run.
  std::string stop;
  // Non-empty: one line for the caller to print on how the step was made (a damped Hessian).
  std::string notice;
};

// Named state: per-weight vectors stored per parameter block ("velocity/fc1.weight") and small
// vectors of scalars ("iteration").
using OptimizerState = std::map<std::string, Vector<double>>;

template <typename T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;

  virtual DataUse data_use() const { return {}; }

  // Requires: the store is allocated and initialized. Sizes the optimizer's state.
  virtual void attach(ParameterStore<T>& params) = 0;

  // Called at the start of each epoch (1-based), before its first step.
  virtual void begin_epoch(int /*epoch*/, Objective<T>& /*objective*/) {}

  // One update of objective.parameters().w from evaluations on `batch` (the mini-batch, the
  // sample, or all(), as data_use() says). `examples_seen` counts the examples presented in this
  // run including this batch's (the t of Eq. 12).
  // Ensures: w holds the new point. A non-finite value met on the way is not an error of the
  // optimizer: it returns it in the result (and a line search backs off from it).
  virtual StepResult step(Objective<T>& objective, const Batch& batch,
                          std::int64_t examples_seen) = 0;

  // The rate used by the last step (for progress lines); NaN when the method has no single rate.
  virtual double current_rate() const = 0;

  virtual OptimizerState state() const { return {}; }
  // Requires: attach() before. Throws Error naming a missing or mis-sized entry.
  virtual void restore(const OptimizerState& /*state*/) {}
};

struct OptimizerInfo {
  std::string type;  // "sgd"
  std::string doc;
  std::vector<SettingSpec> settings;
  // What the optimizer's `lr` setting means, for tools that set it (ebprop-run --lr auto sets
  // 1/λmax, §9.2, only for a global step size):
  //   none              it has no `lr`, or its `lr` is not a rate of the gradient;
  //   global_step       lr is the step size η of w ← w − η ∂E/∂w (times the per-parameter
  //                     multipliers), or its starting value;
  //   curvature_scaled  lr is a factor of per-weight rates that the method divides by its own
  //                     curvature estimates (SDLM's η of Eq. 61): 1/λmax is not its scale.
  enum class RateKind { none, global_step, curvature_scaled };
  RateKind rate_kind = RateKind::none;
  // A global_step optimizer's setting holding a heavy-ball momentum μ (§4.7), "" when it has
  // none: with μ > 0 the stable rates are not those of plain gradient descent.
  std::string momentum_setting = "";
};

// Stores one per-weight vector in `state` as "NAME/BLOCK" for each block of the store. The
// values may be of the store's precision or double (a float optimizer's double-precision state),
// and are kept exactly either way.
template <typename V, typename T>
void put_per_parameter(OptimizerState& state, const std::string& name, const Vector<V>& values,
                       const ParameterStore<T>& params);
// Reads what put_per_parameter stored into `values` (sized to the store). Returns false when
// `state` has no entry of this name for any block; throws Error naming the entry when only some
// blocks are there or one has the wrong size.
template <typename V, typename T>
bool get_per_parameter(const OptimizerState& state, const std::string& name, Vector<V>& values,
                       const ParameterStore<T>& params);

// A number with three significant digits ("8.1e-07", "0.02"), as the stop rules, line searches
// and notices of optimizers print them.
std::string short_number(double value);

// The stop rules every iterative method shares (§6), read from its settings:
//   grad-tol        stop when ‖∇E‖ < grad-tol                       (default 1e-6)
//   loss-tol        stop when |ΔE| / max(|E|, 1) < loss-tol over one iteration (default 0: off)
//   max-iterations  stop after this many iterations                 (default 0: no limit)
//   max-evaluations stop once this many evaluations are made        (default 0: no limit)
struct StopRules {
  double grad_tol = 1e-6;
  double loss_tol = 0;
  std::int64_t max_iterations = 0;
  std::int64_t max_evaluations = 0;

  static std::vector<SettingSpec> settings();  // the four specs, to append to an optimizer's
  explicit StopRules(const Settings& settings);
  StopRules() = default;

  // "" to go on, or the rule that fired, after `iteration` (1-based) moved the loss from
  // `previous_loss` to `loss` with gradient norm `grad_norm` and `evaluations` made so far.
  std::string check(std::int64_t iteration, double previous_loss, double loss, double grad_norm,
                    std::int64_t evaluations) const;
};

}  // namespace ebprop
