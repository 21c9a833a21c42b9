// Parameters: one flat vector for the whole graph, with a named view per module parameter.
//
// Every trainable number of a graph lives in ParameterStore::w; its first derivative in dw and its
// diagonal second derivative in ddw, at the same index; rw holds a direction v in weight space and
// rdw the Hessian-vector product H v (§7.5), for the R-operator passes. Optimizers, per-weight
// learning rates (§4.7, §9.1) and weight files work on these flat vectors and never need to know
// the modules. A module sees its own parameters through ParamView, a window on the three vectors.
//
// Weight sharing (§4.7): a parameter has a name ("fc1.weight" by default; a graph file may rename
// it). Two module parameters with the same name are one block of the store: both modules read the
// same w and both add into the same dw and ddw.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ebprop/shape.h"
#include "ebprop/state.h"

namespace ebprop {

using Rng = std::mt19937_64;

// How the engine initializes a parameter before training.
enum class Init {
  fan_in,  // Eq. 16: uniform with mean 0 and standard deviation m^-1/2, m = ParamSpec::fan_in
  zero,
  one,
};

// What a module declares for each of its parameters (Module::parameters()). The engine refuses,
// at the node's line, a parameter of more than max_size values (shape.h) or one that does not fit
// in memory with the store's other vectors (memory.h), so rows · cols is always an int.
struct ParamSpec {
  std::string role;  // the module's own name for it: "weight", "bias"
  int rows = 0;      // a parameter is a rows × cols matrix, column-major (a vector has cols = 1)
  int cols = 1;
  int fan_in = 1;  // m of Eq. 16: the number of inputs feeding each unit this parameter serves
  Init init = Init::fan_in;
  // §4.7: the connections each weight serves — the output positions of a convolution kernel,
  // 1 for an ordinary weight. Optimizers with a global rate give a weight shared by n
  // connections (over all the modules that share it) the rate multiplier √n.
  int connections = 1;
};

// The step a fused bprop applies to one block (ParameterStore::set_descent_step):
// w ← w − step·factors⊙dE/dw, factors all 1 when null. step = 0: no fused step.
template <typename T>
struct DescentStep {
  T step = 0;
  const T* factors = nullptr;  // the block's per-weight rate factors (SDLM's Eq. 61), or null
};

// A module's window on its parameter block. Valid from Module::bind() until the graph is destroyed.
template <typename T>
struct ParamView {
  T* w = nullptr;
  T* dw = nullptr;
  T* ddw = nullptr;
  T* rw = nullptr;   // the direction v
  T* rdw = nullptr;  // R{dE/dw}: the Hessian-vector product H v
  int rows = 0;
  int cols = 0;
  // Fused descent (§4.1, ParameterStore::set_descent_step): the store's step for this block, 0
  // except during a fused bprop. A module that fuses (Module::fuses_descent) then applies
  // w ← w − step·factors⊙dE/dw to the block itself, after every read of w its bprop makes, and
  // leaves dw zero; otherwise it adds dE/dw into dw as always.
  const DescentStep<T>* descent = nullptr;

  using MatrixMap = Eigen::Map<Matrix<T>>;
  MatrixMap value() const { return MatrixMap(w, rows, cols); }
  MatrixMap grad() const { return MatrixMap(dw, rows, cols); }
  MatrixMap hess() const { return MatrixMap(ddw, rows, cols); }      // diagonal d2E/dw2
  MatrixMap direction() const { return MatrixMap(rw, rows, cols); }  // v
  MatrixMap r_grad() const { return MatrixMap(rdw, rows, cols); }    // R{dE/dw}
  int size() const { return rows * cols; }
  T descent_step() const { return descent ? descent->step : T(0); }
  // The per-weight factors of the fused step, laid out as value(); null: all 1.
  const T* descent_factors() const { return descent ? descent->factors : nullptr; }
};

// One named block of the flat vectors.
struct ParamBlock {
  std::string name;  // "fc1.weight", or the shared name the graph file gave
  int rows = 0, cols = 1;
  std::int64_t offset = 0;  // index of the first element in w, dw, ddw
  int fan_in = 1;
  Init init = Init::fan_in;
  int users = 0;                 // how many module parameters share this block (1 when not shared)
  std::int64_t connections = 0;  // Σ ParamSpec::connections over the users (§4.7)
  std::int64_t size() const { return static_cast<std::int64_t>(rows) * cols; }
};

template <typename T>
class ParameterStore {
 public:
  // The flat vectors, all of size(); sized by allocate() and never resized after (the modules'
  // views point into them). Assign values of the same size only.
  Vector<T>& w() { return w_; }
  const Vector<T>& w() const { return w_; }
  // Writing through the non-const dw() ends "known to be zero" (see clear_gradients_if_needed).
  Vector<T>& dw() {
    dw_known_zero_ = false;
    return dw_;
  }
  const Vector<T>& dw() const { return dw_; }
  Vector<T>& ddw() { return ddw_; }
  const Vector<T>& ddw() const { return ddw_; }
  Vector<T>& rw() { return rw_; }  // the direction v of a Hessian-vector product (§7.5)
  const Vector<T>& rw() const { return rw_; }
  Vector<T>& rdw() { return rdw_; }  // H v
  const Vector<T>& rdw() const { return rdw_; }

  // Per-parameter learning-rate multipliers: the user's, 1 unless the graph file sets
  // `lr.ROLE=`. An optimizer that sets per-weight rates itself (SDLM) multiplies by these.
  const Vector<T>& lr_scale() const { return lr_scale_; }
  // The same times √connections (§4.7: "the learning rate should be proportional to the square
  // root of the number of connections sharing that weight"). An optimizer with one global rate
  // (SGD, the adaptive rate) multiplies by these; descend() does.
  const Vector<T>& shared_lr_scale() const { return shared_lr_scale_; }
  void set_lr_scale(std::int64_t offset, std::int64_t size, T scale);

  const std::vector<ParamBlock>& blocks() const { return blocks_; }
  std::int64_t size() const { return w_.size(); }

  // The block with this name, or nullptr.
  const ParamBlock* find(const std::string& name) const;

  // Adds a block (or returns the existing one of that name, which must have the same shape —
  // the caller reports a mismatch). Only before allocate().
  ParamBlock& declare(const std::string& name, const ParamSpec& spec);

  // Sizes every vector (all 0, lr_scale = 1).
  void allocate();
  // A replica's store (Graph's replica constructor): after allocate(), its views read w and rw of
  // `source` (same blocks) instead of its own, which stay empty; dw, ddw and rdw are its own.
  // Requires: source outlives this store and is not itself a replica.
  void read_values_of(ParameterStore& source);

  ParamView<T> view(const ParamBlock& block);

  // Draws every block according to its Init (Eq. 16 for fan_in).
  void initialize(Rng& rng);

  void clear_gradients() {
    dw_.setZero();
    dw_known_zero_ = true;
  }
  // The same, skipped when dw is known to be zero already: after clear_gradients() or descend(),
  // until dw() is next taken for writing or a module writes through its view. Online learning
  // saves a pass over the weights per example.
  void clear_gradients_if_needed() {
    if (!dw_known_zero_) clear_gradients();
  }
  // Modules write dw through their views, which the store cannot see: the engine's bprop says so
  // with this before running them.
  void note_gradients_written() { dw_known_zero_ = false; }

  // Gradient descent in one pass over memory (§4.1): w ← w − η·shared_lr_scale⊙dw, then dw ← 0. The
  // update and the clearing share the pass, which matters in online learning, where a pass over
  // the weights costs as much as a forward propagation.
  void descend(T eta);
  // The same with a rate factor per weight instead of shared_lr_scale (SDLM's Eq. 61):
  // w ← w − η·factors⊙dw, then dw ← 0. Requires: factors.size() == size().
  void descend(T eta, const Vector<T>& factors);
  void clear_hessian() { ddw_.setZero(); }
  // descend() on the weights [begin, end) only, with dw there the sum of this store's and the
  // `others`' (replicas holding parts of the gradient, Graph::replica), all of them cleared there:
  // the threads of a team each take a range. Then call mark_gradients_zero() on every store.
  // factors non-null: w ← w − η·factors⊙dw there instead, as descend(eta, factors).
  void descend_range(T eta, Eigen::Index begin, Eigen::Index end,
                     const std::vector<ParameterStore*>& others,
                     const Vector<T>* factors = nullptr);
  // Records that dw is zero, after descend_range has cleared all of it.
  void mark_gradients_zero() { dw_known_zero_ = true; }

  // Fused descent (online SGD and SDLM, §4.1, §9.1). A module that fuses the step into its bprop
  // (Module::fuses_descent) saves the passes over dw: W ← W − η δ xᵀ touches W once, where
  // dw += δ xᵀ and then descend() touch dw twice and W once. set_fusable(b, true) marks a block
  // whose user fuses; the store keeps the mark only when that module is the block's one user.
  // set_descent_step(eta) gives each marked block whose shared_lr_scale is one value the step
  // η·shared_lr_scale (ParamView::descent) for the next bprop; set_descent_step(eta, &factors)
  // gives every marked block the step η with its segment of `factors` (descend(eta, factors)'s
  // rule). descend_unfused with the same arguments then takes that descend() step on the other
  // blocks and clears the steps. dw is zero afterwards, as after descend().
  // Requires: factors, when given, has size() entries and outlives the bprop.
  void set_fusable(std::size_t block, bool fusable);
  bool any_fusable() const { return any_fusable_; }
  void set_descent_step(T eta, const Vector<T>* factors = nullptr);
  void descend_unfused(T eta, const Vector<T>* factors = nullptr);

 private:
  Vector<T> w_, dw_, ddw_, rw_, rdw_;
  std::vector<ParamBlock> blocks_;
  void update_shared_lr_scale();
  // w ← w − η·factors⊙dw on [begin, end) with dw there summed with the `others`' first, then
  // every dw cleared there, in blocks that stay in L1; factors null: all 1.
  void descend_in_blocks(T eta, const Vector<T>* factors, Eigen::Index begin, Eigen::Index end,
                         const std::vector<ParameterStore*>& others);
  // The factors descend() applies: null when every shared_lr_scale is 1.
  const Vector<T>* shared_factors() const {
    return uniform_shared_lr_scale_ ? nullptr : &shared_lr_scale_;
  }
  Vector<T> lr_scale_, shared_lr_scale_;
  bool uniform_shared_lr_scale_ = true;
  bool dw_known_zero_ = false;
  ParameterStore* values_ = nullptr;   // read_values_of: the store whose w and rw the views read
  std::vector<DescentStep<T>> steps_;  // per block: the fused step (ParamView::descent)
  std::vector<char> fusable_;          // per block: its one user fuses
  std::vector<char> uniform_scale_;    // per block: one shared_lr_scale over it
  bool any_fusable_ = false;
};

extern template class ParameterStore<float>;
extern template class ParameterStore<double>;

// A uniform deviate in [0, 1) from 53 random bits: the same on every platform, unlike
// std::uniform_real_distribution.
double uniform01(Rng& rng);

}  // namespace ebprop
