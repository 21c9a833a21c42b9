// WeightGuard: puts a weight vector back exactly as it was (a copy, not an undo of the
// perturbation) when it goes out of scope, whether the perturbed evaluation returned or threw.
#pragma once

#include "ebprop/state.h"

namespace ebprop::curvature {

class WeightGuard {
 public:
  explicit WeightGuard(Vector<double>& w) : w_(w), saved_(w) {}
  WeightGuard(const WeightGuard&) = delete;
  WeightGuard& operator=(const WeightGuard&) = delete;
  ~WeightGuard() { w_ = saved_; }
  const Vector<double>& saved() const { return saved_; }

 private:
  Vector<double>& w_;
  const Vector<double> saved_;
};

}  // namespace ebprop::curvature
