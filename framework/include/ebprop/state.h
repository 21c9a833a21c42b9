// State: the value flowing along one edge of the graph, for a batch of examples.
//
//   x   : the values                       (rows = shape_size(shape), one column per example)
//   dx  : dE/dx, filled by bprop           (same size as x)
//   ddx : diagonal d2E/dx2, filled by bbprop (same size as x)
//   rx, rdx : R{x} and R{dx}, the derivatives of x and dx along a direction v of the weights
//             (Pearlmutter's R-operator, §7.5), filled by r_fprop and r_bprop when a
//             Hessian-vector product is asked for; empty otherwise
//
// Column-major with one example per column: a batch of 1 (online learning, §4.1) is a plain
// vector and a mini-batch is a matrix, so modules use matrix-vector or matrix-matrix products
// with no special case.
#pragma once

#include <Eigen/Core>

#include "ebprop/shape.h"

namespace ebprop {

template <typename T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <typename T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <typename T>
struct State {
  Shape shape;  // of one example
  Matrix<T> x, dx, ddx;
  Matrix<T> rx, rdx;

  // False for values that depend on no parameter (data, targets, and what is computed from them
  // alone; the engine sets it, module.h NEEDS_GRADIENT): a module may then skip computing this
  // input's dx, ddx and rdx, and take its rx as zero. A hint for speed only; writing them anyway
  // is harmless.
  bool needs_gradient = true;

  int batch() const { return static_cast<int>(x.cols()); }
  int size() const { return shape_size(shape); }

  // Sizes x, dx and ddx for `batch` examples (contents unspecified).
  void resize(int batch) {
    const int rows = shape_size(shape);
    x.resize(rows, batch);
    dx.resize(rows, batch);
    ddx.resize(rows, batch);
  }
};

}  // namespace ebprop
