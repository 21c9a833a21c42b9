#include "inspect.h"

#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace ebprop::run {

void print_plugins(const Registry& registry) {
  const auto print_settings = [](const std::vector<SettingSpec>& settings) {
    for (const auto& s : settings) {
      std::string head =
          "    " + s.name + " (" + setting_type_name(s.type) + ", " +
          (s.default_value
               ? "default " + (s.default_value->empty() ? std::string("\"\"") : *s.default_value)
               : std::string("required")) +
          ")";
      const std::string constraint = setting_constraint(s);
      head.resize(std::max<std::size_t>(head.size() + 1, 44), ' ');
      std::cout << head << s.doc << (constraint.empty() ? "" : "; allowed: " + constraint) << "\n";
    }
  };
  std::cout << "Module types:\n";
  for (const auto& type : registry.module_types()) {
    const ModuleInfo& info = registry.module_info(type);
    std::cout << "  " << type << (info.is_loss ? " (loss)" : "")
              << "  inputs: " << (info.inputs.empty() ? "none" : join(info.inputs))
              << (info.more_inputs ? ", ... (any number more)" : "") << "  ["
              << registry.origin(type) << "]\n"
              << "    " << info.doc << "\n";
    print_settings(info.settings);
    if (info.is_loss) print_settings(loss_node_settings());  // the engine's, for every loss
  }
  std::cout << "  input  inputs: none  [built in]\n    A value the runner feeds: examples "
               "(source=inputs) or targets (source=targets).\n";
  print_settings(input_node_settings());
  std::cout << "Optimizers:\n";
  for (const auto& type : registry.optimizer_types()) {
    const OptimizerInfo& info = registry.optimizer_info(type);
    std::cout << "  " << type << "  [" << registry.origin(type) << "]\n    " << info.doc << "\n";
    print_settings(info.settings);
  }
}

void describe(const GraphSpec& spec, const Graph<float>& graph, const Registry& registry) {
  std::cout << "graph " << graph.file() << " (nodes in the file's order)\n";
  std::size_t name_width = 4, type_width = 4;
  for (const auto& node : graph.nodes()) {
    name_width = std::max(name_width, node.name.size());
    type_width = std::max(type_width, node.type.size());
  }
  for (const NodeSpec& written : spec.nodes) {
    const auto& node = graph.nodes()[graph.find(written.name)];
    std::string inputs;
    for (int i : node.inputs) inputs += (inputs.empty() ? "" : ", ") + graph.nodes()[i].name;
    std::cout << "  line " << std::setw(3) << node.where.line << "  " << std::left
              << std::setw(static_cast<int>(name_width + 2)) << node.name
              << std::setw(static_cast<int>(type_width + 2)) << node.type << std::setw(14)
              << shape_str(node.state.shape) << std::right << (inputs.empty() ? "" : "<- " + inputs)
              << (node.is_loss ? "  (loss)" : "") << "\n";
    // Every setting of the schema, as written or its default; then the engine's own keys.
    const auto& schema =
        node.is_input ? input_node_settings() : registry.module_info(node.type).settings;
    std::string settings;
    for (const SettingSpec& s : schema) {
      const auto given = written.settings.find(s.name);
      const std::string value =
          given != written.settings.end() ? given->second.value : s.default_value.value_or("");
      settings += "  " + s.name + "=" + (value.empty() ? "\"\"" : value) +
                  (given == written.settings.end() ? " (default)" : "");
    }
    for (const auto& [key, raw] : written.settings)
      if (key.rfind("share.", 0) == 0 || key.rfind("lr.", 0) == 0)
        settings += "  " + key + "=" + raw.value;
    if (!settings.empty()) std::cout << "          " << settings << "\n";
  }
  const auto& params = graph.parameters();
  std::cout << "parameters (" << params.size() << " in all):\n";
  for (const auto& block : params.blocks()) {
    std::ostringstream line;
    line << "  " << std::left << std::setw(24) << block.name << std::setw(12)
         << std::to_string(block.rows) + "x" + std::to_string(block.cols);
    if (block.users > 1) line << "  shared by " << block.users;
    if (block.connections > 1) line << "  " << block.connections << " connections";
    // The rate multipliers the optimizers apply (parameters.h): lr.ROLE for those that set
    // per-weight rates themselves, times √connections for those with one global rate (§4.7).
    const double user = params.lr_scale()[block.offset];
    const double global = params.shared_lr_scale()[block.offset];
    if (user != 1 || global != 1)
      line << "  rate ×" << std::setprecision(4) << global << " (global-rate optimizers), ×" << user
           << " (per-weight-rate optimizers)";
    std::cout << line.str() << "\n";
  }
  // The paper's count of connections (§9.2's network: "64,638 connections"): each unit of a node
  // with parameters reads fan-in inputs, its bias included (Eq. 16's m; for conv2d with a
  // connection table, the mean over its maps).
  std::int64_t connections = 0;
  for (const auto& node : graph.nodes())
    if (!node.parameters.empty())
      connections += static_cast<std::int64_t>(node.state.size()) *
                     params.find(node.parameters.front())->fan_in;
  std::cout << "connections (units × fan-in, bias included, over the nodes with parameters): "
            << connections << "\n";
}

}  // namespace ebprop::run
