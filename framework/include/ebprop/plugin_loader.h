// PluginLoader: finds plugin libraries and registers their types.
//
// Search order (later directories may add types, never replace them):
//   1. the plugin directory of this build or install (compiled in),
//   2. each directory of the EBPROP_PLUGIN_PATH environment variable (':'-separated),
//   3. each directory given by the tool's --plugin-path.
// A directory is scanned for files named like shared libraries (NAME.so, NAME.so.1.2) whose
// exported section "ebprop" holds the entry symbol; other files, and readable libraries without the
// entry, are skipped without being loaded. A file named like a library that cannot be read as one
// (not ELF, truncated, tables past its end) is a PluginError naming the directory and the file, in
// any directory: it may be a plugin cut short. Loading a named file that is not a plugin, a plugin
// of another ABI version or tag, a second registration of a type name, or an exception from a
// plugin's registration function is a PluginError that names the file.
#pragma once

#include <string>
#include <vector>

#include "ebprop/registry.h"

namespace ebprop {

// The directory the plugins of this build (or install) live in.
std::string default_plugin_dir();

// Directories from EBPROP_PLUGIN_PATH, in order (empty when unset).
std::vector<std::string> env_plugin_dirs();

// Whether `path` is an ebprop plugin library (reads its sections; runs none of its code).
bool is_plugin_file(const std::string& path);

// Loads one plugin library into `registry`. Throws PluginError naming the file.
void load_plugin(Registry& registry, const std::string& path);

// Loads every plugin found in `dirs` (missing directories are an error naming them).
// Returns the files loaded.
std::vector<std::string> load_plugin_dirs(Registry& registry, const std::vector<std::string>& dirs);

// The usual set-up of a tool: default dir, then EBPROP_PLUGIN_PATH, then `extra_dirs`.
// The directories are scanned in that order.
void load_plugins(Registry& registry, const std::vector<std::string>& extra_dirs = {});

}  // namespace ebprop
