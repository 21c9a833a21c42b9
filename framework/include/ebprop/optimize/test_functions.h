// Test functions: objectives with known minima, to test optimizers without a graph (after
// ensmallen's and Moré, Garbow & Hillstrom's collections).
//
// Each is an Objective<double> of one "example" (its only batch is Batch::all()) whose store has
// one parameter block, "x". Every derivative is analytic: gradient, Hessian (so hessian_vector is
// exact), and, for the sums of squares E = Σ_i r_i(x)², the residuals and their Jacobian, from
// which gauss_newton_vector is G v = 2 Jᵀ J v (the Hessian of Σ r² in r is 2I). curvature()
// gives the diagonal of the Gauss-Newton matrix 2 diag(JᵀJ) for a sum of squares, and the
// Hessian's diagonal otherwise. Evaluations at a point where E overflows return infinity, never
// throw.
//
//   rosenbrock     n ≥ 2 (chained): Σ_{i<n} 100 (x_{i+1} − x_i²)² + (1 − x_i)²; start
//                  (−1.2, 1, −1.2, 1, …); minimum 0 at (1, …, 1)
//   wood           n = 4; start (−3, −1, −3, −1); minimum 0 at (1, 1, 1, 1)
//   powell         n = 4 (Powell's singular function: its Hessian is singular at the minimum);
//                  start (3, −1, 0, 1); minimum 0 at 0
//   quadratic      n ≥ 1: E = ½ (x − x*)ᵀ A (x − x*) with A a random SPD matrix of condition
//                  number `condition` (eigenvalues spaced geometrically from 1 to condition, a
//                  random orthogonal basis from `seed`), a sum of squares of the residuals
//                  r = (½Λ)^½ Qᵀ (x − x*); start 0; x* random from `seed`; minimum 0
//   least-squares  n ≥ 1: E = ‖A x − b‖² with A random (2n × n, full rank) from `seed`;
//                  start 0; the minimum and its value from a QR solve
//
// OWNERSHIP: the caller owns the object; it owns its store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ebprop/objective.h"

namespace ebprop::optimize {

class TestFunction : public Objective<double> {
 public:
  ParameterStore<double>& parameters() override { return store_; }
  int examples() const override { return 1; }
  std::string name() const override;  // "rosenbrock (n = 2)"
  Batch sample(int) override { return Batch::all(); }

  const std::string& function() const { return function_; }  // "rosenbrock"
  const Vector<double>& start() const { return start_; }
  const Vector<double>& minimizer() const { return minimizer_; }
  double minimum() const { return minimum_; }
  bool is_sum_of_squares() const { return sum_of_squares_; }

  // Sums of squares: r(x) and J = ∂r/∂x at the current point. Throw Error otherwise.
  Vector<double> residuals() const;
  Matrix<double> residual_jacobian() const;

  // Moves the point to start().
  void reset() { store_.w() = start_; }

  ~TestFunction() override;

 protected:
  // A function of dimension start.size(), with its minimizer and minimum; the store has one block
  // "x" at `start`.
  TestFunction(std::string function, Vector<double> start, Vector<double> minimizer,
               double minimum);

  // At x, the residual model E = Σ_i r_i²: r, J = ∂r/∂x, and S = Σ_i r_i ∇²r_i, so that
  // ∇E = 2 Jᵀ r and ∇²E = 2 (JᵀJ + S).
  virtual Vector<double> residuals_at(const Vector<double>& x) const = 0;
  virtual Matrix<double> jacobian_at(const Vector<double>& x) const = 0;
  virtual Matrix<double> second_order_at(const Vector<double>& x) const = 0;
  // E, ∇E and H v at x: by default from the residual model (dense); a function of large
  // dimension overrides them with its sparse formulas.
  virtual double value_at(const Vector<double>& x) const;
  virtual void gradient_at(const Vector<double>& x, Vector<double>& g) const;
  virtual void hessian_vector_at(const Vector<double>& x, const Vector<double>& v,
                                 Vector<double>& hv) const;

  double compute_value(const Batch& batch) override;
  double compute_gradient(const Batch& batch, bool with_curvature) override;
  void compute_hessian_vector(const Batch& batch, const Vector<double>& v,
                              Vector<double>& hv) override;
  void compute_gauss_newton_vector(const Batch& batch, const Vector<double>& v,
                                   Vector<double>& gv) override;
  Matrix<double> compute_jacobian(const Batch& batch) override;

 private:
  void check_batch(const Batch& batch) const;  // all(), or examples that are all 0

  std::string function_;
  Vector<double> start_, minimizer_;
  double minimum_;
  bool sum_of_squares_ = true;  // every function here is one
  ParameterStore<double> store_;
};

struct TestFunctionOptions {
  double condition = 100;  // quadratic: the condition number of A
  std::uint64_t seed = 1;  // quadratic, least-squares: the random matrices
};

// The names above, in that order.
const std::vector<std::string>& test_function_names();

// Makes `name` of dimension n at its start. Throws Error naming the known functions (with a
// did-you-mean) for an unknown name, and saying which dimensions the function takes for a wrong n.
std::unique_ptr<TestFunction> make_test_function(const std::string& name, int n,
                                                 const TestFunctionOptions& options = {});

}  // namespace ebprop::optimize
