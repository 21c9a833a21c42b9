// The checks a tool makes on the outputs its command line names, before any work that takes
// time: that each can be written, and that none would overwrite an input of the run or another
// output (files are written with ebprop::write_file_atomically, files.h of the engine).
#pragma once

#include <string>
#include <vector>

#include "command_line_error.h"

namespace ebprop::tools {

// A file of a run and what it is, for messages: {"--save", "w.bin"}, {"the graph file", "n.graph"}.
struct RunFile {
  std::string role;
  std::string path;
};

// An output that the command line names wrongly: a usage error, with exit status 2.
class OutputError : public CommandLineError {
 public:
  using CommandLineError::CommandLineError;
  ~OutputError() override;
};

// Throws OutputError, naming the output's role and path, when an output is the same file
// (ebprop::same_file) as an input or as another output, or cannot be written
// (ebprop::check_can_write). Entries with an empty path are skipped.
void check_outputs(const std::vector<RunFile>& inputs, const std::vector<RunFile>& outputs);

}  // namespace ebprop::tools
