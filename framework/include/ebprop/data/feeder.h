// Feeder: puts examples of a data set into a graph's input nodes — the one place data enters a
// graph, for training, evaluation, curvature and benches.
//
// It binds the input node whose `source` is "inputs" to the examples and the one whose source is
// "targets" to their targets, and checks once that each node's size matches the data set's rows.
//
// OWNERSHIP: the caller owns the graph and keeps it alive; load() copies, so the data set need
// not outlive the call.
#pragma once

#include <vector>

#include "ebprop/data/dataset.h"
#include "ebprop/graph.h"

namespace ebprop::data {

template <typename T>
class Feeder {
 public:
  // Requires: the graph has an input node with source=inputs and one with source=targets whose
  // sizes match `data`'s example and target rows. Throws Error naming the graph file, the node
  // and its line, and the data set otherwise. `data` is only read here, for its shape.
  Feeder(Graph<T>& graph, const Dataset& data);

  // Loads examples first .. first + count − 1 (contiguous: a block copy).
  void load(const Dataset& data, int first, int count);
  // Loads the examples of these indices, in this order.
  void load(const Dataset& data, const std::vector<int>& indices);

  int inputs_node() const { return inputs_; }
  int targets_node() const { return targets_; }

 private:
  Graph<T>& graph_;
  int inputs_ = -1, targets_ = -1;
};

extern template class Feeder<float>;
extern template class Feeder<double>;

}  // namespace ebprop::data
