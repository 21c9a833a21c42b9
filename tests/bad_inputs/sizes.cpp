// Bad inputs: sizes that overflow, allocations that an input asks for, values too long for a
// parser, ebprop-plot's inputs.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bad_input.h"
#include "file_bytes.h"

using namespace ebprop::test;

namespace {

// A 28x28 image through `layer` (line 3, named 'big') into a linear classifier, with the bundled
// digits as data so that a run (not only --describe) gets as far as the graph.
std::string net_with(const std::string& layer) {
  return "image = input shape=28x28 source=inputs\n"
         "label = input shape=10 source=targets\n"
         "big = " +
         layer +
         "\n"
         "f = linear(big) outputs=10\n"
         "y = stanh(f)\n"
         "loss = mse(y, label)\n"
         "[run]\nepochs = 1\n"
         "[data]\ndir = " +
         digits_dir + "\ntrain-limit = 100\ntest-limit = 100\n";
}

// Graph and weights file of a failed run: neither may change, and nothing may appear beside them.
struct Refusal {
  Scratch s;
  std::string graph, weights = s.file("w.bin");
  Refusal(const std::string& text) : graph(s.file("net.graph", text)) {}
  Result run(const std::string& options = "") const {
    return run_tool("ebprop-run", graph + " --save " + weights + " " + options);
  }
};

// 200 images of 2x2 and their labels, one of which is `label` (the 7th).
struct IdxData {
  Scratch s;
  std::string images = s.file("train-images"), labels = s.file("train-labels");
  explicit IdxData(std::uint32_t label) {
    std::vector<std::uint32_t> pixels(200 * 4, 1), classes(200);
    for (std::size_t i = 0; i < classes.size(); ++i) classes[i] = i % 10;
    classes[6] = label;
    write_bytes(images, idx_ints({200, 2, 2}, pixels));
    write_bytes(labels, idx_ints({200}, classes));
  }
  std::string graph(const std::string& images_path, const std::string& labels_path) const {
    return s.file("net.graph",
                  "image = input shape=2x2 source=inputs\nlabel = input shape=10 source=targets\n"
                  "f = linear(image) outputs=10\ny = stanh(f)\nloss = mse(y, label)\n"
                  "[run]\nepochs = 1\n[data]\ntrain-images = " +
                      images_path + "\ntrain-labels = " + labels_path + "\n");
  }
};

// The small net with `seed = VALUE` in its [run] section.
std::string with_run_value(const std::string& value) {
  std::string text = small_net;
  text.insert(text.find("[run]\n") + 6, "seed = " + value + "\n");
  return text;
}

Result plot(const std::string& arguments) { return run_tool("ebprop-plot", arguments); }

}  // namespace

BOOST_AUTO_TEST_SUITE(sizes)

// 28 + 2·23200 = 46428 rows and columns: 2155559184 values, more than an int holds.
BOOST_AUTO_TEST_CASE(a_pad_whose_output_exceeds_an_int_is_refused_at_its_line) {
  const Refusal net(net_with("pad(image) size=23200"));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(
      refused(net.run(), 1, {net.graph + ":3:", "'big' (pad)", "46428x46428", "2155559184"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_pad_whose_output_exceeds_an_int_is_refused_by_describe) {
  const Refusal net(net_with("pad(image) size=23200"));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1, {net.graph + ":3:", "'big' (pad)", "2155559184"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_conv2d_whose_output_exceeds_an_int_is_refused_at_its_line) {
  const Refusal net(net_with("conv2d(image) maps=1 kernel=1 padding=23200"));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run(), 1, {net.graph + ":3:", "'big' (conv2d)", "2155559184"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_conv2d_whose_output_exceeds_an_int_is_refused_by_describe) {
  const Refusal net(net_with("conv2d(image) maps=1 kernel=1 padding=23200"));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(
      refused(net.run("--describe"), 1, {net.graph + ":3:", "'big' (conv2d)", "2155559184"}));
  BOOST_TEST(kept.changes() == "");
}

// 28 + 2·2000000000 wraps to a negative int; the message must show the true sum.
BOOST_AUTO_TEST_CASE(a_conv2d_padding_beyond_an_int_is_refused_with_the_true_size) {
  const Refusal net(net_with("conv2d(image) maps=1 kernel=3 padding=2000000000"));
  const Untouched kept{net.graph, net.weights};
  const Result r = net.run("--describe");
  BOOST_TEST(refused(r, 1, {net.graph + ":3:", "'big' (conv2d)", "rows would be 4000000026"}));
  BOOST_TEST(!contains(r.output, " -"), r.output);
  BOOST_TEST(kept.changes() == "");
}

// 100x100 kernels on a 2000x2000 map: 3613801 positions x 10000 window values per example,
// unrolled (im2col) although the output is small.
BOOST_AUTO_TEST_CASE(a_conv2d_whose_unrolled_windows_exceed_an_int_is_refused) {
  std::string text = net_with("conv2d(image) maps=1 kernel=100");
  text.replace(text.find("28x28"), 5, "2000x2000");
  const Refusal net(text);
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1,
                     {net.graph + ":3:", "'big' (conv2d)", "unrolled windows", "36138010000"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_maxpool_after_an_overflowing_pad_names_the_pad) {
  std::string text = net_with("pad(image) size=23200");
  text.replace(text.find("f = linear(big)"), 15, "m = maxpool(big) size=2\nf = linear(m)");
  const Refusal net(text);
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1, {net.graph + ":3:", "'big' (pad)", "2155559184"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_maxpool_window_larger_than_its_input_is_refused_with_both_sizes) {
  const Refusal net(net_with("maxpool(image) size=2000000000"));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1,
                     {net.graph + ":3:", "'big' (maxpool)", "size=2000000000", "found 28"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_subsample_larger_than_its_input_is_refused_with_both_sizes) {
  const Refusal net(net_with("subsample(image) size=2000000000"));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1,
                     {net.graph + ":3:", "'big' (subsample)", "divisible by 2000000000"}));
  BOOST_TEST(kept.changes() == "");
}

// 2000000000 outputs: 24 GB of values per example, 44 TB of parameters.
BOOST_AUTO_TEST_CASE(a_linear_layer_of_two_billion_outputs_is_refused_with_its_bytes) {
  const Refusal net(net_with("linear(image) outputs=2000000000"));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(
      refused(net.run(), 1, {net.graph + ":3:", "'big' (linear)", "needs", " bytes (", "B)"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_linear_layer_of_two_billion_outputs_is_refused_by_describe) {
  const Refusal net(net_with("linear(image) outputs=2000000000"));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1, {net.graph + ":3:", "'big' (linear)", " bytes ("}));
  BOOST_TEST(kept.changes() == "");
}

// 9e8 + 9e8 values fit in an int; 9e8 more do not.
BOOST_AUTO_TEST_CASE(a_concat_whose_size_exceeds_an_int_is_refused) {
  const Refusal net(
      "a = input shape=900000000 source=inputs\nb = input shape=900000000 source=inputs\n"
      "ab = concat(a, b)\nbig = concat(ab, a)\nlabel = input shape=10 source=targets\n"
      "f = linear(big) outputs=10\nloss = mse(f, label)\n");
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(
      refused(net.run("--describe"), 1, {net.graph + ":4:", "'big' (concat)", "2700000000"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_reshape_to_a_shape_beyond_an_int_is_refused) {
  const Refusal net(net_with("reshape(image) shape=50000x50000"));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1, {net.graph + ":3:", "50000x50000"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_input_shape_beyond_an_int_is_refused) {
  std::string text = net_with("linear(image) outputs=10");
  text.replace(text.find("28x28"), 5, "50000x50000");
  const Refusal net(text);
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1, {net.graph + ":1:", "50000x50000", "2147483647"}));
  BOOST_TEST(kept.changes() == "");
}

// 999999999 inputs into 100 units: 1e11 weights, 2.8 TB with the store's other vectors.
BOOST_AUTO_TEST_CASE(a_huge_input_shape_into_a_linear_layer_is_refused_with_its_bytes) {
  std::string text = net_with("linear(image) outputs=100");
  text.replace(text.find("28x28"), 5, "999999999");
  const Refusal net(text);
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1,
                     {net.graph + ":3:", "'big' (linear)", "big.weight", "2.8 TB"}));
  BOOST_TEST(kept.changes() == "");
}

// One label of 16777215 among 200 examples would need 13.4 GB of one-of-N targets.
BOOST_AUTO_TEST_CASE(a_huge_label_in_an_idx_file_is_refused_before_its_targets_are_allocated) {
  const IdxData data(16777215);
  const std::string graph = data.graph(data.images, data.labels);
  const Untouched kept{graph, data.images, data.labels};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {data.labels + ": label 7 of 200", "16777215", "more than 999", "13.4 GB"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_huge_label_in_a_gzip_idx_file_is_refused_before_its_targets_are_allocated) {
  const IdxData data(16777215);
  const std::string images = data.images + ".gz", labels = data.labels + ".gz";
  BOOST_TEST_REQUIRE(std::system(("gzip -k " + data.images + " " + data.labels).c_str()) == 0);
  const std::string graph = data.graph(images, labels);
  const Untouched kept{graph, images, labels};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {labels + ": label 7 of 200", "16777215", "13.4 GB"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_huge_label_in_a_csv_file_is_refused_at_its_line) {
  Scratch s;
  std::string rows;
  for (int i = 0; i < 200; ++i)
    rows += "0.5,0.25," + std::to_string(i == 41 ? 16777215 : i % 3) + "\n";
  const std::string csv = s.file("train.csv", rows);
  const std::string graph =
      s.file("net.graph",
             "x = input shape=2 source=inputs\nt = input shape=3 source=targets\n"
             "f = linear(x) outputs=3\nloss = mse(f, t)\n[run]\nepochs = 1\n[data]\nlabel-column = "
             "-1\ntrain-csv = " +
                 csv + "\n");
  const Untouched kept{graph, csv};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1, {csv + ":42:", "16777215", "13.4 GB"}));
  BOOST_TEST(kept.changes() == "");
}

// std::regex recursed once per character of a [run] value, overflowing the stack.
BOOST_AUTO_TEST_CASE(a_run_value_of_26000_letters_is_refused_without_a_crash) {
  const Refusal net(with_run_value(std::string(26000, 'a')));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1, {net.graph + ":", "'seed'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_run_value_of_a_megabyte_is_refused_without_a_crash) {
  const Refusal net(with_run_value(std::string(1 << 20, 'a')));
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1, {net.graph + ":", "'seed'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_node_line_of_a_megabyte_is_refused_without_a_crash) {
  std::string text = small_net;
  text.replace(text.find("outputs=20"), 10, "outputs=20 " + std::string(1 << 20, 'x') + "=1");
  const Refusal net(text);
  const Untouched kept{net.graph, net.weights};
  BOOST_TEST(refused(net.run("--describe"), 1, {net.graph + ":3:", "unknown setting"}));
  BOOST_TEST(kept.changes() == "");
}

// ebprop-hessian writes "null" for a non-finite value; ebprop-plot read it as NaN and binned it
// at index INT_MIN.
BOOST_AUTO_TEST_CASE(a_histogram_skips_empty_nan_null_and_inf_cells_and_says_how_many) {
  Scratch s;
  const std::string csv = s.file("v.csv", "n,v\n1,1\n2,\n3,nan\n4,null\n5,inf\n6,-inf\n7,3\n");
  const std::string svg = s.file("v.svg");
  const Untouched kept{csv};
  const Result r = plot(csv + " --histogram v --bins 4 -o " + svg);
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(sanitizer_report(r.output) == "", r.output);
  BOOST_TEST(contains(r.output, "skips 5 of 7 cells of column 'v'"), r.output);
  BOOST_TEST(contains(slurp(svg), "<rect x="));
  BOOST_TEST(!contains(slurp(svg), "nan"));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_histogram_of_no_finite_number_is_refused_naming_the_column) {
  Scratch s;
  const std::string csv = s.file("v.csv", "n,v\n1,null\n2,nan\n3,inf\n");
  const std::string svg = s.file("v.svg");
  const Untouched kept{csv, svg};
  BOOST_TEST(refused(plot(csv + " --histogram v -o " + svg), 1,
                     {csv, "column 'v'", "no finite number", "3 cells"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_histogram_of_the_largest_doubles_stays_in_bounds) {
  Scratch s;
  const std::string csv = s.file("v.csv", "v\n-1.7e308\n1.7e308\n0\n1e-300\n");
  const std::string svg = s.file("v.svg");
  const Untouched kept{csv};
  const Result r = plot(csv + " --histogram v --bins 3 -o " + svg);
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(sanitizer_report(r.output) == "", r.output);
  BOOST_TEST(contains(slurp(svg), "<rect x="));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(two_billion_bins_are_refused_as_a_usage_error) {
  Scratch s;
  const std::string csv = s.file("v.csv", "v\n1\n2\n"), svg = s.file("v.svg");
  const Untouched kept{csv, svg};
  BOOST_TEST(refused(plot(csv + " --histogram v --bins 2000000000 -o " + svg), 2,
                     {"command line (--bins)", "in [1, 800]", "found 2000000000"}));
  BOOST_TEST(kept.changes() == "");
}

// Weights of 1e200 into a relu, then 1e-300: the loss is finite but the second layer's Gauss-Newton
// diagonal, a², is not, so diagonal.csv holds "null" cells.
BOOST_AUTO_TEST_CASE(a_histogram_of_an_ebprop_hessian_csv_with_null_cells_skips_them) {
  Scratch s;
  std::string rows;
  for (int i = 0; i < 20; ++i) rows += "0.5,0.25,0.75,0.125," + std::to_string(i % 3) + "\n";
  const std::string csv = s.file("train.csv", rows);
  const std::string graph =
      s.file("net.graph",
             "x = input shape=4 source=inputs\nt = input shape=3 source=targets\n"
             "h = linear(x) outputs=2\na = relu(h)\no = linear(a) outputs=3\nloss = mse(o, t)\n"
             "[data]\ncenter = none\nscale = none\nlabel-column = -1\ntrain-csv = " +
                 csv + "\n");
  const std::string weights = s.file("w.bin");
  write_bytes(weights, weights_file({{"h.weight", 2, 4, 1e200},
                                     {"h.bias", 2, 1, 0},
                                     {"o.weight", 3, 2, 1e-300},
                                     {"o.bias", 3, 1, 0}}));
  const std::string out = (s.dir / "hessian").string();
  const Result h = run_tool("ebprop-hessian", graph + " --load " + weights +
                                                  " --samples 20 --estimators none --out " + out);
  BOOST_TEST_REQUIRE(h.status == 0, h.output);
  const std::string diagonal = out + "/diagonal.csv", svg = s.file("d.svg");
  BOOST_TEST_REQUIRE(contains(slurp(diagonal), ",null\n"));
  const Untouched kept{diagonal};
  const Result r = plot(diagonal + " --histogram value -o " + svg);
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(sanitizer_report(r.output) == "", r.output);
  BOOST_TEST(contains(r.output, "skips 6 of 19 cells of column 'value'"), r.output);
  BOOST_TEST(!contains(slurp(svg), "nan"));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_SUITE_END()
