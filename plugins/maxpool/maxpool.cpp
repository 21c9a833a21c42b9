// maxpool: each unit outputs the largest input of its k×k window, the windows a stride s apart
// (s = k by default: non-overlapping). A later alternative to LeNet's averaging subsampling
// (plugins/subsample). The function is piecewise linear: on each piece the Jacobian has a single 1
// per output, at the window's argmax, so every pass routes values between an output and its
// argmax; the Gauss-Newton rule (Eq. 53-56, ddx_j += Σ_i ddy_i J_ij²) routes ddy the same way.
//
// Shapes: maps × rows × columns, or rows × columns for one map; the output has the same rank with
// (rows − k)/s + 1 rows (likewise columns), which must be a whole number.
#include <string>

#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class MaxPool final : public Module<T> {
 public:
  explicit MaxPool(const Settings& settings)
      : size_(static_cast<int>(settings.integer("size"))),
        stride_(settings.integer("stride") == 0 ? size_
                                                : static_cast<int>(settings.integer("stride"))) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    const Shape& shape = inputs.at(0);
    if (shape.size() != 2 && shape.size() != 3)
      throw ShapeError(
          "maxpool expects maps x rows x columns (or rows x columns for one map), found " +
          shape_str(shape));
    maps_ = shape.size() == 3 ? shape[0] : 1;
    rows_ = shape[shape.size() - 2];
    cols_ = shape[shape.size() - 1];
    out_rows_ = output_size(rows_, "rows");
    out_cols_ = output_size(cols_, "columns");
    Shape output = shape;
    output[shape.size() - 2] = out_rows_;
    output[shape.size() - 1] = out_cols_;
    return output;
  }

  // Finds each window's argmax (the first of equal values) and copies it out.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    const Matrix<T>& x = in[0]->x;
    out.resize(in[0]->batch());
    argmax_.resize(out.size(), in[0]->batch());
    for (Eigen::Index e = 0; e < x.cols(); ++e)
      for (int m = 0; m < maps_; ++m)
        for (int r = 0; r < out_rows_; ++r)
          for (int c = 0; c < out_cols_; ++c) {
            int best = (m * rows_ + r * stride_) * cols_ + c * stride_;
            for (int a = 0; a < size_; ++a)
              for (int b = 0; b < size_; ++b) {
                const int j = (m * rows_ + r * stride_ + a) * cols_ + c * stride_ + b;
                if (x(j, e) > x(best, e)) best = j;
              }
            const int o = (m * out_rows_ + r) * out_cols_ + c;
            argmax_(o, e) = best;
            out.x(o, e) = x(best, e);
          }
  }

  void bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) route(out.dx, in[0]->dx);
  }

  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) route(out.ddx, in[0]->ddx);
  }

  bool has_r_passes() const override { return true; }

  // R{y_i} = R{x_argmax(i)}: the same piece of the function (§7.5).
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    out.rx.resize(out.size(), in[0]->batch());
    for (Eigen::Index e = 0; e < argmax_.cols(); ++e)
      for (Eigen::Index o = 0; o < argmax_.rows(); ++o) out.rx(o, e) = in[0]->rx(argmax_(o, e), e);
  }

  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    if (in[0]->needs_gradient) route(out.rdx, in[0]->rdx);
  }

 private:
  int output_size(int size, const char* what) const {
    if (size_ > size || (size - size_) % stride_ != 0)
      throw ShapeError("maxpool size=" + std::to_string(size_) +
                       " stride=" + std::to_string(stride_) + " expects " + what + " = " +
                       std::to_string(size_) + " + a multiple of " + std::to_string(stride_) +
                       ", found " + std::to_string(size));
    return (size - size_) / stride_ + 1;
  }

  // dx[argmax(i)] += dy[i] for every output i (overlapping windows may share an argmax).
  void route(const Matrix<T>& dy, Matrix<T>& dx) const {
    for (Eigen::Index e = 0; e < argmax_.cols(); ++e)
      for (Eigen::Index o = 0; o < argmax_.rows(); ++o) dx(argmax_(o, e), e) += dy(o, e);
  }

  const int size_, stride_;
  int maps_ = 0, rows_ = 0, cols_ = 0, out_rows_ = 0, out_cols_ = 0;
  Eigen::Matrix<int, Eigen::Dynamic, Eigen::Dynamic> argmax_;  // input row of each output's max
};

void register_maxpool(Registry& registry) {
  registry.add_module<MaxPool>(
      {"maxpool",
       "the largest value of each k x k window; every pass routes to the argmax (J is 0/1)",
       {"x"},
       {optional("size", SettingType::integer, "2", "k: the windows are k x k").at_least(1),
        optional("stride", SettingType::integer, "0",
                 "step between windows; 0 means k (non-overlapping)")
            .at_least(0)},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{2, 4, 4}}},
        {{{"size", "3"}, {"stride", "1"}}, {{1, 5, 4}}},
        {{{"size", "2"}, {"stride", "3"}}, {{5, 8}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_maxpool)
