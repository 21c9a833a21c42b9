// Module: one node of the graph, X_out = F(W, X_in1, X_in2, ...) (§1, Eq. 3-5; §7.3, Eq. 53-56).
//
// A plugin author writes a module once as a class template over the scalar type T; the engine
// instantiates it for float (training) and double (derivative checks). The three passes have a
// uniform contract, after EBLearn's fprop/bprop/bbprop and Torch7's hessian.lua:
//
// LIFECYCLE (the engine calls, in this order)
//   1. constructor(const Settings&)      settings already validated against the module's schema
//   2. output_shape(input shapes)        once; throws ShapeError if the inputs do not fit
//   3. parameters()                      once, after output_shape; may be empty
//   4. bind(views)                       once, one view per ParamSpec in the same order
//   5. use_workers(workers)              once: the threads its passes may split over (below)
//   6. fprop / bprop / bbprop            any number of times, with any batch size
//
// fprop(in, out)
//   requires: in[i]->x holds a batch of values of the shapes given to output_shape;
//             out.shape is the shape returned by output_shape.
//   ensures:  out.x holds F(W, in) for each example (resize it with out.resize(batch)).
//             May cache what bprop/bbprop need; must not touch any dx or ddx.
//
// bprop(in, out)                         first derivatives (back-propagation, Eq. 3-5)
//   requires: the last fprop was on these same inputs; out.dx holds dE/d(out.x).
//   ensures:  ADDS dE/d(in[i]->x) into in[i]->dx and dE/dW into the views' grad(). Never
//             overwrites: with fan-out, several modules add into the same state, and with shared
//             weights, several modules add into the same parameter block.
//
// bbprop(in, out)                        diagonal second derivatives (Gauss-Newton, §7.3)
//   requires: the last fprop was on these same inputs; out.ddx holds the diagonal d2E/d(out.x)2
//             and out.dx holds dE/d(out.x).
//   ensures:  ADDS into in[i]->ddx and the views' hess(), using the Gauss-Newton rule that drops
//             off-diagonal terms and second derivatives of the module's function:
//               Eq. 53/55: a pointwise y = f(a) gives  d2E/da2  += d2E/dy2 · f'(a)^2
//               Eq. 54:    a weighted sum a = Σ w x  gives  d2E/dw2 += d2E/da2 · x^2
//               Eq. 56:                                      d2E/dx2 += Σ w^2 · d2E/da2
//             In general: ddx_j += Σ_i ddy_i · J_ij^2 with J = d(out)/d(in); likewise for W.
//             A loss module (ModuleInfo::is_loss) is where curvature enters: it adds its own
//             second derivative too, ddx_j += dy · d2L/dx_j2 (for MSE: dy · 1). The checkers in
//             ebprop/testing/derivative_check.h test exactly this contract.
//
// r_fprop(in, out) and r_bprop(in, out)   optional: exact Hessian-vector products (§7.5)
//   Pearlmutter's R-operator: R{q} is the derivative of q along a direction v of the weights
//   (the views' direction()), with R{input} given. A module that offers them returns true from
//   has_r_passes(); the engine falls back to finite differences of gradients (Eq. 59) otherwise.
//   r_fprop requires: fprop on these inputs; in[i]->rx holds R{in_i}.
//           ensures:  out.rx = Σ_i (d out/d in_i) in[i]->rx + (d out/dW) v   (resize it).
//   r_bprop requires: bprop on these inputs; out.rx as set by r_fprop; out.rdx holds R{dE/dout}.
//           ensures:  ADDS R{dE/d in_i} into in[i]->rdx and R{dE/dW} into the views' r_grad():
//           the derivative of what bprop computes, along (in.rx, v, out.rdx) together. A loss
//           module treats its seed dE/dout as a constant (R{seed} = 0 is what the engine gives).
//
// fuses_descent()                         optional: online SGD without a pass over dw (§4.1)
//   A module that returns true honours ParamView::descent in bprop: for a view whose
//   descent_step() is s ≠ 0 it applies w ← w − s·f⊙dE/dW to the block instead of adding dE/dW
//   into grad(), f the view's descent_factors() (all 1 when null; SDLM's rates, Eq. 61), after
//   every read of w that its bprop makes (dx uses the weights before the step), and leaves grad()
//   zero (it may use it as scratch). Views with step 0 get the usual ADD. The engine gives a
//   nonzero step only to blocks this module alone uses.
//
// NEEDS_GRADIENT: the engine sets State::needs_gradient false on values that depend on no
// parameter (data, and what modules compute from data alone). A module may then skip that input's
// dx, ddx and rdx, and the R{x} terms of its R-passes (R{x} = 0; the engine still fills such an
// rx with zeros). The engine skips the backward passes of a node whose output is such a value.
//
// SPLITTING A PASS (optional): model parallelism for small batches on several threads
//   A module whose passes are large matrix products (linear) may split them over the Workers it
//   was given (workers.h), each piece writing only its own part of out.x (or a sum of its own,
//   added after the split), of in.dx, and of the views' grad(), hess() and w (fused steps).
//   Such a module returns true from splits_work(); the engine lends threads to a graph all of
//   whose modules with weights split, for batches too small for copies of the graph to share
//   (GraphObjectiveOptions::units_below). A split pass must compute the same derivatives as the
//   unsplit one, up to the rounding of sums taken in another order; the derivative checker
//   checks it split (CheckOptions::threads).
//
// OWNERSHIP: the engine owns every State and the parameter store; a module holds only pointers
// into them (its ParamViews) and its own caches. Module objects are made by the plugin's factory
// and destroyed while the plugin library is still loaded (the engine guarantees this).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ebprop/error.h"
#include "ebprop/parameters.h"
#include "ebprop/settings.h"
#include "ebprop/shape.h"
#include "ebprop/state.h"
#include "ebprop/workers.h"

namespace ebprop {

template <typename T>
using Inputs = std::vector<State<T>*>;

template <typename T>
class Module {
 public:
  virtual ~Module() = default;

  // Infers the output shape from the input shapes. Throws ShapeError("...") saying what it
  // expected; the engine adds the node names and the graph-file line.
  virtual Shape output_shape(const std::vector<Shape>& inputs) = 0;

  virtual std::vector<ParamSpec> parameters() const { return {}; }
  virtual void bind(const std::vector<ParamView<T>>& /*views*/) {}

  virtual void fprop(const Inputs<T>& in, State<T>& out) = 0;
  virtual void bprop(const Inputs<T>& in, const State<T>& out) = 0;
  virtual void bbprop(const Inputs<T>& in, const State<T>& out) = 0;

  virtual bool fuses_descent() const { return false; }

  // SPLITTING A PASS (above): `workers` lives as long as the module.
  virtual void use_workers(const Workers& /*workers*/) {}
  virtual bool splits_work() const { return false; }

  virtual bool has_r_passes() const { return false; }
  virtual void r_fprop(const Inputs<T>& /*in*/, State<T>& /*out*/) { no_r_passes(); }
  virtual void r_bprop(const Inputs<T>& /*in*/, const State<T>& /*out*/) { no_r_passes(); }

 private:
  [[noreturn]] static void no_r_passes() {
    throw Error("this module has no R-operator passes (has_r_passes() is false)");
  }
};

// CHECK CASES: the settings and input shapes on which the derivative checker
// (ebprop/testing/derivative_check.h) runs a module type. A module plugin registers its cases with
// the type; the project's tests check every case of every registered type, at several batch
// sizes, and fail for a type that has none. Cases should reach every branch of the passes: each
// setting that changes them, inputs of one and of several dimensions.
//
// The values an input starts from: random, or drawn from the set an input such as a loss's target
// must come from (the checker still perturbs them for its finite differences).
enum class CheckValues {
  any,             // uniform in [-range, range] (CheckOptions::input_range)
  plus_minus_one,  // each −1 or +1: the targets of stanh outputs (§4.5)
  one_of_n,        // +1 at one random position, −1 elsewhere: a one-of-N class code (§4.5)
};

struct CheckCase {
  std::map<std::string, std::string> settings;  // as a graph file writes them: {{"outputs", "4"}}
  std::vector<Shape> inputs;                    // one shape per input, in the module's order
  std::vector<CheckValues> values = {};         // per input; those past its end are `any`
};

// What a plugin says about a module type; shown by `ebprop-run --list-plugins`.
struct ModuleInfo {
  std::string type;                 // the name used in graph files: "linear"
  std::string doc;                  // one or two lines, citing the paper where it applies
  std::vector<std::string> inputs;  // names of the inputs, in order: {"x"} or {"output", "target"};
                                    // the least number a node gives when more_inputs (below)
  std::vector<SettingSpec> settings;
  // A loss module outputs one value per example (shape {1}): that example's contribution to E.
  // The engine seeds its dx with the loss weight over the batch size and its ddx with 0 (see
  // Graph::bprop): the weight is the `weight=` setting the engine gives every loss node (graph.h,
  // loss_node_settings; default 1), so a loss type must not declare a setting of that name.
  bool is_loss = false;
  std::vector<CheckCase> checks = {};  // at least one (see CHECK CASES above)
  // For a loss, what Gauss-Newton methods may use as its curvature (§6.4):
  //   square_jacobian  E is a sum of squares of the output (MSE): G = JᵀJ times a constant, the
  //                    square-Jacobian matrix of Eq. 46-47;
  //   generalized      E is convex in the output with a Hessian H_L that is not a multiple of I:
  //                    G = Jᵀ H_L J, the generalized Gauss-Newton matrix (for softmax
  //                    cross-entropy, the Fisher information matrix);
  //   none             Gauss-Newton and Levenberg-Marquardt refuse the loss.
  enum class GaussNewton { none, square_jacobian, generalized };
  GaussNewton gauss_newton = GaussNewton::none;
  // True for a module that takes any number of inputs from inputs.size() up (add, concat): the
  // graph may give it more, all of the kind the last name describes. The engine checks the count;
  // the module's passes then see in.size() inputs, as many as the graph gave.
  bool more_inputs = false;
};

}  // namespace ebprop
