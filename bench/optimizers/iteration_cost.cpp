// The cost of one iteration of each batch optimizer against one gradient evaluation, on a network
// (bench/optimizers/run.sh --iteration-cost; see bench/README.md):
//
//   iteration-cost [--hidden H] [--examples P] [--iterations K] [--optimizers cg,bfgs,...]
//
// A small MLP 784-H-10 (stanh, MSE to ±1 targets, as graphs/digits-mlp.graph, default H = 3 so
// that BFGS's and Newton's dense n × n matrices are within their max-weights) on the first P
// (default 2000) bundled digits (data/mnist10k, centred and scaled globally, §4.3), float64. For
// each optimizer: the same initial weights, one warm-up step, then K (default 5) steps timed; the
// gradient on the full set timed K times. Prints, per optimizer, seconds per iteration, the
// evaluations an iteration made (function+gradient, G·v or H·v products, dense matrices) and the
// ratio seconds per iteration / seconds per gradient. One thread.
#include <ebprop/data/idx.h>
#include <ebprop/data/preprocess.h>
#include <ebprop/graph_objective.h>
#include <ebprop/graph_parser.h>
#include <ebprop/plugin_loader.h>
#include <ebprop/random_streams.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace ebprop;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::string mlp(int hidden) {
  return "image = input shape=28x28 source=inputs\n"
         "label = input shape=10 source=targets\n"
         "hidden = linear(image) outputs=" +
         std::to_string(hidden) +
         "\n"
         "h = stanh(hidden)\n"
         "scores = linear(h) outputs=10\n"
         "output = stanh(scores)\n"
         "loss = mse(output, label)\n";
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream s(text);
  for (std::string part; std::getline(s, part, ',');) parts.push_back(part);
  return parts;
}

}  // namespace

int main(int argc, char** argv) {
  int hidden = 3, examples = 2000, iterations = 5;
  std::string optimizers = "cg,bfgs,lbfgs,gauss-newton,levenberg-marquardt,newton";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i], value = argv[i + 1];
    if (option == "--hidden")
      hidden = std::stoi(value);
    else if (option == "--examples")
      examples = std::stoi(value);
    else if (option == "--iterations")
      iterations = std::stoi(value);
    else if (option == "--optimizers")
      optimizers = value;
    else {
      std::cerr << "iteration-cost: unknown option '" << option << "' (see its first lines)\n";
      return 2;
    }
  }
  try {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured
    omp_set_num_threads(1);
    Registry registry;
    load_plugins(registry);
    const data::IdxFiles files = data::find_idx_files(EBPROP_SOURCE_DIR "/data/mnist10k");
    data::Dataset train = data::load_idx(files.train_images, files.train_labels);
    data::truncate(train, examples);
    data::Normalizer normalizer;
    normalizer.fit(train, data::Centering::global, data::Scaling::global);
    normalizer.apply(train);
    data::encode_targets(train, 10);
    const GraphSpec spec = parse_graph(mlp(hidden), "iteration-cost MLP");

    std::printf("MLP 784-%d-10 on %d digits, float64, 1 thread; %d timed iterations each\n", hidden,
                train.size(), iterations);
    double gradient_seconds = 0;
    {
      RandomStreams streams(1);
      Graph<double> graph(spec, registry, streams.initialization);
      GraphObjective<double> objective(graph, train, streams.sampling);
      objective.gradient(Batch::all());
      const auto start = clock_type::now();
      for (int k = 0; k < iterations; ++k) objective.gradient(Batch::all());
      gradient_seconds = seconds_since(start) / iterations;
      std::printf("weights %lld; one gradient on the full set: %.4f s\n\n",
                  static_cast<long long>(objective.dimension()), gradient_seconds);
    }
    std::printf(
        "| optimizer | s / iteration | f+g / iteration | G·v / it. | H·v / it. | "
        "matrices / it. | s / iteration ÷ s / gradient |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (const auto& name : split(optimizers)) {
      if (!registry.has_optimizer(name)) {
        std::printf("| %s | not registered | | | | | |\n", name.c_str());
        continue;
      }
      RandomStreams streams(1);
      Graph<double> graph(spec, registry, streams.initialization);
      GraphObjective<double> objective(graph, train, streams.sampling);
      const Settings settings =
          Settings::validate(registry.optimizer_info(name).settings, {}, name, {});
      const OptimizerPtr<double> optimizer = registry.make_optimizer<double>(name, settings);
      optimizer->attach(objective.parameters());
      optimizer->begin_epoch(1, objective);
      optimizer->step(objective, Batch::all(), examples);  // warm-up: first evaluations, sizes
      const EvaluationCounts before = objective.counts();
      int done = 0;
      const auto start = clock_type::now();
      std::string stop;
      for (; done < iterations && stop.empty(); ++done) {
        optimizer->begin_epoch(done + 2, objective);
        stop = optimizer->step(objective, Batch::all(), examples * (done + 2)).stop;
      }
      const double per = seconds_since(start) / done;
      const EvaluationCounts& after = objective.counts();
      const auto rate = [&](std::int64_t a, std::int64_t b) { return double(a - b) / done; };
      std::printf("| %s | %.4f | %.1f | %.1f | %.1f | %.1f | %.1f |%s\n", name.c_str(), per,
                  rate(after.evaluations(), before.evaluations()),
                  rate(after.gauss_newton_vectors, before.gauss_newton_vectors),
                  rate(after.hessian_vectors, before.hessian_vectors),
                  rate(after.matrices, before.matrices), per / gradient_seconds,
                  stop.empty() ? "" : (" (stopped: " + stop + ")").c_str());
    }
  } catch (const std::exception& e) {
    std::cerr << "iteration-cost: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
