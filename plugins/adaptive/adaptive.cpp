// Adaptive learning rate (§4.7, Eq. 17-19, after Murata, Müller et al.): online gradient descent
// whose global rate follows a leaky average of the gradient — large while the gradients agree
// (far from a minimum), shrinking as they average out near one.
#include <ebprop/plugin.h>

namespace {

using namespace ebprop;

template <typename T>
class Adaptive final : public Optimizer<T> {
 public:
  explicit Adaptive(const Settings& s)
      : rate_(s.real("lr")),
        delta_(s.real("delta")),
        alpha_(s.real("alpha")),
        beta_(s.real("beta")) {}

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
    // Eq. 19: η ← η + α η (β ‖r‖ − η).
    rate_ += alpha_ * rate_ * (beta_ * static_cast<double>(average_.norm()) - rate_);
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
    return state;
  }

  void restore(const OptimizerState& state) override {
    const auto rate = state.find("rate");
    if (rate == state.end() || rate->second.size() != 1 ||
        !get_per_parameter(state, "average", average_, *params_))
      throw Error("adaptive: the saved state has no 'rate' and 'average'");
    rate_ = rate->second[0];
  }

 private:
  double rate_, delta_, alpha_, beta_;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  Vector<T> average_;                          // r of Eq. 18
};

void register_adaptive(Registry& registry) {
  registry.add_optimizer<Adaptive>(
      {"adaptive",
       "Online gradient descent with the adaptive global rate of §4.7 (Eq. 17-19): a leaky "
       "average r of the gradient drives η ← η + α η (β‖r‖ − η).",
       {optional("lr", SettingType::real, "0.01", "initial rate η(0)").above(0),
        optional("delta", SettingType::real, "0.05", "leak δ of the gradient average (Eq. 18)")
            .above(0)
            .below(1),
        optional("alpha", SettingType::real, "0.01", "α: how fast η follows β‖r‖ (Eq. 19)")
            .above(0),
        optional("beta", SettingType::real, "1", "β: the rate η settles at β‖r‖ (Eq. 19)")
            .above(0)}});
}

}  // namespace

EBPROP_PLUGIN(register_adaptive)
