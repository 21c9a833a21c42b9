#include "optimizer_setup.h"

#include "run_config.h"

namespace ebprop::optimize_tool {

OptimizerPtr<double> make_optimizer(const Registry& registry, const std::string& name,
                                    const std::vector<std::string>& opt) {
  const OptimizerInfo* info = nullptr;
  try {
    info = &registry.optimizer_info(name);
  } catch (const Error& e) {
    throw tools::CommandLineError("--optimizer: " + std::string(e.what()));
  }
  RawSettings raw;
  for (const auto& item : opt) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw tools::CommandLineError("--opt expects KEY=VALUE, found '" + printable(item) + "'");
    raw[item.substr(0, eq)] = {item.substr(eq + 1), tools::command_line("opt")};
  }
  const std::string owner = "optimizer " + name;
  Settings settings;
  try {
    // Every value comes from the command line; a required setting not given is located at
    // --optimizer.
    settings = Settings::validate(info->settings, raw, owner, tools::command_line("optimizer"));
  } catch (const SourceError& e) {
    throw tools::CommandLineError(e.what());
  }
  try {
    return registry.make_optimizer<double>(name, settings);
  } catch (const Error& e) {
    throw tools::CommandLineError("--opt: " + owner + ": " + e.what());
  }
}

}  // namespace ebprop::optimize_tool
