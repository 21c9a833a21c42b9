// reshape: the same values read with another shape, e.g. a vector of 784 pixels as 1x28x28 for
// a convolution. Values keep their order (state.h's layout), so the Jacobian is the identity and
// every pass copies or adds.
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Reshape final : public Module<T> {
 public:
  explicit Reshape(const Settings& settings) : shape_(settings.shape("shape")) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    if (shape_size(inputs.at(0)) != shape_size(shape_))
      throw ShapeError("reshape to " + shape_str(shape_) + " expects an input of " +
                       std::to_string(shape_size(shape_)) + " values, found " +
                       shape_str(inputs[0]) + " (" + std::to_string(shape_size(inputs[0])) +
                       " values)");
    return shape_;
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

 private:
  const Shape shape_;
};

void register_reshape(Registry& registry) {
  registry.add_module<Reshape>(
      {"reshape",
       "the input's values read with another shape of the same size (e.g. 784 → 1x28x28)",
       {"x"},
       {required("shape", SettingType::shape, "the output shape, e.g. 1x28x28")},
       false});
}

}  // namespace

EBPROP_PLUGIN(register_reshape)
