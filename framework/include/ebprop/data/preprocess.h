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
// The word parse_centering / parse_scaling read: "none", "per-feature" or "global".
std::string mode_name(Centering centering);
std::string mode_name(Scaling scaling);

class Normalizer {
 public:
  // Computes the mean (per feature or over all features) and the standard deviation to divide by.
  // A per-feature standard deviation below 1e-6 of the largest one (constant pixels at MNIST's
  // border) is replaced by the global one, so no feature is blown up. Throws NumericError on an
  // empty data set or non-finite values.
  void fit(const Dataset& train, Centering centering, Scaling scaling);

  // A normalizer fitted before (read from a model file, model_file.h). Throws Error naming
  // `what` when the vectors differ in size, are empty, or hold a non-finite mean or a scale that
  // is not a positive finite number.
  static Normalizer fitted(Centering centering, Scaling scaling, Vector<float> mean,
                           Vector<float> scale, const std::string& what);

  // x ← (x − mean) / std, per the fitted statistics. Requires: same number of features.
  void apply(Dataset& data) const;

  const Vector<float>& mean() const { return mean_; }
  const Vector<float>& scale() const { return scale_; }  // what each feature is divided by
  Centering centering() const { return centering_; }
  Scaling scaling() const { return scaling_; }
  int features() const { return static_cast<int>(mean_.size()); }  // 0 until fitted

 private:
  Centering centering_ = Centering::none;
  Scaling scaling_ = Scaling::none;
  Vector<float> mean_, scale_;
};

}  // namespace ebprop::data
