// Bad inputs: runs that go wrong: divergence with and without NaN, non-finite data, signals.
#include <ebprop/archive.h>
#include <signal.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "background.h"
#include "bad_input.h"
#include "file_bytes.h"

using namespace ebprop::test;

namespace {

const std::string graphs_dir = std::string(EBPROP_SOURCE_DIR) + "/graphs";

// small_net with its [run] epochs and [data] limits changed (whole lines, as written there).
std::string small_net_with(const std::string& epochs, const std::string& train_limit = "500") {
  std::string text = small_net;
  text.replace(text.find("epochs = 1\n"), 11, "epochs = " + epochs + "\n");
  text.replace(text.find("train-limit = 500"), 17, "train-limit = " + train_limit);
  return text;
}

// A net slow enough to be signalled in the middle of an epoch (about half a second an epoch on
// one core) and quick to start.
std::string slow_net() {
  std::string text = small_net_with("20", "4000");
  text.replace(text.find("outputs=20"), 10, "outputs=300");
  return text;
}

// Twenty 2x3 examples of two classes, as IDX files in `s`, with value `bad` at example
// `bad_example`, row 1, column 2 (feature 5).
struct IdxSet {
  std::string images, labels;
};
IdxSet idx_set(const Scratch& s, const std::string& name, int bad_example, float bad) {
  std::vector<float> values;
  std::vector<unsigned char> labels;
  for (int i = 0; i < 20; ++i) {
    labels.push_back(static_cast<unsigned char>(i % 2));
    for (int f = 0; f < 6; ++f) values.push_back(static_cast<float>((i % 2 ? 1 : -1) * (f + 1)));
  }
  if (bad_example >= 0) values[static_cast<std::size_t>(bad_example) * 6 + 5] = bad;
  return {s.file(name + "-images.idx", idx_floats({20, 2, 3}, values)),
          s.file(name + "-labels.idx",
                 idx_ubytes({static_cast<std::uint32_t>(labels.size())}, labels))};
}

std::string idx_net(const IdxSet& train, const IdxSet& test) {
  return "x = input shape=2x3 source=inputs\n"
         "t = input shape=2 source=targets\n"
         "h = linear(x) outputs=2\n"
         "y = stanh(h)\n"
         "loss = mse(y, t)\n"
         "[run]\nepochs = 2\n"
         "[data]\ntrain-images = " +
         train.images + "\ntrain-labels = " + train.labels + "\ntest-images = " + test.images +
         "\ntest-labels = " + test.labels + "\n";
}

// A CSV set of twenty examples (label, then three features) with `bad` in line `bad_line`.
std::string csv_set(const Scratch& s, const std::string& name, int bad_line,
                    const std::string& bad) {
  std::string text = "label,a,b,c\n";
  for (int line = 2; line <= 21; ++line)
    text += std::to_string(line % 2) + ",1," + (line == bad_line ? bad : "2") + ",3\n";
  return s.file(name, text);
}

std::string csv_net(const std::string& train, const std::string& test) {
  return "x = input shape=3 source=inputs\n"
         "t = input shape=2 source=targets\n"
         "h = linear(x) outputs=2\n"
         "y = stanh(h)\n"
         "loss = mse(y, t)\n"
         "[run]\nepochs = 2\n"
         "[data]\ntrain-csv = " +
         train + "\ntest-csv = " + test + "\n";
}

// The model file `bytes` with the first value of the parameter `name` set to `value` and the
// checksum made right again (model_file.h gives the format of the parameters section).
std::string with_weight(const std::string& bytes, const std::string& name, double value) {
  ebprop::Archive model = ebprop::Archive::decode(bytes, "model", "model", "a model");
  ebprop::ByteReader in(model.get("parameters"), "parameters");
  ebprop::ByteWriter out;
  const std::uint32_t count = in.u32();
  out.u32(count);
  for (std::uint32_t b = 0; b < count; ++b) {
    const std::string block = in.text();
    out.text(block);
    out.u32(in.u32());
    out.u32(in.u32());
    std::vector<double> values = in.f64s();
    if (block == name) values.at(0) = value;
    out.f64s(values);
  }
  model.put("parameters", out.bytes());
  return model.encode();
}

// small_net with no squashing at the output, so that large weights give large values.
std::string linear_output_net() {
  std::string text = small_net;
  text.replace(text.find("loss = mse(y, label)"), 20, "loss = mse(o, label)");
  return text;
}

const float nan_value = std::numeric_limits<float>::quiet_NaN();
const float inf_value = std::numeric_limits<float>::infinity();

}  // namespace

BOOST_AUTO_TEST_SUITE(training)

BOOST_AUTO_TEST_CASE(a_huge_rate_on_the_bundled_mlp_stops_by_the_rule_and_keeps_the_saved_file) {
  Scratch s;
  const std::string graph = graphs_dir + "/digits-mlp.graph";
  const std::string w = s.file("w.bin"), m = s.file("m.jsonl");
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", graph + " -q --epochs 0 --save " + w).status == 0);
  s.file("m.jsonl", "{\"epoch\": 1}\n");
  const Untouched kept{w, m};
  const Result r = run_tool("ebprop-run", graph + " --lr 1e3 --save " + w + " --metrics " + m);
  BOOST_TEST(refused(r, 1,
                     {"training diverged in epoch 1 after 800 examples", "more than 2 times",
                      "diverge-factor", "no weights were saved ('" + w + "' is as it was)"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(divergence_in_a_later_epoch_keeps_the_weights_of_the_last_good_one) {
  Scratch s;
  // SDLM with a schedule: a sane rate in epoch 1, a ruinous one in epoch 2.
  const std::string graph = s.file("net.graph", small_net_with("2"));
  const std::string good = s.file("good.bin"), w = s.file("w.bin"), m = s.file("m.jsonl");
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", graph +
                                                " -q --epochs 1 --optimizer sdlm --opt "
                                                "schedule=1e-3 --save " +
                                                good)
                         .status == 0);
  const Untouched kept{graph, good};
  const Result r =
      run_tool("ebprop-run",
               graph + " --optimizer sdlm --opt schedule=1e-3,1e4 --save " + w + " --metrics " + m);
  BOOST_TEST(
      refused(r, 1,
              {"training diverged in epoch 2", "the weights of epoch 1 are kept in '" + w + "'",
               "the metrics of epochs 1 to 1 are in '" + m + "'"}));
  BOOST_TEST((slurp(w) == slurp(good)), "'" + w + "' does not hold the weights of epoch 1");
  BOOST_TEST(contains(slurp(m), "\"epoch\": 1,"));
  BOOST_TEST(!contains(slurp(m), "\"epoch\": 2,"));
  BOOST_TEST(
      unexpected_files(s.dir.string(), {"net.graph", "good.bin", "w.bin", "m.jsonl"}).empty());
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_nan_divergence_names_the_node_and_keeps_the_saved_file) {
  Scratch s;
  // No squashing function at the output: a huge rate sends the weights to infinity.
  const std::string graph = s.file("net.graph", linear_output_net());
  const std::string w = s.file("w.bin", "earlier weights");
  const Untouched kept{graph, w};
  const Result r = run_tool("ebprop-run", graph + " --set diverge-factor=off --lr 100 --save " + w);
  BOOST_TEST(refused(r, 1,
                     {"training diverged in epoch 1", "produced a non-finite value", graph + ":",
                      "no weights were saved ('" + w + "' is as it was)"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(the_divergence_rule_turned_off_lets_a_bounded_net_run_on) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  for (const char* off : {"off", "0"}) {
    const Result r = run_tool("ebprop-run", graph + " --lr 1e3 --set diverge-factor=" + off);
    BOOST_TEST(r.status == 0, r.output);
    BOOST_TEST(contains(r.output, "epoch   1"), r.output);
  }
  BOOST_TEST(
      refused(run_tool("ebprop-run", graph + " --lr 1e3"), 1, {"training diverged in epoch 1"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_larger_divergence_factor_is_obeyed) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  // The collapsed net's loss is between 2 and 3 times its starting loss.
  const Result loose = run_tool("ebprop-run", graph + " --lr 1e3 --set diverge-factor=10");
  BOOST_TEST(loose.status == 0, loose.output);
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --lr 1e3 --set diverge-factor=1.5"), 1,
                     {"more than 1.5 times"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_divergence_factor_of_one_or_less_is_refused_where_written) {
  Scratch s;
  std::string text = small_net;
  text.replace(text.find("epochs = 1\n"), 11, "epochs = 1\ndiverge-factor = 1\n");
  const std::string graph = s.file("net.graph", text);
  const std::string w = s.file("w.bin");
  const Untouched kept{graph, w};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --save " + w), 1,
                     {graph + ":10:", "diverge-factor must be a number above 1", "'1'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(nan_in_idx_training_data_names_the_file_example_and_feature) {
  Scratch s;
  const IdxSet train = idx_set(s, "train", 3, nan_value), test = idx_set(s, "test", -1, 0);
  const std::string graph = s.file("net.graph", idx_net(train, test));
  const std::string w = s.file("w.bin");
  const Untouched kept{graph, w, train.images};
  const Result r = run_tool("ebprop-run", graph + " --save " + w);
  BOOST_TEST(
      refused(r, 1, {"'" + train.images + "': example 3", "feature 5 (at 1, 2 of 2x3)", "is NaN"}));
  BOOST_TEST(!contains(r.output, "diverged"), r.output);
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(infinity_in_an_idx_test_set_is_refused_before_training) {
  Scratch s;
  const IdxSet train = idx_set(s, "train", -1, 0), test = idx_set(s, "test", 7, inf_value);
  const std::string graph = s.file("net.graph", idx_net(train, test));
  const std::string w = s.file("w.bin");
  const Untouched kept{graph, w, test.images};
  const Result r = run_tool("ebprop-run", graph + " --save " + w);
  BOOST_TEST(refused(r, 1, {"'" + test.images + "': example 7", "feature 5", "is infinite"}));
  BOOST_TEST(!contains(r.output, "diverged"), r.output);
  BOOST_TEST(!contains(r.output, "epoch   1"), r.output);  // refused when loaded
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(nan_in_a_csv_training_set_names_the_line_and_column) {
  Scratch s;
  const std::string train = csv_set(s, "train.csv", 5, "nan"), test = csv_set(s, "test.csv", 0, "");
  const std::string graph = s.file("net.graph", csv_net(train, test));
  const Untouched kept{graph, train};
  const Result r = run_tool("ebprop-run", graph);
  BOOST_TEST(refused(r, 1, {train + ":5:", "column 3", "'nan'"}));
  BOOST_TEST(!contains(r.output, "diverged"), r.output);
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(infinity_in_a_csv_test_set_names_the_line_and_column) {
  Scratch s;
  const std::string train = csv_set(s, "train.csv", 0, ""), test = csv_set(s, "test.csv", 9, "inf");
  const std::string graph = s.file("net.graph", csv_net(train, test));
  const Untouched kept{graph, test};
  const Result r = run_tool("ebprop-run", graph);
  BOOST_TEST(refused(r, 1, {test + ":9:", "column 3", "'inf'"}));
  BOOST_TEST(!contains(r.output, "diverged"), r.output);
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_nan_weight_in_a_model_file_names_the_file_and_parameter) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const std::string good = s.file("good.bin");
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", graph + " -q --epochs 0 --save " + good).status == 0);
  const std::string w = s.file("w.bin", with_weight(slurp(good), "h.weight", std::nan("")));
  const std::string out = s.file("out.bin");
  const Untouched kept{graph, w, out};
  const Result r = run_tool("ebprop-run", graph + " --load " + w + " --save " + out);
  BOOST_TEST(refused(r, 1, {"model '" + w + "'", "parameter 'h.weight' value 0", "is NaN"}));
  BOOST_TEST(!contains(r.output, "diverged"), r.output);
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_infinite_weight_is_refused_by_test_only_runs_too) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const std::string good = s.file("good.bin");
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", graph + " -q --epochs 0 --save " + good).status == 0);
  const std::string w =
      s.file("w.bin", with_weight(slurp(good), "o.bias", std::numeric_limits<double>::infinity()));
  const Untouched kept{graph, w};
  const Result r = run_tool("ebprop-run", graph + " --load " + w + " --test-only");
  BOOST_TEST(refused(r, 1, {"model '" + w + "'", "parameter 'o.bias' value 0", "is infinite"}));
  BOOST_TEST(!contains(r.output, "diverged"), r.output);
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_weight_too_large_for_float_is_refused_by_the_loader) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const std::string good = s.file("good.bin");
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", graph + " -q --epochs 0 --save " + good).status == 0);
  const std::string w = s.file("w.bin", with_weight(slurp(good), "o.weight", 1e300));
  const Untouched kept{graph, w};
  const Result r = run_tool("ebprop-run", graph + " --load " + w + " --test-only");
  BOOST_TEST(refused(
      r, 1,
      {"model '" + w + "'", "parameter 'o.weight' value 0", "is 1e+300, too large for float"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(weights_that_overflow_on_the_data_are_not_called_divergence) {
  Scratch s;
  const std::string graph = s.file("net.graph", linear_output_net());
  const std::string good = s.file("good.bin");
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", graph + " -q --epochs 0 --save " + good).status == 0);
  // Finite in float, but its square in the loss is not.
  const std::string w = s.file("w.bin", with_weight(slurp(good), "o.weight", 1e30));
  const Untouched kept{graph, w};
  const Result r = run_tool("ebprop-run", graph + " --load " + w + " --test-only");
  BOOST_TEST(refused(r, 1,
                     {"evaluating on '" + digits_dir, "node 'loss' (" + graph + ":7)",
                      "produced a non-finite value"}));
  BOOST_TEST(!contains(r.output, "diverged"), r.output);
  BOOST_TEST(kept.changes() == "");
}

// A run of slow_net with --save and --metrics, stopped by `number` once its output has `mark`.
struct Stopped {
  Result result;
  std::string weights, metrics;
};
Stopped stopped_run(const Scratch& s, int number, const std::string& mark) {
  const std::string graph = s.file("net.graph", slow_net());
  Stopped stopped{{}, s.file("w.bin"), s.file("m.jsonl")};
  Background tool("ebprop-run",
                  graph + " --save " + stopped.weights + " --metrics " + stopped.metrics);
  BOOST_TEST(tool.wait_for(mark), "the run never printed '" + mark + "'");
  tool.signal(number);
  stopped.result = tool.finish();
  return stopped;
}

BOOST_AUTO_TEST_CASE(sigint_mid_run_stops_at_a_step_keeps_the_last_epoch_and_exits_130) {
  Scratch s;
  const Stopped r = stopped_run(s, SIGINT, "epoch   1");
  BOOST_TEST(
      refused(r.result, 130,
              {"interrupted by SIGINT", "the weights of epoch 1 are kept in '" + r.weights + "'",
               "the metrics of epochs 1 to 1 are in '" + r.metrics + "'"}));
  BOOST_TEST(!contains(r.result.output, "epoch   3"), r.result.output);
  BOOST_TEST(contains(slurp(r.metrics), "\"epoch\": 1,"));
  BOOST_TEST(!contains(slurp(r.metrics), "\"epoch\": 2,"));
  // The kept weights are whole: they load.
  const Result check =
      run_tool("ebprop-run", s.file("net.graph") + " -q --test-only --load " + r.weights);
  BOOST_TEST(check.status == 0, check.output);
  BOOST_TEST(unexpected_files(s.dir.string(), {"net.graph", "w.bin", "m.jsonl"}).empty());
}

BOOST_AUTO_TEST_CASE(sigterm_mid_run_stops_at_a_step_and_exits_143) {
  Scratch s;
  const Stopped r = stopped_run(s, SIGTERM, "epoch   1");
  BOOST_TEST(refused(
      r.result, 143,
      {"interrupted by SIGTERM", "the weights of epoch 1 are kept in '" + r.weights + "'"}));
  BOOST_TEST(unexpected_files(s.dir.string(), {"net.graph", "w.bin", "m.jsonl"}).empty());
}

BOOST_AUTO_TEST_CASE(a_signal_before_the_first_epoch_ends_saves_nothing_and_keeps_the_old_file) {
  Scratch s;
  const std::string w = s.file("w.bin", "earlier weights"),
                    m = s.file("m.jsonl", "earlier metrics");
  const Untouched kept{w, m};
  const Stopped r = stopped_run(s, SIGINT, "training:");
  BOOST_TEST(refused(r.result, 130,
                     {"interrupted by SIGINT in epoch 1", "epoch 1 was not saved",
                      "no weights were saved ('" + w + "' is as it was)"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_SUITE_END()
