// What ebprop-run prints without training: the plugins' types and settings (--list-plugins) and a
// graph's nodes and parameters (--describe).
#pragma once

#include <ebprop/graph.h>
#include <ebprop/graph_spec.h>
#include <ebprop/registry.h>

namespace ebprop::run {

// Every module and optimizer type the registry holds, with its settings and where it came from.
void print_plugins(const Registry& registry);

// The graph's nodes in the file's order (line, name, type, output shape, inputs), each with its
// settings: every key of its schema with the value the file gave or, marked "(default)", the
// default it takes (an empty text as ""), then its share.ROLE and lr.ROLE keys as written; then
// the parameter blocks. Requires: `graph` was built from `spec` with `registry`.
void describe(const GraphSpec& spec, const Graph<float>& graph, const Registry& registry);

}  // namespace ebprop::run
