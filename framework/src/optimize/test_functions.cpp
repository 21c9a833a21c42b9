#include "ebprop/optimize/test_functions.h"

#include <Eigen/QR>
#include <cmath>

#include "ebprop/error.h"

namespace ebprop::optimize {

TestFunction::TestFunction(std::string function, Vector<double> start, Vector<double> minimizer,
                           double minimum)
    : function_(std::move(function)),
      start_(std::move(start)),
      minimizer_(std::move(minimizer)),
      minimum_(minimum) {
  store_.declare("x", ParamSpec{"x", static_cast<int>(start_.size()), 1, 1, Init::zero});
  store_.allocate();
  reset();
}

TestFunction::~TestFunction() = default;

std::string TestFunction::name() const {
  return function_ + " (n = " + std::to_string(start_.size()) + ")";
}

Vector<double> TestFunction::residuals() const {
  if (!sum_of_squares_) throw Error(name() + " is not a sum of squares: it has no residuals");
  return residuals_at(store_.w());
}

Matrix<double> TestFunction::residual_jacobian() const {
  if (!sum_of_squares_) throw Error(name() + " is not a sum of squares: it has no Jacobian");
  return jacobian_at(store_.w());
}

double TestFunction::value_at(const Vector<double>& x) const {
  return residuals_at(x).squaredNorm();
}

void TestFunction::gradient_at(const Vector<double>& x, Vector<double>& g) const {
  g = 2 * jacobian_at(x).transpose() * residuals_at(x);
}

void TestFunction::hessian_vector_at(const Vector<double>& x, const Vector<double>& v,
                                     Vector<double>& hv) const {
  const Matrix<double> j = jacobian_at(x);
  hv = 2 * (j.transpose() * (j * v) + second_order_at(x) * v);
}

void TestFunction::check_batch(const Batch& batch) const {
  for (const int e : batch.examples())
    if (e != 0)
      throw Error(name() + " has one example (0); a batch asked for example " + std::to_string(e));
}

double TestFunction::compute_value(const Batch& batch) {
  check_batch(batch);
  return value_at(store_.w());
}

double TestFunction::compute_gradient(const Batch& batch, bool with_curvature) {
  check_batch(batch);
  gradient_at(store_.w(), store_.dw());
  // curvature(): the diagonal of the Gauss-Newton matrix, 2 diag(JᵀJ).
  if (with_curvature) store_.ddw() = 2 * jacobian_at(store_.w()).colwise().squaredNorm();
  return value_at(store_.w());
}

void TestFunction::compute_hessian_vector(const Batch& batch, const Vector<double>& v,
                                          Vector<double>& hv) {
  check_batch(batch);
  hessian_vector_at(store_.w(), v, hv);
}

void TestFunction::compute_gauss_newton_vector(const Batch& batch, const Vector<double>& v,
                                               Vector<double>& gv) {
  check_batch(batch);
  const Matrix<double> j = jacobian_at(store_.w());
  gv = 2 * j.transpose() * (j * v);
}

Matrix<double> TestFunction::compute_jacobian(const Batch& batch) {
  check_batch(batch);
  return residual_jacobian();
}

namespace {

// Chained Rosenbrock: r_{2i} = 10 (x_{i+1} − x_i²), r_{2i+1} = 1 − x_i, for i < n − 1. E, ∇E and
// H v are the O(n) formulas: the dense residual model would cost O(n²) per evaluation.
class Rosenbrock final : public TestFunction {
 public:
  explicit Rosenbrock(int n) : TestFunction("rosenbrock", initial(n), Vector<double>::Ones(n), 0) {}

 protected:
  Vector<double> residuals_at(const Vector<double>& x) const override {
    const Eigen::Index n = x.size();
    Vector<double> r(2 * (n - 1));
    for (Eigen::Index i = 0; i + 1 < n; ++i) {
      r[2 * i] = 10 * (x[i + 1] - x[i] * x[i]);
      r[2 * i + 1] = 1 - x[i];
    }
    return r;
  }
  Matrix<double> jacobian_at(const Vector<double>& x) const override {
    const Eigen::Index n = x.size();
    Matrix<double> j = Matrix<double>::Zero(2 * (n - 1), n);
    for (Eigen::Index i = 0; i + 1 < n; ++i) {
      j(2 * i, i) = -20 * x[i];
      j(2 * i, i + 1) = 10;
      j(2 * i + 1, i) = -1;
    }
    return j;
  }
  Matrix<double> second_order_at(const Vector<double>& x) const override {
    // ∇²r_{2i} = −20 at (i, i); the other residuals are linear.
    const Eigen::Index n = x.size();
    Matrix<double> s = Matrix<double>::Zero(n, n);
    for (Eigen::Index i = 0; i + 1 < n; ++i) s(i, i) = -200 * (x[i + 1] - x[i] * x[i]);
    return s;
  }
  double value_at(const Vector<double>& x) const override {
    double e = 0;
    for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
      const double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
      e += 100 * a * a + b * b;
    }
    return e;
  }
  void gradient_at(const Vector<double>& x, Vector<double>& g) const override {
    g.setZero(x.size());
    for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
      const double a = x[i + 1] - x[i] * x[i];
      g[i] += -400 * x[i] * a - 2 * (1 - x[i]);
      g[i + 1] += 200 * a;
    }
  }
  void hessian_vector_at(const Vector<double>& x, const Vector<double>& v,
                         Vector<double>& hv) const override {
    hv.setZero(x.size());
    for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
      const double diagonal = 1200 * x[i] * x[i] - 400 * x[i + 1] + 2, off = -400 * x[i];
      hv[i] += diagonal * v[i] + off * v[i + 1];
      hv[i + 1] += off * v[i] + 200 * v[i + 1];
    }
  }

 private:
  static Vector<double> initial(int n) {
    Vector<double> x(n);
    for (int i = 0; i < n; ++i) x[i] = i % 2 == 0 ? -1.2 : 1.0;
    return x;
  }
};

// Wood (Moré, Garbow & Hillstrom no. 14): r = (10 (x2 − x1²), 1 − x1, √90 (x4 − x3²), 1 − x3,
// √10 (x2 + x4 − 2), (x2 − x4)/√10), indices 1-based.
class Wood final : public TestFunction {
 public:
  Wood() : TestFunction("wood", initial(), Vector<double>::Ones(4), 0) {}

 protected:
  Vector<double> residuals_at(const Vector<double>& x) const override {
    Vector<double> r(6);
    r << 10 * (x[1] - x[0] * x[0]), 1 - x[0], std::sqrt(90.0) * (x[3] - x[2] * x[2]), 1 - x[2],
        std::sqrt(10.0) * (x[1] + x[3] - 2), (x[1] - x[3]) / std::sqrt(10.0);
    return r;
  }
  Matrix<double> jacobian_at(const Vector<double>& x) const override {
    const double s90 = std::sqrt(90.0), s10 = std::sqrt(10.0);
    Matrix<double> j(6, 4);
    j << -20 * x[0], 10, 0, 0,       //
        -1, 0, 0, 0,                 //
        0, 0, -2 * s90 * x[2], s90,  //
        0, 0, -1, 0,                 //
        0, s10, 0, s10,              //
        0, 1 / s10, 0, -1 / s10;
    return j;
  }
  Matrix<double> second_order_at(const Vector<double>& x) const override {
    const Vector<double> r = residuals_at(x);
    Matrix<double> s = Matrix<double>::Zero(4, 4);
    s(0, 0) = -20 * r[0];
    s(2, 2) = -2 * std::sqrt(90.0) * r[2];
    return s;
  }

 private:
  static Vector<double> initial() {
    Vector<double> x(4);
    x << -3, -1, -3, -1;
    return x;
  }
};

// Powell's singular function (Moré, Garbow & Hillstrom no. 13): r = (x1 + 10 x2, √5 (x3 − x4),
// (x2 − 2 x3)², √10 (x1 − x4)²), indices 1-based.
class Powell final : public TestFunction {
 public:
  Powell() : TestFunction("powell", initial(), Vector<double>::Zero(4), 0) {}

 protected:
  Vector<double> residuals_at(const Vector<double>& x) const override {
    const double a = x[1] - 2 * x[2], b = x[0] - x[3];
    Vector<double> r(4);
    r << x[0] + 10 * x[1], std::sqrt(5.0) * (x[2] - x[3]), a * a, std::sqrt(10.0) * b * b;
    return r;
  }
  Matrix<double> jacobian_at(const Vector<double>& x) const override {
    const double a = x[1] - 2 * x[2], b = x[0] - x[3], s5 = std::sqrt(5.0), s10 = std::sqrt(10.0);
    Matrix<double> j(4, 4);
    j << 1, 10, 0, 0,         //
        0, 0, s5, -s5,        //
        0, 2 * a, -4 * a, 0,  //
        2 * s10 * b, 0, 0, -2 * s10 * b;
    return j;
  }
  Matrix<double> second_order_at(const Vector<double>& x) const override {
    // ∇²r3 = 2 u uᵀ with u = (0, 1, −2, 0); ∇²r4 = 2√10 v vᵀ with v = (1, 0, 0, −1).
    const Vector<double> r = residuals_at(x);
    Vector<double> u(4), v(4);
    u << 0, 1, -2, 0;
    v << 1, 0, 0, -1;
    return 2 * r[2] * u * u.transpose() + 2 * std::sqrt(10.0) * r[3] * v * v.transpose();
  }

 private:
  static Vector<double> initial() {
    Vector<double> x(4);
    x << 3, -1, 0, 1;
    return x;
  }
};

// Residuals linear in x, r = M x − c: E = ‖M x − c‖², S = 0. The quadratic and least squares.
class LinearResiduals final : public TestFunction {
 public:
  LinearResiduals(std::string function, Matrix<double> m, Vector<double> c,
                  Vector<double> minimizer, double minimum)
      : TestFunction(std::move(function), Vector<double>::Zero(m.cols()), std::move(minimizer),
                     minimum),
        m_(std::move(m)),
        c_(std::move(c)) {}

 protected:
  Vector<double> residuals_at(const Vector<double>& x) const override { return m_ * x - c_; }
  Matrix<double> jacobian_at(const Vector<double>&) const override { return m_; }
  Matrix<double> second_order_at(const Vector<double>& x) const override {
    return Matrix<double>::Zero(x.size(), x.size());
  }
  void gradient_at(const Vector<double>& x, Vector<double>& g) const override {
    g = 2 * m_.transpose() * (m_ * x - c_);
  }
  void hessian_vector_at(const Vector<double>&, const Vector<double>& v,
                         Vector<double>& hv) const override {
    hv = 2 * m_.transpose() * (m_ * v);
  }

 private:
  Matrix<double> m_;
  Vector<double> c_;
};

Matrix<double> random_matrix(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
  Matrix<double> m(rows, cols);
  for (auto& v : m.reshaped()) v = 2 * uniform01(rng) - 1;
  return m;
}

// E = ½ (x − x*)ᵀ A (x − x*), A = Q Λ Qᵀ: the residuals r = (½Λ)^½ Qᵀ (x − x*).
std::unique_ptr<TestFunction> quadratic(int n, const TestFunctionOptions& options) {
  if (!(options.condition >= 1))
    throw Error("quadratic: the condition number must be at least 1, not " +
                std::to_string(options.condition));
  Rng rng(options.seed);
  const Matrix<double> q =
      Eigen::HouseholderQR<Matrix<double>>(random_matrix(n, n, rng)).householderQ() *
      Matrix<double>::Identity(n, n);
  const Vector<double> minimizer = random_matrix(n, 1, rng);
  Vector<double> half_root(n);  // (½ λ_k)^½, λ_k = condition^(k/(n−1)) from 1 to condition
  for (int k = 0; k < n; ++k)
    half_root[k] = std::sqrt(0.5 * std::pow(options.condition, n == 1 ? 0.0 : double(k) / (n - 1)));
  const Matrix<double> m = half_root.asDiagonal() * q.transpose();
  return std::make_unique<LinearResiduals>("quadratic", m, m * minimizer, minimizer, 0);
}

// E = ‖A x − b‖², A (2n × n) and b uniform in [−1, 1); x* from a QR solve.
std::unique_ptr<TestFunction> least_squares(int n, const TestFunctionOptions& options) {
  Rng rng(options.seed);
  const Matrix<double> a = random_matrix(2 * n, n, rng);
  const Vector<double> b = random_matrix(2 * n, 1, rng);
  const Vector<double> minimizer = a.colPivHouseholderQr().solve(b);
  return std::make_unique<LinearResiduals>("least-squares", a, b, minimizer,
                                           (a * minimizer - b).squaredNorm());
}

void check_dimension(const std::string& name, int n, bool ok, const std::string& takes) {
  if (!ok)
    throw Error("test function '" + name + "' takes " + takes + ", not n = " + std::to_string(n));
}

}  // namespace

const std::vector<std::string>& test_function_names() {
  static const std::vector<std::string> names = {"rosenbrock", "wood", "powell", "quadratic",
                                                 "least-squares"};
  return names;
}

std::unique_ptr<TestFunction> make_test_function(const std::string& name, int n,
                                                 const TestFunctionOptions& options) {
  if (name == "rosenbrock") {
    check_dimension(name, n, n >= 2, "n ≥ 2");
    return std::make_unique<Rosenbrock>(n);
  }
  if (name == "wood" || name == "powell") {
    check_dimension(name, n, n == 4, "n = 4 only");
    if (name == "wood") return std::make_unique<Wood>();
    return std::make_unique<Powell>();
  }
  if (name == "quadratic" || name == "least-squares") {
    check_dimension(name, n, n >= 1, "n ≥ 1");
    if (name == "quadratic") return quadratic(n, options);
    return least_squares(n, options);
  }
  std::string message = "unknown test function '" + printable(name) + "'";
  const std::string hint = did_you_mean(name, test_function_names());
  if (!hint.empty()) message += "; " + hint;
  throw Error(message + " (known test functions: " + join(test_function_names()) + ")");
}

}  // namespace ebprop::optimize
