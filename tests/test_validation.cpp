// §2 validation: the stratified, seeded holdout (data/holdout.h), the statistics fitted without it
// (run_config.h load_data), the validation columns of ebprop-run's epoch lines and metrics (JSON
// and CSV), --save-best, [run] patience, and ebprop-plot's learning curves.
#define BOOST_TEST_MODULE validation
#include <ebprop/data/csv.h>
#include <ebprop/data/holdout.h>
#include <ebprop/data/preprocess.h>
#include <ebprop/error.h>
#include <ebprop/graph_parser.h>
#include <ebprop/plugin_loader.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "command.h"
#include "run_config.h"
#include "run_output.h"

using namespace ebprop::test;  // run_tool, Result, Scratch, slurp, contains
using ebprop::data::Dataset;
using ebprop::data::hold_out;

namespace {

// `sizes[c]` examples of class c, in the order 0, 1, ..., 0, 1, ... (round robin while a class has
// examples left); feature 0 of an example is its index, so that a split shows where each went.
Dataset labelled(const std::vector<int>& sizes) {
  Dataset d;
  d.name = "labelled";
  std::vector<int> left = sizes;
  for (bool any = true; any;) {
    any = false;
    for (std::size_t c = 0; c < left.size(); ++c)
      if (left[c] > 0) {
        --left[c];
        d.labels.push_back(static_cast<int>(c));
        any = true;
      }
  }
  const int n = static_cast<int>(d.labels.size());
  d.inputs.resize(2, n);
  for (int i = 0; i < n; ++i) {
    d.inputs(0, i) = static_cast<float>(i);
    d.inputs(1, i) = static_cast<float>(d.labels[i]) * 10;
  }
  d.classes = static_cast<int>(sizes.size());
  d.input_shape = {2};
  return d;
}

// The index (feature 0) of each example of `d`.
std::vector<int> indices(const Dataset& d) {
  std::vector<int> out;
  for (int i = 0; i < d.size(); ++i) out.push_back(static_cast<int>(d.inputs(0, i)));
  return out;
}

std::map<int, int> class_counts(const Dataset& d) {
  std::map<int, int> counts;
  for (int label : d.labels) ++counts[label];
  return counts;
}

std::string error_of(const Dataset& d, int count) {
  try {
    hold_out(d, count, 1);
  } catch (const ebprop::Error& e) {
    return e.what();
  }
  return "";
}

Result run(const std::string& arguments) { return run_tool("ebprop-run", arguments); }

// A run that overfits: 100 digits trained on and 100 held out, at a high rate; the validation
// error stops improving after a few epochs (seed 1: best epoch 3 of 12).
const std::string overfitting = " --lr 0.03 --set train-limit=200 --set validation=0.5";

}  // namespace

BOOST_AUTO_TEST_SUITE(holdout)

BOOST_AUTO_TEST_CASE(each_class_gives_its_share_by_the_largest_remainders) {
  const Dataset d = labelled({50, 30, 20});
  const auto split = hold_out(d, 10, 1);
  BOOST_TEST((class_counts(split.held_out) == std::map<int, int>{{0, 5}, {1, 3}, {2, 2}}));
  BOOST_TEST((class_counts(split.kept) == std::map<int, int>{{0, 45}, {1, 27}, {2, 18}}));
  // 7, 7, 6 of 20 with 10 held out: 3.5, 3.5, 3; the one left goes to the first of the equal
  // remainders.
  const auto tied = hold_out(labelled({7, 7, 6}), 10, 1);
  BOOST_TEST((class_counts(tied.held_out) == std::map<int, int>{{0, 4}, {1, 3}, {2, 3}}));
}

BOOST_AUTO_TEST_CASE(the_parts_are_disjoint_cover_the_set_and_keep_their_order) {
  const Dataset d = labelled({40, 35, 25});
  const auto split = hold_out(d, 30, 7);
  const std::vector<int> kept = indices(split.kept), held = indices(split.held_out);
  BOOST_TEST(kept.size() == 70u);
  BOOST_TEST(held.size() == 30u);
  std::set<int> all(kept.begin(), kept.end());
  all.insert(held.begin(), held.end());
  BOOST_TEST(all.size() == 100u);
  BOOST_TEST(std::is_sorted(kept.begin(), kept.end()));
  BOOST_TEST(std::is_sorted(held.begin(), held.end()));
  for (int i = 0; i < split.held_out.size(); ++i)  // the labels went with their examples
    BOOST_TEST(split.held_out.labels[i] * 10 == split.held_out.inputs(1, i));
  BOOST_TEST(split.held_out.classes == 3);
  BOOST_TEST(contains(split.held_out.name, "held-out validation"));
}

BOOST_AUTO_TEST_CASE(a_seed_gives_one_split_and_another_seed_another) {
  const Dataset d = labelled({40, 35, 25});
  BOOST_TEST((indices(hold_out(d, 20, 5).held_out) == indices(hold_out(d, 20, 5).held_out)));
  BOOST_TEST((indices(hold_out(d, 20, 5).held_out) != indices(hold_out(d, 20, 6).held_out)));
}

BOOST_AUTO_TEST_CASE(without_labels_the_held_out_part_is_a_random_subset) {
  Dataset d = labelled({60});
  d.labels.clear();
  d.classes = 0;
  d.targets = d.inputs.topRows(1);
  const auto split = hold_out(d, 15, 3);
  BOOST_TEST(split.held_out.size() == 15);
  BOOST_TEST(split.kept.size() == 45);
  BOOST_TEST(split.held_out.labels.empty());
  for (int i = 0; i < split.held_out.size(); ++i)  // the targets went with their examples
    BOOST_TEST(split.held_out.targets(0, i) == split.held_out.inputs(0, i));
  BOOST_TEST((indices(split.held_out) != indices(hold_out(d, 15, 4).held_out)));
}

BOOST_AUTO_TEST_CASE(impossible_splits_are_refused_naming_the_class) {
  const Dataset d = labelled({50, 30, 20});
  BOOST_TEST(contains(error_of(d, 100),
                      "cannot hold out 100 of 100 examples for validation: at least 1 must be "
                      "held out and 1 kept"),
             error_of(d, 100));
  BOOST_TEST(contains(error_of(d, 0), "cannot hold out 0 of 100"));
  // 9 and 1 with 5 held out: 4.5 and 0.5; the one left goes to class 0, class 1 gives none.
  BOOST_TEST(contains(error_of(labelled({9, 1}), 5),
                      "labelled: class 1 has 1 of the 10 training examples, too few to hold any "
                      "out: its share of the 5 validation examples would be 0"),
             error_of(labelled({9, 1}), 5));
  // 9 and 1 with 9 held out: 8.1 and 0.9; class 1 would give its only example.
  BOOST_TEST(contains(error_of(labelled({9, 1}), 9),
                      "class 1 has 1 of the 10 training examples, too few to keep any for "
                      "training"),
             error_of(labelled({9, 1}), 9));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(load_data)

// The normalization statistics come from the examples trained on: the held-out part is
// normalized with them and did not enter them.
BOOST_AUTO_TEST_CASE(statistics_are_fitted_without_the_held_out_examples) {
  Scratch s;
  std::string csv = "label,a,b\n";
  for (int i = 0; i < 40; ++i)  // feature a grows with the index, so each subset has its own mean
    csv += std::to_string(i % 2) + "," + std::to_string(i * i) + "," + std::to_string(i % 7) + "\n";
  const std::string train = s.file("train.csv", csv);
  const std::string graph =
      s.file("n.graph",
             "x = input shape=2 source=inputs\nt = input shape=2 source=targets\n"
             "o = linear(x) outputs=2\nloss = mse(o, t)\n[run]\nseed = 9\n[data]\ntrain-csv = " +
                 train + "\ntrain-limit = 36\nvalidation = 0.25\ncenter = per-feature\n");
  ebprop::Registry registry;
  ebprop::load_plugins(registry);
  const auto config = ebprop::tools::merge_config({}, ebprop::parse_graph_file(graph), registry);
  const ebprop::tools::Data data = ebprop::tools::load_data(config);
  BOOST_TEST_REQUIRE(data.has_validation);
  BOOST_TEST(data.train.size() == 27);  // of the first 36 (train-limit before the holdout)
  BOOST_TEST(data.validation.size() == 9);

  // The same split of the raw examples, and the statistics of its kept part.
  Dataset raw = ebprop::data::load_csv(train);
  raw.inputs = raw.inputs.leftCols(36).eval();
  raw.labels.resize(36);
  auto split = hold_out(raw, 9, 9);
  ebprop::data::Normalizer kept_only, everything;
  kept_only.fit(split.kept, ebprop::data::Centering::per_feature, ebprop::data::Scaling::global);
  everything.fit(raw, ebprop::data::Centering::per_feature, ebprop::data::Scaling::global);
  BOOST_TEST_REQUIRE((kept_only.mean() - everything.mean()).norm() > 1.0f);  // they differ
  Dataset expected_train = split.kept, expected_validation = split.held_out;
  kept_only.apply(expected_train);
  kept_only.apply(expected_validation);
  BOOST_TEST((data.train.inputs - expected_train.inputs).norm() < 1e-5f);
  BOOST_TEST((data.validation.inputs - expected_validation.inputs).norm() < 1e-5f);
  BOOST_TEST(std::abs(data.train.inputs.row(0).mean()) < 1e-5f);  // centred on the kept part
  BOOST_TEST((data.validation.labels == split.held_out.labels));
  BOOST_TEST(data.validation.targets.rows() == 2);  // encoded like the training set's
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(runs)

BOOST_AUTO_TEST_CASE(epoch_lines_and_metrics_show_the_validation_set) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net + "validation = 100\n");
  const std::string json = s.file("m.jsonl"), csv = s.file("m.csv");
  const Result r = run(graph + " --epochs 2 --metrics " + json);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "400 training examples"), r.output);
  BOOST_TEST(contains(r.output, ", 100 validation from "), r.output);
  const auto epochs = lines_starting(r.output, "epoch ");
  BOOST_TEST_REQUIRE(epochs.size() == 2u, r.output);
  const auto valid = epochs[1].find("valid loss "), test = epochs[1].find("test loss ");
  BOOST_TEST((valid != std::string::npos && valid < test), epochs[1]);
  BOOST_TEST(contains(r.output, "best epoch "), r.output);
  const auto records = lines_starting(slurp(json), "{");
  BOOST_TEST_REQUIRE(records.size() == 2u);
  const double loss = field(records[1], "validation_loss");
  BOOST_TEST(std::isfinite(loss));
  BOOST_TEST(std::isfinite(field(records[1], "validation_error")));
  std::ostringstream shown;
  shown << std::fixed << std::setprecision(5) << loss;
  BOOST_TEST(contains(epochs[1], "valid loss " + shown.str()), epochs[1] << " vs " << loss);

  // CSV: a header of the same fields in the same order, and the same values.
  const Result c = run(graph + " --epochs 2 -q --metrics " + csv);
  BOOST_TEST_REQUIRE(c.status == 0, c.output);
  std::istringstream lines(slurp(csv));
  std::string header, row1, row2, extra;
  std::getline(lines, header);
  std::getline(lines, row1);
  std::getline(lines, row2);
  BOOST_TEST(!std::getline(lines, extra));
  std::vector<std::string> names, cells;
  for (std::istringstream h(header); std::getline(h, extra, ',');) names.push_back(extra);
  for (std::istringstream h(row2); std::getline(h, extra, ',');) cells.push_back(extra);
  if (row2.back() == ',') cells.push_back("");
  BOOST_TEST_REQUIRE(names.size() == cells.size(), header << "\n" << row2);
  std::string order;
  for (std::size_t at = 0, k = 0; k < names.size(); ++k) {
    const auto dot = names[k].find('.');
    if (dot != std::string::npos) {  // loss.NAME, test_loss.NAME: the JSON losses objects
      const std::string object = names[k].substr(0, dot) == "loss" ? "losses" : "test_losses";
      const auto in = records[1].find("\"" + object + "\": {");
      BOOST_TEST_REQUIRE(in != std::string::npos, object << " in " << records[1]);
      BOOST_TEST(field(records[1].substr(in + object.size() + 4), names[k].substr(dot + 1)) ==
                     std::stod(cells[k]),
                 names[k]);
      continue;
    }
    at = records[1].find("\"" + names[k] + "\": ", at);
    BOOST_TEST(at != std::string::npos, names[k] << " in order in " << records[1]);
    const double json_value = field(records[1], names[k]);
    if (names[k] == "seconds" || names[k] == "examples_per_second") continue;  // timings
    if (std::isnan(json_value))
      BOOST_TEST(cells[k] == "", names[k]);  // null: an empty cell
    else
      BOOST_TEST(std::stod(cells[k]) == json_value, names[k]);
  }
}

BOOST_AUTO_TEST_CASE(without_a_validation_set_the_metrics_have_nulls_and_no_column) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net), json = s.file("m.jsonl");
  const Result r = run(graph + " --metrics " + json);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(!contains(r.output, "valid loss"), r.output);
  BOOST_TEST(!contains(r.output, "best epoch"), r.output);
  BOOST_TEST(std::isnan(field(slurp(json), "validation_loss")));
  BOOST_TEST(std::isnan(field(slurp(json), "validation_error")));
}

BOOST_AUTO_TEST_CASE(save_best_holds_the_weights_of_the_best_epoch) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const std::string best = s.file("best.w"), json = s.file("m.jsonl"), rerun = s.file("e.w");
  const Result r =
      run(graph + " -q --epochs 16" + overfitting + " --save-best " + best + " --metrics " + json);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  // The best epoch by the metrics: the first with the lowest validation error.
  int expected = 0;
  double lowest = INFINITY;
  for (const auto& line : lines_starting(slurp(json), "{"))
    if (field(line, "validation_error") < lowest) {
      lowest = field(line, "validation_error");
      expected = static_cast<int>(field(line, "epoch"));
    }
  // Neither the first nor the last (the best epoch is 3 in the gcc build, 12 in the clang one:
  // the two round differently, and 16 epochs leave room for both).
  BOOST_TEST_REQUIRE((expected > 1 && expected < 16), r.output);
  BOOST_TEST(contains(r.output, "best epoch " + std::to_string(expected) + ": validation error "),
             r.output);
  const Result again =
      run(graph + " -q --epochs " + std::to_string(expected) + overfitting + " --save " + rerun);
  BOOST_TEST_REQUIRE(again.status == 0, again.output);
  BOOST_TEST((slurp(best) == slurp(rerun)));
  BOOST_TEST(!slurp(best).empty());
}

BOOST_AUTO_TEST_CASE(patience_stops_after_that_many_epochs_without_improvement) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net), json = s.file("m.jsonl");
  const Result full = run(graph + " -q --epochs 12" + overfitting + " --metrics " + json);
  BOOST_TEST_REQUIRE(full.status == 0, full.output);
  // Where patience 3 must stop, from the full run's validation errors.
  int best = 0, stop = 0;
  double lowest = INFINITY;
  for (const auto& line : lines_starting(slurp(json), "{")) {
    const int epoch = static_cast<int>(field(line, "epoch"));
    if (field(line, "validation_error") < lowest) {
      lowest = field(line, "validation_error");
      best = epoch;
    } else if (epoch - best >= 3) {
      stop = epoch;
      break;
    }
  }
  BOOST_TEST_REQUIRE((stop > 0 && stop < 12), full.output);
  const Result r = run(graph + " --epochs 12" + overfitting + " --set patience=3");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const auto epochs = lines_starting(r.output, "epoch ");
  BOOST_TEST(epochs.size() == static_cast<std::size_t>(stop), r.output);
  std::ostringstream tail;
  tail << "stopped: no validation improvement in 3 epochs\nbest epoch " << best
       << ": validation error " << std::fixed << std::setprecision(2) << lowest << "% (loss ";
  BOOST_TEST(contains(r.output, tail.str()), r.output << "\nexpected:\n" << tail.str());
}

BOOST_AUTO_TEST_CASE(a_regression_picks_the_epoch_by_validation_loss) {
  Scratch s;
  const std::string fit = std::string(EBPROP_SOURCE_DIR) + "/graphs/fit-stanh.graph";
  const std::string json = s.file("m.jsonl");
  const Result r = run(fit + " --epochs 3 --set validation=0.2 --metrics " + json);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "320 training examples"), r.output);
  BOOST_TEST(contains(r.output, "valid loss "), r.output);
  BOOST_TEST(contains(r.output, "best epoch "), r.output);
  BOOST_TEST(contains(r.output, ": validation loss "), r.output);
  BOOST_TEST(std::isnan(field(slurp(json), "validation_error")));
}

BOOST_AUTO_TEST_CASE(a_validation_csv_file_is_read_and_normalized_like_the_test_set) {
  Scratch s;
  const std::string fit_dir = std::string(EBPROP_SOURCE_DIR) + "/data/fit/";
  const std::string fit = std::string(EBPROP_SOURCE_DIR) + "/graphs/fit-stanh.graph";
  const std::string json = s.file("m.jsonl");
  const Result r =
      run(fit + " --epochs 2 --set validation-csv=" + fit_dir + "test.csv --metrics " + json);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "200 validation from "), r.output);
  // The same file as test and validation set: the same loss.
  const auto records = lines_starting(slurp(json), "{");
  BOOST_TEST(field(records[1], "validation_loss") == field(records[1], "test_loss"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(plot)

BOOST_AUTO_TEST_CASE(learning_curves_are_drawn_from_json_lines_and_csv_metrics) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net + "validation = 100\n");
  const std::string json = s.file("m.jsonl"), csv = s.file("m.csv"), svg = s.file("c.svg");
  BOOST_TEST_REQUIRE(run(graph + " -q --epochs 2 --metrics " + json).status == 0);
  BOOST_TEST_REQUIRE(run(graph + " -q --epochs 2 --metrics " + csv).status == 0);
  for (const std::string& metrics : {json, csv}) {
    const Result r = run_tool("ebprop-plot", metrics + " --curves -o " + svg);
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
    const std::string text = slurp(svg);
    std::size_t lines = 0;
    for (auto at = text.find("<polyline"); at != std::string::npos;
         at = text.find("<polyline", at + 1))
      ++lines;
    BOOST_TEST(lines == 6u, metrics);  // train, validation, test; loss and error
    for (const char* label : {">train<", ">validation<", ">test<", ">loss<", ">error (%)<"})
      BOOST_TEST(contains(text, label), label);
  }
}

BOOST_AUTO_TEST_SUITE_END()
