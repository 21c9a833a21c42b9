// The plugins of this build, loaded once per fuzzing process (loading them for every input would
// cost more than the input itself).
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
