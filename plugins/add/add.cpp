// add: y = a + b, the junction of a skip connection or of two branches. Both inputs and the
// output have one shape; the Jacobian of each input is the identity, so every pass hands the
// output's derivatives to both inputs. Adding a node to itself, add(a, a), gives a 2·dy, the exact
// gradient of 2a, and 2·ddy from bbprop: the Gauss-Newton rule applied per edge, dropping the cross
// term between the two edges as for any fan-out (§7.3).
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Add final : public Module<T> {
 public:
  explicit Add(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    if (inputs.at(0) != inputs.at(1))
      throw ShapeError("add needs two inputs of the same shape, found " + shape_str(inputs[0]) +
                       " and " + shape_str(inputs[1]));
    return inputs[0];
  }

  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(in[0]->batch());
    out.x = in[0]->x + in[1]->x;
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

  void r_fprop(const Inputs<T>& in, State<T>& out) override { out.rx = in[0]->rx + in[1]->rx; }

  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    for (State<T>* input : in)
      if (input->needs_gradient) input->rdx += out.rdx;
  }
};

void register_add(Registry& registry) {
  registry.add_module<Add>(
      {"add",
       "sum y = a + b of two inputs of the same shape (e.g. a skip "
       "connection); each input receives the output's derivatives",
       {"a", "b"},
       {},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{4}, {4}}}, {{}, {{2, 3}, {2, 3}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_add)
