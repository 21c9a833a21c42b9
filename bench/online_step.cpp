// Per-step cost of online SGD on the 784-300 layer of bench/fashion-mlp.graph, the way ebprop did
// it before commit b91dbb7, the way it does it since (ParameterStore::descend: the update and the
// clearing of dw in one blocked pass) and two alternatives; not part of run.sh. The parameters are
// one vector of 238,510 floats (954 KB) like ebprop's store, the gradient another: together they
// exceed the 1 MiB L2 of a core. Build and run (from the repository's root):
//   g++ -O3 -march=native -DNDEBUG -std=c++17 -I/usr/include/eigen3 -o /tmp/online_step
//       bench/online_step.cpp && /tmp/online_step
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
using M = Eigen::Matrix<float, -1, -1>;
using V = Eigen::VectorXf;
using clk = std::chrono::steady_clock;
int main() {
  const int in = 784, hid = 300, out = 10, steps = 20000, pool = 2000;
  const long nparams = long(hid) * in + hid + long(out) * hid + out;
  V w = V::Random(nparams) * 0.05f, dw = V::Zero(nparams);
  Eigen::Map<M> W(w.data(), hid, in), dW(dw.data(), hid, in);
  M X = M::Random(in, pool);
  V h(hid), dy = V::Random(hid) * 0.1f;
  const float eta = 0.001f;
  double t[10] = {0};
  auto lap = [](clk::time_point& a) {
    auto b = clk::now();
    double s = std::chrono::duration<double>(b - a).count();
    a = b;
    return s;
  };
  // The variants alternate in blocks of 1,000 steps, so that drifts of the machine's speed hit
  // them alike.
  for (int block = 0; block < steps / 1000; ++block)
    for (int variant = 0; variant < 4; ++variant)
      for (int s = block * 1000; s < (block + 1) * 1000; ++s) {
        auto x = X.col(s % pool);
        auto a = clk::now();
        h.noalias() = W * x;                // fprop gemv
        dy = (h.array() * 1e-3f).matrix();  // stand-in for the backward of the rest
        if (variant == 0) {  // ebprop before b91dbb7: zero dw, dw += dy x', w -= eta dw
          t[0] += lap(a);
          std::memset(dw.data(), 0, sizeof(float) * nparams);
          t[1] += lap(a);
          dW.noalias() += dy * x.transpose();
          t[2] += lap(a);
          w.noalias() -= eta * dw;
          t[3] += lap(a);
        } else if (variant == 1) {  // no memset: dw = dy x' (first writer assigns)
          t[4] += lap(a);
          dW.noalias() = dy * x.transpose();
          w.noalias() -= eta * dw;
          t[5] += lap(a);
        } else if (variant == 3) {  // ebprop since b91dbb7: dw += dy x', then descend
          t[8] += lap(a);
          dW.noalias() += dy * x.transpose();
          for (long start = 0; start < nparams; start += 2048) {  // as descend_in_blocks
            const long n = std::min(2048L, nparams - start);
            auto g = dw.segment(start, n);
            w.segment(start, n).noalias() -= eta * g;
            g.setZero();
          }
          t[9] += lap(a);
        } else {  // fused: W -= (eta dy) x', no gradient buffer
          t[6] += lap(a);
          dy *= eta;
          W.noalias() -= dy * x.transpose();
          t[7] += lap(a);
        }
      }
  auto us = [&](double s) { return 1e6 * s / steps; };
  std::printf(
      "before b91dbb7: gemv %.1f us, memset dw %.1f us, rank-1 into dw %.1f us, w -= eta dw %.1f "
      "us; "
      "total %.1f us/step\n",
      us(t[0]), us(t[1]), us(t[2]), us(t[3]), us(t[0] + t[1] + t[2] + t[3]));
  std::printf(
      "since b91dbb7: gemv %.1f us, dw += dy x' then descend (blocked axpy + zero) %.1f us; "
      "total %.1f us/step\n",
      us(t[8]), us(t[9]), us(t[8] + t[9]));
  std::printf("no memset: gemv %.1f us, dw = dy x' then axpy %.1f us; total %.1f us/step\n",
              us(t[4]), us(t[5]), us(t[4] + t[5]));
  std::printf("fused: gemv %.1f us, W -= eta dy x' %.1f us; total %.1f us/step\n", us(t[6]),
              us(t[7]), us(t[6] + t[7]));
  std::printf("(checksum %g)\n", double(w.sum()));
}
