// A plugin built for another ABI version: the loader must refuse it before registering anything.
#include <ebprop/plugin.h>

namespace {
void register_nothing(ebprop::Registry&) {}
const ebprop::PluginEntry entry = {EBPROP_ABI_VERSION + 1, EBPROP_ABI_TAG, &register_nothing};
}  // namespace

BOOST_DLL_ALIAS_SECTIONED(entry, ebprop_plugin, ebprop)
