// Optimizer: changes the parameters to lower E, using what an Objective can compute.
//
// The same interface serves every method of the paper:
//  - stochastic methods (online or mini-batch SGD, momentum, annealing, adaptive rates, the
//    stochastic diagonal Levenberg-Marquardt method of §9.1) ask for the gradient — and, for
//    SDLM, the bbprop diagonal — of the current mini-batch, once per step;
//  - batch methods (conjugate gradient, BFGS, Gauss-Newton, Levenberg-Marquardt, §6) ask for the
//    loss and gradient over the whole training set as often as their line searches need, once
//    per step, and a step is one iteration of the method.
// The trainer calls step() once per mini-batch for a stochastic optimizer and once per epoch for
// a batch optimizer (Optimizer::kind()).
//
// OWNERSHIP: the trainer owns the Objective, the parameter store and the optimizer. The optimizer
// keeps its state (velocities, running averages) in vectors the size of the store, and exposes it
// by name for snapshots, so a resumed run continues exactly.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ebprop/parameters.h"
#include "ebprop/settings.h"

namespace ebprop {

// What the trainer offers an optimizer. Losses are means over the examples they cover; gradients
// and curvatures are those of that mean.
template <typename T>
class Objective {
 public:
  virtual ~Objective() = default;

  virtual ParameterStore<T>& parameters() = 0;

  // --- the current mini-batch (stochastic methods) ---
  // fprop + bprop: overwrites dw with the gradient of the batch's mean loss; returns that loss.
  virtual double batch_gradient() = 0;
  // fprop + bprop + bbprop: overwrites dw and ddw (the Gauss-Newton diagonal, Eq. 53-56).
  virtual double batch_curvature() = 0;

  // --- the whole training set (batch methods, and curvature estimates) ---
  virtual double full_loss() = 0;
  // Overwrites dw with the gradient of the mean loss over the training set; returns that loss.
  virtual double full_gradient() = 0;
  // Overwrites ddw with the bbprop diagonal averaged over `samples` examples drawn at random from
  // the training set (§9.1: "estimated on a few hundred samples"). Leaves dw unspecified.
  virtual void sample_curvature(int samples) = 0;

  // Examples presented so far in this run (the t of Eq. 12).
  virtual std::int64_t examples_seen() const = 0;
  // Size of the current mini-batch.
  virtual int batch_size() const = 0;
};

template <typename T>
class Optimizer {
 public:
  enum class Kind { stochastic, batch };

  virtual ~Optimizer() = default;
  virtual Kind kind() const { return Kind::stochastic; }

  // Called once before training, after the parameters are allocated and initialized.
  virtual void attach(ParameterStore<T>& params) = 0;

  // Called at the start of each epoch (1-based), before its first step.
  virtual void begin_epoch(int /*epoch*/, Objective<T>& /*objective*/) {}

  // One update of objective.parameters().w(). Returns the loss it evaluated (mean over what it
  // saw).
  virtual double step(Objective<T>& objective) = 0;

  // The rate used by the last step (for progress lines); NaN when the method has no single rate.
  virtual double current_rate() const = 0;

  // Named state vectors (each the size of the store, or small scalars), for snapshots.
  virtual std::map<std::string, Vector<double>> state() const { return {}; }
  virtual void restore(const std::map<std::string, Vector<double>>& /*state*/) {}
};

struct OptimizerInfo {
  std::string type;  // "sgd"
  std::string doc;
  std::vector<SettingSpec> settings;
};

}  // namespace ebprop
