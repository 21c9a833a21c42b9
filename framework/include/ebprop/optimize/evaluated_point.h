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
// put(state, name, params) / restore(state, name, params)
//   what is remembered, in an OptimizerState under "NAME/..." (a checkpoint), and back: a resumed
//   run then makes the evaluations the uninterrupted one makes, no more. restore throws Error
//   naming a missing entry; without any entry of `name` it forgets.
// OWNERSHIP: holds copies; refers to no objective between calls.
#pragma once

#include <ebprop/objective.h>
#include <ebprop/optimizer.h>

#include <string>

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

  void put(OptimizerState& state, const std::string& name, const ParameterStore<T>& params) const {
    if (!valid_) return;
    put_per_parameter(state, name + "/w", w_, params);
    put_per_parameter(state, name + "/gradient", gradient_, params);
    state[name + "/loss"] = Vector<double>::Constant(1, loss_);
  }

  void restore(const OptimizerState& state, const std::string& name,
               const ParameterStore<T>& params) {
    valid_ = get_per_parameter(state, name + "/w", w_, params);
    if (!valid_) return;
    const auto loss = state.find(name + "/loss");
    if (!get_per_parameter(state, name + "/gradient", gradient_, params) || loss == state.end() ||
        loss->second.size() != 1)
      throw Error("optimizer state '" + name + "' has its point but not its gradient and loss");
    loss_ = loss->second[0];
  }

 private:
  Vector<T> w_;
  Vector<double> gradient_;
  double loss_ = 0;
  bool valid_ = false;
};

}  // namespace ebprop::optimize
