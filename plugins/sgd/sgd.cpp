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
    velocity_ = ebprop::Vector<T>::Zero(params.size());
  }

  double step(ebprop::Objective<T>& objective) override {
    const double loss = objective.batch_gradient();
    auto& p = objective.parameters();
    // Eq. 12: η = c/t, here capped by lr so early presentations do not take huge steps.
    last_rate_ = rate_;
    if (anneal_ > 0)
      last_rate_ = std::min(rate_, anneal_ / static_cast<double>(objective.examples_seen()));
    const T eta = static_cast<T>(last_rate_);
    if (momentum_ == 0) {
      p.descend(eta);
    } else {
      // §4.7: Δw(t+1) = −η ∂E/∂w + μ Δw(t).
      velocity_.array() = static_cast<T>(momentum_) * velocity_.array() -
                          eta * p.shared_lr_scale().array() * p.dw().array();
      p.w() += velocity_;
    }
    return loss;
  }

  double current_rate() const override { return last_rate_; }

  std::map<std::string, ebprop::Vector<double>> state() const override {
    return {{"velocity", velocity_.template cast<double>()}};
  }

  void restore(const std::map<std::string, ebprop::Vector<double>>& state) override {
    const auto it = state.find("velocity");
    if (it != state.end() && it->second.size() == velocity_.size())
      velocity_ = it->second.template cast<T>();
  }

 private:
  double rate_, momentum_, anneal_;
  double last_rate_ = std::numeric_limits<double>::quiet_NaN();
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
            .at_least(0)}});
}

}  // namespace

EBPROP_PLUGIN(register_sgd)
