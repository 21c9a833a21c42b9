// The im2col (unroll) and col2im (fold) loops of plugins/conv2d for LeNet-5's three convolutions,
// per batch of 32, as the plugin writes them (the input column read with a run-time stride) and
// with the stride-1 case written as contiguous rows (what the compiler can vectorize); not part of
// the scripts. bench/RESULTS.md uses it to size a fix of the batch-32 LeNet-5 miss.
// Build and run (from the repository's root):
//   g++ -O3 -march=native -DNDEBUG -std=c++17 -o /tmp/conv_unroll bench/conv_unroll.cpp
//       && /tmp/conv_unroll
#include <chrono>
#include <cstdio>
#include <utility>
#include <vector>

namespace {

using clk = std::chrono::steady_clock;

struct Layer {
  const char* name;
  int maps_in, rows, cols, kernel;
  int out_rows() const { return rows - kernel + 1; }
  int out_cols() const { return cols - kernel + 1; }
  int positions() const { return out_rows() * out_cols(); }
  int depth() const { return maps_in * kernel * kernel; }
  int size() const { return maps_in * rows * cols; }
};

// As Conv2d::unroll / Conv2d::fold (padding 0, so every position is inside), `stride` a run-time
// value as in the plugin (volatile below keeps it one).
template <bool contiguous>
void unroll(const Layer& l, int stride, const std::vector<float>& x, std::vector<float>& windows,
            int batch) {
  const int oc = l.out_cols(), k = l.kernel;
  for (int e = 0; e < batch; ++e)
    for (int i = 0; i < l.maps_in; ++i) {
      const float* map = x.data() + static_cast<long>(e) * l.size() + i * l.rows * l.cols;
      for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b) {
          float* column = windows.data() +
                          (static_cast<long>(e) * l.depth() + (i * k + a) * k + b) * l.positions();
          for (int r = 0; r < l.out_rows(); ++r) {
            const float* row = map + (r * stride + a) * l.cols + b;
            if (contiguous)
              for (int c = 0; c < oc; ++c) column[r * oc + c] = row[c];
            else
              for (int c = 0; c < oc; ++c) column[r * oc + c] = row[c * stride];
          }
        }
    }
}

template <bool contiguous>
void fold(const Layer& l, int stride, const std::vector<float>& window, std::vector<float>& dx,
          int batch) {
  const int oc = l.out_cols(), k = l.kernel;
  for (int e = 0; e < batch; ++e)  // the plugin folds one example's window at a time
    for (int i = 0; i < l.maps_in; ++i) {
      float* map = dx.data() + static_cast<long>(e) * l.size() + i * l.rows * l.cols;
      for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b) {
          const float* column = window.data() + ((i * k + a) * k + b) * l.positions();
          for (int r = 0; r < l.out_rows(); ++r) {
            float* row = map + (r * stride + a) * l.cols + b;
            if (contiguous)
              for (int c = 0; c < oc; ++c) row[c] += column[r * oc + c];
            else
              for (int c = 0; c < oc; ++c) row[c * stride] += column[r * oc + c];
          }
        }
    }
}

double seconds(clk::time_point a) { return std::chrono::duration<double>(clk::now() - a).count(); }

}  // namespace

int main() {
  const int batch = 32, reps = 300;
  volatile int stride_source = 1;
  const int stride = stride_source;
  const Layer layers[] = {{"c1", 1, 32, 32, 5}, {"c3", 6, 14, 14, 5}, {"c5", 16, 5, 5, 5}};
  double total[4] = {0, 0, 0, 0};
  double checksum = 0;
  std::printf("us per batch of %d: unroll (plugin, contiguous)  fold (plugin, contiguous)\n",
              batch);
  for (const Layer& l : layers) {
    std::vector<float> x(static_cast<long>(l.size()) * batch), dx(x.size(), 0.0f);
    std::vector<float> windows(static_cast<long>(l.positions()) * l.depth() * batch);
    std::vector<float> window(static_cast<long>(l.positions()) * l.depth(), 0.001f);
    for (std::size_t n = 0; n < x.size(); ++n) x[n] = static_cast<float>(n % 97) * 0.01f;
    double t[4] = {0, 0, 0, 0};
    for (int r = 0; r < reps; ++r) {  // the variants alternate
      auto a = clk::now();
      unroll<false>(l, stride, x, windows, batch);
      t[0] += seconds(a);
      a = clk::now();
      unroll<true>(l, stride, x, windows, batch);
      t[1] += seconds(a);
      a = clk::now();
      fold<false>(l, stride, window, dx, batch);
      t[2] += seconds(a);
      a = clk::now();
      fold<true>(l, stride, window, dx, batch);
      t[3] += seconds(a);
    }
    checksum += windows[windows.size() / 2] + dx[dx.size() / 3];
    std::printf("  %s: %8.1f %8.1f   %8.1f %8.1f\n", l.name, 1e6 * t[0] / reps, 1e6 * t[1] / reps,
                1e6 * t[2] / reps, 1e6 * t[3] / reps);
    for (int v = 0; v < 4; ++v) total[v] += t[v];
  }
  std::printf("  all: %8.1f %8.1f   %8.1f %8.1f\n", 1e6 * total[0] / reps, 1e6 * total[1] / reps,
              1e6 * total[2] / reps, 1e6 * total[3] / reps);
  std::printf("(checksum %g)\n", checksum);
}
