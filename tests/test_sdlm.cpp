// The stochastic diagonal Levenberg-Marquardt optimizer (§9.1) on problems with known minima.
#define BOOST_TEST_MODULE sdlm
#include <ebprop/trainer.h>

#include <boost/test/unit_test.hpp>
#include <cmath>

#include "quadratic.h"
#include "test_util.h"

using namespace ebprop;

namespace {

test::Quadratic problem() {
  Vector<double> h(3), c(3);
  h << 1.0, 40.0, 0.025;  // condition number 1600: plain SGD needs thousands of steps
  c << 1.0, -2.0, 3.0;
  return test::Quadratic(h, c);
}

}  // namespace

BOOST_AUTO_TEST_CASE(with_mu_0_and_rate_1_one_step_reaches_the_minimum) {
  // Eq. 61 with the exact diagonal is Newton's method on a separable quadratic.
  for (const char* estimate : {"sampled", "running"}) {
    test::Quadratic q = problem();
    auto opt =
        test::optimizer("sdlm", {{"lr", "1"}, {"mu", "0"}, {"estimate", estimate}, {"gamma", "1"}});
    opt->attach(q.parameters());
    opt->begin_epoch(1, q);
    q.step(*opt);
    BOOST_TEST(q.loss() < 1e-24, estimate);
    BOOST_TEST(std::abs(q.parameters().w()[2] - 3.0) < 1e-12, estimate);
  }
}

BOOST_AUTO_TEST_CASE(mu_bounds_the_step_as_eq_61_says) {
  test::Quadratic q = problem();
  auto opt = test::optimizer("sdlm", {{"lr", "1"}, {"mu", "0.025"}});
  opt->attach(q.parameters());
  opt->begin_epoch(1, q);
  q.step(*opt);
  // From w = 0, the step along axis k is c_k · h_k / (h_k + μ).
  BOOST_TEST(std::abs(q.parameters().w()[0] - 1.0 * 1.0 / 1.025) < 1e-14);
  BOOST_TEST(std::abs(q.parameters().w()[2] - 3.0 * 0.025 / 0.05) < 1e-14);
}

BOOST_AUTO_TEST_CASE(a_per_epoch_schedule_sets_the_global_rate) {
  test::Quadratic q = problem();
  auto opt = test::optimizer("sdlm", {{"schedule", "0.5,0.25"}});
  opt->attach(q.parameters());
  opt->begin_epoch(1, q);
  BOOST_TEST(opt->current_rate() == 0.5);
  opt->begin_epoch(2, q);
  BOOST_TEST(opt->current_rate() == 0.25);
  opt->begin_epoch(7, q);
  BOOST_TEST(opt->current_rate() == 0.25);
}

BOOST_AUTO_TEST_CASE(annealing_lowers_the_global_rate_as_eq_12) {
  test::Quadratic q = problem();
  auto opt = test::optimizer("sdlm", {{"lr", "0.5"}, {"anneal", "2"}});
  opt->attach(q.parameters());
  opt->begin_epoch(1, q);
  for (int t = 1; t <= 10; ++t) {
    q.step(*opt);
    BOOST_TEST(opt->current_rate() == std::min(0.5, 2.0 / t));
  }
}

BOOST_AUTO_TEST_CASE(it_converges_where_the_condition_number_stalls_sgd) {
  test::Quadratic a = problem(), b = problem();
  auto sdlm = test::optimizer("sdlm", {{"lr", "0.5"}, {"mu", "0.001"}});
  auto sgd = test::optimizer("sgd", {{"lr", "0.04"}});  // just under 2/λmax = 0.05
  sdlm->attach(a.parameters());
  sgd->attach(b.parameters());
  sdlm->begin_epoch(1, a);
  for (int i = 0; i < 100; ++i) {
    a.step(*sdlm);
    b.step(*sgd);
  }
  BOOST_TEST(a.loss() < 1e-20);
  BOOST_TEST(b.loss() > 1e-3);  // the flat axis (h = 0.025) has barely moved
}

BOOST_AUTO_TEST_CASE(its_state_is_exposed_for_snapshots) {
  test::Quadratic q = problem();
  auto opt = test::optimizer("sdlm", {});
  opt->attach(q.parameters());
  opt->begin_epoch(1, q);
  const auto state = opt->state();
  BOOST_TEST(state.at("curvature/q.w")[1] == 40.0);
  auto other = test::optimizer("sdlm", {});
  other->attach(q.parameters());
  other->restore(state);
  BOOST_TEST(other->state().at("curvature/q.w")[1] == 40.0);
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused) {
  BOOST_CHECK_EXCEPTION(
      test::optimizer("sdlm", {{"estimate", "exact"}}), Error, [](const Error& e) {
        return std::string(e.what()).find("must be one of sampled, running, found 'exact'") !=
               std::string::npos;
      });
  BOOST_CHECK_EXCEPTION(
      test::optimizer("sdlm", {{"schedule", "0.1,-1"}}), Error, [](const Error& e) {
        return std::string(e.what()).find("each value must be > 0, found -1") != std::string::npos;
      });
}

BOOST_AUTO_TEST_CASE(it_trains_a_graph_with_shared_weights_and_two_losses) {
  // Through the real trainer: curvature from bbprop over a branched graph.
  auto graph = test::graph_from<float>(R"(
x  = input shape=4 source=inputs
t  = input shape=2 source=targets
h1 = linear(x) outputs=4
a1 = stanh(h1)
h2 = linear(a1) outputs=4 share.weight=h1.weight
a2 = stanh(h2)
y  = linear(a2) outputs=2
l1 = mse(y, t)
z  = linear(a1) outputs=2
l2 = mse(z, t)
)");
  data::Dataset set;
  set.name = "generated";
  Rng rng(11);
  set.inputs = Matrix<float>(4, 200);
  set.targets = Matrix<float>(2, 200);
  for (int e = 0; e < 200; ++e) {
    for (int i = 0; i < 4; ++i) set.inputs(i, e) = static_cast<float>(2 * uniform01(rng) - 1);
    set.targets(0, e) = set.inputs(0, e) * set.inputs(1, e) > 0 ? 1.f : -1.f;
    set.targets(1, e) = set.inputs(2, e) > set.inputs(3, e) ? 1.f : -1.f;
  }
  // Several seeds (shuffles and curvature samples): the result must not hang on one draw.
  for (std::uint64_t seed : {1, 2, 3}) {
    const std::vector<float> initial = {graph->parameters().w().begin(),
                                        graph->parameters().w().end()};
    auto opt = test::optimizer<float>("sdlm", {{"lr", "0.01"}, {"samples", "100"}});
    TrainerConfig config;
    config.predict = "y";
    config.seed = seed;
    Trainer<float> trainer(*graph, *opt, set, config);
    const double before = trainer.evaluate(set).loss;
    for (int epoch = 1; epoch <= 20; ++epoch) trainer.run_epoch(epoch, nullptr);
    const double after = trainer.evaluate(set).loss;
    BOOST_TEST(after < 0.3 * before, "seed " << seed << ": loss " << before << " -> " << after);
    std::copy(initial.begin(), initial.end(), graph->parameters().w().begin());
  }
}
