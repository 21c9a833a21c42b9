// EvaluatedPoint: the loss and gradient at the point they were evaluated at, for the batch methods
// of §6 (Gauss-Newton, Levenberg-Marquardt, Newton), so that a step does not evaluate again what
// the previous step's last evaluation (at the point it accepted) gave. Shared by those plugins.
//
// at(objective, batch)
//   ensures: returns E at objective.parameters().w and sets gradient() to ∇E there — remembered
//            when w equals (exactly) the point of the last evaluate(), else by evaluate(). So
//            anything that moves w between steps (a restore, a caller) gets a fresh evaluation.
// evaluate(objective, batch)
//   ensures: one objective.gradient(batch) at the current w, remembered with w.
// OWNERSHIP: holds copies; refers to no objective between calls.
#pragma once

#include <ebprop/objective.h>

namespace ebprop::optimize {

template <typename T>
class EvaluatedPoint {
 public:
  double at(Objective<T>& objective, const Batch& batch) {
    if (valid_ && objective.parameters().w() == w_) return loss_;
    return evaluate(objective, batch);
  }

  double evaluate(Objective<T>& objective, const Batch& batch) {
    loss_ = objective.gradient(batch);
    const auto& p = objective.parameters();
    w_ = p.w();
    gradient_ = p.dw().template cast<double>();
    valid_ = true;
    return loss_;
  }

  double loss() const { return loss_; }
  const Vector<double>& gradient() const { return gradient_; }  // ∇E, in double
  void forget() { valid_ = false; }

 private:
  Vector<T> w_;
  Vector<double> gradient_;
  double loss_ = 0;
  bool valid_ = false;
};

}  // namespace ebprop::optimize
