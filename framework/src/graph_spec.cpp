#include "ebprop/graph_spec.h"

namespace ebprop {

const NodeSpec* GraphSpec::find(const std::string& name) const {
  for (const NodeSpec& node : nodes) {
    if (node.name == name) return &node;
  }
  return nullptr;
}

}  // namespace ebprop
