// Helpers shared by the test executables.
#pragma once

#include <ebprop/error.h>
#include <ebprop/graph.h>
#include <ebprop/graph_parser.h>
#include <ebprop/plugin_loader.h>

#include <string>

namespace ebprop::test {

// The registry with the plugins of this build (loaded once per test executable).
inline const Registry& plugins() {
  static const Registry registry = [] {
    Registry r;
    load_plugins(r);
    return r;
  }();
  return registry;
}

// An optimizer of this build's plugins, with settings validated as a graph file's would be.
inline OptimizerPtr<double> optimizer(
    const std::string& type, std::initializer_list<std::pair<std::string, std::string>> items) {
  RawSettings raw;
  for (const auto& [k, v] : items) raw[k] = {v, {}};
  return plugins().make_optimizer<double>(
      type,
      Settings::validate(plugins().optimizer_info(type).settings, raw, "optimizer " + type, {}));
}

// Builds a graph from graph-file text named "test.graph".
template <typename T>
std::unique_ptr<Graph<T>> graph_from(const std::string& text, std::uint64_t seed = 1) {
  Rng rng(seed);
  return std::make_unique<Graph<T>>(parse_graph(text, "test.graph"), plugins(), rng);
}

// The message of the SourceError that building `text` throws, with its line; fails the test when
// nothing is thrown.
struct Failure {
  std::string message;  // what(), with "test.graph:LINE:" in front
  int line = 0;
};
inline Failure build_failure(const std::string& text) {
  try {
    graph_from<double>(text);
  } catch (const SourceError& e) {
    return {e.what(), e.where().line};
  } catch (const std::exception& e) {
    return {std::string("not a SourceError: ") + e.what(), -1};
  }
  return {"no error", -1};
}

}  // namespace ebprop::test
