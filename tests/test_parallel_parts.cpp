// The engine's speed paths against its plain ones: a batch cut into parts run by replicas on
// several threads (GraphObjectiveOptions::threads) gives the one-thread values, derivatives,
// products and tracked counts; the SGD and SDLM steps fused into bprop (Objective::descend,
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
  Run(const data::Dataset& data, int threads, int chunk) {
    graph = test::graph_from<double>(net, 3);
    GraphObjectiveOptions options;
    options.chunk = chunk;
    options.threads = threads;
    options.min_part = 4;
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
