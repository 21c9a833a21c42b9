// Adaptive learning rate (§4.7, Eq. 17-19, after Murata, Müller et al.): online gradient descent
// whose global rate follows a leaky average of the gradient — large while the gradients agree
// (far from a minimum), shrinking as they average out near one.
//
// Eq. 19 settles η at β‖r‖, so β has the units of a rate over a gradient norm: a fixed default
// fits one net only (β = 1 drove η to about 1.2 on the 784-300-10 digits net, a thousand times
// its SGD rate, and the run diverged). By default (beta = 0) β is calibrated instead: after the
// first ⌈1/δ⌉ steps, β = η(0) / ‖r̂‖ with r̂ the bias-corrected average r / (1 − (1 − δ)^t) (r
// starts at 0), so that η(0) is the fixed point for the starting gradients and η then falls as
// ‖r‖ does. Until then η stays at η(0).
#include <ebprop/plugin.h>

#include <cmath>
#include <cstdint>

namespace {

using namespace ebprop;

template <typename T>
class Adaptive final : public Optimizer<T> {
 public:
  explicit Adaptive(const Settings& s)
      : rate_(s.real("lr")),
        delta_(s.real("delta")),
        alpha_(s.real("alpha")),
        beta_(s.real("beta")),
        calibration_steps_(static_cast<std::int64_t>(std::ceil(1 / delta_))) {}

  void attach(ParameterStore<T>& params) override {
    params_ = &params;
    average_ = Vector<T>::Zero(params.size());
  }

  StepResult step(Objective<T>& objective, const Batch& batch, std::int64_t) override {
    StepResult result;
    result.loss = objective.gradient(batch);
    auto& p = objective.parameters();
    // Eq. 18: r ← (1 − δ) r + δ ∂E/∂W.
    average_ = static_cast<T>(1 - delta_) * average_ + static_cast<T>(delta_) * p.dw();
    // Eq. 17: W ← W − η ∂E/∂W (times the per-parameter multipliers); clears dw.
    p.descend(static_cast<T>(rate_));
    ++steps_;
    const double norm = static_cast<double>(average_.norm());
    if (beta_ == 0) {  // calibrating β (see the top of the file)
      if (steps_ >= calibration_steps_ && norm > 0)
        beta_ = rate_ * (1 - std::pow(1 - delta_, static_cast<double>(steps_))) / norm;
      return result;
    }
    // Eq. 19: η ← η + α η (β ‖r‖ − η).
    rate_ += alpha_ * rate_ * (beta_ * norm - rate_);
    if (!(rate_ > 0))
      throw NumericError("the adaptive rate left (0, ∞) (η = " + std::to_string(rate_) +
                         "): lower alpha or beta");
    return result;
  }

  double current_rate() const override { return rate_; }

  OptimizerState state() const override {
    OptimizerState state;
    put_per_parameter(state, "average", average_, *params_);
    state["rate"] = Vector<double>::Constant(1, rate_);
    state["beta"] = Vector<double>::Constant(1, beta_);
    state["steps"] = Vector<double>::Constant(1, static_cast<double>(steps_));
    return state;
  }

  void restore(const OptimizerState& state) override {
    const auto scalar = [&](const char* name) {
      const auto found = state.find(name);
      if (found == state.end() || found->second.size() != 1)
        throw Error(std::string("adaptive: the saved state has no '") + name + "'");
      return found->second[0];
    };
    if (!get_per_parameter(state, "average", average_, *params_))
      throw Error("adaptive: the saved state has no 'average'");
    rate_ = scalar("rate");
    beta_ = scalar("beta");
    steps_ = static_cast<std::int64_t>(scalar("steps"));
  }

 private:
  double rate_, delta_, alpha_;
  double beta_;                     // 0 until calibrated, when the setting is 0
  std::int64_t calibration_steps_;  // ⌈1/δ⌉
  std::int64_t steps_ = 0;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  Vector<T> average_;                          // r of Eq. 18
};

void register_adaptive(Registry& registry) {
  registry.add_optimizer<Adaptive>(
      {"adaptive",
       "Online gradient descent with the adaptive global rate of §4.7 (Eq. 17-19): a leaky "
       "average r of the gradient drives η ← η + α η (β‖r‖ − η).",
       {optional("lr", SettingType::real, "0.005", "initial rate η(0)").above(0),
        optional("delta", SettingType::real, "0.05", "leak δ of the gradient average (Eq. 18)")
            .above(0)
            .below(1),
        optional("alpha", SettingType::real, "1",
                 "α: how fast η follows β‖r‖ (Eq. 19): by α η (β‖r‖ − η) per step")
            .above(0),
        optional("beta", SettingType::real, "0",
                 "β: the rate η settles at β‖r‖ (Eq. 19); 0: calibrated to η(0)/‖r‖ after the "
                 "first ⌈1/δ⌉ steps, so that η starts at its fixed point")
            .at_least(0)},
       OptimizerInfo::RateKind::global_step});
}

}  // namespace

EBPROP_PLUGIN(register_adaptive)
