// concat: y = [a; b], the values of two inputs one after the other, taken flat (output shape
// {size(a) + size(b)}), so that one layer can read two branches. The Jacobian is a selection:
// every pass hands each input its own rows of the output's derivatives.
#include <cstdint>

#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Concat final : public Module<T> {
 public:
  explicit Concat(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    rows_a_ = shape_size(inputs.at(0));
    rows_b_ = shape_size(inputs.at(1));
    return {checked_size(std::int64_t{rows_a_} + rows_b_, "concat's output size (a + b)")};
  }

  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(in[0]->batch());
    out.x << in[0]->x, in[1]->x;
  }

  void bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->dx += out.dx.topRows(rows_a_);
    if (in[1]->needs_gradient) in[1]->dx += out.dx.bottomRows(rows_b_);
  }

  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->ddx += out.ddx.topRows(rows_a_);
    if (in[1]->needs_gradient) in[1]->ddx += out.ddx.bottomRows(rows_b_);
  }

  bool has_r_passes() const override { return true; }

  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    out.rx.resize(rows_a_ + rows_b_, in[0]->batch());
    out.rx << in[0]->rx, in[1]->rx;
  }

  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) in[0]->rdx += out.rdx.topRows(rows_a_);
    if (in[1]->needs_gradient) in[1]->rdx += out.rdx.bottomRows(rows_b_);
  }

 private:
  int rows_a_ = 0, rows_b_ = 0;
};

void register_concat(Registry& registry) {
  registry.add_module<Concat>(
      {"concat",
       "y = [a; b]: two inputs' values one after the other, flat (output "
       "size = size(a) + size(b))",
       {"a", "b"},
       {},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{3}, {2}}}, {{}, {{2, 2}, {5}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_concat)
