// Input normalization, §4.3 (see preprocess.h). Sums are accumulated in double: 47 million MNIST
// pixels summed in float would lose the digits that distinguish a mean of 33.3 from 33.4, and a
// constant feature then gets an exactly zero standard deviation.
#include "ebprop/data/preprocess.h"

#include <cmath>

#include "ebprop/error.h"

namespace ebprop::data {
namespace {

const std::vector<std::string> kModes = {"none", "per-feature", "global"};

int parse_mode(const std::string& what, const std::string& text) {
  for (std::size_t i = 0; i < kModes.size(); ++i)
    if (text == kModes[i]) return static_cast<int>(i);
  const std::string hint = did_you_mean(text, kModes);
  throw Error("unknown " + what + " '" + text + "': expected " + join(kModes, ", ") +
              (hint.empty() ? "" : "; " + hint));
}

// A per-feature standard deviation at or below this fraction of the largest one is treated as a
// constant feature (§4.3 cannot equalize a variance that is not there).
constexpr double kConstantFeature = 1e-6;

}  // namespace

Centering parse_centering(const std::string& text) {
  return static_cast<Centering>(parse_mode("centering", text));
}

Scaling parse_scaling(const std::string& text) {
  return static_cast<Scaling>(parse_mode("scaling", text));
}

std::string mode_name(Centering centering) { return kModes[static_cast<int>(centering)]; }
std::string mode_name(Scaling scaling) { return kModes[static_cast<int>(scaling)]; }

Normalizer Normalizer::fitted(Centering centering, Scaling scaling, Vector<float> mean,
                              Vector<float> scale, const std::string& what) {
  if (mean.size() == 0 || mean.size() != scale.size())
    throw Error(what + ": the input transform has " + std::to_string(mean.size()) + " means and " +
                std::to_string(scale.size()) + " scales; it needs one of each per input feature");
  for (Eigen::Index i = 0; i < mean.size(); ++i)
    if (!std::isfinite(mean(i)) || !std::isfinite(scale(i)) || !(scale(i) > 0))
      throw Error(what + ": the input transform of feature " + std::to_string(i + 1) +
                  " has mean " + std::to_string(mean(i)) + " and scale " +
                  std::to_string(scale(i)) +
                  "; a mean must be finite, a scale positive and finite");
  Normalizer normalizer;
  normalizer.centering_ = centering;
  normalizer.scaling_ = scaling;
  normalizer.mean_ = std::move(mean);
  normalizer.scale_ = std::move(scale);
  return normalizer;
}

void Normalizer::fit(const Dataset& train, Centering centering, Scaling scaling) {
  const Matrix<float>& x = train.inputs;
  const Eigen::Index features = x.rows(), examples = x.cols();
  if (features == 0 || examples == 0)
    throw NumericError(train.name + ": cannot fit the input normalization on an empty data set");
  if (!x.allFinite()) {
    Eigen::Index feature = 0, example = 0;
    (!x.array().isFinite()).cast<int>().maxCoeff(&feature, &example);
    throw NumericError(train.name + ": input " + std::to_string(feature + 1) + " of example " +
                       std::to_string(example + 1) + " is " + std::to_string(x(feature, example)) +
                       "; cannot normalize non-finite inputs");
  }

  // Means, then variances about them (two passes: exact zero for a constant feature).
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(features);
  for (Eigen::Index j = 0; j < examples; ++j) sum += x.col(j).cast<double>();
  const Eigen::VectorXd feature_mean = sum / static_cast<double>(examples);
  const double global_mean = sum.sum() / static_cast<double>(features * examples);

  Eigen::VectorXd feature_squares = Eigen::VectorXd::Zero(features);
  double global_squares = 0;
  Eigen::VectorXd value(features);
  for (Eigen::Index j = 0; j < examples; ++j) {
    value = x.col(j).cast<double>();
    feature_squares += (value - feature_mean).cwiseAbs2();
    global_squares += (value.array() - global_mean).square().sum();
  }
  const Eigen::VectorXd feature_std = (feature_squares / static_cast<double>(examples)).cwiseSqrt();
  const double global_std = std::sqrt(global_squares / static_cast<double>(features * examples));
  // The standard deviation of all values about the global mean; 1 when every value is the same.
  const double global_scale = global_std > 0 ? global_std : 1.0;

  centering_ = centering;
  scaling_ = scaling;
  switch (centering) {
    case Centering::none:
      mean_ = Vector<float>::Zero(features);
      break;
    case Centering::per_feature:
      mean_ = feature_mean.cast<float>();
      break;
    case Centering::global:
      mean_ = Vector<float>::Constant(features, static_cast<float>(global_mean));
      break;
  }
  switch (scaling) {
    case Scaling::none:
      scale_ = Vector<float>::Ones(features);
      break;
    case Scaling::global:
      scale_ = Vector<float>::Constant(features, static_cast<float>(global_scale));
      break;
    case Scaling::per_feature: {
      const double threshold = kConstantFeature * feature_std.maxCoeff();
      scale_.resize(features);
      for (Eigen::Index i = 0; i < features; ++i)
        scale_(i) = static_cast<float>(feature_std(i) > threshold ? feature_std(i) : global_scale);
      break;
    }
  }
}

void Normalizer::apply(Dataset& data) const {
  if (mean_.size() == 0) throw Error(data.name + ": the input normalization was never fitted");
  if (data.inputs.rows() != mean_.size())
    throw Error(data.name + ": has " + std::to_string(data.inputs.rows()) +
                " input features, but the normalization was fitted on " +
                std::to_string(mean_.size()));
  const Eigen::ArrayXf inverse_scale = scale_.array().inverse();
  data.inputs.colwise() -= mean_;
  data.inputs.array().colwise() *= inverse_scale;
}

}  // namespace ebprop::data
