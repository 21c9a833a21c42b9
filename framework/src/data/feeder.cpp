#include "ebprop/data/feeder.h"

#include <tuple>

namespace ebprop::data {

namespace {

template <typename T>
int find_source(const Graph<T>& graph, const std::string& source) {
  for (int i : graph.input_nodes())
    if (graph.nodes()[i].source == source) return i;
  return -1;
}

}  // namespace

template <typename T>
Feeder<T>::Feeder(Graph<T>& graph, const Dataset& data)
    : graph_(graph),
      inputs_(find_source(graph, "inputs")),
      targets_(find_source(graph, "targets")) {
  const std::string where = graph.file().empty() ? "the graph" : graph.file();
  if (inputs_ < 0)
    throw Error(where + " has no input node with source=inputs to feed the examples to");
  if (targets_ < 0)
    throw Error(where + " has no input node with source=targets to feed the targets to");
  for (const auto& [node, rows, what] : {std::tuple{inputs_, data.inputs.rows(), "examples"},
                                         std::tuple{targets_, data.targets.rows(), "targets"}}) {
    const auto& n = graph.nodes()[node];
    if (n.state.size() != rows)
      throw Error(
          where + ": input '" + n.name + "' (line " + std::to_string(n.where.line) +
          ") has shape " + shape_str(n.state.shape) + " (" + std::to_string(n.state.size()) +
          " values) but the " + what + " of '" + data.name + "' have " + std::to_string(rows) +
          (node == inputs_ && !data.features_from.empty()
               ? " (" + data.features_from + "; give the input shape=" + std::to_string(rows) + ")"
               : std::string()));
  }
}

template <typename T>
void Feeder<T>::load(const Dataset& data, int first, int count) {
  graph_.node(inputs_).state.x = data.inputs.middleCols(first, count).template cast<T>();
  graph_.node(targets_).state.x = data.targets.middleCols(first, count).template cast<T>();
}

template <typename T>
void Feeder<T>::load(const Dataset& data, const std::vector<int>& indices) {
  auto& x = graph_.node(inputs_).state.x;
  auto& t = graph_.node(targets_).state.x;
  const int n = static_cast<int>(indices.size());
  x.resize(data.inputs.rows(), n);
  t.resize(data.targets.rows(), n);
  for (int k = 0; k < n; ++k) {
    x.col(k) = data.inputs.col(indices[k]).template cast<T>();
    t.col(k) = data.targets.col(indices[k]).template cast<T>();
  }
}

template class Feeder<float>;
template class Feeder<double>;

}  // namespace ebprop::data
