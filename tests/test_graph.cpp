// The graph engine: order, fan-out, several losses, shared weights, and every build error.
#define BOOST_TEST_MODULE graph
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "ebprop/layer_rates.h"
#include "ebprop/memory.h"
#include "graph_checks.h"
#include "test_util.h"

using namespace ebprop;
using test::build_failure;
using test::gradient_error;
using test::graph_from;
using test::random_inputs;

namespace {

const char* branched = R"(
x  = input shape=4 source=inputs
t  = input shape=3 source=targets
s  = input shape=2 source=targets
h  = linear(x) outputs=5
a  = stanh(h)
o1 = linear(a) outputs=3          # two branches read a: their dx must add up
o2 = linear(a) outputs=2
y1 = tanh(o1)
l1 = mse(y1, t)
l2 = mse(o2, s)                   # a second loss: E is the sum
)";

}  // namespace

BOOST_AUTO_TEST_CASE(nodes_follow_their_inputs_whatever_the_file_order) {
  auto graph = graph_from<double>(R"(
loss = mse(y, t)
y = stanh(h)
h = linear(x) outputs=2
t = input shape=2 source=targets
x = input shape=3
)");
  std::vector<std::string> order;
  for (const auto& node : graph->nodes()) order.push_back(node.name);
  const auto at = [&](const std::string& n) {
    return std::find(order.begin(), order.end(), n) - order.begin();
  };
  BOOST_TEST(at("x") < at("h"));
  BOOST_TEST(at("h") < at("y"));
  BOOST_TEST(at("y") < at("loss"));
  BOOST_TEST(at("t") < at("loss"));
  BOOST_TEST(graph->loss_nodes().size() == 1u);
  BOOST_TEST(graph->input_nodes().size() == 2u);
}

BOOST_AUTO_TEST_CASE(fan_out_and_two_losses_give_the_exact_gradient) {
  auto graph = graph_from<double>(branched);
  Rng rng(7);
  random_inputs(*graph, 3, rng);
  BOOST_TEST(gradient_error(*graph) < 1e-7);
}

BOOST_AUTO_TEST_CASE(a_second_consumer_changes_the_gradient) {
  // Guards the test above: dropping the second branch's contribution would be seen.
  auto graph = graph_from<double>(branched);
  Rng rng(7);
  random_inputs(*graph, 3, rng);
  graph->fprop();
  graph->parameters().clear_gradients();
  graph->bprop();
  const auto& a = graph->node("a").state;
  const auto& o2 = graph->node("o2");
  BOOST_TEST(a.dx.norm() > 0);
  BOOST_TEST(graph->node("l2").state.dx(0, 0) == 1.0 / 3);
  BOOST_TEST(o2.state.dx.norm() > 0);
}

BOOST_AUTO_TEST_CASE(shared_weights_are_one_block_that_both_users_update) {
  auto graph = graph_from<double>(R"(
x  = input shape=3
t  = input shape=3 source=targets
h1 = linear(x) outputs=3
a1 = stanh(h1)
h2 = linear(a1) outputs=3 share.weight=h1.weight   # §4.7: the same 3x3 weights twice
y  = stanh(h2)
l  = mse(y, t)
)");
  const auto& p = graph->parameters();
  BOOST_TEST(p.blocks().size() == 3u);  // h1.weight (shared), h1.bias, h2.bias
  const ParamBlock* shared = p.find("h1.weight");
  BOOST_REQUIRE(shared != nullptr);
  BOOST_TEST(shared->users == 2);
  BOOST_TEST(p.find("h2.weight") == nullptr);
  BOOST_TEST(p.size() == 9 + 3 + 3);
  Rng rng(3);
  random_inputs(*graph, 2, rng);
  BOOST_TEST(gradient_error(*graph) < 1e-7);
}

BOOST_AUTO_TEST_CASE(learning_rate_multipliers_come_from_the_graph_file) {
  auto graph = graph_from<double>(R"(
x = input shape=2
t = input shape=1 source=targets
h = linear(x) outputs=1 lr.bias=0.25
l = mse(h, t)
)");
  const auto& p = graph->parameters();
  const ParamBlock* bias = p.find("h.bias");
  const ParamBlock* weight = p.find("h.weight");
  BOOST_TEST(p.lr_scale()[bias->offset] == 0.25);
  BOOST_TEST(p.lr_scale()[weight->offset] == 1.0);
}

// §4.7's lower-layer rule: depth = the layers with parameters between a node and the loss, the
// longest path over branches; a shared block takes its shallowest user's depth.
BOOST_AUTO_TEST_CASE(the_lower_layer_rule_multiplies_rates_by_depth) {
  auto graph = graph_from<double>(R"(
x  = input shape=4 source=inputs
t  = input shape=3 source=targets
s  = input shape=3 source=targets
h1 = linear(x) outputs=5 lr.weight=0.5
a1 = stanh(h1)
h2 = linear(a1) outputs=5
a2 = stanh(h2)
o1 = linear(a2) outputs=3
o2 = linear(a1) outputs=3 share.weight=w2 share.bias=b2
o3 = linear(a2) outputs=3 share.weight=w2 share.bias=b2
l1 = mse(o1, t)
l2 = mse(o2, s)
l3 = mse(o3, s)
)");
  const std::vector<std::string> lines = apply_lower_layer_rule(*graph, 3.0);
  const auto& p = graph->parameters();
  const auto rate = [&](const char* name) { return p.lr_scale()[p.find(name)->offset]; };
  BOOST_TEST(rate("h1.weight") == 0.5 * 9);  // two layers above it on the path through h2
  BOOST_TEST(rate("h1.bias") == 9.0);
  BOOST_TEST(rate("h2.weight") == 3.0);
  BOOST_TEST(rate("o1.weight") == 1.0);
  BOOST_TEST(rate("w2") == 1.0);  // o2 and o3 sit next to their losses
  const std::vector<int> depth = layer_depths(*graph);
  BOOST_TEST(depth[graph->find("x")] == -1);
  BOOST_TEST(depth[graph->find("a1")] == 2);
  BOOST_TEST(std::count(lines.begin(), lines.end(), "h1.weight ×9 (depth 2)") == 1);
  BOOST_CHECK_EXCEPTION(apply_lower_layer_rule(*graph, 0.0), Error, [](const Error& e) {
    return std::string(e.what()) ==
           "the lower-layer rate factor must be a finite number > 0, not 0.000000";
  });
}

BOOST_AUTO_TEST_CASE(initialization_follows_the_fan_in_rule) {
  // Eq. 16: standard deviation m^-1/2 with m = 400 inputs + bias.
  auto graph = graph_from<double>("x = input shape=400\nh = linear(x) outputs=300\n");
  const auto& p = graph->parameters();
  const ParamBlock* w = p.find("h.weight");
  const auto values = p.w().segment(w->offset, w->size());
  const double mean = values.mean();
  const double sd = std::sqrt((values.array() - mean).square().mean());
  BOOST_TEST(std::abs(mean) < 0.002);
  BOOST_TEST(std::abs(sd - 1 / std::sqrt(401.0)) < 0.002);
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_weights) {
  auto a = graph_from<float>(branched, 5), b = graph_from<float>(branched, 5),
       c = graph_from<float>(branched, 6);
  BOOST_TEST((a->parameters().w() == b->parameters().w()));
  BOOST_TEST((a->parameters().w() != c->parameters().w()));
}

BOOST_AUTO_TEST_CASE(batches_of_any_size_flow_through) {
  auto graph = graph_from<float>(branched);
  Rng rng(1);
  for (int batch : {1, 7, 32}) {
    for (int i : graph->input_nodes()) {
      auto& s = graph->node(i).state;
      s.x = Matrix<float>::Random(s.size(), batch);
    }
    graph->fprop();
    BOOST_TEST(graph->node("y1").state.x.cols() == batch);
    BOOST_TEST(std::isfinite(graph->loss()));
  }
}

BOOST_AUTO_TEST_CASE(inputs_with_different_batches_are_refused) {
  auto graph = graph_from<float>(branched);
  graph->node("x").state.x = Matrix<float>::Zero(4, 2);
  graph->node("t").state.x = Matrix<float>::Zero(3, 3);
  graph->node("s").state.x = Matrix<float>::Zero(2, 2);
  BOOST_CHECK_EXCEPTION(graph->fprop(), Error, [](const Error& e) {
    return std::string(e.what()).find("holds 3 examples") != std::string::npos;
  });
}

// --- build errors: each names the line and says what was expected ---

BOOST_AUTO_TEST_CASE(a_cycle_is_printed) {
  const auto f = build_failure(R"(x = input shape=2
a = linear(x) outputs=2
b = stanh(c)
c = linear(b) outputs=2
)");
  BOOST_TEST(f.line == 3);
  BOOST_TEST(f.message.find("cycle: b (line 3) -> c (line 4) -> b") != std::string::npos,
             f.message);
}

BOOST_AUTO_TEST_CASE(an_unknown_type_lists_the_known_ones) {
  const auto f = build_failure("x = input shape=2\nh = lineer(x) outputs=2\n");
  BOOST_TEST(f.line == 2);
  BOOST_TEST(f.message.find("test.graph:2:5: unknown module type 'lineer'") == 0, f.message);
  BOOST_TEST(f.message.find("did you mean 'linear'") != std::string::npos, f.message);
  BOOST_TEST(f.message.find("stanh") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(an_unknown_setting_suggests_the_right_one) {
  const auto f = build_failure("x = input shape=2\nh = linear(x) outptus=2\n");
  BOOST_TEST(f.line == 2);
  BOOST_TEST(f.message.find("unknown setting 'outptus' for linear 'h'") != std::string::npos,
             f.message);
  BOOST_TEST(f.message.find("did you mean 'outputs'") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(an_ill_typed_setting_says_what_was_expected) {
  const auto f = build_failure("x = input shape=2\n\nh = linear(x) outputs=two\n");
  BOOST_TEST(f.line == 3);
  BOOST_TEST(f.message.find("expected an integer, found 'two'") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(a_missing_required_setting_is_named) {
  const auto f = build_failure("x = input shape=2\nh = linear(x)\n");
  BOOST_TEST(f.line == 2);
  BOOST_TEST(f.message.find("needs the setting 'outputs'") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(an_undefined_input_gets_a_did_you_mean) {
  const auto f = build_failure("image = input shape=2\nh = linear(imgae) outputs=2\n");
  BOOST_TEST(f.line == 2);
  BOOST_TEST(f.message.find("reads 'imgae', which is not defined") != std::string::npos, f.message);
  BOOST_TEST(f.message.find("did you mean 'image'") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(the_number_of_inputs_is_checked) {
  const auto f = build_failure("x = input shape=2\nl = mse(x)\n");
  BOOST_TEST(f.line == 2);
  BOOST_TEST(f.message.find("mse takes 2 inputs (output, target), found 1") != std::string::npos,
             f.message);
}

BOOST_AUTO_TEST_CASE(a_shape_mismatch_names_both_nodes) {
  const auto f = build_failure(
      "x = input shape=2\nt = input shape=3 source=targets\nh = linear(x) outputs=4\nl = mse(h, "
      "t)\n");
  BOOST_TEST(f.line == 4);
  BOOST_TEST(f.message.find("h [4, line 3]") != std::string::npos, f.message);
  BOOST_TEST(f.message.find("t [3, line 2]") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(shared_parameters_must_have_one_shape) {
  const auto f = build_failure(
      "x = input shape=2\na = linear(x) outputs=3\nb = linear(a) outputs=3 "
      "share.weight=a.weight\n");
  BOOST_TEST(f.line == 3);
  BOOST_TEST(f.message.find("'a.weight' is 3x2 in node 'a' (line 2) but node 'b' needs 3x3") !=
                 std::string::npos,
             f.message);
}

BOOST_AUTO_TEST_CASE(sharing_an_unknown_parameter_lists_the_real_ones) {
  const auto f = build_failure("x = input shape=2\na = linear(x) outputs=3 share.wieght=w\n");
  BOOST_TEST(f.line == 2);
  BOOST_TEST(f.message.find("has no parameter 'wieght' (its parameters: weight, bias)") !=
                 std::string::npos,
             f.message);
}

BOOST_AUTO_TEST_CASE(an_input_node_needs_its_shape) {
  const auto f = build_failure("x = input\n");
  BOOST_TEST(f.line == 1);
  BOOST_TEST(f.message.find("needs the setting 'shape'") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(an_empty_graph_is_refused) {
  const auto f = build_failure("# nothing but a comment\n");
  BOOST_TEST(f.message.find("the graph has no nodes") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(shared_weights_get_the_square_root_rate_of_section_4_7) {
  auto graph = graph_from<double>(R"(
x  = input shape=1x6x6
c  = conv2d(x) maps=2 kernel=3 lr.bias=0.5     # each kernel weight serves 4x4 = 16 positions
a  = stanh(c)
h1 = linear(a) outputs=4
h2 = linear(a) outputs=4 share.weight=h1.weight   # one weight, two connections
)");
  const auto& p = graph->parameters();
  const ParamBlock* kernel = p.find("c.weight");
  const ParamBlock* bias = p.find("c.bias");
  const ParamBlock* shared = p.find("h1.weight");
  const ParamBlock* plain = p.find("h1.bias");
  BOOST_TEST(kernel->connections == 16);
  BOOST_TEST(shared->connections == 2);
  BOOST_TEST(plain->connections == 1);
  BOOST_TEST(p.shared_lr_scale()[kernel->offset] == 4.0);
  BOOST_TEST(p.shared_lr_scale()[bias->offset] == 0.5 * 4.0);  // the user's multiplier too
  BOOST_TEST(p.shared_lr_scale()[shared->offset] == std::sqrt(2.0));
  BOOST_TEST(p.shared_lr_scale()[plain->offset] == 1.0);
  BOOST_TEST(p.lr_scale()[kernel->offset] == 1.0);  // what SDLM uses: no √n
  BOOST_TEST(p.lr_scale()[bias->offset] == 0.5);
}

BOOST_AUTO_TEST_CASE(descend_applies_the_rates_and_clears_the_gradient) {
  auto graph = graph_from<double>("x = input shape=1x6x6\nc = conv2d(x) maps=1 kernel=3\n");
  auto& p = graph->parameters();
  const Vector<double> before = p.w();
  p.dw().setOnes();
  p.note_gradients_written();
  p.descend(0.1);
  BOOST_TEST((p.w() - before).cwiseAbs().maxCoeff() == 0.1 * 4.0,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(p.dw().isZero());
}

// Sizes (shape.h): 64-bit arithmetic, and an int only when the value fits.
BOOST_AUTO_TEST_CASE(shape_sizes_are_computed_in_64_bits_and_checked) {
  BOOST_TEST(shape_size_64({46428, 46428}) == 2155559184LL);
  BOOST_TEST(shape_size_64({2147483647, 2147483647, 2147483647}) ==
             std::numeric_limits<std::int64_t>::max());
  BOOST_TEST(shape_size({1, 28, 28}) == 784);
  const auto message = [](auto&& call) -> std::string {
    try {
      call();
    } catch (const ShapeError& e) {
      return e.what();
    }
    return "no ShapeError";
  };
  BOOST_TEST(message([] {
               shape_size({46428, 46428});
             }) == "shape 46428x46428 has 2155559184 values, more than 2147483647");
  BOOST_TEST(message([] { shape_size({3, 0}); }).find("the dimension 0") != std::string::npos);
  BOOST_TEST(checked_size(2147483647, "rows") == 2147483647);
  BOOST_TEST(message([] { checked_size(4000000026LL, "pad's output rows"); }) ==
             "pad's output rows would be 4000000026, more than 2147483647");
  BOOST_TEST(message([] { checked_size(-3, "rows"); }) == "rows would be -3, less than 1");
  BOOST_CHECK_THROW(parse_shape("50000x50000"), Error);
  BOOST_TEST(parse_shape("46340x46340").size() == 2u);
}

// memory.h: the bytes in words, and a refusal that says what asked for them.
BOOST_AUTO_TEST_CASE(allocations_are_checked_against_the_memory) {
  BOOST_TEST(byte_size_str(512) == "512 B");
  BOOST_TEST(byte_size_str(13421772800ULL) == "13.4 GB");
  BOOST_TEST(byte_size_str(15700000000000ULL) == "15.7 TB");
  BOOST_CHECK_NO_THROW(check_allocation(1000, 4, "a small thing"));
  try {
    check_allocation(std::uint64_t{1} << 62, 8, "the targets of data.csv");
    BOOST_ERROR("no error for 2^65 bytes");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find("the targets of data.csv: needs more than 2^64 bytes") ==
               0u);
  }
  try {
    check_allocation(memory_limit() / 4 + 1, 4, "fc1's weights");
    BOOST_ERROR("no error beyond the memory limit");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find("fc1's weights: needs ") == 0u, e.what());
    BOOST_TEST(std::string(e.what()).find(" bytes (") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(a_layer_output_beyond_an_int_is_refused_at_its_line) {
  const auto pad = build_failure("x = input shape=28x28\np = pad(x) size=23200\n");
  BOOST_TEST(pad.line == 2);
  BOOST_TEST(pad.message.find("node 'p' (pad) on x [28x28, line 1]: shape 46428x46428 has "
                              "2155559184 values") != std::string::npos,
             pad.message);
  const auto conv =
      build_failure("x = input shape=28x28\nc = conv2d(x) maps=1 kernel=3 padding=2000000000\n");
  BOOST_TEST(conv.line == 2);
  BOOST_TEST(conv.message.find("conv2d's output rows would be 4000000026") != std::string::npos,
             conv.message);
}

BOOST_AUTO_TEST_CASE(parameters_beyond_the_memory_are_refused_with_their_bytes) {
  const auto f = build_failure("x = input shape=784\nh = linear(x) outputs=2000000000\n");
  BOOST_TEST(f.line == 2);
  BOOST_TEST(f.message.find("node 'h' (linear): ") != std::string::npos, f.message);
  BOOST_TEST(f.message.find(" bytes (") != std::string::npos, f.message);
}

// One example fits, a batch does not: the batch is as large as that takes, whatever the machine.
BOOST_AUTO_TEST_CASE(a_batch_beyond_the_memory_is_refused_before_fprop_allocates_it) {
  const double value_bytes = 3 * sizeof(double);  // x, dx and ddx
  const double fits = std::sqrt(static_cast<double>(memory_limit()) / value_bytes / 2);
  const int padding = std::min(23000, static_cast<int>((fits - 1) / 2));
  auto graph =
      graph_from<double>("x = input shape=1x1\np = pad(x) size=" + std::to_string(padding) + "\n");
  const double values = std::pow(1.0 + 2 * padding, 2);
  const auto batch =
      static_cast<int>(static_cast<double>(memory_limit()) / (values * value_bytes) + 1);
  graph->node("x").state.x = Matrix<double>::Zero(1, batch);
  try {
    graph->fprop();
    BOOST_ERROR("no error for a batch of " << batch);
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find("the graph test.graph, for a batch of " +
                                          std::to_string(batch) + " examples: needs ") == 0u,
               e.what());
  }
  BOOST_TEST(graph->node("p").state.x.size() == 0);
}

// ---- Loss weights: E = Σ weight_l · mean(loss_l) in every pass ----

namespace {

// Two heads on a shared hidden layer, the losses weighted 0.3 and 2 (softmax_xent for the
// generalized Gauss-Newton matrix, mse for the square-Jacobian one).
const char* weighted = R"(
x  = input shape=4 source=inputs
t  = input shape=3 source=targets
s  = input shape=2 source=targets
h  = linear(x) outputs=5
a  = stanh(h)
o1 = linear(a) outputs=3
o2 = linear(a) outputs=2
y1 = tanh(o1)
l1 = mse(y1, t) weight=0.3
l2 = softmax_xent(o2, s) weight=2
)";

// The same heads straight on the inputs: one layer each, where bbprop is the exact Gauss-Newton
// diagonal (LESSONS: bbprop).
const char* weighted_single_layer = R"(
x  = input shape=4 source=inputs
t  = input shape=3 source=targets
s  = input shape=2 source=targets
o1 = linear(x) outputs=3
o2 = linear(x) outputs=2
l1 = mse(o1, t) weight=0.3
l2 = softmax_xent(o2, s) weight=2
)";

// G = Σ_l weight_l · (1/B) Σ_p J_lpᵀ H_lp J_lp, independently of the engine's R-passes: J_lp by
// central differences of each loss's first input, H_lp = I for mse (½Σ(d−o)²) and
// diag(p) − p pᵀ for softmax_xent at the current scores.
Matrix<double> dense_weighted_gauss_newton(Graph<double>& graph) {
  auto& p = graph.parameters();
  const auto n = p.size();
  graph.fprop();
  const int batch = graph.node("x").state.batch();
  Matrix<double> g = Matrix<double>::Zero(n, n);
  for (int l : graph.loss_nodes()) {
    const auto& loss = graph.nodes()[l];
    const int out = loss.inputs.front();
    const auto outputs = graph.nodes()[out].state.size();
    std::vector<Matrix<double>> jacobians(batch, Matrix<double>(outputs, n));
    const double h = 1e-6;
    for (Eigen::Index k = 0; k < n; ++k) {
      const double saved = p.w()[k];
      p.w()[k] = saved + h;
      graph.fprop();
      const Matrix<double> plus = graph.nodes()[out].state.x;
      p.w()[k] = saved - h;
      graph.fprop();
      const Matrix<double> minus = graph.nodes()[out].state.x;
      p.w()[k] = saved;
      for (int e = 0; e < batch; ++e) jacobians[e].col(k) = (plus.col(e) - minus.col(e)) / (2 * h);
    }
    graph.fprop();
    const Matrix<double> o = graph.nodes()[out].state.x;
    for (int e = 0; e < batch; ++e) {
      Matrix<double> hessian = Matrix<double>::Identity(outputs, outputs);
      if (loss.type == "softmax_xent") {
        const Vector<double> q = (o.col(e).array() - o.col(e).maxCoeff()).exp().matrix();
        const Vector<double> prob = q / q.sum();
        hessian = Matrix<double>(prob.asDiagonal()) - prob * prob.transpose();
      }
      g += loss.loss_weight / batch * jacobians[e].transpose() * hessian * jacobians[e];
    }
  }
  return g;
}

double relative(const Matrix<double>& a, const Matrix<double>& b) {
  return (a - b).lpNorm<Eigen::Infinity>() / b.lpNorm<Eigen::Infinity>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_loss_is_the_weighted_sum_of_the_losses) {
  auto graph = graph_from<double>(weighted);
  Rng rng(11);
  random_inputs(*graph, 4, rng);
  graph->fprop();
  const double l1 = graph->loss_of(graph->find("l1")), l2 = graph->loss_of(graph->find("l2"));
  BOOST_TEST(graph->node("l1").loss_weight == 0.3);
  BOOST_TEST(graph->node("l2").loss_weight == 2.0);
  BOOST_TEST(std::abs(graph->loss() - (0.3 * l1 + 2 * l2)) < 1e-14);
  BOOST_TEST(std::abs(graph->loss() - (l1 + l2)) > 1e-3);  // the weights do change E
  graph->parameters().clear_gradients();
  graph->bprop();
  BOOST_TEST(graph->node("l1").state.dx(0, 0) == 0.3 / 4);
  BOOST_TEST(graph->node("l2").state.dx(0, 0) == 2.0 / 4);
}

BOOST_AUTO_TEST_CASE(weighted_losses_give_the_exact_gradient_and_hessian_vector_products) {
  auto graph = graph_from<double>(weighted);
  Rng rng(12);
  random_inputs(*graph, 3, rng);
  const double gradient = gradient_error(*graph);
  BOOST_TEST_MESSAGE("weighted losses: gradient against central differences " << gradient);
  BOOST_TEST(gradient < 1e-6);
  for (int trial = 0; trial < 3; ++trial) {
    const double hv = test::hessian_vector_error(*graph, rng);
    BOOST_TEST_MESSAGE("weighted losses: H v against gradient differences " << hv);
    BOOST_TEST(hv < 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(weighted_losses_give_the_gauss_newton_products_of_the_dense_matrix) {
  auto graph = graph_from<double>(weighted);
  Rng rng(13);
  random_inputs(*graph, 3, rng);
  const Matrix<double> reference = dense_weighted_gauss_newton(*graph);
  auto& p = graph->parameters();
  Matrix<double> products(p.size(), p.size());
  for (Eigen::Index k = 0; k < p.size(); ++k) {
    p.rw() = Vector<double>::Unit(p.size(), k);
    graph->fprop();
    p.clear_gradients();
    graph->bprop();
    graph->gauss_newton_vector();
    products.col(k) = p.rdw();
  }
  BOOST_TEST_MESSAGE("weighted losses: G v against the dense Σ weight JᵀHJ "
                     << relative(products, reference));
  BOOST_TEST(relative(products, reference) < 1e-6);
}

BOOST_AUTO_TEST_CASE(weighted_losses_give_bbprop_the_exact_gauss_newton_diagonal_of_one_layer) {
  auto graph = graph_from<double>(weighted_single_layer);
  Rng rng(14);
  random_inputs(*graph, 5, rng);
  const Vector<double> exact = dense_weighted_gauss_newton(*graph).diagonal();
  auto& p = graph->parameters();
  graph->fprop();
  p.clear_gradients();
  graph->bprop();
  p.clear_hessian();
  graph->bbprop();
  BOOST_TEST_MESSAGE("weighted losses: bbprop against the exact Gauss-Newton diagonal "
                     << relative(p.ddw(), exact));
  BOOST_TEST(relative(p.ddw(), exact) < 1e-6);
  // The weights must show: the same graph without them is far from this diagonal.
  std::string text = weighted_single_layer;
  for (const char* weight : {" weight=0.3", " weight=2"})
    text.erase(text.find(weight), std::strlen(weight));
  auto unweighted = graph_from<double>(text);
  Rng same(14);
  random_inputs(*unweighted, 5, same);
  auto& q = unweighted->parameters();
  BOOST_TEST((q.w() == p.w()));
  unweighted->fprop();
  q.clear_gradients();
  unweighted->bprop();
  q.clear_hessian();
  unweighted->bbprop();
  BOOST_TEST(relative(q.ddw(), exact) > 0.1);
}

BOOST_AUTO_TEST_CASE(a_loss_weight_must_be_positive) {
  const auto f = build_failure(
      "x = input shape=2\nt = input shape=2 source=targets\nl = mse(x, t) weight=0\n");
  BOOST_TEST(f.line == 3);
  BOOST_TEST(f.message.find("'weight' of mse 'l' must be > 0, found 0") != std::string::npos,
             f.message);
  const auto other = build_failure("x = input shape=2\nh = linear(x) outputs=2 weight=2\n");
  BOOST_TEST(other.message.find("unknown setting 'weight' for linear 'h'") != std::string::npos,
             other.message);
}

namespace {

template <typename T>
class WeightedByItself final : public Module<T> {  // a loss that declares `weight` itself
 public:
  explicit WeightedByItself(const Settings&) {}
  Shape output_shape(const std::vector<Shape>&) override { return {1}; }
  void fprop(const Inputs<T>& in, State<T>& out) override { out.resize(in[0]->batch()); }
  void bprop(const Inputs<T>&, const State<T>&) override {}
  void bbprop(const Inputs<T>&, const State<T>&) override {}
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_loss_type_that_declares_weight_itself_is_a_plugin_bug) {
  Registry registry = test::plugins();
  registry.add_module<WeightedByItself>(
      {"selfweighted",
       "a loss with its own weight",
       {"x"},
       {optional("weight", SettingType::real, "1", "clashes with the engine's")},
       true});
  Rng rng(1);
  try {
    Graph<double> graph(parse_graph("x = input shape=2\nl = selfweighted(x)\n", "test.graph"),
                        registry, rng);
    BOOST_ERROR("no error");
  } catch (const SourceError& e) {
    BOOST_TEST(e.where().line == 2);
    BOOST_TEST(std::string(e.what()).find("loss type 'selfweighted' declares a setting 'weight', "
                                          "which the engine gives every loss (a plugin bug)") !=
                   std::string::npos,
               e.what());
  }
}

// The case the prediction rule of graph_objective.h is for: an auxiliary head written after the
// main loss comes first in the engine's topological order, so "the first loss" must be the
// file's (test_reports.cpp runs this graph).
BOOST_AUTO_TEST_CASE(loss_nodes_in_file_order_are_not_the_topological_order) {
  auto graph = graph_from<double>(R"(
image = input shape=4 source=inputs
label = input shape=3 source=targets
h = linear(image) outputs=5
a = stanh(h)
o = linear(a) outputs=3
y = stanh(o)
xent = mse(y, label)
aux_o = linear(a) outputs=3
aux = mse(aux_o, label) weight=0.3
)");
  const auto name = [&](int i) { return graph->nodes()[i].name; };
  BOOST_TEST_REQUIRE(graph->loss_nodes().size() == 2u);
  BOOST_TEST(name(graph->loss_nodes().front()) == "aux");
  const auto in_file = graph->loss_nodes_in_file_order();
  BOOST_TEST(name(in_file[0]) == "xent");
  BOOST_TEST(name(in_file[1]) == "aux");
}
