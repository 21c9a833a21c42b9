// The dlib peer of ebprop-optimize (bench/optimizers/run.sh): the same test problems solved the
// usual dlib way, counting evaluations by wrapping the functions.
//
//   dlib-optimize [--problems rosenbrock-2,rosenbrock-100,rosenbrock-1000,wood]
//                 [--methods cg,bfgs,lbfgs,newton,levenberg-marquardt] [--grad-tol 1e-6]
//
// Problems (as ebprop's optimize/test_functions.h defines them, E = Σ r²):
//   rosenbrock-N  chained Rosenbrock Σ_{i<N} 100 (x_{i+1} − x_i²)² + (1 − x_i)², start
//                 (−1.2, 1, −1.2, 1, …), minimum 0 at (1, …, 1)
//   wood          Wood's function (Moré, Garbow & Hillstrom no. 14), start (−3, −1, −3, −1)
// Methods:
//   cg, bfgs, lbfgs   find_min(cg_search_strategy() / bfgs_search_strategy() /
//                     lbfgs_search_strategy(10), gradient_norm_stop_strategy(grad-tol), f, ∇f)
//   newton            find_min(newton_search_strategy(∇²f), gradient_norm_stop_strategy, f, ∇f)
//   levenberg-marquardt  solve_least_squares_lm(gradient_norm_stop_strategy(grad-tol / 2), r_i,
//                     ∇r_i, samples): dlib minimizes ½ Σ r², whose gradient Jᵀr is half of ∇E,
//                     so its tolerance is halved for the same stop ‖∇E‖ < grad-tol
// Each (method, problem) prints one JSON line: evaluations (points at which f or ∇f was
// evaluated, a value and a gradient at the same point counting once, as ebprop's
// function+gradient evaluations do), values, gradients, hessians, residual and jacobian passes
// (LM: one pass = all residuals, or all their gradients), seconds, final E, ‖∇E‖ and ‖x − x*‖.
#include <dlib/optimization.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using column = dlib::matrix<double, 0, 1>;
using square = dlib::matrix<double>;

// A sum of squares E = Σ r_i(x)², r_i with sparse gradients (each touches at most two x's).
struct Problem {
  std::string name;
  column start;
  virtual ~Problem() = default;
  virtual long residuals() const = 0;
  virtual double residual(long i, const column& x) const = 0;
  // ∇r_i as (index, value) pairs; and the Hessian of r_i (at most one diagonal term here).
  virtual std::vector<std::pair<long, double>> residual_gradient(long i, const column& x) const = 0;
  virtual std::pair<long, double> residual_curvature(long i, const column& x) const = 0;

  double value(const column& x) const {
    double e = 0;
    for (long i = 0; i < residuals(); ++i) e += residual(i, x) * residual(i, x);
    return e;
  }
  column gradient(const column& x) const {  // 2 Jᵀ r
    column g = dlib::zeros_matrix<double>(x.size(), 1);
    for (long i = 0; i < residuals(); ++i) {
      const double r = residual(i, x);
      for (auto [j, d] : residual_gradient(i, x)) g(j) += 2 * r * d;
    }
    return g;
  }
  square hessian(const column& x) const {  // 2 (JᵀJ + Σ r_i ∇²r_i)
    square h = dlib::zeros_matrix<double>(x.size(), x.size());
    for (long i = 0; i < residuals(); ++i) {
      const auto row = residual_gradient(i, x);
      for (auto [j, a] : row)
        for (auto [k, b] : row) h(j, k) += 2 * a * b;
      const auto [j, c] = residual_curvature(i, x);
      if (j >= 0) h(j, j) += 2 * residual(i, x) * c;
    }
    return h;
  }
};

// r_{2i} = 10 (x_{i+1} − x_i²), r_{2i+1} = 1 − x_i.
struct Rosenbrock : Problem {
  explicit Rosenbrock(long n) {
    name = "rosenbrock-" + std::to_string(n);
    start.set_size(n);
    for (long i = 0; i < n; ++i) start(i) = i % 2 ? 1.0 : -1.2;
  }
  long residuals() const override { return 2 * (start.size() - 1); }
  double residual(long i, const column& x) const override {
    const long k = i / 2;
    return i % 2 ? 1 - x(k) : 10 * (x(k + 1) - x(k) * x(k));
  }
  std::vector<std::pair<long, double>> residual_gradient(long i, const column& x) const override {
    const long k = i / 2;
    if (i % 2) return {{k, -1.0}};
    return {{k, -20 * x(k)}, {k + 1, 10.0}};
  }
  std::pair<long, double> residual_curvature(long i, const column&) const override {
    return i % 2 ? std::pair<long, double>{-1, 0} : std::pair<long, double>{i / 2, -20.0};
  }
};

// r = (10 (x2 − x1²), 1 − x1, √90 (x4 − x3²), 1 − x3, √10 (x2 + x4 − 2), (x2 − x4)/√10), 1-based.
struct Wood : Problem {
  Wood() {
    name = "wood";
    start.set_size(4);
    start = -3, -1, -3, -1;
  }
  long residuals() const override { return 6; }
  double residual(long i, const column& x) const override {
    switch (i) {
      case 0:
        return 10 * (x(1) - x(0) * x(0));
      case 1:
        return 1 - x(0);
      case 2:
        return std::sqrt(90.0) * (x(3) - x(2) * x(2));
      case 3:
        return 1 - x(2);
      case 4:
        return std::sqrt(10.0) * (x(1) + x(3) - 2);
      default:
        return (x(1) - x(3)) / std::sqrt(10.0);
    }
  }
  std::vector<std::pair<long, double>> residual_gradient(long i, const column& x) const override {
    const double s90 = std::sqrt(90.0), s10 = std::sqrt(10.0);
    switch (i) {
      case 0:
        return {{0, -20 * x(0)}, {1, 10.0}};
      case 1:
        return {{0, -1.0}};
      case 2:
        return {{2, -2 * s90 * x(2)}, {3, s90}};
      case 3:
        return {{2, -1.0}};
      case 4:
        return {{1, s10}, {3, s10}};
      default:
        return {{1, 1 / s10}, {3, -1 / s10}};
    }
  }
  std::pair<long, double> residual_curvature(long i, const column&) const override {
    if (i == 0) return {0, -20.0};
    if (i == 2) return {2, -2 * std::sqrt(90.0)};
    return {-1, 0};
  }
};

// Counts what an optimizer asks for. A value and a gradient at the same point are one evaluation.
struct Counter {
  long values = 0, gradients = 0, hessians = 0, evaluations = 0, residual_passes = 0,
       jacobian_passes = 0;
  column last;
  void at(const column& x) {
    if (last.size() != x.size() || last != x) {
      ++evaluations;
      last = x;
    }
  }
};

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

void report(const std::string& method, const Problem& p, const Counter& c, const column& x,
            double seconds) {
  const column ones = dlib::ones_matrix<double>(x.size(), 1);
  std::cout << "{\"peer\": \"dlib\", \"method\": \"" << method << "\", \"problem\": \"" << p.name
            << "\", \"dim\": " << x.size() << ", \"evaluations\": " << c.evaluations
            << ", \"values\": " << c.values << ", \"gradients\": " << c.gradients
            << ", \"hessians\": " << c.hessians << ", \"residual_passes\": " << c.residual_passes
            << ", \"jacobian_passes\": " << c.jacobian_passes
            << ", \"loss\": " << number(p.value(x))
            << ", \"grad_norm\": " << number(dlib::length(p.gradient(x)))
            << ", \"distance\": " << number(dlib::length(x - ones))
            << ", \"seconds\": " << number(seconds) << "}" << std::endl;
}

constexpr unsigned long max_iterations = 1000000;

void solve(const std::string& method, const Problem& p, double grad_tol) {
  Counter c;
  column x = p.start;
  auto f = [&](const column& at) {
    ++c.values;
    c.at(at);
    return p.value(at);
  };
  auto g = [&](const column& at) {
    ++c.gradients;
    c.at(at);
    return p.gradient(at);
  };
  const auto start = std::chrono::steady_clock::now();
  const dlib::gradient_norm_stop_strategy stop(grad_tol, max_iterations);
  if (method == "cg") {
    dlib::find_min(dlib::cg_search_strategy(), stop, f, g, x, -1e300);
  } else if (method == "bfgs") {
    dlib::find_min(dlib::bfgs_search_strategy(), stop, f, g, x, -1e300);
  } else if (method == "lbfgs") {
    dlib::find_min(dlib::lbfgs_search_strategy(10), stop, f, g, x, -1e300);
  } else if (method == "newton") {
    auto h = [&](const column& at) {
      ++c.hessians;
      return p.hessian(at);
    };
    dlib::find_min(dlib::newton_search_strategy(h), stop, f, g, x, -1e300);
  } else if (method == "levenberg-marquardt") {
    std::vector<long> samples(static_cast<std::size_t>(p.residuals()));
    for (long i = 0; i < p.residuals(); ++i) samples[static_cast<std::size_t>(i)] = i;
    auto r = [&](long i, const column& at) {
      if (i == 0) {
        ++c.residual_passes;
        c.at(at);
      }
      return p.residual(i, at);
    };
    auto dr = [&](long i, const column& at) {
      if (i == 0) ++c.jacobian_passes;
      column d = dlib::zeros_matrix<double>(at.size(), 1);
      for (auto [j, v] : p.residual_gradient(i, at)) d(j) = v;
      return d;
    };
    dlib::solve_least_squares_lm(dlib::gradient_norm_stop_strategy(grad_tol / 2, max_iterations), r,
                                 dr, samples, x);
  } else {
    std::cerr << "dlib-optimize: unknown method '" << method << "'\n";
    std::exit(2);
  }
  report(method, p, c, x,
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream s(text);
  for (std::string part; std::getline(s, part, ',');) parts.push_back(part);
  return parts;
}

std::unique_ptr<Problem> make_problem(const std::string& name) {
  if (name == "wood") return std::make_unique<Wood>();
  if (name.rfind("rosenbrock-", 0) == 0) {
    const long n = std::stol(name.substr(11));
    if (n >= 2) return std::make_unique<Rosenbrock>(n);
  }
  std::cerr << "dlib-optimize: unknown problem '" << name << "' (rosenbrock-N, wood)\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string problems = "rosenbrock-2,rosenbrock-100,rosenbrock-1000,wood",
              methods = "cg,bfgs,lbfgs,newton,levenberg-marquardt";
  double grad_tol = 1e-6;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--problems")
      problems = argv[i + 1];
    else if (option == "--methods")
      methods = argv[i + 1];
    else if (option == "--grad-tol")
      grad_tol = std::stod(argv[i + 1]);
    else {
      std::cerr << "dlib-optimize: unknown option '" << option
                << "' (see its source's first lines)\n";
      return 2;
    }
  }
  for (const auto& name : split(problems)) {
    const auto problem = make_problem(name);
    for (const auto& method : split(methods)) solve(method, *problem, grad_tol);
  }
  return 0;
}
