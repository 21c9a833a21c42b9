#include "run_config.h"

#include <ebprop/data/csv.h>
#include <ebprop/data/decorrelation.h>
#include <ebprop/data/finite.h>
#include <ebprop/data/holdout.h>
#include <ebprop/data/idx.h>
#include <ebprop/data/preprocess.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>
#include <thread>

namespace ebprop::tools {

CommandLineError::~CommandLineError() = default;

// Every location of a command-line value is made here, so that it can be told apart below.
static const std::string command_line_prefix = "command line (--";

SourceLocation command_line(const std::string& option) {
  return {command_line_prefix + option + ")", 0, 0};
}

static bool on_command_line(const SourceLocation& where) {
  return where.line == 0 && where.file.rfind(command_line_prefix, 0) == 0;
}

[[noreturn]] void refuse(const SourceLocation& where, const std::string& message) {
  if (on_command_line(where)) throw CommandLineError(where.str() + ": " + message);
  throw SourceError(where, message);
}

// More OpenMP threads than hardware threads only makes the matrix products wait for each other;
// when the machine does not say (0), any int is allowed.
static double hardware_threads() {
  const unsigned threads = std::thread::hardware_concurrency();
  return threads > 0 ? threads : std::numeric_limits<int>::max();
}

const std::vector<SettingSpec>& run_settings() {
  static const std::vector<SettingSpec> settings{
      // A million epochs is beyond any run (the bundled digits take a second each) and keeps the
      // epoch counter an int.
      optional("epochs", SettingType::integer, "10",
               "passes over the training set (0: evaluate the starting weights)")
          .at_least(0)
          .at_most(1000000),
      optional("batch", SettingType::integer, "1", "examples per step: 1 is online learning (§4.1)")
          .at_least(1),
      // The generators take 64 bits; a negative seed would be a second name for a large one.
      optional("seed", SettingType::integer, "1",
               "seeds initialization, shuffling and sampling: the same seed gives the same run")
          .at_least(0)
          .at_most(static_cast<double>(std::numeric_limits<std::int64_t>::max())),
      optional("order", SettingType::text, "shuffle",
               "presentation order of each epoch of a stochastic optimizer: shuffle (a fresh "
               "random order, §4.1), interleave (§4.2: successive examples of different "
               "classes; needs labels), emphasize (§4.2: examples drawn with probability "
               "proportional to their loss when last presented; changes the training "
               "distribution and the class priors) or none (the data set's order); a batch "
               "method (§6) refuses interleave and emphasize")
          .one_of({"shuffle", "interleave", "emphasize", "none"}),
      optional("shuffle", SettingType::boolean, "true",
               "the older form of order: false is order = none, true order = shuffle; not "
               "together with order"),
      optional("emphasize-floor", SettingType::real, "0.2",
               "order = emphasize: the least probability of presenting an example, relative to "
               "the uniform 1/P (well-learned examples are still seen)")
          .at_least(0)
          .at_most(1),
      optional("emphasize-cap", SettingType::real, "5",
               "order = emphasize: the largest probability of presenting an example, relative to "
               "the uniform 1/P, so that outliers and mislabeled examples, whose loss stays "
               "large, cannot dominate (§4.2)")
          .at_least(1)
          .at_most(1e6),
      optional("lower-layer-rates", SettingType::real, "1",
               "§4.7 lower layers learn faster: each parameter's rate times this factor to the "
               "power of its depth (the layers with parameters between it and the loss; "
               "layer_rates.h); 1: off; for optimizers with a global step size")
          .above(0),
      optional("predict", SettingType::text, "",
               "node whose largest output is the predicted class (default: the first input of the "
               "loss node written first in the graph file)"),
      optional("patience", SettingType::integer, "0",
               "§2 early stopping: stop when this many epochs in a row have not improved the "
               "best validation error (regression: loss); needs a validation set (0: off)")
          .at_least(0)
          .at_most(1000000),
      optional("precision", SettingType::text, "float", "float (float32, fast) or double")
          .one_of({"float", "double"}),
      optional("diverge-factor", SettingType::text, "2",
               "the divergence rule: stop when the mean training loss over a tenth of an epoch "
               "exceeds this many times the loss of the starting weights (on the first 1000 "
               "training examples); 0 or off: no rule (NaN still stops)"),
      optional("threads", SettingType::integer, "1",
               "threads running the parts of each batch, a replica of the graph each (at least "
               "16 examples a part: smaller batches stay on one thread), at most this machine's " +
                   std::to_string(static_cast<long long>(hardware_threads())) + " hardware threads")
          .at_least(1)
          .at_most(hardware_threads()),
      optional("reproducible", SettingType::boolean, "false",
               "sums over each batch in blocks of `block` examples, added in one fixed tree: "
               "the same weights, to the bit, for any number of threads and of MPI ranks "
               "(docs/mpi.md); always on under mpirun"),
      optional("block", SettingType::integer, "64",
               "reproducible sums: the examples of a block, formed by one graph (a larger block "
               "makes fewer, larger matrix products and fewer partial sums to send); the same "
               "block gives the same weights")
          .at_least(1)
          .at_most(1 << 20)};
  return settings;
}

const std::vector<SettingSpec>& data_settings() {
  static const std::vector<SettingSpec> settings{
      optional("dir", SettingType::text, "",
               "directory holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz] and "
               "t10k-* or test-* files (with train-targets: the images alone)"),
      optional("train-images", SettingType::text, "", "IDX file of training examples"),
      optional("train-labels", SettingType::text, "", "IDX file of training labels"),
      optional("train-targets", SettingType::text, "",
               "regression: IDX file of the training examples' real-valued targets, N or N x d1 "
               "x ... (d1 x ... targets per example), instead of train-labels"),
      optional("test-images", SettingType::text, "", "IDX file of test examples"),
      optional("test-labels", SettingType::text, "", "IDX file of test labels"),
      optional("test-targets", SettingType::text, "",
               "regression: IDX file of the test examples' targets, instead of test-labels"),
      optional("train-csv", SettingType::text, "",
               "CSV file of training examples (a label column, or target-columns)"),
      optional("test-csv", SettingType::text, "", "CSV file of test examples"),
      optional("validation", SettingType::text, "0",
               "§2 hold out this many training examples (1000) or this fraction of them (0.1) "
               "as the validation set, after train-limit and before the normalization "
               "statistics; stratified by class (largest remainders), drawn with the seed "
               "(0: none)"),
      optional("validation-images", SettingType::text, "",
               "IDX file of validation examples (instead of validation)"),
      optional("validation-labels", SettingType::text, "", "IDX file of validation labels"),
      optional("validation-targets", SettingType::text, "",
               "regression: IDX file of the validation examples' targets, instead of "
               "validation-labels"),
      optional("validation-csv", SettingType::text, "",
               "CSV file of validation examples (instead of validation)"),
      optional("label-column", SettingType::integer, "0",
               "CSV column of the label (-1: last); labels are numbers, or class names mapped to "
               "indices in sorted order")
          .at_least(-1),
      optional("header", SettingType::text, "auto",
               "whether a CSV file's first line is a header: auto (when none of its cells is a "
               "number and the next line has numbers below them), yes or no")
          .one_of({"auto", "yes", "no"}),
      // A CSV row is at most a few thousand cells; the limit keeps the count an int.
      optional("target-columns", SettingType::integer, "0",
               "regression: the last N CSV columns are real-valued targets, there is no label "
               "(0: a label column); with train-targets it may be left out, or must be the "
               "file's targets per example")
          .at_least(0)
          .at_most(1000000),
      optional("center", SettingType::text, "per-feature",
               "§4.3 subtract the training-set mean: none, per-feature or global")
          .one_of({"none", "per-feature", "global"}),
      optional("scale", SettingType::text, "global",
               "§4.3 divide by the training-set standard deviation: none, per-feature or global")
          .one_of({"none", "per-feature", "global"}),
      optional("decorrelate", SettingType::text, "none",
               "§4.3 after center and scale, rotate onto the principal axes of the training-set "
               "covariance (PCA, the Karhunen-Loeve expansion): none, pca, pca-whiten (each "
               "component also divided by the square root of its eigenvalue) or zca (whitened "
               "and rotated back: all components, the input's shape)")
          .one_of({"none", "pca", "pca-whiten", "zca"}),
      optional("components", SettingType::integer, "0",
               "pca and pca-whiten keep this many leading components: the graph's input then has "
               "this many features (0: all, or as variance says)")
          .at_least(0)
          .at_most(1000000),
      optional("variance", SettingType::real, "0",
               "pca and pca-whiten keep the fewest leading components whose eigenvalues sum to "
               "this fraction of the variance, e.g. 0.99 (instead of components; 0: all)")
          .at_least(0)
          .at_most(1),
      optional("whiten-epsilon", SettingType::real, "1e-5",
               "pca-whiten and zca divide a component by sqrt(eigenvalue + epsilon x the largest "
               "eigenvalue), so that constant inputs (MNIST's border) are not blown up")
          .at_least(0),
      optional("target-low", SettingType::real, "-1",
               "§4.5 target of the wrong classes (classes only, not a regression)"),
      optional("target-coding", SettingType::text, "one-of-n",
               "§4.5 targets of classes: one-of-n (one output per class, the class is the "
               "largest) or single (two classes on one output: class 0 at target-low, class 1 "
               "at target-high, the class is the side of their midpoint; Fig. 13-14)")
          .one_of({"one-of-n", "single"}),
      optional("target-high", SettingType::real, "1",
               "§4.5 target of the right class (classes only, not a regression)"),
      optional("train-limit", SettingType::integer, "0",
               "use only the first N training examples (0: all)")
          .at_least(0),
      optional("test-limit", SettingType::integer, "0",
               "use only the first N test examples (0: all)")
          .at_least(0)};
  return settings;
}

Order presentation_order(const Settings& run) {
  if (run.given("shuffle") && run.given("order"))
    refuse(run.where("shuffle"),
           "shuffle is the older form of order (false: order = none); give "
           "order alone (order = " +
               run.text("order") + " is at " + run.where("order").str() + ")");
  if (run.given("shuffle")) return run.boolean("shuffle") ? Order::shuffle : Order::none;
  return parse_order(run.text("order"));
}

std::string schema_table(const std::vector<SettingSpec>& schema) {
  std::string text;
  for (const auto& s : schema) {
    std::string head =
        "  " + s.name + " = " +
        (s.default_value ? (s.default_value->empty() ? "\"\"" : *s.default_value) : "(required)");
    head.resize(std::max<std::size_t>(head.size() + 1, 30), ' ');
    const std::string constraint = setting_constraint(s);
    text += head + s.doc + (constraint.empty() ? "" : "; allowed: " + constraint) + "\n";
  }
  return text;
}

// Splits KEY=VALUE from the command line, located at the option that gave it.
static std::pair<std::string, RawSetting> split_assignment(const std::string& text,
                                                           const std::string& option,
                                                           const Overrides& cli) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw CommandLineError("--" + option + " expects KEY=VALUE, found '" + printable(text) + "'");
  const std::string key = text.substr(0, eq);
  const auto shortcut = cli.shortcut.find(key);
  return {key,
          {text.substr(eq + 1),
           command_line(shortcut != cli.shortcut.end() ? shortcut->second : option)}};
}

// Settings::validate, with a refusal located on the command line made a CommandLineError.
static Settings validate(const std::vector<SettingSpec>& schema, const RawSettings& raw,
                         const std::string& owner, const SourceLocation& owner_where) {
  try {
    return Settings::validate(schema, raw, owner, owner_where);
  } catch (const SourceError& e) {
    if (on_command_line(e.where())) throw CommandLineError(e.what());
    throw;
  }
}

static bool in_schema(const std::vector<SettingSpec>& schema, const std::string& key) {
  for (const auto& s : schema)
    if (s.name == key) return true;
  return false;
}

Settings validate_options(const std::vector<SettingSpec>& schema, const RawSettings& raw,
                          const std::string& tool) {
  return validate(schema, raw, tool, {});
}

RunConfig merge_config(const Overrides& cli, const GraphSpec& spec, const Registry& registry) {
  RawSettings run = spec.run.settings, data = spec.data.settings;
  for (const auto& item : cli.set) {
    auto [key, value] = split_assignment(item, "set", cli);
    if (in_schema(run_settings(), key))
      run[key] = value;
    else if (in_schema(data_settings(), key))
      data[key] = value;
    else {
      std::vector<std::string> known;
      for (const auto& s : run_settings()) known.push_back(s.name);
      for (const auto& s : data_settings()) known.push_back(s.name);
      const std::string hint = did_you_mean(key, known);
      throw CommandLineError("--set: unknown key '" + key + "'" +
                             (hint.empty() ? "" : "; " + hint) + " (known: " + join(known) + ")");
    }
  }

  RunConfig config;
  const SourceLocation file_where{spec.file, 0, 0};
  config.run =
      validate(run_settings(), run, "[run]", spec.run.present ? spec.run.where : file_where);
  config.data =
      validate(data_settings(), data, "[data]", spec.data.present ? spec.data.where : file_where);

  config.optimizer = spec.optimizer.present ? spec.optimizer.argument : "sgd";
  RawSettings opt = spec.optimizer.settings;
  SourceLocation opt_where = spec.optimizer.present ? spec.optimizer.where : file_where;
  if (!cli.optimizer.empty() && cli.optimizer != config.optimizer) {
    config.optimizer = cli.optimizer;  // the file's settings were for another optimizer
    opt.clear();
    opt_where = command_line("optimizer");
  }
  for (const auto& item : cli.opt) {
    auto [key, value] = split_assignment(item, "opt", cli);
    opt[key] = value;
  }
  const OptimizerInfo* info = nullptr;
  try {
    info = &registry.optimizer_info(config.optimizer);
  } catch (const Error& e) {
    if (spec.optimizer.present && cli.optimizer.empty())
      throw SourceError(spec.optimizer.where, e.what());
    throw CommandLineError("--optimizer: " + std::string(e.what()));
  }
  config.optimizer_settings =
      validate(info->settings, opt, "optimizer " + config.optimizer, opt_where);
  config.optimizer_where = opt_where;
  config.base_dir = boost::filesystem::path(spec.file).parent_path().string();
  return config;
}

template <typename T>
OptimizerPtr<T> make_optimizer(const Registry& registry, const RunConfig& config) {
  const std::string owner = "optimizer " + config.optimizer;
  try {
    return registry.make_optimizer<T>(config.optimizer, config.optimizer_settings);
  } catch (const SourceError& e) {
    if (on_command_line(e.where())) throw CommandLineError(e.what());
    throw;
  } catch (const Error& e) {
    if (on_command_line(config.optimizer_where))
      throw CommandLineError(config.optimizer_where.str() + ": " + owner + ": " + e.what());
    throw SourceError(config.optimizer_where, owner + ": " + e.what());
  }
}

template OptimizerPtr<float> make_optimizer<float>(const Registry&, const RunConfig&);
template OptimizerPtr<double> make_optimizer<double>(const Registry&, const RunConfig&);

std::string resolve_path(const RunConfig& config, const Settings& settings,
                         const std::string& key) {
  const std::string& value = settings.text(key);
  namespace fs = boost::filesystem;
  const bool from_file = settings.given(key) && settings.where(key).line > 0;
  if (value.empty() || !from_file || fs::path(value).is_absolute() || config.base_dir.empty())
    return value;
  return (fs::path(config.base_dir) / value).lexically_normal().string();
}

DataFiles find_data_files(const RunConfig& config) {
  const Settings& d = config.data;
  DataFiles files;
  files.train_images = resolve_path(config, d, "train-images");
  files.train_labels = resolve_path(config, d, "train-labels");
  files.train_targets = resolve_path(config, d, "train-targets");
  files.test_images = resolve_path(config, d, "test-images");
  files.test_labels = resolve_path(config, d, "test-labels");
  files.test_targets = resolve_path(config, d, "test-targets");
  files.train_csv = resolve_path(config, d, "train-csv");
  files.test_csv = resolve_path(config, d, "test-csv");
  files.validation_images = resolve_path(config, d, "validation-images");
  files.validation_labels = resolve_path(config, d, "validation-labels");
  files.validation_targets = resolve_path(config, d, "validation-targets");
  files.validation_csv = resolve_path(config, d, "validation-csv");
  const std::string dir = resolve_path(config, d, "dir");
  if (!dir.empty()) {
    // A regression's targets are files of their own: the directory's labels are not required,
    // and not taken for a set whose targets are given (those found for another set are, so that
    // load_data can refuse a regression's test set of labels).
    const bool regression = !files.train_targets.empty() || d.integer("target-columns") > 0;
    data::IdxFiles found;
    try {
      found = data::find_idx_files(dir, !regression);
    } catch (const FileError& e) {  // named where the directory was given: --data-dir, a line
      throw FileError(d.where("dir").str() + ": " + e.what());
    }
    if (files.train_images.empty()) files.train_images = found.train_images;
    if (files.train_labels.empty() && files.train_targets.empty())
      files.train_labels = found.train_labels;
    if (files.test_images.empty()) files.test_images = found.test_images;
    if (files.test_labels.empty() && files.test_targets.empty())
      files.test_labels = found.test_labels;
  }
  return files;
}

std::vector<RunFile> run_inputs(const std::string& graph_file, const std::string& load,
                                const RunConfig& config, const Registry& registry) {
  const DataFiles data = find_data_files(config);
  std::vector<RunFile> inputs{{"the graph file", graph_file},
                              {"the --load weights file", load},
                              {"the training images", data.train_images},
                              {"the training labels", data.train_labels},
                              {"the training targets", data.train_targets},
                              {"the test images", data.test_images},
                              {"the test labels", data.test_labels},
                              {"the test targets", data.test_targets},
                              {"the training CSV file", data.train_csv},
                              {"the test CSV file", data.test_csv},
                              {"the validation images", data.validation_images},
                              {"the validation labels", data.validation_labels},
                              {"the validation targets", data.validation_targets},
                              {"the validation CSV file", data.validation_csv}};
  for (const auto& library : registry.libraries()) inputs.push_back({"the plugin", library});
  return inputs;
}

// "1 target", "3 targets".
static std::string targets_str(Eigen::Index count) {
  return std::to_string(count) + (count == 1 ? " target" : " targets");
}

// The IDX targets keys (train-targets, test-targets, validation-targets) against the others,
// before any file is read: a set's examples have labels or targets and come from IDX files or a
// CSV file, targets need the images they belong to, and only a regression has targets. Refuses at
// the targets key.
static void require_targets_files(const Settings& d, const DataFiles& files, bool regression) {
  const struct {
    const char *set, *csv_key, *examples;
    const std::string *images, *labels, *targets, *csv;
  } sets[] = {{"train", "train-csv", "training", &files.train_images, &files.train_labels,
               &files.train_targets, &files.train_csv},
              {"test", "test-csv", "test", &files.test_images, &files.test_labels,
               &files.test_targets, &files.test_csv},
              {"validation", "validation-csv", "validation", &files.validation_images,
               &files.validation_labels, &files.validation_targets, &files.validation_csv}};
  for (const auto& s : sets) {
    if (s.targets->empty()) continue;
    const std::string set = s.set, key = set + "-targets", labels_key = set + "-labels";
    if (!s.csv->empty())
      refuse(d.where(key), key + " and " + s.csv_key + " (" + d.where(s.csv_key).str() +
                               ") exclude each other: give one " + s.examples + " set");
    // A set with targets takes no labels from dir (find_data_files): these are the key's.
    if (!s.labels->empty())
      refuse(d.where(key), key + " and " + labels_key + " (" + d.where(labels_key).str() +
                               ") exclude each other: the " + s.examples +
                               " examples have real-valued targets (a regression) or labels "
                               "of classes");
    if (s.images->empty())
      refuse(d.where(key), key + " needs " + set + "-images too" +
                               (set == "validation" ? "" : " (or dir)") + ": the " + s.examples +
                               " examples whose targets it holds");
    if (!regression)  // train-targets makes one: this is a test or validation set's
      refuse(d.where(key), key +
                               " is for a regression (train-targets, or train-csv with "
                               "target-columns), but the training data have labels: give " +
                               labels_key);
  }
}

// In a regression, the `set` ("test" or "validation") of IDX images has no targets file: its
// labels (given, or found by dir) would be one-of-N targets, which a regression's outputs are not,
// and images alone have nothing to be measured against. Refuses at the key that gave the labels,
// or the images, saying to give the targets; `because` is the key that made the regression.
[[noreturn]] static void refuse_untargeted(const Settings& d, const std::string& set,
                                           const std::string& images, const std::string& labels,
                                           const std::string& because) {
  const std::string targets_key = set + "-targets";
  const auto named = [&](const std::string& key) { return d.given(key) && !d.text(key).empty(); };
  if (!labels.empty()) {
    const std::string key = named(set + "-labels") ? set + "-labels" : "dir";
    refuse(d.where(key), (key == "dir" ? "the " + set + " labels file found by dir" : key) + " '" +
                             labels + "' holds labels of classes, but " + because +
                             " makes this a regression: give the " + set +
                             " examples' real-valued targets with " + targets_key + " instead");
  }
  const std::string key = named(set + "-images") ? set + "-images" : "dir";
  refuse(d.where(key), (key == "dir" ? "the " + set + " images file found by dir" : key) + " '" +
                           images + "' has no targets, but " + because +
                           " makes this a regression: give " + targets_key + " too");
}

// A regression's test or validation set from an IDX targets file (the key `key`) must have as
// many targets per example as the training set; refused at the key.
static void require_targets_like_training(const Settings& d, const std::string& key,
                                          const data::Dataset& set, const data::Dataset& train) {
  if (set.targets.rows() == train.targets.rows()) return;
  const auto file = [](const data::Dataset& data) {
    return data.targets_name.empty() ? data.name : data.targets_name;
  };
  refuse(d.where(key), key + " '" + file(set) + "' has " + targets_str(set.targets.rows()) +
                           " per example, but the training set ('" + file(train) + "') has " +
                           targets_str(train.targets.rows()));
}

// The [data] key validation as a count of the `examples` training examples: a whole number is a
// count, a number with a fraction part the share of them, rounded to the nearest count (halves
// up); 0 when none are held out. Refuses at the key's line what is neither, a fraction outside
// (0, 1), or a count that holds out none or all.
static int validation_count(const Settings& d, int examples) {
  const std::string& text = d.text("validation");
  const std::string at = "validation = " + text;
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  if (used != text.size() || !(value >= 0))
    refuse(d.where("validation"),
           at + ": expected a count of training examples (1000) or a fraction of them (0.1)");
  if (value == 0) return 0;
  const bool whole = text.find_first_not_of("0123456789") == std::string::npos;
  if (!whole && !(value < 1))
    refuse(d.where("validation"),
           at + ": a fraction of the training set must be above 0 and below 1 (a count is a "
                "whole number)");
  const double count = whole ? value : std::floor(value * examples + 0.5);
  if (count >= examples || count < 1)
    refuse(d.where("validation"), at + " holds out " + std::to_string(std::llround(count)) +
                                      " of the " + std::to_string(examples) +
                                      " training examples (after train-limit): at least 1 "
                                      "must be held out and 1 kept");
  return static_cast<int>(count);
}

// §2: the validation set, read from its files or held out of the training set (before the
// normalization statistics are fitted, so that they come from the examples trained on). In a
// regression (`because`: the key that made it one; "" for classes) IDX validation images need
// their targets.
static void take_validation(const RunConfig& config, const DataFiles& files,
                            const data::CsvOptions& csv, const std::string& because, Data& result) {
  const Settings& d = config.data;
  const int count = validation_count(d, result.train.size());
  for (const char* key :
       {"validation-csv", "validation-images", "validation-labels", "validation-targets"})
    if (count > 0 && d.given(key))
      refuse(d.where("validation"), "validation (a held-out part of the training set) and " +
                                        std::string(key) + " (" + d.where(key).str() +
                                        ") exclude each other: give one validation set");
  if (count > 0) {
    try {
      auto split = data::hold_out(result.train, count,
                                  static_cast<std::uint64_t>(config.run.integer("seed")));
      result.train = std::move(split.kept);
      result.validation = std::move(split.held_out);
    } catch (const Error& e) {
      refuse(d.where("validation"), "validation = " + d.text("validation") + ": " + e.what());
    }
  } else if (!files.validation_csv.empty()) {
    for (const char* key : {"validation-images", "validation-labels"})
      if (d.given(key))
        refuse(d.where(key), std::string(key) + " and validation-csv (" +
                                 d.where("validation-csv").str() +
                                 ") exclude each other: give one validation set");
    result.validation = data::load_csv(files.validation_csv, csv);
  } else if (!files.validation_images.empty() && !because.empty()) {
    if (files.validation_targets.empty())
      refuse_untargeted(d, "validation", files.validation_images, files.validation_labels, because);
    result.validation = data::load_idx_targets(files.validation_images, files.validation_targets);
    require_targets_like_training(d, "validation-targets", result.validation, result.train);
  } else if (!files.validation_images.empty() && !files.validation_labels.empty()) {
    result.validation = data::load_idx(files.validation_images, files.validation_labels);
  } else if (!files.validation_images.empty() || !files.validation_labels.empty()) {
    const bool images = !files.validation_images.empty();
    refuse(d.where(images ? "validation-images" : "validation-labels"),
           images ? "validation-images needs validation-labels too"
                  : "validation-labels needs validation-images too");
  } else {
    return;
  }
  data::require_finite(result.validation);
  result.has_validation = true;
}

template <typename T>
std::optional<LoadedModel> load_model_file(const std::string& path, ParameterStore<T>& params) {
  std::optional<ModelInfo> info = load_model(path, params);
  if (!info) {
    std::cout << "note: '" << path
              << "' is a weights file of an earlier version, without the input transform: the "
                 "statistics are fitted on the training set as before (--save writes a model)\n";
    return std::nullopt;
  }
  return LoadedModel{path, std::move(*info)};
}

template std::optional<LoadedModel> load_model_file(const std::string&, ParameterStore<float>&);
template std::optional<LoadedModel> load_model_file(const std::string&, ParameterStore<double>&);

// A real setting as messages print it ("1", "-0.5").
static std::string real_str(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

// Refuses a [data] key written in the graph file or on the command line whose value is not the
// model's: evaluating a model on inputs transformed otherwise gives wrong answers.
static void require_model_value(const Settings& d, const std::string& key, const std::string& value,
                                const std::string& model_value, bool agrees,
                                const LoadedModel& model) {
  if (d.given(key) && !agrees)
    refuse(d.where(key), key + " = " + value + " disagrees with the model '" + model.path +
                             "', trained with " + key + " = " + model_value +
                             " (the model keeps its training set's " + key +
                             "; leave the setting out)");
}

// Refuses a decorrelation key of [data] that disagrees with the model's decorrelation (§4.3), as
// require_model_value does center and scale.
static void require_model_decorrelation(const Settings& d, const LoadedModel& model) {
  const data::Decorrelator& trained = model.info.decorrelation;
  const data::DecorrelationOptions& options = trained.options();
  const std::string mode = data::mode_name(trained.mode());
  require_model_value(d, "decorrelate", d.text("decorrelate"), mode, d.text("decorrelate") == mode,
                      model);
  const bool pca = trained.mode() == data::Decorrelation::pca ||
                   trained.mode() == data::Decorrelation::pca_whiten;
  // A pca model keeps `outputs()` components, whether components or variance chose them.
  const std::int64_t components = d.integer("components");
  const std::string kept = pca ? std::to_string(trained.outputs()) : "0";
  require_model_value(d, "components", std::to_string(components), kept,
                      components == options.components || std::to_string(components) == kept,
                      model);
  require_model_value(d, "variance", real_str(d.real("variance")), real_str(options.variance),
                      d.real("variance") == options.variance, model);
  require_model_value(d, "whiten-epsilon", real_str(d.real("whiten-epsilon")),
                      real_str(options.epsilon), d.real("whiten-epsilon") == options.epsilon,
                      model);
}

// §4.3: the decorrelation the [data] keys ask for, refusing at a key's line a combination that
// means nothing: components or variance without a pca mode, both of them, whiten-epsilon without
// whitening, more components than the `features` of an example.
static data::DecorrelationOptions decorrelation_options(const Settings& d, int features) {
  data::DecorrelationOptions options;
  options.mode = data::parse_decorrelation(d.text("decorrelate"));
  const bool pca =
      options.mode == data::Decorrelation::pca || options.mode == data::Decorrelation::pca_whiten;
  const bool whiten =
      options.mode == data::Decorrelation::pca_whiten || options.mode == data::Decorrelation::zca;
  const std::string mode = "decorrelate = " + d.text("decorrelate");
  for (const char* key : {"components", "variance"})
    if (d.given(key) && !pca)
      refuse(d.where(key), std::string(key) + " is for decorrelate = pca or pca-whiten, but " +
                               mode +
                               (options.mode == data::Decorrelation::zca
                                    ? " keeps all components"
                                    : " (" + d.where("decorrelate").str() + ")"));
  if (d.given("components") && d.given("variance"))
    refuse(d.where("variance"), "variance and components (" + d.where("components").str() +
                                    ") exclude each other: give one");
  if (d.given("whiten-epsilon") && !whiten)
    refuse(
        d.where("whiten-epsilon"),
        "whiten-epsilon is for decorrelate = pca-whiten or zca, but " + mode + " does not whiten");
  options.components = static_cast<int>(d.integer("components"));
  if (options.components > features)
    refuse(d.where("components"), "components = " + std::to_string(options.components) +
                                      ", but an example has " + std::to_string(features) +
                                      " input features (components is 1 to " +
                                      std::to_string(features) + ")");
  options.variance = d.real("variance");
  options.epsilon = d.real("whiten-epsilon");
  return options;
}

// The model's task must be the data's: classes (`targets` 0), or as many targets per example.
// `data_have` says what the data have, for the message; it is refused at `key`, or, when no key
// states the data's task (""), thrown as an Error ending with `hint`.
static void require_model_task(const Settings& d, const LoadedModel& model, int targets,
                               const std::string& data_have, const std::string& key,
                               const std::string& hint) {
  if (targets == model.info.target_columns) return;
  const std::string trained =
      model.info.regression()
          ? "a regression on " + std::to_string(model.info.target_columns) + " target columns"
          : "a classifier of " + std::to_string(model.info.classes) + " classes";
  const std::string message =
      "the model '" + model.path + "' is " + trained + ", but the data have " + data_have;
  if (!key.empty()) refuse(d.where(key), message);
  throw Error(message + " (" + hint + ")");
}

Data load_data(const RunConfig& config, const LoadedModel* model) {
  const Settings& d = config.data;
  const DataFiles files = find_data_files(config);
  data::CsvOptions csv;
  csv.label_column = static_cast<int>(d.integer("label-column"));
  csv.header = data::parse_csv_header(d.text("header"));
  // A regression: real-valued targets from an IDX file, or from the last columns of CSV files.
  const bool idx_targets = !files.train_targets.empty();
  const bool regression = idx_targets || d.integer("target-columns") > 0;
  const std::string because = regression ? idx_targets ? "train-targets" : "target-columns" : "";
  require_targets_files(d, files, regression);
  if (regression) {
    if (d.given("label-column"))
      refuse(d.where("label-column"),
             idx_targets ? "label-column is for classes, but train-targets makes this a regression"
                         : "label-column and target-columns exclude each other: a CSV file has "
                           "either a label or real-valued targets");
    if (!idx_targets && files.train_csv.empty())
      refuse(d.where("target-columns"),
             "target-columns is for a regression on CSV files (train-csv) or on an IDX targets "
             "file (train-targets), but the training data are IDX images and labels");
    for (const char* key : {"target-coding", "target-low", "target-high"})
      if (d.given(key))
        refuse(d.where(key),
               std::string(key) + " is for classes, but " + because + " makes this a regression");
    csv.label_column = data::CsvOptions::none;
    csv.target_columns = static_cast<int>(d.integer("target-columns"));  // IDX: set below
  }
  if (model != nullptr) {
    const ModelInfo& info = model->info;
    if (!idx_targets)  // an IDX targets file says its count when read, below
      require_model_task(
          d, *model, csv.target_columns,
          regression ? std::to_string(csv.target_columns) + " target columns" : "labels",
          d.given("target-columns") ? "target-columns" : "",
          files.train_csv.empty() ? "give train-targets" : "set target-columns");
    const std::string center = data::mode_name(info.transform.centering()),
                      scale = data::mode_name(info.transform.scaling());
    require_model_value(d, "center", d.text("center"), center, d.text("center") == center, *model);
    require_model_value(d, "scale", d.text("scale"), scale, d.text("scale") == scale, *model);
    require_model_decorrelation(d, *model);
    if (!regression) {
      for (const auto& [key, value] :
           {std::pair{"target-low", info.target_low}, std::pair{"target-high", info.target_high}})
        require_model_value(d, key, real_str(d.real(key)), real_str(value), d.real(key) == value,
                            *model);
      const std::string coding = info.single_output ? "single" : "one-of-n";
      require_model_value(d, "target-coding", d.text("target-coding"), coding,
                          d.text("target-coding") == coding, *model);
    }
    csv.class_names = info.class_names;
  }

  Data result;
  if (!files.train_csv.empty())
    result.train = data::load_csv(files.train_csv, csv);
  else if (idx_targets)  // with train-images: require_targets_files
    result.train = data::load_idx_targets(files.train_images, files.train_targets);
  else if (!files.train_images.empty() && !files.train_labels.empty())
    result.train = data::load_idx(files.train_images, files.train_labels);
  else
    throw Error(
        "no training data: give [data] dir, train-images and train-labels (or train-targets), or "
        "train-csv (in the graph file or with --data-dir / --set)");
  if (idx_targets) {
    const auto targets = static_cast<int>(result.train.targets.rows());
    if (d.given("target-columns") && d.integer("target-columns") != targets)
      refuse(d.where("target-columns"),
             "target-columns = " + std::to_string(d.integer("target-columns")) +
                 ", but train-targets '" + files.train_targets + "' has " + targets_str(targets) +
                 " per example (with an IDX targets file target-columns may be left out)");
    csv.target_columns = targets;  // a CSV test or validation file's last columns
    if (model != nullptr)
      require_model_task(
          d, *model, targets,
          targets_str(targets) + " per example (train-targets '" + files.train_targets + "')",
          d.given("target-columns") ? "target-columns" : "train-targets", "");
  }
  if (model != nullptr && model->info.class_names.empty() && !result.train.class_names.empty())
    throw Error(result.train.name + ": the labels are text (" + result.train.class_names.front() +
                ", ...), but the model '" + model->path + "' was trained on number labels");
  // The test set's text labels map as the training set's.
  csv.class_names = result.train.class_names;
  if (!files.test_csv.empty()) {
    result.test = data::load_csv(files.test_csv, csv);
    result.has_test = true;
  } else if (!files.test_images.empty() && regression) {
    if (files.test_targets.empty())
      refuse_untargeted(d, "test", files.test_images, files.test_labels, because);
    result.test = data::load_idx_targets(files.test_images, files.test_targets);
    require_targets_like_training(d, "test-targets", result.test, result.train);
    result.has_test = true;
  } else if (!files.test_images.empty() && !files.test_labels.empty()) {
    result.test = data::load_idx(files.test_images, files.test_labels);
    result.has_test = true;
  }
  if (d.integer("train-limit") > 0)
    data::truncate(result.train, static_cast<int>(d.integer("train-limit")));
  if (result.has_test && d.integer("test-limit") > 0)
    data::truncate(result.test, static_cast<int>(d.integer("test-limit")));
  // Before the statistics: one NaN would spread through the mean to every example.
  data::require_finite(result.train);
  if (result.has_test) data::require_finite(result.test);
  take_validation(config, files, csv, because, result);

  // §4.3: statistics from the training set only, for the inputs (real-valued targets are
  // learned as they are), or the model's, fitted on its training set; §4.5: one-of-N targets at
  // ±1 for labels.
  ModelInfo& info = result.model;
  if (model != nullptr) {
    info = model->info;
    for (const data::Dataset* set : {&result.train, result.has_test ? &result.test : nullptr,
                                     result.has_validation ? &result.validation : nullptr})
      if (set != nullptr && set->inputs.rows() != info.transform.features())
        throw Error(set->name + ": an example has " + std::to_string(set->inputs.rows()) +
                    " input values, but the model '" + model->path + "' was trained on " +
                    std::to_string(info.transform.features()) + " (" + shape_str(info.input_shape) +
                    ")");
  } else {
    info.transform.fit(result.train, data::parse_centering(d.text("center")),
                       data::parse_scaling(d.text("scale")));
    info.input_shape = result.train.input_shape;
    info.class_names = result.train.class_names;
    info.target_columns = regression ? static_cast<int>(result.train.targets.rows()) : 0;
    info.target_low = d.real("target-low");
    info.target_high = d.real("target-high");
    info.single_output = !regression && d.text("target-coding") == "single";
    info.classes = regression
                       ? 0
                       : std::max({result.train.classes, result.has_test ? result.test.classes : 0,
                                   result.has_validation ? result.validation.classes : 0});
  }
  if (info.single_output && info.classes != 2 && model == nullptr)
    refuse(d.where("target-coding"), "target-coding = single puts two classes on one output, but " +
                                         result.train.name + " and the other sets have " +
                                         std::to_string(info.classes) + " classes");
  info.transform.apply(result.train);
  if (result.has_test) info.transform.apply(result.test);
  if (result.has_validation) info.transform.apply(result.validation);
  if (model == nullptr) {
    // §4.3 Fig. 3: the KL expansion of the centred, scaled inputs; its failures are the keys'.
    const data::DecorrelationOptions options =
        decorrelation_options(d, static_cast<int>(result.train.inputs.rows()));
    try {
      info.decorrelation.fit(result.train, options);
    } catch (const Error& e) {
      refuse(d.where(d.given("whiten-epsilon") ? "whiten-epsilon" : "decorrelate"), e.what());
    }
  }
  info.decorrelation.apply(result.train);
  if (result.has_test) info.decorrelation.apply(result.test);
  if (result.has_validation) info.decorrelation.apply(result.validation);
  if (regression) return result;
  const auto low = static_cast<float>(info.target_low);
  const auto high = static_cast<float>(info.target_high);
  const bool single = info.single_output;
  data::encode_targets(result.train, info.classes, low, high, single);
  if (result.has_test) data::encode_targets(result.test, info.classes, low, high, single);
  if (result.has_validation)
    data::encode_targets(result.validation, info.classes, low, high, single);
  return result;
}

}  // namespace ebprop::tools
