// Bad inputs: model files (and the weights files of earlier versions that --load still reads):
// truncated, corrupt, foreign, mismatched, inconsistent with the graph file's [data] section;
// --test-only without a model.
#include <ebprop/archive.h>

#include <cstdint>

#include "bad_input.h"
#include "file_bytes.h"

using namespace ebprop::test;

namespace {

// The small net's graph and a model file saved from its starting weights.
struct Saved {
  Scratch s;
  std::string graph = s.file("net.graph", small_net), weights = s.file("w.model");
  Saved() {
    const Result r = run_tool("ebprop-run", graph + " --epochs 0 --save " + weights);
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
  }
  // Loads `bytes` as a model, with --save onto another file that must not appear.
  Result load(const std::string& bytes) const {
    std::ofstream(weights, std::ios::binary | std::ios::trunc) << bytes;
    return run_tool("ebprop-run", graph + " -q --load " + weights + " --save " + s.file("out.w"));
  }
  // The saved model with its section `name` replaced by `bytes` (the checksum made right).
  std::string with_section(const std::string& name, const std::string& bytes) const {
    ebprop::Archive archive = ebprop::Archive::read(weights, "model", "an ebprop model file");
    archive.put(name, bytes);
    return archive.encode();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(weights_files)

BOOST_AUTO_TEST_CASE(the_forged_checksum_is_the_real_one) {  // so the cases below test the parser
  const Saved saved;
  const std::string bytes = slurp(saved.weights);
  BOOST_TEST(bytes.substr(bytes.size() - 4) ==
             little_endian(crc32_of(bytes.substr(0, bytes.size() - 4))));
}

BOOST_AUTO_TEST_CASE(a_missing_model_file_is_named) {
  const Saved saved;
  const std::string missing = saved.s.file("missing.w");
  const Untouched kept{saved.graph};
  BOOST_TEST(refused(run_tool("ebprop-run", saved.graph + " --load " + missing), 1,
                     {"cannot open model file '" + missing + "'", "No such file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_directory_as_model_file_is_named) {
  const Saved saved;
  const std::string dir = saved.s.dir.string();
  BOOST_TEST(refused(run_tool("ebprop-run", saved.graph + " --load " + dir), 1,
                     {"model file '" + dir + "'", "Is a directory"}));
}

BOOST_AUTO_TEST_CASE(an_empty_file_is_not_a_model_file) {
  const Saved saved;
  const Untouched out{saved.s.file("out.w")};
  BOOST_TEST(refused(saved.load(""), 1, {saved.weights, "not an ebprop model file"}));
  BOOST_TEST(out.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_graph_file_is_not_a_model_file) {
  const Saved saved;
  const Untouched kept{saved.graph};
  BOOST_TEST(refused(run_tool("ebprop-run", saved.graph + " --load " + saved.graph), 1,
                     {saved.graph, "not an ebprop model file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(one_flipped_bit_fails_the_checksum) {
  const Saved saved;
  std::string bytes = slurp(saved.weights);
  bytes[bytes.size() / 2] ^= 0x10;
  const Untouched out{saved.s.file("out.w")};
  BOOST_TEST(refused(saved.load(bytes), 1, {saved.weights, "checksum mismatch"}));
  BOOST_TEST(out.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_truncated_file_fails_the_checksum) {
  const Saved saved;
  const std::string bytes = slurp(saved.weights);
  BOOST_TEST(refused(saved.load(bytes.substr(0, bytes.size() - 100)), 1,
                     {saved.weights, "checksum mismatch"}));
}

BOOST_AUTO_TEST_CASE(a_parameter_count_beyond_the_section_is_truncation) {
  const Saved saved;
  BOOST_TEST(refused(saved.load(saved.with_section("parameters", little_endian(0xffffffffu))), 1,
                     {"model '" + saved.weights + "', section parameters is truncated"}));
}

BOOST_AUTO_TEST_CASE(a_parameter_name_length_beyond_the_section_is_truncation) {
  const Saved saved;
  BOOST_TEST(
      refused(saved.load(saved.with_section(
                  "parameters", little_endian(1) + little_endian(1ULL << 60, 8) + "h.weight")),
              1, {"model '" + saved.weights + "', section parameters is truncated"}));
}

BOOST_AUTO_TEST_CASE(a_parameter_of_2_to_the_60_values_is_truncation_not_an_allocation) {
  const Saved saved;
  BOOST_TEST(refused(saved.load(saved.with_section(
                         "parameters", little_endian(1) + little_endian(8, 8) + "h.weight" +
                                           little_endian(0xffffffffu) + little_endian(0xffffffffu) +
                                           little_endian(1ULL << 60, 8))),
                     1, {"model '" + saved.weights + "', section parameters is truncated"}));
}

BOOST_AUTO_TEST_CASE(bytes_after_the_last_parameter_are_refused) {
  const Saved saved;
  BOOST_TEST(refused(saved.load(saved.with_section("parameters", little_endian(0) + "extra")), 1,
                     {"model '" + saved.weights + "', section parameters has 5 bytes left over"}));
}

BOOST_AUTO_TEST_CASE(a_model_without_its_transform_is_refused) {
  const Saved saved;
  ebprop::Archive archive = ebprop::Archive::read(saved.weights, "model", "an ebprop model file");
  ebprop::Archive partial("model", archive.version());
  partial.put("parameters", archive.get("parameters"));
  partial.put("task", archive.get("task"));
  BOOST_TEST(refused(saved.load(partial.encode()), 1,
                     {"model '" + saved.weights + "' has no section 'transform'"}));
}

// The weights files of earlier versions (EBPROPW1): still read, with a note, and still checked.
BOOST_AUTO_TEST_CASE(an_old_weights_file_loads_with_a_note_and_saves_a_model) {
  const Saved saved;
  const std::string old = saved.s.file("old.w"), out = saved.s.file("new.model");
  write_bytes(old, weights_file({{"h.weight", 20, 784, 0.01},
                                 {"h.bias", 20, 1, 0},
                                 {"o.weight", 10, 20, 0.1},
                                 {"o.bias", 10, 1, 0}}));
  const Result r = run_tool("ebprop-run", saved.graph + " --load " + old + " --save " + out);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "note: '" + old +
                                    "' is a weights file of an earlier version, without the "
                                    "input transform: the statistics are fitted on the training "
                                    "set as before"),
             r.output);
  BOOST_TEST(slurp(out).rfind("EBPROPA1", 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_block_count_beyond_the_file_is_truncation) {
  const Saved saved;
  BOOST_TEST(refused(saved.load(sealed_weights(little_endian(0xffffffffu))), 1,
                     {saved.weights, "truncated"}));
}

BOOST_AUTO_TEST_CASE(a_name_length_beyond_the_file_is_truncation) {
  const Saved saved;
  BOOST_TEST(refused(
      saved.load(sealed_weights(little_endian(1) + little_endian(0xfffffff0u) + "h.weight")), 1,
      {saved.weights, "truncated"}));
}

BOOST_AUTO_TEST_CASE(a_block_of_4_billion_squared_values_is_truncation_not_an_allocation) {
  const Saved saved;
  BOOST_TEST(
      refused(saved.load(sealed_weights(little_endian(1) + little_endian(8) + "h.weight" +
                                        little_endian(0xffffffffu) + little_endian(0xffffffffu))),
              1, {saved.weights, "truncated"}));
}

BOOST_AUTO_TEST_CASE(bytes_after_the_last_block_are_refused) {
  const Saved saved;
  BOOST_TEST(refused(saved.load(sealed_weights(little_endian(0) + "extra")), 1,
                     {saved.weights, "trailing data"}));
}

BOOST_AUTO_TEST_CASE(an_old_weights_file_with_a_flipped_bit_fails_its_checksum) {
  const Saved saved;
  std::string bytes = sealed_weights(little_endian(0));
  bytes[9] ^= 0x01;
  BOOST_TEST(refused(saved.load(bytes), 1,
                     {"weights file '" + saved.weights + "' is corrupt (checksum mismatch)"}));
}

BOOST_AUTO_TEST_CASE(weights_of_another_graph_list_every_difference) {
  const Saved saved;
  std::string other = small_net;
  other.replace(other.find("outputs=20"), 10, "outputs=30");
  other.replace(other.find("o = linear"), 10, "p = linear");
  other.replace(other.find("y = stanh(o)"), 12, "y = stanh(p)");
  const std::string graph = saved.s.file("other.graph", other);
  const Untouched kept{saved.weights};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --load " + saved.weights), 1,
                     {"model '" + saved.weights + "' does not match the graph",
                      "'h.weight' is 20x784 in the file but 30x784 in the graph",
                      "'p.weight' is missing from the file", "'o.weight' is not in the graph"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_data_setting_in_the_graph_file_that_disagrees_with_the_model_is_located) {
  const Saved saved;  // trained with the [data] defaults: center = per-feature, scale = global
  const std::string graph = saved.s.file("other.graph", small_net + "center = global\n");
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --load " + saved.weights + " --test-only"), 1,
                     {graph + ":14:", "center = global disagrees with the model '" + saved.weights +
                                          "', trained with center = per-feature"}));
  const Result set = run_tool("ebprop-run", saved.graph + " --load " + saved.weights +
                                                " --test-only --set scale=per-feature");
  BOOST_TEST(refused(set, 2,
                     {"command line (--set): scale = per-feature disagrees with the model",
                      "trained with scale = global"}));
  const Result targets = run_tool("ebprop-run", saved.graph + " --load " + saved.weights +
                                                    " --test-only --set target-high=0.5");
  BOOST_TEST(refused(targets, 2, {"target-high = 0.5 disagrees", "trained with target-high = 1"}));
  // The model's own values, written out, agree.
  const Result same = run_tool("ebprop-run", saved.graph + " --load " + saved.weights +
                                                 " --test-only --set center=per-feature");
  BOOST_TEST(same.status == 0, same.output);
}

BOOST_AUTO_TEST_CASE(a_model_of_another_task_is_refused) {
  const Scratch s;
  const std::string fit = std::string(EBPROP_SOURCE_DIR) + "/graphs/fit-stanh.graph";
  const std::string model = s.file("fit.model");
  const Result trained = run_tool("ebprop-run", fit + " -q --epochs 1 --save " + model);
  BOOST_TEST_REQUIRE(trained.status == 0, trained.output);
  BOOST_TEST(refused(
      run_tool("ebprop-run", fit + " --load " + model + " --test-only --set target-columns=2"), 2,
      {"command line (--set): the model '" + model +
       "' is a regression on 1 target columns, but the data have 2 target columns"}));
}

BOOST_AUTO_TEST_CASE(a_classifier_model_is_refused_for_regression_data) {
  const Saved saved;
  std::string row = "0.5";
  for (int i = 0; i < 784; ++i) row += ",1";
  const std::string csv = saved.s.file("values.csv", row + "\n" + row + "\n");
  BOOST_TEST(refused(
      run_tool("ebprop-run", saved.graph + " --load " + saved.weights +
                                 " --test-only --set train-csv=" + csv + " --set target-columns=1"),
      2,
      {"command line (--set): the model '" + saved.weights +
       "' is a classifier of 10 classes, but the data have 1 target columns"}));
}

BOOST_AUTO_TEST_CASE(a_regression_model_is_refused_for_labels) {
  const Scratch s;
  std::string source = slurp(std::string(EBPROP_SOURCE_DIR) + "/graphs/fit-stanh.graph");
  for (const char* set : {"train", "test"}) {  // the data where the graph's relative paths lead
    const std::string relative = std::string("../data/fit/") + set + ".csv";
    source.replace(source.find(relative), relative.size(),
                   std::string(EBPROP_SOURCE_DIR) + "/data/fit/" + set + ".csv");
  }
  const std::string fit = s.file("fit.graph", source);
  const std::string model = s.file("fit.model");
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", fit + " -q --epochs 1 --save " + model).status == 0);
  std::string labels = source;  // the same graph and files, but the last column read as labels
  labels.replace(labels.find("target-columns = 1"), 18, "label-column = -1");
  const std::string graph = s.file("labels.graph", labels);
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --load " + model + " --test-only"), 1,
                     {"the model '" + model +
                      "' is a regression on 1 target columns, but the data have labels (set "
                      "target-columns)"}));
}

BOOST_AUTO_TEST_CASE(examples_of_another_size_than_the_models_are_refused) {
  const Saved saved;
  const std::string csv = saved.s.file("small.csv", "0,1,2,3\n1,4,5,6\n");
  BOOST_TEST(refused(run_tool("ebprop-run", saved.graph + " --load " + saved.weights +
                                                " --test-only --set train-csv=" + csv),
                     1,
                     {csv + ": an example has 3 input values, but the model '" + saved.weights +
                      "' was trained on 784 (28x28)"}));
}

BOOST_AUTO_TEST_CASE(test_only_without_a_model_is_refused) {
  const Saved saved;
  BOOST_TEST(refused(run_tool("ebprop-run", saved.graph + " --test-only"), 2,
                     {"--test-only evaluates a trained model: give --load MODEL"}));
}

BOOST_AUTO_TEST_SUITE_END()
