// GraphObjective, the training core's objective, against independent references: every
// derivative against central differences (of the loss, of gradients, of the outputs), the
// Gauss-Newton-vector product against Jᵀ H_L J built from a difference Jacobian and the loss's
// own Hessian, chunking, explicit batches, non-finite values and the random streams.
#define BOOST_TEST_MODULE objective
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <set>

#include "ebprop/graph_objective.h"
#include "ebprop/random_streams.h"
#include "ebprop/trainer.h"
#include "test_util.h"

using namespace ebprop;

namespace {

const char* mse_net = R"(
x = input shape=3 source=inputs
t = input shape=2 source=targets
h = linear(x) outputs=4
a = stanh(h)
y = linear(a) outputs=2
e = mse(y, t)
)";

const char* softmax_net = R"(
x = input shape=3 source=inputs
t = input shape=3 source=targets
h = linear(x) outputs=4
a = tanh(h)
y = linear(a) outputs=3
e = softmax_xent(y, t)
)";

// Random examples; with `classes`, one-of-N targets and labels.
data::Dataset examples(int inputs, int targets, int count, bool classes, std::uint64_t seed) {
  Rng rng(seed);
  data::Dataset d;
  d.name = "generated";
  d.input_shape = {inputs};
  d.inputs.resize(inputs, count);
  d.targets.resize(targets, count);
  for (float& v : d.inputs.reshaped()) v = static_cast<float>(2 * uniform01(rng) - 1);
  for (int e = 0; e < count; ++e) {
    if (classes) {
      const int c = std::min(targets - 1, static_cast<int>(uniform01(rng) * targets));
      d.labels.push_back(c);
      d.targets.col(e).setZero();
      d.targets(c, e) = 1;
    } else {
      for (int i = 0; i < targets; ++i)
        d.targets(i, e) = static_cast<float>(2 * uniform01(rng) - 1);
    }
  }
  d.classes = classes ? targets : 0;
  return d;
}

Vector<double> random_vector(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  return test::random_matrix(n, 1, rng);
}

double relative(const Vector<double>& a, const Vector<double>& b) {
  return (a - b).lpNorm<Eigen::Infinity>() / std::max(b.lpNorm<Eigen::Infinity>(), 1e-12);
}

struct Fixture {
  std::unique_ptr<Graph<double>> graph;
  data::Dataset data;
  Rng sampling{5};
  std::unique_ptr<GraphObjective<double>> objective;
  Fixture(const char* net, bool classes, int chunk = 256, int count = 11) {
    graph = test::graph_from<double>(net, 3);
    const int targets = classes ? 3 : 2;
    data = examples(3, targets, count, classes, 7);
    objective = std::make_unique<GraphObjective<double>>(*graph, data, sampling,
                                                         GraphObjectiveOptions{chunk, ""});
  }
  Vector<double>& w() { return graph->parameters().w(); }
  Vector<double> gradient(const Batch& b) {
    objective->gradient(b);
    return std::as_const(graph->parameters()).dw();
  }
  // The outputs the loss sees (y), examples stacked, at the current weights.
  Vector<double> outputs(const Batch& b) {
    objective->value(b);
    const int y = graph->find("y");
    return graph->nodes()[y].state.x.reshaped();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_gradient_is_the_derivative_of_the_loss) {
  for (const char* net : {mse_net, softmax_net}) {
    Fixture f(net, net == softmax_net);
    const Vector<double> g = f.gradient(Batch::all());
    Vector<double> reference(g.size());
    const double h = 1e-6;
    for (Eigen::Index k = 0; k < g.size(); ++k) {
      const double saved = f.w()[k];
      f.w()[k] = saved + h;
      const double plus = f.objective->value(Batch::all());
      f.w()[k] = saved - h;
      const double minus = f.objective->value(Batch::all());
      f.w()[k] = saved;
      reference[k] = (plus - minus) / (2 * h);
    }
    BOOST_TEST(relative(g, reference) <= 1e-7, relative(g, reference));
  }
}

BOOST_AUTO_TEST_CASE(hessian_vector_products_are_differences_of_gradients) {
  for (const char* net : {mse_net, softmax_net}) {
    Fixture f(net, net == softmax_net);
    const Vector<double> v = random_vector(f.w().size(), 2);
    Vector<double> hv;
    f.objective->hessian_vector(Batch::all(), v, hv);
    const double s = 1e-5;
    const Vector<double> w0 = f.w();
    f.w() = w0 + s * v;
    const Vector<double> plus = f.gradient(Batch::all());
    f.w() = w0 - s * v;
    const Vector<double> minus = f.gradient(Batch::all());
    f.w() = w0;
    const Vector<double> reference = (plus - minus) / (2 * s);
    BOOST_TEST(relative(hv, reference) <= 1e-7, relative(hv, reference));
  }
}

BOOST_AUTO_TEST_CASE(the_jacobian_is_the_derivative_of_the_outputs) {
  Fixture f(mse_net, false, 256, 5);
  const Matrix<double> jacobian = f.objective->jacobian(Batch::all());
  BOOST_TEST(jacobian.rows() == 2 * 5);
  BOOST_TEST(jacobian.cols() == f.w().size());
  const double h = 1e-6;
  double worst = 0;
  for (Eigen::Index k = 0; k < f.w().size(); ++k) {
    const double saved = f.w()[k];
    f.w()[k] = saved + h;
    const Vector<double> plus = f.outputs(Batch::all());
    f.w()[k] = saved - h;
    const Vector<double> minus = f.outputs(Batch::all());
    f.w()[k] = saved;
    worst = std::max(worst, relative(jacobian.col(k), (plus - minus) / (2 * h)));
  }
  BOOST_TEST(worst <= 1e-7, worst);
}

// G v against Σ_p J_pᵀ H_p J_p v / P, with J from central differences of the outputs and H_p the
// loss's Hessian in its input written out here: I for ½‖y − t‖², diag(p) − p pᵀ for softmax
// cross-entropy (p = softmax(y)).
BOOST_AUTO_TEST_CASE(gauss_newton_vector_products_are_jt_h_j_v) {
  for (const char* net : {mse_net, softmax_net}) {
    const bool softmax = net == softmax_net;
    Fixture f(net, softmax, 256, 6);
    const int outputs = softmax ? 3 : 2, count = 6;
    const Eigen::Index n = f.w().size();
    Matrix<double> jacobian(outputs * count, n);
    const double h = 1e-6;
    for (Eigen::Index k = 0; k < n; ++k) {
      const double saved = f.w()[k];
      f.w()[k] = saved + h;
      const Vector<double> plus = f.outputs(Batch::all());
      f.w()[k] = saved - h;
      const Vector<double> minus = f.outputs(Batch::all());
      f.w()[k] = saved;
      jacobian.col(k) = (plus - minus) / (2 * h);
    }
    const Vector<double> y = f.outputs(Batch::all());
    Matrix<double> g = Matrix<double>::Zero(n, n);
    for (int p = 0; p < count; ++p) {
      const Matrix<double> j = jacobian.middleRows(p * outputs, outputs);
      Matrix<double> hessian = Matrix<double>::Identity(outputs, outputs);
      if (softmax) {
        const Vector<double> scores = y.segment(p * outputs, outputs);
        const Vector<double> e = (scores.array() - scores.maxCoeff()).exp();
        const Vector<double> prob = e / e.sum();
        hessian = Matrix<double>(prob.asDiagonal()) - prob * prob.transpose();
      }
      g += j.transpose() * hessian * j / count;
    }
    const Vector<double> v = random_vector(n, 4);
    Vector<double> gv;
    f.objective->gauss_newton_vector(Batch::all(), v, gv);
    BOOST_TEST(relative(gv, g * v) <= 1e-7, (softmax ? "softmax " : "mse ") << relative(gv, g * v));
    const Matrix<double> dense = f.objective->gauss_newton(Batch::all());
    BOOST_TEST(relative(dense.reshaped(), g.reshaped()) <= 1e-7);
    // The product leaves the gradient where it was.
    const Vector<double> before = f.gradient(Batch::all());
    f.objective->gauss_newton_vector(Batch::all(), v, gv);
    BOOST_TEST(relative(std::as_const(f.graph->parameters()).dw(), before) == 0);
  }
}

BOOST_AUTO_TEST_CASE(for_mse_gauss_newton_is_the_square_jacobian) {
  // Eq. 46: for ½‖y − t‖² per example, G = Σ_p J_pᵀ J_p / P.
  Fixture f(mse_net, false, 256, 6);
  const Matrix<double> j = f.objective->jacobian(Batch::all());
  const Matrix<double> g = f.objective->gauss_newton(Batch::all());
  BOOST_TEST(relative((j.transpose() * j / 6).reshaped(), g.reshaped()) <= 1e-12);
  BOOST_TEST(f.objective->gauss_newton_notice().empty());
}

BOOST_AUTO_TEST_CASE(chunks_and_explicit_batches_give_the_same_values) {
  Fixture whole(mse_net, false, 256, 23), chunked(mse_net, false, 4, 23);
  const Vector<double> v = random_vector(whole.w().size(), 9);
  BOOST_TEST(std::abs(whole.objective->value(Batch::all()) -
                      chunked.objective->value(Batch::all())) <= 1e-14);
  BOOST_TEST(relative(whole.gradient(Batch::all()), chunked.gradient(Batch::all())) <= 1e-13);
  whole.objective->curvature(Batch::all());
  chunked.objective->curvature(Batch::all());
  BOOST_TEST(relative(std::as_const(whole.graph->parameters()).ddw(),
                      std::as_const(chunked.graph->parameters()).ddw()) <= 1e-13);
  Vector<double> a, b;
  whole.objective->hessian_vector(Batch::all(), v, a);
  chunked.objective->hessian_vector(Batch::all(), v, b);
  BOOST_TEST(relative(a, b) <= 1e-13);
  whole.objective->gauss_newton_vector(Batch::all(), v, a);
  chunked.objective->gauss_newton_vector(Batch::all(), v, b);
  BOOST_TEST(relative(a, b) <= 1e-13);

  // A list of examples is the mean over those examples, repeats counted.
  const std::vector<int> picked = {3, 17, 3, 0, 22, 9};
  double mean = 0;
  for (int e : picked) mean += whole.objective->value(Batch::of({e})) / picked.size();
  BOOST_TEST(std::abs(chunked.objective->value(Batch::of(picked)) - mean) <= 1e-14);
}

BOOST_AUTO_TEST_CASE(every_evaluation_is_counted) {
  Fixture f(mse_net, false);
  const Vector<double> v = random_vector(f.w().size(), 1);
  Vector<double> out;
  f.objective->value(Batch::all());
  f.objective->gradient(Batch::all());
  f.objective->curvature(Batch::of({1, 2}));
  f.objective->hessian_vector(Batch::all(), v, out);
  f.objective->gauss_newton_vector(Batch::all(), v, out);
  const EvaluationCounts& c = f.objective->counts();
  BOOST_TEST(c.values == 1);
  BOOST_TEST(c.gradients == 2);
  BOOST_TEST(c.curvatures == 1);
  BOOST_TEST(c.hessian_vectors == 1);
  BOOST_TEST(c.gauss_newton_vectors == 1);
  BOOST_TEST(c.evaluations() == 3);
  BOOST_TEST(c.examples == 11 + 11 + 2);
}

BOOST_AUTO_TEST_CASE(non_finite_values_are_returned_with_their_culprit) {
  Fixture f(mse_net, false);
  f.w().setConstant(1e200);  // y overflows to infinity: E is not finite
  const double e = f.objective->gradient(Batch::all());
  BOOST_TEST(!std::isfinite(e));
  BOOST_TEST(f.objective->non_finite_culprit().find("node '") == 0,
             f.objective->non_finite_culprit());
  f.w().setConstant(0.01);
  BOOST_TEST(std::isfinite(f.objective->value(Batch::all())));
  BOOST_TEST(f.objective->non_finite_culprit().empty());
}

BOOST_AUTO_TEST_CASE(misuse_is_refused_with_its_reason) {
  Fixture f(mse_net, false);
  Vector<double> out;
  const auto message = [](auto&& call) -> std::string {
    try {
      call();
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string size =
      message([&] { f.objective->hessian_vector(Batch::all(), Vector<double>::Ones(3), out); });
  BOOST_TEST(size.find("the vector has 3 elements but") == 0, size);

  auto rbf = test::graph_from<double>(R"(
x = input shape=3 source=inputs
t = input shape=2 source=targets
h = linear(x) outputs=4
e = euclidean_loss(h, t)
)");
  // No labels: euclidean_loss's input is not a score per class, and no prediction is asked for.
  const auto labelled = examples(3, 2, 5, false, 3);
  Rng sampling(1);
  GraphObjective<double> no_gauss_newton(*rbf, labelled, sampling);
  const std::string refusal = no_gauss_newton.gauss_newton_refusal();
  BOOST_TEST(refusal.find("the loss node 'e' (") != std::string::npos, refusal);
  BOOST_TEST(message([&] {
               no_gauss_newton.gauss_newton_vector(
                   Batch::all(), Vector<double>::Ones(rbf->parameters().size()), out);
             }) == refusal);

  Fixture softmax(softmax_net, true);
  BOOST_TEST(softmax.objective->gauss_newton_refusal().empty());
  BOOST_TEST(softmax.objective->gauss_newton_notice().find("Fisher") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tracked_errors_count_the_misclassified_examples) {
  Fixture f(softmax_net, true, 4, 13);
  const Batch batch = Batch::of({0, 5, 6, 12, 3});
  f.objective->track_errors(batch);
  f.objective->gradient(batch);
  int expected = 0;
  for (int e : batch.examples()) {
    f.objective->value(Batch::of({e}));
    Eigen::Index predicted = 0;
    f.graph->nodes()[f.graph->find("y")].state.x.col(0).maxCoeff(&predicted);
    expected += predicted != f.data.labels[e];
  }
  BOOST_TEST(f.objective->tracked_errors() == expected);
  // Only the tracked batch object counts, and only its first evaluation.
  f.objective->value(Batch::of({0, 5, 6, 12, 3}));
  BOOST_TEST(f.objective->tracked_errors() == expected);
}

// An optimizer that records the batches it is given and draws `samples` curvature samples per
// step: the order of the batches must not depend on how many samples it draws.
class Recorder final : public Optimizer<double> {
 public:
  explicit Recorder(int samples) : samples_(samples) {}
  void attach(ParameterStore<double>&) override {}
  StepResult step(Objective<double>& objective, const Batch& batch, std::int64_t) override {
    order.insert(order.end(), batch.examples().begin(), batch.examples().end());
    objective.sample(samples_);
    StepResult result;
    result.loss = objective.value(batch);
    return result;
  }
  double current_rate() const override { return 0; }
  std::vector<int> order;

 private:
  int samples_;
};

BOOST_AUTO_TEST_CASE(shuffling_and_sampling_draw_from_separate_streams) {
  const auto data = examples(3, 2, 40, false, 2);
  std::vector<std::vector<int>> orders;
  for (int samples : {1, 100}) {
    auto graph = test::graph_from<double>(mse_net);
    Recorder recorder(samples);
    TrainerConfig config;
    config.batch = 3;
    Trainer<double> trainer(*graph, recorder, data, config);
    trainer.run_epoch(1, nullptr);
    trainer.run_epoch(2, nullptr);
    orders.push_back(recorder.order);
  }
  BOOST_TEST(orders[0] == orders[1]);
  BOOST_TEST(orders[0].size() == 80u);
  const std::set<int> epoch(orders[0].begin(), orders[0].begin() + 40);
  BOOST_TEST(epoch.size() == 40u);  // each example once per epoch

  // Initialization and shuffling are mt19937_64(seed) as in earlier versions; sampling differs.
  RandomStreams streams(7);
  Rng plain(7);
  const auto first = plain();
  BOOST_TEST(streams.initialization() == first);
  BOOST_TEST(streams.shuffling() == first);
  BOOST_TEST(streams.sampling() != first);
}
