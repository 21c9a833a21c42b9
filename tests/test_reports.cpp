// What ebprop-run reports (issue 9, "honest reports"): which node is scored, each loss of a
// several-loss graph, the warnings at the end of a run that made the net worse or collapsed it to
// one class, and --lr auto by what each optimizer's lr means.
#define BOOST_TEST_MODULE reports
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <iomanip>
#include <regex>
#include <sstream>

#include "command.h"
#include "run_output.h"
#include "test_util.h"

using namespace ebprop::test;  // run_tool, Result, Scratch, slurp, contains

namespace {

Result run(const std::string& arguments) { return run_tool("ebprop-run", arguments); }

// The small digits net of command.h with an auxiliary head written after the main loss: in the
// engine's topological order its loss `aux` comes before `xent` (asserted in test_graph.cpp
// too), so only the file-order rule scores `y`.
const std::string two_heads =
    "image = input shape=784 source=inputs\n"
    "label = input shape=10 source=targets\n"
    "h = linear(image) outputs=20\n"
    "a = stanh(h)\n"
    "o = linear(a) outputs=10\n"
    "y = stanh(o)\n"
    "xent = mse(y, label)\n"
    "aux_o = linear(a) outputs=10\n"
    "aux = mse(aux_o, label) weight=0.3\n"
    "[run]\nepochs = 1\n"
    "[data]\ndir = " +
    digits_dir + "\ntrain-limit = 500\ntest-limit = 200\n";

// The number after `text` in `output`.
double number_after(const std::string& output, const std::string& text) {
  const auto at = output.find(text);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "'" << text << "' in " << output);
  return std::stod(output.substr(at + text.size()));
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_header_names_the_scored_node_and_its_loss_in_file_order) {
  Scratch s;
  const Result r = run(s.file("two.graph", two_heads));
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output,
                      "scored: node 'y' (line 6), argmax over 10 classes; loss 'xent' "
                      "(line 7), the first loss in the file\n"),
             r.output);
  BOOST_TEST(contains(r.output,
                      "losses: xent (mse, line 7, weight 1), aux (mse, line 9, weight "
                      "0.3); E = Σ weight · loss"),
             r.output);
  // The header comes before the first epoch.
  BOOST_TEST(r.output.find("scored: ") < r.output.find("epoch   1"), r.output);
}

BOOST_AUTO_TEST_CASE(predict_names_the_scored_node_and_the_loss_that_reads_it) {
  Scratch s;
  const std::string graph = s.file("two.graph", two_heads);
  const Result r = run(graph + " --set predict=aux_o");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output,
                      "scored: node 'aux_o' (line 8), argmax over 10 classes, named by "
                      "predict=; loss 'aux' (line 9)\n"),
             r.output);
  const Result hidden = run(graph + " --set predict=o");
  BOOST_TEST_REQUIRE(hidden.status == 0, hidden.output);
  BOOST_TEST(contains(hidden.output, "named by predict=; no loss reads it as its output"),
             hidden.output);
}

BOOST_AUTO_TEST_CASE(a_single_loss_graph_prints_no_loss_list_and_no_per_loss_columns) {
  Scratch s;
  const std::string metrics = s.file("m.jsonl");
  const Result r = run(s.file("n.graph", small_net) + " --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "scored: node 'y' (line 6)"), r.output);
  BOOST_TEST(!contains(r.output, "losses:"), r.output);
  BOOST_TEST(!contains(r.output, "(loss "), r.output);
  BOOST_TEST(contains(slurp(metrics), "\"losses\": {\"loss\": "), slurp(metrics));
}

BOOST_AUTO_TEST_CASE(each_loss_is_reported_and_the_total_is_their_weighted_sum) {
  Scratch s;
  const std::string metrics = s.file("m.jsonl");
  const Result r = run(s.file("two.graph", two_heads) + " --epochs 2 --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  // epoch   1  train loss 0.9 error ... (xent 0.8 aux 0.4)  test loss ... (xent ... aux ...)
  const std::regex line(
      "epoch   2  train loss [0-9.]+ error +[0-9.]+% \\(xent [0-9.]+ aux [0-9.]+\\)  test loss "
      "[0-9.]+ error +[0-9.]+% \\(xent [0-9.]+ aux [0-9.]+\\)");
  BOOST_TEST(std::regex_search(r.output, line), r.output);
  std::istringstream lines(slurp(metrics));
  int count = 0;
  for (std::string m; std::getline(lines, m);) {
    ++count;
    BOOST_TEST_REQUIRE(contains(m, "\"losses\": {\"xent\": "), m);
    BOOST_TEST_REQUIRE(contains(m, "\"test_losses\": {\"xent\": "), m);
    const std::string train = m.substr(m.find("\"losses\": {")),
                      test = m.substr(m.find("\"test_losses\": {"));
    const double xent = field(train, "xent"), aux = field(train, "aux");
    const double test_xent = field(test, "xent"), test_aux = field(test, "aux");
    BOOST_TEST(aux > 0);
    BOOST_TEST(
        std::abs(field(m, "train_loss") - (xent + 0.3 * aux)) < 1e-5 * field(m, "train_loss"), m);
    BOOST_TEST(std::abs(field(m, "test_loss") - (test_xent + 0.3 * test_aux)) <
                   1e-5 * field(m, "test_loss"),
               m);
  }
  BOOST_TEST(count == 2);
  const Result test_only = run(s.file("two.graph", two_heads) + " --epochs 0");
  BOOST_TEST_REQUIRE(test_only.status == 0, test_only.output);
  BOOST_TEST(std::regex_search(test_only.output,
                               std::regex("\ntest loss [0-9.]+ error +[0-9.]+% \\(xent [0-9.]+ aux "
                                          "[0-9.]+\\)\n")),
             test_only.output);
}

// ---- The end of a run: warnings for a net made worse, or collapsed to one class ----

BOOST_AUTO_TEST_CASE(a_run_that_ends_far_worse_than_it_started_says_so) {
  // SDLM's per-epoch schedule: a fair η in epoch 1, then a thousand times larger (the net wanders
  // with bounded outputs; the divergence rule is off so the run finishes).
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const Result r = run(graph +
                       " --optimizer sdlm --opt schedule=0.0005,0.5 --epochs 3 --set "
                       "diverge-factor=off --metrics " +
                       s.file("m.jsonl"));
  BOOST_TEST_REQUIRE(r.status == 0, r.output);  // a warning, not an error
  const std::string m = slurp(s.file("m.jsonl"));
  const double first = field(m, "train_loss"),
               last = field(m.substr(m.rfind("{\"epoch\"")), "train_loss");
  BOOST_TEST_REQUIRE(last > 1.5 * first, m);
  std::ostringstream expected;
  expected << "ebprop-run: warning: the final training loss, " << std::setprecision(5) << last
           << " (epoch 3), is more than 1.5 times the first epoch's, " << first
           << ": the run made the net worse; lower the learning rate\n";
  BOOST_TEST(contains(r.output, expected.str()), r.output);
  // The same net with a fair rate throughout gets no warning.
  const Result fair = run(graph + " --optimizer sdlm --opt lr=0.0005 --epochs 3");
  BOOST_TEST_REQUIRE(fair.status == 0, fair.output);
  BOOST_TEST(!contains(fair.output, "warning"), fair.output);
}

BOOST_AUTO_TEST_CASE(a_net_that_predicts_one_class_for_every_example_says_so) {
  // Thirty examples with one input and three labels: no net can tell them apart, so every test
  // example gets the same prediction.
  Scratch s;
  std::string rows;
  for (int i = 0; i < 30; ++i) rows += std::to_string(i % 3) + ",0.5,-0.25\n";
  const std::string csv = s.file("same.csv", rows);
  const std::string graph =
      s.file("same.graph",
             "x = input shape=2 source=inputs\n"
             "t = input shape=3 source=targets\n"
             "h = linear(x) outputs=4\n"
             "a = stanh(h)\n"
             "o = linear(a) outputs=3\n"
             "y = stanh(o)\n"
             "loss = mse(y, t)\n"
             "[run]\nepochs = 2\n"
             "[data]\ntrain-csv = " +
                 csv + "\ntest-csv = " + csv + "\ncenter = none\nscale = none\n");
  const Result r = run(graph);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const std::regex warning(
      "ebprop-run: warning: the net predicted class [0-2] for every example of the test set in "
      "epoch 2: it has collapsed to one class; check the learning rate, whether the inputs tell "
      "the classes apart, and the predict node\n");
  BOOST_TEST(std::regex_search(r.output, warning), r.output);
  // The bundled digits with a sound rate: predictions of several classes, no warning.
  const Result fine = run(s.file("n.graph", small_net));
  BOOST_TEST_REQUIRE(fine.status == 0, fine.output);
  BOOST_TEST(!contains(fine.output, "collapsed"), fine.output);
}

// ---- --lr auto by what the optimizer's lr means (OptimizerInfo::rate_kind) ----

BOOST_AUTO_TEST_CASE(lr_auto_under_momentum_takes_one_minus_mu_over_lambda_max) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net), metrics = s.file("m.jsonl");
  const Result plain = run(graph + " --lr auto --epochs 1");
  BOOST_TEST_REQUIRE(plain.status == 0, plain.output);
  const double lambda = number_after(plain.output, "lr auto: λmax ≈ ");
  const Result r = run(graph + " --lr auto --opt momentum=0.75 --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(number_after(r.output, "lr auto: λmax ≈ ") == lambda);  // the same estimate
  const double rate = number_after(r.output, "lr = (1 − μ)/λmax = ");
  BOOST_TEST(std::abs(rate - 0.25 / lambda) < 1e-4 * rate, r.output);
  BOOST_TEST(contains(r.output,
                      "(momentum μ = 0.75: the effective rate η/(1 − μ) is 1/λmax of "
                      "§9.2; plain 1/λmax would be "),
             r.output);
  const double used = field(slurp(metrics), "rate");
  BOOST_TEST(std::abs(used - rate) < 1e-5 * rate, slurp(metrics));  // trained with it
}

BOOST_AUTO_TEST_CASE(lr_auto_refuses_sdlm_whose_lr_is_the_factor_of_eq_61) {
  Scratch s;
  const Result r = run(s.file("n.graph", small_net) + " --lr auto --optimizer sdlm");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output,
                      "ebprop-run: --lr auto: the lr of optimizer sdlm is the global "
                      "factor η of Eq. 61, which it divides by its own per-weight "
                      "curvature estimates (⟨h_kk⟩ + μ), so 1/λmax is not its scale; "
                      "give it with --lr"),
             r.output);
  BOOST_TEST(!contains(r.output, "epoch"), r.output);  // refused before any training
}

BOOST_AUTO_TEST_CASE(lr_auto_refuses_an_optimizer_without_a_global_step_size) {
  Scratch s;
  const Result r = run(s.file("n.graph", small_net) + " --lr auto --optimizer cg");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output,
                      "ebprop-run: --lr auto: optimizer cg has no global step size to "
                      "set (1/λmax, §9.2, is the rate of gradient descent); drop --lr "
                      "auto"),
             r.output);
}

BOOST_AUTO_TEST_CASE(lr_auto_sets_the_starting_rate_of_adaptive) {
  Scratch s;
  const std::string metrics = s.file("m.jsonl");
  const Result r =
      run(s.file("n.graph", small_net) + " --lr auto --optimizer adaptive --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(number_after(r.output, "lr = 1/λmax = ") > 0, r.output);
}

// ---- adaptive's defaults train (its β was 1, a thousand times too large for the digits) ----

BOOST_AUTO_TEST_CASE(adaptive_with_its_defaults_trains_the_small_digits_net) {
  Scratch s;
  const std::string metrics = s.file("m.jsonl");
  const Result r =
      run(s.file("n.graph", small_net) + " --optimizer adaptive --epochs 3 --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const std::string m = slurp(metrics);
  const double error = field(m.substr(m.rfind("{\"epoch\"")), "test_error");
  BOOST_TEST(error < 30.0, m);  // chance is 90 %
}
