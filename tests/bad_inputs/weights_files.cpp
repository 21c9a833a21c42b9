// Bad inputs: weights files: truncated, corrupt, foreign, mismatched, non-finite.
#include <cstdint>

#include "bad_input.h"
#include "file_bytes.h"

using namespace ebprop::test;

namespace {

// The small net's graph and a weights file saved from its starting weights.
struct Saved {
  Scratch s;
  std::string graph = s.file("net.graph", small_net), weights = s.file("w.bin");
  Saved() {
    const Result r = run_tool("ebprop-run", graph + " --epochs 0 --save " + weights);
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
  }
  // Loads `bytes` as weights, with --save onto another file that must not appear.
  Result load(const std::string& bytes) const {
    std::ofstream(weights, std::ios::binary | std::ios::trunc) << bytes;
    return run_tool("ebprop-run", graph + " -q --load " + weights + " --save " + s.file("out.w"));
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

BOOST_AUTO_TEST_CASE(a_missing_weights_file_is_named) {
  const Saved saved;
  const std::string missing = saved.s.file("missing.w");
  const Untouched kept{saved.graph};
  BOOST_TEST(refused(run_tool("ebprop-run", saved.graph + " --load " + missing), 1,
                     {"cannot open weights file '" + missing + "'", "No such file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_directory_as_weights_file_is_named) {
  const Saved saved;
  const std::string dir = saved.s.dir.string();
  BOOST_TEST(refused(run_tool("ebprop-run", saved.graph + " --load " + dir), 1,
                     {"weights file '" + dir + "'", "Is a directory"}));
}

BOOST_AUTO_TEST_CASE(an_empty_file_is_not_a_weights_file) {
  const Saved saved;
  const Untouched out{saved.s.file("out.w")};
  BOOST_TEST(refused(saved.load(""), 1, {saved.weights, "not an ebprop weights file"}));
  BOOST_TEST(out.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_graph_file_is_not_a_weights_file) {
  const Saved saved;
  const Untouched kept{saved.graph};
  BOOST_TEST(refused(run_tool("ebprop-run", saved.graph + " --load " + saved.graph), 1,
                     {saved.graph, "not an ebprop weights file"}));
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

BOOST_AUTO_TEST_CASE(weights_of_another_graph_list_every_difference) {
  const Saved saved;
  std::string other = small_net;
  other.replace(other.find("outputs=20"), 10, "outputs=30");
  other.replace(other.find("o = linear"), 10, "p = linear");
  other.replace(other.find("y = stanh(o)"), 12, "y = stanh(p)");
  const std::string graph = saved.s.file("other.graph", other);
  const Untouched kept{saved.weights};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --load " + saved.weights), 1,
                     {saved.weights, "does not match the graph",
                      "'h.weight' is 20x784 in the file but 30x784 in the graph",
                      "'p.weight' is missing from the file", "'o.weight' is not in the graph"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_SUITE_END()
