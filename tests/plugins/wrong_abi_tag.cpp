// A plugin that says another compiler built it.
#include <ebprop/plugin.h>

namespace {
void register_nothing(ebprop::Registry&) {}
const ebprop::PluginEntry entry = {EBPROP_ABI_VERSION, "other-compiler-1.0", &register_nothing};
}  // namespace

BOOST_DLL_ALIAS_SECTIONED(entry, ebprop_plugin, ebprop)
