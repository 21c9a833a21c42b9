// The second-order batch methods of §6 — gauss-newton (Eq. 46), levenberg-marquardt (Eq. 47) and
// newton (Eq. 40) — on the test functions of optimize/test_functions.h, loaded as plugins.
#define BOOST_TEST_MODULE second_order
#include <ebprop/graph_objective.h>
#include <ebprop/optimize/test_functions.h>
#include <ebprop/trainer.h>

#include <Eigen/Eigenvalues>
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "test_util.h"

using namespace ebprop;
using namespace ebprop::optimize;

namespace {

const std::vector<std::string> methods = {"gauss-newton", "levenberg-marquardt", "newton"};

struct Run {
  int steps = 0;
  std::string stop;  // of the last step
  EvaluationCounts counts;
  double error = 0;  // ‖x − x*‖∞ at the end
  std::vector<StepResult> results;
};

// Steps `method` on f from its start (or `start`) until a stop rule fires or `budget` steps are
// made.
Run minimize(const std::string& method, TestFunction& f, int budget,
             const test::SettingMap& settings = {}, const Vector<double>& start = {}) {
  auto optimizer = test::optimizer(method, settings);
  f.reset();
  if (start.size() != 0) f.parameters().w() = start;
  optimizer->attach(f.parameters());
  Run run;
  while (run.steps < budget && run.stop.empty()) {
    run.results.push_back(optimizer->step(f, Batch::all(), run.steps + 1));
    run.stop = run.results.back().stop;
    ++run.steps;
  }
  run.counts = f.counts();
  run.error = (f.parameters().w() - f.minimizer()).cwiseAbs().maxCoeff();
  BOOST_TEST_MESSAGE(
      method << (settings.count("dense-max") ? " (matrix-free)" : "") << " on " << f.name() << ": "
             << run.steps << " steps, " << run.counts.evaluations() << " evaluations ("
             << run.counts.values << " values, " << run.counts.gradients << " gradients), "
             << run.counts.matrices << " matrices, " << run.counts.gauss_newton_vectors << " G·v, "
             << run.counts.hessian_vectors << " H·v; error " << run.error
             << "; stop: " << run.stop);
  return run;
}

struct Case {
  std::string function;
  int n;
  double tolerance;  // on ‖x − x*‖∞ once ‖g‖ < grad-tol
  int budget;        // steps
};

// Powell's function is singular at its minimum: its quartic terms (x₂ − 2x₃)⁴ and 10(x₁ − x₄)⁴
// have zero curvature there, so every method converges only linearly (Newton and Gauss-Newton
// shrink those components by a constant factor per step) and ‖g‖ < 1e-6 leaves them at about
// (1e-6 / 40)^⅓ ≈ 3e-3 — hence the looser tolerance.
const std::vector<Case> cases = {{"rosenbrock", 2, 1e-6, 40}, {"rosenbrock", 10, 1e-6, 40},
                                 {"wood", 4, 1e-6, 100},      {"powell", 4, 1e-2, 30},
                                 {"quadratic", 20, 1e-6, 5},  {"least-squares", 10, 1e-6, 5}};

// Chained Rosenbrock of n ≥ 4 has a second minimum near x₁ = −1 (Kok & Sandrock 2009), and
// (−1.2, 1, …) is in its basin for Newton's method without a line search; Newton starts from 0
// there (see newton_on_chained_rosenbrock_finds_the_minimum_of_the_basin_it_starts_in). Newton
// backtracks (Armijo) where the full step would raise E: on 2-D Rosenbrock that takes it about
// 20 iterations instead of the 6 of the bare step, which happens to fall well there.
Vector<double> start_for(const std::string& method, const Case& c) {
  if (method == "newton" && c.function == "rosenbrock" && c.n >= 4)
    return Vector<double>::Zero(c.n);
  return {};
}

// An objective whose Gauss-Newton matrix may be refused or come with a notice: E = Σ (x_k − 1)²
// on `n` weights (H = G = 2I). With a huge n it never allocates more than its store.
class Double final : public Objective<double> {
 public:
  explicit Double(std::int64_t n, std::string refusal = "", std::string notice = "")
      : refusal_(std::move(refusal)), notice_(std::move(notice)) {
    ParamSpec spec;
    spec.role = "x";
    spec.rows = static_cast<int>(n);
    store_.declare("x", spec);
    store_.allocate();
  }
  ParameterStore<double>& parameters() override { return store_; }
  int examples() const override { return 1; }
  std::string name() const override { return "the test double"; }
  Batch sample(int) override { return Batch::all(); }
  std::string gauss_newton_refusal() const override { return refusal_; }
  std::string gauss_newton_notice() const override { return notice_; }

 protected:
  double compute_value(const Batch&) override { return (store_.w().array() - 1).square().sum(); }
  double compute_gradient(const Batch& batch, bool) override {
    store_.dw() = 2 * (store_.w().array() - 1).matrix();
    return compute_value(batch);
  }
  void compute_hessian_vector(const Batch&, const Vector<double>& v, Vector<double>& hv) override {
    hv = 2 * v;
  }
  void compute_gauss_newton_vector(const Batch&, const Vector<double>& v,
                                   Vector<double>& gv) override {
    gv = 2 * v;
  }
  Matrix<double> compute_jacobian(const Batch&) override {
    return Matrix<double>::Identity(store_.size(), store_.size());
  }

 private:
  ParameterStore<double> store_;
  std::string refusal_, notice_;
};

template <typename T>
std::string message_of_step(const std::string& method, Objective<T>& objective,
                            const test::SettingMap& settings = {}) {
  auto optimizer = test::optimizer<T>(method, settings);
  optimizer->attach(objective.parameters());
  try {
    optimizer->step(objective, Batch::all(), 1);
  } catch (const Error& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

// `examples` random inputs in [−1, 1) and targets a ±1 code of their class (the largest of the
// first `classes` inputs), as the runner gives.
data::Dataset classes_data(int inputs, int classes, int examples) {
  Rng rng(5);
  data::Dataset d;
  d.name = "generated";
  d.input_shape = {inputs};
  d.inputs.resize(inputs, examples);
  d.targets = Matrix<float>::Constant(classes, examples, -1.f);
  for (int e = 0; e < examples; ++e) {
    for (int i = 0; i < inputs; ++i) d.inputs(i, e) = static_cast<float>(2 * uniform01(rng) - 1);
    Eigen::Index best;
    d.inputs.col(e).head(classes).maxCoeff(&best);
    d.targets(best, e) = 1.f;
  }
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_method_reaches_every_known_minimizer) {
  for (const auto& method : methods)
    for (const auto& c : cases) {
      BOOST_TEST_CONTEXT(method << " on " << c.function << " n = " << c.n) {
        auto f = make_test_function(c.function, c.n);
        const Run run = minimize(method, *f, c.budget, {}, start_for(method, c));
        BOOST_TEST(run.stop.find("grad-tol") != std::string::npos, "stop: " << run.stop);
        BOOST_TEST(run.error <= c.tolerance);
      }
    }
}

BOOST_AUTO_TEST_CASE(matrix_free_variants_reach_the_same_minimizers) {
  for (const auto& method : {"gauss-newton", "levenberg-marquardt"})
    for (const auto& c : cases) {
      BOOST_TEST_CONTEXT(method << " on " << c.function << " n = " << c.n) {
        auto f = make_test_function(c.function, c.n);
        const Run run = minimize(method, *f, c.budget, {{"dense-max", "0"}, {"cg-tol", "1e-10"}});
        BOOST_TEST(run.stop.find("grad-tol") != std::string::npos, "stop: " << run.stop);
        BOOST_TEST(run.error <= c.tolerance);
        BOOST_TEST(run.counts.matrices == 0);
        BOOST_TEST(run.counts.gauss_newton_vectors > 0);
      }
    }
}

BOOST_AUTO_TEST_CASE(gauss_newton_solves_linear_least_squares_in_one_step) {
  auto f = make_test_function("least-squares", 10);
  const Run run = minimize("gauss-newton", *f, 5);
  BOOST_TEST(run.steps == 1);
  BOOST_TEST(run.error <= 1e-12);
  BOOST_TEST(run.results[0].new_loss <= f->minimum() * (1 + 1e-12) + 1e-15);
  BOOST_TEST(run.results[0].step > 0.0);
}

BOOST_AUTO_TEST_CASE(newton_with_eta_1_minimizes_a_quadratic_in_one_step) {
  auto f = make_test_function("quadratic", 20);
  const Run run = minimize("newton", *f, 5, {{"eta", "1"}});
  BOOST_TEST(run.steps == 1);
  BOOST_TEST(run.error <= 1e-12);
  BOOST_TEST(run.results[0].notice.empty());
}

BOOST_AUTO_TEST_CASE(newton_with_eta_below_1_takes_that_fraction_of_the_step) {
  auto f = make_test_function("quadratic", 20);
  const Run run = minimize("newton", *f, 1, {{"eta", "0.5"}});
  // From x₀ = 0, x₁ = ½ x*.
  BOOST_TEST((f->parameters().w() - 0.5 * f->minimizer()).norm() <= 1e-12 * f->minimizer().norm());
}

BOOST_AUTO_TEST_CASE(levenberg_marquardt_on_2d_rosenbrock_matches_dlib) {
  // dlib's Levenberg-Marquardt reaches (1, 1) after 18 residual and 14 Jacobian evaluations.
  auto f = make_test_function("rosenbrock", 2);
  const Run run = minimize("levenberg-marquardt", *f, 50);
  BOOST_TEST(run.stop.find("grad-tol") != std::string::npos, "stop: " << run.stop);
  BOOST_TEST(run.counts.evaluations() <= 18);
  BOOST_TEST(run.error <= 1e-12);
}

BOOST_AUTO_TEST_CASE(step_results_are_filled) {
  for (const auto& method : methods) {
    BOOST_TEST_CONTEXT(method) {
      auto f = make_test_function("rosenbrock", 2);
      const Run run = minimize(method, *f, 5, {{"grad-tol", "0"}, {"max-iterations", "3"}});
      BOOST_TEST(run.steps == 3);
      for (std::size_t i = 0; i < run.results.size(); ++i) {
        const StepResult& r = run.results[i];
        BOOST_TEST(std::isfinite(r.loss));
        BOOST_TEST(std::isfinite(r.new_loss));
        BOOST_TEST(r.grad_norm > 0.0);
        BOOST_TEST(r.step > 0.0);
        if (i > 0) BOOST_TEST(r.loss == run.results[i - 1].new_loss);
      }
      BOOST_TEST(run.stop == "max-iterations 3 reached");
      auto optimizer = test::optimizer(method, {});
      BOOST_TEST((optimizer->data_use().kind == DataUse::Kind::full_set));
    }
  }
}

BOOST_AUTO_TEST_CASE(the_gauss_newton_methods_refuse_a_loss_without_a_gauss_newton_matrix) {
  const std::string refusal =
      "test.graph:7: loss 'xent' (hinge): the Gauss-Newton matrix is defined for MSE only";
  for (const auto& method : {"gauss-newton", "levenberg-marquardt"}) {
    Double objective(3, refusal);
    BOOST_TEST(message_of_step(method, objective) == method + std::string(": ") + refusal);
    BOOST_TEST(objective.counts().evaluations() == 0);
  }
  // Newton needs only the Hessian.
  Double objective(3, refusal);
  BOOST_TEST(message_of_step("newton", objective) == "(nothing thrown)");
}

BOOST_AUTO_TEST_CASE(the_generalized_gauss_newton_notice_comes_with_the_first_step_only) {
  const std::string notice = "softmax_xent 'loss': the generalized Gauss-Newton matrix";
  for (const auto& method : {"gauss-newton", "levenberg-marquardt"}) {
    BOOST_TEST_CONTEXT(method) {
      Double objective(3, "", notice);
      auto optimizer = test::optimizer(method, {{"grad-tol", "0"}});
      optimizer->attach(objective.parameters());
      BOOST_TEST(optimizer->step(objective, Batch::all(), 1).notice == notice);
      BOOST_TEST(optimizer->step(objective, Batch::all(), 1).notice == "");
    }
  }
}

BOOST_AUTO_TEST_CASE(newton_damps_an_indefinite_hessian_and_says_so) {
  auto f = make_test_function("rosenbrock", 2);
  auto optimizer = test::optimizer("newton", {});
  optimizer->attach(f->parameters());
  f->parameters().w() << 0, 1;  // ∂²E/∂x₁² = 2 − 400 (x₂ − 3x₁²) < 0
  const Vector<double> g = (Vector<double>(2) << -2, 200).finished();  // ∇E at (0, 1)
  const StepResult result = optimizer->step(*f, Batch::all(), 1);
  BOOST_TEST(result.notice.find("not positive definite") != std::string::npos,
             "notice: " << result.notice);
  // H + μI is positive definite: the step descends (with no line search it may overshoot).
  const Vector<double> step = f->parameters().w() - (Vector<double>(2) << 0, 1).finished();
  BOOST_TEST(g.dot(step) < 0.0);
  BOOST_TEST(std::isfinite(result.new_loss));
}

BOOST_AUTO_TEST_CASE(newton_on_chained_rosenbrock_finds_the_minimum_of_the_basin_it_starts_in) {
  auto f = make_test_function("rosenbrock", 10);
  const Run run = minimize("newton", *f, 30);
  BOOST_TEST(run.stop.find("grad-tol") != std::string::npos, "stop: " << run.stop);
  // The other minimum: x₁ ≈ −0.9933, the rest near 1, E ≈ 3.99, H positive definite.
  BOOST_TEST(std::abs(f->parameters().w()[0] + 0.9933) < 1e-4);
  BOOST_TEST(std::abs(run.results.back().new_loss - 3.99) < 0.01);
  const Eigen::SelfAdjointEigenSolver<Matrix<double>> eigen(f->hessian(Batch::all()));
  BOOST_TEST(eigen.eigenvalues()[0] > 0.0);
}

BOOST_AUTO_TEST_CASE(dense_matrices_that_do_not_fit_are_refused) {
  // 10⁷ weights: the Hessian alone would take 800 TB.
  Double objective(10000000);
  const std::string newton = message_of_step("newton", objective);
  BOOST_TEST(newton.find("newton: the Hessian of the test double") != std::string::npos, newton);
  BOOST_TEST(newton.find("more than this machine's memory") != std::string::npos, newton);
  const std::string gn = message_of_step("gauss-newton", objective, {{"dense-max", "100000000"}});
  BOOST_TEST(gn.find("the Gauss-Newton matrix of the test double") != std::string::npos, gn);
}

BOOST_AUTO_TEST_CASE(a_restored_optimizer_continues_with_identical_iterates) {
  for (const auto& method : methods) {
    BOOST_TEST_CONTEXT(method) {
      const test::SettingMap settings = {{"grad-tol", "0"}};
      auto f = make_test_function("wood", 4);
      auto first = test::optimizer(method, settings);
      first->attach(f->parameters());
      for (int i = 1; i <= 3; ++i) first->step(*f, Batch::all(), i);
      const OptimizerState state = first->state();
      const Vector<double> w = f->parameters().w();
      std::vector<Vector<double>> expected;
      for (int i = 4; i <= 6; ++i) {
        first->step(*f, Batch::all(), i);
        expected.push_back(f->parameters().w());
      }

      auto g = make_test_function("wood", 4);
      auto second = test::optimizer(method, settings);
      second->attach(g->parameters());
      g->parameters().w() = w;
      second->restore(state);
      for (int i = 4; i <= 6; ++i) {
        second->step(*g, Batch::all(), i);
        BOOST_TEST(g->parameters().w() == expected[i - 4]);
      }
      BOOST_TEST(second->state() == first->state());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_state_without_its_entries_is_refused) {
  for (const auto& method : methods) {
    auto optimizer = test::optimizer(method, {});
    auto f = make_test_function("rosenbrock", 2);
    optimizer->attach(f->parameters());
    try {
      optimizer->restore({});
      BOOST_ERROR(method << ": nothing thrown");
    } catch (const Error& e) {
      BOOST_TEST(std::string(e.what()) == method + " state has no entry 'iteration'");
    }
  }
}

BOOST_AUTO_TEST_CASE(the_plugins_instantiate_for_float) {
  for (const auto& method : methods) BOOST_TEST(test::optimizer<float>(method, {}) != nullptr);
}

BOOST_AUTO_TEST_CASE(the_gauss_newton_methods_train_a_float_network_dense_and_matrix_free) {
  const std::string mlp = R"(
x    = input shape=3 source=inputs
t    = input shape=2 source=targets
h    = linear(x) outputs=4
a    = stanh(h)
y    = linear(a) outputs=2
loss = mse(y, t)
)";
  const data::Dataset set = classes_data(3, 2, 100);
  for (const auto& method : {"gauss-newton", "levenberg-marquardt"})
    for (const auto& dense_max : {"2000", "0"}) {
      BOOST_TEST_CONTEXT(method << " dense-max " << dense_max) {
        auto graph = test::graph_from<float>(mlp);
        auto optimizer = test::optimizer<float>(method, {{"dense-max", dense_max}});
        Trainer<float> trainer(*graph, *optimizer, set, {});
        const double before = trainer.evaluate(set).loss;
        for (int epoch = 1; epoch <= 10; ++epoch) {
          const EpochReport report = trainer.run_epoch(epoch, nullptr);
          BOOST_TEST(report.last_step.notice.empty());
          if (!report.stop.empty()) break;
        }
        const double after = trainer.evaluate(set).loss;
        BOOST_TEST(after < 0.5 * before, "loss " << before << " -> " << after);
        const EvaluationCounts& counts = trainer.objective().counts();
        BOOST_TEST((std::string(dense_max) == "0" ? counts.matrices == 0 : counts.matrices > 0));
      }
    }
}

BOOST_AUTO_TEST_CASE(a_graph_whose_loss_has_no_gauss_newton_matrix_is_refused_at_the_first_step) {
  auto graph = test::graph_from<float>(R"(
x    = input shape=3 source=inputs
t    = input shape=2 source=targets
h    = linear(x) outputs=3
loss = euclidean_loss(h, t)
)");
  const data::Dataset set = classes_data(3, 2, 20);
  Rng sampling(1);
  GraphObjective<float> objective(*graph, set, sampling);
  for (const auto& method : {"gauss-newton", "levenberg-marquardt"}) {
    const std::string message = message_of_step(method, objective);
    BOOST_TEST(message == method + std::string(": ") + objective.gauss_newton_refusal());
    BOOST_TEST(message.find("defined for a mean squared error") != std::string::npos, message);
  }
}
