// dlib-nets: the dlib peer of bench/run.sh (MLP 784-300-10) and bench/lenet5.sh (LeNet-5), one
// epoch of Fashion-MNIST trained by plain SGD, written with dlib's DNN toolkit (Debian's
// libdlib-dev 19.24) the way its examples do, on the CPU. See bench/README.md.
//
//   dlib-nets mlp|lenet5 [--batch B] [--lr ETA] [--threads T] [--seed S] [--train-limit N]
//             [--shared-lr none|sqrt] [--data-dir D]
//
// The same workload as bench/torch_mlp.py and bench/torch_lenet5.py:
//   * inputs: mlp centred per pixel and divided by one global standard deviation; lenet5 centred
//     and scaled by the global mean and standard deviation (both from the training set, §4.3);
//   * targets ±1 one-of-10 (§4.5); loss ½ Σ (d − o)² per example, averaged over the batch: dlib's
//     loss_mean_squared_multioutput reports the mean of Σ (d − o)² but its gradient is that of
//     ½ Σ (d − o)² (dlib/dnn/loss.h), so the updates are ours; the printed loss is halved;
//   * the scaled tanh 1.7159 tanh(2a/3) (§4.4) as a custom layer, stanh_ below;
//   * weights and biases uniform with standard deviation m^−½, m = fan-in + 1 (Eq. 16);
//   * examples shuffled once with the seed; plain SGD: dlib::sgd(0 weight decay, 0 momentum),
//     w += −η g, in a hand loop of compute_parameter_gradients and update_parameters — what
//     dnn_trainer::train_one_step does, without its worker thread and its automatic shrinking of
//     the rate.
// LeNet-5 as graphs/lenet5.graph with what dlib has: C1 con 6@5×5 with padding 2, S2 avg_pool 2×2
// followed by map_affine_ (a trainable coefficient and bias per map, custom below: dlib's affine_
// does not learn), C3 con 16@5×5 — FULLY connected to the 6 maps (dlib's con has no connection
// table: 2,416 parameters instead of Table I's 1,516, and 1.6× C3's FLOPs), S4, C5 con 120@5×5, F6
// fc 84, fc 10, stanh after each. --shared-lr sqrt multiplies each shared weight's rate by
// √(output positions) (C1 28, S2 14, C3 10, S4 5) as ebprop's SGD does (§4.7).
//
// Threads: dlib's CPU layers call the BLAS (OpenBLAS here) for fc and for the im2col products of
// con, so the thread count is OpenBLAS's, which it reads from OPENBLAS_NUM_THREADS when it loads:
// the scripts set it; --threads only labels the JSON line.
//
// Only the training loop is timed (filling the input tensor, forward, loss, backward, update).
// Prints one JSON line like the PyTorch peers', with the peak resident memory (getrusage).
// Build: cmake -S bench -B bench/build && cmake --build bench/build (bench/CMakeLists.txt).
#include <dlib/dnn.h>
#include <sys/resource.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// --- Data ---------------------------------------------------------------------------------------

std::vector<unsigned char> read_gz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error(path + ": cannot open");
  std::vector<unsigned char> out;
  unsigned char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  gzclose(f);
  return out;
}

// An IDX file of unsigned bytes: its values and its first dimension.
std::vector<unsigned char> read_idx(const std::string& dir, const std::string& stem, long& count) {
  std::vector<unsigned char> raw = read_gz(dir + "/" + stem + ".gz");
  if (raw.size() < 8 || raw[0] != 0 || raw[1] != 0 || raw[2] != 8)
    throw std::runtime_error(stem + ": not an IDX file of unsigned bytes");
  const int dims = raw[3];
  count = (long(raw[4]) << 24) | (long(raw[5]) << 16) | (long(raw[6]) << 8) | long(raw[7]);
  return std::vector<unsigned char>(raw.begin() + 4 + 4 * dims, raw.end());
}

struct Set {
  std::vector<dlib::matrix<float>> images;  // 784 × 1 (mlp) or 28 × 28 (lenet5)
  std::vector<dlib::matrix<float, 0, 1>> targets;
  std::vector<unsigned char> labels;
};

// Both sets, normalized with the training set's statistics as the PyTorch peers do.
void load(const std::string& dir, bool per_pixel, Set& train, Set& test) {
  long n_train, n_test, n;
  const auto x_train = read_idx(dir, "train-images-idx3-ubyte", n_train);
  const auto x_test = read_idx(dir, "t10k-images-idx3-ubyte", n_test);
  train.labels = read_idx(dir, "train-labels-idx1-ubyte", n);
  test.labels = read_idx(dir, "t10k-labels-idx1-ubyte", n);
  const int pixels = 784;
  double total = 0;
  std::vector<double> mean(pixels, 0.0);
  for (long i = 0; i < n_train; ++i)
    for (int p = 0; p < pixels; ++p) mean[p] += x_train[i * pixels + p];
  for (double& m : mean) {
    total += m;
    m /= n_train;
  }
  const double global_mean = total / (double(n_train) * pixels);
  double ss = 0;
  for (unsigned char v : x_train) ss += (v - global_mean) * (v - global_mean);
  double sd = std::sqrt(ss / x_train.size());
  if (sd == 0) sd = 1;
  auto fill = [&](const std::vector<unsigned char>& x, long count, Set& s) {
    s.images.resize(count);
    s.targets.resize(count);
    for (long i = 0; i < count; ++i) {
      dlib::matrix<float>& m = s.images[i];
      if (per_pixel)
        m.set_size(pixels, 1);
      else
        m.set_size(28, 28);
      for (int p = 0; p < pixels; ++p)
        m(p) = float((x[i * pixels + p] - (per_pixel ? mean[p] : global_mean)) / sd);
      s.targets[i].set_size(10);
      s.targets[i] = -1;
      s.targets[i](s.labels[i]) = 1;
    }
  };
  fill(x_train, n_train, train);
  fill(x_test, n_test, test);
}

// --- Layers dlib lacks ---------------------------------------------------------------------------

// 1.7159 tanh(2a/3) (§4.4), in place; its derivative from the output o: (2/3)(1.7159 − o²/1.7159).
class stanh_ {
 public:
  template <typename SUBNET>
  void setup(const SUBNET&) {}
  void forward_inplace(const dlib::tensor& input, dlib::tensor& output) {
    const float* in = input.host();
    float* out = output.host();
    for (size_t i = 0; i < input.size(); ++i) out[i] = A * std::tanh(S * in[i]);
  }
  void backward_inplace(const dlib::tensor& computed_output, const dlib::tensor& gradient_input,
                        dlib::tensor& data_grad, dlib::tensor&) {
    const float* o = computed_output.host();
    const float* g = gradient_input.host();
    float* d = data_grad.host();
    const bool add = !dlib::is_same_object(gradient_input, data_grad);
    for (size_t i = 0; i < data_grad.size(); ++i) {
      const float v = g[i] * S * (A - o[i] * o[i] / A);
      d[i] = add ? d[i] + v : v;
    }
  }
  dlib::dpoint map_input_to_output(const dlib::dpoint& p) const { return p; }
  dlib::dpoint map_output_to_input(const dlib::dpoint& p) const { return p; }
  const dlib::tensor& get_layer_params() const { return params_; }
  dlib::tensor& get_layer_params() { return params_; }
  friend void serialize(const stanh_&, std::ostream& out) { dlib::serialize("stanh_", out); }
  friend void deserialize(stanh_&, std::istream& in) {
    std::string v;
    dlib::deserialize(v, in);
  }
  friend std::ostream& operator<<(std::ostream& out, const stanh_&) { return out << "stanh"; }
  friend void to_xml(const stanh_&, std::ostream& out) { out << "<stanh/>\n"; }

 private:
  static constexpr float A = 1.7159f, S = 2.0f / 3.0f;
  dlib::resizable_tensor params_;
};
template <typename SUBNET>
using stanh = dlib::add_layer<stanh_, SUBNET>;

// LeNet-5's subsampling coefficient and bias: y = c_k x + b_k on every position of map k, both
// trained (c starts at 1, b at 0). params = [c_0 … c_{K−1}, b_0 … b_{K−1}].
class map_affine_ {
 public:
  template <typename SUBNET>
  void setup(const SUBNET& sub) {
    maps_ = sub.get_output().k();
    params_.set_size(2 * maps_);
    float* p = params_.host();
    for (long k = 0; k < maps_; ++k) p[k] = 1, p[maps_ + k] = 0;
  }
  template <typename SUBNET>
  void forward(const SUBNET& sub, dlib::resizable_tensor& output) {
    const dlib::tensor& in = sub.get_output();
    output.copy_size(in);
    const long plane = in.nr() * in.nc();
    const float* x = in.host();
    const float* p = params_.host();
    float* y = output.host();
    for (long s = 0; s < in.num_samples(); ++s)
      for (long k = 0; k < maps_; ++k, x += plane, y += plane)
        for (long i = 0; i < plane; ++i) y[i] = p[k] * x[i] + p[maps_ + k];
  }
  template <typename SUBNET>
  void backward(const dlib::tensor& gradient_input, SUBNET& sub, dlib::tensor& params_grad) {
    const dlib::tensor& in = sub.get_output();
    dlib::tensor& dx = sub.get_gradient_input();  // dlib's contract: add into it
    const long plane = in.nr() * in.nc();
    const float* x = in.host();
    const float* g = gradient_input.host();
    const float* p = params_.host();
    float* d = dx.host();
    float* pg = params_grad.host();
    std::fill(pg, pg + 2 * maps_, 0.0f);
    for (long s = 0; s < in.num_samples(); ++s)
      for (long k = 0; k < maps_; ++k, x += plane, g += plane, d += plane)
        for (long i = 0; i < plane; ++i) {
          pg[k] += g[i] * x[i];
          pg[maps_ + k] += g[i];
          d[i] += p[k] * g[i];
        }
  }
  long maps() const { return maps_; }
  void set_learning_rate_multiplier(double m) { lr_multiplier_ = m; }
  double get_learning_rate_multiplier() const { return lr_multiplier_; }
  dlib::dpoint map_input_to_output(const dlib::dpoint& p) const { return p; }
  dlib::dpoint map_output_to_input(const dlib::dpoint& p) const { return p; }
  const dlib::tensor& get_layer_params() const { return params_; }
  dlib::tensor& get_layer_params() { return params_; }
  friend void serialize(const map_affine_& l, std::ostream& out) {
    dlib::serialize("map_affine_", out);
    dlib::serialize(l.params_, out);
  }
  friend void deserialize(map_affine_& l, std::istream& in) {
    std::string v;
    dlib::deserialize(v, in);
    dlib::deserialize(l.params_, in);
  }
  friend std::ostream& operator<<(std::ostream& out, const map_affine_&) {
    return out << "map_affine";
  }
  friend void to_xml(const map_affine_&, std::ostream& out) { out << "<map_affine/>\n"; }

 private:
  long maps_ = 0;
  double lr_multiplier_ = 1;
  dlib::resizable_tensor params_;
};
template <typename SUBNET>
using map_affine = dlib::add_layer<map_affine_, SUBNET>;

// --- The two networks ------------------------------------------------------------------------

using namespace dlib;

using mlp_net = loss_mean_squared_multioutput<stanh<fc<10, stanh<fc<300, input<matrix<float>>>>>>>;

// dlib nets are written from the output down; each layer below reads the one after it.
// clang-format off
template <long N, long K, long P, typename SUBNET>
using conv = add_layer<con_<N, K, K, 1, 1, P, P>, SUBNET>;
template <typename SUBNET> using c1 = stanh<conv<6, 5, 2, SUBNET>>;     // 6@28×28 (padding 2)
template <typename SUBNET> using s2 = stanh<map_affine<avg_pool<2, 2, 2, 2, SUBNET>>>;  // 6@14×14
template <typename SUBNET> using c3 = stanh<conv<16, 5, 0, SUBNET>>;    // 16@10×10, all 6 maps
template <typename SUBNET> using s4 = stanh<map_affine<avg_pool<2, 2, 2, 2, SUBNET>>>;  // 16@5×5
template <typename SUBNET> using c5 = stanh<conv<120, 5, 0, SUBNET>>;   // 120@1×1
template <typename SUBNET> using f6 = stanh<fc<84, SUBNET>>;
template <typename SUBNET> using out = stanh<fc<10, SUBNET>>;
using lenet5_net = loss_mean_squared_multioutput<out<f6<c5<s4<c3<s2<c1<input<matrix<float>>>>>>>>>>;
// clang-format on

// Eq. 16 on every fc and con layer: its parameters (weights then biases) uniform in ±√(3/m),
// m = parameters per output unit (fan-in + 1); map_affine keeps c = 1, b = 0. With sqrt_rates,
// the rate of each shared weight is multiplied by √(output positions) as ebprop's SGD does
// (§4.7): C1 28, S2 14, C3 10, S4 5.
template <typename Net>
void init(Net& net, std::mt19937& rng, bool sqrt_rates) {
  auto fill = [&](tensor& p, long units) {
    const float bound = std::sqrt(3.0f / float(p.size() / units));
    std::uniform_real_distribution<float> u(-bound, bound);
    float* v = p.host();
    for (size_t i = 0; i < p.size(); ++i) v[i] = u(rng);
  };
  visit_computational_layers(net, [&](auto& l) {
    using L = std::decay_t<decltype(l)>;
    if constexpr (std::is_same_v<L, fc_<10, FC_HAS_BIAS>> ||
                  std::is_same_v<L, fc_<84, FC_HAS_BIAS>> ||
                  std::is_same_v<L, fc_<300, FC_HAS_BIAS>>) {
      fill(l.get_layer_params(), l.get_num_outputs());
    } else if constexpr (std::is_same_v<L, map_affine_>) {
      if (sqrt_rates) l.set_learning_rate_multiplier(l.maps() == 6 ? 14 : 5);
    } else if constexpr (!std::is_same_v<L, stanh_> && !std::is_same_v<L, avg_pool_<2, 2, 2, 2>>) {
      fill(l.get_layer_params(), l.num_filters());  // con_
      if (sqrt_rates && l.num_filters() != 120) {
        // The bias's multiplier is relative to the layer's (dlib/dnn/solvers.h): left at 1.
        l.set_learning_rate_multiplier(l.num_filters() == 6 ? 28 : 10);
      }
    }
  });
}

struct Options {
  std::string mode, data_dir = "/usr/share/datasets/fashion-mnist", shared_lr = "none";
  long batch = 1, threads = 1, train_limit = 0;
  unsigned seed = 1;
  double lr = 0.001;
};

template <typename Net>
int run(Net& net, const Options& o) {
  Set train, test;
  load(o.data_dir, o.mode == "mlp", train, test);
  long n = long(train.images.size());
  if (o.train_limit > 0 && o.train_limit < n) n = o.train_limit;
  std::mt19937 rng(o.seed);
  std::vector<long> order(n);
  std::iota(order.begin(), order.end(), 0L);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<matrix<float>> x(n);
  std::vector<matrix<float, 0, 1>> d(n);
  for (long i = 0; i < n; ++i) {  // moved, not copied: one copy of the training set in memory
    x[i] = std::move(train.images[order[i]]);
    d[i] = std::move(train.targets[order[i]]);
  }

  net(x[0]);  // allocates the layers' parameters (setup), which Eq. 16 then overwrites
  init(net, rng, o.shared_lr == "sqrt");
  std::vector<sgd> solvers(net.num_computational_layers, sgd(0, 0));

  resizable_tensor batch;
  double loss_sum = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < n; i += o.batch) {
    const long end = std::min(n, i + o.batch);
    net.to_tensor(x.begin() + i, x.begin() + end, batch);
    const double loss = net.compute_parameter_gradients(batch, d.begin() + i);
    net.update_parameters(solvers, o.lr);
    loss_sum += 0.5 * loss * double(end - i);  // dlib's loss is the mean of Σ (d − o)²
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  long wrong = 0;
  double test_loss = 0;
  for (size_t i = 0; i < test.images.size(); i += 1000) {
    const size_t end = std::min(test.images.size(), i + 1000);
    std::vector<matrix<float>> chunk(test.images.begin() + i, test.images.begin() + end);
    const std::vector<matrix<float>> out = net(chunk);
    for (size_t j = 0; j < out.size(); ++j) {
      if (long(index_of_max(out[j])) != test.labels[i + j]) ++wrong;
      test_loss += 0.5 * sum(squared(out[j] - test.targets[i + j]));
    }
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "{\"peer\": \"dlib\", \"net\": \"%s\", \"batch\": %ld, \"threads\": %ld, \"seconds\": %.6f, "
      "\"examples\": %ld, \"examples_per_second\": %.1f, \"train_loss\": %.6f, \"test_loss\": "
      "%.6f, "
      "\"test_error\": %.4f, \"lr\": %g, \"shared_lr\": \"%s\", \"peak_rss_kb\": %ld}\n",
      o.mode.c_str(), o.batch, o.threads, seconds, n, n / seconds, loss_sum / n,
      test_loss / test.images.size(), 100.0 * wrong / test.images.size(), o.lr, o.shared_lr.c_str(),
      ru.ru_maxrss);
  return 0;
}

[[noreturn]] void usage() {
  std::cerr << "usage: dlib-nets mlp|lenet5 [--batch B] [--lr ETA] [--threads T] [--seed S] "
               "[--train-limit N] [--shared-lr none|sqrt] [--data-dir D]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  Options o;
  o.mode = argv[1];
  if (o.mode != "mlp" && o.mode != "lenet5") usage();
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) usage();
    const std::string a = argv[i];
    const char* v = argv[i + 1];
    if (a == "--batch")
      o.batch = std::atol(v);
    else if (a == "--lr")
      o.lr = std::atof(v);
    else if (a == "--threads")
      o.threads = std::atol(v);
    else if (a == "--seed")
      o.seed = unsigned(std::atol(v));
    else if (a == "--train-limit")
      o.train_limit = std::atol(v);
    else if (a == "--shared-lr")
      o.shared_lr = v;
    else if (a == "--data-dir")
      o.data_dir = v;
    else
      usage();
  }
  if (o.batch < 1 || o.threads < 1) usage();
  if (o.mode == "mlp") {
    mlp_net net;
    return run(net, o);
  }
  lenet5_net net;
  return run(net, o);
}
