#include "ebprop/shape.h"

#include <limits>

#include "ebprop/error.h"

namespace ebprop {

int shape_size(const Shape& shape) {
  long long size = 1;
  for (int d : shape) size *= d;
  return static_cast<int>(size);
}

std::string shape_str(const Shape& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s.empty() ? "scalar" : s;
}

Shape parse_shape(const std::string& text) {
  const std::string expected = "expected a shape such as 784 or 1x28x28, found '" + text + "'";
  Shape shape;
  long long total = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('x', start), text.size());
    const std::string part = text.substr(start, end - start);
    if (part.empty() || part.size() > 9 ||
        part.find_first_not_of("0123456789") != std::string::npos)
      throw Error(expected);
    const long long d = std::stoll(part);
    total *= d;
    if (d <= 0 || total > std::numeric_limits<int>::max()) throw Error(expected);
    shape.push_back(static_cast<int>(d));
    start = end + 1;
  }
  return shape;
}

}  // namespace ebprop
