// The strong-Wolfe line search of optimize/line_search.h: the accepted step meets both conditions
// on 1-D functions (Moré and Thuente's) and on the test functions along steepest descent, it
// backs off from trials that are not finite, and it refuses an ascent direction.
#define BOOST_TEST_MODULE line_search
#include <ebprop/error.h>
#include <ebprop/optimize/line_search.h>
#include <ebprop/optimize/test_functions.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <functional>

using namespace ebprop;
using namespace ebprop::optimize;

namespace {

// φ(x) of one variable as an objective; `nan_beyond`: NaN for x above it.
template <typename T>
class Function1D final : public Objective<T> {
 public:
  using F = std::function<double(double)>;
  Function1D(F value, F derivative, double nan_beyond = INFINITY)
      : value_(std::move(value)), derivative_(std::move(derivative)), nan_beyond_(nan_beyond) {
    store_.declare("x", ParamSpec{"x", 1, 1, 1, Init::zero});
    store_.allocate();
  }
  ParameterStore<T>& parameters() override { return store_; }
  int examples() const override { return 1; }
  std::string name() const override { return "φ"; }
  Batch sample(int) override { return Batch::all(); }

 protected:
  double compute_value(const Batch&) override { return at(value_); }
  double compute_gradient(const Batch&, bool) override {
    store_.dw()[0] = static_cast<T>(at(derivative_));
    return at(value_);
  }
  void compute_hessian_vector(const Batch&, const Vector<T>&, Vector<T>&) override {
    throw Error("no Hessian");
  }
  void compute_gauss_newton_vector(const Batch&, const Vector<T>&, Vector<T>&) override {
    throw Error("no Gauss-Newton");
  }
  Matrix<double> compute_jacobian(const Batch&) override { throw Error("no Jacobian"); }

 private:
  double at(const F& f) const {
    const double x = static_cast<double>(store_.w()[0]);
    return x > nan_beyond_ ? NAN : f(x);
  }
  F value_, derivative_;
  double nan_beyond_;
  ParameterStore<T> store_;
};

// Moré and Thuente (1994), functions 1-3 of their tests, in α from 0.
Function1D<double> more_thuente(int which) {
  switch (which) {
    case 1:  // −α/(α² + 2): the minimizer √2
      return {[](double a) { return -a / (a * a + 2); },
              [](double a) { return (a * a - 2) / ((a * a + 2) * (a * a + 2)); }};
    case 2:  // (α + 0.004)⁵ − 2(α + 0.004)⁴: the minimizer 1.6
      return {[](double a) { return std::pow(a + 0.004, 5) - 2 * std::pow(a + 0.004, 4); },
              [](double a) { return 5 * std::pow(a + 0.004, 4) - 8 * std::pow(a + 0.004, 3); }};
    default:  // −α + 2(1 − β)/(lπ) sin(lπα/2) with β = 0.01, l = 39: wiggles, the minimizer 1
      return {[](double a) {
                const double pi = std::acos(-1.0);
                return (a <= 1 - 0.01   ? 1 - a
                        : a <= 1 + 0.01 ? (a - 1) * (a - 1) / (2 * 0.01) + 0.01 / 2
                                        : a - 1) +
                       2 * (1 - 0.01) / (39 * pi) * std::sin(39 * pi / 2 * a);
              },
              [](double a) {
                const double pi = std::acos(-1.0);
                return (a <= 1 - 0.01   ? -1.0
                        : a <= 1 + 0.01 ? (a - 1) / 0.01
                                        : 1.0) +
                       (1 - 0.01) * std::cos(39 * pi / 2 * a);
              }};
  }
}

// From the objective's current point w0 along d: runs the search and checks its promises.
template <typename T>
LineSearchResult search_and_check(Objective<T>& f, const Vector<T>& d,
                                  const LineSearchOptions& options) {
  auto& p = f.parameters();
  const Vector<T> w0 = p.w();
  const double loss0 = f.gradient(Batch::all());
  const Vector<T> g0 = p.dw();
  const double slope0 = static_cast<double>(g0.dot(d));
  const auto before = f.counts().evaluations();
  const LineSearchResult r = line_search(f, Batch::all(), w0, loss0, g0, d, options);
  BOOST_TEST_INFO(f.name() << " from initial step " << options.initial_step << ", c2 " << options.c2
                           << ": " << r.failure);
  BOOST_TEST(r.wolfe);
  BOOST_TEST(r.failure.empty());
  BOOST_TEST(r.step > 0);
  BOOST_TEST(r.loss <= loss0 + options.c1 * r.step * slope0);              // sufficient decrease
  BOOST_TEST(std::abs(r.slope) <= options.c2 * std::abs(slope0) + 1e-12);  // curvature
  BOOST_TEST(r.evaluations == f.counts().evaluations() - before);
  // w is the accepted point and dw its gradient.
  const double tolerance = std::is_same_v<T, float> ? 1e-6 : 1e-15;
  BOOST_TEST((p.w() - (w0 + static_cast<T>(r.step) * d)).norm() <=
             tolerance * (1 + static_cast<double>(w0.norm())));
  const Vector<T> dw = p.dw();
  BOOST_TEST(f.gradient(Batch::all()) == r.loss);
  BOOST_TEST((p.dw() - dw).norm() == 0);
  BOOST_TEST(static_cast<double>(dw.dot(d)) == r.slope);
  return r;
}

Vector<double> one() { return Vector<double>::Ones(1); }

}  // namespace

BOOST_AUTO_TEST_CASE(strong_wolfe_on_more_thuente_functions) {
  for (int which = 1; which <= 3; ++which)
    for (const double c2 : {0.1, 0.9})
      for (const double initial : {1e-3, 1e-1, 10.0, 1e3}) {
        auto f = more_thuente(which);
        LineSearchOptions options;
        options.c1 = 1e-3;
        options.c2 = c2;
        options.initial_step = initial;
        search_and_check(f, one(), options);
      }
}

BOOST_AUTO_TEST_CASE(strong_wolfe_on_test_functions_along_steepest_descent) {
  const std::vector<std::pair<std::string, int>> functions = {
      {"rosenbrock", 2}, {"rosenbrock", 10},    {"wood", 4},         {"powell", 4},
      {"quadratic", 20}, {"least-squares", 10}, {"rosenbrock", 1000}};
  for (const auto& [name, n] : functions)
    for (const double c2 : {0.1, 0.9})
      for (const bool unit_step : {true, false}) {
        auto f = make_test_function(name, n);
        f->gradient(Batch::all());
        const Vector<double> d = -f->parameters().dw();
        LineSearchOptions options;
        options.c2 = c2;
        options.initial_step = unit_step ? 1 : 1 / d.norm();
        search_and_check(*f, d, options);
      }
}

BOOST_AUTO_TEST_CASE(a_quadratic_is_searched_to_its_exact_step) {
  // The cubic through two trials of a quadratic is that quadratic: zooming finds the exact
  // minimizer along d at once, so a tight c2 costs hardly anything.
  auto f = make_test_function("quadratic", 20);
  f->gradient(Batch::all());
  const Vector<double> d = -f->parameters().dw();
  LineSearchOptions options;
  options.c1 = 1e-10;
  options.c2 = 1e-8;
  options.initial_step = 10 / d.norm();
  const auto r = search_and_check(*f, d, options);
  BOOST_TEST(r.evaluations <= 3);
}

BOOST_AUTO_TEST_CASE(backs_off_from_trials_that_are_not_finite) {
  // (x − 1)², NaN beyond 1.5: the search starts in the NaN region, up to far out in it.
  for (const double initial : {2.0, 100.0, 1e8}) {
    Function1D<double> f([](double x) { return (x - 1) * (x - 1); },
                         [](double x) { return 2 * (x - 1); }, 1.5);
    LineSearchOptions options;
    options.initial_step = initial;
    const auto r = search_and_check(f, one(), options);
    BOOST_TEST(r.step < 1.5);
  }
  // Overflow of a test function: E is infinite far along the direction.
  auto rosenbrock = make_test_function("rosenbrock", 2);
  rosenbrock->gradient(Batch::all());
  LineSearchOptions options;
  options.initial_step = 1e120;
  search_and_check(*rosenbrock, Vector<double>(-rosenbrock->parameters().dw()), options);
}

BOOST_AUTO_TEST_CASE(works_in_float) {
  Function1D<float> f([](double x) { return (x - 3) * (x - 3) * (x - 3) * (x - 3) - x; },
                      [](double x) { return 4 * (x - 3) * (x - 3) * (x - 3) - 1; });
  LineSearchOptions options;
  options.c2 = 0.1;
  search_and_check(f, Vector<float>(Vector<float>::Ones(1)), options);
}

BOOST_AUTO_TEST_CASE(a_failed_search_leaves_the_best_point) {
  // One evaluation, a step that overshoots into a higher loss: the best point is w0 itself.
  Function1D<double> f([](double x) { return (x - 1) * (x - 1); },
                       [](double x) { return 2 * (x - 1); });
  f.parameters().w()[0] = 0;
  const double loss0 = f.gradient(Batch::all());
  const Vector<double> w0 = f.parameters().w(), g0 = f.parameters().dw();
  LineSearchOptions options;
  options.initial_step = 5;
  options.max_evaluations = 1;
  auto r = line_search(f, Batch::all(), w0, loss0, g0, one(), options);
  BOOST_TEST(!r.wolfe);
  BOOST_TEST(r.failure == "no step met the strong Wolfe conditions in 1 evaluations");
  BOOST_TEST(r.step == 0);
  BOOST_TEST(r.loss == loss0);
  BOOST_TEST(f.parameters().w()[0] == 0);
  BOOST_TEST(f.parameters().dw()[0] == g0[0]);
  // Two evaluations: 1.8, then the interpolated 1, which is lower: that one is kept.
  options.max_evaluations = 2;
  options.c2 = 0.1;
  options.initial_step = 1.8;
  f.parameters().w()[0] = 0;
  r = line_search(f, Batch::all(), w0, loss0, g0, one(), options);
  BOOST_TEST(r.wolfe);
  BOOST_TEST(r.step == 1.0, boost::test_tools::tolerance(1e-12));
  // Not enough evaluations to get flat (c2 tiny): the lowest trial, not the last, is kept.
  options.max_evaluations = 2;
  options.c1 = 1e-14;
  options.c2 = 1e-12;
  options.initial_step = 0.9;
  f.parameters().w()[0] = 0;
  r = line_search(f, Batch::all(), w0, loss0, g0, one(), options);
  BOOST_TEST(!r.wolfe);
  BOOST_TEST(f.parameters().w()[0] == r.step);
  BOOST_TEST(f.parameters().dw()[0] == 2 * (r.step - 1));
  BOOST_TEST(r.loss == (r.step - 1) * (r.step - 1));
}

BOOST_AUTO_TEST_CASE(an_ascent_direction_is_refused) {
  auto f = make_test_function("wood", 4);
  const double loss0 = f->gradient(Batch::all());
  const Vector<double> w0 = f->parameters().w(), g0 = f->parameters().dw();
  try {
    line_search(*f, Batch::all(), w0, loss0, g0, g0);
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find("wood (n = 4)") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("not a descent direction") != std::string::npos);
  }
  BOOST_CHECK_THROW(
      line_search(*f, Batch::all(), w0, loss0, g0, Vector<double>(Vector<double>::Zero(4))), Error);
  LineSearchOptions bad;
  bad.c1 = 0.5;
  bad.c2 = 0.1;
  BOOST_CHECK_THROW(line_search(*f, Batch::all(), w0, loss0, g0, Vector<double>(-g0), bad), Error);
  BOOST_CHECK_THROW(line_search(*f, Batch::all(), w0, loss0, g0, one()), Error);
  BOOST_TEST(f->counts().gradients == 1);  // nothing was evaluated by the refusals
}
