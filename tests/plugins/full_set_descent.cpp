// An iterating optimizer for the runner's tests: steepest descent with a fixed rate, Δw = −lr ∇E,
// under the shared stop rules (StopRules), on the whole training set or (sample > 0) on samples of
// that many examples drawn anew every iteration. Each iteration evaluates the gradient where it
// starts and where it lands, so after k iterations 2k evaluations are made.
#include <ebprop/plugin.h>

namespace {

template <typename T>
class FullSetDescent final : public ebprop::Optimizer<T> {
 public:
  explicit FullSetDescent(const ebprop::Settings& s)
      : rate_(s.real("lr")), sample_(static_cast<int>(s.integer("sample"))), stop_(s) {}

  ebprop::DataUse data_use() const override {
    ebprop::DataUse use;
    use.kind = sample_ > 0 ? ebprop::DataUse::Kind::resampled : ebprop::DataUse::Kind::full_set;
    use.sample = sample_;
    return use;
  }
  void attach(ebprop::ParameterStore<T>&) override {}

  ebprop::StepResult step(ebprop::Objective<T>& objective, const ebprop::Batch& batch,
                          std::int64_t) override {
    auto& p = objective.parameters();
    ebprop::StepResult result;
    result.loss = objective.gradient(batch);
    const ebprop::Vector<T> start = p.w();
    p.descend(static_cast<T>(rate_));
    result.step = static_cast<double>((p.w() - start).norm());
    result.new_loss = objective.gradient(batch);
    result.grad_norm = static_cast<double>(p.dw().norm());
    result.stop = stop_.check(++iterations_, result.loss, result.new_loss, result.grad_norm,
                              objective.counts().evaluations());
    return result;
  }
  double current_rate() const override { return rate_; }

 private:
  double rate_;
  int sample_;
  ebprop::StopRules stop_;
  std::int64_t iterations_ = 0;
};

void register_types(ebprop::Registry& registry) {
  using ebprop::SettingType;
  std::vector<ebprop::SettingSpec> settings{
      ebprop::optional("lr", SettingType::real, "0.1", "the fixed rate").at_least(0),
      ebprop::optional("sample", SettingType::integer, "0",
                       "examples per iteration, drawn anew each time (0: the whole set)")
          .at_least(0)
          .at_most(1000000)};
  for (auto& rule : ebprop::StopRules::settings()) settings.push_back(rule);
  registry.add_optimizer<FullSetDescent>(
      {"full_set_descent",
       "steepest descent with a fixed rate on the whole set or on samples (a test plugin)",
       settings});
}

}  // namespace

EBPROP_PLUGIN(register_types)
