#include "ebprop/shape.h"

#include <algorithm>

#include "ebprop/error.h"

namespace ebprop {

std::int64_t shape_size_64(const Shape& shape) {
  constexpr std::int64_t saturated = std::numeric_limits<std::int64_t>::max();
  std::int64_t size = 1;
  for (int d : shape) {
    if (d <= 0) return d == 0 ? 0 : -1;  // checked by shape_size; a plugin bug
    if (size > saturated / d) return saturated;
    size *= d;
  }
  return size;
}

int shape_size(const Shape& shape) {
  for (int d : shape)
    if (d <= 0)
      throw ShapeError("shape " + shape_str(shape) + " has the dimension " + std::to_string(d) +
                       "; every dimension must be at least 1");
  const std::int64_t size = shape_size_64(shape);
  if (size > max_size)
    throw ShapeError("shape " + shape_str(shape) + " has " +
                     (size == std::numeric_limits<std::int64_t>::max()
                          ? std::string("more than 2^63 values")
                          : std::to_string(size) + " values") +
                     ", more than " + std::to_string(max_size));
  return static_cast<int>(size);
}

int checked_size(std::int64_t value, const std::string& what) {
  if (value < 1) throw ShapeError(what + " would be " + std::to_string(value) + ", less than 1");
  if (value > max_size)
    throw ShapeError(what + " would be " + std::to_string(value) + ", more than " +
                     std::to_string(max_size));
  return static_cast<int>(value);
}

std::string shape_str(const Shape& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s.empty() ? "scalar" : s;
}

Shape parse_shape(const std::string& text) {
  const std::string expected =
      "expected a shape such as 784 or 1x28x28, found '" + printable(text) + "'";
  Shape shape;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('x', start), text.size());
    const std::string part = text.substr(start, end - start);
    if (part.empty() || part.size() > 9 ||
        part.find_first_not_of("0123456789") != std::string::npos)
      throw Error(expected);
    const int d = std::stoi(part);
    if (d <= 0) throw Error(expected);
    shape.push_back(d);
    start = end + 1;
  }
  if (shape_size_64(shape) > max_size)
    throw Error(expected + " (" + std::to_string(max_size) + " values at most)");
  return shape;
}

}  // namespace ebprop
