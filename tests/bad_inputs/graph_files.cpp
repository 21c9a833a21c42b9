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

// A graph file of `text`, run with `arguments`: the refusal must name `parts` and leave the file.
struct GraphRun {
  Scratch s;
  std::string graph;
  explicit GraphRun(const std::string& text) : graph(s.file("net.graph", text)) {}
  Result run(const std::string& arguments = "") const {
    const Untouched kept{graph};
    const Result r = run_tool("ebprop-run", graph + " " + arguments);
    BOOST_TEST(kept.changes() == "");
    return r;
  }
};

BOOST_AUTO_TEST_CASE(a_graph_path_that_is_a_directory_is_named) {
  Scratch s;
  BOOST_TEST(refused(run_tool("ebprop-run", s.dir.string()), 1, {s.dir.string(), "directory"}));
}

BOOST_AUTO_TEST_CASE(an_empty_file_has_no_nodes) {
  const GraphRun g("# only a comment\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph, "the graph has no nodes"}));
}

BOOST_AUTO_TEST_CASE(an_undefined_input_is_located_with_a_suggestion) {
  const GraphRun g("image = input shape=4\nout = linear(imag) outputs=2\n");
  BOOST_TEST(refused(g.run("--describe"), 1,
                     {g.graph + ":2:14:", "'imag'", "not defined", "did you mean 'image'?"}));
}

BOOST_AUTO_TEST_CASE(an_unclosed_input_list_is_located) {
  const GraphRun g("x = input shape=4\ny = linear(x outputs=2\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":2:14:", "expected ')' or ','", "'outputs'"}));
}

BOOST_AUTO_TEST_CASE(a_cycle_is_printed_node_by_node) {
  const GraphRun g("x = input shape=4\na = stanh(b)\nb = stanh(a)\nl = mse(b, x)\n");
  BOOST_TEST(
      refused(g.run("--describe"), 1, {g.graph + ":2:", "cycle", "a (line 2) -> b (line 3) -> a"}));
}

BOOST_AUTO_TEST_CASE(a_node_defined_twice_names_both_lines) {
  const GraphRun g("x = input shape=4\nx = stanh(x)\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":2:", "'x' is already defined at line 1"}));
}

BOOST_AUTO_TEST_CASE(a_shape_mismatch_names_both_nodes_and_lines) {
  const GraphRun g("x = input shape=4\nt = input shape=3\nl = mse(x, t)\n");
  BOOST_TEST(refused(g.run("--describe"), 1,
                     {g.graph + ":3:", "x [4, line 1]", "t [3, line 2]", "shape 4", "shape 3"}));
}

BOOST_AUTO_TEST_CASE(a_wrong_number_of_inputs_says_what_the_type_takes) {
  const GraphRun g("x = input shape=4\ny = stanh(x, x)\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":2:", "stanh takes 1 input (x), found 2"}));
}

BOOST_AUTO_TEST_CASE(an_unknown_setting_is_located_with_a_suggestion) {
  const GraphRun g("x = input shape=4\ny = linear(x) outputs=2 bais=true\n");
  BOOST_TEST(
      refused(g.run(), 1, {g.graph + ":2:25:", "unknown setting 'bais'", "did you mean 'bias'?"}));
}

BOOST_AUTO_TEST_CASE(a_missing_required_setting_is_named_with_its_meaning) {
  const GraphRun g("x = input shape=4\ny = linear(x)\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":2:", "needs the setting 'outputs'"}));
}

BOOST_AUTO_TEST_CASE(a_value_of_the_wrong_type_is_located) {
  const GraphRun g("x = input shape=4\ny = linear(x) outputs=two\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":2:15:", "expected an integer, found 'two'"}));
}

BOOST_AUTO_TEST_CASE(a_zero_dimension_in_a_shape_is_located) {
  const GraphRun g("x = input shape=4x0\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":1:11:", "expected a shape", "'4x0'"}));
}

BOOST_AUTO_TEST_CASE(a_continuation_at_the_end_of_the_file_is_located) {
  const GraphRun g("x = input shape=4\ny = linear(x) \\\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":2:15:", "continuation"}));
}

BOOST_AUTO_TEST_CASE(an_unknown_section_lists_the_sections) {
  const GraphRun g("x = input shape=4\n[foo]\na=1\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":2:2:", "unknown section [foo]", "[optimizer TYPE]"}));
}

BOOST_AUTO_TEST_CASE(a_run_key_given_twice_names_the_first_line) {
  const GraphRun g("x = input shape=4\n[run]\nepochs = 3\nepochs = 4\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":4:", "'epochs' is already given at line 3"}));
}

BOOST_AUTO_TEST_CASE(a_nul_byte_is_shown_escaped) {
  const GraphRun g(std::string("x = input\0 shape=4\n", 19));
  const Result r = g.run();
  BOOST_TEST(refused(r, 1, {g.graph + ":1:10:", "found '\\x00"}));
  BOOST_TEST(!contains(r.output, std::string(1, '\0')));
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_are_shown_escaped) {
  const GraphRun g("\xff\xfe garbage\n");
  const Result r = g.run();
  BOOST_TEST(refused(r, 1, {g.graph + ":1:1:", "expected a node name", "'\\xff'"}));
  BOOST_TEST(!contains(r.output, "\xff"));
}

BOOST_AUTO_TEST_CASE(a_utf8_character_is_shown_whole) {
  const GraphRun g("x = input shape=4\n\xc3\xa9t\xc3\xa9 = stanh(x)\n");
  BOOST_TEST(refused(g.run(), 1, {g.graph + ":2:1:", "'\xc3\xa9'"}));
}

BOOST_AUTO_TEST_CASE(a_huge_token_is_cut_in_the_message) {
  const GraphRun g("x = input shape=4 " + std::string(100000, '(') + "\n");
  const Result r = g.run();
  BOOST_TEST(refused(r, 1, {g.graph + ":1:19:", "..."}));
  BOOST_TEST(r.output.size() < 1000);
}

BOOST_AUTO_TEST_CASE(a_huge_setting_value_is_cut_in_the_message) {
  const GraphRun g("x = input shape=4\n[run]\nepochs = 1\nprecision = " + std::string(100000, 'f') +
                   "\n");
  const Result r = g.run();
  BOOST_TEST(refused(r, 1, {g.graph + ":4:1:", "must be one of float, double", "ff..."}));
  BOOST_TEST(r.output.size() < 1000);
}

BOOST_AUTO_TEST_CASE(huge_integer_and_shape_values_are_cut_in_the_message) {
  const GraphRun ints("x = input shape=4\ny = linear(x) outputs=" + std::string(100000, '7') +
                      "x\n");
  const Result r = ints.run();
  BOOST_TEST(refused(r, 1, {ints.graph + ":2:15:", "expected an integer", "77..."}));
  BOOST_TEST(r.output.size() < 1000);
  const GraphRun shapes("x = input shape=" + std::string(100000, '4') + "\n");
  const Result q = shapes.run();
  BOOST_TEST(refused(q, 1, {shapes.graph + ":1:11:", "expected a shape", "44..."}));
  BOOST_TEST(q.output.size() < 1000);
}

BOOST_AUTO_TEST_CASE(an_input_source_that_is_neither_inputs_nor_targets_is_located) {
  const GraphRun g(
      "x = input shape=4 source=input\nt = input shape=4 source=targets\n"
      "l = mse(x, t)\n");
  BOOST_TEST(refused(g.run("--describe"), 1,
                     {g.graph + ":1:19:", "one of inputs, targets", "did you mean 'inputs'?"}));
}

BOOST_AUTO_TEST_SUITE_END()
