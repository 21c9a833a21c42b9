// The check that a data set holds only usable numbers: a NaN or infinite feature (an IDX file of
// floats or doubles can hold them) would otherwise reach training and look like divergence.
#pragma once

#include "ebprop/data/dataset.h"

namespace ebprop::data {

// Throws NumericError naming the data set's file (data.name, or data.targets_name for a target
// when it has one), the example (counted from 0) and the feature (its index, and its position in
// input_shape when that has several dimensions) or target of the first NaN or infinite input or
// target value. Requires: nothing; an empty set passes.
void require_finite(const Dataset& data);

}  // namespace ebprop::data
