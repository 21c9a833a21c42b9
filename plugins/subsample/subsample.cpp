// subsample: LeNet's subsampling layer (LeCun, Bottou, Bengio & Haffner 1998, §II.A; layers S2
// and S4 of LeNet-5). Each map is cut into non-overlapping k×k windows; a unit averages its
// window, scales it by its map's trainable coefficient and adds its map's trainable bias:
//   y[m, r, c] = a_m · avg[m, r, c] + b_m,  avg[m, r, c] = (1/k²) Σ_{i,j<k} x[m, rk + i, ck + j].
// (§II.B words LeNet-5's S2 with the sum of the four inputs instead: the same layer with a
// coefficient k² times larger.) The layer starts as a plain average, a = 1 and b = 0, so it keeps
// the scale of its input.
//
// Shapes: maps × rows × columns, or rows × columns for one map, with rows and columns multiples
// of k; the output has the same rank with rows/k and columns/k.
#include <string>

#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

template <typename T>
class Subsample final : public Module<T> {
 public:
  explicit Subsample(const Settings& settings)
      : size_(static_cast<int>(settings.integer("size"))) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    const Shape& shape = inputs.at(0);
    if (shape.size() != 2 && shape.size() != 3)
      throw ShapeError(
          "subsample expects maps x rows x columns (or rows x columns for one map), found " +
          shape_str(shape));
    maps_ = shape.size() == 3 ? shape[0] : 1;
    rows_ = shape[shape.size() - 2];
    cols_ = shape[shape.size() - 1];
    if (rows_ % size_ != 0 || cols_ % size_ != 0)
      throw ShapeError("subsample size=" + std::to_string(size_) +
                       " expects rows and columns divisible by " + std::to_string(size_) +
                       ", found " + std::to_string(rows_) + "x" + std::to_string(cols_));
    Shape output = shape;
    output[shape.size() - 2] = rows_ / size_;
    output[shape.size() - 1] = cols_ / size_;
    return output;
  }

  std::vector<ParamSpec> parameters() const override {
    const int fan_in = size_ * size_ + 1;  // Eq. 16's m, for the record: both start fixed
    const int positions = (rows_ / size_) * (cols_ / size_);  // §4.7: shared by every output
    return {{"coefficient", maps_, 1, fan_in, Init::one, positions},
            {"bias", maps_, 1, fan_in, Init::zero, positions}};
  }

  void bind(const std::vector<ParamView<T>>& views) override {
    coefficient_ = views.at(0);
    bias_ = views.at(1);
  }

  void fprop(const Inputs<T>& in, State<T>& out) override {
    out.resize(in[0]->batch());
    average(in[0]->x, average_);
    for (int m = 0; m < maps_; ++m)
      block(out.x, m).array() = coefficient_.w[m] * block(average_, m).array() + bias_.w[m];
  }

  // dx = dy · a/k² on each input of the window; da = Σ dy · avg; db = Σ dy.
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    for (int m = 0; m < maps_; ++m) {
      coefficient_.dw[m] += block(out.dx, m).cwiseProduct(block(average_, m)).sum();
      bias_.dw[m] += block(out.dx, m).sum();
    }
    if (!in[0]->needs_gradient) return;
    spread(out.dx, coefficient_.w, T(1) / area(), in[0]->dx);
  }

  // Gauss-Newton (§7.3): every input reaches one output, through J = a/k², so
  // ddx = ddy · a²/k⁴ (Eq. 56); dda = Σ ddy · avg² (Eq. 54); ddb = Σ ddy.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    for (int m = 0; m < maps_; ++m) {
      coefficient_.ddw[m] +=
          (block(out.ddx, m).array() * block(average_, m).array().square()).sum();
      bias_.ddw[m] += block(out.ddx, m).sum();
    }
    if (!in[0]->needs_gradient) return;
    squares_ = coefficient_.value().array().square();
    spread(out.ddx, squares_.data(), T(1) / (area() * area()), in[0]->ddx);
  }

  bool has_r_passes() const override { return true; }

  // R{y} = a R{avg} + v_a avg + v_b, (v_a, v_b) the direction of (a, b) (§7.5).
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    average(in[0]->rx, r_average_);
    out.rx.resize(out.size(), in[0]->batch());
    for (int m = 0; m < maps_; ++m)
      block(out.rx, m).array() = coefficient_.w[m] * block(r_average_, m).array() +
                                 coefficient_.rw[m] * block(average_, m).array() + bias_.rw[m];
  }

  // R{dx} = (a R{dy} + v_a dy)/k²;  R{da} = Σ R{dy} avg + dy R{avg};  R{db} = Σ R{dy}.
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    for (int m = 0; m < maps_; ++m) {
      coefficient_.rdw[m] += block(out.rdx, m).cwiseProduct(block(average_, m)).sum() +
                             block(out.dx, m).cwiseProduct(block(r_average_, m)).sum();
      bias_.rdw[m] += block(out.rdx, m).sum();
    }
    if (!in[0]->needs_gradient) return;
    spread(out.rdx, coefficient_.w, T(1) / area(), in[0]->rdx);
    spread(out.dx, coefficient_.rw, T(1) / area(), in[0]->rdx);
  }

 private:
  T area() const { return static_cast<T>(size_ * size_); }
  int outputs_per_map() const { return (rows_ / size_) * (cols_ / size_); }

  // The rows of a batch of outputs that belong to map m.
  auto block(Matrix<T>& y, int m) const {
    return y.middleRows(m * outputs_per_map(), outputs_per_map());
  }
  auto block(const Matrix<T>& y, int m) const {
    return y.middleRows(m * outputs_per_map(), outputs_per_map());
  }

  // avg: the mean of every k×k window of x. Per output row, the k input rows are summed first
  // (contiguous, vectorized), then each run of k columns of that sum (size 2, LeNet's, as pairs).
  void average(const Matrix<T>& x, Matrix<T>& avg) {
    const int out_rows = rows_ / size_, out_cols = cols_ / size_;
    const T scale = T(1) / area();
    avg.resize(maps_ * outputs_per_map(), x.cols());
    row_.resize(cols_);
    for (Eigen::Index e = 0; e < x.cols(); ++e)
      for (int m = 0; m < maps_; ++m) {
        const T* map = x.col(e).data() + m * rows_ * cols_;
        T* means = avg.col(e).data() + m * outputs_per_map();
        for (int r = 0; r < out_rows; ++r, means += out_cols) {
          const T* first = map + r * size_ * cols_;
          T* sum = row_.data();
          for (int c = 0; c < cols_; ++c) sum[c] = first[c];
          for (int i = 1; i < size_; ++i)
            for (int c = 0; c < cols_; ++c) sum[c] += first[i * cols_ + c];
          if (size_ == 2) {
            for (int c = 0; c < out_cols; ++c) means[c] = scale * (sum[2 * c] + sum[2 * c + 1]);
            continue;
          }
          for (int c = 0; c < out_cols; ++c) {
            T total = 0;
            for (int j = 0; j < size_; ++j) total += sum[c * size_ + j];
            means[c] = scale * total;
          }
        }
      }
  }

  // dx += scale · per_map[m] · g on every input of the window that gave g, in map m: each
  // output row is spread over a row of columns (size 2 as pairs), then added to the k input rows.
  void spread(const Matrix<T>& g, const T* per_map, T scale, Matrix<T>& dx) {
    const int out_rows = rows_ / size_, out_cols = cols_ / size_;
    row_.resize(cols_);
    for (Eigen::Index e = 0; e < g.cols(); ++e)
      for (int m = 0; m < maps_; ++m) {
        const T factor = scale * per_map[m];
        T* map = dx.col(e).data() + m * rows_ * cols_;
        const T* from = g.col(e).data() + m * outputs_per_map();
        for (int r = 0; r < out_rows; ++r, from += out_cols) {
          T* wide = row_.data();
          if (size_ == 2)
            for (int c = 0; c < out_cols; ++c) wide[2 * c] = wide[2 * c + 1] = factor * from[c];
          else
            for (int c = 0; c < out_cols; ++c)
              for (int j = 0; j < size_; ++j) wide[c * size_ + j] = factor * from[c];
          T* first = map + r * size_ * cols_;
          for (int i = 0; i < size_; ++i)
            for (int c = 0; c < cols_; ++c) first[i * cols_ + c] += wide[c];
        }
      }
  }

  const int size_;
  int maps_ = 0, rows_ = 0, cols_ = 0;
  ParamView<T> coefficient_, bias_;
  Matrix<T> average_, r_average_;  // avg of x (fprop) and of R{x} (r_fprop)
  Vector<T> squares_;              // a², for bbprop
  Vector<T> row_;                  // one row of columns: the sums of k rows, or one spread
};

void register_subsample(Registry& registry) {
  registry.add_module<Subsample>(
      {"subsample",
       "LeNet's subsampling (LeCun et al. 1998): the average of each k x k window times a "
       "trainable coefficient per map, plus a trainable bias per map",
       {"x"},
       {optional("size", SettingType::integer, "2",
                 "k: non-overlapping k x k windows; rows and columns must be multiples of k")
            .at_least(1)},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{}, {{2, 4, 6}}}, {{{"size", "3"}}, {{1, 6, 3}}}, {{}, {{4, 2}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_subsample)
