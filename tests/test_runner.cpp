// ebprop-run end to end: it learns the digits, reproduces runs, saves and loads, and stops with a
// located message and a non-zero exit on every bad input.
#define BOOST_TEST_MODULE runner
#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <sstream>

#include "command.h"

namespace fs = boost::filesystem;
using namespace ebprop::test;  // run_tool, Result, Scratch, slurp, contains

namespace {

Result run(const std::string& arguments) { return run_tool("ebprop-run", arguments); }

const std::string digits = std::string(EBPROP_SOURCE_DIR) + "/graphs/digits-mlp.graph";

}  // namespace

BOOST_AUTO_TEST_CASE(the_bundled_mlp_learns_the_digits) {
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

BOOST_AUTO_TEST_CASE(sdlm_trains_every_bundled_graph) {
  // §9.1 on each architecture of graphs/, fed with 600 bundled digits (every graph there takes
  // 28x28 images of ten classes; the Fashion-MNIST ones too).
  Scratch s;
  int graphs = 0;
  for (const auto& entry : fs::directory_iterator(std::string(EBPROP_SOURCE_DIR) + "/graphs")) {
    if (entry.path().extension() != ".graph") continue;
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
