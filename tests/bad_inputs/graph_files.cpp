// Bad inputs: graph files: syntax and meaning, as ebprop-run reports them.
#include "bad_input.h"

using namespace ebprop::test;

BOOST_AUTO_TEST_SUITE(graph_files)

BOOST_AUTO_TEST_CASE(a_missing_graph_file_is_named) {
  Scratch s;
  const std::string missing = s.file("no-such.graph");
  BOOST_TEST(refused(run_tool("ebprop-run", missing), 1, {missing}));
}

BOOST_AUTO_TEST_CASE(an_unknown_type_is_located_with_a_suggestion) {
  Scratch s;
  std::string text = small_net;
  text.replace(text.find("a = stanh(h)"), 12, "a = stahn(h)");
  const std::string graph = s.file("net.graph", text);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1, {graph + ":4:5:", "'stanh'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_SUITE_END()
