// ebprop-predict: a trained model's predictions for new examples, as a CSV file; with labels, the
// error, the confusion matrix and the error of each class.
#include <ebprop/data/feeder.h>
#include <ebprop/files.h>
#include <ebprop/graph.h>
#include <ebprop/graph_parser.h>
#include <ebprop/model_file.h>
#include <ebprop/plugin_loader.h>
#include <ebprop/random_streams.h>
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "files.h"
#include "input.h"
#include "options.h"
#include "tool_options.h"

namespace ebprop::predict {
namespace {

// "12.34%"
std::string percent(int errors, int count) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << 100.0 * errors / std::max(count, 1) << "%";
  return text.str();
}

// A value for the CSV file, with every digit the precision holds.
template <typename T>
std::string value_str(T value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*g", sizeof(T) == 4 ? 9 : 17, static_cast<double>(value));
  return text;
}

// Counts of (true class, predicted class).
class Confusion {
 public:
  explicit Confusion(int classes)
      : classes_(classes), counts_(static_cast<std::size_t>(classes) * classes, 0) {}
  void add(int truth, int predicted) { ++counts_[index(truth, predicted)]; }

  // The error, then the matrix (rows: true class, columns: predicted) and each class's error.
  void print(std::ostream& out, const ModelInfo& model) const {
    int total = 0, errors = 0;
    std::size_t width = 6;
    for (int k = 0; k < classes_; ++k) width = std::max(width, model.class_name(k).size() + 1);
    for (int t = 0; t < classes_; ++t)
      for (int p = 0; p < classes_; ++p) {
        total += counts_[index(t, p)];
        if (t != p) errors += counts_[index(t, p)];
      }
    out << "error " << percent(errors, total) << " (" << errors << " of " << total
        << " examples)\n\nconfusion matrix (rows: true class, columns: predicted)\n"
        << std::setw(static_cast<int>(width)) << "";
    for (int p = 0; p < classes_; ++p)
      out << std::setw(static_cast<int>(width)) << model.class_name(p);
    out << "\n";
    for (int t = 0; t < classes_; ++t) {
      out << std::setw(static_cast<int>(width)) << model.class_name(t);
      for (int p = 0; p < classes_; ++p)
        out << std::setw(static_cast<int>(width)) << counts_[index(t, p)];
      out << "\n";
    }
    out << "\nerror by class\n";
    for (int t = 0; t < classes_; ++t) {
      int count = 0;
      for (int p = 0; p < classes_; ++p) count += counts_[index(t, p)];
      const int wrong = count - counts_[index(t, t)];
      out << std::setw(static_cast<int>(width)) << model.class_name(t) << "  "
          << (count == 0 ? std::string("no examples")
                         : percent(wrong, count) + " (" + std::to_string(wrong) + " of " +
                               std::to_string(count) + ")")
          << "\n";
    }
  }

 private:
  std::size_t index(int truth, int predicted) const {
    return static_cast<std::size_t>(truth) * classes_ + predicted;
  }
  int classes_;
  std::vector<int> counts_;
};

// The node training scores (graph_objective.h): the [run] key predict, or the first input of the
// first loss node. Throws Error with a did-you-mean for an unknown name, or without a loss node.
template <typename T>
int prediction_node(Graph<T>& graph, const std::string& predict) {
  if (!predict.empty()) {
    graph.node(predict);  // throws with a did-you-mean when there is no such node
    return graph.find(predict);
  }
  if (graph.loss_nodes().empty()) throw Error(graph.file() + " has no loss node");
  return graph.nodes()[graph.loss_nodes().front()].inputs.front();
}

template <typename T>
int run(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
        const tools::RunConfig& config) {
  RandomStreams streams(static_cast<std::uint64_t>(config.run.integer("seed")));
  Graph<T> graph(spec, registry, streams.initialization);
  std::optional<ModelInfo> info = load_model(cli.load, graph.parameters());
  if (!info)
    throw Error("'" + cli.load +
                "' is a weights file of an earlier version, without the input transform and the "
                "classes a prediction needs: save a model with ebprop-run --save (docs/models.md)");
  const tools::LoadedModel model{cli.load, std::move(*info)};
  const data::Dataset data = load_input(cli, model);
  const bool labelled = !data.labels.empty();

  data::Feeder<T> feeder(graph, data);
  const auto& node = graph.node(prediction_node(graph, config.run.text("predict")));
  const int outputs = static_cast<int>(node.state.size());
  const int expected = model.info.outputs();
  if (outputs != expected)
    throw Error("the prediction node '" + node.name + "' (" + graph.file() + ":" +
                std::to_string(node.where.line) + ") has " + std::to_string(outputs) +
                " values, but the model '" + cli.load + "' has " + std::to_string(expected) +
                (model.info.regression()    ? " target columns"
                 : model.info.single_output ? " output (two classes on one output)"
                                            : " classes"));

  std::cout << "predicting node '" << node.name << "' (" << outputs << " values) of "
            << cli.graph_file << " with the model " << cli.load << ": " << data.size()
            << " examples from " << cli.input << ", batches of " << cli.batch << ", "
            << (std::is_same<T, float>::value ? "float32" : "float64") << std::endl;

  std::string csv = "example";
  if (!model.info.regression()) csv += ",predicted";
  // A column per output: named by the node for a regression and for two classes on one output,
  // by the class for one output per class.
  const bool by_class = !model.info.regression() && !model.info.single_output;
  for (int k = 0; k < outputs; ++k)
    csv += "," + (by_class ? model.info.class_name(k) : node.name + "." + std::to_string(k));
  csv += "\n";
  Confusion confusion(model.info.regression() ? 0 : model.info.classes);
  for (int first = 0; first < data.size(); first += cli.batch) {
    const int count = std::min(cli.batch, data.size() - first);
    feeder.load(data, first, count);
    graph.fprop();
    const Matrix<T>& y = node.state.x;
    for (int j = 0; j < count; ++j) {
      if (!y.col(j).allFinite())
        throw NumericError("node '" + node.name + "' produced a non-finite value for example " +
                           std::to_string(first + j + 1) + " of " + cli.input);
      csv += std::to_string(first + j + 1);
      if (!model.info.regression()) {
        const int predicted = data::predicted_class(y.col(j), data);
        csv += "," + model.info.class_name(predicted);
        if (labelled) confusion.add(data.labels[first + j], predicted);
      }
      for (int k = 0; k < outputs; ++k) csv += "," + value_str(y(k, j));
      csv += "\n";
    }
  }
  write_file_atomically(cli.out, csv);
  std::cout << "wrote " << data.size() << " predictions to " << cli.out << "\n";
  if (labelled) {
    std::cout << "\n";
    confusion.print(std::cout, model.info);
  }
  return 0;
}

int main_checked(int argc, char** argv) {
  const std::optional<CommandLine> cli = parse_command_line(argc, argv);
  if (!cli) return 0;
  Registry registry;
  load_plugins(registry, cli->plugin_paths);
  const GraphSpec spec = parse_graph_file(cli->graph_file);
  const tools::RunConfig config = merge_config(cli->overrides, spec, registry);
  std::vector<tools::RunFile> inputs{{"the graph file", cli->graph_file},
                                     {"the --load model", cli->load},
                                     {"the --input examples", cli->input},
                                     {"the --labels file", cli->labels}};
  for (const auto& library : registry.libraries()) inputs.push_back({"the plugin", library});
  tools::check_outputs(inputs, {{"--out", cli->out}});
  omp_set_num_threads(static_cast<int>(config.run.integer("threads")));
  if (config.run.text("precision") == "double") return run<double>(*cli, spec, registry, config);
  return run<float>(*cli, spec, registry, config);  // the schema allows float and double only
}

}  // namespace
}  // namespace ebprop::predict

int main(int argc, char** argv) {
  return ebprop::tools::tool_main("ebprop-predict",
                                  [&] { return ebprop::predict::main_checked(argc, argv); });
}
