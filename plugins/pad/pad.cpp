// pad: p rows and columns of zeros around each map, {maps, rows, columns} → {maps, rows + 2p,
// columns + 2p} (or rows × columns for one map, keeping that rank). LeNet-5 reads its 28×28
// digits centred in a 32×32 field (LeCun et al. 1998, §II.B): pad size=2. The Jacobian is 1 from
// each input to its place in the output and 0 elsewhere, so the backward passes crop and add.
#include <cstdint>
#include <limits>
#include <string>

#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Pad final : public Module<T> {
 public:
  explicit Pad(const Settings& settings) : padding_(static_cast<int>(settings.integer("size"))) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    const Shape& shape = inputs.at(0);
    if (shape.size() != 2 && shape.size() != 3)
      throw ShapeError("pad expects maps x rows x columns (or rows x columns for one map), found " +
                       shape_str(shape));
    maps_ = shape.size() == 3 ? shape[0] : 1;
    rows_ = shape[shape.size() - 2];
    cols_ = shape[shape.size() - 1];
    Shape output = shape;
    const std::int64_t border = 2 * static_cast<std::int64_t>(padding_);
    out_rows_ = output[shape.size() - 2] = checked_size(rows_ + border, "pad's output rows");
    out_cols_ = output[shape.size() - 1] = checked_size(cols_ + border, "pad's output columns");
    return output;
  }

  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(in[0]->batch());
    out.x.setZero();
    for (int e = 0; e < in[0]->batch(); ++e)
      for (int m = 0; m < maps_; ++m) inside(out.x, e, m) = map(in[0]->x, e, m);
  }
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) crop_add(out.dx, in[0]->dx);
  }
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) crop_add(out.ddx, in[0]->ddx);
  }

  bool has_r_passes() const override { return true; }
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    out.rx.setZero(out.size(), in[0]->batch());
    for (int e = 0; e < in[0]->batch(); ++e)
      for (int m = 0; m < maps_; ++m) inside(out.rx, e, m) = map(in[0]->rx, e, m);
  }
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) crop_add(out.rdx, in[0]->rdx);
  }

 private:
  using Image = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  // Map m of example e of an input batch, rows × columns (row-major, state.h).
  Eigen::Map<Image> map(Matrix<T>& x, int e, int m) const {
    return {x.col(e).data() + m * rows_ * cols_, rows_, cols_};
  }
  Eigen::Map<const Image> map(const Matrix<T>& x, int e, int m) const {
    return {x.col(e).data() + m * rows_ * cols_, rows_, cols_};
  }
  // The part of map m of example e of an output batch that holds the input.
  auto inside(Matrix<T>& y, int e, int m) const {
    return Eigen::Map<Image>(y.col(e).data() + m * out_rows_ * out_cols_, out_rows_, out_cols_)
        .block(padding_, padding_, rows_, cols_);
  }
  auto inside(const Matrix<T>& y, int e, int m) const {
    return Eigen::Map<const Image>(y.col(e).data() + m * out_rows_ * out_cols_, out_rows_,
                                   out_cols_)
        .block(padding_, padding_, rows_, cols_);
  }

  void crop_add(const Matrix<T>& dy, Matrix<T>& dx) const {
    for (int e = 0; e < dy.cols(); ++e)
      for (int m = 0; m < maps_; ++m) map(dx, e, m) += inside(dy, e, m);
  }

  const int padding_;
  int maps_ = 0, rows_ = 0, cols_ = 0, out_rows_ = 0, out_cols_ = 0;
};

void register_pad(Registry& registry) {
  registry.add_module<Pad>(
      {"pad",
       "p rows and columns of zeros around each map: maps x rows x columns → maps x (rows + 2p) "
       "x (columns + 2p)",
       {"x"},
       // At most a quarter of int's range, so rows + 2p still fits an int.
       {required("size", SettingType::integer, "p, the width of the zero border")
            .at_least(0)
            .at_most(std::numeric_limits<int>::max() / 4)},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{{"size", "1"}}, {{2, 3, 4}}}, {{{"size", "2"}}, {{3, 3}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_pad)
