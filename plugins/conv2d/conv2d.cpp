// conv2d: a convolutional layer, the shared-weight feature maps of LeNet (§4.7; LeCun, Bottou,
// Bengio & Haffner 1998, "Gradient-based learning applied to document recognition", §II.A).
//
// Every unit of output map j sees a k×k window of some input maps, and all units of a map use
// the same kernels: y[j, r, c] = b_j + Σ_{i → j} Σ_{a,b} w_ji[a, b] x[i, r·s + a − p, c·s + b − p],
// with zeros outside the input (padding p) and stride s. Which input maps i feed map j is the
// connection table: all of them by default, or a list per output map, e.g. LeNet-5's C3 (Table I
// of LeCun et al. 1998), which breaks the symmetry between maps and saves connections.
//
// Shapes: the input is maps × rows × columns, or rows × columns for a single map; the output is
// maps × rows' × columns' with rows' = (rows + 2p − k)/s + 1 (likewise columns'), which must be
// a whole number.
//
// Parameters: "weight" holds only the connected kernels, k·k × (number of connections), one
// column per (output map j, input map i) pair in order of j then i, each kernel row-major; with a
// full table that is k·k × (maps_in · maps_out). An unconnected pair has no weight at all, so it
// can never move. "bias" holds one value per output map.
//
// Implementation: each pass is one matrix product (two for the R-terms) over the whole batch.
// fprop unrolls the windows of every example (im2col) into X̃, (batch·positions) × maps_in·k·k,
// one row per output position, example after example; a run of an output row's positions is
// copied as one vector, contiguous on both sides when the stride is 1. W is the dense
// maps_in·k·k × maps_out kernel matrix: the stored weights themselves with a full table, else a
// copy made once per fprop (and per r_fprop for the direction) with zeros where the table leaves
// pairs unconnected. A product's (batch·positions) × maps result is laid out as the state's one
// column per example (for a batch of one it already is). With one output position and no padding
// (LeNet-5's C5) the window is the input itself: the passes are products with the input's state,
// as in a linear layer. An input that needs no gradient (State::needs_gradient) gets no dX̃, and
// its R{X̃} is zero, so the R-passes skip its terms.
#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ebprop/memory.h"
#include "ebprop/plugin.h"

namespace {

using namespace ebprop;

// Table I of LeCun et al. 1998: the S2 maps (of 6) that feed each of the 16 C3 maps.
const char* const lenet5_c3_table =
    "0,1,2; 1,2,3; 2,3,4; 3,4,5; 4,5,0; 5,0,1; 0,1,2,3; 1,2,3,4; 2,3,4,5; 3,4,5,0; 4,5,0,1; "
    "5,0,1,2; 0,1,3,4; 1,2,4,5; 0,2,3,5; 0,1,2,3,4,5";

SourceError table_error(const Settings& settings, const std::string& why) {
  return SourceError(settings.where("table"), "setting 'table' of conv2d: " + why);
}

// The table setting: "" (every input map feeds every output map), "lenet5-c3", or one group of
// input-map indices per output map, "0,1,2; 1,2,3; ...". Each group comes back sorted.
std::vector<std::vector<int>> parse_table(const Settings& settings, int maps) {
  const std::string& text = settings.text("table");
  if (text.empty()) return {};
  std::vector<std::vector<int>> groups;
  std::istringstream group_stream(text == "lenet5-c3" ? lenet5_c3_table : text);
  for (std::string group; std::getline(group_stream, group, ';');) {
    const std::string j = std::to_string(groups.size());
    std::vector<int>& sources = groups.emplace_back();
    std::istringstream index_stream(group);
    for (std::string item; std::getline(index_stream, item, ',');) {
      const auto first = item.find_first_not_of(" \t");
      const auto last = item.find_last_not_of(" \t");
      const std::string index = first == std::string::npos ? "" : item.substr(first, last + 1);
      if (index.empty() || index.size() > 6 ||
          index.find_first_not_of("0123456789") != std::string::npos)
        throw table_error(settings, "output map " + j + " lists '" + index +
                                        "': expected input-map indices in groups like "
                                        "'0,1,2;1,2,3', one group per output map, or 'lenet5-c3'");
      sources.push_back(std::stoi(index));
    }
    if (sources.empty()) throw table_error(settings, "output map " + j + " has no input maps");
    std::sort(sources.begin(), sources.end());
    const auto twice = std::adjacent_find(sources.begin(), sources.end());
    if (twice != sources.end())
      throw table_error(
          settings, "output map " + j + " lists input map " + std::to_string(*twice) + " twice");
  }
  if (static_cast<int>(groups.size()) != maps)
    throw table_error(settings, "expected one group per output map (maps=" + std::to_string(maps) +
                                    "), found " + std::to_string(groups.size()));
  return groups;
}

template <typename T>
class Conv2d final : public Module<T> {
 public:
  explicit Conv2d(const Settings& settings)
      : maps_(static_cast<int>(settings.integer("maps"))),
        kernel_(static_cast<int>(settings.integer("kernel"))),
        stride_(static_cast<int>(settings.integer("stride"))),
        padding_(static_cast<int>(settings.integer("padding"))),
        bias_(settings.boolean("bias")),
        table_(parse_table(settings, maps_)) {}

  Shape output_shape(const std::vector<Shape>& inputs) override {
    const Shape& shape = inputs.at(0);
    if (shape.size() != 2 && shape.size() != 3)
      throw ShapeError("conv2d expects maps x rows x columns (or rows x columns for one map), " +
                       std::string("found ") + shape_str(shape));
    inputs_ = shape.size() == 3 ? shape[0] : 1;
    rows_ = shape[shape.size() - 2];
    cols_ = shape[shape.size() - 1];
    out_rows_ = output_size(rows_, "rows");
    out_cols_ = output_size(cols_, "columns");
    // Every size the passes index with an int, checked in 64 bits first (shape.h); the buffers
    // that do not show in the output shape checked against the memory too.
    positions_ = checked_size(std::int64_t{out_rows_} * out_cols_, "conv2d's output positions");
    checked_size(std::int64_t{maps_} * positions_, "conv2d's output size (maps x positions)");
    area_ = checked_size(std::int64_t{kernel_} * kernel_, "conv2d's kernel size (kernel x kernel)");
    depth_ =
        checked_size(std::int64_t{inputs_} * area_, "conv2d's window (input maps x kernel size)");
    checked_size(std::int64_t{depth_} * maps_, "conv2d's dense kernel matrix (window x maps)");
    checked_size(std::int64_t{positions_} * depth_,
                 "conv2d's unrolled windows of one example (positions x window)");
    check_allocation(std::uint64_t(positions_) * std::uint64_t(depth_), sizeof(T),
                     "conv2d's unrolled windows of one example");
    check_allocation(std::uint64_t(depth_) * std::uint64_t(maps_), sizeof(Connection) + sizeof(T),
                     "conv2d's connections and dense kernel matrix");
    whole_ = positions_ == 1 && padding_ == 0;
    connect();
    for (int offset = 0; offset < kernel_; ++offset) {
      row_range_.push_back(inside(offset, rows_, out_rows_));
      col_range_.push_back(inside(offset, cols_, out_cols_));
    }
    return {maps_, out_rows_, out_cols_};
  }

  std::vector<ParamSpec> parameters() const override {
    // Eq. 16: m = the inputs of one output unit, k·k per connected input map, plus the bias. With
    // a table the maps differ (75 to 150 in LeNet-5's C3); the mean stands for them all.
    const int connections = static_cast<int>(connections_.size());  // <= depth_ x maps_
    const int fan_in =
        static_cast<int>((std::int64_t{connections} * area_ + maps_ / 2) / maps_) + (bias_ ? 1 : 0);
    // §4.7: every kernel weight and bias serves each output position.
    std::vector<ParamSpec> specs{{"weight", area_, connections, fan_in, Init::fan_in, positions_}};
    if (bias_) specs.push_back({"bias", maps_, 1, fan_in, Init::fan_in, positions_});
    return specs;
  }

  void bind(const std::vector<ParamView<T>>& views) override {
    weight_ = views.at(0);
    if (bias_) bias_view_ = views.at(1);
  }

  // Y = X̃ W + b for the whole batch in one matrix product.
  void fprop(const Inputs<T>& in, State<T>& out) override {
    const State<T>& input = *in[0];
    out.resize(input.batch());
    if (!table_.empty()) expand(weight_.w, w_);
    const auto w = kernels(weight_.w, w_);
    if (whole_) {
      out.x.noalias() = w.transpose() * input.x;
      if (bias_) out.x.colwise() += bias_view_.value().col(0);
      return;
    }
    unroll(input.x, windows_);
    auto y = output_rows(out.x, y_);
    y.noalias() = windows_ * w;
    if (bias_) y.rowwise() += bias_view_.value().col(0).transpose();
    lay_out(y_, out.x);
  }

  // Eq. 4-5 with weight sharing (§4.7): a kernel's gradient is the sum over every position it
  // is used at, dW = X̃ᵀ dY; dX̃ = dY Wᵀ folds back onto the input; db = Σ dY.
  void bprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    const auto w = kernels(weight_.w, w_);
    if (whole_) {
      add_kernels(input.x * out.dx.transpose(), weight_.dw);
      if (input.needs_gradient) input.dx.noalias() += w * out.dx;
      if (bias_) bias_view_.grad().col(0) += out.dx.rowwise().sum();
      return;
    }
    const auto dy = batch_rows(out.dx, dy_);
    add_kernels(windows_.transpose() * dy, weight_.dw);
    if (input.needs_gradient) {
      window_.noalias() = dy * w.transpose();
      fold(window_, input.dx);
    }
    if (bias_) bias_view_.grad().col(0) += dy.colwise().sum().transpose();
  }

  // Gauss-Newton (§7.3), Eq. 54 and 56 summed over the positions that share a kernel:
  // ddW = (X̃∘X̃)ᵀ ddY, ddX̃ = ddY (W∘W)ᵀ folded back (an input reaches an output unit through one
  // weight at most), ddb = Σ ddY.
  void bbprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    const auto w = kernels(weight_.w, w_);
    if (whole_) {
      squares_ = input.x.array().square();
      add_kernels(squares_ * out.ddx.transpose(), weight_.ddw);
      if (input.needs_gradient) add_squared_kernels(w, out.ddx, input.ddx);
      if (bias_) bias_view_.hess().col(0) += out.ddx.rowwise().sum();
      return;
    }
    const auto ddy = batch_rows(out.ddx, dy_);
    // At least one example's windows a block: one example is one product (LeNet-5's C1 at batch 1
    // took 1.4x its bprop in the two products of 64 KiB blocks, 1.2x in one).
    const Eigen::Index step = std::max<Eigen::Index>(in_cache(depth_), positions_);
    for (Eigen::Index n = 0; n < ddy.rows(); n += step) {
      const Eigen::Index rows = std::min(step, ddy.rows() - n);
      squares_ = windows_.middleRows(n, rows).array().square();
      add_kernels(squares_.transpose() * ddy.middleRows(n, rows), weight_.ddw);
    }
    if (input.needs_gradient) {
      w_squared_ = w.array().square();
      window_.noalias() = ddy * w_squared_.transpose();
      fold(window_, input.ddx);
    }
    if (bias_) bias_view_.hess().col(0) += ddy.colwise().sum().transpose();
  }

  bool has_r_passes() const override { return true; }

  // R{Y} = R{X̃} W + X̃ V + R{b}, V the direction of the kernels (§7.5). An input that needs no
  // gradient depends on no weight: its R{X̃} is zero and the term is skipped.
  void r_fprop(const Inputs<T>& in, State<T>& out) override {
    const State<T>& input = *in[0];
    out.rx.resize(out.size(), input.batch());
    if (!table_.empty()) expand(weight_.rw, v_);
    const auto w = kernels(weight_.w, w_);
    const auto v = kernels(weight_.rw, v_);
    if (whole_) {
      out.rx.noalias() = v.transpose() * input.x;
      if (input.needs_gradient) out.rx.noalias() += w.transpose() * input.rx;
      if (bias_) out.rx.colwise() += bias_view_.direction().col(0);
      return;
    }
    auto ry = output_rows(out.rx, y_);
    ry.noalias() = windows_ * v;
    if (input.needs_gradient) {
      unroll(input.rx, r_windows_);
      ry.noalias() += r_windows_ * w;
    }
    if (bias_) ry.rowwise() += bias_view_.direction().col(0).transpose();
    lay_out(y_, out.rx);
  }

  // R{dX̃} = dY Vᵀ + R{dY} Wᵀ;  R{dW} = X̃ᵀ R{dY} + R{X̃}ᵀ dY;  R{db} = Σ R{dY}.
  void r_bprop(const Inputs<T>& in, const State<T>& out) override {
    State<T>& input = *in[0];
    const auto w = kernels(weight_.w, w_);
    const auto v = kernels(weight_.rw, v_);
    if (whole_) {
      add_kernels(input.x * out.rdx.transpose(), weight_.rdw);
      if (input.needs_gradient) {
        add_kernels(input.rx * out.dx.transpose(), weight_.rdw);
        input.rdx.noalias() += v * out.dx;
        input.rdx.noalias() += w * out.rdx;
      }
      if (bias_) bias_view_.r_grad().col(0) += out.rdx.rowwise().sum();
      return;
    }
    const auto dy = batch_rows(out.dx, dy_);
    const auto rdy = batch_rows(out.rdx, rdy_);
    add_kernels(windows_.transpose() * rdy, weight_.rdw);
    if (input.needs_gradient) {
      add_kernels(r_windows_.transpose() * dy, weight_.rdw);
      window_.noalias() = dy * v.transpose();
      window_.noalias() += rdy * w.transpose();
      fold(window_, input.rdx);
    }
    if (bias_) bias_view_.r_grad().col(0) += rdy.colwise().sum().transpose();
  }

 private:
  struct Connection {
    int out, in;  // output map j is fed by input map i
  };

  int output_size(int size, const char* what) const {
    const std::int64_t padded = size + 2 * std::int64_t{padding_};
    if (kernel_ > padded)
      throw ShapeError("conv2d: the " + std::to_string(kernel_) + "x" + std::to_string(kernel_) +
                       " kernel is larger than the padded input: expected " + what +
                       " + 2*padding >= " + std::to_string(kernel_) + ", found " +
                       std::to_string(size) + " + 2*" + std::to_string(padding_) + " = " +
                       std::to_string(padded));
    if ((padded - kernel_) % stride_ != 0)
      throw ShapeError(
          "conv2d: the input's " + std::string(what) + " do not fit the kernel: " + "expected " +
          what + " + 2*padding - kernel to be a multiple of the stride " + std::to_string(stride_) +
          ", found " + std::to_string(size) + " + 2*" + std::to_string(padding_) + " - " +
          std::to_string(kernel_) + " = " + std::to_string(padded - kernel_));
    return checked_size((padded - kernel_) / stride_ + 1, "conv2d's output " + std::string(what));
  }

  // The connections in storage order, from the table and the number of input maps.
  void connect() {
    for (int j = 0; j < maps_; ++j) {
      if (table_.empty()) {
        for (int i = 0; i < inputs_; ++i) connections_.push_back({j, i});
        continue;
      }
      for (int i : table_[j]) {
        if (i >= inputs_)
          throw ShapeError("conv2d: the connection table feeds output map " + std::to_string(j) +
                           " from input map " + std::to_string(i) + ", but the input has " +
                           std::to_string(inputs_) + " maps");
        connections_.push_back({j, i});
      }
    }
    std::vector<bool> used(inputs_, false);
    for (const Connection& c : connections_) used[c.in] = true;
    const auto unused = std::find(used.begin(), used.end(), false);
    if (unused != used.end())
      throw ShapeError("conv2d: the connection table feeds no output map from input map " +
                       std::to_string(unused - used.begin()) + " of the input's " +
                       std::to_string(inputs_) + " maps");
  }

  // The output positions [first, last) along one axis whose input index o·stride + offset −
  // padding lies inside the input; the others read the zero padding.
  std::pair<int, int> inside(int offset, int size, int outputs) const {
    const auto input_index = [&](int o) { return std::int64_t{o} * stride_ + offset - padding_; };
    int first = 0, last = outputs;
    while (first < last && input_index(first) < 0) ++first;
    while (last > first && input_index(last - 1) >= size) --last;
    return {first, last};
  }

  // A batch of outputs (or of their derivatives) in the orientation of the unrolled windows,
  // (batch·positions) × maps with the rows example by example: for one example that is the
  // state's own layout (state.h), so these are views of it; for more, a copy in scratch.
  Eigen::Map<const Matrix<T>> batch_rows(const Matrix<T>& state, Matrix<T>& scratch) const {
    const Eigen::Index batch = state.cols(), positions = positions_;
    if (batch == 1) return {state.data(), positions, maps_};
    scratch.resize(batch * positions, maps_);
    for (Eigen::Index e = 0; e < batch; ++e)
      for (int j = 0; j < maps_; ++j)
        scratch.col(j).segment(e * positions, positions) =
            state.col(e).segment(j * positions, positions);
    return {scratch.data(), scratch.rows(), maps_};
  }
  // Where a pass writes its batch of outputs, then laid out in the state by lay_out.
  Eigen::Map<Matrix<T>> output_rows(Matrix<T>& state, Matrix<T>& scratch) const {
    const Eigen::Index batch = state.cols();
    if (batch == 1) return {state.data(), positions_, maps_};
    scratch.resize(batch * positions_, maps_);
    return {scratch.data(), scratch.rows(), maps_};
  }
  void lay_out(const Matrix<T>& scratch, Matrix<T>& state) const {
    const Eigen::Index batch = state.cols(), positions = positions_;
    if (batch == 1) return;
    for (Eigen::Index e = 0; e < batch; ++e)
      for (int j = 0; j < maps_; ++j)
        state.col(e).segment(j * positions, positions) =
            scratch.col(j).segment(e * positions, positions);
  }

  // Calls run(input, output, n) for each output row of kernel offset (a, b): its n output
  // positions from `output` on (within one example) read the input map's entries input,
  // input + stride, ... (offsets from the map's start); the positions outside read the padding.
  template <typename Run>
  void for_each_run(int a, int b, const Run& run) const {
    const auto [c0, c1] = col_range_[b];
    if (c0 >= c1) return;
    for (int r = row_range_[a].first; r < row_range_[a].second; ++r)
      run((Eigen::Index{r} * stride_ + a - padding_) * cols_ + Eigen::Index{c0} * stride_ + b -
              padding_,
          Eigen::Index{r} * out_cols_ + c0, c1 - c0);
  }

  // ddx += (W∘W) ddy for whole_. For one example that is a matrix-vector product, and each
  // weight is squared as it is read (writing W∘W out would cost as much again); for more, matrix
  // products over blocks of W∘W's columns.
  void add_squared_kernels(const Eigen::Map<const Matrix<T>>& w, const Matrix<T>& ddy,
                           Matrix<T>& ddx) {
    if (ddy.cols() == 1) {
      for (int j = 0; j < maps_; ++j) ddx.col(0) += w.col(j).array().square().matrix() * ddy(j, 0);
      return;
    }
    const Eigen::Index step = in_cache(depth_);
    for (Eigen::Index j = 0; j < maps_; j += step) {
      const Eigen::Index maps = std::min<Eigen::Index>(step, maps_ - j);
      w_squared_ = w.middleCols(j, maps).array().square();
      ddx.noalias() += w_squared_ * ddy.middleRows(j, maps);
    }
  }

  // How many rows (or columns) of `length` entries make a block of squares that stays in the
  // cache: bbprop squares the windows (or W) a block at a time instead of writing them all out.
  static Eigen::Index in_cache(Eigen::Index length) {
    return std::max<Eigen::Index>(1, (std::int64_t{64} << 10) / std::int64_t{sizeof(T)} / length);
  }

  // im2col for the whole batch: column (i·k + a)·k + b holds input map i at kernel offset (a, b),
  // row e·positions + r·columns' + c for output position (r, c) of example e. Example by example
  // (its input stays in cache), each run a loop the compiler vectorizes, contiguous on both sides
  // when the stride is 1. The entries that read the padding are zeroed when the buffer is sized
  // and never written after.
  void unroll(const Matrix<T>& x, Matrix<T>& windows) const {
    const Eigen::Index batch = x.cols();
    if (windows.rows() != batch * positions_ || windows.cols() != depth_)
      windows.setZero(batch * positions_, depth_);
    if (stride_ == 1)
      unroll<1>(x, windows);
    else
      unroll<0>(x, windows);
  }
  template <int unit_stride>  // 1: the stride is 1; 0: stride_
  void unroll(const Matrix<T>& x, Matrix<T>& windows) const {
    const Eigen::Index step = unit_stride == 1 ? 1 : stride_;
    for (Eigen::Index e = 0; e < x.cols(); ++e)
      for (int i = 0; i < inputs_; ++i) {
        const T* map = x.col(e).data() + Eigen::Index{i} * rows_ * cols_;
        for (int a = 0; a < kernel_; ++a)
          for (int b = 0; b < kernel_; ++b) {
            T* column = windows.col((i * kernel_ + a) * kernel_ + b).data() + e * positions_;
            for_each_run(a, b, [&](Eigen::Index input, Eigen::Index output, int n) {
              const T* from = map + input;
              T* to = column + output;
              for (int c = 0; c < n; ++c) to[c] = from[c * step];
            });
          }
      }
  }

  // col2im, the transpose of unroll: adds each window entry onto the input value it was read from.
  void fold(const Matrix<T>& window, Matrix<T>& dx) const {
    if (stride_ == 1)
      fold<1>(window, dx);
    else
      fold<0>(window, dx);
  }
  template <int unit_stride>
  void fold(const Matrix<T>& window, Matrix<T>& dx) const {
    const Eigen::Index step = unit_stride == 1 ? 1 : stride_;
    for (Eigen::Index e = 0; e < dx.cols(); ++e)
      for (int i = 0; i < inputs_; ++i) {
        T* map = dx.col(e).data() + Eigen::Index{i} * rows_ * cols_;
        for (int a = 0; a < kernel_; ++a)
          for (int b = 0; b < kernel_; ++b) {
            const T* column = window.col((i * kernel_ + a) * kernel_ + b).data() + e * positions_;
            for_each_run(a, b, [&](Eigen::Index input, Eigen::Index output, int n) {
              T* to = map + input;
              const T* from = column + output;
              for (int c = 0; c < n; ++c) to[c * step] += from[c];
            });
          }
      }
  }

  // The dense depth × maps kernel matrix (of w, or of the direction v): column j stacks output
  // map j's kernels over every input map. With a full table that is the stored matrix itself;
  // with a table, the copy in `dense` that expand() made.
  Eigen::Map<const Matrix<T>> kernels(const T* stored, const Matrix<T>& dense) const {
    return {table_.empty() ? stored : dense.data(), depth_, maps_};
  }
  // The stored kernels into the dense matrix, zeros where the table leaves pairs unconnected
  // (set when it is sized and never written after).
  void expand(const T* stored, Matrix<T>& dense) const {
    if (dense.rows() != depth_ || dense.cols() != maps_) dense.setZero(depth_, maps_);
    for (std::size_t n = 0; n < connections_.size(); ++n)
      dense.col(connections_[n].out).segment(connections_[n].in * area_, area_) =
          Eigen::Map<const Vector<T>>(stored + n * area_, area_);
  }

  // Adds a dense depth × maps product into the stored kernels: in place with a full table; with
  // a table through dw_, dropping the unconnected entries.
  template <typename Product>
  void add_kernels(const Product& product, T* stored) {
    if (table_.empty()) {
      Eigen::Map<Matrix<T>>(stored, depth_, maps_).noalias() += product;
      return;
    }
    dw_.noalias() = product;
    for (std::size_t n = 0; n < connections_.size(); ++n)
      Eigen::Map<Vector<T>>(stored + n * area_, area_) +=
          dw_.col(connections_[n].out).segment(connections_[n].in * area_, area_);
  }

  const int maps_, kernel_, stride_, padding_;
  const bool bias_;
  const std::vector<std::vector<int>> table_;  // empty: full connection

  int inputs_ = 0, rows_ = 0, cols_ = 0, out_rows_ = 0, out_cols_ = 0;
  int positions_ = 0, area_ = 0, depth_ = 0;  // out_rows_·out_cols_, kernel_², inputs_·area_
  // One output position and no padding: the one window of each example is the input itself
  // (rows = columns = k), so the passes use the input's state with no unrolling.
  bool whole_ = false;
  std::vector<Connection> connections_;
  std::vector<std::pair<int, int>> row_range_, col_range_;  // per kernel offset, see inside()
  ParamView<T> weight_, bias_view_;

  // Scratch, sized on first use and kept: the unrolled windows of x (from fprop) and of R{x}
  // (from r_fprop, for an input that needs a gradient), a block of their squares (bbprop; of x
  // itself for whole_), the window derivatives; a batch of outputs or output derivatives as
  // batch_rows() orders them; the dense kernels of w (from fprop) and of v (from r_fprop) with a
  // table, a product with the table's zeros (dw_), and W∘W (a block of its columns for whole_).
  Matrix<T> windows_, r_windows_, squares_, window_;
  Matrix<T> y_, dy_, rdy_;
  Matrix<T> w_, v_, dw_, w_squared_;
};

void register_conv2d(Registry& registry) {
  registry.add_module<Conv2d>(
      {"conv2d",
       "convolution with shared weights (§4.7; LeCun et al. 1998) of maps x rows x columns (or "
       "rows x columns): one k x k kernel per connected pair of maps; bbprop by Eq. 54 and 56",
       {"x"},
       {required("maps", SettingType::integer, "number of output maps").at_least(1),
        required("kernel", SettingType::integer, "k: the kernels are k x k").at_least(1),
        optional("stride", SettingType::integer, "1", "step between windows").at_least(1),
        optional("padding", SettingType::integer, "0",
                 "rows and columns of zeros around each input map")
            .at_least(0),
        optional("bias", SettingType::boolean, "true", "add a trainable bias per output map"),
        optional(
            "table", SettingType::text, "",
            "input maps feeding each output map: '' for all, 'lenet5-c3' for LeNet-5's C3 "
            "(LeCun et al. 1998, Table I), or groups like '0,1,2;1,2,3' (one per output map)")},
       false,
       // Derivative-check cases (module.h): settings, input shapes, input values.
       {{{{"maps", "2"}, {"kernel", "3"}}, {{1, 5, 5}}},
        {{{"maps", "3"}, {"kernel", "3"}, {"padding", "1"}}, {{2, 4, 5}}},
        {{{"maps", "2"}, {"kernel", "3"}, {"padding", "2"}}, {{2, 3, 3}}},
        {{{"maps", "2"}, {"kernel", "3"}, {"stride", "2"}}, {{2, 7, 5}}},
        {{{"maps", "2"}, {"kernel", "3"}, {"stride", "2"}, {"padding", "1"}}, {{1, 7, 7}}},
        {{{"maps", "4"}, {"kernel", "1"}}, {{3, 3, 4}}},
        {{{"maps", "2"}, {"kernel", "5"}}, {{2, 6, 5}}},
        {{{"maps", "2"}, {"kernel", "5"}, {"padding", "2"}, {"stride", "2"}}, {{1, 5, 5}}},
        {{{"maps", "3"}, {"kernel", "3"}, {"bias", "false"}}, {{2, 4, 4}}},
        {{{"maps", "2"}, {"kernel", "3"}, {"padding", "1"}}, {{4, 4}}},
        {{{"maps", "4"}, {"kernel", "3"}, {"table", "0,1; 1,2; 2,0; 0,1,2"}}, {{3, 5, 5}}},
        {{{"maps", "3"}, {"kernel", "2"}, {"stride", "2"}, {"bias", "false"}, {"table", "1;0;1,0"}},
         {{2, 4, 4}}},
        {{{"maps", "16"}, {"kernel", "5"}, {"table", "lenet5-c3"}}, {{6, 7, 7}}},
        // One position and no padding: the window is the input (LeNet-5's C5).
        {{{"maps", "3"}, {"kernel", "3"}}, {{2, 3, 3}}},
        {{{"maps", "3"}, {"kernel", "2"}, {"table", "1;0;1,0"}, {"bias", "false"}}, {{2, 2, 2}}}}});
}

}  // namespace

EBPROP_PLUGIN(register_conv2d)
