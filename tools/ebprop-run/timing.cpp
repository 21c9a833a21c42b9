#include "timing.h"

#include <ebprop/data/feeder.h>
#include <ebprop/graph.h>
#include <ebprop/model_file.h>
#include <ebprop/random_streams.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <type_traits>

namespace ebprop::run {
namespace {

// What to time: see time_passes (timing.h).
struct TimingRequest {
  int batch;
  int iterations;
  std::string inputs;  // "data", "random" or ""
  std::string load;    // weights to start from (--load), or ""
};

enum Pass { fprop, bprop, bbprop, r_fprop, r_bprop };
constexpr std::array<const char*, 5> pass_names = {"fprop", "bprop", "bbprop", "r_fprop",
                                                   "r_bprop"};
constexpr int warm_up_iterations = 2;

using Seconds = std::array<double, pass_names.size()>;

// Whether the [data] section names a training set (as load_data would find it).
bool names_training_data(const tools::RunConfig& config) {
  const tools::DataFiles files = tools::find_data_files(config);
  return !files.train_csv.empty() ||
         (!files.train_images.empty() &&
          (!files.train_labels.empty() || !files.train_targets.empty()));
}

// Fills the graph's input nodes with `batch` examples; returns what they are, for the output.
template <typename T>
std::string feed(Graph<T>& graph, const TimingRequest& request, const tools::RunConfig& config,
                 Rng& rng) {
  const bool use_data =
      request.inputs == "data" || (request.inputs.empty() && names_training_data(config));
  if (use_data) {
    const tools::Data data = tools::load_data(config);
    // The readers refuse an empty set (csv.h, idx.h): there is an example to repeat.
    data::Feeder<T> feeder(graph, data.train);
    std::vector<int> indices(static_cast<std::size_t>(request.batch));
    for (int i = 0; i < request.batch; ++i) indices[i] = i % data.train.size();
    feeder.load(data.train, indices);
    const int used = std::min(request.batch, data.train.size());
    return "the first " + std::to_string(used) + " training examples of " + data.train.name +
           (used < request.batch ? ", repeated to fill the batch" : "");
  }
  for (int i : graph.input_nodes()) {
    State<T>& state = graph.node(i).state;
    state.x.resize(state.size(), request.batch);
    for (Eigen::Index k = 0; k < state.x.size(); ++k)
      state.x.data()[k] = static_cast<T>(2 * uniform01(rng) - 1);
  }
  return "random values, uniform in [-1, 1] (seed " + std::to_string(config.run.integer("seed")) +
         ")";
}

// Runs the passes node by node as Graph runs them, adding each node's time to `seconds`.
template <typename T>
class NodeTimer {
 public:
  explicit NodeTimer(Graph<T>& graph) : graph_(graph), seconds_(graph.nodes().size(), Seconds{}) {
    for (std::size_t i = 0; i < graph.nodes().size(); ++i) {
      inputs_.emplace_back();
      for (int k : graph.nodes()[i].inputs) inputs_.back().push_back(&graph.node(k).state);
    }
  }

  const std::vector<Seconds>& seconds() const { return seconds_; }

  void iteration(bool r_passes) {
    const std::size_t count = graph_.nodes().size();
    for (std::size_t i = 0; i < count; ++i)
      timed(fprop, i, [&](Module<T>& m, State<T>& out) { m.fprop(inputs_[i], out); });
    // The seeds of Graph::bprop: dx cleared, a loss node's dx 1/batch (the mean).
    graph_.parameters().clear_gradients();
    graph_.parameters().note_gradients_written();
    for (std::size_t i = 0; i < count; ++i) {
      State<T>& state = state_of(i);
      state.dx.setZero(state.x.rows(), state.x.cols());
      if (graph_.nodes()[i].is_loss) state.dx.setConstant(T(1) / static_cast<T>(state.batch()));
    }
    for (std::size_t i = count; i-- > 0;)
      timed(bprop, i, [&](Module<T>& m, State<T>& out) { m.bprop(inputs_[i], out); });
    // The seeds of Graph::bbprop: ddx cleared, a loss node's ddx 0 and dx 1/batch.
    graph_.parameters().clear_hessian();
    for (std::size_t i = 0; i < count; ++i) {
      State<T>& state = state_of(i);
      state.ddx.setZero(state.x.rows(), state.x.cols());
      if (graph_.nodes()[i].is_loss) state.dx.setConstant(T(1) / static_cast<T>(state.batch()));
    }
    for (std::size_t i = count; i-- > 0;)
      timed(bbprop, i, [&](Module<T>& m, State<T>& out) { m.bbprop(inputs_[i], out); });
    if (!r_passes) return;
    // The seeds of Graph::hessian_vector: R{x} = 0 where no parameter acts, R{dx} and H v cleared.
    for (std::size_t i = 0; i < count; ++i)
      if (!state_of(i).needs_gradient)
        state_of(i).rx.setZero(state_of(i).x.rows(), state_of(i).x.cols());
    for (std::size_t i = 0; i < count; ++i)
      timed(r_fprop, i, [&](Module<T>& m, State<T>& out) { m.r_fprop(inputs_[i], out); });
    for (std::size_t i = 0; i < count; ++i)
      state_of(i).rdx.setZero(state_of(i).x.rows(), state_of(i).x.cols());
    graph_.parameters().rdw().setZero();
    for (std::size_t i = count; i-- > 0;)
      timed(r_bprop, i, [&](Module<T>& m, State<T>& out) { m.r_bprop(inputs_[i], out); });
  }

 private:
  Graph<T>& graph_;
  std::vector<Inputs<T>> inputs_;  // per node: its inputs' states, in the module's order
  std::vector<Seconds> seconds_;   // per node and pass, summed over the timed iterations

  State<T>& state_of(std::size_t i) { return graph_.node(static_cast<int>(i)).state; }

  template <typename Run>
  void timed(Pass pass, std::size_t i, Run&& run) {
    auto& node = graph_.node(static_cast<int>(i));
    // As the engine: only fprop runs on values that depend on no parameter (module.h).
    if (node.is_input || (pass != fprop && !node.state.needs_gradient)) return;
    const auto start = std::chrono::steady_clock::now();
    run(*node.module, node.state);
    seconds_[i][pass] +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

std::string milliseconds(double seconds) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(4) << seconds * 1e3;
  return text.str();
}

template <typename T>
void time_graph(const TimingRequest& request, const GraphSpec& spec, const Registry& registry,
                const tools::RunConfig& config, std::ostream& out) {
  const auto seed = static_cast<std::uint64_t>(config.run.integer("seed"));
  RandomStreams streams(seed);
  Graph<T> graph(spec, registry, streams.initialization);
  if (!request.load.empty()) load_model(request.load, graph.parameters());
  Rng& values = streams.sampling;
  const std::string inputs = feed(graph, request, config, values);
  const std::vector<std::string> without_r = graph.nodes_without_r_passes();
  const bool r_passes = without_r.empty();
  if (r_passes)  // a random direction v for the Hessian-vector product
    for (Eigen::Index k = 0; k < graph.parameters().rw().size(); ++k)
      graph.parameters().rw()[k] = static_cast<T>(2 * uniform01(values) - 1);

  for (int i = 0; i < warm_up_iterations; ++i) {
    graph.fprop();
    graph.parameters().clear_gradients();
    graph.bprop();
    graph.bbprop();
    if (r_passes) graph.hessian_vector();
  }
  NodeTimer<T> timer(graph);
  for (int i = 0; i < request.iterations; ++i) timer.iteration(r_passes);

  const std::size_t passes = r_passes ? pass_names.size() : 3;
  std::size_t name_width = 5, type_width = 4;
  for (const auto& node : graph.nodes()) {
    name_width = std::max(name_width, node.name.size());
    type_width = std::max(type_width, node.type.size());
  }
  const auto row = [&](const std::string& name, const std::string& type,
                       const std::vector<std::string>& cells) {
    out << "  " << std::left << std::setw(static_cast<int>(name_width + 2)) << name
        << std::setw(static_cast<int>(type_width + 2)) << type << std::right;
    for (const auto& cell : cells) out << std::setw(11) << cell;
    out << "\n";
  };
  out << "time " << graph.file() << ": batch " << request.batch << ", "
      << (std::is_same<T, float>::value ? "float32" : "float64") << ", "
      << config.run.integer("threads") << " thread(s)\n"
      << "inputs: " << inputs << "\n"
      << "milliseconds per pass, the mean of " << request.iterations << " iterations after "
      << warm_up_iterations << " warm-up iterations\n";
  std::vector<std::string> header(pass_names.begin(), pass_names.begin() + passes);
  row("node", "type", header);
  Seconds total{};
  const double n = request.iterations;
  for (std::size_t i = 0; i < graph.nodes().size(); ++i) {
    const auto& node = graph.nodes()[i];
    if (node.is_input) continue;
    std::vector<std::string> cells;
    for (std::size_t p = 0; p < passes; ++p) {
      cells.push_back(milliseconds(timer.seconds()[i][p] / n));
      total[p] += timer.seconds()[i][p] / n;
    }
    row(node.name, node.type, cells);
  }
  std::vector<std::string> totals;
  double all = 0;
  for (std::size_t p = 0; p < passes; ++p) {
    totals.push_back(milliseconds(total[p]));
    all += total[p];
  }
  row("total", "", totals);
  out << "all passes: " << milliseconds(all) << " ms per iteration; fprop + bprop (a gradient): "
      << milliseconds(total[fprop] + total[bprop]) << " ms\n";
  if (!r_passes)
    out << "r_fprop, r_bprop: not timed, these nodes have no R-operator passes: " << join(without_r)
        << "\n";
}

}  // namespace

int time_passes(const CommandLine& cli, const GraphSpec& spec, const Registry& registry,
                const tools::RunConfig& config) {
  const TimingRequest request{static_cast<int>(config.run.integer("batch")), cli.time_iterations,
                              cli.time_inputs, cli.load};
  if (config.run.text("precision") == "double")
    time_graph<double>(request, spec, registry, config, std::cout);
  else  // the schema allows float and double only
    time_graph<float>(request, spec, registry, config, std::cout);
  return 0;
}

}  // namespace ebprop::run
