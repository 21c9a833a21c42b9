// Fuzz target: a graph file through everything that reads it before training — the parser, each
// node's settings against its type's schema, the [run], [data] and optimizer sections as the
// tools merge them, the optimizer made from its settings, and (for small graphs) the Graph with
// its shapes and parameters.
// An ebprop::Error is the expected refusal; anything else is a finding.
#include <ebprop/graph.h>
#include <ebprop/graph_parser.h>
#include <run_config.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "plugins.h"

namespace {

// Whether building the Graph stays within a few MB: at most 12 nodes and no number above 32 in
// any node's settings (sizes, counts, shapes). Allocation limits for large graphs are tested by
// the bad-input suite; here a giant allocation would only slow the fuzzer down.
bool small_enough_to_build(const ebprop::GraphSpec& spec) {
  if (spec.nodes.size() > 12) return false;
  for (const auto& node : spec.nodes)
    for (const auto& [key, setting] : node.settings) {
      const std::string& text = setting.value;
      for (std::size_t i = 0; i < text.size();) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
          ++i;
          continue;
        }
        const std::size_t end = text.find_first_not_of("0123456789", i);
        const std::string digits = text.substr(i, end == std::string::npos ? end : end - i);
        if (digits.size() > 2 || std::stoi(digits) > 32) return false;
        i = end == std::string::npos ? text.size() : end;
      }
    }
  return true;
}

void validate_node_settings(const ebprop::GraphSpec& spec, const ebprop::Registry& registry) {
  for (const auto& node : spec.nodes) {
    auto schema = node.type == "input" ? ebprop::input_node_settings()
                                       : registry.module_info(node.type).settings;
    if (node.type != "input" && registry.module_info(node.type).is_loss)  // the engine's `weight`
      for (const auto& s : ebprop::loss_node_settings()) schema.push_back(s);
    ebprop::RawSettings own;  // share.* and lr.* belong to the engine, not to the schema
    for (const auto& [key, setting] : node.settings)
      if (key.rfind("share.", 0) != 0 && key.rfind("lr.", 0) != 0) own.emplace(key, setting);
    ebprop::Settings::validate(schema, own, node.type + " '" + node.name + "'", node.where);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  ebprop::fuzz::build_plugins();  // before fuzzing starts: see plugins.h
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ebprop::Registry& registry = ebprop::fuzz::build_plugins();
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Each stage on its own, so that a refusal in one (a bad optimizer setting) does not keep the
  // others (the nodes) from being fuzzed. An ebprop::Error is a bad graph file's expected refusal.
  ebprop::GraphSpec spec;
  try {
    spec = ebprop::parse_graph(text, "fuzz.graph");
  } catch (const ebprop::Error&) {
    return 0;
  }
  try {
    validate_node_settings(spec, registry);
  } catch (const ebprop::Error&) {
  }
  try {
    const ebprop::tools::RunConfig config = ebprop::tools::merge_config({}, spec, registry);
    registry.make_optimizer<float>(config.optimizer, config.optimizer_settings);
  } catch (const ebprop::Error&) {
  }
  try {
    if (small_enough_to_build(spec)) {
      ebprop::Rng rng(1);
      const ebprop::Graph<float> graph(spec, registry, rng);
    }
  } catch (const ebprop::Error&) {
  }
  return 0;
}
