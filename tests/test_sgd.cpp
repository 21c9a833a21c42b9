// The sgd optimizer on problems with known minima, through the same Objective the trainer offers.
#define BOOST_TEST_MODULE sgd
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "quadratic.h"
#include "test_util.h"

using namespace ebprop;

namespace {

OptimizerPtr<double> sgd(const test::SettingMap& items) { return test::optimizer("sgd", items); }

test::Quadratic problem() {
  Vector<double> h(3), c(3);
  h << 1.0, 4.0, 0.25;
  c << 1.0, -2.0, 3.0;
  return test::Quadratic(h, c);
}

}  // namespace

BOOST_AUTO_TEST_CASE(converges_to_the_minimum) {
  test::Quadratic q = problem();
  auto opt = sgd({{"lr", "0.3"}});
  opt->attach(q.parameters());
  for (int i = 0; i < 200; ++i) q.step(*opt);
  BOOST_TEST(q.loss() < 1e-12);
  BOOST_TEST(std::abs(q.parameters().w()[1] + 2.0) < 1e-6);
}

BOOST_AUTO_TEST_CASE(one_step_is_minus_rate_times_gradient) {
  test::Quadratic q = problem();
  auto opt = sgd({{"lr", "0.1"}});
  opt->attach(q.parameters());
  q.step(*opt);
  // w0 = 0: gradient = h ⊙ (0 − c) = (−1, 8, −0.75); w1 = −0.1 · gradient.
  BOOST_TEST(std::abs(q.parameters().w()[0] - 0.1) < 1e-15);
  BOOST_TEST(std::abs(q.parameters().w()[1] + 0.8) < 1e-15);
  BOOST_TEST(std::abs(q.parameters().w()[2] - 0.075) < 1e-15);
}

BOOST_AUTO_TEST_CASE(rates_above_two_over_lambda_max_diverge) {
  // §5.1: on a quadratic, η > 2/λmax diverges (λmax = 4 here).
  test::Quadratic q = problem();
  auto opt = sgd({{"lr", "0.55"}});
  opt->attach(q.parameters());
  for (int i = 0; i < 100; ++i) q.step(*opt);
  BOOST_TEST(q.loss() > 1e6);
}

BOOST_AUTO_TEST_CASE(per_parameter_multipliers_scale_each_rate) {
  test::Quadratic q = problem();
  q.parameters().set_lr_scale(1, 1, 0.5);
  auto opt = sgd({{"lr", "0.1"}});
  opt->attach(q.parameters());
  q.step(*opt);
  BOOST_TEST(std::abs(q.parameters().w()[1] + 0.4) < 1e-15);
  BOOST_TEST(std::abs(q.parameters().w()[0] - 0.1) < 1e-15);
}

BOOST_AUTO_TEST_CASE(momentum_follows_section_4_7) {
  test::Quadratic q = problem();
  auto opt = sgd({{"lr", "0.1"}, {"momentum", "0.9"}});
  opt->attach(q.parameters());
  q.step(*opt);  // Δ1 = −η g0
  const double w1 = q.parameters().w()[0];
  q.step(*opt);  // Δ2 = −η g1 + μ Δ1
  const double g1 = 1.0 * (w1 - 1.0);
  BOOST_TEST(std::abs(q.parameters().w()[0] - (w1 - 0.1 * g1 + 0.9 * w1)) < 1e-15);
  for (int i = 0; i < 500; ++i) q.step(*opt);
  BOOST_TEST(q.loss() < 1e-12);
  BOOST_TEST(opt->state().at("velocity/q.w").size() == 3);
}

BOOST_AUTO_TEST_CASE(annealing_follows_eq_12) {
  test::Quadratic q = problem();
  auto opt = sgd({{"lr", "0.1"}, {"anneal", "2"}});
  opt->attach(q.parameters());
  for (int t = 1; t <= 40; ++t) {
    q.step(*opt);
    BOOST_TEST(opt->current_rate() == std::min(0.1, 2.0 / t));
  }
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused) {
  BOOST_CHECK_EXCEPTION(sgd({{"lr", "-1"}}), Error, [](const Error& e) {
    return std::string(e.what()).find("'lr' of optimizer sgd must be > 0, found -1") !=
           std::string::npos;
  });
  BOOST_CHECK_EXCEPTION(sgd({{"momentum", "1"}}), Error, [](const Error& e) {
    return std::string(e.what()).find("'momentum' of optimizer sgd must be in [0, 1), found 1") !=
           std::string::npos;
  });
}
