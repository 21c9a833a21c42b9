#include "ebprop/graph.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>
#include <map>
#include <new>

#include "ebprop/memory.h"

namespace ebprop {

const std::vector<SettingSpec>& input_node_settings() {
  static const std::vector<SettingSpec> settings{
      required("shape", SettingType::shape, "shape of one example, e.g. 784 or 1x28x28"),
      optional("source", SettingType::text, "inputs",
               "what the runner feeds it: 'inputs' (the examples) or 'targets' (their targets)")
          .one_of({"inputs", "targets"})};
  return settings;
}

const std::vector<SettingSpec>& loss_node_settings() {
  static const std::vector<SettingSpec> settings{
      optional("weight", SettingType::real, "1",
               "the factor of this loss in E = Σ weight · (the loss's mean over the batch)")
          .above(0)};
  return settings;
}

namespace {

using Dag = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// Finds one cycle with a depth-first search: a back edge u -> v closes the tree path v .. u.
struct CycleFinder : boost::default_dfs_visitor {
  std::vector<int>* parent;
  std::vector<int>* cycle;
  void tree_edge(Dag::edge_descriptor e, const Dag& g) {
    (*parent)[boost::target(e, g)] = static_cast<int>(boost::source(e, g));
  }
  void back_edge(Dag::edge_descriptor e, const Dag& g) {
    if (!cycle->empty()) return;
    const int from = static_cast<int>(boost::source(e, g));
    const int to = static_cast<int>(boost::target(e, g));
    for (int v = from; v != to && v >= 0; v = (*parent)[v]) cycle->push_back(v);
    cycle->push_back(to);
    std::reverse(cycle->begin(), cycle->end());
  }
};

// Returns the node indices (into spec.nodes) in an order where every node follows its inputs.
std::vector<int> topological_order(const GraphSpec& spec,
                                   const std::vector<std::vector<int>>& inputs) {
  const int n = static_cast<int>(spec.nodes.size());
  Dag dag(n);
  for (int v = 0; v < n; ++v)
    for (int u : inputs[v]) boost::add_edge(u, v, dag);

  std::vector<int> parent(n, -1), cycle;
  CycleFinder finder;
  finder.parent = &parent;
  finder.cycle = &cycle;
  boost::depth_first_search(dag, boost::visitor(finder));
  if (!cycle.empty()) {
    const int first = *std::min_element(cycle.begin(), cycle.end());  // earliest in the file
    const auto at = std::find(cycle.begin(), cycle.end(), first);
    std::rotate(cycle.begin(), at, cycle.end());
    std::string path;
    for (int v : cycle)
      path += spec.nodes[v].name + " (line " + std::to_string(spec.nodes[v].where.line) + ") -> ";
    path += spec.nodes[first].name;
    throw SourceError(spec.nodes[first].where, "the graph has a cycle: " + path);
  }

  std::vector<Dag::vertex_descriptor> reversed;
  boost::topological_sort(dag, std::back_inserter(reversed));
  return std::vector<int>(reversed.rbegin(), reversed.rend());
}

// Splits the engine's own keys (share.ROLE, lr.ROLE) from the module's settings.
struct SplitSettings {
  RawSettings module;
  std::map<std::string, RawSetting> share, lr;  // by role
};

SplitSettings split_settings(const RawSettings& raw) {
  SplitSettings split;
  for (const auto& [key, value] : raw) {
    if (key.rfind("share.", 0) == 0)
      split.share[key.substr(6)] = value;
    else if (key.rfind("lr.", 0) == 0)
      split.lr[key.substr(3)] = value;
    else
      split.module[key] = value;
  }
  return split;
}

std::string describe_inputs(const GraphSpec& spec, const NodeSpec& node,
                            const std::vector<Shape>& shapes) {
  std::string text;
  for (std::size_t i = 0; i < node.inputs.size(); ++i) {
    const NodeSpec* input = spec.find(node.inputs[i]);
    text += (i ? ", " : "") + node.inputs[i] + " [" + shape_str(shapes[i]) + ", line " +
            std::to_string(input->where.line) + "]";
  }
  return text;
}

// check_allocation (memory.h) for what a node asks for, as an error at the node's line.
void check_node_allocation(const NodeSpec& node, std::uint64_t count, std::uint64_t value_bytes,
                           const std::string& what) {
  try {
    check_allocation(count, value_bytes, "node '" + node.name + "' (" + node.type + "): " + what);
  } catch (const Error& e) {
    throw SourceError(node.where, e.what());
  }
}

// A parameter's values, with the store's six other vectors of the same length (parameters.h:
// dw, ddw, rw, rdw and the two rate scales), are what allocate() takes for it.
constexpr std::uint64_t kStoreVectors = 7;
// A node's value, its first and its second derivative (state.h).
constexpr std::uint64_t kStateMatrices = 3;

// The nodes' inputs as indices into spec.nodes, checked in file order so that the first error in
// the file is the one reported: a known type, inputs that exist (with a did-you-mean) and are not
// the node itself, and as many as the module declares.
std::vector<std::vector<int>> resolve_inputs(const GraphSpec& spec, const Registry& registry) {
  std::map<std::string, int> index_of;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < spec.nodes.size(); ++i) {
    index_of[spec.nodes[i].name] = static_cast<int>(i);
    names.push_back(spec.nodes[i].name);
  }

  std::vector<std::vector<int>> inputs(spec.nodes.size());
  for (std::size_t i = 0; i < spec.nodes.size(); ++i) {
    const NodeSpec& node = spec.nodes[i];
    std::vector<std::string> expected;
    bool more_allowed = false;
    if (node.type != "input") {
      try {
        const ModuleInfo& info = registry.module_info(node.type);
        expected = info.inputs;
        more_allowed = info.more_inputs;
      } catch (const Error& e) {
        throw SourceError(node.type_where, e.what());
      }
    }
    for (std::size_t k = 0; k < node.inputs.size(); ++k) {
      const auto it = index_of.find(node.inputs[k]);
      if (it == index_of.end()) {
        std::string message = "node '" + node.name + "' reads '" + node.inputs[k] +
                              "', which is not defined in this graph";
        const std::string hint = did_you_mean(node.inputs[k], names);
        throw SourceError(node.input_where[k], message + (hint.empty() ? "" : "; " + hint));
      }
      if (it->first == node.name)
        throw SourceError(node.input_where[k], "node '" + node.name + "' reads its own output");
      inputs[i].push_back(it->second);
    }
    const bool count_fits = more_allowed ? node.inputs.size() >= expected.size()
                                         : node.inputs.size() == expected.size();
    if (!count_fits) {
      const std::string wanted = expected.empty()
                                     ? "no inputs"
                                     : std::string(more_allowed ? "at least " : "") +
                                           std::to_string(expected.size()) + " input" +
                                           (expected.size() > 1 ? "s" : "") + " (" +
                                           join(expected) + (more_allowed ? ", ..." : "") + ")";
      throw SourceError(node.where, "node '" + node.name + "': " + node.type + " takes " + wanted +
                                        ", found " + std::to_string(node.inputs.size()));
    }
  }
  return inputs;
}

}  // namespace

// What one stage of building hands the next, per node in topological order.
template <typename T>
struct Graph<T>::Build {
  const GraphSpec& spec;
  const Registry& registry;
  std::vector<const NodeSpec*> specs;  // the node as the file wrote it
  std::vector<SplitSettings> keys;     // its settings, split from share.ROLE and lr.ROLE
  std::vector<std::vector<std::pair<std::string, ParamSpec>>> declared;  // its parameter blocks
  std::uint64_t parameter_values = 0;                                    // Σ of the blocks' sizes
};

// Building in stages, each throwing the SourceError of the checks it makes (graph.h, BUILDING).
template <typename T>
Graph<T>::Graph(const GraphSpec& spec, const Registry& registry, Rng& rng)
    : Graph(spec, registry, &rng, nullptr) {}

template <typename T>
std::unique_ptr<Graph<T>> Graph<T>::replica() {
  return std::unique_ptr<Graph>(new Graph(spec_, *registry_, nullptr, this));
}

template <typename T>
Graph<T>::Graph(const GraphSpec& spec, const Registry& registry, Rng* rng, Graph* values_of)
    : spec_(spec), registry_(&registry), file_(spec.file) {
  if (spec.nodes.empty()) throw SourceError({spec.file, 0, 0}, "the graph has no nodes");
  Build build{spec, registry, {}, {}, {}, 0};
  order_nodes(resolve_inputs(spec, registry), build);
  // Node by node along the order, so that the first error along it is the one reported.
  for (std::size_t p = 0; p < nodes_.size(); ++p) {
    make_module(p, build);
    infer_shape(p, build);
  }
  declare_parameters(build);
  allocate_parameters(build, rng, values_of);
  bind_parameters(build);
  mark_needs_gradient();
  // What each node's passes read: its inputs' states.
  for (auto& node : nodes_) {
    inputs_.emplace_back();
    for (int i : node.inputs) inputs_.back().push_back(&nodes_[i].state);
  }
}

// nodes_ in topological order (or the cycle as an error), each with its inputs' positions in it.
template <typename T>
void Graph<T>::order_nodes(const std::vector<std::vector<int>>& inputs, Build& build) {
  const std::vector<int> order = topological_order(build.spec, inputs);
  std::vector<int> position(order.size());
  for (std::size_t p = 0; p < order.size(); ++p) position[order[p]] = static_cast<int>(p);
  nodes_.resize(order.size());
  build.keys.resize(order.size());
  build.declared.resize(order.size());
  for (std::size_t p = 0; p < order.size(); ++p) {
    const NodeSpec& ns = build.spec.nodes[order[p]];
    build.specs.push_back(&ns);
    nodes_[p].name = ns.name;
    nodes_[p].type = ns.type;
    nodes_[p].where = ns.where;
    for (int i : inputs[order[p]]) nodes_[p].inputs.push_back(position[i]);
  }
}

// Node p's settings validated against its schema, and its module made from them (an input node
// reads its shape and source instead).
template <typename T>
void Graph<T>::make_module(std::size_t p, Build& build) {
  const NodeSpec& ns = *build.specs[p];
  Node& node = nodes_[p];
  const std::string owner = ns.type + " '" + ns.name + "'";
  if (ns.type == "input") {
    const Settings settings =
        Settings::validate(input_node_settings(), ns.settings, owner, ns.where);
    node.is_input = true;
    node.state.shape = settings.shape("shape");
    node.state.needs_gradient = false;
    node.source = settings.text("source");
    return;
  }
  const Registry& registry = build.registry;
  const ModuleInfo& info = registry.module_info(ns.type);
  build.keys[p] = split_settings(ns.settings);
  std::vector<SettingSpec> schema = info.settings;
  if (info.is_loss)
    for (const SettingSpec& engine : loss_node_settings()) {
      for (const SettingSpec& own : info.settings)
        if (own.name == engine.name)
          throw SourceError(ns.type_where, "loss type '" + ns.type + "' declares a setting '" +
                                               own.name +
                                               "', which the engine gives every loss (a plugin "
                                               "bug)");
      schema.push_back(engine);
    }
  const Settings settings = Settings::validate(schema, build.keys[p].module, owner, ns.where);
  if (info.is_loss) node.loss_weight = settings.real("weight");
  try {
    node.module = registry.make_module<T>(ns.type, settings);
  } catch (const SourceError&) {
    throw;
  } catch (const Error& e) {
    throw SourceError(ns.where, owner + ": " + e.what());
  }
  node.is_loss = info.is_loss;
  node.gauss_newton = info.gauss_newton;
}

// Node p's output shape from its inputs' (both nodes named on a mismatch), within max_size and
// the memory for one example's values up to it.
template <typename T>
void Graph<T>::infer_shape(std::size_t p, Build& build) {
  const NodeSpec& ns = *build.specs[p];
  Node& node = nodes_[p];
  if (node.is_input) return;
  std::vector<Shape> shapes;
  for (int i : node.inputs) shapes.push_back(nodes_[i].state.shape);
  try {
    node.state.shape = node.module->output_shape(shapes);
    shape_size(node.state.shape);  // every dimension positive, the size an int (shape.h)
  } catch (const Error& e) {
    throw SourceError(ns.where, "node '" + ns.name + "' (" + ns.type + ") on " +
                                    describe_inputs(build.spec, ns, shapes) + ": " + e.what());
  }
  if (node.is_loss && shape_size(node.state.shape) != 1)
    throw SourceError(ns.where, "loss module '" + ns.type + "' gave shape " +
                                    shape_str(node.state.shape) +
                                    "; a loss outputs one value per example (a plugin bug)");
  values_per_example_ += node.state.size();
  check_node_allocation(ns, values_per_example_, kStateMatrices * sizeof(T),
                        "one example's values up to this node, with their derivatives");
}

// Every module's parameters declared in the store: one block per name, shared when names agree
// (§4.7), with share.ROLE and lr.ROLE naming roles the module has and shared blocks of one shape.
template <typename T>
void Graph<T>::declare_parameters(Build& build) {
  struct Declared {
    std::string node;
    SourceLocation where;
  };
  std::map<std::string, Declared> first_user;
  for (std::size_t p = 0; p < nodes_.size(); ++p) {
    Node& node = nodes_[p];
    if (node.is_input) continue;
    const SplitSettings& keys = build.keys[p];
    const auto specs = node.module->parameters();
    std::vector<std::string> roles;
    for (const auto& s : specs) roles.push_back(s.role);
    for (const auto* given : {&keys.share, &keys.lr})
      for (const auto& [role, raw] : *given)
        if (std::find(roles.begin(), roles.end(), role) == roles.end())
          throw SourceError(
              raw.where, "node '" + node.name + "' (" + node.type + ") has no parameter '" + role +
                             "'" +
                             (roles.empty() ? " (it has no parameters)"
                                            : " (its parameters: " + join(roles) + ")"));
    for (const auto& s : specs) {
      const auto shared = keys.share.find(s.role);
      const std::string name =
          shared != keys.share.end() ? shared->second.value : node.name + "." + s.role;
      const SourceLocation where = shared != keys.share.end() ? shared->second.where : node.where;
      if (const ParamBlock* existing = params_.find(name)) {
        if (existing->rows != s.rows || existing->cols != s.cols) {
          const Declared& first = first_user.at(name);
          throw SourceError(where, "parameter '" + name + "' is " + std::to_string(existing->rows) +
                                       "x" + std::to_string(existing->cols) + " in node '" +
                                       first.node + "' (line " + std::to_string(first.where.line) +
                                       ") but node '" + node.name + "' needs " +
                                       std::to_string(s.rows) + "x" + std::to_string(s.cols));
        }
      } else {
        first_user[name] = {node.name, where};
        const std::string size = std::to_string(s.rows) + "x" + std::to_string(s.cols);
        if (s.rows < 1 || s.cols < 1)
          throw SourceError(where, "node '" + node.name + "' (" + node.type +
                                       ") declares parameter '" + name + "' of " + size +
                                       " values (a plugin bug)");
        build.parameter_values +=
            static_cast<std::uint64_t>(s.rows) * static_cast<std::uint64_t>(s.cols);
        check_node_allocation(*build.specs[p], build.parameter_values, kStoreVectors * sizeof(T),
                              "the parameters up to this node (" + name + " is " + size +
                                  "), with their derivatives and rates");
        if (static_cast<std::int64_t>(s.rows) * s.cols > max_size)
          throw SourceError(where, "node '" + node.name + "' (" + node.type + "): parameter '" +
                                       name + "' would be " + size + " values, more than " +
                                       std::to_string(max_size));
      }
      params_.declare(name, s);
      build.declared[p].emplace_back(name, s);
      node.parameters.push_back(name);
    }
  }
}

// The store allocated (a failure names the parameter count) and initialized from rng (Eq. 16).
template <typename T>
void Graph<T>::allocate_parameters(const Build& build, Rng* rng, Graph* values_of) {
  try {
    params_.allocate();
  } catch (const std::bad_alloc&) {
    throw SourceError(
        {build.spec.file, 0, 0},
        out_of_memory("the graph's " + std::to_string(build.parameter_values) + " parameters"));
  }
  if (values_of)
    params_.read_values_of(values_of->params_);
  else
    params_.initialize(*rng);
}

// A value needs derivatives when it depends on a parameter: its node has parameters or reads such
// a value. The blocks of modules that fuse the SGD step are marked for it (the store keeps only
// those with one user and one rate scale).
template <typename T>
void Graph<T>::mark_needs_gradient() {
  for (auto& node : nodes_) {
    if (node.is_input) continue;
    node.state.needs_gradient = !node.parameters.empty();
    for (int i : node.inputs) node.state.needs_gradient |= nodes_[i].state.needs_gradient;
  }
  for (const auto& node : nodes_)
    if (!node.is_input && node.module->fuses_descent())
      for (const std::string& name : node.parameters)
        params_.set_fusable(static_cast<std::size_t>(params_.find(name) - params_.blocks().data()),
                            true);
}

// Every module bound to views of its blocks, each block's rate scaled by its lr.ROLE.
template <typename T>
void Graph<T>::bind_parameters(const Build& build) {
  for (std::size_t p = 0; p < nodes_.size(); ++p) {
    Node& node = nodes_[p];
    if (node.is_input) continue;
    const auto& lr_keys = build.keys[p].lr;
    std::vector<ParamView<T>> views;
    for (const auto& [name, s] : build.declared[p]) {
      const ParamBlock& block = *params_.find(name);
      views.push_back(params_.view(block));
      const auto lr = lr_keys.find(s.role);
      if (lr != lr_keys.end()) {
        double scale = 0;
        try {
          scale = std::get<double>(parse_setting_value(SettingType::real, lr->second.value));
        } catch (const Error& e) {
          throw SourceError(lr->second.where, "lr." + s.role + ": " + e.what());
        }
        params_.set_lr_scale(block.offset, block.size(), static_cast<T>(scale));
      }
    }
    node.module->bind(views);
    node.module->use_workers(workers_);
  }
}

template <typename T>
bool Graph<T>::splits_work() const {
  bool weights = false;
  for (const auto& node : nodes_) {
    if (node.is_input || node.parameters.empty()) continue;
    if (!node.module->splits_work()) return false;
    weights = true;
  }
  return weights;
}

template <typename T>
int Graph<T>::find(const std::string& name) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].name == name) return static_cast<int>(i);
  return -1;
}

template <typename T>
typename Graph<T>::Node& Graph<T>::node(const std::string& name) {
  const int i = find(name);
  if (i < 0) {
    std::vector<std::string> names;
    for (const auto& node : nodes_) names.push_back(node.name);
    const std::string hint = did_you_mean(name, names);
    throw Error("the graph " + file_ + " has no node '" + name + "'" +
                (hint.empty() ? "" : "; " + hint));
  }
  return nodes_[i];
}

template <typename T>
std::vector<int> Graph<T>::input_nodes() const {
  std::vector<int> result;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].is_input) result.push_back(static_cast<int>(i));
  std::sort(result.begin(), result.end(),
            [&](int a, int b) { return nodes_[a].where.line < nodes_[b].where.line; });
  return result;
}

template <typename T>
std::vector<int> Graph<T>::loss_nodes() const {
  std::vector<int> result;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].is_loss) result.push_back(static_cast<int>(i));
  return result;
}

template <typename T>
std::vector<int> Graph<T>::loss_nodes_in_file_order() const {
  std::vector<int> result = loss_nodes();
  std::sort(result.begin(), result.end(),
            [&](int a, int b) { return nodes_[a].where.line < nodes_[b].where.line; });
  return result;
}

template <typename T>
void Graph<T>::fprop() {
  int batch = -1;
  std::string first;
  for (auto& node : nodes_) {
    if (!node.is_input) continue;
    if (node.state.x.rows() != node.state.size())
      throw Error("input '" + node.name + "' holds " + std::to_string(node.state.x.rows()) +
                  " values per example but its shape " + shape_str(node.state.shape) + " needs " +
                  std::to_string(node.state.size()));
    if (batch >= 0 && node.state.batch() != batch)
      throw Error("input '" + node.name + "' holds " + std::to_string(node.state.batch()) +
                  " examples but '" + first + "' holds " + std::to_string(batch));
    batch = node.state.batch();
    first = node.name;
  }
  if (batch != checked_batch_) {
    check_allocation(
        values_per_example_ * static_cast<std::uint64_t>(batch), kStateMatrices * sizeof(T),
        "the graph " + file_ + ", for a batch of " + std::to_string(batch) + " examples");
    checked_batch_ = batch;
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (!nodes_[i].is_input)
      in_pass(i, "fprop", [&] { nodes_[i].module->fprop(inputs_[i], nodes_[i].state); });
}

template <typename T>
template <typename Pass>
void Graph<T>::in_pass(std::size_t i, const char* pass, Pass&& run) {
  try {
    run();
  } catch (const std::bad_alloc&) {
    // An allocation inside the module that no check foresaw: name the node, not std::bad_alloc.
    const Node& node = nodes_[i];
    const int batch = inputs_[i].empty() ? 0 : inputs_[i][0]->batch();
    throw SourceError(node.where,
                      out_of_memory("node '" + node.name + "' (" + node.type + "), " + pass +
                                    " on a batch of " + std::to_string(batch) + " examples"));
  }
}

template <typename T>
double Graph<T>::loss() const {
  double total = 0;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].is_loss) total += nodes_[i].loss_weight * loss_of(static_cast<int>(i));
  return total;
}

template <typename T>
double Graph<T>::loss_of(int node) const {
  const State<T>& state = nodes_[node].state;
  return static_cast<double>(state.x.sum()) / state.batch();
}

// dE/d(loss output) of one example: its weight over the batch size (E takes the weighted mean),
// times the share `scale` of a part of a larger batch.
template <typename T>
T Graph<T>::loss_seed(const Node& node, double scale) {
  return static_cast<T>(scale * node.loss_weight / node.state.batch());
}

template <typename T>
void Graph<T>::bprop(double scale) {
  for (auto& node : nodes_) {
    if (!node.state.needs_gradient) continue;
    if (node.is_loss)
      node.state.dx.setConstant(node.state.x.rows(), node.state.x.cols(), loss_seed(node, scale));
    else
      node.state.dx.setZero(node.state.x.rows(), node.state.x.cols());
  }
  params_.note_gradients_written();
  for (std::size_t i = nodes_.size(); i-- > 0;)
    if (nodes_[i].state.needs_gradient)
      in_pass(i, "bprop", [&] { nodes_[i].module->bprop(inputs_[i], nodes_[i].state); });
}

template <typename T>
void Graph<T>::bprop_descending(T eta, const Vector<T>* factors) {
  params_.set_descent_step(eta, factors);
  try {
    bprop();
  } catch (...) {
    params_.set_descent_step(T(0));
    throw;
  }
  params_.descend_unfused(eta, factors);
}

template <typename T>
void Graph<T>::bbprop(double scale) {
  for (auto& node : nodes_) {
    if (!node.state.needs_gradient) continue;
    node.state.ddx.setZero(node.state.x.rows(), node.state.x.cols());
    if (node.is_loss) node.state.dx.setConstant(loss_seed(node, scale));
  }
  for (std::size_t i = nodes_.size(); i-- > 0;)
    if (nodes_[i].state.needs_gradient)
      in_pass(i, "bbprop", [&] { nodes_[i].module->bbprop(inputs_[i], nodes_[i].state); });
}

template <typename T>
std::vector<std::string> Graph<T>::nodes_without_r_passes() const {
  std::vector<std::string> names;
  for (const auto& node : nodes_)
    if (!node.is_input && !node.module->has_r_passes()) names.push_back(node.name);
  return names;
}

template <typename T>
void Graph<T>::r_fprop() {
  const auto missing = nodes_without_r_passes();
  if (!missing.empty())
    throw Error("no exact Hessian-vector product: nodes without R-operator passes: " +
                join(missing));
  for (auto& node : nodes_)  // values that do not depend on the weights: R{x} = 0
    if (!node.state.needs_gradient) node.state.rx.setZero(node.state.x.rows(), node.state.x.cols());
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].state.needs_gradient)
      in_pass(i, "r_fprop", [&] { nodes_[i].module->r_fprop(inputs_[i], nodes_[i].state); });
}

template <typename T>
void Graph<T>::hessian_vector() {
  r_fprop();
  for (auto& node : nodes_)  // the loss seeds are constants: R{seed} = 0
    if (node.state.needs_gradient) node.state.rdx.setZero(node.state.x.rows(), node.state.x.cols());
  params_.rdw().setZero();
  for (std::size_t i = nodes_.size(); i-- > 0;)
    if (nodes_[i].state.needs_gradient)
      in_pass(i, "r_bprop", [&] { nodes_[i].module->r_bprop(inputs_[i], nodes_[i].state); });
}

template <typename T>
void Graph<T>::gauss_newton_vector() {
  r_fprop();
  for (auto& node : nodes_)
    if (node.state.needs_gradient) node.state.rdx.setZero(node.state.x.rows(), node.state.x.cols());
  // weight · H (J v) at each output: the loss modules' r_bprop, with their seeds dx = weight/batch
  // from bprop.
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].is_loss && nodes_[i].state.needs_gradient)
      in_pass(i, "r_bprop", [&] { nodes_[i].module->r_bprop(inputs_[i], nodes_[i].state); });
  // Jᵀ (H J v): an ordinary bprop of the modules below the losses, seeded at the outputs.
  for (auto& node : nodes_)
    if (node.state.needs_gradient) node.state.dx.setZero(node.state.x.rows(), node.state.x.cols());
  for (const auto& node : nodes_)
    if (node.is_loss && node.state.needs_gradient) {
      auto& output = nodes_[node.inputs.front()].state;
      output.dx = output.rdx;
    }
  const Vector<T> gradient = params_.dw();
  params_.clear_gradients();
  params_.note_gradients_written();
  for (std::size_t i = nodes_.size(); i-- > 0;)
    if (nodes_[i].state.needs_gradient && !nodes_[i].is_loss)
      in_pass(i, "bprop", [&] { nodes_[i].module->bprop(inputs_[i], nodes_[i].state); });
  params_.rdw() = params_.dw();
  params_.dw() = gradient;
}

template <typename T>
int Graph<T>::first_non_finite() const {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (!nodes_[i].state.x.allFinite()) return static_cast<int>(i);
  return -1;
}

template class Graph<float>;
template class Graph<double>;

}  // namespace ebprop
