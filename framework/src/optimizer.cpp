#include "ebprop/optimizer.h"

#include <cmath>
#include <sstream>

#include "ebprop/error.h"

namespace ebprop {

namespace {

std::string key(const std::string& name, const ParamBlock& block) {
  return name + "/" + block.name;
}

}  // namespace

std::string short_number(double value) {
  std::ostringstream s;
  s.precision(3);
  s << value;
  return s.str();
}

template <typename V, typename T>
void put_per_parameter(OptimizerState& state, const std::string& name, const Vector<V>& values,
                       const ParameterStore<T>& params) {
  if (values.size() != params.size())
    throw Error("optimizer state '" + name + "' has " + std::to_string(values.size()) +
                " values, the parameters " + std::to_string(params.size()));
  for (const auto& block : params.blocks())
    state[key(name, block)] = values.segment(block.offset, block.size()).template cast<double>();
}

template <typename V, typename T>
bool get_per_parameter(const OptimizerState& state, const std::string& name, Vector<V>& values,
                       const ParameterStore<T>& params) {
  values.setZero(params.size());
  int found = 0;
  std::string missing;
  for (const auto& block : params.blocks()) {
    const auto it = state.find(key(name, block));
    if (it == state.end()) {
      missing = key(name, block);
      continue;
    }
    if (it->second.size() != block.size())
      throw Error("optimizer state '" + it->first + "' has " + std::to_string(it->second.size()) +
                  " values, but parameter '" + block.name + "' has " +
                  std::to_string(block.size()));
    values.segment(block.offset, block.size()) = it->second.template cast<V>();
    ++found;
  }
  if (found == 0) return false;
  if (!missing.empty()) throw Error("optimizer state has no entry '" + missing + "'");
  return true;
}

template void put_per_parameter(OptimizerState&, const std::string&, const Vector<float>&,
                                const ParameterStore<float>&);
template bool get_per_parameter(const OptimizerState&, const std::string&, Vector<float>&,
                                const ParameterStore<float>&);
template void put_per_parameter(OptimizerState&, const std::string&, const Vector<float>&,
                                const ParameterStore<double>&);
template bool get_per_parameter(const OptimizerState&, const std::string&, Vector<float>&,
                                const ParameterStore<double>&);
template void put_per_parameter(OptimizerState&, const std::string&, const Vector<double>&,
                                const ParameterStore<float>&);
template bool get_per_parameter(const OptimizerState&, const std::string&, Vector<double>&,
                                const ParameterStore<float>&);
template void put_per_parameter(OptimizerState&, const std::string&, const Vector<double>&,
                                const ParameterStore<double>&);
template bool get_per_parameter(const OptimizerState&, const std::string&, Vector<double>&,
                                const ParameterStore<double>&);

std::vector<SettingSpec> StopRules::settings() {
  return {optional("grad-tol", SettingType::real, "1e-6", "stop when ‖∇E‖ < grad-tol").at_least(0),
          optional("loss-tol", SettingType::real, "0",
                   "stop when one iteration changes E by less than loss-tol·max(|E|, 1); 0: off")
              .at_least(0),
          optional("max-iterations", SettingType::integer, "0",
                   "stop after this many iterations; 0: no limit (the runner's epochs still "
                   "count, one per iteration)")
              .at_least(0),
          optional("max-evaluations", SettingType::integer, "0",
                   "stop once this many function+gradient evaluations are made; 0: no limit")
              .at_least(0)};
}

StopRules::StopRules(const Settings& s)
    : grad_tol(s.real("grad-tol")),
      loss_tol(s.real("loss-tol")),
      max_iterations(s.integer("max-iterations")),
      max_evaluations(s.integer("max-evaluations")) {}

std::string StopRules::check(std::int64_t iteration, double previous_loss, double loss,
                             double grad_norm, std::int64_t evaluations) const {
  if (grad_norm < grad_tol)
    return "‖g‖ " + short_number(grad_norm) + " < grad-tol " + short_number(grad_tol);
  if (loss_tol > 0 && std::isfinite(previous_loss) &&
      std::abs(previous_loss - loss) < loss_tol * std::max(std::abs(loss), 1.0))
    return "|ΔE| " + short_number(std::abs(previous_loss - loss)) + " < loss-tol " +
           short_number(loss_tol) + "·max(|E|, 1)";
  if (max_iterations > 0 && iteration >= max_iterations)
    return "max-iterations " + std::to_string(max_iterations) + " reached";
  if (max_evaluations > 0 && evaluations >= max_evaluations)
    return "max-evaluations " + std::to_string(max_evaluations) + " reached";
  return "";
}

}  // namespace ebprop
