// Model files: everything needed to use a trained network on new data — its parameters, the
// input transform fitted on the training set (§4.3: the statistics are applied unchanged to any
// other data) and the task (classes and their names, or regression targets, with the §4.5 target
// encoding) — so that evaluating and predicting never recompute statistics.
//
// A model file is an Archive (archive.h) of kind "model", version 2, with four sections:
//   parameters  u32 block count; per block: text name, u32 rows, u32 cols, f64s values (double
//               whatever the training precision, so float runs lose nothing)
//   transform   text centering, text scaling (none | per-feature | global), u32 input rank and
//               u64 per dimension (the shape of one example), f64s mean, f64s scale
//   decorrelation  (§4.3 PCA / whitening after the transform, data/decorrelation.h) text mode
//               (none | pca | pca-whiten | zca); for none nothing more, else u32 components and
//               f64 variance (the settings that chose the kept count: 0 when not given), f64
//               whiten-epsilon (the fraction of the largest eigenvalue), f64s mean (n), f64s
//               eigenvalues (n, descending), u32 kept count k, f64s eigenvectors (n × k, one
//               column after the other; k = n for zca)
//   task        u32 classes (0 for a regression), u32 class-name count (0 when the labels were
//               numbers) and the names as texts (of classes 0, 1, ...), u32 target columns (0
//               for classes), f64 target-low, f64 target-high; then, only for two classes on one
//               output (ModelInfo::single_output), u32 1 (a reader that predates it refuses the
//               longer section instead of taking the argmax of one output)
// put_model / get_model write and read these sections in any archive (a checkpoint embeds a
// model; a checkpoint without the decorrelation section, written before it existed, has none);
// save_model / load_model are the whole-file forms. load_model reads version 1 files too: they
// are version 2 without the decorrelation section (none). It also reads the weights
// files of earlier versions ("EBPROPW1": u32 block count, then per block u32 name length, the
// name, u32 rows, u32 cols, the float64 values; a CRC-32), which hold parameters only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ebprop/archive.h"
#include "ebprop/data/decorrelation.h"
#include "ebprop/data/preprocess.h"
#include "ebprop/parameters.h"
#include "ebprop/shape.h"

namespace ebprop {

// What a model knows besides its weights.
struct ModelInfo {
  Shape input_shape;           // of one example; its size is the transform's feature count
  data::Normalizer transform;  // fitted on the training set
  // §4.3 PCA / whitening, fitted on the training set after `transform` (mode none: nothing).
  data::Decorrelator decorrelation;
  int classes = 0;  // number of classes; 0 for a regression
  // The text labels of classes 0, 1, ... (sorted), or empty when the labels were numbers.
  std::vector<std::string> class_names;
  int target_columns = 0;                   // a regression's real-valued targets; 0 for classes
  double target_low = -1, target_high = 1;  // §4.5 targets of the wrong and the right class
  // Two classes on one output (Fig. 13-14): class 0 at target_low, class 1 at target_high.
  bool single_output = false;

  bool regression() const { return target_columns > 0; }
  // The values the net's prediction node has: one per target column, one per class, or one.
  int outputs() const { return regression() ? target_columns : single_output ? 1 : classes; }
  // The name of class k: its text label, or the number k.
  std::string class_name(int k) const;
  // Applies `transform`, then `decorrelation`, to `data` (the examples of input_shape): what the
  // graph's inputs see. Throws Error naming the data set when its feature count differs.
  void apply_transform(data::Dataset& data) const;
};

// The version of the "model" sections this build writes; it reads this one and version 1.
constexpr std::uint32_t model_version = 2;

// Puts the sections "parameters", "transform", "decorrelation" and "task" into `archive`.
// Throws NumericError naming the parameter when a weight is NaN or infinite; Error when `info`
// is incomplete (no transform fitted, a shape that does not match it, a decorrelation fitted on
// another feature count, no task).
template <typename T>
void put_model(Archive& archive, const ParameterStore<T>& params, const ModelInfo& info);

// Reads the model sections of `archive` into `params` and returns the rest. Throws FileError
// naming the archive's file and section when one is missing, truncated, longer than expected or
// inconsistent (a decorrelation: sizes that disagree, non-finite values, eigenvalues negative
// or not descending, a kept count its settings do not give), and when the stored parameters do not
// match the store: every mismatch (missing, extra, different shape) is listed; NumericError naming
// the file and the parameter when a stored value is NaN, infinite, or too large for T (1e300 in a
// float run). `params` is unchanged on any error. The archive's kind and version are the caller's
// to check (load_model refuses a model file of another version; a checkpoint checks its own).
template <typename T>
ModelInfo get_model(const Archive& archive, ParameterStore<T>& params);

// Writes a model file atomically (write_file_atomically of files.h: nothing half-written).
// Throws as put_model does, and FileError naming the file and errno's text.
template <typename T>
void save_model(const std::string& path, const ParameterStore<T>& params, const ModelInfo& info);

// Reads a model file, or an earlier version's weights file (EBPROPW1), into `params`. Returns
// the model's information, or nothing for a weights file (it has no transform or task). Throws
// as get_model does, and FileError naming the file when it cannot be read, is neither format, is
// corrupt (checksum), truncated, of another kind or of a version this build cannot read.
// `params` is unchanged on any error.
template <typename T>
std::optional<ModelInfo> load_model(const std::string& path, ParameterStore<T>& params);

}  // namespace ebprop
