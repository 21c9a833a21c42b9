// curvature-bench: the cost of ebprop's curvature passes against its gradient, through the engine
// API (ebprop/graph.h), on random data. Used by bench/curvature.sh; see bench/README.md.
//
//   curvature-bench passes GRAPH --batch N [--reps R | --seconds S] [--blocks B] [--threads T]
//                   [--per-node]
//     Graph<float>: one fprop, bprop and bbprop per repetition, each timed on its own; the order
//     of bprop and bbprop alternates from one repetition to the next, so neither always finds
//     the other's data in the cache. Prints one JSON line per block (mean µs per pass over the
//     block's repetitions) and a last line with the medians over the blocks.
//   curvature-bench hvp GRAPH --batch N [--reps R | --seconds S] [--blocks B] [--threads T]
//                   [--per-node]
//     Graph<double>: a gradient (clear dw, fprop, bprop) and then the exact Hessian-vector
//     product's R-passes (Graph::hessian_vector, Pearlmutter's R-operator, §7.5) along a fixed
//     random direction, each timed; a full HVP costs gradient + R-passes. --per-node adds each
//     node's time in each of the four passes.
//   curvature-bench step GRAPH --batch N [--reps R | --seconds S] [--blocks B] [--threads T]
//     Not curvature: one step of plain SGD as the trainer does it (load the batch, fprop and E,
//     clear dw if needed, bprop, ParameterStore::descend), phase by phase, to see where an online
//     step's time goes (bench/RESULTS.md).
//   curvature-bench fullbatch GRAPH --examples N [--batch B] [--blocks K] [--threads T]
//     Not curvature: the full-batch gradient that ebprop-run's batch optimizers evaluate,
//     GraphObjective<float>::gradient(Batch::all()) over N random examples (fed in chunks of B,
//     default 256, GraphObjectiveOptions::chunk), against one epoch of the same N examples in
//     mini-batches of B through the SGD step of `step` (load, fprop, clear, bprop, descend). The
//     order of the two alternates from block to block; one JSON line per block (seconds of each)
//     and a last line with the medians and the ratio full-batch / mini-batches.
//
// The graph is built as ebprop-run builds it (parse_graph_file, load_plugins, Graph<T>); the
// input node with source=inputs gets uniform values in [-1, 1], the one with source=targets a
// ±1 one-of-n code (any other input node: uniform values). The weights are Eq. 16's, drawn with
// the seed 1. dw and ddw accumulate over the repetitions (the passes ADD into them; clearing is
// an optimizer's job and is not part of a pass), except in `hvp`, whose gradient clears dw
// first as every gradient evaluation must.
//
// Build: cmake -S bench -B bench/build && cmake --build bench/build (bench/CMakeLists.txt).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "ebprop/data/feeder.h"
#include "ebprop/graph.h"
#include "ebprop/graph_objective.h"
#include "ebprop/graph_parser.h"
#include "ebprop/plugin_loader.h"
#include "ebprop/registry.h"

namespace {

using Clock = std::chrono::steady_clock;

double micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Options {
  std::string mode, graph;
  int batch = 1, reps = 0, blocks = 3, threads = 1, examples = 60000;
  double seconds = 1.0;  // per block, when reps is 0
  bool per_node = false;
};

[[noreturn]] void usage() {
  std::cerr << "usage: curvature-bench passes|hvp|step GRAPH --batch N [--reps R | --seconds S] "
               "[--blocks B] [--threads T] [--per-node]\n"
               "       curvature-bench fullbatch GRAPH --examples N [--batch B] [--blocks K] "
               "[--threads T]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  if (argc < 3) usage();
  Options o;
  o.mode = argv[1];
  o.graph = argv[2];
  if (o.mode != "passes" && o.mode != "hvp" && o.mode != "step" && o.mode != "fullbatch") usage();
  if (o.mode == "fullbatch") o.batch = 256;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> int {
      if (i + 1 >= argc) usage();
      return std::atoi(argv[++i]);
    };
    if (a == "--batch")
      o.batch = value();
    else if (a == "--reps")
      o.reps = value();
    else if (a == "--examples")
      o.examples = value();
    else if (a == "--blocks")
      o.blocks = value();
    else if (a == "--threads")
      o.threads = value();
    else if (a == "--seconds") {
      if (i + 1 >= argc) usage();
      o.seconds = std::atof(argv[++i]);
    } else if (a == "--per-node")
      o.per_node = true;
    else
      usage();
  }
  if (o.batch < 1 || o.blocks < 1 || o.threads < 1 || o.examples < 1) usage();
  return o;
}

// `count` random examples shaped for the graph's input nodes: inputs uniform in [−1, 1], one-of-N
// targets at ±1.
template <typename T>
ebprop::data::Dataset random_examples(const ebprop::Graph<T>& graph, int count,
                                      std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  ebprop::data::Dataset data;
  data.name = "random examples";
  for (int index : graph.input_nodes()) {
    const auto& node = graph.nodes()[index];
    const int rows = node.state.size();
    auto& m = node.source == "targets" ? data.targets : data.inputs;
    m.resize(rows, count);
    if (node.source == "targets") {
      m.setConstant(-1.0f);
      for (int e = 0; e < count; ++e) m(static_cast<int>(rng() % rows), e) = 1.0f;
    } else {
      for (float& v : m.reshaped()) v = static_cast<float>(uniform(rng));
    }
  }
  return data;
}

template <typename T>
std::unique_ptr<ebprop::Graph<T>> build(const Options& o, ebprop::Registry& registry) {
  const ebprop::GraphSpec spec = ebprop::parse_graph_file(o.graph);
  ebprop::Rng rng(1);
  auto graph = std::make_unique<ebprop::Graph<T>>(spec, registry, rng);
  std::mt19937_64 data_rng(2);
  const ebprop::data::Dataset data = random_examples(*graph, o.batch, data_rng);
  ebprop::data::Feeder<T>(*graph, data).load(data, 0, o.batch);
  return graph;
}

// Repetitions per block when --reps is not given: as many as fill about --seconds (default 1 s),
// from the time of the warm-up repetitions.
int calibrated_reps(const Options& o, double warmup_us_per_rep) {
  const double reps = o.seconds * 1e6 / std::max(warmup_us_per_rep, 1e-3);
  return static_cast<int>(std::clamp(reps, 10.0, 100000.0));
}

// --- passes: fprop, bprop, bbprop in float ---------------------------------------------------

// The engine's bprop and bbprop loops with a timer per node (the same calls as Graph::bprop and
// Graph::bbprop, graph.cpp), for --per-node.
struct NodeTimes {
  std::vector<double> f, b, bb;
  double b_clear = 0, bb_clear = 0;
};

template <typename T>
ebprop::Inputs<T> inputs_of(ebprop::Graph<T>& g, int i) {
  ebprop::Inputs<T> in;
  for (int j : g.nodes()[i].inputs) in.push_back(&g.node(j).state);
  return in;
}

template <typename T>
void per_node(ebprop::Graph<T>& g, int reps) {
  const int n = static_cast<int>(g.nodes().size());
  std::vector<ebprop::Inputs<T>> in(n);
  for (int i = 0; i < n; ++i) in[i] = inputs_of(g, i);
  NodeTimes t;
  t.f.assign(n, 0);
  t.b.assign(n, 0);
  t.bb.assign(n, 0);
  for (int r = 0; r < reps; ++r) {
    for (int i = 0; i < n; ++i) {
      auto& node = g.node(i);
      if (node.is_input) continue;
      const auto a = Clock::now();
      node.module->fprop(in[i], node.state);
      t.f[i] += micros(a, Clock::now());
    }
    auto a = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto& s = g.node(i).state;
      s.dx.setZero(s.x.rows(), s.x.cols());
      if (g.nodes()[i].is_loss) s.dx.setConstant(T(1) / static_cast<T>(s.batch()));
    }
    g.parameters().note_gradients_written();
    t.b_clear += micros(a, Clock::now());
    for (int i = n; i-- > 0;) {
      auto& node = g.node(i);
      if (node.is_input) continue;
      a = Clock::now();
      node.module->bprop(in[i], node.state);
      t.b[i] += micros(a, Clock::now());
    }
    a = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto& s = g.node(i).state;
      s.ddx.setZero(s.x.rows(), s.x.cols());
      if (g.nodes()[i].is_loss) s.dx.setConstant(T(1) / static_cast<T>(s.batch()));
    }
    t.bb_clear += micros(a, Clock::now());
    for (int i = n; i-- > 0;) {
      auto& node = g.node(i);
      if (node.is_input) continue;
      a = Clock::now();
      node.module->bbprop(in[i], node.state);
      t.bb[i] += micros(a, Clock::now());
    }
  }
  std::printf("{\"per_node\": [");
  bool first = true;
  for (int i = 0; i < n; ++i) {
    const auto& node = g.nodes()[i];
    if (node.is_input) continue;
    std::printf(
        "%s\n  {\"node\": \"%s\", \"type\": \"%s\", \"fprop_us\": %.3f, \"bprop_us\": %.3f, "
        "\"bbprop_us\": %.3f}",
        first ? "" : ",", node.name.c_str(), node.type.c_str(), t.f[i] / reps, t.b[i] / reps,
        t.bb[i] / reps);
    first = false;
  }
  std::printf(
      ",\n  {\"node\": \"(clearing dx / ddx)\", \"type\": \"engine\", \"fprop_us\": 0, "
      "\"bprop_us\": %.3f, \"bbprop_us\": %.3f}\n]}\n",
      t.b_clear / reps, t.bb_clear / reps);
}

int run_passes(const Options& o, ebprop::Registry& registry) {
  auto graph = build<float>(o, registry);
  auto& g = *graph;
  // Warm up (sizes every buffer and touches every page) for about a tenth of a block.
  int warmup = 0;
  const auto w0 = Clock::now();
  do {
    g.fprop();
    g.bprop();
    g.bbprop();
    ++warmup;
  } while (warmup < 3 || micros(w0, Clock::now()) < 1e5 * o.seconds);
  const int reps = o.reps > 0 ? o.reps : calibrated_reps(o, micros(w0, Clock::now()) / warmup);
  std::vector<double> fs, bs, bbs, ratios;
  for (int block = 0; block < o.blocks; ++block) {
    double f = 0, b = 0, bb = 0;
    for (int r = 0; r < reps; ++r) {
      auto t0 = Clock::now();
      g.fprop();
      auto t1 = Clock::now();
      f += micros(t0, t1);
      if (r % 2 == 0) {
        g.bprop();
        auto t2 = Clock::now();
        g.bbprop();
        auto t3 = Clock::now();
        b += micros(t1, t2);
        bb += micros(t2, t3);
      } else {
        g.bbprop();
        auto t2 = Clock::now();
        g.bprop();
        auto t3 = Clock::now();
        bb += micros(t1, t2);
        b += micros(t2, t3);
      }
    }
    f /= reps;
    b /= reps;
    bb /= reps;
    fs.push_back(f);
    bs.push_back(b);
    bbs.push_back(bb);
    ratios.push_back(bb / b);
    std::printf(
        "{\"block\": %d, \"reps\": %d, \"fprop_us\": %.3f, \"bprop_us\": %.3f, "
        "\"bbprop_us\": %.3f, \"bbprop_over_bprop\": %.4f}\n",
        block + 1, reps, f, b, bb, bb / b);
  }
  std::printf(
      "{\"mode\": \"passes\", \"graph\": \"%s\", \"batch\": %d, \"threads\": %d, "
      "\"precision\": \"float\", \"weights\": %lld, \"reps\": %d, \"blocks\": %d, "
      "\"fprop_us\": %.3f, \"bprop_us\": %.3f, \"bbprop_us\": %.3f, "
      "\"bbprop_over_bprop\": %.4f}\n",
      o.graph.c_str(), o.batch, o.threads, static_cast<long long>(g.parameters().size()), reps,
      o.blocks, median(fs), median(bs), median(bbs), median(ratios));
  if (o.per_node) per_node(g, reps);
  return 0;
}

// --- hvp: gradient and exact Hessian-vector product in double ----------------------------------

// The gradient's and the Hessian-vector product's passes node by node (the calls of Graph::fprop,
// Graph::bprop and Graph::hessian_vector, graph.cpp), for --per-node.
template <typename T>
void hvp_per_node(ebprop::Graph<T>& g, int reps) {
  const int n = static_cast<int>(g.nodes().size());
  std::vector<ebprop::Inputs<T>> in(n);
  for (int i = 0; i < n; ++i) in[i] = inputs_of(g, i);
  std::vector<double> f(n, 0), b(n, 0), rf(n, 0), rb(n, 0);
  double engine = 0;  // clearing dw, dx, rx, rdx, rdw
  for (int r = 0; r < reps; ++r) {
    auto a = Clock::now();
    g.parameters().clear_gradients();
    engine += micros(a, Clock::now());
    for (int i = 0; i < n; ++i) {
      auto& node = g.node(i);
      if (node.is_input) continue;
      a = Clock::now();
      node.module->fprop(in[i], node.state);
      f[i] += micros(a, Clock::now());
    }
    a = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto& s = g.node(i).state;
      s.dx.setZero(s.x.rows(), s.x.cols());
      if (g.nodes()[i].is_loss) s.dx.setConstant(T(1) / static_cast<T>(s.batch()));
    }
    g.parameters().note_gradients_written();
    engine += micros(a, Clock::now());
    for (int i = n; i-- > 0;) {
      auto& node = g.node(i);
      if (node.is_input) continue;
      a = Clock::now();
      node.module->bprop(in[i], node.state);
      b[i] += micros(a, Clock::now());
    }
    a = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto& s = g.node(i).state;
      if (g.nodes()[i].is_input) s.rx.setZero(s.x.rows(), s.x.cols());
    }
    engine += micros(a, Clock::now());
    for (int i = 0; i < n; ++i) {
      auto& node = g.node(i);
      if (node.is_input) continue;
      a = Clock::now();
      node.module->r_fprop(in[i], node.state);
      rf[i] += micros(a, Clock::now());
    }
    a = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto& s = g.node(i).state;
      s.rdx.setZero(s.x.rows(), s.x.cols());
    }
    g.parameters().rdw().setZero();
    engine += micros(a, Clock::now());
    for (int i = n; i-- > 0;) {
      auto& node = g.node(i);
      if (node.is_input) continue;
      a = Clock::now();
      node.module->r_bprop(in[i], node.state);
      rb[i] += micros(a, Clock::now());
    }
  }
  std::printf("{\"per_node\": [");
  bool first = true;
  for (int i = 0; i < n; ++i) {
    const auto& node = g.nodes()[i];
    if (node.is_input) continue;
    std::printf(
        "%s\n  {\"node\": \"%s\", \"type\": \"%s\", \"fprop_us\": %.3f, "
        "\"bprop_us\": %.3f, \"r_fprop_us\": %.3f, \"r_bprop_us\": %.3f}",
        first ? "" : ",", node.name.c_str(), node.type.c_str(), f[i] / reps, b[i] / reps,
        rf[i] / reps, rb[i] / reps);
    first = false;
  }
  std::printf(
      ",\n  {\"node\": \"(clearing dw, dx, rx, rdx, rdw)\", \"type\": \"engine\", "
      "\"all_us\": %.3f}\n]}\n",
      engine / reps);
}

int run_hvp(const Options& o, ebprop::Registry& registry) {
  auto graph = build<double>(o, registry);
  auto& g = *graph;
  auto& p = g.parameters();
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  for (Eigen::Index k = 0; k < p.rw().size(); ++k) p.rw()[k] = normal(rng);
  int warmup = 0;
  const auto w0 = Clock::now();
  do {
    p.clear_gradients();
    g.fprop();
    g.bprop();
    g.hessian_vector();
    ++warmup;
  } while (warmup < 3 || micros(w0, Clock::now()) < 1e5 * o.seconds);
  const int reps = o.reps > 0 ? o.reps : calibrated_reps(o, micros(w0, Clock::now()) / warmup);
  std::vector<double> grads, rs, ratios;
  double checksum = 0;
  for (int block = 0; block < o.blocks; ++block) {
    double grad = 0, rpass = 0;
    for (int r = 0; r < reps; ++r) {
      auto t0 = Clock::now();
      p.clear_gradients();
      g.fprop();
      g.bprop();
      auto t1 = Clock::now();
      g.hessian_vector();
      auto t2 = Clock::now();
      grad += micros(t0, t1);
      rpass += micros(t1, t2);
    }
    checksum += p.rdw().sum() + p.dw().sum();
    grad /= reps;
    rpass /= reps;
    grads.push_back(grad);
    rs.push_back(rpass);
    ratios.push_back((grad + rpass) / grad);
    std::printf(
        "{\"block\": %d, \"reps\": %d, \"gradient_us\": %.3f, \"r_passes_us\": %.3f, "
        "\"hvp_over_gradient\": %.4f}\n",
        block + 1, reps, grad, rpass, (grad + rpass) / grad);
  }
  std::printf(
      "{\"mode\": \"hvp\", \"graph\": \"%s\", \"batch\": %d, \"threads\": %d, "
      "\"precision\": \"double\", \"weights\": %lld, \"reps\": %d, \"blocks\": %d, "
      "\"gradient_us\": %.3f, \"r_passes_us\": %.3f, \"hvp_us\": %.3f, "
      "\"r_passes_over_gradient\": %.4f, \"hvp_over_gradient\": %.4f, \"checksum\": %.6g}\n",
      o.graph.c_str(), o.batch, o.threads, static_cast<long long>(p.size()), reps, o.blocks,
      median(grads), median(rs), median(grads) + median(rs), median(rs) / median(grads),
      median(ratios), checksum);
  if (o.per_node) hvp_per_node(g, reps);
  return 0;
}

// --- step: one training step of plain SGD, phase by phase, in float ------------------------------

// What Trainer and Sgd do per step (trainer.cpp, plugins/sgd): load the batch into the input
// nodes (data::Feeder), fprop, E, clear dw if needed, bprop, descend (w -= eta dw and dw = 0 in one
// pass), each phase timed on its own; the batches cycle through a pool of 1,024 random examples.
int run_step(const Options& o, ebprop::Registry& registry) {
  auto graph = build<float>(o, registry);
  auto& g = *graph;
  auto& p = g.parameters();
  const int pool = 1024;
  std::mt19937_64 rng(4);
  const ebprop::data::Dataset data = random_examples(g, pool, rng);
  ebprop::data::Feeder<float> feeder(g, data);
  std::vector<int> batch(o.batch);
  const float eta = 1e-4f;
  int next = 0;
  double sink = 0;
  auto step = [&](double* t) {
    auto t0 = Clock::now();
    for (int e = 0; e < o.batch; ++e) batch[e] = (next + e) % pool;
    feeder.load(data, batch);
    next = (next + o.batch) % pool;
    auto t1 = Clock::now();
    g.fprop();
    sink += g.loss();
    auto t2 = Clock::now();
    p.clear_gradients_if_needed();
    auto t3 = Clock::now();
    g.bprop();
    auto t4 = Clock::now();
    p.descend(eta);
    auto t5 = Clock::now();
    if (t) {
      t[0] += micros(t0, t1);
      t[1] += micros(t1, t2);
      t[2] += micros(t2, t3);
      t[3] += micros(t3, t4);
      t[4] += micros(t4, t5);
    }
  };
  int warmup = 0;
  const auto w0 = Clock::now();
  do {
    step(nullptr);
    ++warmup;
  } while (warmup < 3 || micros(w0, Clock::now()) < 1e5 * o.seconds);
  const int reps = o.reps > 0 ? o.reps : calibrated_reps(o, micros(w0, Clock::now()) / warmup);
  const char* names[] = {"load_us", "fprop_loss_us", "clear_us", "bprop_us", "descend_us"};
  std::vector<std::vector<double>> phases(5);
  std::vector<double> totals;
  for (int block = 0; block < o.blocks; ++block) {
    double t[5] = {0, 0, 0, 0, 0};
    for (int r = 0; r < reps; ++r) step(t);
    double total = 0;
    std::printf("{\"block\": %d, \"reps\": %d", block + 1, reps);
    for (int k = 0; k < 5; ++k) {
      t[k] /= reps;
      total += t[k];
      phases[k].push_back(t[k]);
      std::printf(", \"%s\": %.3f", names[k], t[k]);
    }
    totals.push_back(total);
    std::printf(", \"step_us\": %.3f}\n", total);
  }
  std::printf(
      "{\"mode\": \"step\", \"graph\": \"%s\", \"batch\": %d, \"threads\": %d, "
      "\"weights\": %lld, \"reps\": %d",
      o.graph.c_str(), o.batch, o.threads, static_cast<long long>(p.size()), reps);
  for (int k = 0; k < 5; ++k) std::printf(", \"%s\": %.3f", names[k], median(phases[k]));
  std::printf(", \"step_us\": %.3f, \"check\": %.6g}\n", median(totals), sink);
  return 0;
}

// --- fullbatch: a full-batch gradient against an epoch of mini-batch steps -----------------------

int run_fullbatch(const Options& o, ebprop::Registry& registry) {
  auto graph = build<float>(o, registry);
  auto& g = *graph;
  auto& p = g.parameters();
  std::mt19937_64 rng(4);
  const ebprop::data::Dataset data = random_examples(g, o.examples, rng);
  ebprop::Rng sampling(5);
  ebprop::GraphObjectiveOptions options;
  options.chunk = o.batch;
  ebprop::GraphObjective<float> objective(g, data, sampling, options);
  ebprop::data::Feeder<float> feeder(g, data);
  const float eta = 1e-4f;
  double sink = 0;
  auto full = [&] {
    const auto t0 = Clock::now();
    sink += objective.gradient(ebprop::Batch::all());
    return micros(t0, Clock::now()) * 1e-6;
  };
  auto epoch = [&] {
    const auto t0 = Clock::now();
    for (int first = 0; first < o.examples; first += o.batch) {
      const int count = std::min(o.batch, o.examples - first);
      feeder.load(data, first, count);
      g.fprop();
      sink += g.loss();
      p.clear_gradients_if_needed();
      g.bprop();
      p.descend(eta);
    }
    return micros(t0, Clock::now()) * 1e-6;
  };
  full();  // warm-up: sizes every buffer for both
  epoch();
  std::vector<double> fulls, epochs, ratios;
  for (int block = 0; block < o.blocks; ++block) {
    double f, e;
    if (block % 2 == 0) {
      f = full();
      e = epoch();
    } else {
      e = epoch();
      f = full();
    }
    fulls.push_back(f);
    epochs.push_back(e);
    ratios.push_back(f / e);
    std::printf(
        "{\"block\": %d, \"full_batch_s\": %.6f, \"mini_batches_s\": %.6f, "
        "\"full_over_mini\": %.4f}\n",
        block + 1, f, e, f / e);
  }
  std::printf(
      "{\"mode\": \"fullbatch\", \"graph\": \"%s\", \"examples\": %d, \"batch\": %d, "
      "\"threads\": %d, \"weights\": %lld, \"blocks\": %d, \"full_batch_s\": %.6f, "
      "\"mini_batches_s\": %.6f, \"full_over_mini\": %.4f, \"check\": %.6g}\n",
      o.graph.c_str(), o.examples, o.batch, o.threads, static_cast<long long>(p.size()), o.blocks,
      median(fulls), median(epochs), median(ratios), sink);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  omp_set_num_threads(o.threads);  // the one thread policy, as ebprop-run sets it
  try {
    ebprop::Registry registry;
    ebprop::load_plugins(registry);
    if (o.mode == "passes") return run_passes(o, registry);
    if (o.mode == "hvp") return run_hvp(o, registry);
    if (o.mode == "fullbatch") return run_fullbatch(o, registry);
    return run_step(o, registry);
  } catch (const std::exception& e) {
    std::cerr << "curvature-bench: " << e.what() << "\n";
    return 1;
  }
}
