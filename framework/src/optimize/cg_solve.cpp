#include "ebprop/optimize/cg_solve.h"

#include <algorithm>
#include <cmath>

namespace ebprop::optimize {

std::string cg_stop_name(CgSolveResult::Stop stop) {
  switch (stop) {
    case CgSolveResult::Stop::converged:
      return "converged";
    case CgSolveResult::Stop::iteration_cap:
      return "iteration cap";
    case CgSolveResult::Stop::negative_curvature:
      return "negative curvature";
    case CgSolveResult::Stop::non_finite:
      return "non-finite product";
  }
  return "";
}

CgSolveResult cg_solve(const CgProduct& product, const Vector<double>& g,
                       const CgSolveOptions& options) {
  using Stop = CgSolveResult::Stop;
  const auto n = g.size();
  CgSolveResult result;
  result.delta = Vector<double>::Zero(n);
  const double g_norm = g.norm();
  if (!std::isfinite(g_norm)) {
    result.residual = 1;
    result.stop = Stop::non_finite;
    return result;
  }
  if (g_norm == 0) return result;

  const int cap = options.max_iterations > 0 ? options.max_iterations
                                             : static_cast<int>(std::min<Eigen::Index>(n, 1 << 30));
  // The residual r = −g − (A + λI) δ and the direction p, from δ₀ = 0.
  Vector<double> r = -g, p = r, ap(n);
  double rr = r.squaredNorm();
  result.residual = 1;
  for (int k = 0; k < cap; ++k) {
    product(p, ap);
    ap += options.damping * p;
    ++result.iterations;
    const double pap = p.dot(ap);
    result.curvature = pap / p.squaredNorm();
    const bool finite = std::isfinite(pap);
    if (!finite || pap <= 0) {
      // The first direction is −g: return it rather than δ = 0, which would not move.
      if (k == 0) result.delta = -g;
      result.stop = finite ? Stop::negative_curvature : Stop::non_finite;
      return result;
    }
    const double alpha = rr / pap;
    result.delta += alpha * p;
    r -= alpha * ap;
    const double rr_next = r.squaredNorm();
    result.residual = std::sqrt(rr_next) / g_norm;
    if (result.residual <= options.tolerance) {
      result.stop = Stop::converged;
      return result;
    }
    p = r + (rr_next / rr) * p;
    rr = rr_next;
  }
  result.stop = Stop::iteration_cap;
  return result;
}

}  // namespace ebprop::optimize
