// Pointwise: the base of modules that apply one function to every value, y = f(a) (sigmoids, §4.4).
//
// A derived class implements evaluate(), which gives f(a) and f'(a) for a batch; the base class
// does the three passes with them, so they cannot disagree:
//   bprop:  d E/da   += dE/dy · f'(a)
//   bbprop: d2E/da2  += d2E/dy2 · f'(a)^2      (Eq. 53, Gauss-Newton: f'' is dropped)
// For exact Hessian-vector products (§7.5) it also implements second_derivative(), f''(a):
//   r_fprop: R{y} = f'(a) R{a};   r_bprop: R{dE/da} += f''(a) R{a} dE/dy + f'(a) R{dE/dy}.
// The output has the input's shape.
#pragma once

#include "ebprop/module.h"

namespace ebprop {

template <typename T>
class Pointwise : public Module<T> {
 public:
  using Array = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic>;

  Shape output_shape(const std::vector<Shape>& inputs) override { return inputs.at(0); }

  void fprop(const Inputs<T>& in, State<T>& out) final {
    out.resize(in[0]->batch());
    evaluate(in[0]->x, out.x, slope_);
  }

  void bprop(const Inputs<T>& in, const State<T>& out) final {
    if (in[0]->needs_gradient) in[0]->dx.array() += out.dx.array() * slope_;
  }

  void bbprop(const Inputs<T>& in, const State<T>& out) final {
    if (in[0]->needs_gradient) in[0]->ddx.array() += out.ddx.array() * slope_.square();
  }

  bool has_r_passes() const final { return true; }

  void r_fprop(const Inputs<T>& in, State<T>& out) final {
    out.rx = (slope_ * in[0]->rx.array()).matrix();
  }

  void r_bprop(const Inputs<T>& in, const State<T>& out) final {
    if (!in[0]->needs_gradient) return;
    second_derivative(in[0]->x, out.x, curvature_);
    in[0]->rdx.array() +=
        curvature_ * in[0]->rx.array() * out.dx.array() + slope_ * out.rdx.array();
  }

 protected:
  // Sets y = f(a) and slope = f'(a) elementwise. Requires: y is sized like a; slope may be resized.
  virtual void evaluate(const Matrix<T>& a, Matrix<T>& y, Array& slope) = 0;
  // Sets f2 = f''(a), given a and y = f(a) from the last evaluate().
  virtual void second_derivative(const Matrix<T>& a, const Matrix<T>& y, Array& f2) = 0;

 private:
  Array slope_;      // f'(a) of the last fprop
  Array curvature_;  // f''(a), for r_bprop
};

}  // namespace ebprop
