// The batch optimizers of §6 (cg, bfgs, lbfgs) on the test functions of optimize/
// test_functions.h: they reach the known minimizers within stated budgets, with the evaluation
// counts of the best libraries (LESSONS: "Batch optimizers"), CG's finite termination and BFGS's
// inverse-Hessian limit on a quadratic, and a restored state continues the same iterates.
#define BOOST_TEST_MODULE batch_optimizers
#include <ebprop/optimize/test_functions.h>

#include <boost/test/unit_test.hpp>
#include <cmath>

#include "test_util.h"

using namespace ebprop;
using namespace ebprop::optimize;

namespace {

const std::vector<std::string> optimizers = {"cg", "bfgs", "lbfgs"};

struct Run {
  int iterations = 0;
  std::int64_t evaluations = 0;
  std::string stop;
};

// Steps with Batch::all() until a stop rule fires or `budget` iterations are done.
Run minimize(Optimizer<double>& optimizer, TestFunction& f, int budget) {
  Run run;
  for (; run.iterations < budget && run.stop.empty(); ++run.iterations)
    run.stop = optimizer.step(f, Batch::all(), 0).stop;
  run.evaluations = f.counts().evaluations();
  return run;
}

struct Case {
  std::string function;
  int n;
  int budget;  // iterations for cg; the quasi-Newton methods need far fewer
  double distance = 1e-4;
  std::string grad_tol = "1e-6";
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_optimizer_reaches_every_known_minimizer) {
  const std::vector<Case> cases = {
      {"rosenbrock", 2, 100},
      {"rosenbrock", 10, 400},
      {"wood", 4, 300},
      // Powell's function is singular at its minimizer: E grows like the fourth power of the
      // distance along the null direction, so ‖∇E‖ like its cube; convergence is linear, and a
      // distance of 1e-3 needs ‖∇E‖ below about 1e-10.
      {"powell", 4, 300, 1e-3, "1e-10"},
      {"quadratic", 20, 120},
      {"least-squares", 10, 40}};
  for (const auto& type : optimizers)
    for (const auto& c : cases) {
      auto f = make_test_function(c.function, c.n);
      auto optimizer = test::optimizer(type, {{"grad-tol", c.grad_tol}});
      optimizer->attach(f->parameters());
      const Run run = minimize(*optimizer, *f, c.budget);
      BOOST_TEST_INFO(type << " on " << f->name() << ": " << run.iterations << " iterations, "
                           << run.evaluations << " evaluations, stop: " << run.stop);
      BOOST_TEST(run.stop.rfind("‖g‖", 0) == 0);
      BOOST_TEST((f->parameters().w() - f->minimizer()).norm() < c.distance);
      BOOST_TEST(f->value(Batch::all()) - f->minimum() < 1e-8);
      BOOST_TEST_MESSAGE(type << " on " << f->name() << ": " << run.iterations << " iterations, "
                              << run.evaluations << " evaluations");
    }
}

BOOST_AUTO_TEST_CASE(evaluation_counts_match_the_best_libraries) {
  // 2-D Rosenbrock from (−1.2, 1) to ‖g‖ < 1e-6: LBFGS++ 45-56, dlib BFGS 48, Ceres 44.
  const std::vector<std::pair<std::string, std::int64_t>> limits = {
      {"lbfgs", 45}, {"bfgs", 45}, {"cg", 150}};
  for (const auto& [type, limit] : limits) {
    auto f = make_test_function("rosenbrock", 2);
    auto optimizer = test::optimizer(type, {});
    optimizer->attach(f->parameters());
    const Run run = minimize(*optimizer, *f, 1000);
    BOOST_TEST_MESSAGE(type << " on 2-D Rosenbrock: " << run.evaluations << " evaluations, "
                            << run.iterations << " iterations");
    BOOST_TEST_INFO(type << ": " << run.stop);
    BOOST_TEST(run.stop.rfind("‖g‖", 0) == 0);
    BOOST_TEST(run.evaluations <= limit);
  }
  // Chained Rosenbrock: about 5n iterations for quasi-Newton methods.
  for (const auto& [n, limit] :
       std::vector<std::pair<int, std::int64_t>>{{100, 650}, {1000, 5900}}) {
    auto f = make_test_function("rosenbrock", n);
    auto optimizer = test::optimizer("lbfgs", {});
    optimizer->attach(f->parameters());
    const Run run = minimize(*optimizer, *f, 20000);
    BOOST_TEST_MESSAGE("lbfgs on " << f->name() << ": " << run.evaluations << " evaluations, "
                                   << run.iterations << " iterations");
    BOOST_TEST_INFO(f->name() << ": " << run.stop);
    BOOST_TEST(run.stop.rfind("‖g‖", 0) == 0);
    BOOST_TEST((f->parameters().w() - f->minimizer()).norm() < 1e-4);
    BOOST_TEST(run.evaluations <= limit);
  }
}

BOOST_AUTO_TEST_CASE(cg_terminates_in_n_iterations_on_a_quadratic) {
  // With exact line searches CG minimizes an SPD quadratic of dimension n in n iterations. The
  // strong-Wolfe search with a tight c2 finds the exact step (its cubic interpolates a quadratic
  // exactly). Rounding still costs conjugacy as the condition number grows: even linear CG with
  // exact steps needs 24 iterations for n = 20 at condition 100 (11 for n = 10), so the test
  // takes condition 10, where floating point keeps the n of exact arithmetic.
  for (const std::string beta : {"polak-ribiere", "fletcher-reeves"}) {
    const int n = 10;
    TestFunctionOptions options;
    options.condition = 10;
    auto f = make_test_function("quadratic", n, options);
    f->gradient(Batch::all());
    const double g0 = f->parameters().dw().norm();
    std::ostringstream tol;
    tol.precision(17);
    tol << 1e-8 * g0;
    auto optimizer = test::optimizer(
        "cg", {{"beta", beta}, {"c1", "1e-10"}, {"c2", "1e-8"}, {"grad-tol", tol.str()}});
    optimizer->attach(f->parameters());
    int iterations = 0;
    double grad_norm = g0;
    for (; iterations < 2 * n && grad_norm >= 1e-8 * g0; ++iterations)
      grad_norm = optimizer->step(*f, Batch::all(), 0).grad_norm;
    BOOST_TEST_INFO(beta << ": ‖g‖/‖g0‖ " << grad_norm / g0);
    BOOST_TEST(iterations <= n);
  }
}

BOOST_AUTO_TEST_CASE(bfgs_inverse_approaches_the_inverse_hessian) {
  // On a quadratic with exact line searches, BFGS's M equals A⁻¹ after n updates.
  const int n = 10;
  TestFunctionOptions options;
  options.condition = 10;
  auto f = make_test_function("quadratic", n, options);
  const Matrix<double> a = f->hessian(Batch::all());
  auto optimizer = test::optimizer("bfgs", {{"c1", "1e-10"}, {"c2", "1e-8"}, {"grad-tol", "0"}});
  optimizer->attach(f->parameters());
  for (int i = 0; i < n; ++i) optimizer->step(*f, Batch::all(), 0);
  const OptimizerState state = optimizer->state();
  Matrix<double> m(n, n);
  for (int k = 0; k < n; ++k) m.col(k) = state.at("inverse-hessian/x[" + std::to_string(k) + "]/x");
  const double error = (m * a - Matrix<double>::Identity(n, n)).norm();
  BOOST_TEST_MESSAGE("‖M A − I‖ after " << n << " iterations: " << error);
  BOOST_TEST(error < 1e-3);
}

BOOST_AUTO_TEST_CASE(a_restored_state_continues_the_same_iterates) {
  for (const auto& type : optimizers) {
    auto f = make_test_function("rosenbrock", 6);
    // Small memory and restart period, so that the state is past both within the first steps.
    test::SettingMap settings = {{"grad-tol", "0"}};
    if (type == "cg") settings["restart"] = "4";
    if (type == "lbfgs") settings["memory"] = "3";
    auto first = test::optimizer(type, settings);
    first->attach(f->parameters());
    for (int i = 0; i < 7; ++i) first->step(*f, Batch::all(), 0);

    // A fresh optimizer on a fresh function at the same point, from the saved state.
    auto g = make_test_function("rosenbrock", 6);
    g->parameters().w() = f->parameters().w();
    auto second = test::optimizer(type, settings);
    second->attach(g->parameters());
    second->restore(first->state());
    for (int i = 0; i < 10; ++i) {
      const auto before_f = f->counts().evaluations(), before_g = g->counts().evaluations();
      const StepResult a = first->step(*f, Batch::all(), 0);
      const StepResult b = second->step(*g, Batch::all(), 0);
      BOOST_TEST_INFO(type << " step " << i);
      BOOST_TEST(f->parameters().w() == g->parameters().w());
      BOOST_TEST(a.loss == b.loss);
      BOOST_TEST(a.new_loss == b.new_loss);
      BOOST_TEST(f->counts().evaluations() - before_f == g->counts().evaluations() - before_g);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_accepted_point_is_reused_only_while_w_is_unchanged) {
  for (const auto& type : optimizers) {
    auto f = make_test_function("rosenbrock", 2);
    auto optimizer = test::optimizer(type, {});
    optimizer->attach(f->parameters());
    const StepResult first = optimizer->step(*f, Batch::all(), 0);
    // The next step starts where the last line search ended: no evaluation there.
    const StepResult second = optimizer->step(*f, Batch::all(), 0);
    BOOST_TEST_INFO(type);
    BOOST_TEST(second.loss == first.new_loss);
    BOOST_TEST(f->counts().evaluations() > 2);
    // Moving w makes the step evaluate where it starts.
    f->parameters().w() << 0.5, 0.5;
    const auto before = f->counts().gradients;
    const StepResult third = optimizer->step(*f, Batch::all(), 0);
    BOOST_TEST(third.loss == 100 * 0.25 * 0.25 + 0.25);
    BOOST_TEST(f->counts().gradients > before + 1);
  }
}

BOOST_AUTO_TEST_CASE(results_report_the_step) {
  for (const auto& type : optimizers) {
    auto f = make_test_function("wood", 4);
    auto optimizer = test::optimizer(type, {});
    optimizer->attach(f->parameters());
    BOOST_TEST((optimizer->data_use().kind == DataUse::Kind::full_set));
    const Vector<double> w0 = f->parameters().w();
    const double e0 = f->value(Batch::all());
    const StepResult r = optimizer->step(*f, Batch::all(), 0);
    BOOST_TEST_INFO(type);
    BOOST_TEST(r.loss == e0);
    BOOST_TEST(r.new_loss == f->value(Batch::all()));
    BOOST_TEST(r.new_loss < r.loss);
    BOOST_TEST(r.step == (f->parameters().w() - w0).norm(), boost::test_tools::tolerance(1e-12));
    f->gradient(Batch::all());
    BOOST_TEST(r.grad_norm == f->parameters().dw().norm());
    BOOST_TEST(r.stop.empty());
    BOOST_TEST(optimizer->current_rate() > 0);
    // The stop rules are every iterative method's settings.
    bool has_grad_tol = false;
    for (const auto& spec : test::plugins().optimizer_info(type).settings)
      has_grad_tol = has_grad_tol || spec.name == "grad-tol";
    BOOST_TEST(has_grad_tol);
  }
  // A rule other than the gradient's.
  auto f = make_test_function("rosenbrock", 2);
  auto optimizer = test::optimizer("lbfgs", {{"max-iterations", "3"}});
  optimizer->attach(f->parameters());
  const Run run = minimize(*optimizer, *f, 10);
  BOOST_TEST(run.iterations == 3);
  BOOST_TEST(run.stop == "max-iterations 3 reached");
}

BOOST_AUTO_TEST_CASE(bfgs_refuses_a_net_too_large_for_its_dense_inverse) {
  ParameterStore<double> store;
  store.declare("fc.weight", ParamSpec{"weight", 20, 10, 1, Init::zero});
  store.allocate();
  auto bfgs = test::optimizer("bfgs", {{"max-weights", "100"}});
  try {
    bfgs->attach(store);
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "optimizer bfgs: the net has 200 weights, more than max-weights 100: its dense "
               "inverse Hessian would need 320.0 kB (n² doubles); use lbfgs, or raise max-weights");
  }
  test::optimizer("bfgs", {{"max-weights", "200"}})->attach(store);
}

BOOST_AUTO_TEST_CASE(the_optimizers_are_made_for_float_too) {
  ParameterStore<float> store;
  store.declare("x", ParamSpec{"x", 3, 1, 1, Init::zero});
  store.allocate();
  for (const auto& type : optimizers) {
    auto optimizer = test::optimizer<float>(type, {});
    optimizer->attach(store);
    BOOST_TEST((optimizer->data_use().kind == DataUse::Kind::full_set));
  }
}

BOOST_AUTO_TEST_CASE(c1_must_be_below_c2) {
  for (const auto& type : optimizers)
    BOOST_CHECK_THROW(test::optimizer(type, {{"c1", "0.5"}, {"c2", "0.4"}}), Error);
}

BOOST_AUTO_TEST_CASE(a_start_that_is_not_finite_stops_the_run_without_an_error) {
  for (const auto& type : optimizers) {
    auto f = make_test_function("rosenbrock", 2);
    f->parameters().w().setConstant(1e200);
    auto optimizer = test::optimizer(type, {});
    optimizer->attach(f->parameters());
    const StepResult r = optimizer->step(*f, Batch::all(), 0);
    BOOST_TEST_INFO(type);
    BOOST_TEST(!std::isfinite(r.loss));
    BOOST_TEST(r.stop == "the loss or its gradient is not finite at the start of the iteration");
    BOOST_TEST(f->parameters().w()[0] == 1e200);
  }
}
