// Operations on a whole Dataset: the bound on labels, target encoding (§4.5) and truncation.
#include "ebprop/data/dataset.h"

#include <algorithm>
#include <cstdint>

#include "ebprop/error.h"
#include "ebprop/memory.h"

namespace ebprop::data {

int max_label(int examples) { return std::max(examples - 1, 999); }

std::string label_too_large(float label, int examples) {
  const std::uint64_t classes = static_cast<std::uint64_t>(label) + 1;
  return "label " + std::to_string(static_cast<std::uint64_t>(label)) + " is more than " +
         std::to_string(max_label(examples)) + ", the largest label a file of " +
         std::to_string(examples) + " examples may hold (its one-of-N targets for " +
         std::to_string(classes) + " classes would take " +
         byte_size_str(classes * static_cast<std::uint64_t>(examples) * sizeof(float)) + ")";
}

// §4.5: the targets sit at the sigmoid's points of maximum second derivative (±1 for
// 1.7159·tanh(2x/3)) rather than at its asymptotes, so the outputs never saturate trying to reach
// them. Also sets data.classes, so that a test set lacking the last class still gets as many
// target rows as the training set.
void encode_targets(Dataset& data, int classes, float low, float high, bool single_output) {
  if (classes <= 0)
    throw Error(data.name + ": cannot encode targets for " + std::to_string(classes) + " classes");
  if (single_output && classes != 2)
    throw Error(data.name + ": target-coding = single puts two classes on one output, but the " +
                "data have " + std::to_string(classes) + " classes (use one-of-n)");
  if (data.labels.size() != static_cast<std::size_t>(data.size()))
    throw Error(data.name + ": has no class labels to encode as targets (a regression data set?)");
  check_allocation(static_cast<std::uint64_t>(classes) * static_cast<std::uint64_t>(data.size()),
                   sizeof(float),
                   data.name + ": one-of-N targets for " + std::to_string(classes) +
                       " classes and " + std::to_string(data.size()) + " examples");
  data.targets.setConstant(single_output ? 1 : classes, data.size(), low);
  data.single_output_midpoint =
      single_output ? (low + high) / 2 : std::numeric_limits<float>::quiet_NaN();
  for (int i = 0; i < data.size(); ++i) {
    const int label = data.labels[i];
    if (label < 0 || label >= classes)
      throw Error(data.name + ": example " + std::to_string(i + 1) + " has label " +
                  std::to_string(label) + ", outside 0.." + std::to_string(classes - 1) + " for " +
                  std::to_string(classes) + " classes");
    if (!single_output || label == 1) data.targets(single_output ? 0 : label, i) = high;
  }
  data.classes = classes;
}

void truncate(Dataset& data, int count) {
  if (count < 0) throw Error(data.name + ": cannot keep " + std::to_string(count) + " examples");
  if (count >= data.size()) return;
  data.inputs = data.inputs.leftCols(count).eval();
  if (data.targets.cols() > count) data.targets = data.targets.leftCols(count).eval();
  if (data.labels.size() > static_cast<std::size_t>(count)) data.labels.resize(count);
}

}  // namespace ebprop::data
