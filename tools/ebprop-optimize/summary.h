// The last line of ebprop-optimize: one JSON object summing up a run, for scripts (bench/).
#pragma once

#include <ebprop/objective.h>

#include <cstdint>
#include <string>

namespace ebprop::optimize_tool {

struct Summary {
  std::string optimizer, function;
  int dim = 0;
  std::int64_t iterations = 0;
  EvaluationCounts counts;  // the optimizer's, before the final point was evaluated again
  double loss = 0, minimum = 0, grad_norm = 0, distance = 0;  // at the final point
  std::string stop;  // the optimizer's reason, the cap's, or the divergence's
  // How the run ended: "optimizer" (it stopped: exit 0), "cap" (--max-iterations: exit 3) or
  // "non-finite" (the loss or the point: exit 1).
  std::string ended;
  double seconds = 0;  // in the optimizer's steps
};

// {"optimizer": "lbfgs", "function": "rosenbrock", "dim": 2, ...} on one line, without a
// newline; a non-finite number is null.
std::string json_line(const Summary& summary);

}  // namespace ebprop::optimize_tool
