// Scalars in an OptimizerState (optimizer.h), each a vector of one element: the iteration count,
// λ, ν of the batch methods of §6. Shared by the gauss-newton, levenberg-marquardt and newton
// plugins.
#pragma once

#include <ebprop/error.h>
#include <ebprop/optimizer.h>

#include <string>

namespace ebprop::optimize {

inline void put_scalar(OptimizerState& state, const std::string& name, double value) {
  state[name] = Vector<double>::Constant(1, value);
}

// Throws Error naming `optimizer` and the entry when it is missing or not one value.
inline double get_scalar(const OptimizerState& state, const std::string& name,
                         const std::string& optimizer) {
  const auto it = state.find(name);
  if (it == state.end()) throw Error(optimizer + " state has no entry '" + name + "'");
  if (it->second.size() != 1)
    throw Error(optimizer + " state '" + name + "' has " + std::to_string(it->second.size()) +
                " values, not 1");
  return it->second[0];
}

}  // namespace ebprop::optimize
