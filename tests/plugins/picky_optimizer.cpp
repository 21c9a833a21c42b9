// An optimizer whose constructor refuses a relation between two settings, which no schema range can
// state: the runner must locate the refusal at the optimizer's section or option.
#include <ebprop/plugin.h>

namespace {

template <typename T>
class Picky final : public ebprop::Optimizer<T> {
 public:
  explicit Picky(const ebprop::Settings& s) {
    if (s.real("low") >= s.real("high")) throw ebprop::Error("low must be below high");
  }
  void attach(ebprop::ParameterStore<T>&) override {}
  ebprop::StepResult step(ebprop::Objective<T>& objective, const ebprop::Batch& batch,
                          std::int64_t) override {
    ebprop::StepResult result;
    result.loss = objective.gradient(batch);
    return result;
  }
  double current_rate() const override { return 0; }
};

void register_types(ebprop::Registry& registry) {
  using ebprop::SettingType;
  registry.add_optimizer<Picky>({"picky",
                                 "refuses low >= high in its constructor",
                                 {ebprop::optional("low", SettingType::real, "0", "a value"),
                                  ebprop::optional("high", SettingType::real, "1", "a value")}});
}

}  // namespace

EBPROP_PLUGIN(register_types)
