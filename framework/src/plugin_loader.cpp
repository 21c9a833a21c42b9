#include "ebprop/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <boost/dll/library_info.hpp>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <boost/filesystem.hpp>
#include <cstdlib>
#include <cstring>

#include "ebprop/plugin.h"

namespace ebprop {

namespace fs = boost::filesystem;

std::string default_plugin_dir() {
  // The engine library sits in lib/, its plugins in lib/ebprop/plugins, in the build tree and in
  // an install alike.
  return (boost::dll::this_line_location().parent_path() / EBPROP_PLUGIN_SUBDIR).string();
}

std::vector<std::string> env_plugin_dirs() {
  std::vector<std::string> dirs;
  const char* path = std::getenv("EBPROP_PLUGIN_PATH");
  if (path == nullptr) return dirs;
  std::string text = path;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(':', start), text.size());
    if (end > start) dirs.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return dirs;
}

static const char* const entry_section = "ebprop";
static const char* const entry_symbol = "ebprop_plugin";

bool is_plugin_file(const std::string& path) {
  try {
    boost::dll::library_info info(path, /*throw_if_not_native=*/true);
    const auto symbols = info.symbols(entry_section);
    return std::find(symbols.begin(), symbols.end(), entry_symbol) != symbols.end();
  } catch (const std::exception&) {
    return false;  // not a shared library of this platform
  }
}

void load_plugin(Registry& registry, const std::string& path) {
  boost::system::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  if (ec) throw PluginError("cannot open plugin '" + path + "': " + ec.message());
  const auto& loaded = registry.libraries();
  if (std::find(loaded.begin(), loaded.end(), canonical.string()) != loaded.end()) return;

  if (!is_plugin_file(path))
    throw PluginError("'" + path + "' is not an ebprop plugin: it has no '" + entry_symbol +
                      "' entry in section '" + entry_section +
                      "' (a plugin library ends with EBPROP_PLUGIN(register_function))");

  auto library = std::make_shared<boost::dll::shared_library>();
  // RTLD_NODELETE: the code of a plugin stays mapped until the process ends, even after the last
  // handle is gone; OpenMP worker threads and exit handlers may still point into it then.
  const auto mode = static_cast<boost::dll::load_mode::type>(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  library->load(canonical, ec, mode);
  if (ec) throw PluginError("cannot load plugin '" + path + "': " + ec.message());

  const auto* entry =
      static_cast<const PluginEntry*>(library->get<const void* const>(entry_symbol));
  if (entry->abi_version != EBPROP_ABI_VERSION)
    throw PluginError("plugin '" + path + "' was built for ebprop ABI version " +
                      std::to_string(entry->abi_version) + ", this program uses version " +
                      std::to_string(EBPROP_ABI_VERSION) + ": rebuild the plugin");
  if (std::strcmp(entry->abi_tag, EBPROP_ABI_TAG) != 0)
    throw PluginError("plugin '" + path + "' was built with '" + entry->abi_tag +
                      "', this program with '" + EBPROP_ABI_TAG +
                      "': plugins must be built by the same compiler and libraries");

  registry.begin_library(library, canonical.string());
  try {
    entry->register_types(registry);
  } catch (...) {
    registry.end_library();
    throw;
  }
  registry.end_library();
}

static bool looks_like_shared_library(const fs::path& file) {
  const std::string name = file.filename().string();
  return name.size() > 3 && (name.find(".so") != std::string::npos ||
                             file.extension() == ".dylib" || file.extension() == ".dll");
}

std::vector<std::string> load_plugin_dirs(Registry& registry,
                                          const std::vector<std::string>& dirs) {
  std::vector<std::string> loaded;
  for (const auto& dir : dirs) {
    boost::system::error_code ec;
    if (fs::is_regular_file(dir, ec)) {  // a plugin named directly
      load_plugin(registry, dir);
      loaded.push_back(dir);
      continue;
    }
    if (!fs::is_directory(dir, ec))
      throw PluginError("plugin directory '" + dir + "' does not exist or is not a directory");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (fs::is_regular_file(entry.path()) && looks_like_shared_library(entry.path()))
        files.push_back(entry.path());
    if (ec) throw PluginError("cannot list plugin directory '" + dir + "': " + ec.message());
    std::sort(files.begin(), files.end());  // a stable order, whatever the file system
    for (const auto& file : files)
      if (is_plugin_file(file.string())) {
        load_plugin(registry, file.string());
        loaded.push_back(file.string());
      }
  }
  return loaded;
}

void load_plugins(Registry& registry, const std::vector<std::string>& extra_dirs) {
  std::vector<std::string> dirs{default_plugin_dir()};
  for (const auto& dir : env_plugin_dirs()) dirs.push_back(dir);
  for (const auto& dir : extra_dirs) dirs.push_back(dir);
  load_plugin_dirs(registry, dirs);
}

}  // namespace ebprop
