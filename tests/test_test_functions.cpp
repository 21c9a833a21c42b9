// The test functions of optimize/test_functions.h: their analytic derivatives against finite
// differences, their known minima, and make_test_function's refusals.
#define BOOST_TEST_MODULE test_functions
#include <ebprop/error.h>
#include <ebprop/optimize/test_functions.h>

#include <Eigen/Eigenvalues>
#include <boost/test/unit_test.hpp>
#include <cmath>

using namespace ebprop;
using namespace ebprop::optimize;

namespace {

struct Case {
  std::string name;
  int n;
};

// Every function, at a small and (where it has one) a larger dimension.
const std::vector<Case> cases = {{"rosenbrock", 2},    {"rosenbrock", 7},   {"wood", 4},
                                 {"powell", 4},        {"quadratic", 1},    {"quadratic", 6},
                                 {"least-squares", 1}, {"least-squares", 5}};

// A point off the start and off the minimizer, where every term of the derivatives is non-zero.
void move_off(TestFunction& f) {
  Rng rng(7);
  for (auto& v : f.parameters().w()) v = 2 * uniform01(rng) - 1;
}

Vector<double> gradient_at_w(TestFunction& f) {
  f.gradient(Batch::all());
  return f.parameters().dw();
}

// ∂(what(x))/∂x by central differences at the current point, one column per coordinate.
template <typename F>
Matrix<double> central_differences(TestFunction& f, F what, double h = 1e-6) {
  Vector<double>& w = f.parameters().w();
  const Vector<double> x = w;
  Matrix<double> d;
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    w = x;
    w[k] += h;
    const Vector<double> plus = what();
    w[k] = x[k] - h;
    const Vector<double> minus = what();
    if (k == 0) d.resize(plus.size(), x.size());
    d.col(k) = (plus - minus) / (2 * h);
  }
  w = x;
  return d;
}

double relative_error(const Matrix<double>& a, const Matrix<double>& b) {
  return (a - b).norm() / std::max(1.0, b.norm());
}

std::string message_of(const std::string& name, int n) {
  try {
    make_test_function(name, n);
  } catch (const Error& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(gradients_match_central_differences) {
  for (const auto& c : cases) {
    auto f = make_test_function(c.name, c.n);
    move_off(*f);
    const Vector<double> g = gradient_at_w(*f);
    const Matrix<double> d = central_differences(*f, [&] {
      Vector<double> e(1);
      e[0] = f->value(Batch::all());
      return e;
    });
    BOOST_TEST_INFO(f->name());
    BOOST_TEST(relative_error(g.transpose(), d) < 1e-7);
  }
}

BOOST_AUTO_TEST_CASE(hessian_matches_differences_of_gradients) {
  for (const auto& c : cases) {
    auto f = make_test_function(c.name, c.n);
    move_off(*f);
    const Matrix<double> h = f->hessian(Batch::all());
    const Matrix<double> d = central_differences(*f, [&] { return gradient_at_w(*f); });
    BOOST_TEST_INFO(f->name());
    BOOST_TEST(relative_error(h, d) < 1e-7);
    // hessian() is made of hessian_vector products; check one against the dense matrix directly.
    Vector<double> v = Vector<double>::LinSpaced(c.n, -1, 2), hv;
    f->hessian_vector(Batch::all(), v, hv);
    BOOST_TEST(relative_error(hv, h * v) < 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(gauss_newton_is_twice_jt_j_of_the_residuals) {
  for (const auto& c : cases) {
    auto f = make_test_function(c.name, c.n);
    move_off(*f);
    BOOST_TEST_INFO(f->name());
    BOOST_TEST(f->is_sum_of_squares());
    const Matrix<double> j = central_differences(*f, [&] { return f->residuals(); });
    BOOST_TEST(relative_error(f->jacobian(Batch::all()), j) < 1e-7);
    BOOST_TEST(relative_error(f->gauss_newton(Batch::all()), 2 * j.transpose() * j) < 1e-7);
    // E = Σ r², and curvature() gives the diagonal of the Gauss-Newton matrix.
    BOOST_TEST(std::abs(f->value(Batch::all()) - f->residuals().squaredNorm()) < 1e-12);
    f->curvature(Batch::all());
    BOOST_TEST(relative_error(f->parameters().ddw(), (2 * j.transpose() * j).diagonal()) < 1e-7);
  }
}

BOOST_AUTO_TEST_CASE(the_minimizer_has_the_minimum_and_zero_gradient) {
  for (const auto& c : cases) {
    auto f = make_test_function(c.name, c.n);
    BOOST_TEST_INFO(f->name());
    BOOST_TEST(f->parameters().w() == f->start());
    BOOST_TEST(f->value(Batch::all()) > f->minimum() + 1e-3);
    f->parameters().w() = f->minimizer();
    BOOST_TEST(std::abs(f->value(Batch::all()) - f->minimum()) < 1e-12);
    BOOST_TEST(gradient_at_w(*f).norm() < 1e-10);
    f->reset();
    BOOST_TEST(f->parameters().w() == f->start());
  }
}

BOOST_AUTO_TEST_CASE(the_known_starts_and_minima) {
  auto r = make_test_function("rosenbrock", 4);
  Vector<double> start(4);
  start << -1.2, 1, -1.2, 1;
  BOOST_TEST(r->start() == start);
  // Three links: (x1, x2) and (x3, x4) as the 2-D start, 24.2 each, and (x2, x3) = (1, −1.2).
  BOOST_TEST(r->value(Batch::all()) == 2 * 24.2 + 100 * 2.2 * 2.2,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(make_test_function("rosenbrock", 2)->value(Batch::all()) == 24.2,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(make_test_function("wood", 4)->value(Batch::all()) == 19192.0);
  BOOST_TEST(make_test_function("powell", 4)->value(Batch::all()) == 215.0,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r->name() == "rosenbrock (n = 4)");
  BOOST_TEST(test_function_names().size() == 5u);
}

BOOST_AUTO_TEST_CASE(the_quadratic_has_the_condition_number_asked_for) {
  for (const double condition : {1.0, 100.0, 1e4}) {
    TestFunctionOptions options;
    options.condition = condition;
    options.seed = 3;
    auto f = make_test_function("quadratic", 12, options);
    const Matrix<double> h = f->hessian(Batch::all());
    BOOST_TEST((h - h.transpose()).norm() < 1e-12);
    const Vector<double> eigenvalues =
        Eigen::SelfAdjointEigenSolver<Matrix<double>>(h).eigenvalues();
    BOOST_TEST(eigenvalues.minCoeff() == 1.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(eigenvalues.maxCoeff() / eigenvalues.minCoeff() == condition,
               boost::test_tools::tolerance(1e-9));
  }
}

BOOST_AUTO_TEST_CASE(the_seed_decides_the_random_functions) {
  TestFunctionOptions a, b;
  b.seed = 2;
  BOOST_TEST(make_test_function("quadratic", 5, a)->minimizer() ==
             make_test_function("quadratic", 5, a)->minimizer());
  BOOST_TEST(make_test_function("quadratic", 5, a)->minimizer() !=
             make_test_function("quadratic", 5, b)->minimizer());
  BOOST_TEST(make_test_function("least-squares", 5, a)->minimizer() !=
             make_test_function("least-squares", 5, b)->minimizer());
}

BOOST_AUTO_TEST_CASE(overflow_is_returned_not_thrown) {
  auto f = make_test_function("rosenbrock", 2);
  f->parameters().w().setConstant(1e200);
  BOOST_TEST(!std::isfinite(f->value(Batch::all())));
  BOOST_TEST(!std::isfinite(f->gradient(Batch::all())));
}

BOOST_AUTO_TEST_CASE(unknown_names_and_wrong_dimensions_are_refused) {
  const std::string unknown = message_of("rosenbrok", 2);
  BOOST_TEST(unknown.find("unknown test function 'rosenbrok'") != std::string::npos);
  BOOST_TEST(unknown.find("did you mean 'rosenbrock'?") != std::string::npos);
  BOOST_TEST(unknown.find("rosenbrock, wood, powell, quadratic, least-squares") !=
             std::string::npos);
  BOOST_TEST(message_of("zzzzzzzz", 2).find("did you mean") == std::string::npos);
  BOOST_TEST(message_of("wood", 3) == "test function 'wood' takes n = 4 only, not n = 3");
  BOOST_TEST(message_of("rosenbrock", 1) == "test function 'rosenbrock' takes n ≥ 2, not n = 1");
  BOOST_TEST(message_of("least-squares", 0) ==
             "test function 'least-squares' takes n ≥ 1, not n = 0");
  TestFunctionOptions bad;
  bad.condition = 0.5;
  BOOST_CHECK_THROW(make_test_function("quadratic", 3, bad), Error);
}

BOOST_AUTO_TEST_CASE(a_batch_of_another_example_is_refused) {
  auto f = make_test_function("wood", 4);
  BOOST_TEST(f->value(Batch::of({0})) == f->value(Batch::all()));
  BOOST_CHECK_THROW(f->value(Batch::of({1})), Error);
}
