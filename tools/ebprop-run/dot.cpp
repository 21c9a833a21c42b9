#include "dot.h"

#include <ebprop/files.h>
#include <ebprop/random_streams.h>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <iostream>
#include <sstream>

#include "files.h"

namespace ebprop::run {
namespace {

// `text` for the inside of a dot string: every backslash and double quote escaped, so that a
// path or name cannot end the string early or start an escape sequence.
std::string escaped(const std::string& text) {
  std::string result;
  for (char c : text) {
    if (c == '\\' || c == '"') result += '\\';
    result += c;
  }
  return result;
}

std::string quoted(const std::string& text) { return "\"" + escaped(text) + "\""; }

// A label of several lines: each escaped, joined by dot's line break "\n".
std::string label(const std::vector<std::string>& lines) {
  std::string inner;
  for (std::size_t i = 0; i < lines.size(); ++i) inner += (i ? "\\n" : "") + escaped(lines[i]);
  return "\"" + inner + "\"";
}

struct EdgeLabel {
  std::string name;  // of the input, "" for none
};
using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                                       boost::no_property, EdgeLabel>;

}  // namespace

std::string graph_to_dot(const Graph<float>& graph, const Registry& registry) {
  const auto& nodes = graph.nodes();
  DotGraph dag(nodes.size());
  for (std::size_t v = 0; v < nodes.size(); ++v) {
    const auto& node = nodes[v];
    if (node.is_input) continue;
    const ModuleInfo& info = registry.module_info(node.type);
    for (std::size_t k = 0; k < node.inputs.size(); ++k) {
      std::string name;
      if (info.more_inputs)
        name = std::to_string(k + 1);
      else if (node.inputs.size() > 1 && k < info.inputs.size())
        name = info.inputs[k];
      boost::add_edge(static_cast<std::size_t>(node.inputs[k]), v, EdgeLabel{name}, dag);
    }
  }
  std::ostringstream out;
  const auto& params = graph.parameters();
  const auto write_vertex = [&](std::ostream& os, std::size_t v) {
    const auto& node = nodes[v];
    std::vector<std::string> lines{node.name, node.type + "  " + shape_str(node.state.shape)};
    for (const auto& name : node.parameters) {
      const ParamBlock* block = params.find(name);
      lines.push_back(name + "  " + std::to_string(block->rows) + "x" +
                      std::to_string(block->cols) +
                      (block->users > 1 ? "  shared by " + std::to_string(block->users) : ""));
    }
    os << "[label=" << label(lines);
    if (node.is_input)
      os << ", shape=ellipse";
    else if (node.is_loss)
      os << ", shape=octagon, style=\"filled,bold\", fillcolor=\"#f4cccc\", color=\"#cc0000\"";
    else
      os << ", shape=box";
    os << "]";
  };
  const auto write_edge = [&](std::ostream& os, const DotGraph::edge_descriptor& e) {
    const std::string& name = dag[e].name;
    if (!name.empty()) os << "[label=" << quoted(name) << "]";
  };
  const auto write_graph = [&](std::ostream& os) {
    os << "label=" << quoted(graph.file()) << ";\nlabelloc=t;\nnode [fontname=\"Helvetica\"];\n";
  };
  boost::write_graphviz(out, dag, write_vertex, write_edge, write_graph);
  return out.str();
}

int write_dot(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
              const tools::RunConfig& config) {
  tools::check_outputs(tools::run_inputs(cli.graph_file, cli.load, config, registry),
                       {{"--dot", cli.dot}});
  RandomStreams streams(static_cast<std::uint64_t>(config.run.integer("seed")));
  const Graph<float> graph(spec, registry, streams.initialization);
  write_file_atomically(cli.dot, graph_to_dot(graph, registry));
  std::cout << "wrote " << cli.dot << ": " << graph.nodes().size()
            << " nodes (render it with: dot -Tsvg " << cli.dot << " -o graph.svg)\n";
  return 0;
}

}  // namespace ebprop::run
