// Dense second-order matrices of small networks (§7.1-7.4), and their spectra (§5, Fig. 19-20).
#pragma once

#include "ebprop/curvature/loss.h"

namespace ebprop::curvature {

// The full Hessian by central finite differences of gradients, one column per weight,
// symmetrized ((H + Hᵀ)/2). O(n) gradients over the data: for a few thousand weights at most.
Matrix<double> full_hessian(Loss& loss, double step = 0);

// The same with exact columns H e_k from the R-operator (requires R-passes everywhere).
Matrix<double> full_hessian_exact(Loss& loss);

// Eigenvalues of a symmetric matrix in decreasing order (Eigen's SelfAdjointEigenSolver).
Vector<double> spectrum(const Matrix<double>& symmetric);

}  // namespace ebprop::curvature
