// A quadratic objective with a known minimum and diagonal Hessian, for optimizer tests.
#pragma once

#include <ebprop/optimizer.h>

namespace ebprop::test {

// E(w) = ½ Σ_k h_k (w_k − c_k)²: a quadratic with known minimum c and Hessian diag(h).
class Quadratic final : public Objective<double> {
 public:
  Quadratic(Vector<double> h, Vector<double> c) : h_(std::move(h)), c_(std::move(c)) {
    ParamSpec spec{"w", static_cast<int>(h_.size()), 1, 1, Init::zero};
    params_.declare("q.w", spec);
    params_.allocate();
  }
  ParameterStore<double>& parameters() override { return params_; }
  double batch_gradient() override {
    ++seen_;
    params_.dw() = h_.cwiseProduct(params_.w() - c_);
    return loss();
  }
  double batch_curvature() override {
    params_.ddw() = h_;
    return batch_gradient();
  }
  double full_loss() override { return loss(); }
  double full_gradient() override { return batch_gradient(); }
  void sample_curvature(int) override { params_.ddw() = h_; }
  std::int64_t examples_seen() const override { return seen_; }
  int batch_size() const override { return 1; }
  double loss() const { return 0.5 * h_.dot((params_.w() - c_).cwiseAbs2()); }

 private:
  Vector<double> h_, c_;
  ParameterStore<double> params_;
  std::int64_t seen_ = 0;
};

}  // namespace ebprop::test
