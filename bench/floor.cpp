// floor: what an epoch of the MLP 784-300-10 of bench/run.sh cannot cost less than, and the GEMM
// ceiling of the machine, measured with Eigen alone (float, -O2 -march=native, as ebprop is built).
// Used by bench/run.sh and bench/lenet5.sh; see bench/README.md.
//
//   floor online|batch|gemm [--examples N] [--batch B] [--threads T] [--reps R] [--size S]
//
//   online  per example, the kernels no online SGD step of the MLP can avoid: y1 = W1 x,
//           y2 = W2 a1 (forward), g1 = W2ᵀ d2 (the error sent back to the hidden layer), and the
//           rank-1 updates W2 −= η d2 a1ᵀ and W1 −= η d1 xᵀ applied to the weights directly (no
//           gradient buffer). Not included: the biases, the scaled tanh and its derivative (310
//           values), the loss. 1 thread (matrix-vector products of this size gain nothing from 2).
//   batch   per mini-batch of B (default 32), the GEMMs of one step: Y1 = W1 X, Y2 = W2 A1,
//           G1 = W2ᵀ D2, and the weight updates as accumulating GEMMs W2 −= η D2 A1ᵀ,
//           W1 −= η D1 Xᵀ (the dW products with the update folded in). Eigen's OpenMP GEMM with
//           --threads T.
//   gemm    the ceiling: C = A B, float, S × S × S (default 1024), GFLOP/s with --threads T.
//
// online and batch stream N examples (default 60,000) of random inputs (uniform in [−1, 1], the
// footprint of Fashion-MNIST's 60,000 × 784 floats) in order and print seconds per epoch of N;
// every measurement is repeated R times (default 5) and the median printed, with each repetition,
// as one JSON line. The values fed back (d2, d1) are small multiples of the forward outputs, so
// the weights stay finite; a checksum of them is printed so the work cannot be optimized away.
#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Matrix = Eigen::MatrixXf;  // column-major
using Vector = Eigen::VectorXf;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Options {
  std::string mode;
  long examples = 60000, batch = 32, size = 1024;
  int threads = 1, reps = 5;
};

constexpr float kEta = 1e-4f, kBack = 1e-2f;

// One epoch of the online floor over the columns of X; returns seconds.
double online_epoch(const Matrix& X, Matrix& W1, Matrix& W2) {
  Vector y1(300), y2(10), g1(300), d2(10);
  const auto start = Clock::now();
  for (Eigen::Index i = 0; i < X.cols(); ++i) {
    y1.noalias() = W1 * X.col(i);
    y2.noalias() = W2 * y1;
    d2 = kBack * y2;
    g1.noalias() = W2.transpose() * d2;
    W2.noalias() -= (kEta * d2) * y1.transpose();
    W1.noalias() -= (kEta * kBack * g1) * X.col(i).transpose();
  }
  return seconds_since(start);
}

// One epoch of the mini-batch GEMM floor; returns seconds.
double batch_epoch(const Matrix& X, long batch, Matrix& W1, Matrix& W2) {
  Matrix Y1(300, batch), Y2(10, batch), G1(300, batch);
  const auto start = Clock::now();
  for (Eigen::Index i = 0; i + batch <= X.cols(); i += batch) {
    const auto Xb = X.middleCols(i, batch);
    Y1.noalias() = W1 * Xb;
    Y2.noalias() = W2 * Y1;
    Y2 *= kBack;  // D2
    G1.noalias() = W2.transpose() * Y2;
    W2.noalias() -= (kEta / batch) * Y2 * Y1.transpose();
    W1.noalias() -= (kEta * kBack / batch) * G1 * Xb.transpose();
  }
  return seconds_since(start);
}

[[noreturn]] void usage() {
  std::cerr << "usage: floor online|batch|gemm [--examples N] [--batch B] [--threads T] [--reps R] "
               "[--size S]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  Options o;
  o.mode = argv[1];
  if (o.mode != "online" && o.mode != "batch" && o.mode != "gemm") usage();
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) usage();
    const std::string a = argv[i];
    const long v = std::atol(argv[i + 1]);
    if (a == "--examples")
      o.examples = v;
    else if (a == "--batch")
      o.batch = v;
    else if (a == "--threads")
      o.threads = int(v);
    else if (a == "--reps")
      o.reps = int(v);
    else if (a == "--size")
      o.size = v;
    else
      usage();
  }
  if (o.examples < 1 || o.batch < 1 || o.threads < 1 || o.reps < 1 || o.size < 1) usage();
  omp_set_num_threads(o.threads);
  Eigen::setNbThreads(o.threads);
  std::srand(1);

  std::vector<double> times;
  double checksum = 0;
  if (o.mode == "gemm") {
    const Matrix A = Matrix::Random(o.size, o.size), B = Matrix::Random(o.size, o.size);
    Matrix C(o.size, o.size);
    C.noalias() = A * B;  // warm-up
    for (int r = 0; r < o.reps; ++r) {
      const auto start = Clock::now();
      C.noalias() = A * B;
      times.push_back(seconds_since(start));
    }
    checksum = C.sum();
    const double flops = 2.0 * double(o.size) * o.size * o.size;
    std::printf(
        "{\"mode\": \"gemm\", \"size\": %ld, \"threads\": %d, \"seconds\": %.6f, "
        "\"gflops\": %.3f, \"checksum\": %g}\n",
        o.size, o.threads, median(times), flops / median(times) * 1e-9, checksum);
    return 0;
  }

  const Matrix X = Matrix::Random(784, o.examples);
  Matrix W1 = Matrix::Random(300, 784) * 0.06f, W2 = Matrix::Random(10, 300) * 0.1f;
  const long batch = o.mode == "online" ? 1 : o.batch;
  if (o.mode == "online")
    online_epoch(X.leftCols(std::min(o.examples, 1000L)), W1, W2);
  else
    batch_epoch(X.leftCols(std::min(o.examples, 1000L)), batch, W1, W2);  // warm-up
  for (int r = 0; r < o.reps; ++r)
    times.push_back(o.mode == "online" ? online_epoch(X, W1, W2) : batch_epoch(X, batch, W1, W2));
  checksum = W1.sum() + W2.sum();
  std::printf(
      "{\"mode\": \"%s\", \"batch\": %ld, \"threads\": %d, \"examples\": %ld, "
      "\"seconds\": %.6f, \"us_per_example\": %.3f, \"runs\": [",
      o.mode.c_str(), batch, o.threads, o.examples, median(times),
      median(times) / o.examples * 1e6);
  for (std::size_t r = 0; r < times.size(); ++r) std::printf("%s%.6f", r ? ", " : "", times[r]);
  std::printf("], \"checksum\": %g}\n", checksum);
  return std::isfinite(checksum) ? 0 : 1;
}
