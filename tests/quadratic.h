// A quadratic objective with a known minimum and diagonal Hessian, for optimizer tests.
#pragma once

#include <ebprop/optimizer.h>

namespace ebprop::test {

// E(w) = ½ Σ_k h_k (w_k − c_k)²: a quadratic with known minimum c and Hessian diag(h), one
// "example" (its batches are all the same).
class Quadratic final : public Objective<double> {
 public:
  Quadratic(Vector<double> h, Vector<double> c) : h_(std::move(h)), c_(std::move(c)) {
    ParamSpec spec{"w", static_cast<int>(h_.size()), 1, 1, Init::zero};
    params_.declare("q.w", spec);
    params_.allocate();
  }
  ParameterStore<double>& parameters() override { return params_; }
  int examples() const override { return 1; }
  std::string name() const override { return "the test quadratic"; }
  Batch sample(int) override { return Batch::all(); }
  double loss() const { return 0.5 * h_.dot((params_.w() - c_).cwiseAbs2()); }

  // One step of `optimizer`, as the trainer makes it for one example.
  StepResult step(Optimizer<double>& optimizer) {
    return optimizer.step(*this, Batch::all(), ++seen_);
  }

 protected:
  double compute_value(const Batch&) override { return loss(); }
  double compute_gradient(const Batch&, bool with_curvature) override {
    params_.dw() = h_.cwiseProduct(params_.w() - c_);
    if (with_curvature) params_.ddw() = h_;
    return loss();
  }
  void compute_hessian_vector(const Batch&, const Vector<double>& v, Vector<double>& hv) override {
    hv = h_.cwiseProduct(v);
  }
  void compute_gauss_newton_vector(const Batch&, const Vector<double>& v,
                                   Vector<double>& gv) override {
    gv = h_.cwiseProduct(v);
  }
  Matrix<double> compute_jacobian(const Batch&) override {
    return h_.cwiseSqrt().asDiagonal();  // E = ½‖r‖², r = √h ⊙ (w − c)
  }

 private:
  Vector<double> h_, c_;
  ParameterStore<double> params_;
  std::int64_t seen_ = 0;
};

}  // namespace ebprop::test
