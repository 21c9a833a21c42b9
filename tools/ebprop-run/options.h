// The runner's options: command line (Boost.Program_options) merged over the graph file's
// [run], [data] and [optimizer NAME] sections, each validated against a schema so that a typo is
// an error with the file:line (or "command line") where it was written.
#pragma once

#include <ebprop/graph_spec.h>
#include <ebprop/registry.h>
#include <ebprop/settings.h>

#include <optional>
#include <string>
#include <vector>

namespace ebprop::run {

struct CommandLine {
  std::string graph_file;
  std::vector<std::string> plugin_paths;
  std::vector<std::string> set;  // KEY=VALUE for [run] or [data]
  std::vector<std::string> opt;  // KEY=VALUE for the optimizer
  std::string optimizer;         // overrides [optimizer NAME]
  std::string metrics, save, load;
  bool list_plugins = false, describe = false, test_only = false, quiet = false;
};

// Parses argv. Returns nothing when the program should exit 0 at once (--help printed).
// Throws ebprop::Error for a usage error.
std::optional<CommandLine> parse_command_line(int argc, char** argv);

// The keys of [run] and [data], with their defaults and docs.
const std::vector<SettingSpec>& run_settings();
const std::vector<SettingSpec>& data_settings();

// The command line's --set and the shortcuts, merged over the graph file's sections.
struct RunConfig {
  Settings run, data;
  std::string optimizer;  // type
  Settings optimizer_settings;
  std::string base_dir;  // directory of the graph file: relative data paths start there
};

RunConfig merge_config(const CommandLine& cli, const GraphSpec& spec, const Registry& registry);

// A data path from the config: relative paths in the graph file are relative to the file.
std::string resolve_path(const RunConfig& config, const Settings& settings, const std::string& key);

}  // namespace ebprop::run
