// cg_solve: linear conjugate gradient on (A + λI) δ = −g through products only.
#define BOOST_TEST_MODULE cg_solve
#include <ebprop/optimize/cg_solve.h>
#include <ebprop/parameters.h>

#include <Eigen/Dense>
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "test_util.h"

using namespace ebprop;
using namespace ebprop::optimize;
using Stop = CgSolveResult::Stop;

namespace {

// A symmetric matrix with the given eigenvalues in a random orthogonal basis.
Matrix<double> with_eigenvalues(const Vector<double>& eigenvalues, Rng& rng) {
  const auto n = eigenvalues.size();
  Matrix<double> m(n, n);
  for (auto& v : m.reshaped()) v = 2 * uniform01(rng) - 1;
  const Matrix<double> q = Eigen::HouseholderQR<Matrix<double>>(m).householderQ();
  return q * eigenvalues.asDiagonal() * q.transpose();
}

Vector<double> random_vector(Eigen::Index n, Rng& rng) { return test::random_matrix(n, 1, rng); }

CgProduct product_of(const Matrix<double>& a) {
  return [&a](const Vector<double>& v, Vector<double>& av) { av = a * v; };
}

double relative_residual(const Matrix<double>& a, double damping, const Vector<double>& delta,
                         const Vector<double>& g) {
  return (a * delta + damping * delta + g).norm() / g.norm();
}

}  // namespace

BOOST_AUTO_TEST_CASE(solves_an_spd_system_to_tolerance_within_n_iterations) {
  Rng rng(1);
  const int n = 30;
  Vector<double> eigenvalues(n);
  // Condition 100, evenly spaced. (Spaced geometrically, the same condition costs about 1.3 n
  // iterations in floating point: CG's directions lose their conjugacy.)
  for (int i = 0; i < n; ++i) eigenvalues[i] = 1 + 99.0 * i / (n - 1);
  const Matrix<double> a = with_eigenvalues(eigenvalues, rng);
  const Vector<double> g = random_vector(n, rng);
  CgSolveOptions options;
  options.tolerance = 1e-10;
  const CgSolveResult result = cg_solve(product_of(a), g, options);
  BOOST_TEST(cg_stop_name(result.stop) == "converged");
  BOOST_TEST(result.iterations <= n);
  BOOST_TEST(result.residual <= 1e-10);
  BOOST_TEST(relative_residual(a, 0, result.delta, g) <= 1e-9);
  BOOST_TEST((result.delta - a.ldlt().solve(-g)).norm() <= 1e-8 * result.delta.norm());
}

BOOST_AUTO_TEST_CASE(k_distinct_eigenvalues_take_at_most_k_iterations) {
  Rng rng(2);
  const int n = 40;
  Vector<double> eigenvalues(n);
  for (int i = 0; i < n; ++i) eigenvalues[i] = std::vector<double>{1, 10, 50}[i % 3];
  const Matrix<double> a = with_eigenvalues(eigenvalues, rng);
  const Vector<double> g = random_vector(n, rng);
  CgSolveOptions options;
  options.tolerance = 1e-10;
  const CgSolveResult result = cg_solve(product_of(a), g, options);
  BOOST_TEST(cg_stop_name(result.stop) == "converged");
  BOOST_TEST(result.iterations <= 3);
  BOOST_TEST(relative_residual(a, 0, result.delta, g) <= 1e-9);
}

BOOST_AUTO_TEST_CASE(damping_adds_lambda_times_the_identity) {
  Rng rng(3);
  const int n = 10;
  Vector<double> eigenvalues(n);
  for (int i = 0; i < n; ++i) eigenvalues[i] = i;  // singular: only the damping makes it SPD
  const Matrix<double> a = with_eigenvalues(eigenvalues, rng);
  const Vector<double> g = random_vector(n, rng);
  CgSolveOptions options;
  options.damping = 0.5;
  const CgSolveResult result = cg_solve(product_of(a), g, options);
  BOOST_TEST(cg_stop_name(result.stop) == "converged");
  BOOST_TEST(result.iterations <= n);
  const Matrix<double> damped = a + 0.5 * Matrix<double>::Identity(n, n);
  BOOST_TEST((result.delta - damped.llt().solve(-g)).norm() <= 1e-8 * result.delta.norm());
}

BOOST_AUTO_TEST_CASE(negative_curvature_in_the_first_direction_returns_minus_g) {
  Matrix<double> a = Vector<double>::LinSpaced(4, -1, 2).asDiagonal();
  Vector<double> g(4);
  g << 1, 0, 0, 0;  // along the eigenvalue −1
  const CgSolveResult result = cg_solve(product_of(a), g, {});
  BOOST_TEST(cg_stop_name(result.stop) == "negative curvature");
  BOOST_TEST(result.iterations == 1);
  BOOST_TEST(result.curvature == -1.0);
  BOOST_TEST(result.delta == -g);
  BOOST_TEST(result.residual == 1.0);
}

BOOST_AUTO_TEST_CASE(negative_curvature_later_returns_the_last_iterate_a_descent_direction) {
  Rng rng(4);
  const int n = 12;
  Vector<double> eigenvalues(n);
  for (int i = 0; i < n; ++i) eigenvalues[i] = i < 2 ? -0.1 * (i + 1) : 1.0 + i;
  const Matrix<double> a = with_eigenvalues(eigenvalues, rng);
  const Vector<double> g = random_vector(n, rng);
  const CgSolveResult result = cg_solve(product_of(a), g, {});
  BOOST_TEST(cg_stop_name(result.stop) == "negative curvature");
  BOOST_TEST(result.iterations > 1);
  BOOST_TEST(result.curvature <= 0.0);
  BOOST_TEST(g.dot(result.delta) < 0.0);
  // Damping beyond the most negative eigenvalue makes the system SPD again.
  CgSolveOptions damped;
  damped.damping = 0.5;
  BOOST_TEST(cg_stop_name(cg_solve(product_of(a), g, damped).stop) == "converged");
}

BOOST_AUTO_TEST_CASE(the_iteration_cap_is_respected) {
  Rng rng(5);
  const int n = 20;
  const Matrix<double> a = with_eigenvalues(Vector<double>::LinSpaced(n, 1, 1000), rng);
  CgSolveOptions options;
  options.max_iterations = 3;
  const CgSolveResult result = cg_solve(product_of(a), random_vector(n, rng), options);
  BOOST_TEST(cg_stop_name(result.stop) == "iteration cap");
  BOOST_TEST(result.iterations == 3);
  BOOST_TEST(result.residual > options.tolerance);
}

BOOST_AUTO_TEST_CASE(a_zero_gradient_needs_no_product) {
  int products = 0;
  const CgSolveResult result = cg_solve(
      [&](const Vector<double>& v, Vector<double>& av) {
        ++products;
        av = v;
      },
      Vector<double>::Zero(5), {});
  BOOST_TEST(cg_stop_name(result.stop) == "converged");
  BOOST_TEST(products == 0);
  BOOST_TEST(result.delta.isZero());
}

BOOST_AUTO_TEST_CASE(a_non_finite_product_is_returned_not_thrown) {
  const CgSolveResult result = cg_solve(
      [](const Vector<double>& v, Vector<double>& av) {
        av = v;
        av[0] = std::numeric_limits<double>::infinity();
      },
      Vector<double>::Ones(3), {});
  BOOST_TEST(cg_stop_name(result.stop) == "non-finite product");
  BOOST_TEST(result.delta == -Vector<double>::Ones(3));
  Vector<double> nan_g = Vector<double>::Ones(3);
  nan_g[1] = std::nan("");
  BOOST_TEST(cg_stop_name(cg_solve(product_of(Matrix<double>::Identity(3, 3)), nan_g, {}).stop) ==
             "non-finite product");
}
