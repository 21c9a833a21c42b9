// The shape of one example's value, e.g. {784} or {1, 28, 28} (maps, rows, columns).
//
// A batch of values is stored as a matrix with one column per example (see state.h), so a shape
// only describes the rows of that matrix: its size is the product of the dimensions.
//
// Sizes are int throughout the engine and its plugins (State::size, ParamView, Eigen maps), so
// one example holds at most max_size values. Arithmetic that can exceed it (padding, a kernel's
// output, a product of dimensions) is done in 64 bits and turned into an int by checked_size,
// which refuses a size that does not fit instead of letting it wrap.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ebprop {

using Shape = std::vector<int>;

// The largest size of a shape or of any one dimension or buffer a module computes.
inline constexpr std::int64_t max_size = std::numeric_limits<int>::max();

// The number of scalars in one example of this shape (1 for the empty shape), in 64 bits, for
// checks and messages: saturates at the largest std::int64_t instead of overflowing, and is 0
// (-1) when a dimension is 0 (negative). Never throws.
std::int64_t shape_size_64(const Shape& shape);

// The same as an int. Throws ShapeError naming the shape when a dimension is not positive or the
// size exceeds max_size, e.g. "shape 46428x46428 has 2155559184 values, more than 2147483647".
int shape_size(const Shape& shape);

// A size or dimension computed in 64 bits, as an int: for plugins' output_shape. Requires
// nothing. Returns `value` when 1 <= value <= max_size; otherwise throws ShapeError
// "<what> would be <value>, ..." with the true number, never a wrapped one.
int checked_size(std::int64_t value, const std::string& what);

// "784", "1x28x28".
std::string shape_str(const Shape& shape);

// Parses "784" or "1x28x28"; every dimension a positive integer and the size at most max_size.
// Throws ebprop::Error saying what was expected.
Shape parse_shape(const std::string& text);

}  // namespace ebprop
