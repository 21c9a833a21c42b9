// The engine's speed paths against its plain ones: a batch cut into parts run by replicas on
// several threads (GraphObjectiveOptions::threads), or run on one graph whose modules split their
// passes over the threads (units_below), gives the one-thread values, derivatives, products and
// tracked counts; the SGD and SDLM steps fused into bprop (Objective::descend,
// Module::fuses_descent) give gradient() and ParameterStore::descend's weights; and the engine
// marks which values need derivatives (State::needs_gradient).
#define BOOST_TEST_MODULE parallel_parts
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "ebprop/graph_objective.h"
#include "test_util.h"

using namespace ebprop;

namespace {

// Two hidden layers, a shared block (not fusable: two users) and a rate scale on one block.
const char* net = R"(
x  = input shape=5 source=inputs
t  = input shape=3 source=targets
h  = linear(x) outputs=6 lr.weight=0.5
a  = stanh(h)
g  = linear(a) outputs=6 share.weight=tied
b  = stanh(g)
g2 = linear(b) outputs=6 share.weight=tied
c  = stanh(g2)
y  = linear(c) outputs=3
e  = mse(y, t)
)";

double relative(const Vector<double>& a, const Vector<double>& b) {
  return (a - b).lpNorm<Eigen::Infinity>() / std::max(b.lpNorm<Eigen::Infinity>(), 1e-300);
}

struct Run {
  std::unique_ptr<Graph<double>> graph;
  Rng sampling{5};
  std::unique_ptr<GraphObjective<double>> objective;
  // units_below 0: parts of a batch on replicas (data parallelism) whatever its size.
  Run(const data::Dataset& data, int threads, int chunk, const char* text = net,
      int units_below = 0) {
    graph = test::graph_from<double>(text, 3);
    GraphObjectiveOptions options;
    options.chunk = chunk;
    options.threads = threads;
    options.min_part = 4;
    options.units_below = units_below;
    objective = std::make_unique<GraphObjective<double>>(*graph, data, sampling, options);
  }
  ParameterStore<double>& p() { return graph->parameters(); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(parts_on_threads_give_the_one_thread_results) {
  const data::Dataset data = test::three_class_examples(203, 11);
  std::vector<int> some;
  for (int i = 0; i < 40; ++i) some.push_back((i * 37) % 203);
  // One part (7 examples < 2 · min_part), two and three parts of one chunk, and several chunks.
  const std::vector<Batch> batches = {Batch::of({3, 9, 1, 4, 150, 2, 8}), Batch::of(some),
                                      Batch::all()};
  for (int threads : {2, 3})
    for (int chunk : {64, 256})
      for (const Batch& batch : batches) {
        Run one(data, 1, chunk), many(data, threads, chunk);
        BOOST_TEST(relative(one.p().w(), many.p().w()) == 0.0);
        const double v1 = one.objective->value(batch), vn = many.objective->value(batch);
        BOOST_TEST(std::abs(v1 - vn) <= 1e-13 * std::abs(v1));

        one.objective->track_errors(batch);
        many.objective->track_errors(batch);
        const double c1 = one.objective->curvature(batch);
        const double cn = many.objective->curvature(batch);
        BOOST_TEST(std::abs(c1 - cn) <= 1e-13 * std::abs(c1));
        BOOST_TEST(relative(many.p().dw(), one.p().dw()) <= 1e-12);
        BOOST_TEST(relative(many.p().ddw(), one.p().ddw()) <= 1e-12);
        BOOST_TEST(many.objective->tracked_errors() == one.objective->tracked_errors());
        BOOST_TEST(many.objective->tracked_predictions() == one.objective->tracked_predictions(),
                   boost::test_tools::per_element());
        BOOST_TEST(std::abs(many.objective->tracked_losses()[0] -
                            one.objective->tracked_losses()[0]) <= 1e-13 * c1);

        Rng rng(4);
        const Vector<double> v = test::random_matrix(one.p().size(), 1, rng);
        Vector<double> h1, hn, g1, gn;
        one.objective->hessian_vector(batch, v, h1);
        many.objective->hessian_vector(batch, v, hn);
        BOOST_TEST(relative(hn, h1) <= 1e-12);
        one.objective->gauss_newton_vector(batch, v, g1);
        many.objective->gauss_newton_vector(batch, v, gn);
        BOOST_TEST(relative(gn, g1) <= 1e-12);
        // The replicas read the graph's weights: a step taken on it is seen by all of them.
        one.p().w() *= 0.5;
        many.p().w() *= 0.5;
        one.objective->gradient(batch);
        many.objective->gradient(batch);
        BOOST_TEST(relative(many.p().dw(), one.p().dw()) <= 1e-12);
      }
}

// Layers wide enough that linear splits its passes (by input units; at least 2^16 multiply-adds a
// piece), a hidden one of which sends its dx back.
const char* wide_net = R"(
x = input shape=400 source=inputs
t = input shape=3 source=targets
h = linear(x) outputs=200
a = stanh(h)
g = linear(a) outputs=200
b = stanh(g)
y = linear(b) outputs=3
e = mse(y, t)
)";

data::Dataset wide_examples(int count, std::uint64_t seed) {
  data::Dataset d = test::three_class_examples(count, seed);
  Rng rng(seed + 1);
  d.input_shape = {400};
  d.inputs.resize(400, count);
  for (float& v : d.inputs.reshaped()) v = static_cast<float>(2 * uniform01(rng) - 1);
  return d;
}

// Model parallelism: a perceptron's small batches run on the graph alone, lent the threads, and
// give the one-thread results up to the order of the split sums (1e-12 in double): values,
// derivatives, curvature, tracked errors, and the fused SGD and SDLM steps at batch 1 and 8.
BOOST_AUTO_TEST_CASE(passes_split_by_units_give_the_one_thread_results) {
  const data::Dataset data = wide_examples(40, 29);
  for (int threads : {2, 3}) {
    Run one(data, 1, 256, wide_net, 64), many(data, threads, 256, wide_net, 64);
    BOOST_TEST(!one.objective->by_units(8));
    BOOST_TEST(many.objective->by_units(8));
    BOOST_TEST(many.objective->by_units(64 * threads - 1));
    BOOST_TEST(!many.objective->by_units(64 * threads));
    const Batch batch = Batch::of({3, 9, 1, 4, 15, 2, 8, 30});
    one.objective->track_errors(batch);
    many.objective->track_errors(batch);
    const double c1 = one.objective->curvature(batch), cn = many.objective->curvature(batch);
    BOOST_TEST(std::abs(c1 - cn) <= 1e-13 * std::abs(c1));
    BOOST_TEST(relative(many.p().dw(), one.p().dw()) <= 1e-12);
    BOOST_TEST(relative(many.p().ddw(), one.p().ddw()) <= 1e-12);
    BOOST_TEST(many.objective->tracked_errors() == one.objective->tracked_errors());
    Rng rng(31);
    const Vector<double> factors = test::random_matrix(one.p().size(), 1, rng).array().abs() + 0.1;
    for (const Batch& steps : {Batch::of({7}), batch})
      for (int step = 0; step < 3; ++step) {
        const double e1 = one.objective->descend(steps, 0.01);
        const double en = many.objective->descend(steps, 0.01);
        BOOST_TEST(std::abs(e1 - en) <= 1e-13 * std::abs(e1));
        one.objective->descend(steps, 0.01, &factors);
        many.objective->descend(steps, 0.01, &factors);
        BOOST_TEST(relative(many.p().w(), one.p().w()) <= 1e-12);
      }
  }
  // A graph with a module that does not split (conv2d) keeps to replicas.
  Run conv(data, 2, 256,
           R"(
x = input shape=400 source=inputs
t = input shape=3 source=targets
r = reshape(x) shape=1x20x20
c = conv2d(r) maps=2 kernel=5
f = linear(c) outputs=3
e = mse(f, t)
)",
           64);
  BOOST_TEST(!conv.objective->by_units(8));
}

BOOST_AUTO_TEST_CASE(the_fused_sgd_step_is_gradient_descent) {
  const data::Dataset data = test::three_class_examples(50, 13);
  for (const Batch& batch : {Batch::of({7}), Batch::of({1, 2, 3, 4, 5, 6, 7, 8, 9, 10})}) {
    Run fused(data, 1, 256), plain(data, 1, 256);
    for (int step = 0; step < 5; ++step) {
      const double e1 = fused.objective->descend(batch, 0.05);
      const double e2 = plain.objective->gradient(batch);
      plain.p().descend(0.05);
      BOOST_TEST(std::abs(e1 - e2) <= 1e-13 * std::abs(e2));
      BOOST_TEST(relative(fused.p().w(), plain.p().w()) <= 1e-13);
      BOOST_TEST(fused.p().dw().isZero(0.0));  // left as descend() leaves it
    }
    BOOST_TEST(fused.objective->counts().gradients == 5);
  }
  // Only blocks with one user and one rate scale are fused: the shared one is descended by the
  // store. Which blocks the linear modules fused shows in the weights being right above.
  Run run(data, 1, 256);
  BOOST_TEST(run.p().any_fusable());
}

// SDLM's step (§9.1) fused: per-weight factors, every block with one user fused whatever its rate
// scale, on one thread and on the replicas' path (descend_range with factors).
BOOST_AUTO_TEST_CASE(the_fused_sdlm_step_is_descent_with_the_factors) {
  const data::Dataset data = test::three_class_examples(50, 17);
  for (int threads : {1, 2})
    for (const Batch& batch : {Batch::of({7}), Batch::of({1, 2, 3, 4, 5, 6, 7, 8, 9, 10})}) {
      Run fused(data, threads, 256), plain(data, 1, 256);
      Rng rng(23);
      const Vector<double> factors =
          test::random_matrix(plain.p().size(), 1, rng).array().abs() + 0.1;
      for (int step = 0; step < 5; ++step) {
        const double e1 = fused.objective->descend(batch, 0.05, &factors);
        const double e2 = plain.objective->gradient(batch);
        plain.p().descend(0.05, factors);
        BOOST_TEST(std::abs(e1 - e2) <= 1e-13 * std::abs(e2));
        BOOST_TEST(relative(fused.p().w(), plain.p().w()) <= 1e-13);
        BOOST_TEST(fused.p().dw().isZero(0.0));
      }
    }
}

BOOST_AUTO_TEST_CASE(values_computed_from_data_alone_need_no_derivatives) {
  auto graph = test::graph_from<double>(R"(
x = input shape=1x3x3 source=inputs
t = input shape=2 source=targets
p = pad(x) size=1
q = stanh(p)
h = linear(q) outputs=2
e = mse(h, t)
)",
                                        3);
  for (const char* name : {"x", "t", "p", "q"})
    BOOST_TEST(!graph->node(name).state.needs_gradient, name);
  for (const char* name : {"h", "e"}) BOOST_TEST(graph->node(name).state.needs_gradient, name);
}

BOOST_AUTO_TEST_CASE(options_out_of_range_are_refused_with_their_names) {
  const data::Dataset data = test::three_class_examples(10, 3);
  auto graph = test::graph_from<double>(net, 3);
  Rng sampling(1);
  const auto refused = [&](GraphObjectiveOptions options, const std::string& message) {
    try {
      GraphObjective<double> objective(*graph, data, sampling, options);
      BOOST_ERROR("accepted options that should be refused: " << message);
    } catch (const Error& e) {
      BOOST_TEST(std::string(e.what()) == message);
    }
  };
  GraphObjectiveOptions options;
  options.min_part = 0;
  refused(options, "threads, min_part and block must be at least 1");
  options.min_part = 16;
  options.units_below = -1;
  refused(options, "units_below must not be negative");
}
