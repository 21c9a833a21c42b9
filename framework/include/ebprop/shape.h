// The shape of one example's value, e.g. {784} or {1, 28, 28} (maps, rows, columns).
//
// A batch of values is stored as a matrix with one column per example (see state.h), so a shape
// only describes the rows of that matrix: its size() is the product of the dimensions.
#pragma once

#include <string>
#include <vector>

namespace ebprop {

using Shape = std::vector<int>;

// Number of scalars in one example of this shape (1 for the empty shape).
int shape_size(const Shape& shape);

// "784", "1x28x28".
std::string shape_str(const Shape& shape);

// Parses "784" or "1x28x28"; every dimension a positive integer. Throws ebprop::Error saying what
// was expected.
Shape parse_shape(const std::string& text);

}  // namespace ebprop
