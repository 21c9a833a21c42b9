// The runner's command line (Boost.Program_options).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run_config.h"

namespace ebprop::run {

// --checkpoint-every: "N" or "Nepochs" (every N epochs), "Nsteps" (every N optimizer steps).
struct CheckpointEvery {
  int epochs = 1;
  std::int64_t steps = 0;  // > 0: every `steps` steps instead of epochs
};
// Throws tools::CommandLineError naming --checkpoint-every and what it takes.
CheckpointEvery parse_checkpoint_every(const std::string& text);

struct CommandLine {
  std::string graph_file;
  std::vector<std::string> plugin_paths;
  tools::Overrides overrides;  // --set, --opt, --optimizer and their shortcuts
  std::string metrics, save, load;
  std::string trace;  // --trace FILE.csv: the weights after every step (weight_trace.h)
  std::string checkpoint, resume;    // --checkpoint FILE, --resume FILE
  CheckpointEvery checkpoint_every;  // --checkpoint-every
  std::string save_best;  // --save-best: the weights of the best epoch on the validation set
  bool list_plugins = false, describe = false, test_only = false, quiet = false;
  bool lr_auto = false;  // --lr auto
  // For graph and plugin authors: each of these runs instead of training (one at most).
  bool time = false;        // --time: per-node times of the passes (timing.h)
  int time_iterations = 0;  // --time-iterations
  std::string time_inputs;  // --time-inputs: "data", "random", or "" (data when the graph has some)
  std::string dot;          // --dot FILE: the graph in Graphviz's language (dot.h)
};

// Parses argv. Returns nothing when the program should exit 0 at once (--help or --version
// printed).
// Throws tools::CommandLineError for a usage error.
std::optional<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace ebprop::run
