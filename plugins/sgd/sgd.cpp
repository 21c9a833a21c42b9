// Stochastic gradient descent (§4.1), online or mini-batch, with the classical momentum of §4.7
// and the annealed rate of Eq. 12, honouring the per-parameter rate multipliers of the store.
#include <ebprop/plugin.h>

#include <cmath>
#include <limits>

namespace {

template <typename T>
class Sgd final : public ebprop::Optimizer<T> {
 public:
  explicit Sgd(const ebprop::Settings& s)
      : rate_(s.real("lr")), momentum_(s.real("momentum")), anneal_(s.real("anneal")) {}

  void attach(ebprop::ParameterStore<T>& params) override {
    params_ = &params;
    velocity_ = ebprop::Vector<T>::Zero(params.size());
  }

  ebprop::StepResult step(ebprop::Objective<T>& objective, const ebprop::Batch& batch,
                          std::int64_t examples_seen) override {
    ebprop::StepResult result;
    // Eq. 12: η = c/t, here capped by lr so early presentations do not take huge steps.
    last_rate_ = rate_;
    if (anneal_ > 0) last_rate_ = std::min(rate_, anneal_ / static_cast<double>(examples_seen));
    const T eta = static_cast<T>(last_rate_);
    if (momentum_ == 0) {
      result.loss = objective.descend(batch, eta);  // fused into bprop where the graph can
      return result;
    }
    result.loss = objective.gradient(batch);
    auto& p = objective.parameters();
    // §4.7: Δw(t+1) = −η ∂E/∂w + μ Δw(t).
    velocity_.array() = static_cast<T>(momentum_) * velocity_.array() -
                        eta * p.shared_lr_scale().array() * p.dw().array();
    p.w() += velocity_;
    return result;
  }

  double current_rate() const override { return last_rate_; }

  ebprop::OptimizerState state() const override {
    ebprop::OptimizerState state;
    ebprop::put_per_parameter(state, "velocity", velocity_, *params_);
    return state;
  }

  void restore(const ebprop::OptimizerState& state) override {
    ebprop::get_per_parameter(state, "velocity", velocity_, *params_);
  }

 private:
  double rate_, momentum_, anneal_;
  double last_rate_ = std::numeric_limits<double>::quiet_NaN();
  const ebprop::ParameterStore<T>* params_ = nullptr;  // set by attach()
  ebprop::Vector<T> velocity_;
};

void register_sgd(ebprop::Registry& registry) {
  using ebprop::SettingType;
  registry.add_optimizer<Sgd>(
      {"sgd",
       "Stochastic gradient descent (§4.1), online or mini-batch, with momentum (§4.7) and the "
       "annealed rate min(lr, c/t) of Eq. 12; each weight's rate is lr times its multiplier.",
       {ebprop::optional("lr", SettingType::real, "0.01", "global learning rate η").above(0),
        ebprop::optional("momentum", SettingType::real, "0", "momentum μ (§4.7); 0 turns it off")
            .at_least(0)
            .below(1),
        ebprop::optional("anneal", SettingType::real, "0",
                         "c of Eq. 12: the rate becomes min(lr, c/t) after t examples; 0 keeps lr "
                         "constant")
            .at_least(0)},
       ebprop::OptimizerInfo::RateKind::global_step,
       "momentum"});
}

}  // namespace

EBPROP_PLUGIN(register_sgd)
