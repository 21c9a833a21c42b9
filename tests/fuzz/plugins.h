// The plugins of this build, loaded once per fuzzing process (loading them for every input would
// cost more than the input itself). A target that uses them loads them in LLVMFuzzerInitialize:
// libFuzzer follows the coverage of the libraries loaded before fuzzing starts, and only of those
// (plugins loaded by the first input showed no coverage at all).
#pragma once

#include <ebprop/plugin_loader.h>
#include <ebprop/registry.h>

namespace ebprop::fuzz {

inline const Registry& build_plugins() {
  static const Registry registry = [] {
    Registry loaded;
    load_plugins(loaded);
    return loaded;
  }();
  return registry;
}

}  // namespace ebprop::fuzz
