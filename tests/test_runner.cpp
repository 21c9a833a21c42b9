// ebprop-run end to end: it learns the digits, reproduces runs, saves and loads, and stops with a
// located message and a non-zero exit on every bad input.
#define BOOST_TEST_MODULE runner
#include <signal.h>

#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <regex>
#include <sstream>

#include "bad_inputs/background.h"
#include "bad_inputs/file_bytes.h"
#include "command.h"
#include "run_output.h"
#include "test_util.h"

namespace fs = boost::filesystem;
using namespace ebprop::test;  // run_tool, Result, Scratch, slurp, contains

namespace {

Result run(const std::string& arguments) { return run_tool("ebprop-run", arguments); }

const std::string digits = std::string(EBPROP_SOURCE_DIR) + "/graphs/digits-mlp.graph";
const std::string fit = std::string(EBPROP_SOURCE_DIR) + "/graphs/fit-stanh.graph";
// The test plugin full_set_descent (tests/plugins/): steepest descent on the whole set, fixed
// rate, the shared stop rules; two evaluations per iteration.
const std::string full_set_descent =
    " --plugin-path " + std::string(EBPROP_BINARY_DIR) +
    "/tests/bad-plugins/full_set_descent/libfull_set_descent.so --optimizer full_set_descent";

// How well runs learn, over many training runs: the sanitizer build skips these cases
// (tests/CMakeLists.txt). The code they run is run there by cases that check exact results:
// test_resume resumes every optimizer through ebprop-run, test_modules checks every module.
const auto long_case = boost::unit_test::label("long");

}  // namespace

BOOST_AUTO_TEST_CASE(the_bundled_mlp_learns_the_digits, *long_case) {
  Scratch s;
  const std::string metrics = s.file("m.jsonl");
  const Result r = run(digits + " --epochs 2 --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  std::istringstream lines(slurp(metrics));
  std::string line;
  double test_error = 100;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    const auto at = line.find("\"test_error\": ");
    BOOST_REQUIRE(at != std::string::npos);
    test_error = std::stod(line.substr(at + 14));
  }
  BOOST_TEST(count == 2);
  BOOST_TEST(test_error < 10.0, r.output);  // from 90 % (chance) to under 10 % in two epochs
  BOOST_TEST(contains(r.output, "epoch   2"), r.output);
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_weights) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const std::string a = s.file("a.w"), b = s.file("b.w"), c = s.file("c.w");
  BOOST_TEST_REQUIRE(run(graph + " -q --seed 3 --save " + a).status == 0);
  BOOST_TEST_REQUIRE(run(graph + " -q --seed 3 --save " + b).status == 0);
  BOOST_TEST_REQUIRE(run(graph + " -q --seed 4 --save " + c).status == 0);
  BOOST_TEST((slurp(a) == slurp(b)));
  BOOST_TEST((slurp(a) != slurp(c)));
}

BOOST_AUTO_TEST_CASE(saved_weights_reload_to_the_same_test_loss) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const std::string w = s.file("w.bin"), metrics = s.file("m.jsonl");
  BOOST_TEST_REQUIRE(run(graph + " -q --save " + w + " --metrics " + metrics).status == 0);
  const std::string m = slurp(metrics);
  const double trained = std::stod(m.substr(m.find("\"test_loss\": ") + 13));
  const Result r = run(graph + " --load " + w + " --test-only");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const double reloaded = std::stod(r.output.substr(r.output.find("test loss ") + 10));
  BOOST_TEST(std::abs(trained - reloaded) < 1e-5 * trained, r.output);
}

BOOST_AUTO_TEST_CASE(zero_epochs_save_the_starting_weights) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net), w = s.file("w.bin");
  const Result r = run(graph + " --epochs 0 --save " + w);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "test loss"), r.output);
  BOOST_TEST(fs::exists(w));
}

BOOST_AUTO_TEST_CASE(weights_of_another_graph_are_refused) {
  Scratch s;
  const std::string w = s.file("w.bin");
  BOOST_TEST_REQUIRE(run(s.file("n.graph", small_net) + " -q --save " + w).status == 0);
  std::string other = small_net;
  other.replace(other.find("outputs=20"), 10, "outputs=21");
  const Result r = run(s.file("o.graph", other) + " --load " + w);
  BOOST_TEST(r.status == 1);
  BOOST_TEST(contains(r.output, "'h.weight' is 20x784 in the file but 21x784 in the graph"),
             r.output);
}

BOOST_AUTO_TEST_CASE(a_diverging_run_stops_and_names_the_node) {
  Scratch s;
  const std::string w = s.file("w.bin");
  // No squashing function at the output: a huge rate sends the weights to infinity.
  std::string linear_net = small_net;
  linear_net.replace(linear_net.find("loss = mse(y, label)"), 20, "loss = mse(o, label)");
  const Result r = run(s.file("n.graph", linear_net) + " --lr 100 --save " + w);
  BOOST_TEST(r.status == 1, r.output);
  BOOST_TEST(contains(r.output, "training diverged in epoch 1"), r.output);
  BOOST_TEST(contains(r.output, "n.graph:"), r.output);
  BOOST_TEST(!fs::exists(w));  // nothing half-written
  BOOST_TEST(!fs::exists(w + ".tmp"));
}

BOOST_AUTO_TEST_CASE(help_and_plugin_listing) {
  const Result help = run("--help");
  BOOST_TEST(help.status == 0);
  BOOST_TEST(contains(help.output, "Usage: ebprop-run GRAPH-FILE"));
  BOOST_TEST(contains(help.output, "Keys of the [data] section"));
  const Result list = run("--list-plugins");
  BOOST_TEST(list.status == 0);
  for (const char* word :
       {"linear", "stanh", "logistic", "mse (loss)", "sgd", "outputs (integer, required)"})
    BOOST_TEST(contains(list.output, word), word);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_with_2) {
  const Result r = run("--no-such-option x.graph");
  BOOST_TEST(r.status == 2);
  BOOST_TEST(contains(r.output, "unrecognised option '--no-such-option'"), r.output);
  BOOST_TEST(run("").status == 2);
}

// Each malformed input: a graph file (or command-line addition) and the message it must give.
BOOST_AUTO_TEST_CASE(bad_input_gives_a_located_message_and_exit_1) {
  Scratch s;
  struct Case {
    std::string graph, extra, expected;
  };
  const std::vector<Case> cases{
      {"x = lineer(y)\n", "", "bad.graph:1:5: unknown module type 'lineer'"},
      {"x = input shape=784 source=inputs\nh = linear(x) outputs=\n", "", "bad.graph:2:"},
      {"x = input shape=784\nh = linear(z) outputs=3\n", "", "bad.graph:2:12: node 'h' reads 'z'"},
      {"x = input shape=784\nh = linear(x outputs=3\n", "", "bad.graph:2:"},
      {small_net + "[optimizer sgd]\nlr = fast\n", "",
       "bad.graph:15:1: setting 'lr' of optimizer sgd: expected a finite real number"},
      {small_net + "[optimizer sgdd]\n", "", "unknown optimizer 'sgdd'; did you mean 'sgd'?"},
      {small_net, "--set predict=a",
       "the prediction node 'a' (line 4) has 20 values, but there are 10 classes"},
      {small_net, "--set train-images=/nonexistent/x.idx", "/nonexistent/x.idx"},
      {small_net, "--data-dir /nonexistent", "/nonexistent"},
      {small_net + "target-columns = 1\n", "",
       "bad.graph:14:1: target-columns is for a regression on CSV files (train-csv) or on an IDX "
       "targets file (train-targets), but the training data are IDX images and labels"},
      {"x = input shape=10 source=inputs\nt = input shape=10 source=targets\nl = mse(x, "
       "t)\n[data]\ndir = " +
           digits_dir + "\n",
       "", "input 'x' (line 1) has shape 10 (10 values) but the examples of"},
  };
  for (const auto& c : cases) {
    const Result r = run(s.file("bad.graph", c.graph) + " " + c.extra);
    BOOST_TEST(r.status == 1, c.expected << " -> " << r.output);
    BOOST_TEST(contains(r.output, c.expected), c.expected << " -> " << r.output);
    BOOST_TEST(contains(r.output, "ebprop-run: error: "), r.output);
  }
  const Result missing = run("/nonexistent/net.graph");
  BOOST_TEST(missing.status == 1);
  BOOST_TEST(contains(missing.output, "cannot read graph file '/nonexistent/net.graph'"),
             missing.output);
}

BOOST_AUTO_TEST_CASE(describe_prints_nodes_shapes_and_parameters) {
  const Result r = run(digits + " --describe");
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "hidden.weight"), r.output);
  BOOST_TEST(contains(r.output, "28x28"), r.output);
}

BOOST_AUTO_TEST_CASE(lr_auto_sets_the_rate_from_the_online_estimate) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net), metrics = s.file("m.jsonl");
  const Result r = run(graph + " --lr auto --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const auto at = r.output.find("lr = 1/λmax = ");
  BOOST_TEST_REQUIRE(at != std::string::npos, r.output);
  const double rate = std::stod(r.output.substr(at + std::string("lr = 1/λmax = ").size()));
  const std::string m = slurp(metrics);
  const double used = std::stod(m.substr(m.find("\"rate\": ") + 8));
  BOOST_TEST(rate > 0);
  BOOST_TEST(std::abs(used - rate) < 1e-5 * rate, m);  // trained with it (printed to 6 digits)
}

BOOST_AUTO_TEST_CASE(sdlm_trains_every_bundled_graph, *long_case) {
  // §9.1 on each architecture of graphs/, fed with 600 bundled digits (every graph there takes
  // 28x28 images of ten classes; the Fashion-MNIST ones too).
  Scratch s;
  int graphs = 0;
  for (const auto& entry : fs::directory_iterator(std::string(EBPROP_SOURCE_DIR) + "/graphs")) {
    if (entry.path().extension() != ".graph") continue;
    if (contains(slurp(entry.path().string()), "target-columns")) continue;  // a regression
    ++graphs;
    const std::string metrics = s.file(entry.path().stem().string() + ".jsonl");
    const Result r = run(entry.path().string() + " --optimizer sdlm --opt lr=0.0005 --epochs 2 " +
                         "--data-dir " + digits_dir +
                         " --set train-limit=600 --set test-limit=300 --metrics " + metrics);
    BOOST_TEST_REQUIRE(r.status == 0, entry.path() << ": " << r.output);
    const std::string m = slurp(metrics);
    const double error = std::stod(m.substr(m.rfind("\"test_error\": ") + 14));
    BOOST_TEST(error < 50.0, entry.path() << ": " << m);  // chance is 90 %
  }
  BOOST_TEST(graphs >= 2);
}

BOOST_AUTO_TEST_CASE(the_regression_graph_fits_its_function_and_reports_losses_only) {
  Scratch s;
  const std::string metrics = s.file("m.jsonl");
  const Result r = run(fit + " --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const auto epochs = lines_starting(r.output, "epoch ");
  BOOST_TEST_REQUIRE(epochs.size() == 100u, r.output);
  for (const auto& line : epochs) {
    BOOST_TEST(contains(line, "train loss "), line);
    BOOST_TEST(contains(line, "test loss "), line);
    BOOST_TEST(!contains(line, "error"), line);
    BOOST_TEST(!contains(line, "%"), line);
  }
  const auto records = lines_starting(slurp(metrics), "{");
  BOOST_TEST_REQUIRE(records.size() == 100u);
  for (const auto& record : records) {
    BOOST_TEST(contains(record, "\"train_error\": null"), record);
    BOOST_TEST(contains(record, "\"test_error\": null"), record);
  }
  // The test targets have a variance of 0.24 (E = 0.12 for the best constant); the net ends
  // far below.
  BOOST_TEST(field(records.back(), "test_loss") < 0.01, records.back());
  BOOST_TEST(field(records.back(), "test_loss") < field(records.front(), "test_loss") / 2,
             records.front() << "\n"
                             << records.back());
  // sgd knows no ‖g‖ or step length; it evaluates one gradient per example.
  BOOST_TEST(std::isnan(field(records.back(), "grad_norm")), records.back());
  BOOST_TEST(std::isnan(field(records.back(), "step")), records.back());
  BOOST_TEST(field(records.back(), "evaluations") == 100 * 400, records.back());
  BOOST_TEST(field(records.back(), "examples") == 100 * 400, records.back());
  BOOST_TEST(field(records.back(), "gauss_newton_vectors") == 0, records.back());
}

BOOST_AUTO_TEST_CASE(a_regression_set_is_described_and_tested_without_an_error_rate) {
  const Result describe = run(fit + " --describe");
  BOOST_TEST(describe.status == 0, describe.output);
  BOOST_TEST(contains(describe.output, "output.weight"), describe.output);
  const Result test = run(fit + " --epochs 0");
  BOOST_TEST_REQUIRE(test.status == 0, test.output);
  BOOST_TEST(std::regex_search(test.output, std::regex("\ntest loss [0-9.e+-]+\n")), test.output);
  BOOST_TEST(!contains(test.output, "error"), test.output);
}

BOOST_AUTO_TEST_CASE(an_iterating_optimizer_prints_one_line_per_iteration) {
  Scratch s;
  const std::string metrics = s.file("m.jsonl");
  const Result r = run(fit + full_set_descent + " --opt lr=0.2 --epochs 4 --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "training: up to 4 iterations on the whole training set"),
             r.output);
  const auto iterations = lines_starting(r.output, "iteration ");
  BOOST_TEST_REQUIRE(iterations.size() == 4u, r.output);
  const std::regex format(
      "iteration +([0-9]+)  train loss [0-9.]+  ‖g‖ [0-9.]+e[-+][0-9]+  step [0-9.]+e[-+][0-9]+"
      "  evaluations ([0-9]+)  test loss [0-9.]+  [0-9.]+ s");
  for (std::size_t i = 0; i < iterations.size(); ++i) {
    std::smatch match;
    BOOST_TEST_REQUIRE(std::regex_match(iterations[i], match, format), iterations[i]);
    BOOST_TEST(std::stoi(match[1]) == static_cast<int>(i + 1), iterations[i]);
    BOOST_TEST(std::stoi(match[2]) == 2 * static_cast<int>(i + 1), iterations[i]);
  }
  BOOST_TEST(!contains(r.output, "stopped"), r.output);
  const auto records = lines_starting(slurp(metrics), "{");
  BOOST_TEST_REQUIRE(records.size() == 4u);
  for (const auto& record : records) {
    BOOST_TEST(field(record, "grad_norm") > 0, record);
    BOOST_TEST(field(record, "step") > 0, record);
  }
  BOOST_TEST(field(records.back(), "evaluations") == 8, records.back());
  // Each evaluation is on the whole set of 400: eight passes over the data.
  BOOST_TEST(field(records.back(), "examples") == 8 * 400, records.back());
  BOOST_TEST(field(records.back(), "train_loss") < field(records.front(), "train_loss"),
             records.front() << "\n"
                             << records.back());
}

BOOST_AUTO_TEST_CASE(an_optimizer_on_samples_counts_its_iterations_over_the_run) {
  // 400 training examples in samples of 100: four iterations an epoch.
  const Result r = run(fit + full_set_descent + " --opt sample=100 --epochs 2");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output,
                      "training: 2 epochs of iterations on samples of 100 examples, "
                      "drawn anew every iteration"),
             r.output);
  const auto iterations = lines_starting(r.output, "iteration ");
  BOOST_TEST_REQUIRE(iterations.size() == 2u, r.output);
  BOOST_TEST(iterations[0].rfind("iteration   4  ", 0) == 0, iterations[0]);
  BOOST_TEST(contains(iterations[0], "  evaluations 8  "), iterations[0]);
  BOOST_TEST(iterations[1].rfind("iteration   8  ", 0) == 0, iterations[1]);
  BOOST_TEST(contains(iterations[1], "  evaluations 16  "), iterations[1]);
}

BOOST_AUTO_TEST_CASE(a_stop_rule_ends_the_run_normally_with_its_reason) {
  Scratch s;
  const std::string metrics = s.file("m.jsonl"), w = s.file("w.bin");
  const Result r = run(fit + full_set_descent + " --opt max-iterations=3 --epochs 10 --save " + w +
                       " --metrics " + metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(lines_starting(r.output, "iteration ").size() == 3u, r.output);
  BOOST_TEST(lines_starting(r.output, "stopped: ").size() == 1u, r.output);
  BOOST_TEST(contains(r.output, "\nstopped: max-iterations 3 reached\n"), r.output);
  BOOST_TEST(lines_starting(slurp(metrics), "{").size() == 3u);
  // The weights of the last iteration were saved: testing them gives its training loss.
  const Result again = run(fit + " --load " + w + " --test-only --set test-csv=");
  BOOST_TEST_REQUIRE(again.status == 0, again.output);
  const double reloaded = std::stod(again.output.substr(again.output.find("train loss ") + 11));
  const double trained = field(lines_starting(slurp(metrics), "{").back(), "train_loss");
  BOOST_TEST(std::abs(reloaded - trained) < 1e-6 * trained, again.output);

  const Result tolerance = run(fit + full_set_descent + " --opt grad-tol=1e9 --epochs 10");
  BOOST_TEST_REQUIRE(tolerance.status == 0, tolerance.output);
  BOOST_TEST(lines_starting(tolerance.output, "iteration ").size() == 1u, tolerance.output);
  BOOST_TEST(
      std::regex_search(tolerance.output, std::regex("\nstopped: ‖g‖ [^\n]+ < grad-tol 1e\\+09\n")),
      tolerance.output);
}

BOOST_AUTO_TEST_CASE(gauss_newton_on_softmax_says_once_that_it_is_the_generalized_one) {
  Scratch s;
  const std::string graph = s.file("softmax.graph");
  std::ofstream(graph) << "image = input shape=784 source=inputs\n"
                          "label = input shape=10 source=targets\n"
                          "h = linear(image) outputs=8\n"
                          "a = stanh(h)\n"
                          "o = linear(a) outputs=10\n"
                          "loss = softmax_xent(o, label)\n"
                          "[optimizer gauss-newton]\n"
                          "[run]\nepochs = 3\nprecision = double\n"
                          "[data]\ndir = " +
                              digits_dir + "\ntrain-limit = 100\ntest-limit = 50\n";
  const Result r = run(graph);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const auto notes = lines_starting(r.output, "note: ");
  BOOST_TEST_REQUIRE(notes.size() == 1u, r.output);
  BOOST_TEST(contains(notes[0], "the loss node 'loss' ("), notes[0]);
  BOOST_TEST(contains(notes[0], "Fisher information matrix"), notes[0]);
  const auto iterations = lines_starting(r.output, "iteration ");
  BOOST_TEST_REQUIRE(iterations.size() == 3u, r.output);
}

// Every optimizer that iterates on the whole set (the methods of §6, whatever their plugins)
// trains the bundled regression net and a small digits net to a stated loss. Stochastic ones are
// tested on graphs by their own tests (test_sgd, test_sdlm, test_adaptive) and by the main job.
BOOST_AUTO_TEST_CASE(every_iterating_optimizer_trains_a_regression_net_and_a_digits_net,
                     *long_case) {
  Scratch s;
  const std::string digits = s.file("pooled-digits.graph");
  // 7×7 max-pooled digits, 16-8-10: 226 weights, so even a dense Hessian is quick.
  std::ofstream(digits) << "image = input shape=1x28x28 source=inputs\n"
                           "label = input shape=10 source=targets\n"
                           "pooled = maxpool(image) size=7\n"
                           "flat = flatten(pooled)\n"
                           "hidden = linear(flat) outputs=8\n"
                           "h = stanh(hidden)\n"
                           "scores = linear(h) outputs=10\n"
                           "output = stanh(scores)\n"
                           "loss = mse(output, label)\n"
                           "[run]\nprecision = double\n"
                           "[data]\ndir = " +
                               digits_dir +
                               "\ntrain-limit = 100\ntest-limit = 50\ncenter = global\n"
                               "scale = global\n";
  const ebprop::Registry& registry = ebprop::test::plugins();
  int iterating = 0;
  for (const std::string& type : registry.optimizer_types()) {
    if (ebprop::test::optimizer(type, {})->data_use().kind == ebprop::DataUse::Kind::mini_batches)
      continue;
    ++iterating;
    BOOST_TEST_CONTEXT("optimizer " << type) {
      // The regression: from E = 0.149 (the starting weights), 40 iterations.
      const std::string fit_metrics = s.file(type + "-fit.jsonl");
      const Result f =
          run(fit + " --optimizer " + type + " --epochs 40 -q --metrics " + fit_metrics);
      BOOST_TEST_REQUIRE(f.status == 0, f.output);
      const double fit_loss = field(lines_starting(slurp(fit_metrics), "{").back(), "train_loss");
      BOOST_TEST(fit_loss < 0.004, fit_loss);
      // The digits: from E = 13.1, 15 iterations.
      const std::string digits_metrics = s.file(type + "-digits.jsonl");
      const Result d =
          run(digits + " --optimizer " + type + " --epochs 15 -q --metrics " + digits_metrics);
      BOOST_TEST_REQUIRE(d.status == 0, d.output);
      const double digits_loss =
          field(lines_starting(slurp(digits_metrics), "{").back(), "train_loss");
      BOOST_TEST(digits_loss < 2.0, digits_loss);
    }
  }
  BOOST_TEST(iterating >= 1);
}

// --trace -----------------------------------------------------------------------------------------

namespace {

// LMS (§5): a linear unit with a bias under MSE on four points, raw inputs; whole-set steps.
const char* lms_net =
    "x = input shape=2 source=inputs\n"
    "t = input shape=1 source=targets\n"
    "o = linear(x) outputs=1\n"
    "loss = mse(o, t)\n"
    "[run]\nbatch = 4\nshuffle = false\nprecision = double\n"
    "[data]\ncenter = none\nscale = none\ntarget-columns = 1\ntrain-csv = lms.csv\n";
const double lms_points[4][3] = {
    {1.0, 0.5, 1.0}, {-0.5, 1.5, -1.0}, {2.0, -1.0, 0.5}, {0.25, 0.75, -0.25}};

// lms.csv in `s`: the points as lms_net reads them.
void write_lms_csv(const Scratch& s) {
  std::string points;
  for (const auto& p : lms_points)
    points += std::to_string(p[0]) + "," + std::to_string(p[1]) + "," + std::to_string(p[2]) + "\n";
  s.file("lms.csv", points);
}

std::vector<std::vector<double>> csv_rows(const std::string& text) {
  std::vector<std::vector<double>> rows;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::vector<double> row;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

// Each traced step is the gradient step computed here, independently, from the row before (the
// points are exact in float, as the data are held):
// w ← w − η·mean_p (wᵀx_p + b − d_p)·(x_p, 1) (E = ½ mean (o − d)², Eq. 5).
BOOST_AUTO_TEST_CASE(trace_records_every_step_from_the_starting_weights) {
  Scratch s;
  write_lms_csv(s);
  const std::string graph = s.file("lms.graph", lms_net), trace = s.file("w.csv");
  const double eta = 0.1;
  const Result r = run(graph + " -q --epochs 3 --optimizer sgd --lr 0.1 --trace " + trace);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const std::string text = slurp(trace);
  BOOST_TEST(text.rfind("step,epoch,o.weight.0,o.weight.1,o.bias.0\n", 0) == 0, text);
  const auto rows = csv_rows(text);
  BOOST_TEST_REQUIRE(rows.size() == 4u);  // the start and one step per epoch
  for (std::size_t k = 1; k < rows.size(); ++k) {
    BOOST_TEST(rows[k][0] == static_cast<double>(k));
    BOOST_TEST(rows[k][1] == static_cast<double>(k));
    const double w0 = rows[k - 1][2], w1 = rows[k - 1][3], b = rows[k - 1][4];
    double g0 = 0, g1 = 0, gb = 0;
    for (const auto& p : lms_points) {
      const double e = w0 * p[0] + w1 * p[1] + b - p[2];
      g0 += e * p[0] / 4;
      g1 += e * p[1] / 4;
      gb += e / 4;
    }
    BOOST_TEST(rows[k][2] == w0 - eta * g0, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(rows[k][3] == w1 - eta * g1, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(rows[k][4] == b - eta * gb, boost::test_tools::tolerance(1e-12));
  }
  // A diverging rate: the trace keeps every step up to the one that diverged.
  const Result diverged = run(graph + " -q --epochs 40 --optimizer sgd --lr 5 --trace " + trace);
  BOOST_TEST(diverged.status == 1, diverged.output);
  const auto steps = csv_rows(slurp(trace));
  BOOST_TEST(steps.size() > 1u);
  BOOST_TEST(steps.size() <= 41u);
  const auto loss = [](const std::vector<double>& row) {
    double e = 0;
    for (const auto& p : lms_points)
      e += std::pow(row[2] * p[0] + row[3] * p[1] + row[4] - p[2], 2) / 8;
    return e;
  };
  BOOST_TEST(loss(steps.back()) > 10 * loss(steps.front()));
}

// An interrupted run's trace holds every step it made, though the trace is written only at
// doubling sizes at the ends of epochs (weight_trace.h): SIGINT writes the rest. One step of all
// 4 examples per epoch, so the steps are the epochs done, and one more when the signal came
// after an epoch's step and before its end ("in epoch E after 4 of 4 examples").
BOOST_AUTO_TEST_CASE(an_interrupted_trace_ends_at_the_last_step) {
  Scratch s;
  write_lms_csv(s);
  const std::string graph = s.file("lms.graph", lms_net), trace = s.file("w.csv");
  Background tool("ebprop-run", graph + " --epochs 1000000 --optimizer sgd --lr 0.01 --trace " +
                                    trace + " --set test-limit=0");
  BOOST_TEST_REQUIRE(tool.wait_for("epoch 300 "));
  tool.signal(SIGINT);
  const Result stopped = tool.finish();
  BOOST_TEST_REQUIRE(stopped.status == 130, stopped.output);
  std::smatch m;
  const std::regex ended(
      "interrupted by SIGINT (after epoch ([0-9]+)|in epoch ([0-9]+) after "
      "([0-9]+) of 4 examples)");
  BOOST_TEST_REQUIRE(std::regex_search(stopped.output, m, ended), stopped.output);
  const double steps = m[2].matched ? std::stod(m[2]) : std::stod(m[3]) - 1 + std::stod(m[4]) / 4;
  const auto rows = csv_rows(slurp(trace));
  BOOST_TEST_REQUIRE(rows.size() == steps + 1, "rows of the trace, ended " << m[0]);
  for (std::size_t k = 0; k < rows.size(); ++k) BOOST_TEST(rows[k][0] == static_cast<double>(k));
}

// IDX targets (train-targets) ---------------------------------------------------------------------

namespace {

// The LMS points as IDX files in `s`: x.idx (4 x 2 floats), t.idx (4) and t1.idx (4 x 1); and
// lms_net reading `data` instead of its CSV lines, as `name`.
std::string lms_idx_graph(const Scratch& s, const std::string& name, const std::string& data) {
  std::vector<float> inputs, targets;
  for (const auto& p : lms_points) {
    inputs.push_back(static_cast<float>(p[0]));
    inputs.push_back(static_cast<float>(p[1]));
    targets.push_back(static_cast<float>(p[2]));
  }
  write_bytes(s.file("x.idx"), idx_floats({4, 2}, inputs));
  write_bytes(s.file("t.idx"), idx_floats({4}, targets));
  write_bytes(s.file("t1.idx"), idx_floats({4, 1}, targets));
  std::string text = lms_net;
  const std::string csv = "target-columns = 1\ntrain-csv = lms.csv\n";
  text.replace(text.find(csv), csv.size(), data);
  return s.file(name, text);
}

}  // namespace

// An IDX targets file is the CSV target column in another format: the same four points give the
// same steps, byte for byte, whether it holds N or N x 1 values and target-columns is left out or
// given.
BOOST_AUTO_TEST_CASE(idx_targets_train_as_the_csv_target_column_does) {
  Scratch s;
  write_lms_csv(s);
  const std::string options = " --epochs 3 --optimizer sgd --lr 0.1 --trace ";
  const std::string reference = s.file("csv.csv");
  const Result csv = run(s.file("lms.graph", lms_net) + " -q" + options + reference);
  BOOST_TEST_REQUIRE(csv.status == 0, csv.output);
  BOOST_TEST_REQUIRE(csv_rows(slurp(reference)).size() == 4u);
  for (const std::string data :
       {"train-images = x.idx\ntrain-targets = t.idx\n",
        "train-images = x.idx\ntrain-targets = t1.idx\n",
        "train-images = x.idx\ntrain-targets = t1.idx\ntarget-columns = 1\n"}) {
    const std::string graph = lms_idx_graph(s, "idx.graph", data), trace = s.file("idx.csv");
    const Result r = run(graph + options + trace);
    BOOST_TEST_REQUIRE(r.status == 0, data << r.output);
    BOOST_TEST(slurp(trace) == slurp(reference), data);
    const std::string targets = s.file(contains(data, "t1.idx") ? "t1.idx" : "t.idx");
    BOOST_TEST(contains(r.output, "data: 4 training examples from " + s.file("x.idx") +
                                      " (targets " + targets + ")\n"),
               r.output);
    for (const auto& line : lines_starting(r.output, "epoch ")) BOOST_TEST(!contains(line, "%"));
  }
  // --time finds the training data too, and times the passes on them.
  const Result time = run(s.file("idx.graph") + " --time --time-iterations 1");
  BOOST_TEST_REQUIRE(time.status == 0, time.output);
  BOOST_TEST(contains(time.output, "inputs: the first 4 training examples of " + s.file("x.idx")),
             time.output);
}

// Two targets per example (N x 2) train a 2-output linear unit: each traced step is computed here
// from the row before, as trace_records_every_step_from_the_starting_weights does for one
// (E = ½ mean Σ_k (o_k − d_k)²); the saved model predicts two values per example, W x + b of the
// last step.
BOOST_AUTO_TEST_CASE(idx_targets_of_two_values_per_example_train_a_two_output_net) {
  Scratch s;
  const double targets[4][2] = {{1, 0.5}, {-1, 2}, {0.5, -1}, {-0.25, 0.75}};
  std::vector<float> inputs, values;
  for (int p = 0; p < 4; ++p) {
    inputs.push_back(static_cast<float>(lms_points[p][0]));
    inputs.push_back(static_cast<float>(lms_points[p][1]));
    values.push_back(static_cast<float>(targets[p][0]));
    values.push_back(static_cast<float>(targets[p][1]));
  }
  const std::string x = s.file("x.idx");
  write_bytes(x, idx_floats({4, 2}, inputs));
  write_bytes(s.file("t2.idx"), idx_floats({4, 2}, values));
  const std::string graph = s.file("two.graph",
                                   "x = input shape=2 source=inputs\n"
                                   "t = input shape=2 source=targets\n"
                                   "o = linear(x) outputs=2\n"
                                   "loss = mse(o, t)\n"
                                   "[run]\nbatch = 4\nshuffle = false\nprecision = double\n"
                                   "[data]\ncenter = none\nscale = none\ntrain-images = x.idx\n"
                                   "train-targets = t2.idx\n");
  const std::string trace = s.file("w.csv"), model = s.file("two.model");
  const double eta = 0.1;
  const Result r =
      run(graph + " -q --epochs 3 --optimizer sgd --lr 0.1 --trace " + trace + " --save " + model);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const std::string text = slurp(trace);
  BOOST_TEST(
      text.rfind("step,epoch,o.weight.0,o.weight.1,o.weight.2,o.weight.3,o.bias.0,o.bias.1\n", 0) ==
          0,
      text);
  const auto rows = csv_rows(text);
  BOOST_TEST_REQUIRE(rows.size() == 4u);
  // The weights in storage order, a column per input: W(k, j) is o.weight.(k + 2j).
  const auto output = [](const std::vector<double>& row, int k, const double* x) {
    return row[2 + k] * x[0] + row[4 + k] * x[1] + row[6 + k];
  };
  for (std::size_t step = 1; step < rows.size(); ++step) {
    const auto& before = rows[step - 1];
    double g[2][2] = {}, gb[2] = {};
    for (int p = 0; p < 4; ++p)
      for (int k = 0; k < 2; ++k) {
        const double e = output(before, k, lms_points[p]) - targets[p][k];
        g[k][0] += e * lms_points[p][0] / 4;
        g[k][1] += e * lms_points[p][1] / 4;
        gb[k] += e / 4;
      }
    for (int k = 0; k < 2; ++k) {
      BOOST_TEST(rows[step][2 + k] == before[2 + k] - eta * g[k][0],
                 boost::test_tools::tolerance(1e-12));
      BOOST_TEST(rows[step][4 + k] == before[4 + k] - eta * g[k][1],
                 boost::test_tools::tolerance(1e-12));
      BOOST_TEST(rows[step][6 + k] == before[6 + k] - eta * gb[k],
                 boost::test_tools::tolerance(1e-12));
    }
  }
  const std::string predictions = s.file("p.csv");
  const Result predicted = run_tool(
      "ebprop-predict", graph + " --load " + model + " --input " + x + " --out " + predictions);
  BOOST_TEST_REQUIRE(predicted.status == 0, predicted.output);
  BOOST_TEST(contains(predicted.output, "predicting node 'o' (2 values)"), predicted.output);
  const auto lines = lines_starting(slurp(predictions), "");
  BOOST_TEST_REQUIRE(lines.size() == 5u);
  BOOST_TEST(lines[0] == "example,o.0,o.1");
  for (int p = 0; p < 4; ++p) {
    std::vector<double> cells;
    std::istringstream row(lines[p + 1]);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(std::stod(cell));
    BOOST_TEST_REQUIRE(cells.size() == 3u, lines[p + 1]);
    BOOST_TEST(cells[0] == p + 1);
    for (int k = 0; k < 2; ++k)
      BOOST_TEST(cells[1 + k] == output(rows.back(), k, lms_points[p]),
                 boost::test_tools::tolerance(1e-12));
  }
}

// An IDX regression holds out its validation set as the CSV one does (a plain random subset drawn
// with the seed: the same losses), reads one from files of its own, tests a CSV-trained regression
// on IDX files, and saves a model that --load tests again to the same loss.
BOOST_AUTO_TEST_CASE(an_idx_regression_validates_saves_and_loads) {
  Scratch s;
  write_lms_csv(s);
  const std::string csv = s.file("lms.graph", lms_net);
  const std::string idx =
      lms_idx_graph(s, "idx.graph", "train-images = x.idx\ntrain-targets = t.idx\n");
  const std::string options = " --epochs 3 --lr 0.1 --set validation=1 --metrics ";
  const std::string a = s.file("a.jsonl"), b = s.file("b.jsonl");
  BOOST_TEST_REQUIRE(run(csv + " -q" + options + a).status == 0);
  const Result held = run(idx + options + b);
  BOOST_TEST_REQUIRE(held.status == 0, held.output);
  BOOST_TEST(contains(held.output, "data: 3 training examples from "), held.output);
  BOOST_TEST(contains(held.output, ", 1 validation from "), held.output);
  const auto from_csv = lines_starting(slurp(a), "{"), from_idx = lines_starting(slurp(b), "{");
  BOOST_TEST_REQUIRE(from_csv.size() == 3u);
  BOOST_TEST_REQUIRE(from_idx.size() == 3u);
  for (std::size_t i = 0; i < from_csv.size(); ++i) {
    BOOST_TEST(std::isfinite(field(from_idx[i], "validation_loss")), from_idx[i]);
    BOOST_TEST(field(from_idx[i], "validation_loss") == field(from_csv[i], "validation_loss"));
    BOOST_TEST(field(from_idx[i], "train_loss") == field(from_csv[i], "train_loss"));
    BOOST_TEST(std::isnan(field(from_idx[i], "validation_error")), from_idx[i]);
  }

  const std::string files = " --set validation-images=" + s.file("x.idx") +
                            " --set validation-targets=" + s.file("t1.idx");
  const Result own = run(idx + " --epochs 2" + files);
  BOOST_TEST_REQUIRE(own.status == 0, own.output);
  BOOST_TEST(contains(own.output, ", 4 validation from " + s.file("x.idx") + " (targets " +
                                      s.file("t1.idx") + ")\n"),
             own.output);
  BOOST_TEST(contains(own.output, "valid loss "), own.output);
  const std::string test =
      " --set test-images=" + s.file("x.idx") + " --set test-targets=" + s.file("t.idx");
  const Result mixed = run(csv + " --epochs 1" + test);
  BOOST_TEST_REQUIRE(mixed.status == 0, mixed.output);
  BOOST_TEST(contains(mixed.output, ", 4 test from " + s.file("x.idx")), mixed.output);

  const std::string model = s.file("m.model"), metrics = s.file("m.jsonl");
  const Result saved =
      run(idx + " -q --epochs 3 --lr 0.1" + test + " --save " + model + " --metrics " + metrics);
  BOOST_TEST_REQUIRE(saved.status == 0, saved.output);
  const double trained = field(lines_starting(slurp(metrics), "{").back(), "test_loss");
  const Result loaded = run(idx + " --load " + model + " --test-only" + test);
  BOOST_TEST_REQUIRE(loaded.status == 0, loaded.output);
  const double reloaded = std::stod(loaded.output.substr(loaded.output.find("test loss ") + 10));
  BOOST_TEST(std::abs(trained - reloaded) <= 1e-5 * trained, loaded.output);
  // The CSV graph reads the same points: the model trained on IDX files tests them as well.
  const Result as_csv = run(csv + " --load " + model + " --test-only" + test);
  BOOST_TEST_REQUIRE(as_csv.status == 0, as_csv.output);
  BOOST_TEST(contains(as_csv.output, "test loss "), as_csv.output);
}

// [data] dir gives an IDX regression its images: the directory's labels are not needed, and not
// taken for a set whose targets are given.
BOOST_AUTO_TEST_CASE(a_data_directory_gives_an_idx_regression_its_images) {
  Scratch s;
  const std::string graph = lms_idx_graph(s, "dir.graph",
                                          "dir = mnist\ntrain-targets = t.idx\n"
                                          "test-targets = t1.idx\n");
  fs::create_directory(s.dir / "mnist");
  const std::string images = s.file("mnist/train-images-idx3-ubyte");
  const std::string test = s.file("mnist/t10k-images-idx3-ubyte");
  fs::copy_file(s.file("x.idx"), images);
  fs::copy_file(s.file("x.idx"), test);
  const std::string expected = "data: 4 training examples from " + images + " (targets " +
                               s.file("t.idx") + "), 4 test from " + test + " (targets " +
                               s.file("t1.idx") + ")\n";
  const Result r = run(graph + " --epochs 2");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, expected), r.output);
  for (const char* name : {"train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"})
    s.file("mnist/" + std::string(name), "not read");
  const Result labelled = run(graph + " --epochs 2");
  BOOST_TEST_REQUIRE(labelled.status == 0, labelled.output);
  BOOST_TEST(contains(labelled.output, expected), labelled.output);
}

BOOST_AUTO_TEST_CASE(trace_refuses_large_nets_long_runs_and_resume) {
  Scratch s;
  const std::string trace = s.file("w.csv");
  const Result large = run(digits + " --epochs 1 --trace " + trace);
  BOOST_TEST(large.status == 2, large.output);
  BOOST_TEST(contains(large.output, "--trace records nets of at most 1000 weights; this one has "),
             large.output);
  std::string ten;
  for (int p = 0; p < 10; ++p) ten += std::to_string(p) + ",1,2\n";
  s.file("lms.csv", ten);
  const std::string graph = s.file("lms.graph", lms_net);
  const Result many = run(graph + " --epochs 1000000 --batch 1 --trace " + trace);
  BOOST_TEST(many.status == 2, many.output);
  BOOST_TEST(contains(many.output,
                      "--trace: 10000000 steps of 3 weights make more than 20000000 "
                      "values; trace fewer epochs or larger batches"),
             many.output);
  const Result resumed = run(graph + " --resume " + s.file("c.ckpt") + " --trace " + trace);
  BOOST_TEST(resumed.status == 2, resumed.output);
  BOOST_TEST(contains(resumed.output,
                      "--trace records a run from its starting weights; it cannot follow --resume"),
             resumed.output);
  BOOST_TEST(!fs::exists(trace));
}

// §4.7's lower-layer rule in a run: the same steps as the rates written by hand with lr.ROLE.
BOOST_AUTO_TEST_CASE(lower_layer_rates_are_the_rates_written_by_hand) {
  Scratch s;
  // The fit graph with its data named absolutely, so that copies of it may live in the scratch.
  std::string text = slurp(fit);
  for (std::size_t at; (at = text.find("../data/fit/")) != std::string::npos;)
    text.replace(at, 12, std::string(EBPROP_SOURCE_DIR) + "/data/fit/");
  const std::string graph = s.file("fit.graph", text);
  const std::string hidden = "hidden = linear(x) outputs=10";
  text.replace(text.find(hidden), hidden.size(), hidden + " lr.weight=2.5 lr.bias=2.5");
  const std::string hand = s.file("hand.graph", text);
  const std::string by_rule = s.file("a.csv"), by_hand = s.file("b.csv"), plain = s.file("c.csv");
  const Result rule = run(graph + " --epochs 2 --set lower-layer-rates=2.5 --trace " + by_rule);
  BOOST_TEST_REQUIRE(rule.status == 0, rule.output);
  BOOST_TEST(contains(rule.output,
                      "rates (lower-layer-rates, §4.7): hidden.weight ×2.5 (depth 1); "
                      "hidden.bias ×2.5 (depth 1); output.weight ×1 (depth 0);"),
             rule.output);
  BOOST_TEST_REQUIRE(run(hand + " --epochs 2 --trace " + by_hand).status == 0);
  BOOST_TEST(slurp(by_rule) == slurp(by_hand));
  BOOST_TEST_REQUIRE(run(graph + " --epochs 2 --trace " + plain).status == 0);
  BOOST_TEST(slurp(by_rule) != slurp(plain));  // the rule changed the steps
  const Result sdlm = run(graph + " --epochs 1 --optimizer sdlm --set lower-layer-rates=2");
  BOOST_TEST(sdlm.status == 2, sdlm.output);  // --set: a command-line mistake
  BOOST_TEST(contains(sdlm.output,
                      "command line (--set): lower-layer-rates multiplies global step "
                      "sizes, but optimizer sdlm has none"),
             sdlm.output);
}

// [run] order (§4.2) and its older form shuffle: old graph files keep working, both together are
// refused at shuffle's line, and what the trainer refuses names the order.
BOOST_AUTO_TEST_CASE(the_presentation_order_and_the_older_shuffle_key) {
  Scratch s;
  const std::string plain = s.file("plain.graph", small_net);
  std::string no_shuffle = small_net;
  no_shuffle.replace(no_shuffle.find("epochs = 1\n"), 11, "epochs = 1\nshuffle = false\n");
  const std::string none = s.file("none.graph", no_shuffle);
  const std::string a = s.file("a.w"), b = s.file("b.w"), c = s.file("c.w");
  BOOST_TEST_REQUIRE(run(none + " -q --save " + a).status == 0);
  BOOST_TEST_REQUIRE(run(plain + " -q --set order=none --save " + b).status == 0);
  BOOST_TEST_REQUIRE(run(plain + " -q --save " + c).status == 0);
  BOOST_TEST((slurp(a) == slurp(b)));  // shuffle = false is order = none
  BOOST_TEST((slurp(a) != slurp(c)));  // the default shuffles
  const Result both = run(none + " --set order=interleave");
  BOOST_TEST(both.status == 1, both.output);
  BOOST_TEST(contains(both.output, none + ":10:1: shuffle is the older form of order (false: "
                                          "order = none); give order alone (order = interleave "
                                          "is at command line (--set))"),
             both.output);
  const Result word = run(plain + " --set order=random");
  BOOST_TEST(word.status == 2, word.output);
  BOOST_TEST(contains(word.output, "order"), word.output);
  const Result cap = run(plain + " --set order=emphasize --set emphasize-cap=0.5");
  BOOST_TEST(cap.status == 2, cap.output);
  BOOST_TEST(contains(cap.output, "emphasize-cap"), cap.output);
  const Result batch = run(fit + " --epochs 1 --optimizer lbfgs --set order=emphasize");
  BOOST_TEST(batch.status == 1, batch.output);
  BOOST_TEST(contains(batch.output,
                      "order = emphasize (§4.2) orders the presentations of an "
                      "optimizer that steps per mini-batch, but this one iterates "
                      "on the whole training set (§6)"),
             batch.output);
  const Result regression = run(fit + " --epochs 1 --set order=interleave");
  BOOST_TEST(regression.status == 1, regression.output);
  BOOST_TEST(contains(regression.output,
                      "order = interleave (§4.2) presents successive examples "
                      "of different classes, but the training set"),
             regression.output);
  BOOST_TEST(contains(regression.output, "has no labels (a regression); use order = shuffle"),
             regression.output);
  for (const std::string order : {"interleave", "emphasize"}) {
    const Result r = run(plain + " -q --set order=" + order);
    BOOST_TEST(r.status == 0, r.output);
  }
}
