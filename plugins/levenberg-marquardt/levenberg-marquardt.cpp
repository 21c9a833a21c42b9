// The Levenberg-Marquardt method (§6.4, Eq. 47): (JᵀJ + λI) Δw = −∇E, here (G + λI) δ = −g with
// G the objective's Gauss-Newton matrix (the square Jacobian, for the mean squared error).
//
// The damping is λI, as in Eq. 47, not Marquardt's λ·diag(G): a weight whose G_kk is 0 (a unit
// that never fires, an input that is always 0) would get no damping at all with diag(G), and a
// matrix-free G·v product does not give diag(G).
//
// λ follows Nielsen's rule (Madsen, Nielsen & Tingleff 2004, §3.2), with the gain ratio
// ρ = (E(w) − E(w + δ)) / (L(0) − L(δ)) of the actual decrease to the decrease the quadratic
// model L predicts, L(0) − L(δ) = ½ δᵀ(λδ − g) (exact for a dense solve, close for CG's):
//   accepted (ρ > 0): λ ← λ · max(1/100, 1 − (2ρ − 1)³), ν ← 2;
//   rejected:         λ ← λ · ν, ν ← 2ν, and the system is solved again at the same w.
// Nielsen bounds the decrease at 1/3; as ρ → 1 (the model predicts the decrease exactly) his
// cubic goes to 0, and bounding it only at 1/100 lets λ vanish within a few steps near a
// zero-residual minimum, where the iteration then becomes Gauss-Newton's and converges
// quadratically: on 2-D Rosenbrock from (−1.2, 1), 16 evaluations to (1, 1) within 1.2e-13
// (with 1/3: 17 evaluations, 1.5e-7 away when ‖g‖ < 1e-6).
// λ₀ = lambda · gᵀGg / gᵀg at the first step (the curvature of G along the first gradient sets
// the scale). One step is one accepted update: it retries within itself until the loss decreases,
// or until the step no longer changes w.
//
// Dense Cholesky up to dense-max weights, conjugate gradient on G·v products above
// (gauss_newton_system.h).
#include <ebprop/optimize/evaluated_point.h>
#include <ebprop/optimize/gauss_newton_system.h>
#include <ebprop/optimize/scalar_state.h>
#include <ebprop/plugin.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

using namespace ebprop;
using optimize::EvaluatedPoint;
using optimize::GaussNewtonOptions;
using optimize::GaussNewtonSystem;

template <typename T>
class LevenbergMarquardt final : public Optimizer<T> {
 public:
  explicit LevenbergMarquardt(const Settings& s)
      : rules_(s), options_(s), initial_lambda_(s.real("lambda")) {}

  DataUse data_use() const override { return {DataUse::Kind::full_set}; }

  void attach(ParameterStore<T>& params) override {
    params_ = &params;
    iteration_ = 0;
    lambda_ = 0;
    nu_ = 2;
    here_.forget();
  }

  StepResult step(Objective<T>& objective, const Batch& batch, std::int64_t) override {
    optimize::check_gauss_newton(objective, "levenberg-marquardt");
    StepResult result;
    if (!noticed_) result.notice = objective.gauss_newton_notice();
    noticed_ = true;
    result.loss = here_.at(objective, batch);
    const Vector<double>& g = here_.gradient();
    result.grad_norm = g.norm();
    result.new_loss = result.loss;
    result.step = 0;
    GaussNewtonSystem<T> system(objective, batch, options_);
    if (lambda_ == 0) {
      lambda_ = initial_lambda_ * system.curvature_along(g);
      if (!(lambda_ > 0)) lambda_ = initial_lambda_;
    }
    auto& w = objective.parameters().w();
    const Vector<T> start = w;
    for (;;) {
      // Eq. 47: (JᵀJ + λI) Δw = −∇E.
      const Vector<double> delta = system.solve(g, lambda_);
      if (!delta.allFinite()) {
        result.stop =
            "the Levenberg-Marquardt step is not finite (λ " + short_number(lambda_) + ")";
        return result;
      }
      w = start + delta.template cast<T>();
      if (w == start) {
        result.stop = "the step no longer changes w (λ " + short_number(lambda_) + ")";
        return result;
      }
      const double loss = trial_.evaluate(objective, batch);
      const double predicted = 0.5 * delta.dot(lambda_ * delta - g);
      const double rho = (result.loss - loss) / predicted;
      if (std::isfinite(loss) && loss < result.loss) {
        lambda_ *= std::max(smallest_factor, 1 - std::pow(2 * rho - 1, 3));
        nu_ = 2;
        break;
      }
      w = start;
      lambda_ *= nu_;
      nu_ *= 2;
      // Only max-evaluations can fire here (w has not moved; loss-tol needs a previous loss).
      result.stop = rules_.check(iteration_, StepResult::unknown, result.loss, result.grad_norm,
                                 objective.counts().evaluations());
      if (!result.stop.empty()) return result;
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

  // No single rate: the damping λ sets both the length and the direction of the step.
  double current_rate() const override { return std::numeric_limits<double>::quiet_NaN(); }

  // The iteration count, λ and ν, and the loss and gradient
  // evaluated at w (so that a resumed run evaluates no more than an uninterrupted one).
  OptimizerState state() const override {
    OptimizerState state;
    optimize::put_scalar(state, "iteration", static_cast<double>(iteration_));
    optimize::put_scalar(state, "lambda", lambda_);
    optimize::put_scalar(state, "nu", nu_);
    here_.put(state, "here", *params_);
    return state;
  }

  void restore(const OptimizerState& state) override {
    const std::string me = "levenberg-marquardt";
    iteration_ = static_cast<std::int64_t>(optimize::get_scalar(state, "iteration", me));
    lambda_ = optimize::get_scalar(state, "lambda", me);
    nu_ = optimize::get_scalar(state, "nu", me);
    here_.restore(state, "here", *params_);
  }

 private:
  static constexpr double smallest_factor = 0.01;  // λ falls at most 100× per step (see above)

  StopRules rules_;
  GaussNewtonOptions options_;
  double initial_lambda_;
  std::int64_t iteration_ = 0;
  double lambda_ = 0;  // 0 until the first step sets λ₀
  double nu_ = 2;
  bool noticed_ = false;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  EvaluatedPoint<T> here_, trial_;             // the loss and gradient at w, and at the trial point
};

void register_levenberg_marquardt(Registry& registry) {
  std::vector<SettingSpec> settings = {
      optional("lambda", SettingType::real, "1e-3",
               "λ₀ relative to G's scale: λ₀ = lambda · gᵀGg/gᵀg at the first step (Nielsen's τ, "
               "with G's curvature along g for his max G_kk)")
          .above(0)};
  for (auto& spec : GaussNewtonOptions::settings()) settings.push_back(std::move(spec));
  for (auto& spec : StopRules::settings()) settings.push_back(std::move(spec));
  registry.add_optimizer<LevenbergMarquardt>(
      {"levenberg-marquardt",
       "Levenberg-Marquardt (§6.4, Eq. 47): (JᵀJ + λI)Δw = −∇E for the mean squared error, λ "
       "adapted by Nielsen's gain-ratio rule (falling up to 100× per step); one accepted step "
       "per epoch. Dense Cholesky up to dense-max weights, matrix-free conjugate gradient above.",
       std::move(settings), ebprop::OptimizerInfo::RateKind::none});
}

}  // namespace

EBPROP_PLUGIN(register_levenberg_marquardt)
