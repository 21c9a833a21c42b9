#include "ebprop/layer_rates.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ebprop/error.h"

namespace ebprop {

template <typename T>
std::vector<int> layer_depths(const Graph<T>& graph) {
  const auto& nodes = graph.nodes();
  std::vector<int> depth(nodes.size(), -1);
  // Topological order: every consumer of a node comes after it, so a reverse pass sees each
  // consumer's depth before the node's.
  for (std::size_t n = nodes.size(); n-- > 0;) {
    if (nodes[n].is_loss && !nodes[n].is_input) depth[n] = std::max(depth[n], 0);
    if (depth[n] < 0 || nodes[n].is_input) continue;
    const int below = depth[n] + (nodes[n].parameters.empty() ? 0 : 1);
    for (int input : nodes[n].inputs) depth[input] = std::max(depth[input], below);
  }
  for (std::size_t n = 0; n < nodes.size(); ++n)
    if (nodes[n].is_input) depth[n] = -1;
  return depth;
}

template <typename T>
std::vector<int> block_depths(const Graph<T>& graph) {
  const auto& blocks = graph.parameters().blocks();
  std::vector<int> depth(blocks.size(), -1);
  const std::vector<int> node_depth = layer_depths(graph);
  for (std::size_t n = 0; n < graph.nodes().size(); ++n) {
    if (node_depth[n] < 0) continue;
    for (const std::string& name : graph.nodes()[n].parameters) {
      const auto b = static_cast<std::size_t>(graph.parameters().find(name) - blocks.data());
      depth[b] = depth[b] < 0 ? node_depth[n] : std::min(depth[b], node_depth[n]);
    }
  }
  return depth;
}

template <typename T>
std::vector<std::string> apply_lower_layer_rule(Graph<T>& graph, double factor) {
  if (!(factor > 0) || !std::isfinite(factor))
    throw Error("the lower-layer rate factor must be a finite number > 0, not " +
                std::to_string(factor));
  const std::vector<int> depth = block_depths(graph);
  ParameterStore<T>& store = graph.parameters();
  std::vector<std::string> lines;
  for (std::size_t b = 0; b < store.blocks().size(); ++b) {
    const ParamBlock& block = store.blocks()[b];
    const int d = std::max(depth[b], 0);  // a block no loss depends on keeps its rate
    const double multiplier = std::pow(factor, d);
    store.set_lr_scale(block.offset, block.size(),
                       static_cast<T>(store.lr_scale()[block.offset] * multiplier));
    std::ostringstream line;
    line << block.name << " ×" << multiplier << " (depth " << d << ")";
    lines.push_back(line.str());
  }
  return lines;
}

template std::vector<int> layer_depths(const Graph<float>&);
template std::vector<int> layer_depths(const Graph<double>&);
template std::vector<int> block_depths(const Graph<float>&);
template std::vector<int> block_depths(const Graph<double>&);
template std::vector<std::string> apply_lower_layer_rule(Graph<float>&, double);
template std::vector<std::string> apply_lower_layer_rule(Graph<double>&, double);

}  // namespace ebprop
