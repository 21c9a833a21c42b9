// Convolutional layers: conv2d with shared weights and connection tables (§4.7; LeCun, Bottou,
// Bengio & Haffner 1998), LeNet's subsampling, max pooling, relu, flatten, reshape and pad.
// (Their derivative checks are the cases each plugin registers, run by test_modules.) conv2d
// against a convolution written from its definition; the connection table against Table I of
// LeCun et al. 1998; whole convolutional graphs against central differences.
#define BOOST_TEST_MODULE conv
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "graph_checks.h"
#include "test_util.h"

using namespace ebprop;
using test::build_failure;
using test::gradient_error;
using test::graph_from;
using test::hessian_vector_error;
using test::make_module;
using test::random_inputs;
using test::random_matrix;
using test::SettingMap;

namespace {

// One module wired to an input, an output and its own parameters, with random values.
struct Layer {
  ModulePtr<double> module;
  ParameterStore<double> store;
  std::vector<ParamSpec> specs;
  State<double> in, out;

  Layer(const std::string& type, const SettingMap& settings, const Shape& shape, int batch = 2,
        std::uint64_t seed = 1)
      : module(make_module<double>(type, settings)) {
    in.shape = shape;
    out.shape = module->output_shape({shape});
    specs = module->parameters();
    for (const ParamSpec& spec : specs) store.declare(spec.role, spec);
    store.allocate();
    std::vector<ParamView<double>> views;
    for (const ParamSpec& spec : specs) views.push_back(store.view(*store.find(spec.role)));
    module->bind(views);
    Rng rng(seed);
    store.w() = random_matrix(store.size(), 1, rng);
    in.resize(batch);
    in.x = random_matrix(in.size(), batch, rng);
  }

  ParamView<double> view(const std::string& role) { return store.view(*store.find(role)); }
  const Matrix<double>& fprop() {
    module->fprop({&in}, out);
    return out.x;
  }
};

// Whether output_shape throws a ShapeError containing `text`.
bool shape_error(const std::string& type, const SettingMap& settings, const Shape& input,
                 const std::string& text) {
  try {
    make_module<double>(type, settings)->output_shape({input});
  } catch (const ShapeError& e) {
    BOOST_TEST_MESSAGE(e.what());
    return std::string(e.what()).find(text) != std::string::npos;
  }
  return false;
}

// Whether making the module throws a SourceError containing `text`.
bool settings_error(const std::string& type, const SettingMap& settings, const std::string& text) {
  try {
    make_module<double>(type, settings);
  } catch (const SourceError& e) {
    BOOST_TEST_MESSAGE(e.what());
    return std::string(e.what()).find(text) != std::string::npos;
  }
  return false;
}

// Table I of LeCun et al. 1998 as printed: row i is S2 map i, column j is C3 map j, X where S2
// map i feeds C3 map j.
const char* const table_one[6] = {
    "X   XXX  XXXX XX", "XX   XXX  XXXX X", "XXX   XXX  X XXX",
    " XXX  XXXX  X XX", "  XXX  XXXX XX X", "   XXX  XXXX XXX",
};

// The input maps of each C3 map, in increasing order, read off Table I.
std::vector<std::vector<int>> table_one_groups() {
  std::vector<std::vector<int>> groups(16);
  for (int j = 0; j < 16; ++j)
    for (int i = 0; i < 6; ++i)
      if (table_one[i][j] == 'X') groups[j].push_back(i);
  return groups;
}

// A convolution written from the definition in conv2d.cpp, one example:
//   y[j, r, c] = b_j + Σ_{i → j} Σ_{a,b} w_ji[a, b] x[i, r·s + a − p, c·s + b − p],
// kernel w_ji the next column of `weight` in order of j, then i.
Vector<double> direct_convolution(const Vector<double>& x, int rows, int cols,
                                  const std::vector<std::vector<int>>& groups, int k, int s, int p,
                                  const Matrix<double>& weight, const Vector<double>& bias) {
  const int out_rows = (rows + 2 * p - k) / s + 1, out_cols = (cols + 2 * p - k) / s + 1;
  const int maps = static_cast<int>(groups.size());
  Vector<double> y(maps * out_rows * out_cols);
  int kernel = 0;
  for (int j = 0; j < maps; ++j) {
    for (int r = 0; r < out_rows; ++r)
      for (int c = 0; c < out_cols; ++c) y((j * out_rows + r) * out_cols + c) = bias(j);
    for (int i : groups[j]) {
      for (int r = 0; r < out_rows; ++r)
        for (int c = 0; c < out_cols; ++c)
          for (int a = 0; a < k; ++a)
            for (int b = 0; b < k; ++b) {
              const int xr = r * s + a - p, xc = c * s + b - p;
              if (xr < 0 || xr >= rows || xc < 0 || xc >= cols) continue;
              y((j * out_rows + r) * out_cols + c) +=
                  weight(a * k + b, kernel) * x((i * rows + xr) * cols + xc);
            }
      ++kernel;
    }
  }
  return y;
}

// A small convolutional network with every layer of this file: C1 → S2 → C3 (with a table) →
// max pooling → full connection.
const char* const small_convnet = R"(
x  = input shape=100 source=inputs
t  = input shape=3 source=targets
im = reshape(x) shape=1x10x10
p  = pad(im) size=1                                          # 12x12
c1 = conv2d(p) maps=4 kernel=3                               # 4@10x10
a1 = stanh(c1)
s2 = subsample(a1) size=2                                    # 4@5x5
c3 = conv2d(s2) maps=5 kernel=2 table=0,1;1,2;2,3;3,0;0,1,2,3   # 5@4x4
a3 = relu(c3)
m3 = maxpool(a3) size=2                                      # 5@2x2
f  = flatten(m3)
o  = linear(f) outputs=3
y  = stanh(o)
l  = mse(y, t)
)";

}  // namespace

BOOST_AUTO_TEST_CASE(conv2d_computes_the_convolution_of_its_definition) {
  struct Setup {
    SettingMap settings;
    Shape input;
    std::vector<std::vector<int>> groups;
  };
  const std::vector<Setup> setups = {
      {{{"maps", "3"}, {"kernel", "3"}, {"stride", "2"}, {"padding", "1"}},
       {2, 7, 5},
       {{0, 1}, {0, 1}, {0, 1}}},
      {{{"maps", "16"}, {"kernel", "5"}, {"padding", "2"}, {"table", "lenet5-c3"}},
       {6, 7, 7},
       table_one_groups()},
      {{{"maps", "2"}, {"kernel", "2"}, {"table", "1,0;1"}}, {2, 3, 4}, {{0, 1}, {1}}},
  };
  for (const Setup& setup : setups) {
    const auto setting = [&](const std::string& key, int otherwise) {
      const auto it = setup.settings.find(key);
      return it == setup.settings.end() ? otherwise : std::stoi(it->second);
    };
    Layer layer("conv2d", setup.settings, setup.input, 3);
    const Matrix<double> y = layer.fprop();
    for (int e = 0; e < 3; ++e) {
      const Vector<double> expected =
          direct_convolution(layer.in.x.col(e), setup.input[1], setup.input[2], setup.groups,
                             setting("kernel", 0), setting("stride", 1), setting("padding", 0),
                             layer.view("weight").value(), layer.view("bias").value());
      BOOST_TEST((y.col(e) - expected).cwiseAbs().maxCoeff() < 1e-12);
    }
  }
}

BOOST_AUTO_TEST_CASE(output_sizes_follow_rows_plus_twice_the_padding_minus_the_kernel) {
  struct Size {
    int padding, stride, kernel;
    Shape input, output;
  };
  for (const Size& s : std::vector<Size>{{0, 1, 3, {1, 7, 7}, {2, 5, 5}},
                                         {1, 1, 3, {1, 7, 7}, {2, 7, 7}},
                                         {2, 2, 3, {1, 7, 7}, {2, 5, 5}},
                                         {0, 2, 5, {3, 9, 11}, {2, 3, 4}},
                                         {1, 1, 5, {3, 3}, {2, 1, 1}},
                                         {0, 3, 1, {1, 7, 4}, {2, 3, 2}}}) {
    auto conv = make_module<double>("conv2d", {{"maps", "2"},
                                               {"kernel", std::to_string(s.kernel)},
                                               {"stride", std::to_string(s.stride)},
                                               {"padding", std::to_string(s.padding)}});
    BOOST_TEST(conv->output_shape({s.input}) == s.output, shape_str(s.input));
  }
  const SettingMap k3s2 = {{"maps", "2"}, {"kernel", "3"}, {"stride", "2"}};
  BOOST_TEST(shape_error("conv2d", k3s2, {1, 8, 7},
                         "expected rows + 2*padding - kernel to be a multiple of the stride 2, "
                         "found 8 + 2*0 - 3 = 5"));
  BOOST_TEST(shape_error("conv2d", k3s2, {1, 7, 8}, "columns + 2*padding - kernel"));
  BOOST_TEST(shape_error("conv2d", {{"maps", "1"}, {"kernel", "5"}}, {2, 3, 9},
                         "the 5x5 kernel is larger than the padded input: expected rows + "
                         "2*padding >= 5, found 3 + 2*0 = 3"));
  BOOST_TEST(shape_error("conv2d", {{"maps", "1"}, {"kernel", "5"}, {"padding", "1"}}, {9, 2},
                         "expected columns + 2*padding >= 5, found 2 + 2*1 = 4"));
  BOOST_TEST(shape_error("conv2d", {{"maps", "1"}, {"kernel", "3"}}, {784},
                         "conv2d expects maps x rows x columns (or rows x columns for one map), "
                         "found 784"));
  BOOST_TEST(
      shape_error("conv2d", {{"maps", "1"}, {"kernel", "3"}}, {1, 2, 5, 5}, "found 1x2x5x5"));
}

BOOST_AUTO_TEST_CASE(conv2d_settings_are_checked) {
  BOOST_TEST(settings_error("conv2d", {{"maps", "0"}, {"kernel", "3"}},
                            "setting 'maps' of conv2d must be in [1, 2147483647], found 0"));
  BOOST_TEST(settings_error("conv2d", {{"maps", "2"}, {"kernel", "3"}, {"stride", "0"}},
                            "'stride' of conv2d must be in [1, 2147483647], found 0"));
  BOOST_TEST(settings_error("conv2d", {{"maps", "2"}, {"kernel", "3"}, {"padding", "-1"}},
                            "'padding' of conv2d must be in [0, 2147483647], found -1"));
  const auto table = [](const std::string& text, const std::string& maps = "2") {
    return SettingMap{{"maps", maps}, {"kernel", "3"}, {"table", text}};
  };
  BOOST_TEST(settings_error("conv2d", table("0,1"),
                            "expected one group per output map (maps=2), found 1"));
  BOOST_TEST(settings_error("conv2d", table("lenet5-c3", "6"),
                            "expected one group per output map (maps=6), found 16"));
  BOOST_TEST(settings_error("conv2d", table("0;1,x"), "output map 1 lists 'x'"));
  BOOST_TEST(settings_error("conv2d", table("0;-1"), "output map 1 lists '-1'"));
  BOOST_TEST(settings_error("conv2d", table("0;;1", "3"), "output map 1 has no input maps"));
  BOOST_TEST(settings_error("conv2d", table("0,2,0;1"), "output map 0 lists input map 0 twice"));
  BOOST_TEST(shape_error("conv2d", table("0;2"), {2, 5, 5},
                         "feeds output map 1 from input map 2, but the input has 2 maps"));
  BOOST_TEST(shape_error("conv2d", table("0;2"), {3, 5, 5},
                         "feeds no output map from input map 1 of the input's 3 maps"));
}

// LeNet-5's C3: 60 connected pairs of 5×5 kernels and 16 biases, "1,516 trainable parameters"
// (LeCun et al. 1998, §II.B). An unconnected pair has no weight at all, so none can move.
BOOST_AUTO_TEST_CASE(the_lenet5_c3_table_has_the_papers_parameter_count) {
  Layer c3("conv2d", {{"maps", "16"}, {"kernel", "5"}, {"table", "lenet5-c3"}}, {6, 14, 14});
  BOOST_TEST(c3.out.shape == (Shape{16, 10, 10}));
  BOOST_TEST(c3.store.size() == 1516);
  BOOST_TEST(c3.specs[0].rows == 25);
  BOOST_TEST(c3.specs[0].cols == 60);
  // Eq. 16: 1500 connections over 16 maps ≈ 94 inputs per unit, plus the bias.
  BOOST_TEST(c3.specs[0].fan_in == 95);
  Layer full("conv2d", {{"maps", "16"}, {"kernel", "5"}}, {6, 14, 14});
  BOOST_TEST(full.store.size() == 16 * 6 * 25 + 16);
  BOOST_TEST(full.specs[0].fan_in == 151);
}

// Changing input map i changes output map j exactly when Table I has an X at (i, j), and changing
// the k-th stored kernel changes only the output map it belongs to.
BOOST_AUTO_TEST_CASE(an_output_map_sees_only_the_input_maps_of_its_table_group) {
  Layer c3("conv2d", {{"maps", "16"}, {"kernel", "3"}, {"table", "lenet5-c3"}}, {6, 5, 5}, 1);
  const Matrix<double> y0 = c3.fprop();
  const auto changed_maps = [&](const Matrix<double>& y) {
    std::string changed;
    for (int j = 0; j < 16; ++j)
      changed += (y - y0).middleRows(j * 9, 9).cwiseAbs().maxCoeff() > 0 ? 'X' : ' ';
    return changed;
  };
  for (int i = 0; i < 6; ++i) {
    c3.in.x.middleRows(i * 25, 25).array() += 0.5;
    BOOST_TEST(changed_maps(c3.fprop()) == table_one[i], "input map " << i);
    c3.in.x.middleRows(i * 25, 25).array() -= 0.5;
  }
  const auto groups = table_one_groups();
  auto weight = c3.view("weight").value();
  int kernel = 0;
  for (int j = 0; j < 16; ++j)
    for (std::size_t n = 0; n < groups[j].size(); ++n, ++kernel) {
      weight.col(kernel).array() += 0.5;
      std::string expected(16, ' ');
      expected[j] = 'X';
      BOOST_TEST(changed_maps(c3.fprop()) == expected, "kernel " << kernel);
      weight.col(kernel).array() -= 0.5;
    }
  BOOST_TEST(kernel == 60);
}

BOOST_AUTO_TEST_CASE(subsample_averages_windows_and_needs_divisible_sizes) {
  Layer s2("subsample", {{"size", "2"}}, {2, 4, 2}, 1);
  auto coefficient = s2.view("coefficient").value();
  auto bias = s2.view("bias").value();
  coefficient << 1, 3;
  bias << 0, -1;
  s2.in.x.col(0) << 1, 2, 3, 4, 5, 6, 7, 8,  // map 0, 4 rows of 2
      0, 0, 4, 8, 1, 1, 1, 1;                // map 1
  Vector<double> expected(4);
  expected << 2.5, 6.5, 3 * 3 - 1, 3 * 1 - 1;
  BOOST_TEST((s2.fprop().col(0) - expected).norm() < 1e-15);
  BOOST_TEST((s2.specs[0].init == Init::one));
  BOOST_TEST((s2.specs[1].init == Init::zero));

  BOOST_TEST(shape_error("subsample", {}, {3, 6, 7},
                         "subsample size=2 expects rows and columns divisible by 2, found 6x7"));
  BOOST_TEST(shape_error("subsample", {{"size", "3"}}, {4, 6},
                         "expects rows and columns divisible by 3, found 4x6"));
  BOOST_TEST(shape_error("subsample", {}, {36}, "subsample expects maps x rows x columns"));
  BOOST_TEST(settings_error("subsample", {{"size", "0"}}, "must be in [1, 2147483647], found 0"));
}

BOOST_AUTO_TEST_CASE(maxpool_routes_every_pass_to_the_maximum) {
  Layer pool("maxpool", {}, {1, 2, 4}, 1);
  pool.in.x.col(0) << 1, 5, -3, -2,  //
      4, 2, -1, -4;
  Vector<double> expected(2);
  expected << 5, -1;
  BOOST_TEST((pool.fprop().col(0) - expected).norm() == 0);

  pool.in.dx.setZero();
  pool.in.ddx.setZero();
  pool.out.dx.col(0) << 10, 20;
  pool.out.ddx.col(0) << 0.5, 0.25;
  pool.module->bprop({&pool.in}, pool.out);
  pool.module->bbprop({&pool.in}, pool.out);
  Vector<double> dx(8), ddx(8);
  dx << 0, 10, 0, 0, 0, 0, 20, 0;
  ddx << 0, 0.5, 0, 0, 0, 0, 0.25, 0;
  BOOST_TEST((pool.in.dx.col(0) - dx).norm() == 0);
  BOOST_TEST((pool.in.ddx.col(0) - ddx).norm() == 0);

  // Overlapping windows: a value that is the maximum of two windows gets both derivatives.
  Layer overlapping("maxpool", {{"size", "2"}, {"stride", "1"}}, {2, 3}, 1);
  overlapping.in.x.col(0) << 0, 9, 1,  //
      0, 0, 0;
  overlapping.fprop();
  overlapping.in.dx.setZero();
  overlapping.out.dx.col(0) << 1, 2;
  overlapping.module->bprop({&overlapping.in}, overlapping.out);
  BOOST_TEST(overlapping.in.dx(1, 0) == 3);

  BOOST_TEST(shape_error("maxpool", {}, {2, 5, 4},
                         "maxpool size=2 stride=2 expects rows = 2 + a multiple of 2, found 5"));
  BOOST_TEST(shape_error("maxpool", {{"size", "4"}}, {2, 8, 3}, "expects columns"));
}

BOOST_AUTO_TEST_CASE(relu_passes_positive_values_only) {
  Layer relu("relu", {}, {4}, 1);
  relu.in.x.col(0) << -2, 3, -0.5, 0.25;
  Vector<double> expected(4);
  expected << 0, 3, 0, 0.25;
  BOOST_TEST((relu.fprop().col(0) - expected).norm() == 0);
}

BOOST_AUTO_TEST_CASE(flatten_reshape_and_pad_move_values_into_place) {
  Layer flatten("flatten", {}, {2, 3, 4});
  BOOST_TEST(flatten.out.shape == Shape{24});
  BOOST_TEST((flatten.fprop() - flatten.in.x).norm() == 0);

  Layer reshape("reshape", {{"shape", "4x6"}}, {2, 3, 4});
  BOOST_TEST(reshape.out.shape == (Shape{4, 6}));
  BOOST_TEST((reshape.fprop() - reshape.in.x).norm() == 0);
  BOOST_TEST(shape_error("reshape", {{"shape", "1x4x4"}}, {2, 3, 3},
                         "reshape to 1x4x4 expects an input of 16 values, found 2x3x3 (18 "
                         "values)"));

  Layer pad("pad", {{"size", "1"}}, {2, 1, 2}, 1);
  pad.in.x.col(0) << 1, 2, 3, 4;
  BOOST_TEST(pad.out.shape == (Shape{2, 3, 4}));
  Vector<double> expected(24);
  expected << 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0,  //
      0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0;
  BOOST_TEST((pad.fprop().col(0) - expected).norm() == 0);
  BOOST_TEST(make_module<double>("pad", {{"size", "2"}})->output_shape({{28, 28}}) ==
             (Shape{32, 32}));
  BOOST_TEST(shape_error("pad", {{"size", "1"}}, {10}, "pad expects maps x rows x columns"));
}

BOOST_AUTO_TEST_CASE(a_convolutional_graph_gives_the_exact_gradient) {
  auto graph = graph_from<double>(small_convnet);
  Rng rng(5);
  for (int batch : {1, 3}) {
    random_inputs(*graph, batch, rng);
    const double error = gradient_error(*graph);
    BOOST_TEST_MESSAGE("gradient error, batch " << batch << ": " << error);
    BOOST_TEST(error < 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(a_convolutional_graph_gives_the_exact_hessian_vector_product) {
  auto graph = graph_from<double>(small_convnet);
  BOOST_TEST(graph->nodes_without_r_passes().empty());
  Rng rng(6);
  random_inputs(*graph, 3, rng);
  const double error = hessian_vector_error(*graph, rng);
  BOOST_TEST_MESSAGE("Hessian-vector error: " << error);
  BOOST_TEST(error < 1e-6);
}

// LeNet-5 (LeCun et al. 1998, §II.B) on 28×28 digits padded to 32×32: every layer has the number
// of trainable parameters the paper gives.
BOOST_AUTO_TEST_CASE(lenet5_has_the_papers_parameter_counts) {
  auto graph = graph_from<float>(R"(
image = input shape=28x28
label = input shape=84 source=targets
x  = pad(image) size=2                               # 32x32
c1 = conv2d(x) maps=6 kernel=5                       # 6@28x28
a1 = stanh(c1)
s2 = subsample(a1)                                   # 6@14x14
a2 = stanh(s2)
c3 = conv2d(a2) maps=16 kernel=5 table=lenet5-c3     # 16@10x10
a3 = stanh(c3)
s4 = subsample(a3)                                   # 16@5x5
a4 = stanh(s4)
c5 = conv2d(a4) maps=120 kernel=5                    # 120@1x1
a5 = stanh(c5)
f6 = linear(a5) outputs=84
y  = stanh(f6)
l  = mse(y, label)
)");
  const auto parameters = [&](const std::string& node) {
    std::int64_t n = 0;
    for (const auto& block : graph->parameters().blocks())
      if (block.name.rfind(node + ".", 0) == 0) n += block.size();
    return n;
  };
  BOOST_TEST(parameters("c1") == 156);
  BOOST_TEST(parameters("s2") == 12);
  BOOST_TEST(parameters("c3") == 1516);
  BOOST_TEST(parameters("s4") == 32);
  BOOST_TEST(parameters("c5") == 48120);
  BOOST_TEST(parameters("f6") == 10164);
  BOOST_TEST(graph->node("c5").state.shape == (Shape{120, 1, 1}));
  for (int i : graph->input_nodes())
    graph->node(i).state.x.setRandom(graph->node(i).state.size(), 4);
  graph->fprop();
  BOOST_TEST(std::isfinite(graph->loss()));
}

// --- errors through a graph file: the node, its inputs and the lines ---

BOOST_AUTO_TEST_CASE(a_kernel_that_does_not_tile_the_input_names_the_nodes_and_line) {
  const auto f = build_failure(
      "x = input shape=1x8x8\n"
      "\n"
      "c = conv2d(x) maps=2 kernel=3 stride=2\n");
  BOOST_TEST(f.line == 3);
  BOOST_TEST(f.message.find("test.graph:3:") == 0, f.message);
  BOOST_TEST(f.message.find("node 'c' (conv2d) on x [1x8x8, line 1]") != std::string::npos,
             f.message);
  BOOST_TEST(f.message.find("multiple of the stride 2, found 8 + 2*0 - 3 = 5") != std::string::npos,
             f.message);
}

BOOST_AUTO_TEST_CASE(an_indivisible_subsampling_names_the_nodes_and_line) {
  const auto f = build_failure(
      "x = input shape=1x12x12\n"
      "c = conv2d(x) maps=2 kernel=5\n"
      "s = subsample(c) size=3\n");
  BOOST_TEST(f.line == 3);
  BOOST_TEST(f.message.find("node 's' (subsample) on c [2x8x8, line 2]") != std::string::npos,
             f.message);
  BOOST_TEST(f.message.find("divisible by 3, found 8x8") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(a_bad_table_points_at_its_setting) {
  const auto f = build_failure(
      "x = input shape=6x14x14\n"
      "c = conv2d(x) maps=8 kernel=5 table=lenet5-c3\n");
  BOOST_TEST(f.line == 2);
  BOOST_TEST(f.message.find("setting 'table' of conv2d: expected one group per output map "
                            "(maps=8), found 16") != std::string::npos,
             f.message);
}
