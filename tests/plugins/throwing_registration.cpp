// A plugin whose registration function throws after registering one type: the loader must name the
// plugin and say how far the registration got.
#include <ebprop/plugin.h>

#include <stdexcept>

namespace {

template <typename T>
class Identity final : public ebprop::Module<T> {
 public:
  explicit Identity(const ebprop::Settings&) {}
  ebprop::Shape output_shape(const std::vector<ebprop::Shape>& in) override { return in[0]; }
  void fprop(const ebprop::Inputs<T>& in, ebprop::State<T>& out) override { out.x = in[0]->x; }
  void bprop(const ebprop::Inputs<T>& in, const ebprop::State<T>& out) override {
    in[0]->dx += out.dx;
  }
  void bbprop(const ebprop::Inputs<T>& in, const ebprop::State<T>& out) override {
    in[0]->ddx += out.ddx;
  }
};

void register_types(ebprop::Registry& registry) {
  registry.add_module<Identity>({"first_identity", "registered before the failure", {"x"}, {}});
  throw std::runtime_error("the plugin's own set-up failed");
}

}  // namespace

EBPROP_PLUGIN(register_types)
