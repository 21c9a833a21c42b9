// What ebprop-run prints without training: the plugins' types and settings (--list-plugins) and a
// graph's nodes and parameters (--describe).
#pragma once

#include <ebprop/graph.h>
#include <ebprop/registry.h>

namespace ebprop::run {

// Every module and optimizer type the registry holds, with its settings and where it came from.
void print_plugins(const Registry& registry);

// The graph's nodes (line, name, type, output shape, inputs) and parameter blocks.
void describe(const Graph<float>& graph);

}  // namespace ebprop::run
