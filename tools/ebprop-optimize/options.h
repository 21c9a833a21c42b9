// ebprop-optimize's command line (Boost.Program_options): which optimizer on which test function.
#pragma once

#include <ebprop/optimize/test_functions.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ebprop::optimize_tool {

struct CommandLine {
  std::string optimizer;         // --optimizer, a registered optimizer type
  std::vector<std::string> opt;  // --opt KEY=VALUE, validated later against its schema
  std::string function;          // --function, one of optimize::test_function_names()
  int dim = 0;                   // --dim
  optimize::TestFunctionOptions function_options;  // --condition, --seed
  std::vector<std::string> plugin_paths;
  std::int64_t max_iterations = 0;  // --max-iterations: the tool's cap (exit 3 when reached)
  bool quiet = false;
};

// The largest iteration cap --max-iterations takes by default.
inline constexpr std::int64_t default_max_iterations = 100000;

// Parses argv. Returns nothing when the program should exit 0 at once (--help printed).
// Throws tools::CommandLineError for a usage error.
std::optional<CommandLine> parse_command_line(int argc, char** argv);

}  // namespace ebprop::optimize_tool
