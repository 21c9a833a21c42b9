#include "ebprop/plugin_loader.h"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <boost/dll/library_info.hpp>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <boost/filesystem.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>

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

// Why `path` cannot be read as a shared library of this machine, or "" when it can: an ELF
// header of this word size and type ET_DYN, whose program and section tables and sections lie
// within the file, with section names inside a terminated names section. Boost.DLL's reader
// trusts these offsets, so they are checked before it reads anything; the symbol tables are left
// to it (a file this corrupt is rarer than a truncated one).
static std::string unreadable_library(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return "it cannot be opened";
  const auto size = static_cast<std::uint64_t>(file.tellg());
  ElfW(Ehdr) header{};
  file.seekg(0);
  if (size < sizeof header || !file.read(reinterpret_cast<char*>(&header), sizeof header) ||
      std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return "it is not an ELF file (" + std::to_string(size) + " bytes without an ELF header)";
  if (header.e_ident[EI_CLASS] != (sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32) ||
      header.e_type != ET_DYN)
    return "it is an ELF file but not a shared library for this machine";
  const auto beyond = [&](std::uint64_t offset, std::uint64_t bytes) {
    return offset > size || bytes > size - offset;
  };
  const std::string truncated = "it is truncated or corrupt (" + std::to_string(size) + " bytes): ";
  if (beyond(header.e_phoff, std::uint64_t{header.e_phnum} * header.e_phentsize))
    return truncated + "its program headers lie beyond its end";
  if (header.e_shentsize != sizeof(ElfW(Shdr)) || header.e_shstrndx >= header.e_shnum ||
      beyond(header.e_shoff, std::uint64_t{header.e_shnum} * header.e_shentsize))
    return truncated + "its section table lies beyond its end";
  std::vector<ElfW(Shdr)> sections(header.e_shnum);
  file.seekg(static_cast<std::streamoff>(header.e_shoff));
  file.read(reinterpret_cast<char*>(sections.data()),
            static_cast<std::streamsize>(sections.size() * sizeof(ElfW(Shdr))));
  for (std::size_t i = 0; i < sections.size(); ++i)
    if (sections[i].sh_type != SHT_NOBITS && beyond(sections[i].sh_offset, sections[i].sh_size))
      return truncated + "section " + std::to_string(i) + " lies beyond its end";
  const ElfW(Shdr)& names = sections[header.e_shstrndx];
  for (const auto& section : sections)
    if (section.sh_name >= names.sh_size)
      return truncated + "a section name lies outside its table";
  char last = 1;  // the names are compared as C strings: the table must end with a '\0'
  file.seekg(static_cast<std::streamoff>(names.sh_offset + names.sh_size - 1));
  if (!file.read(&last, 1) || last != '\0')
    return truncated + "its table of section names does not end";
  return "";
}

// Whether the library `path`, which unreadable_library found readable, exports the plugin entry.
static bool has_plugin_entry(const std::string& path) {
  try {
    boost::dll::library_info info(path, /*throw_if_not_native=*/true);
    const auto symbols = info.symbols(entry_section);
    return std::find(symbols.begin(), symbols.end(), entry_symbol) != symbols.end();
  } catch (const std::exception&) {
    return false;  // not a shared library of this platform
  }
}

bool is_plugin_file(const std::string& path) {
  return unreadable_library(path).empty() && has_plugin_entry(path);
}

// The canonical path of the plugin `path`, or nothing when the registry has loaded it already.
// Throws PluginError when the path cannot be resolved.
static std::optional<fs::path> not_yet_loaded(const Registry& registry, const std::string& path) {
  boost::system::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  if (ec) throw PluginError("cannot open plugin '" + path + "': " + ec.message());
  const auto& loaded = registry.libraries();
  if (std::find(loaded.begin(), loaded.end(), canonical.string()) != loaded.end())
    return std::nullopt;
  return canonical;
}

// Loads the plugin file `path` (its file checks passed) from `canonical`: dlopen, the ABI check
// first, then its registration function.
static void open_plugin(Registry& registry, const std::string& path, const fs::path& canonical) {
  boost::system::error_code ec;
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

  // The types registered before an exception say how far the registration function got.
  const auto types = [&registry] {
    std::set<std::string> all;
    for (const auto& type : registry.module_types()) all.insert(type);
    for (const auto& type : registry.optimizer_types()) all.insert(type);
    return all;
  };
  const std::set<std::string> before = types();
  const auto failed = [&](const std::string& what) {
    registry.end_library();
    std::vector<std::string> registered;
    for (const auto& type : types())
      if (before.count(type) == 0) registered.push_back("'" + type + "'");
    return PluginError("plugin '" + path + "': its registration function threw " + what + " (" +
                       (registered.empty() ? "before registering any type"
                                           : "after registering " + join(registered)) +
                       ")");
  };
  registry.begin_library(library, canonical.string());
  try {
    entry->register_types(registry);
  } catch (const PluginError&) {  // the registry's own refusal, which names the plugin and type
    registry.end_library();
    throw;
  } catch (const std::exception& e) {
    throw failed(std::string("'") + e.what() + "'");
  } catch (...) {
    throw failed("an exception that is not a std::exception");
  }
  registry.end_library();
}

void load_plugin(Registry& registry, const std::string& path) {
  const std::optional<fs::path> canonical = not_yet_loaded(registry, path);
  if (!canonical) return;
  if (const std::string why = unreadable_library(path); !why.empty())
    throw PluginError("'" + path + "' is not an ebprop plugin: it cannot be read as a shared " +
                      "library, " + why);
  if (!has_plugin_entry(path))
    throw PluginError("'" + path + "' is not an ebprop plugin: it has no '" + entry_symbol +
                      "' entry in section '" + entry_section +
                      "' (a plugin library ends with EBPROP_PLUGIN(register_function))");
  open_plugin(registry, path, *canonical);
}

// "libx.so" or a versioned "libx.so.1.2".
static bool looks_like_shared_library(const fs::path& file) {
  const std::string name = file.filename().string();
  const auto so = name.rfind(".so");
  if (so == std::string::npos || so == 0) return false;
  const std::string version = name.substr(so + 3);
  return version.empty() ||
         (version[0] == '.' && version.find_first_not_of(".0123456789") == std::string::npos);
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
    for (const auto& file : files) {
      // A library that cannot be read may be a plugin that a copy or build cut short: never
      // skipped silently. A readable library without the entry is simply not a plugin.
      if (const std::string why = unreadable_library(file.string()); !why.empty())
        throw PluginError("plugin directory '" + dir + "' holds '" + file.string() +
                          "', which cannot be read as a shared library: " + why +
                          " (rebuild or remove it)");
      if (has_plugin_entry(file.string())) {
        if (const auto canonical = not_yet_loaded(registry, file.string()))
          open_plugin(registry, file.string(), *canonical);
        loaded.push_back(file.string());
      }
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
