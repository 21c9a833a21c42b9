// plugin.h: what a plugin library includes to export its types.
//
// A plugin is a shared library with exactly one exported entry point, made by
//
//   void register_my_types(ebprop::Registry& registry) {
//     registry.add_module<MyLayer>({"mylayer", "what it does", {"x"}, {/* settings */}});
//   }
//   EBPROP_PLUGIN(register_my_types)
//
// The entry point is a constant (no code runs to read it) that carries the ABI version and a tag
// naming the compiler, standard library, Eigen and Boost the plugin was built with. The loader
// lists plugins by the exported section "ebprop" without running them, reads the entry, compares
// version and tag with its own, and only then calls the registration function. Reading the entry
// needs the library loaded, and loading runs its static initialisers (inside dlopen, before the
// check): a plugin must do no work in them. Boost.DLL promises
// no ABI stability, so a plugin must be built by the same toolchain as the host.
#pragma once

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>
#include <boost/version.hpp>

#include "ebprop/registry.h"

// Bump when Module, Optimizer, Objective, Registry or any type they expose changes layout or
// virtual functions (5: ModuleInfo gained its derivative-check cases and its Gauss-Newton kind;
// Optimizer and Objective became the batch-explicit core of objective.h; 6: OptimizerInfo gained
// rate_kind and momentum_setting, Graph::Node its loss weight, ModuleInfo more_inputs for
// modules that take any number of inputs).
#define EBPROP_ABI_VERSION 9

#define EBPROP_STRINGIFY_(x) #x
#define EBPROP_STRINGIFY(x) EBPROP_STRINGIFY_(x)

// Compiler, C++ library and the header libraries whose types cross the plugin boundary, and
// Eigen's alignment (it follows -march: a plugin built for other vector units would free memory
// the host allocated with another alignment).
#define EBPROP_ABI_TAG \
  "gcc-" EBPROP_STRINGIFY(__GNUC__) "." EBPROP_STRINGIFY(__GNUC_MINOR__) " libstdc++-"         \
      EBPROP_STRINGIFY(_GLIBCXX_RELEASE) " cxx-" EBPROP_STRINGIFY(__cplusplus) " eigen-"       \
      EBPROP_STRINGIFY(EIGEN_WORLD_VERSION) "." EBPROP_STRINGIFY(EIGEN_MAJOR_VERSION) " boost-" \
      EBPROP_STRINGIFY(BOOST_VERSION) " align-" EBPROP_STRINGIFY(EIGEN_MAX_ALIGN_BYTES)

namespace ebprop {

struct PluginEntry {
  int abi_version;      // EBPROP_ABI_VERSION of the plugin's build
  const char* abi_tag;  // EBPROP_ABI_TAG of the plugin's build
  void (*register_types)(Registry&);
};

}  // namespace ebprop

// Defines the plugin's entry constant and exports a pointer to it as `ebprop_plugin` in section
// "ebprop" (Boost.DLL's sectioned alias). Use once per plugin library.
#define EBPROP_PLUGIN(register_function)                                               \
  namespace {                                                                          \
  const ebprop::PluginEntry ebprop_plugin_entry = {EBPROP_ABI_VERSION, EBPROP_ABI_TAG, \
                                                   &register_function};                \
  }                                                                                    \
  BOOST_DLL_ALIAS_SECTIONED(ebprop_plugin_entry, ebprop_plugin, ebprop)
