// softsign: an ebprop plugin built outside the ebprop tree, as a model for plugin authors.
//
//   y = f(a) = a / (1 + |a|)        f'(a) = 1 / (1 + |a|)²
//
// An odd sigmoid, like the paper's 1.7159 tanh(2a/3) (§4.4), that approaches its asymptotes ±1
// polynomially instead of exponentially. The contract every module follows is in
// <ebprop/module.h>; docs/writing-plugins.md walks through it.
#include <ebprop/plugin.h>

namespace {  // nothing but the entry point (EBPROP_PLUGIN below) leaves the library

using namespace ebprop;

// One class template over the scalar type: the engine trains with Softsign<float> and the
// derivative checker runs Softsign<double>.
template <typename T>
class Softsign final : public Module<T> {
 public:
  // The settings arrive validated against the schema registered below (empty here).
  explicit Softsign(const Settings& /*settings*/) {}

  // Pointwise: the output has the shape of the input.
  Shape output_shape(const std::vector<Shape>& inputs) override { return inputs.at(0); }

  // out.x = f(in.x), one column per example. Caches f'(a) for bprop and bbprop, which the engine
  // calls after an fprop on the same inputs.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    const auto a = in[0]->x.array();
    out.resize(static_cast<int>(a.cols()));
    out.x.array() = a / (T(1) + a.abs());
    derivative_ = (T(1) + a.abs()).square().inverse();
  }

  // First derivatives: dE/da += dE/dy · f'(a). Always ADD (+=): several modules may feed the
  // same state. needs_gradient is false for data, whose derivative nobody reads.
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->dx.array() += out.dx.array() * derivative_;
  }

  // Diagonal second derivatives, Gauss-Newton (Eq. 53): d2E/da2 += d2E/dy2 · f'(a)².
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->ddx.array() += out.ddx.array() * derivative_.square();
  }

 private:
  Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic> derivative_;  // f'(a) of the last fprop
};

// The plugin's registration function: one add_module per type, with what --list-plugins shows.
void register_softsign(Registry& registry) {
  registry.add_module<Softsign>({"softsign",                               // type in graph files
                                 "softsign y = x / (1 + |x|), pointwise",  // one-line doc
                                 {"x"},                                    // input names
                                 {},                                       // settings schema
                                 false,                                    // not a loss
                                 // Derivative-check cases: settings and input shapes (module.h).
                                 {{{}, {{5}}}, {{}, {{2, 3}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_softsign)
