// What the tools share: the [run] and [data] sections of a graph file merged with the command
// line's overrides, each validated against its schema (so a typo or a value out of range is an
// error with the file:line, or the command-line option, where it was written), the optimizer made
// from them, and the data sets they name, loaded and prepared (§4.3 normalization with
// training-set statistics, §4.5 ±1 targets for labels, real-valued targets as they are).
#pragma once

#include <ebprop/data/dataset.h>
#include <ebprop/graph_spec.h>
#include <ebprop/model_file.h>
#include <ebprop/presentation.h>
#include <ebprop/registry.h>
#include <ebprop/settings.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "command_line_error.h"
#include "files.h"

namespace ebprop::tools {

// Where a value given by the option --NAME was written, for messages: "command line (--NAME)".
SourceLocation command_line(const std::string& option);

// Refuses a value written at `where`: throws CommandLineError when the command line gave it (see
// command_line), SourceError otherwise.
[[noreturn]] void refuse(const SourceLocation& where, const std::string& message);

// The keys of [run] and [data], with their defaults and docs.
const std::vector<SettingSpec>& run_settings();
const std::vector<SettingSpec>& data_settings();

// The presentation order of [run]: order, or the older shuffle (false: none). Refuses both
// given, at shuffle's location (SourceError, or CommandLineError from the command line).
Order presentation_order(const Settings& run);

// "  key = default    doc; allowed: range or words" lines, for --help.
std::string schema_table(const std::vector<SettingSpec>& schema);

// What the command line says over the graph file.
struct Overrides {
  std::vector<std::string> set;  // KEY=VALUE for [run] or [data]
  std::vector<std::string> opt;  // KEY=VALUE for the optimizer
  std::string optimizer;         // replaces [optimizer NAME] (and drops its settings)
  // The option that gave a key of `set` or `opt` when it was a shortcut (epochs: "epochs" for
  // --epochs 5), so that a refusal names the option the user typed; others name --set or --opt.
  std::map<std::string, std::string> shortcut;
};

struct RunConfig {
  Settings run, data;
  std::string optimizer;  // type
  Settings optimizer_settings;
  SourceLocation optimizer_where;  // its [optimizer] section, or the command line's option
  std::string base_dir;            // directory of the graph file: relative data paths start there
};

// Validates a tool's own options (`raw` located with command_line(option)) against their schema.
// Throws CommandLineError naming the option, what it allows and what was given.
Settings validate_options(const std::vector<SettingSpec>& schema, const RawSettings& raw,
                          const std::string& tool);

// Throws SourceError naming the file:line where a bad key or value was written, or
// CommandLineError naming the option when the command line gave it.
RunConfig merge_config(const Overrides& overrides, const GraphSpec& spec, const Registry& registry);

// The optimizer of the config. What its constructor refuses (a relation between two settings that
// no schema can state) is located at its section or option like any setting: SourceError, or
// CommandLineError when the command line named the optimizer.
template <typename T>
OptimizerPtr<T> make_optimizer(const Registry& registry, const RunConfig& config);

// A data path from the config: relative paths in the graph file are relative to the file.
std::string resolve_path(const RunConfig& config, const Settings& settings, const std::string& key);

// The data files the [data] section names, resolved as load_data resolves them ("" where none).
struct DataFiles {
  std::string train_images, train_labels, train_targets, test_images, test_labels, test_targets;
  std::string train_csv, test_csv;
  std::string validation_images, validation_labels, validation_targets, validation_csv;
};
// `dir` gives the images and labels that no key gives; in a regression (train-targets, or
// target-columns) its labels are not required, and none are taken for a set whose targets are
// given. Throws FileError when `dir` lacks a file it must hold.
DataFiles find_data_files(const RunConfig& config);

// Every file a run reads, with its role, for check_outputs (files.h): the graph file, the
// weights file `load` (may be ""), the data files and the plugin libraries of `registry`.
std::vector<RunFile> run_inputs(const std::string& graph_file, const std::string& load,
                                const RunConfig& config, const Registry& registry);

// A model read by --load, with the file it came from (for messages).
struct LoadedModel {
  std::string path;
  ModelInfo info;
};

// Reads the --load file `path` into `params` (model_file.h). An old weights file has no input
// transform: then a one-line note on stdout says that the statistics are fitted on the training
// set as before, and the result is empty. Throws as load_model does.
template <typename T>
std::optional<LoadedModel> load_model_file(const std::string& path, ParameterStore<T>& params);

struct Data {
  data::Dataset train, test;
  // What --save writes with the weights: the transform applied to the inputs, the shape of an
  // example, the classes (and their names) or the target columns, and the target encoding.
  ModelInfo model;
  bool has_test = false;
  // Held out from the training set, or read from its own files (§2: the validation set that
  // picks the epoch to keep); normalized with the training part's statistics.
  data::Dataset validation;
  bool has_validation = false;
};

// Loads the [data] section's training (and test) sets, refuses a NaN or infinite value in either
// (data::require_finite), normalizes their inputs with the training set's statistics — or with
// `model`'s transform when one is given, so that a model is always evaluated on the inputs it was
// trained on — and encodes labels as targets (text labels of CSV files by the model's class
// names, else the training set's). The validation set is read from its files, or held out of the
// training set after train-limit and before the statistics (data::hold_out with [run] seed); a
// holdout given with validation files, a bad count or fraction, or a class too small to share, is
// refused at the key (SourceError, or CommandLineError from the command line). A regression has
// real-valued targets and no labels (no error rate): with target-columns the CSV files' last
// columns, with train-targets (test-targets, validation-targets) IDX files paired with the
// images, of as many targets per example as target-columns says when it is given; the model
// records that count. Throws FileError / NumericError / Error naming the file (and example) or
// key; SourceError (CommandLineError from the command line) at the key for target-columns given
// with label-column, or with IDX images and labels; for a targets key with the labels key or the
// CSV file of its set, without its images, or when the training data have labels; in a
// regression, for target-coding, target-low or target-high, and for IDX test or validation
// images without their targets (labels found by dir included) or with another number of targets
// per example; for a center, scale, target-low or target-high written in the graph file or on
// the command line that disagrees with the model's (named with its value), or a task other than
// the model's (for an IDX targets file, checked once it is read).
Data load_data(const RunConfig& config, const LoadedModel* model = nullptr);

}  // namespace ebprop::tools
