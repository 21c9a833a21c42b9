// The stochastic diagonal Levenberg-Marquardt method (§9.1): stochastic gradient descent in which
// every weight has its own rate, η / (⟨h_kk⟩ + μ) (Eq. 61), from a running or sampled estimate
// of the diagonal Gauss-Newton second derivative that bbprop computes (§7.3).

#include <ebprop/optimize/scalar_state.h>
#include <ebprop/plugin.h>

#include <utility>

namespace {

using namespace ebprop;

template <typename T>
class Sdlm final : public Optimizer<T> {
 public:
  explicit Sdlm(const Settings& s)
      : rate_(s.real("lr")),
        schedule_(s.reals("schedule")),
        mu_(s.real("mu")),
        running_(s.text("estimate") == "running"),
        samples_(static_cast<int>(s.integer("samples"))),
        every_(s.integer("every")),
        gamma_(s.real("gamma")),
        momentum_(s.real("momentum")),
        anneal_(s.real("anneal")) {}

  void attach(ParameterStore<T>& params) override {
    params_ = &params;
    curvature_ = Vector<T>::Zero(params.size());
    update_factors();
    velocity_ = Vector<T>::Zero(params.size());
    has_curvature_ = false;
  }

  void begin_epoch(int epoch, Objective<T>& objective) override {
    if (!schedule_.empty())
      rate_ = schedule_[std::min<std::size_t>(epoch - 1, schedule_.size() - 1)];
    if (!running_) estimate(objective, seen_);
  }

  StepResult step(Objective<T>& objective, const Batch& batch,
                  std::int64_t examples_seen) override {
    if (!running_ && every_ > 0 && examples_seen - estimated_at_ >= every_)
      estimate(objective, examples_seen);
    // Eq. 12 on the global rate: min(η, c/t) when annealing.
    last_rate_ =
        anneal_ > 0 ? std::min(rate_, anneal_ / static_cast<double>(examples_seen)) : rate_;
    const T eta = static_cast<T>(last_rate_);
    StepResult result;
    if (!running_ && momentum_ == 0) {
      // Eq. 61's step, fused into bprop where the modules can (Objective::descend).
      result.loss = objective.descend(batch, eta, &factors_);
      seen_ = examples_seen;
      return result;
    }
    if (running_) {
      result.loss = objective.curvature(batch);
      // Eq. 62: ⟨h_kk⟩ ← (1 − γ) ⟨h_kk⟩ + γ ∂²E/∂w_k², started from the first estimate.
      const auto& ddw = std::as_const(objective.parameters()).ddw();
      if (has_curvature_)
        curvature_ = static_cast<T>(1 - gamma_) * curvature_ + static_cast<T>(gamma_) * ddw;
      else
        curvature_ = ddw;
      has_curvature_ = true;
      update_factors();
    } else {
      result.loss = objective.gradient(batch);
    }
    auto& p = objective.parameters();
    if (momentum_ == 0) {
      p.descend(eta, factors_);
    } else {
      velocity_.array() =
          static_cast<T>(momentum_) * velocity_.array() - eta * factors_.array() * p.dw().array();
      p.w() += velocity_;
    }
    seen_ = examples_seen;
    return result;
  }

  double current_rate() const override { return anneal_ > 0 ? last_rate_ : rate_; }

  // The estimate and the velocity by parameter; the rate the schedule set, the rate of the last
  // step, and when the estimate was made, as scalars.
  OptimizerState state() const override {
    OptimizerState state;
    if (has_curvature_) put_per_parameter(state, "curvature", curvature_, *params_);
    put_per_parameter(state, "velocity", velocity_, *params_);
    optimize::put_scalar(state, "rate", rate_);
    optimize::put_scalar(state, "last-rate", last_rate_);
    optimize::put_scalar(state, "estimated-at", static_cast<double>(estimated_at_));
    optimize::put_scalar(state, "seen", static_cast<double>(seen_));
    return state;
  }

  void restore(const OptimizerState& state) override {
    has_curvature_ = get_per_parameter(state, "curvature", curvature_, *params_);
    if (!get_per_parameter(state, "velocity", velocity_, *params_))
      throw Error("sdlm state has no entry 'velocity'");
    rate_ = optimize::get_scalar(state, "rate", "sdlm");
    last_rate_ = optimize::get_scalar(state, "last-rate", "sdlm");
    estimated_at_ = static_cast<std::int64_t>(optimize::get_scalar(state, "estimated-at", "sdlm"));
    seen_ = static_cast<std::int64_t>(optimize::get_scalar(state, "seen", "sdlm"));
    update_factors();
  }

 private:
  // Eq. 61: each weight's rate is η·f_k with f_k = 1 / (⟨h_kk⟩ + μ) (times the user's lr.ROLE
  // multiplier); where ⟨h_kk⟩ + μ is 0 (μ = 0 and no curvature) there is no information, and the
  // weight does not move. Computed when the curvature changes, not at every step.
  void update_factors() {
    const auto denominator = curvature_.array() + static_cast<T>(mu_);
    factors_ =
        (denominator > T(0)).select(params_->lr_scale().array() / denominator, T(0)).matrix();
  }

  // §9.1, the LeNet-5 recipe: the diagonal averaged over a few hundred samples, then kept fixed.
  void estimate(Objective<T>& objective, std::int64_t examples_seen) {
    objective.curvature(objective.sample(samples_));
    curvature_ = std::as_const(objective.parameters()).ddw();
    has_curvature_ = true;
    update_factors();
    estimated_at_ = examples_seen;
  }

  double rate_;
  std::vector<double> schedule_;
  double mu_;
  bool running_;
  int samples_;
  std::int64_t every_;
  double gamma_, momentum_, anneal_;
  double last_rate_ = 0;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  Vector<T> curvature_, velocity_, factors_;
  bool has_curvature_ = false;
  std::int64_t estimated_at_ = 0;
  std::int64_t seen_ = 0;  // examples presented up to the last step
};

void register_sdlm(Registry& registry) {
  registry.add_optimizer<Sdlm>(
      {"sdlm",
       "Stochastic diagonal Levenberg-Marquardt (§9.1): per-weight rates η/(⟨h_kk⟩+μ) (Eq. 61) "
       "from the bbprop diagonal, sampled before each epoch (LeNet-5) or a running average "
       "(Eq. 62).",
       {optional("lr", SettingType::real, "0.0005", "global rate η (ε in §9.1)").above(0),
        optional("schedule", SettingType::real_list, "",
                 "η per epoch, comma-separated (the last holds after); overrides lr")
            .above(0),
        optional("mu", SettingType::real, "0.02", "μ of Eq. 61: bounds the rates by η/μ")
            .at_least(0),
        optional("estimate", SettingType::text, "sampled",
                 "sampled: average over `samples` examples before each epoch (and every `every` "
                 "examples), kept fixed between; running: the average of Eq. 62, every step")
            .one_of({"sampled", "running"}),
        optional("samples", SettingType::integer, "500", "examples per sampled estimate")
            .at_least(1),
        optional("every", SettingType::integer, "0",
                 "re-estimate after this many examples (0: once per epoch)")
            .at_least(0),
        optional("gamma", SettingType::real, "0.01", "memory γ of the running average (Eq. 62)")
            .above(0)
            .at_most(1),
        optional("momentum", SettingType::real, "0", "momentum μ (§4.7)").at_least(0).below(1),
        optional("anneal", SettingType::real, "0",
                 "c of Eq. 12: the global rate becomes min(η, c/t) after t examples; 0: off")
            .at_least(0)},
       OptimizerInfo::RateKind::curvature_scaled});
}

}  // namespace

EBPROP_PLUGIN(register_sdlm)
