// concat: y = [x1; x2; ...; xn] (n >= 2), the values of the inputs one after the other, each taken
// flat (output shape {size(x1) + ... + size(xn)}), so that one layer can read several branches.
// The Jacobian is a selection: every pass hands each input its own rows of the output's
// derivatives.
#include <cstdint>

#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Concat final : public Module<T> {
 public:
  explicit Concat(const Settings& /*settings*/) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    rows_.clear();
    first_row_.clear();
    std::int64_t total = 0;
    for (const Shape& shape : inputs) {
      first_row_.push_back(static_cast<int>(total));
      rows_.push_back(shape_size(shape));
      total = checked_size(total + rows_.back(), "concat's output size (the inputs' sizes summed)");
    }
    return {static_cast<int>(total)};
  }

  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(in[0]->batch());
    for (std::size_t i = 0; i < in.size(); ++i)
      out.x.middleRows(first_row_[i], rows_[i]) = in[i]->x;
  }

  void bprop(const Inputs<T>& in, const State<T>& out) override {
    for (std::size_t i = 0; i < in.size(); ++i)
      if (in[i]->needs_gradient) in[i]->dx += out.dx.middleRows(first_row_[i], rows_[i]);
  }

  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    for (std::size_t i = 0; i < in.size(); ++i)
      if (in[i]->needs_gradient) in[i]->ddx += out.ddx.middleRows(first_row_[i], rows_[i]);
  }

  bool has_r_passes() const override { return true; }

  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    out.rx.resize(out.size(), in[0]->batch());
    for (std::size_t i = 0; i < in.size(); ++i)
      out.rx.middleRows(first_row_[i], rows_[i]) = in[i]->rx;
  }

  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    for (std::size_t i = 0; i < in.size(); ++i)
      if (in[i]->needs_gradient) in[i]->rdx += out.rdx.middleRows(first_row_[i], rows_[i]);
  }

 private:
  std::vector<int> rows_;       // per input: its size, the rows it fills
  std::vector<int> first_row_;  // per input: the output row its values start at
};

void register_concat(Registry& registry) {
  ModuleInfo info{"concat",
                  "y = [x1; x2; ...]: two or more inputs' values one after the other, flat "
                  "(output size = the sum of the inputs' sizes)",
                  {"x1", "x2"},
                  {},
                  false,
                  // Derivative-check cases (module.h): settings, input shapes, input values.
                  {{{}, {{3}, {2}}},
                   {{}, {{2, 2}, {5}}},
                   {{}, {{3}, {1}, {2, 2}}},
                   {{}, {{2}, {3}, {1}, {4}}}}};
  info.more_inputs = true;
  registry.add_module<Concat>(std::move(info));
}

}  // namespace

EBPROP_PLUGIN(register_concat)
