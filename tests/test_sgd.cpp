// The sgd optimizer on problems with known minima, through the same Objective the trainer offers.
#define BOOST_TEST_MODULE sgd
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "test_util.h"

using namespace ebprop;

namespace {

// E(w) = ½ Σ_k h_k (w_k − c_k)²: a quadratic with known minimum c and Hessian diag(h).
class Quadratic final : public Objective<double> {
 public:
  Quadratic(Vector<double> h, Vector<double> c) : h_(std::move(h)), c_(std::move(c)) {
    ParamSpec spec{"w", static_cast<int>(h_.size()), 1, 1, Init::zero};
    params_.declare("q.w", spec);
    params_.allocate();
  }
  ParameterStore<double>& parameters() override { return params_; }
  double batch_gradient() override {
    ++seen_;
    params_.dw = h_.cwiseProduct(params_.w - c_);
    return loss();
  }
  double batch_curvature() override {
    params_.ddw = h_;
    return batch_gradient();
  }
  double full_loss() override { return loss(); }
  double full_gradient() override { return batch_gradient(); }
  void sample_curvature(int) override { params_.ddw = h_; }
  std::int64_t examples_seen() const override { return seen_; }
  int batch_size() const override { return 1; }
  double loss() const { return 0.5 * h_.dot((params_.w - c_).cwiseAbs2()); }

 private:
  Vector<double> h_, c_;
  ParameterStore<double> params_;
  std::int64_t seen_ = 0;
};

OptimizerPtr<double> sgd(std::initializer_list<std::pair<std::string, std::string>> items) {
  RawSettings raw;
  for (const auto& [k, v] : items) raw[k] = {v, {}};
  const auto& registry = test::plugins();
  return registry.make_optimizer<double>(
      "sgd", Settings::validate(registry.optimizer_info("sgd").settings, raw, "optimizer sgd", {}));
}

Quadratic problem() {
  Vector<double> h(3), c(3);
  h << 1.0, 4.0, 0.25;
  c << 1.0, -2.0, 3.0;
  return Quadratic(h, c);
}

}  // namespace

BOOST_AUTO_TEST_CASE(converges_to_the_minimum) {
  Quadratic q = problem();
  auto opt = sgd({{"lr", "0.3"}});
  opt->attach(q.parameters());
  for (int i = 0; i < 200; ++i) opt->step(q);
  BOOST_TEST(q.loss() < 1e-12);
  BOOST_TEST(std::abs(q.parameters().w[1] + 2.0) < 1e-6);
}

BOOST_AUTO_TEST_CASE(one_step_is_minus_rate_times_gradient) {
  Quadratic q = problem();
  auto opt = sgd({{"lr", "0.1"}});
  opt->attach(q.parameters());
  opt->step(q);
  // w0 = 0: gradient = h ⊙ (0 − c) = (−1, 8, −0.75); w1 = −0.1 · gradient.
  BOOST_TEST(std::abs(q.parameters().w[0] - 0.1) < 1e-15);
  BOOST_TEST(std::abs(q.parameters().w[1] + 0.8) < 1e-15);
  BOOST_TEST(std::abs(q.parameters().w[2] - 0.075) < 1e-15);
}

BOOST_AUTO_TEST_CASE(rates_above_two_over_lambda_max_diverge) {
  // §5.1: on a quadratic, η > 2/λmax diverges (λmax = 4 here).
  Quadratic q = problem();
  auto opt = sgd({{"lr", "0.55"}});
  opt->attach(q.parameters());
  for (int i = 0; i < 100; ++i) opt->step(q);
  BOOST_TEST(q.loss() > 1e6);
}

BOOST_AUTO_TEST_CASE(per_parameter_multipliers_scale_each_rate) {
  Quadratic q = problem();
  q.parameters().lr_scale[1] = 0.5;
  auto opt = sgd({{"lr", "0.1"}});
  opt->attach(q.parameters());
  opt->step(q);
  BOOST_TEST(std::abs(q.parameters().w[1] + 0.4) < 1e-15);
  BOOST_TEST(std::abs(q.parameters().w[0] - 0.1) < 1e-15);
}

BOOST_AUTO_TEST_CASE(momentum_follows_section_4_7) {
  Quadratic q = problem();
  auto opt = sgd({{"lr", "0.1"}, {"momentum", "0.9"}});
  opt->attach(q.parameters());
  opt->step(q);  // Δ1 = −η g0
  const double w1 = q.parameters().w[0];
  opt->step(q);  // Δ2 = −η g1 + μ Δ1
  const double g1 = 1.0 * (w1 - 1.0);
  BOOST_TEST(std::abs(q.parameters().w[0] - (w1 - 0.1 * g1 + 0.9 * w1)) < 1e-15);
  for (int i = 0; i < 500; ++i) opt->step(q);
  BOOST_TEST(q.loss() < 1e-12);
  BOOST_TEST(opt->state().at("velocity").size() == 3);
}

BOOST_AUTO_TEST_CASE(annealing_follows_eq_12) {
  Quadratic q = problem();
  auto opt = sgd({{"lr", "0.1"}, {"anneal", "2"}});
  opt->attach(q.parameters());
  for (int t = 1; t <= 40; ++t) {
    opt->step(q);
    BOOST_TEST(opt->current_rate() == std::min(0.1, 2.0 / t));
  }
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused) {
  BOOST_CHECK_EXCEPTION(sgd({{"lr", "-1"}}), Error, [](const Error& e) {
    return std::string(e.what()).find("lr must be positive") != std::string::npos;
  });
  BOOST_CHECK_EXCEPTION(sgd({{"momentum", "1"}}), Error, [](const Error& e) {
    return std::string(e.what()).find("momentum must be in [0, 1)") != std::string::npos;
  });
}
