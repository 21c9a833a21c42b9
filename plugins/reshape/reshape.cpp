// reshape: the same values read with another shape, e.g. a vector of 784 pixels as 1x28x28 for
// a convolution. Values keep their order (state.h's layout), so the Jacobian is the identity and
// every pass copies or adds (ebprop/relabel.h does them).
#include "ebprop/plugin.h"
#include "ebprop/relabel.h"

namespace {

using namespace ebprop;

template <typename T>
class Reshape final : public Relabel<T> {
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

 private:
  const Shape shape_;
};

void register_reshape(Registry& registry) {
  registry.add_module<Reshape>(
      {"reshape",
       "the input's values read with another shape of the same size (e.g. 784 → 1x28x28)",
       {"x"},
       {required("shape", SettingType::shape, "the output shape, e.g. 1x28x28")},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{{"shape", "3x6"}}, {{2, 3, 3}}}, {{{"shape", "1x4x4"}}, {{16}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_reshape)
