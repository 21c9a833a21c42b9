// The curvature library: Hessian-vector products (§7.5, Eq. 59), the Gauss-Newton matrix (Eq. 51)
// and bbprop (§7.3), and the λmax estimators (Eq. 60, 63, 64, Lanczos), in double precision.
#define BOOST_TEST_MODULE curvature
#include <ebprop/curvature/eigen.h>
#include <ebprop/curvature/matrices.h>
#include <ebprop/graph_objective.h>

#include <Eigen/QR>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <functional>

#include "test_util.h"

using namespace ebprop;
using namespace ebprop::curvature;
namespace tt = boost::test_tools;

namespace {

const char* mlp = R"(
x    = input shape=3 source=inputs
t    = input shape=2 source=targets
h    = linear(x) outputs=4
a    = stanh(h)
s    = linear(a) outputs=2
o    = stanh(s)
loss = mse(o, t)
)";

// Two losses on one hidden layer, the output layers sharing their weight matrix (§4.7).
const char* shared = R"(
x  = input shape=3 source=inputs
t  = input shape=2 source=targets
h  = linear(x) outputs=4
a  = stanh(h)
o1 = linear(a) outputs=2
o2 = linear(a) outputs=2 share.weight=o1.weight
y2 = tanh(o2)
l1 = mse(o1, t)
l2 = mse(y2, t)
)";

// Two hidden layers: where bbprop stops being the exact Gauss-Newton diagonal (LESSONS).
const char* deep = R"(
x    = input shape=3 source=inputs
t    = input shape=2 source=targets
h1   = linear(x) outputs=4
a1   = stanh(h1)
h2   = linear(a1) outputs=4
a2   = stanh(h2)
s    = linear(a2) outputs=2
o    = stanh(s)
loss = mse(o, t)
)";

// LMS (§5): E = ½ mean (wᵀx)², whose Hessian is the input covariance XXᵀ/P.
const char* lms = R"(
x    = input shape=2 source=inputs
t    = input shape=1 source=targets
y    = linear(x) outputs=1 bias=false
loss = mse(y, t)
)";

data::Dataset noise_data(int inputs, int targets, int examples, std::uint64_t seed) {
  Rng rng(seed);
  data::Dataset d;
  d.name = "random.csv";
  d.input_shape = {inputs};
  d.inputs.resize(inputs, examples);
  d.targets.resize(targets, examples);
  for (float& x : d.inputs.reshaped()) x = static_cast<float>(2 * uniform01(rng) - 1);
  for (float& x : d.targets.reshaped()) x = static_cast<float>(2 * uniform01(rng) - 1);
  return d;
}

Vector<double> random_unit(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  Vector<double> v(n);
  for (double& x : v) x = 2 * uniform01(rng) - 1;
  return v.normalized();
}

double relative(const Vector<double>& a, const Vector<double>& b) {
  return (a - b).norm() / b.norm();
}

// H e_k for every k by the R-operator, NOT symmetrized.
Matrix<double> exact_columns(Loss& loss) {
  const std::int64_t n = loss.dimension();
  Matrix<double> h(n, n);
  Vector<double> column;
  for (std::int64_t k = 0; k < n; ++k) {
    loss.hessian_vector(Vector<double>::Unit(n, k), column, HvpMethod::exact);
    h.col(k) = column;
  }
  return h;
}

// The what() of the exception of type E that f throws, or a description of what went wrong.
template <typename E, typename F>
std::string message_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "nothing thrown";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// stanh without R-operator passes: forces the finite-difference paths.
template <typename T>
class PlainStanh final : public Module<T> {
 public:
  explicit PlainStanh(const Settings&) {}
  Shape output_shape(const std::vector<Shape>& in) override { return in.at(0); }
  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(in[0]->batch());
    const auto t = (T(2) / T(3) * in[0]->x.array()).tanh().eval();
    out.x = T(1.7159) * t.matrix();
    slope_ = T(1.7159) * T(2) / T(3) * (T(1) - t.square());
  }
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    in[0]->dx.array() += out.dx.array() * slope_;
  }
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    in[0]->ddx.array() += out.ddx.array() * slope_.square();
  }

 private:
  Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic> slope_;
};

const Registry& registry_without_r() {
  static const Registry registry = [] {
    Registry r = test::plugins();
    r.add_module<PlainStanh>({"plain_stanh", "stanh without R-passes", {"x"}, {}, false});
    return r;
  }();
  return registry;
}

std::unique_ptr<Graph<double>> graph_without_r(std::string text) {
  for (std::size_t at; (at = text.find("= stanh(")) != std::string::npos;)
    text.replace(at, 8, "= plain_stanh(");
  Rng rng(1);
  return std::make_unique<Graph<double>>(parse_graph(text, "test.graph"), registry_without_r(),
                                         rng);
}

// An independent bbprop (Eq. 53-56) for the `deep` graph, averaged over the examples.
Vector<double> hand_bbprop(Graph<double>& graph, const data::Dataset& data) {
  auto& p = graph.parameters();
  Vector<double> diagonal = Vector<double>::Zero(p.size());
  const auto map = [&](Vector<double>& v, const std::string& name) {
    const ParamBlock& b = *p.find(name);
    return Eigen::Map<Matrix<double>>(v.data() + b.offset, b.rows, b.cols);
  };
  const std::vector<std::string> layers{"h1", "h2", "s"};
  const double scale = 1.0 / data.size();
  for (int q = 0; q < data.size(); ++q) {
    std::vector<Vector<double>> input(3);
    std::vector<Eigen::ArrayXd> slope(3);
    Vector<double> y = data.inputs.col(q).cast<double>();
    for (int l = 0; l < 3; ++l) {
      input[l] = y;
      const Eigen::ArrayXd t =
          ((map(p.w(), layers[l] + ".weight") * y + map(p.w(), layers[l] + ".bias")).array() * 2 /
           3)
              .tanh();
      slope[l] = 1.7159 * 2 / 3 * (1 - t.square());
      y = 1.7159 * t.matrix();
    }
    Eigen::ArrayXd dd = Eigen::ArrayXd::Ones(2);  // ∂²E/∂o² of MSE
    for (int l = 2; l >= 0; --l) {
      const Eigen::ArrayXd da = dd * slope[l].square();  // Eq. 53
      map(diagonal, layers[l] + ".weight") +=
          scale * da.matrix() * input[l].array().square().matrix().transpose();  // Eq. 54
      map(diagonal, layers[l] + ".bias") += scale * da.matrix();
      dd = map(p.w(), layers[l] + ".weight").array().square().matrix().transpose() *
           da.matrix();  // Eq. 56
    }
  }
  return diagonal;
}

// Eq. 64 written out, with the estimator's draws: the start vector, then one example per step.
// With leak_on_new_term false it is Ψ ← (1 − γ)Ψ + H_p Ψ̂, the update with γ left out.
EigenEstimate by_hand(Loss& loss, int presentations, double gamma, double alpha, std::uint64_t seed,
                      bool leak_on_new_term) {
  Rng rng(seed);
  Vector<double> psi(loss.dimension()), g0, g1;
  for (double& x : psi) x = 2 * uniform01(rng) - 1;
  psi.normalize();
  EigenEstimate result;
  for (int t = 0; t < presentations; ++t) {
    const int p = std::min(loss.examples() - 1, static_cast<int>(uniform01(rng) * loss.examples()));
    loss.example_gradient(p, g0);
    const Vector<double> w = loss.weights();
    loss.weights() = w + alpha * psi.normalized();
    loss.example_gradient(p, g1);
    loss.weights() = w;
    psi = (1 - gamma) * psi + (leak_on_new_term ? gamma : 1.0) * (g1 - g0) / alpha;
    result.history.push_back(psi.norm());
  }
  return result;
}

Vector<double> as_vector(const std::vector<double>& values) {
  return Eigen::Map<const Vector<double>>(values.data(), static_cast<Eigen::Index>(values.size()));
}

double tail_mean(const std::vector<double>& history) {
  double sum = 0;
  for (std::size_t i = history.size() - 1000; i < history.size(); ++i) sum += history[i];
  return sum / 1000;
}

Vector<double> block_of(const Vector<double>& v, Graph<double>& graph, const std::string& name) {
  const ParamBlock& b = *graph.parameters().find(name);
  return v.segment(b.offset, b.size());
}

}  // namespace

BOOST_AUTO_TEST_CASE(exact_hessian_vector_products_match_finite_differences) {
  for (const char* text : {mlp, shared}) {
    auto graph = test::graph_from<double>(text);
    const auto data = noise_data(3, 2, 20, 2);
    Loss loss(*graph, data);
    BOOST_TEST(loss.exact_hvp_available());
    const Matrix<double> h = full_hessian(loss, 1e-5);
    const Vector<double> v = random_unit(loss.dimension(), 3);
    Vector<double> exact, fd;
    loss.hessian_vector(v, exact, HvpMethod::exact);
    loss.hessian_vector(v, fd, HvpMethod::finite_difference);
    BOOST_TEST_MESSAGE("H v: exact vs FD Hessian " << relative(exact, h * v)
                                                   << ", vs default-step FD HVP "
                                                   << relative(exact, fd));
    BOOST_TEST(relative(exact, h * v) <= 1e-8);
    BOOST_TEST(relative(exact, fd) <= 1e-8);  // central differences at the cbrt(eps) step
  }
}

BOOST_AUTO_TEST_CASE(the_exact_hessian_is_symmetric) {
  for (const char* text : {mlp, shared}) {
    auto graph = test::graph_from<double>(text);
    const auto data = noise_data(3, 2, 20, 4);
    Loss loss(*graph, data);
    const Matrix<double> h = exact_columns(loss);
    const double asymmetry = (h - h.transpose()).cwiseAbs().maxCoeff() / h.cwiseAbs().maxCoeff();
    const Vector<double> u = random_unit(loss.dimension(), 5), v = random_unit(loss.dimension(), 6);
    Vector<double> hu, hv;
    loss.hessian_vector(u, hu);
    loss.hessian_vector(v, hv);
    const double gap = std::abs(u.dot(hv) - v.dot(hu)) / (hu.norm() + hv.norm());
    BOOST_TEST_MESSAGE("max |H - Hᵀ| / max |H| = " << asymmetry << ", |uᵀHv - vᵀHu| = " << gap);
    BOOST_TEST(asymmetry <= 1e-10);
    BOOST_TEST(gap <= 1e-10);
  }
}

BOOST_AUTO_TEST_CASE(chunks_give_the_mean_over_all_examples) {
  auto graph = test::graph_from<double>(shared);
  const auto data = noise_data(3, 2, 23, 7);
  Loss whole(*graph, data), chunked(*graph, data, 5);
  Vector<double> g1, g2, g, mean = Vector<double>::Zero(whole.dimension());
  double e = 0;
  for (int p = 0; p < data.size(); ++p) {
    e += whole.example_gradient(p, g) / data.size();
    mean += g / data.size();
  }
  BOOST_TEST(whole.gradient(g1) == e, tt::tolerance(1e-13));
  BOOST_TEST(chunked.gradient(g2) == e, tt::tolerance(1e-13));
  BOOST_TEST(chunked.value() == e, tt::tolerance(1e-13));
  BOOST_TEST(relative(g1, mean) <= 1e-13);
  BOOST_TEST(relative(g2, mean) <= 1e-13);
  const Vector<double> v = random_unit(whole.dimension(), 8);
  whole.hessian_vector(v, g1);
  chunked.hessian_vector(v, g2);
  BOOST_TEST(relative(g2, g1) <= 1e-13);
  whole.bbprop_diagonal(g1);
  chunked.bbprop_diagonal(g2);
  BOOST_TEST(relative(g2, g1) <= 1e-13);
  BOOST_TEST(relative(chunked.gauss_newton().reshaped(), whole.gauss_newton().reshaped()) <= 1e-13);
}

// Eq. 59 with central differences: the error is O(s²), so halving s divides it by 4.
BOOST_AUTO_TEST_CASE(finite_difference_error_is_second_order_in_the_step) {
  auto graph = test::graph_from<double>(mlp);
  const auto data = noise_data(3, 2, 20, 9);
  Loss loss(*graph, data);
  const Vector<double> v = random_unit(loss.dimension(), 10);
  Vector<double> exact, fd;
  loss.hessian_vector(v, exact, HvpMethod::exact);
  std::vector<double> errors;
  for (double step : {1e-2, 5e-3, 2.5e-3}) {
    loss.hessian_vector(v, fd, HvpMethod::finite_difference, step);
    errors.push_back(relative(fd, exact));
  }
  BOOST_TEST_MESSAGE("FD HVP error at 1e-2, 5e-3, 2.5e-3: " << errors[0] << ", " << errors[1]
                                                            << ", " << errors[2]);
  BOOST_TEST(errors[0] / errors[1] == 4.0, tt::tolerance(0.1));
  BOOST_TEST(errors[1] / errors[2] == 4.0, tt::tolerance(0.1));
}

BOOST_AUTO_TEST_CASE(power_method_matches_a_dense_solver_on_random_symmetric_matrices) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Rng rng(seed);
    Matrix<double> a(30, 30);
    for (double& x : a.reshaped()) x = 2 * uniform01(rng) - 1;
    const Matrix<double> spd = a * a.transpose() / 30 + Matrix<double>::Identity(30, 30);
    const EigenEstimate estimate = power_method(spd, 5000, 1e-14, seed);
    const double lambda = spectrum(spd)[0];
    BOOST_TEST_MESSAGE("SPD seed " << seed << ": λmax " << lambda << ", power method off by "
                                   << std::abs(estimate.lambda / lambda - 1) << " after "
                                   << estimate.iterations);
    BOOST_TEST(estimate.converged);
    BOOST_TEST(estimate.lambda == lambda, tt::tolerance(1e-8));
    BOOST_TEST(estimate.rayleigh == lambda, tt::tolerance(1e-8));
    BOOST_TEST((spd * estimate.vector - lambda * estimate.vector).norm() <= 1e-3 * lambda);
  }
  // A dominant negative eigenvalue: ‖HΨ‖ gives its size, the Rayleigh quotient its sign.
  const Matrix<double> q =
      Eigen::HouseholderQR<Matrix<double>>(Matrix<double>::Random(6, 6)).householderQ();
  Vector<double> values(6);
  values << -5, 3, 2, 1, 0.5, -0.1;
  const EigenEstimate negative =
      power_method(Matrix<double>(q * values.asDiagonal() * q.transpose()));
  BOOST_TEST(negative.lambda == 5.0, tt::tolerance(1e-8));
  BOOST_TEST(negative.rayleigh == -5.0, tt::tolerance(1e-8));
}

// λ2/λ1 = 0.97: the power method needs hundreds of iterations. Stopped at a cap it says so
// (converged false) and its residual bounds its distance to an eigenvalue; run long enough, it
// converges and the residual is small. Against the dense solver's eigenvalues.
BOOST_AUTO_TEST_CASE(the_power_method_reports_convergence_and_its_residual) {
  const Matrix<double> q =
      Eigen::HouseholderQR<Matrix<double>>(Matrix<double>::Random(8, 8)).householderQ();
  Vector<double> values(8);
  values << 1.0, 0.97, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05;
  const Matrix<double> m = q * values.asDiagonal() * q.transpose();
  const Matrix<double> symmetric = (m + m.transpose()) / 2;
  const EigenEstimate capped = power_method(symmetric, 20, 1e-9);
  BOOST_TEST(!capped.converged);
  BOOST_TEST(capped.iterations == 20);
  BOOST_TEST(capped.residual > 1e-3);  // Ψ still mixes the two top eigenvectors
  const Vector<double> exact = spectrum(symmetric);
  const double nearest = (exact.array() - capped.rayleigh).abs().minCoeff();
  BOOST_TEST(nearest <= capped.residual * std::abs(capped.rayleigh) * (1 + 1e-12));
  const EigenEstimate done = power_method(symmetric, 5000, 1e-13);
  BOOST_TEST(done.converged);
  BOOST_TEST(done.residual < 1e-5);
  BOOST_TEST(done.lambda == 1.0, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(estimators_find_the_largest_eigenvalue_of_a_network_hessian) {
  auto graph = test::graph_from<double>(mlp, 3);
  const auto data = noise_data(3, 2, 30, 11);
  Loss loss(*graph, data);
  const Vector<double> values = spectrum(full_hessian_exact(loss));
  const double dominant = std::abs(values[0]) >= std::abs(values[values.size() - 1])
                              ? values[0]
                              : values[values.size() - 1];
  const EigenEstimate power = power_method(loss, 2000, 1e-13);
  const EigenEstimate taylor = taylor_estimate(loss, 200, 1e-6);
  BOOST_TEST_MESSAGE("net Hessian: spectrum "
                     << values.head(3).transpose() << " ... " << values.tail(2).transpose()
                     << "; power off by " << std::abs(power.lambda / values[0] - 1) << " ("
                     << power.iterations << " it.), rayleigh " << power.rayleigh
                     << "; taylor off by " << std::abs(taylor.lambda / values[0] - 1));
  BOOST_TEST(power.converged);
  BOOST_TEST(power.lambda == std::abs(dominant), tt::tolerance(1e-6));
  BOOST_TEST((power.rayleigh > 0) == (dominant > 0));
  BOOST_TEST(taylor.lambda == std::abs(dominant), tt::tolerance(1e-4));
}

BOOST_AUTO_TEST_CASE(lanczos_finds_the_top_of_the_spectrum) {
  const char* wide = R"(
x    = input shape=5 source=inputs
t    = input shape=3 source=targets
h    = linear(x) outputs=8
a    = stanh(h)
o    = linear(a) outputs=3
loss = mse(o, t)
)";
  auto graph = test::graph_from<double>(wide);
  const auto data = noise_data(5, 3, 40, 12);
  Loss loss(*graph, data);
  const Vector<double> values = spectrum(full_hessian_exact(loss));
  const Vector<double> top = lanczos(loss, 3);
  BOOST_TEST_MESSAGE("Lanczos, " << loss.dimension() << " weights, 26 steps: " << top.transpose()
                                 << ", off by " << relative(top, values.head(3)));
  BOOST_TEST(relative(top, values.head(3)) <= 1e-6);

  // H = I: the Krylov space closes after one step; fresh vectors find the repeated eigenvalue.
  std::string text = lms;
  text.replace(text.find("shape=2"), 7, "shape=3");
  auto identity = test::graph_from<double>(text);
  auto basis = noise_data(3, 1, 3, 25);
  basis.inputs = Eigen::Matrix3f::Identity() * std::sqrt(3.0f);
  basis.targets.setZero();
  Loss quadratic(*identity, basis);
  BOOST_TEST(relative(lanczos(quadratic, 3, 3), Vector<double>::Ones(3)) <= 1e-6);
}

// §5 and LESSONS: Eq. 64 with the leak converges to λmax; without γ on the new term, to λ/γ.
BOOST_AUTO_TEST_CASE(the_online_estimate_converges_to_lambda_max_on_a_quadratic) {
  auto graph = test::graph_from<double>(lms);
  auto data = noise_data(2, 1, 200, 13);
  Eigen::Matrix2f mix;
  mix << 2.0f, 0.5f, 0.5f, 0.7f;
  data.inputs = mix * data.inputs;
  data.targets.setZero();
  const Matrix<double> x = data.inputs.cast<double>();
  const double lambda = spectrum(x * x.transpose() / data.size())[0];
  Loss loss(*graph, data);
  const Matrix<double> covariance = x * x.transpose() / data.size();
  BOOST_TEST(relative(full_hessian_exact(loss).reshaped(), covariance.reshaped()) <= 1e-12);
  BOOST_TEST(relative(loss.gauss_newton().reshaped(), covariance.reshaped()) <= 1e-12);
  const double gamma = 0.01, alpha = 1e-4;
  const EigenEstimate online = online_estimate(loss, 3000, gamma, alpha, 14);
  const EigenEstimate leaky = by_hand(loss, 3000, gamma, alpha, 14, true);
  const EigenEstimate no_leak = by_hand(loss, 3000, gamma, alpha, 14, false);
  const double online_tail = tail_mean(online.history), no_leak_tail = tail_mean(no_leak.history);
  BOOST_TEST_MESSAGE("λmax " << lambda << ": online (γ = 0.01, 3000) " << online.lambda
                             << ", mean of the last 1000 " << online_tail << "; without the leak "
                             << no_leak_tail << " = λ/γ × " << no_leak_tail * gamma / lambda);
  BOOST_TEST(relative(as_vector(online.history), as_vector(leaky.history)) <= 1e-12);
  BOOST_TEST(online.rayleigh == online.lambda, tt::tolerance(1e-3));
  BOOST_TEST(online_tail == lambda, tt::tolerance(0.1));
  BOOST_TEST(online.lambda == lambda, tt::tolerance(0.15));
  BOOST_TEST(no_leak_tail == lambda / gamma, tt::tolerance(0.1));
  // On a quadratic the update depends on Ψ only through Ψ̂: once the start is forgotten the
  // unleaked Ψ is exactly the leaked one divided by γ.
  BOOST_TEST(no_leak.history.back() * gamma == online.lambda, tt::tolerance(1e-6));
}

// LESSONS: with a bias input the LMS Hessian [[C, m], [mᵀ, 1]] has a third eigenvalue, 1 for
// centred inputs: η_max = 2/λmax is 2.0 here, not 2/0.84 = 2.38 from the input covariance alone.
BOOST_AUTO_TEST_CASE(a_bias_adds_an_eigenvalue_to_the_lms_hessian) {
  std::string text = lms;
  text.replace(text.find(" bias=false"), 11, "");
  auto graph = test::graph_from<double>(text);
  auto data = noise_data(2, 1, 400, 16);
  data.inputs.row(1) *= 0.3f;
  data.inputs = (data.inputs.colwise() - data.inputs.rowwise().mean()).eval();
  const Matrix<double> x = data.inputs.cast<double>();
  Matrix<double> covariance = x * x.transpose() / data.size();
  data.inputs *= static_cast<float>(std::sqrt(0.84 / spectrum(covariance)[0]));
  covariance *= 0.84 / spectrum(covariance)[0];
  Loss loss(*graph, data);
  const Vector<double> values = spectrum(full_hessian_exact(loss));
  const EigenEstimate power = power_method(loss, 1000, 1e-13);
  BOOST_TEST_MESSAGE("LMS with bias: spectrum " << values.transpose()
                                                << "; η_max = 2/λmax = " << 2 / power.lambda
                                                << " vs 2/λ(C) = " << 2 / spectrum(covariance)[0]);
  BOOST_TEST(values.size() == 3);
  BOOST_TEST(values[0] == 1.0, tt::tolerance(1e-6));
  BOOST_TEST(relative(values.tail(2), spectrum(covariance)) <= 1e-5);
  BOOST_TEST(2 / power.lambda == 2 / values[0], tt::tolerance(1e-6));
  BOOST_TEST(2 / power.lambda < 0.9 * 2 / spectrum(covariance)[0]);
}

BOOST_AUTO_TEST_CASE(bbprop_is_the_gauss_newton_diagonal_only_near_the_output) {
  auto graph = test::graph_from<double>(deep, 5);
  const auto data = noise_data(3, 2, 25, 17);
  Loss loss(*graph, data);
  Vector<double> bbprop;
  loss.bbprop_diagonal(bbprop);
  const Vector<double> exact = loss.gauss_newton().diagonal();
  const double by_hand = relative(bbprop, hand_bbprop(*graph, data));
  BOOST_TEST(by_hand <= 1e-12);
  // The last two layers: exact (a single path from each weight to each output).
  double near = 0;
  for (const char* name : {"s.weight", "s.bias", "h2.weight", "h2.bias"}) {
    near = std::max(near, relative(block_of(bbprop, *graph, name), block_of(exact, *graph, name)));
    BOOST_TEST(near <= 1e-10, name);
  }
  const double first =
      relative(block_of(bbprop, *graph, "h1.weight"), block_of(exact, *graph, "h1.weight"));
  BOOST_TEST_MESSAGE("bbprop vs hand recursion " << by_hand << "; vs exact GGN diagonal: last two "
                                                 << "layers " << near << ", first layer " << first);
  BOOST_TEST(first > 0.01);
}

// At zero residual the Hessian of MSE is its Gauss-Newton part (Eq. 51): make the targets the
// outputs (rounded to float, so the residual is about 1e-8).
BOOST_AUTO_TEST_CASE(gauss_newton_is_the_hessian_at_zero_residual) {
  auto graph = test::graph_from<double>(deep, 6);
  auto data = noise_data(3, 2, 15, 18);
  graph->node("x").state.x = data.inputs.cast<double>();
  graph->node("t").state.x = data.targets.cast<double>();
  graph->fprop();
  data.targets = graph->node("o").state.x.cast<float>();
  Loss loss(*graph, data);
  const Matrix<double> h = full_hessian_exact(loss);
  const double gap = (loss.gauss_newton() - h).norm() / h.norm();
  BOOST_TEST_MESSAGE("zero residual: ‖G - H‖/‖H‖ = " << gap);
  BOOST_TEST(gap <= 1e-6);
}

// Without R-passes: finite differences, a note saying so once, and the same numbers.
BOOST_AUTO_TEST_CASE(without_r_passes_the_tools_fall_back_to_finite_differences) {
  auto plain = graph_without_r(shared);
  auto exact = test::graph_from<double>(shared);
  BOOST_REQUIRE(plain->parameters().w() == exact->parameters().w());
  const auto data = noise_data(3, 2, 20, 19);
  Loss fd(*plain, data), reference(*exact, data);
  BOOST_TEST(!fd.exact_hvp_available());
  const Vector<double> v = random_unit(fd.dimension(), 20);
  Vector<double> a, b;
  fd.hessian_vector(v, a);
  fd.hessian_vector(v, a);
  reference.hessian_vector(v, b);
  BOOST_TEST_MESSAGE("FD fallback: H v " << relative(a, b) << ", Gauss-Newton "
                                         << relative(fd.gauss_newton().reshaped(),
                                                     reference.gauss_newton().reshaped()));
  BOOST_TEST(relative(a, b) <= 1e-6);
  BOOST_TEST(relative(fd.gauss_newton().reshaped(), reference.gauss_newton().reshaped()) <= 1e-8);
  BOOST_TEST(reference.notes().empty());
  BOOST_REQUIRE(fd.notes().size() == 2u);
  BOOST_TEST(fd.notes()[0] ==
             "exact Hessian-vector products need R-operator passes; nodes without them: a — using "
             "finite differences (Eq. 59)");
  BOOST_TEST(contains(fd.notes()[1], "finite differences of fprop"));
  BOOST_TEST(contains(message_of<Error>([&] { fd.hessian_vector(v, a, HvpMethod::exact); }),
                      "without R-operator passes: a"));
  BOOST_TEST(contains(message_of<Error>([&] { full_hessian_exact(fd); }), "passes: a"));
}

// Every perturbation is undone by copying the saved weights back, bit for bit.
BOOST_AUTO_TEST_CASE(every_tool_leaves_the_weights_as_it_found_them) {
  auto graph = graph_without_r(mlp);
  const auto data = noise_data(3, 2, 10, 21);
  Loss loss(*graph, data);
  const Vector<double> w = loss.weights();
  Vector<double> hv;
  loss.hessian_vector(random_unit(loss.dimension(), 22), hv);
  full_hessian(loss);
  loss.gauss_newton();
  taylor_estimate(loss, 5);
  online_estimate(loss, 20);
  BOOST_TEST((loss.weights().array() == w.array()).all());
}

BOOST_AUTO_TEST_CASE(every_estimator_refuses_bad_input) {
  auto graph = test::graph_from<double>(mlp);
  auto data = noise_data(3, 2, 10, 23);
  Loss loss(*graph, data);
  const std::int64_t n = loss.dimension();
  Vector<double> hv, v = Vector<double>::Zero(n);
  BOOST_TEST(
      contains(message_of<NumericError>([&] { loss.hessian_vector(v, hv); }), "zero vector"));
  v[3] = std::nan("");
  BOOST_TEST(contains(message_of<NumericError>([&] { loss.hessian_vector(v, hv); }), "non-finite"));
  BOOST_TEST(contains(message_of<Error>([&] { loss.hessian_vector(Vector<double>::Ones(2), hv); }),
                      "2 elements"));
  BOOST_TEST(contains(message_of<Error>([&] { lanczos(loss, 0); }), "k must be between 1"));
  BOOST_TEST(contains(message_of<Error>([&] { lanczos(loss, static_cast<int>(n) + 1); }),
                      "k must be between 1"));
  BOOST_TEST(contains(message_of<Error>([&] { lanczos(loss, 3, 2); }), "Lanczos steps"));
  BOOST_TEST(contains(message_of<Error>([&] { online_estimate(loss, 10, 0.0); }), "gamma"));
  BOOST_TEST(contains(message_of<Error>([&] { power_method(Matrix<double>(2, 3)); }), "2x3"));
  BOOST_TEST(contains(message_of<Error>([&] { power_method(Matrix<double>::Random(3, 3)); }),
                      "not symmetric"));
  BOOST_TEST(contains(
      message_of<NumericError>([&] { power_method(Matrix<double>::Constant(2, 2, INFINITY)); }),
      "NaN or infinite"));

  loss.weights()[5] = std::nan("");
  for (const auto& call : std::vector<std::function<void()>>{
           [&] { loss.value(); }, [&] { loss.gradient(hv); },
           [&] { loss.hessian_vector(Vector<double>::Ones(n), hv); },
           [&] { loss.bbprop_diagonal(hv); }, [&] { loss.gauss_newton(); },
           [&] { power_method(loss); }, [&] { online_estimate(loss); }})
    BOOST_TEST(contains(message_of<NumericError>(call),
                        "the weights are not finite: parameter 'h.weight' holds nan"));

  data.inputs(1, 2) = std::nan("");
  BOOST_TEST(contains(message_of<NumericError>([&] { Loss bad(*graph, data); }),
                      "'random.csv' holds a NaN"));
  data::truncate(data, 0);
  BOOST_TEST(contains(message_of<NumericError>([&] { Loss empty(*graph, data); }),
                      "the data set 'random.csv' is empty"));
  const auto wide = noise_data(4, 2, 10, 24);
  const std::string mismatch = message_of<Error>([&] { Loss wrong(*graph, wide); });
  BOOST_TEST(contains(mismatch, "input 'x' (line "), mismatch);
  BOOST_TEST(contains(mismatch, "(3 values) but the examples of 'random.csv' have 4"), mismatch);
}

// Loss weights (graph.h) reach the dense Gauss-Newton matrix of Eq. 51: it equals the one the
// objective builds from its Gauss-Newton-vector products, Σ weight · JᵀJ, for two weighted MSE
// heads (test_graph.cpp checks those products against J by differences).
BOOST_AUTO_TEST_CASE(the_gauss_newton_matrix_carries_the_loss_weights) {
  auto graph = test::graph_from<double>(R"(
x  = input shape=3 source=inputs
t  = input shape=2 source=targets
h  = linear(x) outputs=4
a  = tanh(h)
o1 = linear(a) outputs=2
o2 = linear(x) outputs=2
l1 = mse(o1, t) weight=0.3
l2 = mse(o2, t) weight=2
)");
  const data::Dataset data = noise_data(3, 2, 6, 5);
  curvature::Loss loss(*graph, data);
  const Matrix<double> dense = loss.gauss_newton();
  Rng sampling(1);
  GraphObjective<double> objective(*graph, data, sampling);
  const Matrix<double> products = objective.gauss_newton(Batch::all());
  BOOST_TEST((dense - products).norm() <= 1e-12 * products.norm());
}
