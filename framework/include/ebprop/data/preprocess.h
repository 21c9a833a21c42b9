// Input normalization, §4.3: "the average of each input variable over the training set should be
// close to zero" and "input variables should be scaled so that their covariances are about the
// same". Statistics come from the training set only and are applied unchanged to the test set.
#pragma once

#include <string>

#include "ebprop/data/dataset.h"

namespace ebprop::data {

enum class Centering { none, per_feature, global };
enum class Scaling { none, per_feature, global };

// Parses "none", "per-feature", "global"; throws ebprop::Error listing these.
Centering parse_centering(const std::string& text);
Scaling parse_scaling(const std::string& text);

class Normalizer {
 public:
  // Computes the mean (per feature or over all features) and the standard deviation to divide by.
  // A per-feature standard deviation below 1e-6 of the largest one (constant pixels at MNIST's
  // border) is replaced by the global one, so no feature is blown up. Throws NumericError on an
  // empty data set or non-finite values.
  void fit(const Dataset& train, Centering centering, Scaling scaling);

  // x ← (x − mean) / std, per the fitted statistics. Requires: same number of features.
  void apply(Dataset& data) const;

  const Vector<float>& mean() const { return mean_; }
  const Vector<float>& scale() const { return scale_; }  // what each feature is divided by

 private:
  Vector<float> mean_, scale_;
};

}  // namespace ebprop::data
