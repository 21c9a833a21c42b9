// The runner's command line (Boost.Program_options).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run_config.h"

namespace ebprop::run {

struct CommandLine {
  std::string graph_file;
  std::vector<std::string> plugin_paths;
  tools::Overrides overrides;  // --set, --opt, --optimizer and their shortcuts
  std::string metrics, save, load;
  std::string checkpoint, resume;      // --checkpoint FILE, --resume FILE
  std::string checkpoint_every = "1";  // epochs, or "Nsteps" (resume.h)
  std::string save_best;  // --save-best: the weights of the best epoch on the validation set
  bool list_plugins = false, describe = false, test_only = false, quiet = false;
  bool lr_auto = false;  // --lr auto
};

// Parses argv. Returns nothing when the program should exit 0 at once (--help printed).
// Throws tools::CommandLineError for a usage error.
std::optional<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace ebprop::run
