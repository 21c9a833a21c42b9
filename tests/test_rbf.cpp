// RBF units (§4.8), LeNet-5's Euclidean output layer and its loss (LeCun et al. 1998), the
// softmax cross-entropy loss, and the junctions add and concat: the curvature a loss must inject
// (§7.3), branched graphs, shape errors and training runs (their derivative checks are the cases
// each plugin registers, run by test_modules).
#define BOOST_TEST_MODULE rbf
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "ebprop/trainer.h"
#include "graph_checks.h"
#include "test_util.h"

namespace {

using namespace ebprop;
using test::build_failure;
using test::gradient_error;
using test::graph_from;
using test::hessian_vector_error;
using test::make_module;
using test::random_inputs;

// One-of-N codes at ±1 (§4.5), a random class per column.
Matrix<double> one_of_n(int classes, int batch, Rng& rng) {
  Matrix<double> m = Matrix<double>::Constant(classes, batch, -1.0);
  for (int b = 0; b < batch; ++b) m(static_cast<int>(uniform01(rng) * classes), b) = 1.0;
  return m;
}

}  // namespace

// The bug this guards against: a loss bbprop that multiplies everything by the ddy the trainer
// seeds with 0, so no curvature enters the network. With ddy = 0 and dy = 1/B, softmax_xent must
// give its own curvature p (1 − p) / B.
BOOST_AUTO_TEST_CASE(softmax_xent_curvature_survives_a_zero_ddy_seed) {
  const int classes = 5, batch = 4;
  auto loss = make_module<float>("softmax_xent");
  State<float> scores, target, out;
  scores.shape = target.shape = {classes};
  out.shape = loss->output_shape({scores.shape, target.shape});
  scores.resize(batch);
  target.resize(batch);
  Rng rng(5);
  scores.x = (3 * Matrix<double>::Random(classes, batch)).cast<float>();
  target.x = one_of_n(classes, batch, rng).cast<float>();
  scores.ddx.setZero();
  target.ddx.setZero();

  loss->fprop({&scores, &target}, out);
  out.dx.setConstant(1.0f / batch);
  out.ddx.setZero();
  loss->bbprop({&scores, &target}, out);

  const Matrix<double> e = scores.x.cast<double>().array().exp();
  const Matrix<double> p = e.array().rowwise() / e.colwise().sum().array();
  const Matrix<double> expected = (p.array() * (1 - p.array())) / batch;
  const double error = (scores.ddx.cast<double>() - expected).cwiseAbs().maxCoeff();
  BOOST_TEST(error <= 1e-6 * expected.maxCoeff(), "ddx =\n"
                                                      << scores.ddx << "\nexpected\n"
                                                      << expected);
  BOOST_TEST((target.ddx.array() == 0.0f).all(), "nothing flows to the target");
}

// Same for euclidean_loss: its curvature is exactly 1 per component, so ddx = 1/B.
BOOST_AUTO_TEST_CASE(euclidean_loss_curvature_survives_a_zero_ddy_seed) {
  const int batch = 4;
  auto loss = make_module<float>("euclidean_loss");
  State<float> x, target, out;
  x.shape = {6};
  target.shape = {3};
  out.shape = loss->output_shape({x.shape, target.shape});
  x.resize(batch);
  target.resize(batch);
  Rng rng(5);
  x.x = Matrix<float>::Random(6, batch);
  target.x = one_of_n(3, batch, rng).cast<float>();
  x.ddx.setZero();

  loss->fprop({&x, &target}, out);
  out.dx.setConstant(1.0f / batch);
  out.ddx.setZero();
  loss->bbprop({&x, &target}, out);
  BOOST_TEST((x.ddx.array() == 1.0f / batch).all(), "ddx =\n" << x.ddx);
}

// The layer and the loss agree, E = −½ y_c, when their seeds agree; the fixed prototypes are ±1
// codes and not parameters.
BOOST_AUTO_TEST_CASE(the_layer_and_the_loss_draw_the_same_fixed_prototypes) {
  const int classes = 4, inputs = 7, batch = 5;
  auto layer =
      make_module<double>("euclidean", {{"units", std::to_string(classes)}, {"seed", "3"}});
  auto loss = make_module<double>("euclidean_loss", {{"seed", "3"}});
  auto other =
      make_module<double>("euclidean", {{"units", std::to_string(classes)}, {"seed", "4"}});
  State<double> x, target, scores, other_scores, out;
  x.shape = {inputs};
  target.shape = {classes};
  scores.shape = layer->output_shape({x.shape});
  other_scores.shape = other->output_shape({x.shape});
  out.shape = loss->output_shape({x.shape, target.shape});
  BOOST_TEST(layer->parameters().empty());
  BOOST_TEST(loss->parameters().empty());

  Rng rng(2);
  x.x = Matrix<double>::Random(inputs, batch);
  target.x = one_of_n(classes, batch, rng);
  layer->fprop({&x}, scores);
  loss->fprop({&x, &target}, out);
  for (int b = 0; b < batch; ++b) {
    Eigen::Index c = 0;
    target.x.col(b).maxCoeff(&c);
    BOOST_TEST(out.x(0, b) == -0.5 * scores.x(c, b), 1e-12 * inputs);
  }

  // At x = 0 every distance to a ±1 code is exactly `inputs`; codes of another seed differ.
  x.x.setZero();
  layer->fprop({&x}, scores);
  BOOST_TEST((scores.x.array() == -inputs).all());
  x.x = Matrix<double>::Random(inputs, batch);
  layer->fprop({&x}, scores);
  other->fprop({&x}, other_scores);
  BOOST_TEST((scores.x - other_scores.x).norm() > 0.1);

  auto trainable = make_module<double>("euclidean", {{"units", "4"}, {"trainable", "true"}});
  trainable->output_shape({x.shape});
  const auto specs = trainable->parameters();
  BOOST_REQUIRE(specs.size() == 1u);
  BOOST_TEST(specs[0].role == "prototypes");
  BOOST_TEST((specs[0].rows == 4 && specs[0].cols == inputs));
}

// σ = √n · exp(0) at the start and centres of unit variance: for inputs of unit variance the
// units start near e^-1, neither saturated at 1 nor vanishing (§4.8's units are local).
BOOST_AUTO_TEST_CASE(rbf_units_start_in_their_sensitive_range) {
  const int inputs = 50, batch = 200;
  auto graph = graph_from<double>("x = input shape=50\ng = rbf(x) units=20\n");
  const auto& p = graph->parameters();
  const ParamBlock* centre = p.find("g.centre");
  const ParamBlock* width = p.find("g.width");
  BOOST_REQUIRE((centre && width));
  BOOST_TEST(p.w().segment(width->offset, width->size()).cwiseAbs().maxCoeff() == 0.0);
  const auto c = p.w().segment(centre->offset, centre->size());
  BOOST_TEST(std::abs(std::sqrt(c.array().square().mean()) - 1) < 0.05);

  Rng rng(3);
  auto& x = graph->node("x").state;
  x.x.resize(inputs, batch);
  for (Eigen::Index k = 0; k < x.x.size(); ++k) x.x(k) = std::sqrt(3.0) * (2 * uniform01(rng) - 1);
  graph->fprop();
  const double mean = graph->node("g").state.x.mean();
  BOOST_TEST((mean > 0.25 && mean < 0.5), "mean output " << mean);
}

// A skip connection through add, a concat of two branches, RBF units and softmax_xent: the
// graph's gradient matches central differences and its R-operator H v matches differences of
// gradients.
BOOST_AUTO_TEST_CASE(skip_connection_and_concat_give_the_exact_gradient_and_hessian_vector) {
  auto graph = graph_from<double>(R"(
x = input shape=4 source=inputs
t = input shape=3 source=targets
h = linear(x) outputs=4
a = stanh(h)
k = linear(a) outputs=4
b = stanh(k)
r = add(b, a)             # skip connection around k: a reaches r directly and through k
c = concat(r, h)          # h is read twice: by a and by c
g = rbf(c) units=5
s = linear(g) outputs=3
l = softmax_xent(s, t)
)");
  Rng rng(7);
  random_inputs(*graph, 3, rng);
  BOOST_TEST(gradient_error(*graph) < 1e-7);
  BOOST_TEST(hessian_vector_error(*graph, rng) < 1e-6);
}

// LeNet-5's output: trainable prototypes shared by the layer and the loss (§4.7).
BOOST_AUTO_TEST_CASE(a_shared_prototype_block_gives_the_exact_derivatives) {
  auto graph = graph_from<double>(R"(
x = input shape=3 source=inputs
t = input shape=4 source=targets
h = linear(x) outputs=5
f = stanh(h)
y = euclidean(f) units=4 trainable=true
s = linear(y) outputs=4
l1 = softmax_xent(s, t)
l2 = euclidean_loss(f, t) trainable=true share.prototypes=y.prototypes
)");
  BOOST_TEST(graph->parameters().find("y.prototypes")->users == 2);
  Rng rng(8);
  random_inputs(*graph, 3, rng);
  BOOST_TEST(gradient_error(*graph) < 1e-7);
  BOOST_TEST(hessian_vector_error(*graph, rng) < 1e-6);
}

// Fan-out into add: a reaches s directly and through b, so a.dx must be the sum of both paths;
// add(a, a) gives a exactly twice the output's derivatives.
BOOST_AUTO_TEST_CASE(fan_out_into_add_accumulates) {
  auto graph = graph_from<double>(R"(
x = input shape=3 source=inputs
t = input shape=3 source=targets
h = linear(x) outputs=3
a = stanh(h)
b = linear(a) outputs=3
s = add(a, b)
l = mse(s, t)
)");
  Rng rng(4);
  random_inputs(*graph, 2, rng);
  BOOST_TEST(gradient_error(*graph) < 1e-7);

  auto twice = graph_from<double>(R"(
x = input shape=3 source=inputs
t = input shape=3 source=targets
h = linear(x) outputs=3
a = stanh(h)
s = add(a, a)
l = mse(s, t)
)");
  random_inputs(*twice, 2, rng);
  BOOST_TEST(gradient_error(*twice) < 1e-7);
  twice->fprop();
  twice->bprop();
  twice->bbprop();
  const auto& a = twice->node("a").state;
  const auto& s = twice->node("s").state;
  BOOST_TEST((a.dx - 2 * s.dx).cwiseAbs().maxCoeff() == 0.0);
  BOOST_TEST((a.ddx - 2 * s.ddx).cwiseAbs().maxCoeff() == 0.0);
}

BOOST_AUTO_TEST_CASE(add_of_two_shapes_names_both_nodes_and_the_line) {
  const auto f = build_failure(R"(x = input shape=4
h = linear(x) outputs=3
s = add(x, h)
)");
  BOOST_TEST(f.line == 3);
  BOOST_TEST(f.message.find("test.graph:3") == 0u, f.message);
  BOOST_TEST(f.message.find("x [4, line 1]") != std::string::npos, f.message);
  BOOST_TEST(f.message.find("h [3, line 2]") != std::string::npos, f.message);
  BOOST_TEST(
      f.message.find("inputs of one shape, found 4 (input 1) and 3 (input 2)") != std::string::npos,
      f.message);

  const auto g = build_failure("x = input shape=6\ny = input shape=2x3\ns = add(x, y)\n");
  BOOST_TEST(g.message.find("found 6 (input 1) and 2x3 (input 2)") != std::string::npos, g.message);
}

BOOST_AUTO_TEST_CASE(softmax_xent_needs_a_target_per_score) {
  const auto f = build_failure(R"(x = input shape=4
t = input shape=3 source=targets
s = linear(x) outputs=5
l = softmax_xent(s, t)
)");
  BOOST_TEST(f.line == 4);
  BOOST_TEST(f.message.find("s [5, line 3]") != std::string::npos, f.message);
  BOOST_TEST(f.message.find("t [3, line 2]") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(units_must_be_positive) {
  for (const char* type : {"rbf", "euclidean"}) {
    const auto f = build_failure(std::string("x = input shape=4\n\ng = ") + type + "(x) units=0\n");
    BOOST_TEST(f.line == 3);
    BOOST_TEST(f.message.find("'units'") != std::string::npos, f.message);
  }
}

// Two classes with one ±1 code would be indistinguishable: refused where the graph says so.
BOOST_AUTO_TEST_CASE(coinciding_codes_are_refused) {
  const auto f = build_failure("x = input shape=1\ny = euclidean(x) units=3\n");
  BOOST_TEST(f.line == 2);
  BOOST_TEST(f.message.find("x [1, line 1]") != std::string::npos, f.message);
  BOOST_TEST(f.message.find("coincide") != std::string::npos, f.message);
}

namespace {

// Three classes of points in the plane, separated by circles (not linearly separable): class 0
// inside radius 0.5, class 1 out to radius 1, class 2 beyond. Targets one-of-N at ±1 (§4.5).
data::Dataset rings(int examples, std::uint64_t seed) {
  data::Dataset set;
  set.name = "rings";
  set.classes = 3;
  set.input_shape = {2};
  set.inputs.resize(2, examples);
  set.targets = Matrix<float>::Constant(3, examples, -1.f);
  Rng rng(seed);
  for (int e = 0; e < examples; ++e) {
    const double u = 1.5 * (2 * uniform01(rng) - 1), v = 1.5 * (2 * uniform01(rng) - 1);
    const double r = std::hypot(u, v);
    const int label = r < 0.5 ? 0 : r < 1.0 ? 1 : 2;
    set.inputs(0, e) = static_cast<float>(u);
    set.inputs(1, e) = static_cast<float>(v);
    set.targets(label, e) = 1.f;
    set.labels.push_back(label);
  }
  return set;
}

Evaluation train(Graph<float>& graph, const data::Dataset& set, const std::string& predict,
                 const std::string& optimizer, const std::string& lr, int epochs,
                 Evaluation& before) {
  auto opt = test::optimizer<float>(optimizer, {{"lr", lr}});
  TrainerConfig config;
  config.predict = predict;
  Trainer<float> trainer(graph, *opt, set, config);
  before = trainer.evaluate(set);
  for (int epoch = 1; epoch <= epochs; ++epoch) trainer.run_epoch(epoch, nullptr);
  return trainer.evaluate(set);
}

}  // namespace

// §4.8's network, RBF units then a linear layer, trained on softmax_xent by SGD and by the
// stochastic diagonal Levenberg-Marquardt method, whose curvature enters at softmax_xent (§9.1).
BOOST_AUTO_TEST_CASE(rbf_units_learn_under_softmax_xent) {
  for (const auto& [optimizer, lr] : {std::pair{"sgd", "0.05"}, std::pair{"sdlm", "0.002"}}) {
    auto graph = graph_from<float>(R"(
x = input shape=2 source=inputs
t = input shape=3 source=targets
g = rbf(x) units=12
s = linear(g) outputs=3
l = softmax_xent(s, t)
)");
    const data::Dataset set = rings(400, 11);
    Evaluation before;
    const Evaluation after = train(*graph, set, "", optimizer, lr, 30, before);
    BOOST_TEST_MESSAGE("rbf + softmax_xent, " << optimizer << ": loss " << before.loss << " -> "
                                              << after.loss << ", error " << before.error << "% -> "
                                              << after.error << "%");
    BOOST_TEST(after.loss < 0.4 * before.loss,
               optimizer << ": loss " << before.loss << " -> " << after.loss);
    BOOST_TEST(after.error < 10.0, optimizer << ": error " << after.error << "%");
  }
}

// LeNet-5's output stage: stanh features, fixed ±1 prototypes, trained on euclidean_loss and
// predicting with the euclidean layer. (A 2-16-16 tanh network learns the rings more slowly than
// RBF units do: mse on the same network ends near 15 % too.)
BOOST_AUTO_TEST_CASE(euclidean_outputs_learn_under_their_loss) {
  auto graph = graph_from<float>(R"(
x = input shape=2 source=inputs
t = input shape=3 source=targets
h = linear(x) outputs=16
a = stanh(h)
f = linear(a) outputs=16
o = stanh(f)
y = euclidean(o) units=3
l = euclidean_loss(o, t)
)");
  const data::Dataset set = rings(400, 12);
  Evaluation before;
  const Evaluation after = train(*graph, set, "y", "sgd", "0.01", 30, before);
  BOOST_TEST_MESSAGE("euclidean_loss: loss " << before.loss << " -> " << after.loss << ", error "
                                             << before.error << "% -> " << after.error << "%");
  BOOST_TEST(after.loss < 0.4 * before.loss, "loss " << before.loss << " -> " << after.loss);
  BOOST_TEST(after.error < 25.0, "error " << after.error << "%");
}
