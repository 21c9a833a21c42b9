// ebprop-run --time: how long each node's passes take (after Caffe's `time` command), for authors
// of plugins and graphs to see where a step's time goes.
#pragma once

#include <ebprop/graph_spec.h>
#include <ebprop/registry.h>

#include "options.h"
#include "run_config.h"

namespace ebprop::run {

// Builds the graph in the precision [run] precision names, at the [run] batch size (--batch
// overrides it), from the initial weights of the [run] seed or the --load weights, and times, per
// node, fprop, bprop, bbprop and, when every node has them, r_fprop
// and r_bprop (a Hessian-vector product along a random direction, §7.5): 2 warm-up iterations
// through the graph's own passes (which check the memory for the batch and name the node of a
// failure), then cli.time_iterations timed ones, each pass run node by node in the order the
// graph runs it, with the seeds Graph::bprop, Graph::bbprop and Graph::hessian_vector give.
// The inputs are, by cli.time_inputs: "data", the training set's first examples (repeated when
// it holds fewer than a batch); "random", values uniform in [-1, 1] from the [run] seed; "", data
// when the [data] section names a training set, random otherwise. Prints to stdout a table of the
// mean milliseconds per node and pass with totals, saying what the inputs were; returns 0.
// Requires: OpenMP's thread count set by the caller (the runner's policy). Throws what building
// the graph or loading the data throws.
int time_passes(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
                const tools::RunConfig& config);

}  // namespace ebprop::run
