// Model files (model_file.h): round trip of the weights, the input transform and the task, the
// sections inside another archive, the earlier weights files, refusal of another graph, damaged
// and inconsistent files, atomic writes.
#define BOOST_TEST_MODULE model_file
#include <ebprop/model_file.h>

#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "bad_inputs/file_bytes.h"
#include "command.h"
#include "test_util.h"

using namespace ebprop;
using test::contains;
namespace fs = boost::filesystem;

namespace {

const char* net =
    "x = input shape=3\nh = linear(x) outputs=4\ny = stanh(h)\no = linear(y) outputs=2\n";

// A model of three input features with class names: fitted on three examples.
ModelInfo classes_info() {
  data::Dataset train;
  train.name = "train";
  train.inputs.resize(3, 3);
  train.inputs << 1, 2, 3, 4, 5, 7, -1, 0, 10;
  ModelInfo info;
  info.input_shape = {3};
  info.transform.fit(train, data::Centering::per_feature, data::Scaling::global);
  info.classes = 2;
  info.class_names = {"cat", "dog"};
  info.target_low = -0.5;
  info.target_high = 1.5;
  return info;
}

template <typename E, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("another exception: ") + e.what();
  }
  return "no error";
}

// An EBPROPW1 weights file of an earlier version holding the blocks of `params`.
std::string legacy_file(const ParameterStore<float>& params) {
  std::string body = test::little_endian(params.blocks().size());
  for (const auto& block : params.blocks()) {
    body += test::little_endian(block.name.size()) + block.name + test::little_endian(block.rows) +
            test::little_endian(block.cols);
    for (std::int64_t i = 0; i < block.size(); ++i) {
      const double v = params.w()[block.offset + i];
      std::uint64_t bits;
      std::memcpy(&bits, &v, 8);
      body += test::little_endian(bits, 8);
    }
  }
  return test::sealed_weights(body);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_model_round_trips_exactly_across_precisions) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net, 1);
  const ModelInfo info = classes_info();
  save_model(path, a->parameters(), info);
  BOOST_TEST(!fs::exists(path + ".tmp"));
  auto b = test::graph_from<float>(net, 2);
  BOOST_TEST((a->parameters().w() != b->parameters().w()));
  const std::optional<ModelInfo> read = load_model(path, b->parameters());
  BOOST_TEST_REQUIRE(read.has_value());
  BOOST_TEST((a->parameters().w() == b->parameters().w()));
  BOOST_TEST((read->input_shape == Shape{3}));
  BOOST_TEST((read->transform.centering() == data::Centering::per_feature));
  BOOST_TEST((read->transform.scaling() == data::Scaling::global));
  BOOST_TEST((read->transform.mean() == info.transform.mean()));
  BOOST_TEST((read->transform.scale() == info.transform.scale()));
  BOOST_TEST(read->classes == 2);
  BOOST_TEST((read->class_names == std::vector<std::string>{"cat", "dog"}));
  BOOST_TEST(read->class_name(1) == "dog");
  BOOST_TEST(read->target_columns == 0);
  BOOST_TEST(read->target_low == -0.5);
  BOOST_TEST(read->target_high == 1.5);
  auto c = test::graph_from<double>(net, 3);
  load_model(path, c->parameters());
  BOOST_TEST((a->parameters().w() == c->parameters().w().cast<float>()));
}

BOOST_AUTO_TEST_CASE(a_regression_model_keeps_its_target_columns) {
  const test::Scratch s;
  const std::string path = s.file("r.model");
  auto a = test::graph_from<double>(net);
  ModelInfo info = classes_info();
  info.classes = 0;
  info.class_names.clear();
  info.target_columns = 2;
  save_model(path, a->parameters(), info);
  const std::optional<ModelInfo> read = load_model(path, a->parameters());
  BOOST_TEST_REQUIRE(read.has_value());
  BOOST_TEST(read->regression());
  BOOST_TEST(read->target_columns == 2);
  BOOST_TEST(read->classes == 0);
  BOOST_TEST(read->class_name(1) == "1");  // number labels are named by their number
}

// Two classes on one output (Fig. 13-14) survive the file; a one-of-N model stays one-of-N.
BOOST_AUTO_TEST_CASE(a_single_output_model_keeps_its_coding) {
  const test::Scratch s;
  auto a = test::graph_from<double>(net);
  for (const bool single : {true, false}) {
    const std::string path = s.file(single ? "single.model" : "one-of-n.model");
    ModelInfo info = classes_info();
    info.classes = 2;
    info.class_names.clear();
    info.single_output = single;
    save_model(path, a->parameters(), info);
    const std::optional<ModelInfo> read = load_model(path, a->parameters());
    BOOST_TEST_REQUIRE(read.has_value());
    BOOST_TEST(read->single_output == single);
    BOOST_TEST(read->outputs() == (single ? 1 : 2));
  }
}

BOOST_AUTO_TEST_CASE(the_model_sections_live_in_any_archive) {
  auto a = test::graph_from<float>(net, 1);
  Archive checkpoint("checkpoint", 1);
  checkpoint.put("trainer", "epoch 3");
  put_model(checkpoint, a->parameters(), classes_info());
  BOOST_TEST(checkpoint.has("parameters"));
  BOOST_TEST(checkpoint.has("transform"));
  BOOST_TEST(checkpoint.has("task"));
  const Archive decoded =
      Archive::decode(checkpoint.encode(), "run.ckpt", "checkpoint", "an ebprop checkpoint");
  auto b = test::graph_from<float>(net, 2);
  const ModelInfo info = get_model(decoded, b->parameters());
  BOOST_TEST((a->parameters().w() == b->parameters().w()));
  BOOST_TEST((info.class_names == std::vector<std::string>{"cat", "dog"}));
  BOOST_TEST(decoded.get("trainer") == "epoch 3");
}

BOOST_AUTO_TEST_CASE(a_weights_file_of_an_earlier_version_still_loads_without_a_transform) {
  const test::Scratch s;
  const std::string path = s.file("old.w");
  auto a = test::graph_from<float>(net, 1);
  std::ofstream(path, std::ios::binary) << legacy_file(a->parameters());
  auto b = test::graph_from<float>(net, 2);
  BOOST_TEST(!load_model(path, b->parameters()).has_value());
  BOOST_TEST((a->parameters().w() == b->parameters().w()));

  std::string damaged = legacy_file(a->parameters());
  damaged[20] ^= 0x04;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << damaged;
  const Vector<float> before = b->parameters().w();
  BOOST_TEST(contains(error_of<FileError>([&] { load_model(path, b->parameters()); }),
                      "weights file '" + path + "' is corrupt (checksum mismatch)"));
  BOOST_TEST((b->parameters().w() == before));
}

BOOST_AUTO_TEST_CASE(an_old_weights_file_shorter_than_its_fields_is_truncated) {
  const test::Scratch s;
  const std::string path = s.file("short.w");
  std::ofstream(path, std::ios::binary) << test::sealed_weights("");
  auto a = test::graph_from<float>(net);
  BOOST_TEST(contains(error_of<FileError>([&] { load_model(path, a->parameters()); }),
                      "weights file '" + path + "' is truncated"));
}

BOOST_AUTO_TEST_CASE(another_graph_is_refused_with_every_difference) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net);
  save_model(path, a->parameters(), classes_info());
  auto other = test::graph_from<float>(
      "x = input shape=3\nh = linear(x) outputs=5\ny = stanh(h)\nz = linear(y) outputs=2\n");
  const Vector<float> before = other->parameters().w();
  const std::string m = error_of<FileError>([&] { load_model(path, other->parameters()); });
  BOOST_TEST(contains(m, "model '" + path + "' does not match the graph"), m);
  BOOST_TEST(contains(m, "'h.weight' is 4x3 in the file but 5x3 in the graph"), m);
  BOOST_TEST(contains(m, "'z.weight' is missing from the file"), m);
  BOOST_TEST(contains(m, "'o.bias' is not in the graph"), m);
  BOOST_TEST((other->parameters().w() == before));  // unchanged
}

BOOST_AUTO_TEST_CASE(a_corrupt_truncated_foreign_or_missing_file_is_named) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net);
  save_model(path, a->parameters(), classes_info());
  const std::string bytes = test::slurp(path);
  std::string flipped = bytes;
  flipped[40] ^= 0x7f;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
  BOOST_TEST(contains(error_of<FileError>([&] { load_model(path, a->parameters()); }),
                      "is corrupt (checksum mismatch)"));
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  BOOST_TEST(contains(error_of<FileError>([&] { load_model(path, a->parameters()); }),
                      "checksum mismatch"));
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "hello, this is not a model";
  BOOST_TEST(contains(error_of<FileError>([&] { load_model(path, a->parameters()); }),
                      "'" + path + "' is not an ebprop model file (no EBPROPA1 header)"));
  BOOST_TEST(contains(error_of<FileError>([&] { load_model("/nonexistent/m", a->parameters()); }),
                      "cannot open model file '/nonexistent/m'"));
}

BOOST_AUTO_TEST_CASE(another_version_or_a_missing_section_is_refused) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net);
  Archive future("model", model_version + 1);
  put_model(future, a->parameters(), classes_info());
  future.write(path);
  BOOST_TEST(
      contains(error_of<FileError>([&] { load_model(path, a->parameters()); }),
               "model file '" + path + "' is of version 3; this build reads versions 1 and 2"));
  Archive partial("model", model_version);
  put_model(partial, a->parameters(), classes_info());
  Archive without_task("model", model_version);
  without_task.put("parameters", partial.get("parameters"));
  without_task.put("transform", partial.get("transform"));
  without_task.write(path);
  // Version 2 always has the decorrelation section (§4.3; mode none when there is none).
  BOOST_TEST(contains(error_of<FileError>([&] { load_model(path, a->parameters()); }),
                      "model '" + path + "' has no section 'decorrelation'"));
  without_task.put("decorrelation", partial.get("decorrelation"));
  without_task.write(path);
  BOOST_TEST(contains(error_of<FileError>([&] { load_model(path, a->parameters()); }),
                      "model '" + path + "' has no section 'task'"));
}

// A model with a pca-whiten decorrelation keeping 2 of its 3 features (fitted on 50 examples).
ModelInfo decorrelated_info(data::Decorrelation mode, int components) {
  ModelInfo info = classes_info();
  data::Dataset train;
  train.name = "train";
  train.inputs.resize(3, 50);
  for (int e = 0; e < 50; ++e)
    train.inputs.col(e) << std::sin(e), std::cos(3.0 * e) + std::sin(e), 0.1f * e;
  info.transform.fit(train, data::Centering::per_feature, data::Scaling::global);
  info.transform.apply(train);
  data::DecorrelationOptions options;
  options.mode = mode;
  options.components = components;
  info.decorrelation.fit(train, options);
  return info;
}

BOOST_AUTO_TEST_CASE(the_decorrelation_round_trips_exactly) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net);
  for (const auto mode : {data::Decorrelation::pca_whiten, data::Decorrelation::zca}) {
    const ModelInfo info = decorrelated_info(mode, mode == data::Decorrelation::zca ? 0 : 2);
    save_model(path, a->parameters(), info);
    const auto loaded = load_model(path, a->parameters());
    BOOST_TEST_REQUIRE(loaded.has_value());
    const data::Decorrelator &before = info.decorrelation, &after = loaded->decorrelation;
    BOOST_TEST((after.mode() == mode));
    BOOST_TEST(after.options().components == before.options().components);
    BOOST_TEST(after.options().epsilon == before.options().epsilon);
    BOOST_TEST((after.mean() == before.mean()));
    BOOST_TEST((after.eigenvalues() == before.eigenvalues()));
    BOOST_TEST((after.eigenvectors() == before.eigenvectors()));
    BOOST_TEST((after.projection() == before.projection()));  // the same transform, bit for bit
    // And so the same inputs for the graph.
    data::Dataset x, y;
    x.name = "x";
    x.inputs = Matrix<float>::Random(3, 7);
    y = x;
    info.apply_transform(x);
    loaded->apply_transform(y);
    BOOST_TEST((x.inputs == y.inputs));
    BOOST_TEST(x.inputs.rows() == (mode == data::Decorrelation::zca ? 3 : 2));
  }
}

BOOST_AUTO_TEST_CASE(a_version_1_model_has_no_decorrelation) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net);
  Archive current("model", model_version);
  put_model(current, a->parameters(), classes_info());
  Archive old("model", 1);  // what the builds before the decorrelation wrote
  for (const char* section : {"parameters", "transform", "task"})
    old.put(section, current.get(section));
  old.write(path);
  const auto loaded = load_model(path, a->parameters());
  BOOST_TEST_REQUIRE(loaded.has_value());
  BOOST_TEST((loaded->decorrelation.mode() == data::Decorrelation::none));
  BOOST_TEST((loaded->transform.mean() == classes_info().transform.mean()));
}

BOOST_AUTO_TEST_CASE(a_corrupt_decorrelation_is_refused_naming_the_section) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net);
  const ModelInfo info = decorrelated_info(data::Decorrelation::pca_whiten, 2);
  const data::Decorrelator& d = info.decorrelation;
  const auto doubles = [](const auto& v) {
    return std::vector<double>(v.data(), v.data() + v.size());
  };
  // The section as put_model writes it, with the fields given here.
  const auto section = [&](const std::string& mode, std::vector<double> mean,
                           std::vector<double> lambda, std::uint32_t kept,
                           std::vector<double> vectors) {
    ByteWriter out;
    out.text(mode);
    out.u32(2);
    out.f64(0);
    out.f64(1e-5);
    out.f64s(mean);
    out.f64s(lambda);
    out.u32(kept);
    out.f64s(vectors);
    return out.bytes();
  };
  const auto load_with = [&](const std::string& bytes) {
    Archive archive("model", model_version);
    put_model(archive, a->parameters(), info);
    archive.put("decorrelation", bytes);
    archive.write(path);
    return error_of<FileError>([&] { load_model(path, a->parameters()); });
  };
  const std::string at = "model '" + path + "', section decorrelation: ";
  const std::vector<double> mean = doubles(d.mean()), lambda = doubles(d.eigenvalues()),
                            vectors = doubles(d.eigenvectors());
  BOOST_TEST(load_with(section("pca-whiten", mean, lambda, 2, vectors)) == "no error");

  std::string m = load_with(section("pca-whiten", mean, lambda, 2, {1, 2, 3}));
  BOOST_TEST(m == at + "2 eigenvectors of 3 values need 6 values, but there are 3", m);
  std::vector<double> nan = vectors;
  nan[4] = std::numeric_limits<double>::infinity();
  m = load_with(section("pca-whiten", mean, lambda, 2, nan));
  BOOST_TEST(m == at + "the decorrelation holds a non-finite value", m);
  m = load_with(section("pca-whiten", {0, 0}, lambda, 2, {1, 0, 0, 1}));
  BOOST_TEST(contains(m, at + "the decorrelation has 2 means, 3 eigenvalues"), m);
  m = load_with(section("pca-whiten", mean, {1, 2, 0.5}, 2, vectors));
  BOOST_TEST(contains(m, at + "eigenvalue 2 is 2; the eigenvalues are at least 0 and descending"),
             m);
  m = load_with(section("pca-whiten", mean, lambda, 3,
                        doubles(Eigen::MatrixXd(Eigen::MatrixXd::Identity(3, 3)))));
  BOOST_TEST(m == at + "the decorrelation holds 3 eigenvectors, but decorrelate = pca-whiten keeps "
                       "2 of 3 components",
             m);
  m = load_with(section("blur", mean, lambda, 2, vectors));
  BOOST_TEST(contains(m, at + "unknown decorrelation 'blur'"), m);
  m = load_with(section("pca-whiten", mean, lambda, 2, vectors) + "x");
  BOOST_TEST(contains(m, "section decorrelation has 1 bytes left over"), m);
  // Fitted on 2 features, for a transform of 3.
  m = load_with(section("pca-whiten", {0, 0}, {2, 1}, 2, {1, 0, 0, 1}));
  BOOST_TEST(m == at + "the decorrelation is fitted on 2 features, but the input transform has 3",
             m);
}

BOOST_AUTO_TEST_CASE(inconsistent_sections_are_refused_naming_the_section) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net);
  const Vector<float> before = a->parameters().w();
  const auto with = [&](const std::string& section, const std::string& bytes) {
    Archive archive("model", model_version);
    put_model(archive, a->parameters(), classes_info());
    archive.put(section, bytes);
    archive.write(path);
    return error_of<FileError>([&] { load_model(path, a->parameters()); });
  };
  ByteWriter transform;  // a shape of 4 values for 3 means
  transform.text("global");
  transform.text("none");
  transform.u32(1);
  transform.u64(4);
  transform.f64s({0, 0, 0});
  transform.f64s({1, 1, 1});
  std::string m = with("transform", transform.bytes());
  BOOST_TEST(contains(m, "model '" + path + "', section transform: the input shape 4 has 4 values"),
             m);

  ByteWriter zero_scale;
  zero_scale.text("global");
  zero_scale.text("none");
  zero_scale.u32(1);
  zero_scale.u64(3);
  zero_scale.f64s({0, 0, 0});
  zero_scale.f64s({1, 0, 1});
  m = with("transform", zero_scale.bytes());
  BOOST_TEST(contains(m, "section transform: the input transform of feature 2"), m);

  ByteWriter sizes;  // three means, two scales
  sizes.text("global");
  sizes.text("none");
  sizes.u32(1);
  sizes.u64(3);
  sizes.f64s({0, 0, 0});
  sizes.f64s({1, 1});
  m = with("transform", sizes.bytes());
  BOOST_TEST(contains(m, "section transform: the input transform has 3 means and 2 scales"), m);

  ByteWriter rank;
  rank.text("global");
  rank.text("none");
  rank.u32(9);
  m = with("transform", rank.bytes());
  BOOST_TEST(contains(m, "section transform: an input shape of rank 9"), m);

  ByteWriter dimension;
  dimension.text("global");
  dimension.text("none");
  dimension.u32(1);
  dimension.u64(0);
  m = with("transform", dimension.bytes());
  BOOST_TEST(contains(m, "section transform: input dimension 0"), m);

  ByteWriter word;
  word.text("sideways");
  m = with("transform", word.bytes());
  BOOST_TEST(contains(m, "section transform: unknown centering 'sideways'"), m);

  ByteWriter names;  // three names for two classes
  names.u32(2);
  names.u32(3);
  m = with("task", names.bytes());
  BOOST_TEST(contains(m, "section task: 3 class names for 2 classes"), m);

  ByteWriter unsorted;
  unsorted.u32(2);
  unsorted.u32(2);
  unsorted.text("dog");
  unsorted.text("cat");
  unsorted.u32(0);
  unsorted.f64(-1);
  unsorted.f64(1);
  m = with("task", unsorted.bytes());
  BOOST_TEST(contains(m, "section task: the class names are not distinct and sorted"), m);

  ByteWriter both;  // classes and target columns
  both.u32(2);
  both.u32(0);
  both.u32(1);
  both.f64(-1);
  both.f64(1);
  m = with("task", both.bytes());
  BOOST_TEST(contains(m, "section task: 2 classes and 1 target columns"), m);

  ByteWriter infinite;
  infinite.u32(2);
  infinite.u32(0);
  infinite.u32(0);
  infinite.f64(-1);
  infinite.f64(HUGE_VAL);
  m = with("task", infinite.bytes());
  BOOST_TEST(contains(m, "section task: non-finite target-low or target-high"), m);

  ByteWriter longer;
  longer.u32(2);
  longer.u32(0);
  longer.u32(0);
  longer.f64(-1);
  longer.f64(1);
  longer.u32(1);  // the single-output coding, then 4 bytes no writer writes
  longer.u32(9);
  m = with("task", longer.bytes());
  BOOST_TEST(contains(m, "section task has 4 bytes left over"), m);

  for (const auto& [classes, coding] : {std::pair{3u, 1u}, std::pair{2u, 9u}}) {
    ByteWriter single;  // single output for three classes; a coding no writer writes
    single.u32(classes);
    single.u32(0);
    single.u32(0);
    single.f64(-1);
    single.f64(1);
    single.u32(coding);
    m = with("task", single.bytes());
    BOOST_TEST(contains(m,
                        "section task: the single-output coding is for two classes and is "
                        "written as 1"),
               m);
  }

  ByteWriter twice;  // one name for two blocks
  twice.u32(2);
  for (int b = 0; b < 2; ++b) {
    twice.text("h.bias");
    twice.u32(4);
    twice.u32(1);
    twice.f64s({1, 2, 3, 4});
  }
  m = with("parameters", twice.bytes());
  BOOST_TEST(contains(m, "section parameters: block 'h.bias' appears twice"), m);

  ByteWriter ragged;  // a block whose values do not fill its shape
  ragged.u32(1);
  ragged.text("h.weight");
  ragged.u32(4);
  ragged.u32(3);
  ragged.f64s({1, 2});
  m = with("parameters", ragged.bytes());
  BOOST_TEST(contains(m, "section parameters: block 'h.weight' is 4x3 but holds 2 values"), m);
  BOOST_TEST((a->parameters().w() == before));  // unchanged by every refusal
}

BOOST_AUTO_TEST_CASE(values_too_large_for_float_are_refused_by_a_float_run) {
  const test::Scratch s;
  const std::string path = s.file("big.model");
  auto d = test::graph_from<double>(net);
  d->parameters().w()[5] = 1e300;
  save_model(path, d->parameters(), classes_info());
  auto f = test::graph_from<float>(net);
  const Vector<float> before = f->parameters().w();
  const std::string m = error_of<NumericError>([&] { load_model(path, f->parameters()); });
  BOOST_TEST(contains(m, "model '" + path +
                             "': parameter 'h.weight' value 5 (counted from 0) is "
                             "1e+300, too large for float"),
             m);
  BOOST_TEST((f->parameters().w() == before));
  BOOST_TEST(load_model(path, d->parameters()).has_value());  // a double run takes it
}

BOOST_AUTO_TEST_CASE(an_incomplete_model_is_not_saved) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net);
  ModelInfo unfitted;
  unfitted.input_shape = {3};
  unfitted.classes = 2;
  BOOST_TEST(contains(error_of<Error>([&] { save_model(path, a->parameters(), unfitted); }),
                      "cannot save the model to '" + path +
                          "': the input transform is not fitted to inputs of shape 3"));
  ModelInfo no_task = classes_info();
  no_task.classes = 0;
  no_task.class_names.clear();
  BOOST_TEST(contains(error_of<Error>([&] { save_model(path, a->parameters(), no_task); }),
                      "the task is neither classes"));
  BOOST_TEST(!fs::exists(path));
}

BOOST_AUTO_TEST_CASE(an_unwritable_place_leaves_nothing_behind) {
  auto a = test::graph_from<float>(net);
  BOOST_TEST(contains(error_of<FileError>([&] {
                        save_model("/nonexistent-dir/m.model", a->parameters(), classes_info());
                      }),
                      "cannot write '/nonexistent-dir/m.model'"));
}

BOOST_AUTO_TEST_CASE(a_failed_rename_names_the_reason_and_leaves_no_temporary) {
  // A directory where the file should go: the temporary is written, the rename fails (EISDIR).
  const test::Scratch s;
  fs::create_directories(s.dir / "m.model");
  auto a = test::graph_from<float>(net);
  BOOST_TEST(contains(error_of<FileError>([&] {
                        save_model((s.dir / "m.model").string(), a->parameters(), classes_info());
                      }),
                      "renaming the temporary over it: Is a directory"));
  BOOST_TEST(std::distance(fs::directory_iterator(s.dir), fs::directory_iterator()) == 1);
}

BOOST_AUTO_TEST_CASE(non_finite_weights_are_never_saved) {
  const test::Scratch s;
  const std::string path = s.file("m.model");
  auto a = test::graph_from<float>(net);
  a->parameters().w()[2] = std::numeric_limits<float>::quiet_NaN();
  const std::string m =
      error_of<NumericError>([&] { save_model(path, a->parameters(), classes_info()); });
  BOOST_TEST(contains(m, "cannot save the model to '" + path +
                             "': parameter 'h.weight' value 2 (counted from 0) is NaN"),
             m);
  BOOST_TEST(!fs::exists(path));
}
