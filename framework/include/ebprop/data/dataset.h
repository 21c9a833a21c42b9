// Dataset: examples in memory, one column per example (like State, see state.h).
#pragma once

#include <string>
#include <vector>

#include "ebprop/shape.h"
#include "ebprop/state.h"

namespace ebprop::data {

struct Dataset {
  std::string name;         // for messages: the file it came from
  Matrix<float> inputs;     // features × examples
  Matrix<float> targets;    // target values × examples (after encode_targets, or CSV targets)
  std::vector<int> labels;  // class of each example (0-based), or empty when there are none
  Shape input_shape;        // of one example, e.g. {28, 28} for IDX images
  int classes = 0;          // number of classes (max label + 1), 0 when there are no labels
  // The text labels of classes 0, 1, ... when a CSV file's labels are names; empty otherwise.
  std::vector<std::string> class_names;
  // For messages: why the examples have the features they have, when a transform changed their
  // count ("decorrelate = pca keeps 50 of the 784 input features", decorrelation.h); else empty.
  std::string features_from;

  int size() const { return static_cast<int>(inputs.cols()); }
};

// The largest label a file of `examples` examples may hold: the number of examples less one, or
// 999, whichever is larger. One-of-N targets take classes × examples values, so a label far beyond
// the examples (a corrupt file: 16777215 in a file of 200) would ask for gigabytes of targets for
// classes no example shows. The readers refuse a larger label at its line or index.
int max_label(int examples);

// The reader's message for a label above max_label: "label 16777215 is more than 999 (...)".
std::string label_too_large(float label, int examples);

// §4.5: one-of-N targets, `high` for the example's class and `low` elsewhere (±1 by default, the
// points of maximum second derivative of the standard sigmoid 1.7159·tanh(2x/3)).
// Requires: labels present and classes > 0. Sets targets to classes × examples; throws
// ebprop::Error naming the data set and the bytes when they do not fit in memory (memory.h).
void encode_targets(Dataset& data, int classes, float low = -1.0f, float high = 1.0f);

// Keeps the first `count` examples (count >= size() keeps them all).
void truncate(Dataset& data, int count);

}  // namespace ebprop::data
