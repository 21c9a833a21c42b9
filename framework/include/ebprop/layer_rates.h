// The lower-layer rate rule of §4.7: "learning rates in the lower layers should generally be
// larger than in the higher layers", because their second derivatives are smaller (Fig. 21).
// Beside the √n multiplier of a shared weight (parameters.h) and the graph file's lr.ROLE, each
// parameter block's rate is multiplied by factor^d, d = its depth: the most nodes with parameters
// on any path from its node down to a loss, the node itself not counted (the layer next to the
// loss has d = 0 and keeps its rate). A block several nodes share takes the smallest depth of its
// users, so no use of it gets a larger rate than its own layer's.
//
// REQUIRES: a built graph. ENSURES: apply_lower_layer_rule multiplies each block's lr_scale (a
// rate multiplier of optimizers with a global step size) and leaves w unchanged; factor 1 changes
// nothing. OWNS: nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ebprop/graph.h"

namespace ebprop {

// The depth of every node of `graph` (its nodes() order); -1 for a node from which no loss is
// reached (or an input).
template <typename T>
std::vector<int> layer_depths(const Graph<T>& graph);

// The depth of each parameter block (the store's blocks() order): the smallest depth of the nodes
// that use it.
template <typename T>
std::vector<int> block_depths(const Graph<T>& graph);

// Multiplies each block's rate by factor^depth. Requires: factor > 0 and finite (throws Error).
// Returns one line per block, "NAME ×MULTIPLIER (depth D)", for the run's header.
template <typename T>
std::vector<std::string> apply_lower_layer_rule(Graph<T>& graph, double factor);

}  // namespace ebprop
