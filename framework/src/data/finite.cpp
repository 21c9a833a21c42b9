#include "ebprop/data/finite.h"

#include <cmath>

#include "ebprop/error.h"

namespace ebprop::data {

namespace {

// "feature 30 (row 1, column 2)" for a 28x28 image; "feature 30" for a flat example.
std::string feature_name(const Shape& shape, Eigen::Index feature) {
  std::string text = "feature " + std::to_string(feature);
  if (shape.size() < 2) return text;
  std::vector<std::string> position;
  auto rest = static_cast<std::int64_t>(feature);
  for (std::size_t d = shape.size(); d-- > 0;) {
    position.insert(position.begin(), std::to_string(rest % shape[d]));
    rest /= shape[d];
  }
  return text + " (at " + join(position, ", ") + " of " + shape_str(shape) + ")";
}

std::string what_it_is(float value) { return std::isnan(value) ? "NaN" : "infinite"; }

}  // namespace

void require_finite(const Dataset& data) {
  for (Eigen::Index example = 0; example < data.inputs.cols(); ++example) {
    for (Eigen::Index feature = 0; feature < data.inputs.rows(); ++feature)
      if (const float v = data.inputs(feature, example); !std::isfinite(v))
        throw NumericError("'" + data.name + "': example " + std::to_string(example) +
                           " (counted from 0), " + feature_name(data.input_shape, feature) +
                           ", is " + what_it_is(v) + "; the data must hold finite numbers");
    for (Eigen::Index target = 0; target < data.targets.rows(); ++target)
      if (const float v = data.targets(target, example); !std::isfinite(v))
        throw NumericError("'" + (data.targets_name.empty() ? data.name : data.targets_name) +
                           "': example " + std::to_string(example) + " (counted from 0), target " +
                           std::to_string(target) + ", is " + what_it_is(v) +
                           "; the data must hold finite numbers");
  }
}

}  // namespace ebprop::data
