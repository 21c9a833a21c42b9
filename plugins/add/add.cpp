// add: y = x1 + x2 + ... + xn (n >= 2), the junction of a skip connection or of several branches.
// The inputs and the output have one shape; the Jacobian of each input is the identity, so every
// pass hands the output's derivatives to each input. Adding a node to itself, add(a, a), gives a
// 2·dy, the exact gradient of 2a, and 2·ddy from bbprop: the Gauss-Newton rule applied per edge,
// dropping the cross term between the two edges as for any fan-out (§7.3).
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Add final : public Module<T> {
 public:
  explicit Add(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    for (std::size_t i = 1; i < inputs.size(); ++i)
      if (inputs[i] != inputs[0])
        throw ShapeError("add needs inputs of one shape, found " + shape_str(inputs[0]) +
                         " (input 1) and " + shape_str(inputs[i]) + " (input " +
                         std::to_string(i + 1) + ")");
    return inputs.at(0);
  }

  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(in[0]->batch());
    out.x = in[0]->x;
    for (std::size_t i = 1; i < in.size(); ++i) out.x += in[i]->x;
  }

  void bprop(const Inputs<T>& in, const State<T>& out) override {
    for (State<T>* input : in)
      if (input->needs_gradient) input->dx += out.dx;
  }

  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    for (State<T>* input : in)
      if (input->needs_gradient) input->ddx += out.ddx;
  }

  bool has_r_passes() const override { return true; }

  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    out.rx = in[0]->rx;
    for (std::size_t i = 1; i < in.size(); ++i) out.rx += in[i]->rx;
  }

  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    for (State<T>* input : in)
      if (input->needs_gradient) input->rdx += out.rdx;
  }
};

void register_add(Registry& registry) {
  ModuleInfo info{"add",
                  "sum y = x1 + x2 + ... of two or more inputs of one shape (e.g. a skip "
                  "connection); each input receives the output's derivatives",
                  {"x1", "x2"},
                  {},
                  false,
                  // Derivative-check cases (module.h): settings, input shapes, input values.
                  {{{}, {{4}, {4}}},
                   {{}, {{2, 3}, {2, 3}}},
                   {{}, {{3}, {3}, {3}}},
                   {{}, {{2, 2}, {2, 2}, {2, 2}, {2, 2}}}}};
  info.more_inputs = true;
  registry.add_module<Add>(std::move(info));
}

}  // namespace

EBPROP_PLUGIN(register_add)
