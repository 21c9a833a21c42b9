#include "summary.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace ebprop::optimize_tool {
namespace {

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

// A JSON string: quotes, backslashes and control characters escaped; UTF-8 kept as it is.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string json_line(const Summary& s) {
  const EvaluationCounts& c = s.counts;
  return "{\"optimizer\": " + quoted(s.optimizer) + ", \"function\": " + quoted(s.function) +
         ", \"dim\": " + std::to_string(s.dim) +
         ", \"iterations\": " + std::to_string(s.iterations) +
         ", \"evaluations\": " + std::to_string(c.evaluations()) +
         ", \"gradients\": " + std::to_string(c.gradients) +
         ", \"values\": " + std::to_string(c.values) +
         ", \"curvatures\": " + std::to_string(c.curvatures) +
         ", \"hessian_vectors\": " + std::to_string(c.hessian_vectors) +
         ", \"gauss_newton_vectors\": " + std::to_string(c.gauss_newton_vectors) +
         ", \"matrices\": " + std::to_string(c.matrices) + ", \"loss\": " + number(s.loss) +
         ", \"minimum\": " + number(s.minimum) + ", \"grad_norm\": " + number(s.grad_norm) +
         ", \"distance\": " + number(s.distance) + ", \"stop\": " + quoted(s.stop) +
         ", \"ended\": " + quoted(s.ended) + ", \"seconds\": " + number(s.seconds) + "}";
}

}  // namespace ebprop::optimize_tool
