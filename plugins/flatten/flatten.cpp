// flatten: the same values as a vector, {maps, rows, columns} → {maps·rows·columns}, e.g. from
// the last feature maps of a convolutional network to a full connection. The Jacobian is the
// identity, so every pass copies or adds (ebprop/relabel.h does them).
#include "ebprop/plugin.h"
#include "ebprop/relabel.h"

namespace {

using namespace ebprop;

template <typename T>
class Flatten final : public Relabel<T> {
 public:
  explicit Flatten(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    return {shape_size(inputs.at(0))};
  }
};

void register_flatten(Registry& registry) {
  registry.add_module<Flatten>(
      {"flatten",
       "the input as a vector of all its values (maps x rows x columns → one size)",
       {"x"},
       {},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{2, 3, 3}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_flatten)
