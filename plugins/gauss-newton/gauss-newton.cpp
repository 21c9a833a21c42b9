// The Gauss-Newton method (§6.4, Eq. 46): Δw = −(JᵀJ)⁻¹ ∇E, here −G⁻¹ g with G the objective's
// Gauss-Newton matrix (the square Jacobian of Eq. 46, for the mean squared error), solved by dense
// Cholesky for small nets and by conjugate gradient on G·v products above dense-max
// (gauss_newton_system.h). The full step is tried first — on a linear least-squares problem G is
// the Hessian and that step lands on the minimum — then halved until the loss decreases enough
// (Armijo's test, c = 1e-4), at most 30 times.
#include <ebprop/plugin.h>

#include <cmath>
#include <limits>

#include "evaluated_point.h"
#include "gauss_newton_system.h"
#include "scalar_state.h"

namespace {

using namespace ebprop;
using optimize::EvaluatedPoint;
using optimize::GaussNewtonOptions;
using optimize::GaussNewtonSystem;

template <typename T>
class GaussNewton final : public Optimizer<T> {
 public:
  explicit GaussNewton(const Settings& s) : rules_(s), options_(s) {}

  DataUse data_use() const override { return {DataUse::Kind::full_set}; }

  void attach(ParameterStore<T>& /*params*/) override {
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
    // Eq. 46: Δw = −G⁻¹ ∇E.
    const Vector<double> delta = GaussNewtonSystem<T>(objective, batch, options_).solve(g, 0);
    auto& w = objective.parameters().w();
    const Vector<T> start = w;
    if (!delta.allFinite()) return no_step(result, g, "the Gauss-Newton step is not finite");
    const double slope = g.dot(delta);
    last_rate_ = 1;
    for (int halvings = 0;; ++halvings) {
      w = start + (last_rate_ * delta).template cast<T>();
      const double loss = trial_.evaluate(objective, batch);
      if (std::isfinite(loss) && loss <= result.loss + armijo * last_rate_ * slope) break;
      if (halvings == max_halvings) {
        w = start;
        return no_step(result, g,
                       "no decrease along the Gauss-Newton step in " +
                           std::to_string(max_halvings) + " halvings");
      }
      last_rate_ /= 2;
    }
    std::swap(here_, trial_);
    ++iteration_;
    result.new_loss = here_.loss();
    result.grad_norm = here_.gradient().norm();
    result.step = (w - start).template cast<double>().norm();
    result.stop = rules_.check(iteration_, result.loss, result.new_loss, result.grad_norm,
                               objective.counts().evaluations());
    return result;
  }

  // The step factor of the last step: 1 for the full Gauss-Newton step, 2^-k after k halvings.
  double current_rate() const override { return last_rate_; }

  // The iteration count; the loss and gradient at w are evaluated again after a restore.
  OptimizerState state() const override {
    OptimizerState state;
    optimize::put_scalar(state, "iteration", static_cast<double>(iteration_));
    return state;
  }

  void restore(const OptimizerState& state) override {
    iteration_ =
        static_cast<std::int64_t>(optimize::get_scalar(state, "iteration", "gauss-newton"));
    here_.forget();
  }

 private:
  static constexpr double armijo = 1e-4;
  static constexpr int max_halvings = 30;

  // The result of a step that left w where it was, and why.
  static StepResult no_step(StepResult result, const Vector<double>& g, std::string why) {
    result.new_loss = result.loss;
    result.grad_norm = g.norm();
    result.step = 0;
    result.stop = std::move(why);
    return result;
  }

  StopRules rules_;
  GaussNewtonOptions options_;
  std::int64_t iteration_ = 0;
  bool noticed_ = false;
  double last_rate_ = std::numeric_limits<double>::quiet_NaN();
  EvaluatedPoint<T> here_, trial_;  // the loss and gradient at w, and at the trial point
};

void register_gauss_newton(Registry& registry) {
  std::vector<SettingSpec> settings = GaussNewtonOptions::settings();
  for (auto& spec : StopRules::settings()) settings.push_back(std::move(spec));
  registry.add_optimizer<GaussNewton>(
      {"gauss-newton",
       "Gauss-Newton (§6.4, Eq. 46): Δw = −(JᵀJ)⁻¹∇E, for the mean squared error; the full step "
       "first, halved until the loss decreases (Armijo). Dense Cholesky up to dense-max weights, "
       "matrix-free conjugate gradient above. A batch method: one step per epoch.",
       std::move(settings)});
}

}  // namespace

EBPROP_PLUGIN(register_gauss_newton)
