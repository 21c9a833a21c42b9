// ebprop-predict end to end, and the model a run saves: a model evaluates with its own transform
// (the error of the last epoch, again), predictions agree with ebprop-run's test error, the CSV
// file holds what it says, regression and text labels round trip, and every refusal says why.
#define BOOST_TEST_MODULE predict
#include <ebprop/archive.h>
#include <ebprop/data/idx.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <iomanip>
#include <regex>
#include <sstream>

#include "bad_inputs/bad_input.h"
#include "bad_inputs/file_bytes.h"

using namespace ebprop::test;

namespace {

Result predict(const std::string& arguments) { return run_tool("ebprop-predict", arguments); }
Result run(const std::string& arguments) { return run_tool("ebprop-run", arguments); }

const std::string test_images = digits_dir + "/test-images-idx3-ubyte.gz";
const std::string test_labels = digits_dir + "/test-labels-idx1-ubyte.gz";
const std::string fit_graph = std::string(EBPROP_SOURCE_DIR) + "/graphs/fit-stanh.graph";
const std::string fit_test = std::string(EBPROP_SOURCE_DIR) + "/data/fit/test.csv";

std::vector<std::string> split(const std::string& line, char separator = ',') {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, separator);) cells.push_back(cell);
  return cells;
}

std::vector<std::string> lines_of(const std::string& text) { return split(text, '\n'); }

// The number after the last `key` in `text` ("error " → 8.15 from "error   8.15%"); NaN when
// absent.
double number_after(const std::string& text, const std::string& key) {
  const auto at = text.rfind(key);
  return at == std::string::npos ? NAN : std::stod(text.substr(at + key.size()));
}

// ebprop-predict's error: the number after the first "error ".
double predicted_error(const std::string& output) {
  const auto at = output.find("\nerror ");
  return at == std::string::npos ? NAN : std::stod(output.substr(at + 7));
}

// A model of the small net trained for one epoch on 500 digits, tested on 200.
struct Trained {
  Scratch s;
  std::string graph = s.file("net.graph", small_net), model = s.file("net.model");
  Result training = run(graph + " --save " + model);
  Trained() { BOOST_TEST_REQUIRE(training.status == 0, training.output); }
};

// The data/fit test set without its target column y.
std::string fit_inputs(const Scratch& s) {
  std::string text;
  for (const std::string& line : lines_of(slurp(fit_test))) {
    const auto cells = split(line);
    text += cells[0] + "," + cells[1] + "\n";
  }
  return s.file("inputs.csv", text);
}

// A two-class problem with text labels from data/fit: "high" where y > 0.2, else "low".
std::string text_labels(const Scratch& s, const std::string& name, const std::string& source) {
  std::string text = "kind,x1,x2\n";
  const auto lines = lines_of(slurp(source));
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split(lines[i]);
    text += (std::stod(cells[2]) > 0.2 ? "high," : "low,") + cells[0] + "," + cells[1] + "\n";
  }
  return s.file(name, text);
}

// A net for two classes of two inputs, on the CSV files given.
std::string text_net(const std::string& train, const std::string& test) {
  return "x = input shape=2 source=inputs\n"
         "t = input shape=2 source=targets\n"
         "h = linear(x) outputs=8\n"
         "a = stanh(h)\n"
         "o = linear(a) outputs=2\n"
         "y = stanh(o)\n"
         "loss = mse(y, t)\n"
         "[run]\nepochs = 5\n"
         "[data]\ncenter = per-feature\nscale = per-feature\ntrain-csv = " +
         train + "\ntest-csv = " + test + "\n[optimizer sgd]\nlr = 0.02\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(models)

BOOST_AUTO_TEST_CASE(a_model_is_evaluated_with_its_own_transform) {
  const Trained t;
  const double trained = number_after(t.training.output, "test loss ");  // the last epoch's
  const double trained_error = number_after(t.training.output, "error ");
  const Result again = run(t.graph + " --load " + t.model + " --test-only");
  BOOST_TEST_REQUIRE(again.status == 0, again.output);
  BOOST_TEST(number_after(again.output, "error ") == trained_error, again.output);
  BOOST_TEST(std::abs(number_after(again.output, "test loss ") - trained) < 1e-5, again.output);

  // Statistics the model was not trained with are refused, naming the setting and the model's.
  const Result other = run(t.graph + " --load " + t.model + " --test-only --set center=none");
  BOOST_TEST(refused(other, 2,
                     {"command line (--set): center = none disagrees with the model '" + t.model +
                      "', trained with center = per-feature"}));
  // Another training set does not move the statistics: the test error stays the same.
  const Result fewer = run(t.graph + " --load " + t.model + " --test-only --set train-limit=50");
  BOOST_TEST_REQUIRE(fewer.status == 0, fewer.output);
  BOOST_TEST(number_after(fewer.output, "error ") == trained_error, fewer.output);
}

BOOST_AUTO_TEST_CASE(fine_tuning_keeps_the_models_transform) {
  const Trained t;
  const std::string tuned = t.s.file("tuned.model"), fresh = t.s.file("fresh.model");
  // 50 training examples have other statistics than the 500 the model was fitted on.
  BOOST_TEST_REQUIRE(
      run(t.graph + " -q --load " + t.model + " --set train-limit=50 --save " + tuned).status == 0);
  BOOST_TEST_REQUIRE(run(t.graph + " -q --set train-limit=50 --save " + fresh).status == 0);
  const auto transform = [](const std::string& path) {
    return ebprop::Archive::read(path, "model", "a model").get("transform");
  };
  BOOST_TEST((transform(tuned) == transform(t.model)));
  BOOST_TEST((transform(fresh) != transform(t.model)));
  BOOST_TEST((ebprop::Archive::read(tuned, "model", "a model").get("parameters") !=
              ebprop::Archive::read(t.model, "model", "a model").get("parameters")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(predictions)

BOOST_AUTO_TEST_CASE(predictions_agree_with_the_runs_test_error_and_their_csv) {
  const Trained t;
  const std::string out = t.s.file("p.csv");
  const Result r = predict(t.graph + " --load " + t.model + " --input " + test_images +
                           " --labels " + test_labels + " --out " + out);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "predicting node 'y' (10 values) of " + t.graph), r.output);
  BOOST_TEST(contains(r.output, "2000 examples from " + test_images + ", batches of 1000, float32"),
             r.output);
  // ebprop-run on the same 2000 test digits with the same model.
  const Result whole = run(t.graph + " --load " + t.model + " --test-only --set test-limit=0");
  BOOST_TEST_REQUIRE(whole.status == 0, whole.output);
  const double error = predicted_error(r.output);
  BOOST_TEST(error == number_after(whole.output, "error "), r.output << whole.output);

  // The CSV file: a header, one row per example, predicted = the argmax of the outputs; its
  // errors against the labels are the printed error.
  const auto rows = lines_of(slurp(out));
  BOOST_TEST_REQUIRE(rows.size() == 2001u);
  BOOST_TEST(rows[0] == "example,predicted,0,1,2,3,4,5,6,7,8,9");
  const ebprop::data::Dataset truth = ebprop::data::load_idx(test_images, test_labels);
  int errors = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto cells = split(rows[i]);
    BOOST_TEST_REQUIRE(cells.size() == 12u, rows[i]);
    BOOST_TEST(std::stoi(cells[0]) == static_cast<int>(i));
    int argmax = 0;
    for (int k = 1; k < 10; ++k)
      if (std::stod(cells[2 + k]) > std::stod(cells[2 + argmax])) argmax = k;
    BOOST_TEST(std::stoi(cells[1]) == argmax, rows[i]);
    errors += argmax != truth.labels[i - 1];
  }
  std::ostringstream printed;
  printed << "error " << std::fixed << std::setprecision(2) << errors / 20.0 << "% (" << errors
          << " of 2000 examples)";
  BOOST_TEST(contains(r.output, printed.str()), r.output);
  // The confusion matrix: the row of class 0 sums to its examples; the per-class lines follow.
  BOOST_TEST(contains(r.output, "confusion matrix (rows: true class, columns: predicted)"));
  const int zeros = static_cast<int>(std::count(truth.labels.begin(), truth.labels.end(), 0));
  const std::regex per_class("\n +0  [0-9.]+% \\(([0-9]+) of ([0-9]+)\\)\n");
  std::smatch match;
  BOOST_TEST_REQUIRE(std::regex_search(r.output, match, per_class), r.output);
  BOOST_TEST(std::stoi(match[2]) == zeros);

  // Batches change nothing but the speed; without labels the same predictions, no error.
  const std::string small = t.s.file("small.csv");
  const Result batches = predict(t.graph + " --load " + t.model + " --input " + test_images +
                                 " --batch 7 --out " + small);
  BOOST_TEST_REQUIRE(batches.status == 0, batches.output);
  BOOST_TEST(!contains(batches.output, "error"), batches.output);
  const auto again = lines_of(slurp(small));
  BOOST_TEST_REQUIRE(again.size() == rows.size());
  for (std::size_t i = 1; i < rows.size(); ++i)
    BOOST_TEST(split(again[i])[1] == split(rows[i])[1], i);
}

BOOST_AUTO_TEST_CASE(a_regression_predicts_its_outputs) {
  Scratch s;
  const std::string model = s.file("fit.model"), out = s.file("fit.csv"), metrics = s.file("m");
  const Result trained =
      run(fit_graph + " -q --epochs 20 --save " + model + " --metrics " + metrics);
  BOOST_TEST_REQUIRE(trained.status == 0, trained.output);
  const Result r =
      predict(fit_graph + " --load " + model + " --input " + fit_inputs(s) + " --out " + out);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "predicting node 'output' (1 values)"), r.output);
  BOOST_TEST(contains(r.output, "float64"), r.output);
  // ½(y − o)² over the test set is the test loss of the last epoch.
  const auto rows = lines_of(slurp(out));
  const auto targets = lines_of(slurp(fit_test));
  BOOST_TEST_REQUIRE(rows.size() == targets.size());
  BOOST_TEST(rows[0] == "example,output.0");
  double loss = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const double o = std::stod(split(rows[i])[1]), y = std::stod(split(targets[i])[2]);
    loss += 0.5 * (y - o) * (y - o);
  }
  loss /= static_cast<double>(rows.size() - 1);
  const double reported = number_after(slurp(metrics), "\"test_loss\": ");  // the last epoch's
  BOOST_TEST(std::abs(loss - reported) < 1e-5 * reported + 1e-9, loss << " vs " << reported);
}

BOOST_AUTO_TEST_CASE(text_labels_round_trip_through_the_model) {
  Scratch s;
  const std::string train =
      text_labels(s, "train.csv", std::string(EBPROP_SOURCE_DIR) + "/data/fit/train.csv");
  const std::string test = text_labels(s, "test.csv", fit_test);
  const std::string graph = s.file("kinds.graph", text_net(train, test));
  const std::string model = s.file("kinds.model"), out = s.file("kinds.csv");
  const Result trained = run(graph + " --save " + model);
  BOOST_TEST_REQUIRE(trained.status == 0, trained.output);
  const Result r =
      predict(graph + " --load " + model + " --input " + test + " --label-column 0 --out " + out);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(predicted_error(r.output) == number_after(trained.output, "error "),
             r.output << trained.output);
  BOOST_TEST(contains(r.output, "high  "), r.output);  // classes named in the per-class errors
  const auto rows = lines_of(slurp(out));
  BOOST_TEST(rows[0] == "example,predicted,high,low");  // sorted: high is class 0
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto cells = split(rows[i]);
    const std::string argmax = std::stod(cells[2]) >= std::stod(cells[3]) ? "high" : "low";
    BOOST_TEST(cells[1] == argmax, rows[i]);
  }
  // An unseen label is refused at its line.
  const std::string odd = s.file("odd.csv", "kind,x1,x2\nhigh,0.1,0.2\nmedium,0.3,0.4\n");
  BOOST_TEST(refused(
      predict(graph + " --load " + model + " --input " + odd + " --label-column 0 --out " + out), 1,
      {odd + ":3: column 1: label 'medium' is not among the 2 classes of the "
             "training set (high, low)"}));
}

// Two classes on one output (target-coding = single, the 1-1-1 net of Fig. 13-14): class 0 at
// target-low, class 1 at target-high, the class is the side of their midpoint; the model keeps
// the coding, and its predictions give the run's test error again.
BOOST_AUTO_TEST_CASE(two_classes_on_one_output_round_trip_through_the_model) {
  Scratch s;
  const std::string train =
      text_labels(s, "train.csv", std::string(EBPROP_SOURCE_DIR) + "/data/fit/train.csv");
  const std::string test = text_labels(s, "test.csv", fit_test);
  std::string text = text_net(train, test);
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"t = input shape=2", "t = input shape=1"},
        {"o = linear(a) outputs=2", "o = linear(a) outputs=1"},
        {"[data]\n", "[data]\ntarget-coding = single\ntarget-low = -0.5\ntarget-high = 1.5\n"}})
    text.replace(text.find(from), from.size(), to);
  const std::string graph = s.file("single.graph", text);
  const std::string model = s.file("single.model"), out = s.file("single.csv");
  const Result trained = run(graph + " --save " + model);
  BOOST_TEST_REQUIRE(trained.status == 0, trained.output);
  BOOST_TEST(contains(trained.output, "its one value: class 1 above 0.5, else class 0"),
             trained.output);
  const Result r =
      predict(graph + " --load " + model + " --input " + test + " --label-column 0 --out " + out);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const double error = number_after(trained.output, "error ");
  BOOST_TEST(predicted_error(r.output) == error, r.output << trained.output);
  BOOST_TEST(error < 40.0, trained.output);  // it learned something: two classes of ~50 %
  const auto rows = lines_of(slurp(out));
  const auto examples = lines_of(slurp(test));
  BOOST_TEST_REQUIRE(rows.size() == examples.size());
  BOOST_TEST(rows[0] == "example,predicted,y.0");
  int wrong = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto cells = split(rows[i]);
    const std::string side = std::stod(cells[2]) > 0.5 ? "low" : "high";  // sorted: high is 0
    BOOST_TEST(cells[1] == side, rows[i]);
    wrong += cells[1] != split(examples[i])[0];
  }
  BOOST_TEST(100.0 * wrong / static_cast<double>(rows.size() - 1) == error,
             boost::test_tools::tolerance(0.01));  // the run prints 2 decimals
  // The model's coding is the model's: asking for one-of-n with it is refused at the setting.
  const Result other = run(graph + " --load " + model + " --set target-coding=one-of-n");
  BOOST_TEST(refused(other, 2, {"target-coding = one-of-n disagrees with the model"}),
             other.output);
}

BOOST_AUTO_TEST_CASE(a_single_output_needs_two_classes_and_no_target_columns) {
  Scratch s;
  const std::string digits = s.file("digits.graph", small_net + "target-coding = single\n");
  BOOST_TEST(refused(run(digits), 1,
                     {digits + ":", "target-coding = single puts two classes on one output, but ",
                      " have 10 classes"}));
  BOOST_TEST(refused(run(fit_graph + " --set target-coding=single"), 2,
                     {"target-coding is for classes, but target-columns makes this a regression"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refusals)

BOOST_AUTO_TEST_CASE(a_prediction_needs_a_model) {
  const Trained t;
  const std::string out = t.s.file("p.csv");
  const Untouched kept{out};
  BOOST_TEST(refused(predict(t.graph + " --input " + test_images + " --out " + out), 2,
                     {"no --load MODEL given: a prediction needs trained weights"}));
  BOOST_TEST(refused(predict(t.graph + " --load " + t.model + " --out " + out), 2,
                     {"no --input DATA given"}));
  BOOST_TEST(refused(predict(t.graph + " --load " + t.model + " --input " + test_images), 2,
                     {"no --out FILE.csv given"}));
  BOOST_TEST(refused(predict("--load " + t.model), 2, {"no graph file given"}));
  BOOST_TEST(refused(predict(t.graph + " --load " + t.model + " --input " + test_images +
                             " --batch 0 --out " + out),
                     2, {"command line (--batch)", "must be in [1, 1000000], found 0"}));
  const std::string old = t.s.file("old.w");
  write_bytes(old, weights_file({{"h.weight", 20, 784, 0.01},
                                 {"h.bias", 20, 1, 0},
                                 {"o.weight", 10, 20, 0.1},
                                 {"o.bias", 10, 1, 0}}));
  BOOST_TEST(
      refused(predict(t.graph + " --load " + old + " --input " + test_images + " --out " + out), 1,
              {"'" + old +
               "' is a weights file of an earlier version, without the input "
               "transform"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_model_of_another_graph_is_refused) {
  const Trained t;
  std::string other = small_net;
  other.replace(other.find("outputs=20"), 10, "outputs=30");
  const std::string graph = t.s.file("other.graph", other), out = t.s.file("p.csv");
  BOOST_TEST(refused(
      predict(graph + " --load " + t.model + " --input " + test_images + " --out " + out), 1,
      {"model '" + t.model + "' does not match the graph",
       "'h.weight' is 20x784 in the file but 30x784 in the graph"}));
}

BOOST_AUTO_TEST_CASE(a_prediction_node_of_another_size_is_refused) {
  const Trained t;
  std::string text = small_net;
  text.replace(text.find("epochs = 1\n"), 11, "epochs = 1\npredict = a\n");
  const std::string graph = t.s.file("a.graph", text), out = t.s.file("p.csv");
  BOOST_TEST(refused(
      predict(graph + " --load " + t.model + " --input " + test_images + " --out " + out), 1,
      {"the prediction node 'a' (" + graph + ":4) has 20 values, but the model '" + t.model +
       "' has 10 classes"}));
  text.replace(text.find("predict = a"), 11, "predict = q");
  const std::string unknown = t.s.file("q.graph", text);
  BOOST_TEST(
      refused(predict(unknown + " --load " + t.model + " --input " + test_images + " --out " + out),
              1, {"has no node 'q'"}));
}

BOOST_AUTO_TEST_CASE(text_labels_for_a_model_of_number_labels_are_refused) {
  const Trained t;
  std::string row = "cat";
  for (int i = 0; i < 784; ++i) row += ",0";
  const std::string csv = t.s.file("cats.csv", row + "\n" + row + "\n"), out = t.s.file("p.csv");
  BOOST_TEST(refused(predict(t.graph + " --load " + t.model + " --input " + csv +
                             " --label-column 0 --out " + out),
                     1,
                     {csv + ": the labels are text (cat, ...), but the model '" + t.model +
                      "' was trained on number labels"}));
}

BOOST_AUTO_TEST_CASE(examples_of_another_size_are_refused) {
  const Trained t;
  const std::string csv = t.s.file("x.csv", "1,2,3\n4,5,6\n"), out = t.s.file("p.csv");
  BOOST_TEST(refused(predict(t.graph + " --load " + t.model + " --input " + csv + " --out " + out),
                     1,
                     {csv + ": an example has 3 input values, but the model '" + t.model +
                      "' was trained on 784 (28x28)"}));
}

BOOST_AUTO_TEST_CASE(a_non_finite_input_is_refused) {
  Scratch s;
  const std::string model = s.file("fit.model"), out = s.file("p.csv");
  BOOST_TEST_REQUIRE(run(fit_graph + " -q --epochs 1 --save " + model).status == 0);
  const std::string csv = s.file("nan.csv", "0.1,0.2\n0.3,inf\n");
  BOOST_TEST(refused(predict(fit_graph + " --load " + model + " --input " + csv + " --out " + out),
                     1, {csv + ":2: column 2: expected a number, found 'inf'"}));
  const std::string idx = s.file("nan.idx");
  write_bytes(idx, idx_floats({2, 2}, {0.5f, NAN, 1.0f, 2.0f}));
  BOOST_TEST(refused(predict(fit_graph + " --load " + model + " --input " + idx + " --out " + out),
                     1, {idx, "NaN"}));
}

BOOST_AUTO_TEST_CASE(labels_that_do_not_fit_the_input_or_the_model_are_refused) {
  Scratch s;
  const std::string model = s.file("fit.model"), out = s.file("p.csv");
  BOOST_TEST_REQUIRE(run(fit_graph + " -q --epochs 1 --save " + model).status == 0);
  const std::string inputs = fit_inputs(s);
  BOOST_TEST(refused(predict(fit_graph + " --load " + model + " --input " + inputs +
                             " --label-column 0 --out " + out),
                     2,
                     {"--label-column: the model '" + model +
                      "' is a regression on 1 target columns: its examples have no labels"}));
  const Trained t;
  BOOST_TEST(refused(predict(t.graph + " --load " + t.model + " --input " + inputs + " --labels " +
                             test_labels + " --out " + out),
                     2, {"--labels is for an IDX input, but '" + inputs + "' is a CSV file"}));
  BOOST_TEST(refused(predict(t.graph + " --load " + t.model + " --input " + test_images +
                             " --label-column 0 --out " + out),
                     2, {"--label-column is for a CSV input, but '" + test_images + "'"}));
}

BOOST_AUTO_TEST_CASE(labels_given_twice_or_a_labels_file_as_input_are_refused) {
  const Trained t;
  const std::string out = t.s.file("p.csv");
  BOOST_TEST(refused(predict(t.graph + " --load " + t.model + " --input " + test_images +
                             " --labels " + test_labels + " --label-column 0 --out " + out),
                     2, {"--labels and --label-column exclude each other"}));
  BOOST_TEST(refused(
      predict(t.graph + " --load " + t.model + " --input " + test_labels + " --out " + out), 1,
      {test_labels + ": expected examples (N x d1 x ...), found a 1-dimensional "
                     "IDX array of 2000 values (a labels file?)"}));
}

BOOST_AUTO_TEST_CASE(outputs_that_overflow_are_refused) {
  const Trained t;  // its output layer made linear, with weights whose products overflow float
  std::string text = small_net;
  text.replace(text.find("loss = mse(y, label)"), 20, "loss = mse(o, label)");
  const std::string graph = t.s.file("linear.graph", text), model = t.s.file("big.model");
  ebprop::Archive archive = ebprop::Archive::read(t.model, "model", "a model");
  ebprop::ByteReader in(archive.get("parameters"), "parameters");
  ebprop::ByteWriter out;
  const std::uint32_t count = in.u32();
  out.u32(count);
  for (std::uint32_t b = 0; b < count; ++b) {
    const std::string name = in.text();
    out.text(name);
    out.u32(in.u32());
    out.u32(in.u32());
    std::vector<double> values = in.f64s();
    if (name == "o.weight") std::fill(values.begin(), values.end(), 3e38);
    out.f64s(values);
  }
  archive.put("parameters", out.bytes());
  archive.write(model);
  BOOST_TEST(refused(predict(graph + " --load " + model + " --input " + test_images + " --out " +
                             t.s.file("p.csv")),
                     1, {"node 'o' produced a non-finite value for example 1 of " + test_images}));
}

BOOST_AUTO_TEST_CASE(an_output_that_is_an_input_is_refused) {
  const Trained t;
  const Untouched kept{t.model};
  BOOST_TEST(refused(
      predict(t.graph + " --load " + t.model + " --input " + test_images + " --out " + t.model), 2,
      {"--out", t.model, "the --load model"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_SUITE_END()
