// flatten: the same values as a vector, {maps, rows, columns} → {maps·rows·columns}, e.g. from
// the last feature maps of a convolutional network to a full connection. The Jacobian is the
// identity, so every pass copies or adds.
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Flatten final : public Module<T> {
 public:
  explicit Flatten(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    return {shape_size(inputs.at(0))};
  }

  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(in[0]->batch());
    out.x = in[0]->x;
  }
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->dx += out.dx;
  }
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->ddx += out.ddx;
  }

  bool has_r_passes() const override { return true; }
  void r_fprop(const Inputs<T>& in, State<T>& out) override { out.rx = in[0]->rx; }
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->rdx += out.rdx;
  }
};

void register_flatten(Registry& registry) {
  registry.add_module<Flatten>(
      {"flatten",
       "the input as a vector of all its values (maps x rows x columns → one size)",
       {"x"},
       {},
       false});
}

}  // namespace

EBPROP_PLUGIN(register_flatten)
