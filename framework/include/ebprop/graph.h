// Graph: a DAG of modules built from a GraphSpec, with the three passes over it.
//
// Nodes are module instances; the edge from node a to node b means "b reads a's output". Each
// node owns one State (its output). Built-in node type "input" has no module: the caller fills its
// state (data, targets). Nodes are kept in a topological order (Boost.Graph): fprop runs it
// forwards, bprop and bbprop backwards. Fan-out needs no special case: every consumer ADDS into
// the producer's dx and ddx (module.h).
//
// The objective is E = Σ over loss nodes l of weight_l times the mean of l's per-example outputs
// over the batch; weight_l is the loss node's `weight` setting (loss_node_settings(), default 1),
// which the engine gives every loss type. fprop, bprop, bbprop and the R-passes all see this E.
//
// BUILDING requires a registry holding every type the spec names; it ensures, or throws a
// SourceError at the offending line: known type (listing the known ones), valid settings, inputs
// that exist (with a did-you-mean) and are not the node itself, the number of inputs the module
// declares, no cycle (the cycle is printed), fitting shapes (both nodes named), output shapes and
// parameters within max_size (shape.h) whose memory fits (memory.h; the bytes are named), and
// shared parameters of one shape. fprop checks the memory again for each new batch size, and a
// std::bad_alloc in a module's pass becomes a SourceError naming the node. Then it allocates the
// parameter store, binds every module to its views and initializes the parameters from `rng` (Eq.
// 16).
//
// OWNERSHIP: the graph owns the modules (which keep their plugin loaded), the states and the
// parameter store. It is not copyable.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ebprop/graph_spec.h"
#include "ebprop/module.h"
#include "ebprop/parameters.h"
#include "ebprop/registry.h"
#include "ebprop/state.h"
#include "ebprop/workers.h"

namespace ebprop {

// The settings every "input" node takes.
const std::vector<SettingSpec>& input_node_settings();
// The settings the engine adds to every loss type's own (ModuleInfo::is_loss): `weight`, the
// factor of that loss in E (a real > 0, default 1). The module sees them too and ignores them.
const std::vector<SettingSpec>& loss_node_settings();

template <typename T>
class Graph {
 public:
  struct Node {
    std::string name;
    std::string type;  // "input" for inputs
    SourceLocation where;
    std::vector<int> inputs;  // indices into nodes(), in the module's input order
    ModulePtr<T> module;      // null for inputs
    State<T> state;           // this node's output
    bool is_input = false;
    bool is_loss = false;
    double loss_weight = 1;  // losses: the factor of this loss's mean in E (`weight=`)
    ModuleInfo::GaussNewton gauss_newton = ModuleInfo::GaussNewton::none;  // losses (module.h)
    std::string source;  // inputs only: the `source` setting ("inputs", "targets", ...)
    // Names of the parameter blocks (parameters().find) the module uses, in its parameters()
    // order: "NODE.ROLE", or the name share.ROLE gave.
    std::vector<std::string> parameters;
  };

  Graph(const GraphSpec& spec, const Registry& registry, Rng& rng);
  // A replica: the same graph, whose modules read this graph's w and rw (ParameterStore::
  // read_values_of) and have their own states, dw, ddw and rdw, so that parts of a batch can run
  // on other threads (GraphObjective). Requires: the registry this graph was built with is alive;
  // this graph outlives the replica.
  std::unique_ptr<Graph> replica();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const std::string& file() const { return file_; }
  const std::vector<Node>& nodes() const { return nodes_; }  // topological order
  Node& node(int index) { return nodes_[index]; }
  // Index of the node with this name, or -1.
  int find(const std::string& name) const;
  // The node with this name; throws ebprop::Error (with a did-you-mean) if there is none.
  Node& node(const std::string& name);

  std::vector<int> input_nodes() const;               // in file order
  std::vector<int> loss_nodes() const;                // in topological order
  std::vector<int> loss_nodes_in_file_order() const;  // by line: the first is the file's first

  ParameterStore<T>& parameters() { return params_; }
  const ParameterStore<T>& parameters() const { return params_; }

  // fprop over all nodes. Requires: every input node's state.x holds the same number of columns.
  void fprop();
  // E: Σ over loss nodes of weight times the mean of their outputs. Requires: fprop.
  double loss() const;
  // The mean of one loss node's outputs over the batch, without its weight. Requires: fprop;
  // `node` is a loss node's index.
  double loss_of(int node) const;
  // Clears every dx, seeds each loss node's dx with scale·weight/batch (its weighted mean, times
  // scale: a part of a larger batch passes its share), then bprops backwards. ADDS into the
  // store's dw (call parameters().clear_gradients() first). Nodes whose output needs no gradient
  // (State::needs_gradient) are skipped.
  void bprop(double scale = 1);
  // bprop fused with the SGD step w ← w − η·shared_lr_scale⊙∇E (§4.1), or with SDLM's
  // w ← w − η·factors⊙∇E (§9.1) when factors is given: the modules that fuse
  // (Module::fuses_descent) update their blocks in their bprop, the store descends the others
  // (ParameterStore::descend_unfused). Leaves dw = 0. Requires: fprop, and dw = 0
  // (parameters().clear_gradients_if_needed()); factors, when given, of the store's size.
  void bprop_descending(T eta, const Vector<T>* factors = nullptr);
  // Clears every ddx, seeds each loss node with ddx = 0 and dx = scale·weight/batch, then bbprops
  // backwards.
  // ADDS into the store's ddw. Requires: fprop (and, for modules that read dx, bprop) on the
  // same batch.
  void bbprop(double scale = 1);

  // Names of the nodes whose module has no R-operator passes (empty: hessian_vector() works).
  std::vector<std::string> nodes_without_r_passes() const;
  // Exact Hessian-vector product by the R-operator (Pearlmutter 1994, §7.5): overwrites the
  // store's rdw with H v, H the Hessian of E and v the store's rw. Requires: fprop and bprop on
  // the current batch; nodes_without_r_passes() empty (throws Error naming them otherwise).
  void hessian_vector();
  // R{x} of every node along the store's rw (the first half of hessian_vector): for a loss node's
  // first input o, o.rx = J v. Requires: fprop on the current batch; R-passes everywhere.
  void r_fprop();
  // The Gauss-Newton-vector product (§6.4, Eq. 46-47): overwrites the store's rdw with
  // Σ_l weight_l Σ_p J_pᵀ H_p J_p v / batch, v the store's rw, J_p the Jacobian of loss node l's
  // first input o (the output) for example p and H_p the loss's Hessian in o; for MSE, the
  // square-Jacobian product. r_fprop gives J v; each loss module's r_bprop turns it into
  // weight · H (J v) (its seed, weight/batch from bprop, is a constant: module.h); a bprop from o
  // seeded with that gives Jᵀ H J v. Leaves dw as it was. Requires: fprop and bprop on the current
  // batch; R-passes everywhere (Error naming the nodes).
  void gauss_newton_vector();

  // The first node (in topological order) whose output holds a NaN or infinity, or -1.
  int first_non_finite() const;

  // Model parallelism (module.h, SPLITTING A PASS): true when the graph has weights and every
  // module that holds some splits its passes (Module::splits_work).
  bool splits_work() const;
  // Lends `team` to the splitting modules' passes until lent null (nullptr: they run on the
  // calling thread). Requires: the team outlives the lending and its caller makes the passes.
  void lend_threads(ThreadTeam* team) { workers_.lend(team); }

 private:
  Graph(const GraphSpec& spec, const Registry& registry, Rng* rng, Graph* values_of);

  GraphSpec spec_;            // for replica()
  const Registry* registry_;  // for replica()
  std::string file_;
  std::vector<Node> nodes_;
  std::vector<Inputs<T>> inputs_;  // per node: pointers to its inputs' states
  ParameterStore<T> params_;
  std::uint64_t values_per_example_ = 0;  // Σ of the nodes' sizes, for the memory checks
  int checked_batch_ = 0;                 // the batch size whose memory fprop last checked
  Workers workers_;                       // given to every module (Module::use_workers)

  // scale · weight / batch: dE/d(its output) per example
  static T loss_seed(const Node& node, double scale);
  void mark_needs_gradient();  // State::needs_gradient of every node, and the fusable blocks
  // Runs one node's pass, turning a std::bad_alloc into an error naming the node.
  template <typename Pass>
  void in_pass(std::size_t node, const char* pass, Pass&& run);

  // Building, in stages (graph.cpp), each checking what BUILDING above says.
  struct Build;  // what one stage hands the next
  void order_nodes(const std::vector<std::vector<int>>& inputs, Build& build);
  void make_module(std::size_t node, Build& build);
  void infer_shape(std::size_t node, Build& build);
  void declare_parameters(Build& build);
  void allocate_parameters(const Build& build, Rng* rng, Graph* values_of);
  void bind_parameters(const Build& build);
};

extern template class Graph<float>;
extern template class Graph<double>;

}  // namespace ebprop
