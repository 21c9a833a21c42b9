// Registry: the module and optimizer types known to this process, filled by plugins.
//
// A plugin's registration function (see plugin.h) calls add_module / add_optimizer with a class
// template; the registry keeps a factory for float and one for double. Objects made by a factory
// hold a reference to their plugin library in their deleter, so a library is never unloaded while
// something it made is alive (LESSONS: plugin lifetimes).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ebprop/module.h"
#include "ebprop/optimizer.h"
#include "ebprop/settings.h"

namespace ebprop {

template <typename T>
using ModulePtr = std::shared_ptr<Module<T>>;
template <typename T>
using OptimizerPtr = std::shared_ptr<Optimizer<T>>;

class Registry {
 public:
  // Registers module type M<T> (float and double) under info.type. M<T> must be constructible
  // from const Settings&. Throws PluginError if the type name is taken.
  template <template <typename> class M>
  void add_module(ModuleInfo info) {
    add_module_factories(
        std::move(info), [](const Settings& s) -> Module<float>* { return new M<float>(s); },
        [](const Settings& s) -> Module<double>* { return new M<double>(s); });
  }

  template <template <typename> class O>
  void add_optimizer(OptimizerInfo info) {
    add_optimizer_factories(
        std::move(info), [](const Settings& s) -> Optimizer<float>* { return new O<float>(s); },
        [](const Settings& s) -> Optimizer<double>* { return new O<double>(s); });
  }

  // Look-ups. Throw ebprop::Error listing the known types (and a did-you-mean) for an unknown name.
  const ModuleInfo& module_info(const std::string& type) const;
  const OptimizerInfo& optimizer_info(const std::string& type) const;
  bool has_module(const std::string& type) const { return modules_.count(type) != 0; }
  bool has_optimizer(const std::string& type) const { return optimizers_.count(type) != 0; }
  std::vector<std::string> module_types() const;
  std::vector<std::string> optimizer_types() const;
  // The library a type came from ("built in" for types registered by the host itself).
  std::string origin(const std::string& type) const;

  // Makes an instance. Requires: settings validated against the type's schema.
  template <typename T>
  ModulePtr<T> make_module(const std::string& type, const Settings& settings) const;
  template <typename T>
  OptimizerPtr<T> make_optimizer(const std::string& type, const Settings& settings) const;

  // --- used by the plugin loader ---
  // Every registration that follows is attributed to this library (kept alive by the registry
  // and by each object it makes). `path` names it in messages.
  void begin_library(std::shared_ptr<void> library, std::string path);
  void end_library();
  // Canonical paths of the libraries registered so far (a library is loaded once).
  const std::vector<std::string>& libraries() const { return libraries_; }

  using ModuleFactoryF = std::function<Module<float>*(const Settings&)>;
  using ModuleFactoryD = std::function<Module<double>*(const Settings&)>;
  using OptimizerFactoryF = std::function<Optimizer<float>*(const Settings&)>;
  using OptimizerFactoryD = std::function<Optimizer<double>*(const Settings&)>;
  void add_module_factories(ModuleInfo info, ModuleFactoryF f, ModuleFactoryD d);
  void add_optimizer_factories(OptimizerInfo info, OptimizerFactoryF f, OptimizerFactoryD d);

 private:
  struct Origin {
    std::shared_ptr<void> library;  // declared first: destroyed after the factories below
    std::string path;
  };
  struct ModuleEntry {
    Origin origin;
    ModuleInfo info;
    ModuleFactoryF make_float;
    ModuleFactoryD make_double;
  };
  struct OptimizerEntry {
    Origin origin;
    OptimizerInfo info;
    OptimizerFactoryF make_float;
    OptimizerFactoryD make_double;
  };
  void check_new_name(const std::string& type) const;
  static std::string origin_name(const std::string& path);

  std::map<std::string, ModuleEntry> modules_;
  std::map<std::string, OptimizerEntry> optimizers_;
  Origin current_;
  std::vector<std::string> libraries_;
};

template <>
ModulePtr<float> Registry::make_module<float>(const std::string&, const Settings&) const;
template <>
ModulePtr<double> Registry::make_module<double>(const std::string&, const Settings&) const;
template <>
OptimizerPtr<float> Registry::make_optimizer<float>(const std::string&, const Settings&) const;
template <>
OptimizerPtr<double> Registry::make_optimizer<double>(const std::string&, const Settings&) const;

}  // namespace ebprop
