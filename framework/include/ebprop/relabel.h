// Relabel: the base of modules whose output is their input's values read with another shape
// (flatten, reshape).
//
// The values keep their order (state.h's layout), so the Jacobian is the identity and the base
// class does every pass as a copy or an addition:
//   fprop:   y = x                      bprop:   dE/dx   += dE/dy
//   bbprop:  d2E/dx2 += d2E/dy2         (the identity's square is the identity, Eq. 53)
//   r_fprop: R{y} = R{x}                r_bprop: R{dE/dx} += R{dE/dy}
// A derived class implements output_shape(), which must have as many values as the input's shape
// (and throw ShapeError otherwise). It has no parameters.
#pragma once

#include "ebprop/module.h"

namespace ebprop {

template <typename T>
class Relabel : public Module<T> {
 public:
  void fprop(const Inputs<T>& in, State<T>& out) final {
    out.resize(in[0]->batch());
    out.x = in[0]->x;
  }

  void bprop(const Inputs<T>& in, const State<T>& out) final {
    if (in[0]->needs_gradient) in[0]->dx += out.dx;
  }

  void bbprop(const Inputs<T>& in, const State<T>& out) final {
    if (in[0]->needs_gradient) in[0]->ddx += out.ddx;
  }

  bool has_r_passes() const final { return true; }

  void r_fprop(const Inputs<T>& in, State<T>& out) final { out.rx = in[0]->rx; }

  void r_bprop(const Inputs<T>& in, const State<T>& out) final {
    if (in[0]->needs_gradient) in[0]->rdx += out.rdx;
  }
};

}  // namespace ebprop
