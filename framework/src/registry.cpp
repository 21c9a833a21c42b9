#include "ebprop/registry.h"

namespace ebprop {

void Registry::begin_library(std::shared_ptr<void> library, std::string path) {
  libraries_.push_back(path);
  current_ = {std::move(library), std::move(path)};
}

void Registry::end_library() { current_ = {}; }

void Registry::check_new_name(const std::string& type) const {
  const auto clash = [&](const std::string& where) {
    throw PluginError(origin_name(current_.path) + " registers the type '" + type + "', which " +
                      origin_name(where) + " already registered");
  };
  if (const auto it = modules_.find(type); it != modules_.end()) clash(it->second.origin.path);
  if (const auto it = optimizers_.find(type); it != optimizers_.end())
    clash(it->second.origin.path);
  if (type.empty() || type == "input")
    throw PluginError(origin_name(current_.path) + " registers the reserved type name '" + type +
                      "'");
}

std::string Registry::origin_name(const std::string& path) {
  return path.empty() ? "the host program" : "plugin '" + path + "'";
}

void Registry::add_module_factories(ModuleInfo info, ModuleFactoryF f, ModuleFactoryD d) {
  check_new_name(info.type);
  const std::string type = info.type;
  modules_.emplace(type, ModuleEntry{current_, std::move(info), std::move(f), std::move(d)});
}

void Registry::add_optimizer_factories(OptimizerInfo info, OptimizerFactoryF f,
                                       OptimizerFactoryD d) {
  check_new_name(info.type);
  const std::string type = info.type;
  optimizers_.emplace(type, OptimizerEntry{current_, std::move(info), std::move(f), std::move(d)});
}

static std::string unknown(const std::string& what, const std::string& type,
                           const std::vector<std::string>& known) {
  std::string message = "unknown " + what + " '" + type + "'";
  const std::string hint = did_you_mean(type, known);
  if (!hint.empty()) message += "; " + hint;
  message += known.empty() ? " (no plugins are loaded: check the plugin path)"
                           : " (known " + what + "s: " + join(known) + ")";
  return message;
}

const ModuleInfo& Registry::module_info(const std::string& type) const {
  const auto it = modules_.find(type);
  if (it == modules_.end()) throw Error(unknown("module type", type, module_types()));
  return it->second.info;
}

const OptimizerInfo& Registry::optimizer_info(const std::string& type) const {
  const auto it = optimizers_.find(type);
  if (it == optimizers_.end()) throw Error(unknown("optimizer", type, optimizer_types()));
  return it->second.info;
}

std::vector<std::string> Registry::module_types() const {
  std::vector<std::string> types;
  for (const auto& entry : modules_) types.push_back(entry.first);
  return types;
}

std::vector<std::string> Registry::optimizer_types() const {
  std::vector<std::string> types;
  for (const auto& entry : optimizers_) types.push_back(entry.first);
  return types;
}

std::string Registry::origin(const std::string& type) const {
  if (const auto it = modules_.find(type); it != modules_.end())
    return it->second.origin.path.empty() ? "built in" : it->second.origin.path;
  if (const auto it = optimizers_.find(type); it != optimizers_.end())
    return it->second.origin.path.empty() ? "built in" : it->second.origin.path;
  return "";
}

// The object's deleter holds the plugin library, so the library outlives the object.
template <typename Object>
static std::shared_ptr<Object> keeping_library_alive(Object* object,
                                                     const std::shared_ptr<void>& library) {
  return std::shared_ptr<Object>(object, [library](Object* o) { delete o; });
}

template <>
ModulePtr<float> Registry::make_module<float>(const std::string& type,
                                              const Settings& settings) const {
  module_info(type);
  const auto& entry = modules_.at(type);
  return keeping_library_alive(entry.make_float(settings), entry.origin.library);
}

template <>
ModulePtr<double> Registry::make_module<double>(const std::string& type,
                                                const Settings& settings) const {
  module_info(type);
  const auto& entry = modules_.at(type);
  return keeping_library_alive(entry.make_double(settings), entry.origin.library);
}

template <>
OptimizerPtr<float> Registry::make_optimizer<float>(const std::string& type,
                                                    const Settings& settings) const {
  optimizer_info(type);
  const auto& entry = optimizers_.at(type);
  return keeping_library_alive(entry.make_float(settings), entry.origin.library);
}

template <>
OptimizerPtr<double> Registry::make_optimizer<double>(const std::string& type,
                                                      const Settings& settings) const {
  optimizer_info(type);
  const auto& entry = optimizers_.at(type);
  return keeping_library_alive(entry.make_double(settings), entry.origin.library);
}

}  // namespace ebprop
