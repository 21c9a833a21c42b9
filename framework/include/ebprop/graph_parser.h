// Reads graph files (docs/graph-files.md). Syntax errors are SourceErrors at file:line:column.
#pragma once

#include <string>

#include "ebprop/graph_spec.h"

namespace ebprop {

// Parses graph-file text. `file` names it in messages and in GraphSpec::file.
GraphSpec parse_graph(const std::string& text, const std::string& file);

// Reads and parses a file. Throws FileError if it cannot be read.
GraphSpec parse_graph_file(const std::string& path);

}  // namespace ebprop
