// GraphSpec: a graph file as written, before any plugin is consulted.
//
// The parser (graph_parser.h) checks the syntax; everything that needs the plugins (types,
// settings, inputs, cycles, shapes) is checked when a Graph is built from the spec, and reported
// at the locations recorded here. See docs/graph-files.md for the format.
#pragma once

#include <string>
#include <vector>

#include "ebprop/error.h"
#include "ebprop/settings.h"

namespace ebprop {

struct NodeSpec {
  std::string name;                         // also the name of the value it outputs
  std::string type;                         // a registered module type, or "input"
  std::vector<std::string> inputs;          // names of other nodes, in order
  std::vector<SourceLocation> input_where;  // where each input name was written
  RawSettings settings;                     // key=value as written, including share.* and lr.*
  SourceLocation where;                     // the node's line (column of its name)
  SourceLocation type_where;                // where the type name was written
};

// A [section] of key = value lines: [run], [data], or [optimizer NAME].
struct SectionSpec {
  std::string name;      // "run", "data", "optimizer"
  std::string argument;  // "sgd" in [optimizer sgd]; empty otherwise
  RawSettings settings;
  SourceLocation where;  // the header line
  bool present = false;  // false when the file has no such section
};

struct GraphSpec {
  std::string file;             // path as given ("" for text that came from a string)
  std::vector<NodeSpec> nodes;  // in file order
  SectionSpec run;              // training defaults: epochs, batch, seed, ...
  SectionSpec data;             // data set and preprocessing
  SectionSpec optimizer;        // argument = optimizer type

  const NodeSpec* find(const std::string& name) const;
};

}  // namespace ebprop
