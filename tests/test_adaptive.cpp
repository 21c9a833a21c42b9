// The adaptive-rate optimizer (§4.7, Eq. 17-19) on a quadratic with a known minimum.
#define BOOST_TEST_MODULE adaptive
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "quadratic.h"
#include "test_util.h"

using namespace ebprop;

namespace {

test::Quadratic problem() {
  Vector<double> h(2), c(2);
  h << 1.0, 0.5;
  c << 2.0, -1.0;
  return test::Quadratic(h, c);
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_step_follows_eq_17_to_19) {
  test::Quadratic q = problem();
  auto opt = test::optimizer("adaptive",
                             {{"lr", "0.1"}, {"delta", "0.5"}, {"alpha", "0.2"}, {"beta", "2"}});
  opt->attach(q.parameters());
  q.step(*opt);
  // From w = 0: g = h ⊙ (0 − c) = (−2, 0.5); w = −0.1 g; r = 0.5 g; η = 0.1 + 0.2·0.1·(2‖r‖ − 0.1).
  BOOST_TEST(std::abs(q.parameters().w()[0] - 0.2) < 1e-15);
  BOOST_TEST(std::abs(q.parameters().w()[1] + 0.05) < 1e-15);
  const double r = 0.5 * std::sqrt(4.0 + 0.25);
  BOOST_TEST(std::abs(opt->current_rate() - (0.1 + 0.02 * (2 * r - 0.1))) < 1e-15);
}

BOOST_AUTO_TEST_CASE(the_rate_shrinks_as_the_minimum_nears_and_it_converges) {
  test::Quadratic q = problem();
  auto opt = test::optimizer("adaptive",
                             {{"lr", "0.05"}, {"delta", "0.1"}, {"alpha", "0.05"}, {"beta", "1"}});
  opt->attach(q.parameters());
  double early = 0;
  for (int t = 1; t <= 3000; ++t) {
    q.step(*opt);
    if (t == 30) early = opt->current_rate();
  }
  BOOST_TEST(q.loss() < 1e-10);
  BOOST_TEST(opt->current_rate() < 0.5 * early,
             "η at t=30: " << early << ", at the end: " << opt->current_rate());
}

// beta = 0 (the default): η stays at η(0) for ⌈1/δ⌉ steps, then β = η(0)(1 − (1 − δ)^t)/‖r‖ and
// Eq. 19 runs with it, so η(0) is its fixed point for the starting gradients.
BOOST_AUTO_TEST_CASE(the_default_beta_is_calibrated_from_the_starting_gradients) {
  test::Quadratic q = problem();
  const double eta = 0.1, delta = 0.25, alpha = 0.5;  // ⌈1/δ⌉ = 4 steps
  auto opt = test::optimizer("adaptive", {{"lr", "0.1"}, {"delta", "0.25"}, {"alpha", "0.5"}});
  opt->attach(q.parameters());
  const Vector<double> h = (Vector<double>(2) << 1.0, 0.5).finished();
  const Vector<double> c = (Vector<double>(2) << 2.0, -1.0).finished();
  Vector<double> r = Vector<double>::Zero(2);
  for (int t = 1; t <= 4; ++t) {
    r = (1 - delta) * r + delta * h.cwiseProduct(q.parameters().w() - c);
    q.step(*opt);
    BOOST_TEST(opt->current_rate() == eta);  // no Eq. 19 while calibrating
  }
  const double beta = eta * (1 - std::pow(1 - delta, 4)) / r.norm();
  r = (1 - delta) * r + delta * h.cwiseProduct(q.parameters().w() - c);
  q.step(*opt);
  const double expected = eta + alpha * eta * (beta * r.norm() - eta);
  BOOST_TEST(std::abs(opt->current_rate() - expected) < 1e-15 * expected);
  BOOST_TEST(opt->current_rate() != eta);
}

BOOST_AUTO_TEST_CASE(its_state_restores_exactly) {
  test::Quadratic a = problem(), b = problem();
  auto first = test::optimizer("adaptive", {});
  first->attach(a.parameters());
  for (int t = 0; t < 10; ++t) a.step(*first);
  auto second = test::optimizer("adaptive", {});
  b.parameters().w() = a.parameters().w();
  second->attach(b.parameters());
  second->restore(first->state());  // with the calibrated β (⌈1/δ⌉ = 20 steps) and the count
  for (int t = 0; t < 15; ++t) {
    a.step(*first);
    b.step(*second);
  }
  BOOST_TEST((a.parameters().w() == b.parameters().w()));
  BOOST_TEST(first->current_rate() == second->current_rate());
  BOOST_TEST(first->current_rate() != 0.005);  // calibrated at step 20, adapting after
  OptimizerState without_beta = first->state();
  without_beta.erase("beta");
  BOOST_CHECK_EXCEPTION(second->restore(without_beta), Error, [](const Error& e) {
    return std::string(e.what()) == "adaptive: the saved state has no 'beta'";
  });
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused) {
  BOOST_CHECK_EXCEPTION(test::optimizer("adaptive", {{"delta", "1"}}), Error, [](const Error& e) {
    return std::string(e.what()).find("'delta' of optimizer adaptive must be in (0, 1), found 1") !=
           std::string::npos;
  });
}
