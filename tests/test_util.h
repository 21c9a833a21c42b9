// Helpers shared by the test executables.
#pragma once

#include <ebprop/data/dataset.h>
#include <ebprop/error.h>
#include <ebprop/graph.h>
#include <ebprop/graph_parser.h>
#include <ebprop/plugin_loader.h>

#include <algorithm>
#include <map>
#include <string>

namespace ebprop::test {

// Settings of a module or an optimizer as a graph file would write them: {{"outputs", "4"}}.
using SettingMap = std::map<std::string, std::string>;

// The registry with the plugins of this build (loaded once per test executable).
inline const Registry& plugins() {
  static const Registry registry = [] {
    Registry r;
    load_plugins(r);
    return r;
  }();
  return registry;
}

// `given` as a graph file's settings, without locations.
inline RawSettings raw_settings(const SettingMap& given) {
  RawSettings raw;
  for (const auto& [key, value] : given) raw[key] = RawSetting{value, SourceLocation{}};
  return raw;
}

// An optimizer of this build's plugins, with settings validated as a graph file's would be.
template <typename T = double>
OptimizerPtr<T> optimizer(const std::string& type, const SettingMap& given) {
  return plugins().make_optimizer<T>(
      type, Settings::validate(plugins().optimizer_info(type).settings, raw_settings(given),
                               "optimizer " + type, {}));
}

// The settings of a module of this build's plugins, validated as a graph file's would be (throws
// the SourceError a graph file would get).
inline Settings module_settings(const std::string& type, const SettingMap& given = {}) {
  return Settings::validate(plugins().module_info(type).settings, raw_settings(given), type, {});
}

// A module of this build's plugins, made as a graph file would make it.
template <typename T>
ModulePtr<T> make_module(const std::string& type, const SettingMap& given = {}) {
  return plugins().make_module<T>(type, module_settings(type, given));
}

// A rows x cols matrix of values uniform in [-1, 1), drawn in storage order.
inline Matrix<double> random_matrix(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
  Matrix<double> m(rows, cols);
  for (auto& v : m.reshaped()) v = 2 * uniform01(rng) - 1;
  return m;
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

// `count` examples of 5 inputs uniform in [-1, 1], each of one of 3 classes drawn at random, with
// ±1 one-of-3 targets: a small classification set for engine tests.
inline data::Dataset three_class_examples(int count, std::uint64_t seed) {
  Rng rng(seed);
  data::Dataset d;
  d.name = "generated";
  d.input_shape = {5};
  d.inputs.resize(5, count);
  d.targets.resize(3, count);
  for (float& v : d.inputs.reshaped()) v = static_cast<float>(2 * uniform01(rng) - 1);
  for (int e = 0; e < count; ++e) {
    const int c = std::min(2, static_cast<int>(uniform01(rng) * 3));
    d.labels.push_back(c);
    d.targets.col(e).setConstant(-1);
    d.targets(c, e) = 1;
  }
  d.classes = 3;
  return d;
}

}  // namespace ebprop::test
