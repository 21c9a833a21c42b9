// The Gauss-Newton method (§6.4, Eq. 46): Δw = −(JᵀJ)⁻¹ ∇E, here −G⁻¹ g with G the objective's
// Gauss-Newton matrix (the square Jacobian of Eq. 46, for the mean squared error), solved densely
// for small nets — by a pseudo-inverse truncated at rcond, since the JᵀJ of a network is often
// nearly singular — and by conjugate gradient on G·v products above dense-max
// (gauss_newton_system.h). The full step is tried first — on a linear least-squares problem G is
// the Hessian and that step lands on the minimum — then halved until the loss decreases enough
// (Armijo's test, c = 1e-4), at most 30 times.
#include <ebprop/optimize/backtracking.h>
#include <ebprop/optimize/evaluated_point.h>
#include <ebprop/optimize/gauss_newton_system.h>
#include <ebprop/optimize/scalar_state.h>
#include <ebprop/plugin.h>

#include <cmath>
#include <limits>

namespace {

using namespace ebprop;
using optimize::EvaluatedPoint;
using optimize::GaussNewtonOptions;
using optimize::GaussNewtonSystem;

template <typename T>
class GaussNewton final : public Optimizer<T> {
 public:
  explicit GaussNewton(const Settings& s) : rules_(s), options_(s), rcond_(s.real("rcond")) {}

  DataUse data_use() const override { return {DataUse::Kind::full_set}; }

  void attach(ParameterStore<T>& params) override {
    params_ = &params;
    iteration_ = 0;
    here_.forget();
  }

  StepResult step(Objective<T>& objective, const Batch& batch, std::int64_t) override {
    optimize::check_gauss_newton(objective, "gauss-newton");
    StepResult result;
    if (!noticed_) result.notice = objective.gauss_newton_notice();
    noticed_ = true;
    result.loss = here_.at(objective, batch);
    const Vector<double>& g = here_.gradient();
    // Eq. 46: Δw = −G⁻¹ ∇E; dense, with the pseudo-inverse truncated at rcond.
    GaussNewtonSystem<T> system(objective, batch, options_);
    const Vector<double> delta =
        system.dense() && rcond_ > 0 ? system.solve_truncated(g, rcond_) : system.solve(g, 0);
    if (!delta.allFinite())
      return optimize::no_step(result, g, "the Gauss-Newton step is not finite");
    last_rate_ = optimize::backtracked_step(objective, batch, delta, 1.0, here_, trial_, rules_,
                                            iteration_, "Gauss-Newton", result);
    return result;
  }

  // The step factor of the last step: 1 for the full Gauss-Newton step, 2^-k after k halvings.
  double current_rate() const override { return last_rate_; }

  // The iteration count, and the loss and gradient
  // evaluated at w (so that a resumed run evaluates no more than an uninterrupted one).
  OptimizerState state() const override {
    OptimizerState state;
    optimize::put_scalar(state, "iteration", static_cast<double>(iteration_));
    here_.put(state, "here", *params_);
    return state;
  }

  void restore(const OptimizerState& state) override {
    iteration_ =
        static_cast<std::int64_t>(optimize::get_scalar(state, "iteration", "gauss-newton"));
    here_.restore(state, "here", *params_);
  }

 private:
  StopRules rules_;
  GaussNewtonOptions options_;
  double rcond_;
  std::int64_t iteration_ = 0;
  bool noticed_ = false;
  double last_rate_ = std::numeric_limits<double>::quiet_NaN();
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  EvaluatedPoint<T> here_, trial_;             // the loss and gradient at w, and at the trial point
};

void register_gauss_newton(Registry& registry) {
  std::vector<SettingSpec> settings = GaussNewtonOptions::settings();
  settings.push_back(
      optional("rcond", SettingType::real, "1e-6",
               "dense: G's eigen-directions with eigenvalue ≤ rcond·λmax are left out of the step "
               "(a truncated pseudo-inverse: without it, a nearly singular JᵀJ gives steps "
               "thousands of times too long); 0: the Cholesky solve of G itself")
          .at_least(0)
          .below(1));
  for (auto& spec : StopRules::settings()) settings.push_back(std::move(spec));
  registry.add_optimizer<GaussNewton>(
      {"gauss-newton",
       "Gauss-Newton (§6.4, Eq. 46): Δw = −(JᵀJ)⁻¹∇E, for the mean squared error; the full step "
       "first, halved until the loss decreases (Armijo). Dense (a truncated pseudo-inverse) up "
       "to dense-max weights, matrix-free conjugate gradient above. A batch method: one step "
       "per epoch.",
       std::move(settings), ebprop::OptimizerInfo::RateKind::none});
}

}  // namespace

EBPROP_PLUGIN(register_gauss_newton)
