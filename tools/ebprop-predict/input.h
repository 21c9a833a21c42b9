// The examples ebprop-predict reads, prepared for a model: an IDX file of examples (with an IDX
// file of labels, or none) or a CSV file (with a label column, or none).
#pragma once

#include <ebprop/data/dataset.h>

#include "options.h"

namespace ebprop::predict {

// Reads --input (an IDX file when it begins like one: two zero bytes, or gzip's 1f 8b; a CSV file
// otherwise) and --labels or --label-column, refuses a NaN or infinite value (naming the file, the
// example and the feature) and examples of another size than the model's, applies the model's
// input transform and sets the targets the graph's target node is fed: one-of-N at the model's
// target-low/high for labels (text labels by the model's class names), zeros without labels.
// Throws CommandLineError for labels given for a regression model or an IDX labels file with a
// CSV input (and the reverse); FileError, SourceError, NumericError or Error naming the file.
data::Dataset load_input(const CommandLine& cli, const tools::LoadedModel& model);

}  // namespace ebprop::predict
