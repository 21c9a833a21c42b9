// ebprop-run --dot FILE: the graph in Graphviz's dot language, for `dot -Tsvg FILE`.
#pragma once

#include <ebprop/graph.h>
#include <ebprop/registry.h>

#include <string>

#include "options.h"
#include "run_config.h"

namespace ebprop::run {

// The graph as a dot digraph (written by Boost.Graph's write_graphviz). Each node is a vertex
// labelled with its name, type, output shape and its parameter blocks (name and rows x cols,
// with "shared by N" for a shared block); input nodes are ellipses, modules boxes, and loss nodes
// filled red octagons. Each edge goes from an input to the node that reads it, labelled with the
// module's name for that input when the module reads several (mse's "output" and "target"), or
// its position for a module that takes any number (add, concat). Requires: `registry` is the one
// the graph was built from. Ensures: every text from the graph file is quoted and escaped.
std::string graph_to_dot(const Graph<float>& graph, const Registry& registry);

// ebprop-run --dot FILE: checks FILE as --save is checked (tools::check_outputs: writable, not an
// input of the run), builds the graph in float and writes graph_to_dot to it atomically
// (write_file_atomically), then says so on stdout. Returns 0; throws OutputError for a refused
// FILE, and what building the graph throws.
int write_dot(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
              const tools::RunConfig& config);

}  // namespace ebprop::run
