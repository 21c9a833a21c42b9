// Dataset: examples in memory, one column per example (like State, see state.h).
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ebprop/shape.h"
#include "ebprop/state.h"

namespace ebprop::data {

struct Dataset {
  std::string name;  // for messages: the file it came from
  // For messages: the file the targets came from when it is not `name` (IDX targets); else empty.
  std::string targets_name;
  Matrix<float> inputs;     // features × examples
  Matrix<float> targets;    // target values × examples (after encode_targets, or CSV targets)
  std::vector<int> labels;  // class of each example (0-based), or empty when there are none
  Shape input_shape;        // of one example, e.g. {28, 28} for IDX images
  int classes = 0;          // number of classes (max label + 1), 0 when there are no labels
  // The text labels of classes 0, 1, ... when a CSV file's labels are names; empty otherwise.
  std::vector<std::string> class_names;
  // Set by encode_targets with single_output (two classes on one output, Fig. 13-14): the
  // midpoint of the two targets, above which an output means class 1. NaN: one output per class.
  float single_output_midpoint = std::numeric_limits<float>::quiet_NaN();
  // For messages: why the examples have the features they have, when a transform changed their
  // count ("decorrelate = pca keeps 50 of the 784 input features", decorrelation.h); else empty.
  std::string features_from;

  bool single_output() const { return !std::isnan(single_output_midpoint); }
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
// points of maximum second derivative of the standard sigmoid 1.7159·tanh(2x/3)); or, with
// single_output, two classes on one output: `low` for class 0, `high` for class 1 (the 1-1-1 net
// of Fig. 13-14), and single_output_midpoint set.
// Requires: labels present and classes > 0 (exactly 2 with single_output). Sets targets to
// classes × examples (1 × examples); throws ebprop::Error naming the data set when a requirement
// fails, and the bytes when the targets do not fit in memory (memory.h).
void encode_targets(Dataset& data, int classes, float low = -1.0f, float high = 1.0f,
                    bool single_output = false);

// The class that output column `y` stands for under `data`'s target coding: the argmax of one
// output per class, or for a single output 1 above single_output_midpoint and 0 otherwise.
template <typename Column>
int predicted_class(const Column& y, const Dataset& data) {
  if (data.single_output()) return y(0) > data.single_output_midpoint ? 1 : 0;
  Eigen::Index k = 0;
  y.maxCoeff(&k);
  return static_cast<int>(k);
}

// Keeps the first `count` examples (count >= size() keeps them all).
void truncate(Dataset& data, int count);

}  // namespace ebprop::data
