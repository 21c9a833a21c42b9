// ebprop-predict's command line (Boost.Program_options).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run_config.h"

namespace ebprop::predict {

struct CommandLine {
  std::string graph_file, load, input, out;
  std::string labels;               // --labels: an IDX file of the input's labels ("" when none)
  std::optional<int> label_column;  // --label-column: the CSV input's label column (-1: last)
  std::string header = "auto";      // --header: auto, yes or no (CSV input)
  int batch = 1000;                 // examples per pass
  std::vector<std::string> plugin_paths;
  tools::Overrides overrides;  // --threads, as the [run] key threads
};

// Parses argv. Returns nothing when the program should exit 0 at once (--help printed).
// Throws tools::CommandLineError for a usage error: a missing GRAPH, --load, --input or --out,
// --labels with --label-column, or a value out of range (naming the option).
std::optional<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace ebprop::predict
