// The tools for graph and plugin authors, end to end: ebprop-run --time, --dot and --describe,
// every tool's --version and its did-you-mean for a misspelt option, refusals that name the
// shortcut option the user typed, and add and concat with more than two inputs.
#define BOOST_TEST_MODULE authors_tools
#include <ebprop/plugin.h>

#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "bad_inputs/bad_input.h"
#include "command.h"

using namespace ebprop::test;  // run_tool, Result, Scratch, slurp, contains, refused, Untouched

namespace {

Result run(const std::string& arguments) { return run_tool("ebprop-run", arguments); }

// The project's version as the top CMakeLists.txt declares it.
std::string project_version() {
  const std::string text = slurp(std::string(EBPROP_SOURCE_DIR) + "/CMakeLists.txt");
  std::smatch match;
  BOOST_REQUIRE(std::regex_search(text, match, std::regex(R"(project\(ebprop VERSION ([0-9.]+))")));
  return match[1];
}

// The lines of `text`.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The line of `text` whose first word (after indentation) is `word`, or "".
std::string row(const std::string& text, const std::string& word) {
  for (const auto& line : lines_of(text)) {
    std::istringstream in(line);
    std::string first;
    in >> first;
    if (first == word) return line;
  }
  return "";
}

// The numbers of a row of the --time table (after its name and type).
std::vector<double> times(const std::string& line) {
  std::istringstream in(line);
  std::vector<double> values;
  for (std::string word; in >> word;)
    if (std::isdigit(static_cast<unsigned char>(word[0]))) values.push_back(std::stod(word));
  return values;
}

// A net on the digits whose file order is not the order the passes run in: the loss comes first.
const std::string out_of_order_net =
    "loss = mse(y, label)\n"
    "y = stanh(o)\n"
    "o = linear(h) outputs=10 bias=false\n"
    "h = linear(image) outputs=20\n"
    "image = input shape=784 source=inputs\n"
    "label = input shape=10 source=targets\n"
    "[data]\ndir = " +
    digits_dir + "\ntrain-limit = 300\ntest-limit = 100\n";

// Three branches joined by a 3-input add and a 3-input concat.
const std::string three_branch_net =
    "image = input shape=784 source=inputs\n"
    "label = input shape=10 source=targets\n"
    "a = linear(image) outputs=12\n"
    "b = linear(image) outputs=12\n"
    "c = linear(image) outputs=12\n"
    "sum = add(a, b, c)\n"
    "joined = concat(a, b, sum)\n"
    "t = stanh(joined)\n"
    "o = linear(t) outputs=10\n"
    "y = stanh(o)\n"
    "loss = mse(y, label)\n"
    "[run]\nepochs = 2\n"
    "[data]\ndir = " +
    digits_dir + "\ntrain-limit = 500\ntest-limit = 200\n";

}  // namespace

// --version ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_tool_prints_the_project_and_abi_versions) {
  for (const char* tool :
       {"ebprop-run", "ebprop-plot", "ebprop-hessian", "ebprop-optimize", "ebprop-predict"}) {
    const Result r = run_tool(tool, "--version");
    BOOST_TEST(r.status == 0, tool << ": " << r.output);
    BOOST_TEST(r.output == std::string(tool) + " " + project_version() + " (plugin ABI " +
                               std::to_string(EBPROP_ABI_VERSION) + ")\n",
               r.output);
  }
}

// Did you mean ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_misspelt_option_gets_a_did_you_mean_in_every_tool) {
  const struct {
    const char* tool;
    const char* typed;
    const char* meant;
  } cases[] = {{"ebprop-run", "--epoch", "--epochs"},
               {"ebprop-run", "--discribe", "--describe"},
               {"ebprop-plot", "--titel", "--title"},
               {"ebprop-hessian", "--estimator", "--estimators"},
               {"ebprop-optimize", "--functoin", "--function"},
               {"ebprop-predict", "--inptu", "--input"}};
  for (const auto& c : cases) {
    const Result r = run_tool(c.tool, std::string(c.typed) + " 3");
    BOOST_TEST(refused(r, 2,
                       {"unrecognised option '" + std::string(c.typed) + "'",
                        "did you mean '" + std::string(c.meant) + "'?",
                        "(see " + std::string(c.tool) + " --help)"}),
               c.tool << " " << c.typed);
  }
}

BOOST_AUTO_TEST_CASE(an_option_like_no_other_gets_no_hint) {
  const Result r = run("--zzzzzzzzzz");
  BOOST_TEST(refused(r, 2, {"unrecognised option '--zzzzzzzzzz'"}));
  BOOST_TEST(!contains(r.output, "did you mean"), r.output);
}

// A prefix is not taken for the option it begins (Boost's guessing is off).
BOOST_AUTO_TEST_CASE(a_prefix_of_an_option_is_not_guessed) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  BOOST_TEST(refused(run(graph + " --epoch 0"), 2, {"'--epoch'", "did you mean '--epochs'?"}));
}

// Refusals name the shortcut typed ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_refused_shortcut_value_names_the_shortcut_not_set_or_opt) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const struct {
    const char* arguments;
    const char* option;
  } cases[] = {{"--epochs -1", "(--epochs)"},  {"--epochs many", "(--epochs)"},
               {"--batch 0", "(--batch)"},     {"--seed -3", "(--seed)"},
               {"--threads 0", "(--threads)"}, {"--lr -0.5", "(--lr)"},
               {"--lr fast", "(--lr)"},        {"--optimizer lbfgs --lr 0.1", "(--lr)"}};
  for (const auto& c : cases) {
    const Result r = run(graph + " " + c.arguments);
    BOOST_TEST(refused(r, 2, {std::string("command line ") + c.option}), c.arguments);
    BOOST_TEST(!contains(r.output, "--set"), c.arguments << ": " << r.output);
    BOOST_TEST(!contains(r.output, "--opt"), c.arguments << ": " << r.output);
  }
}

BOOST_AUTO_TEST_CASE(a_refused_data_dir_names_data_dir) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const std::string missing = s.file("no-such-dir");
  for (const char* tool : {"ebprop-run", "ebprop-hessian"}) {
    const Result r = run_tool(tool, graph + " --data-dir " + missing);
    BOOST_TEST(refused(r, 1, {"command line (--data-dir): " + missing + ": not a directory"}),
               tool);
    BOOST_TEST(!contains(r.output, "--set"), tool << ": " << r.output);
  }
}

// ebprop-hessian says when the power method or the Taylor estimate stops at --iterations before
// --tolerance, and --iterations bounds the Taylor estimate as it does the power method (it was
// capped at 50).
BOOST_AUTO_TEST_CASE(hessian_warns_when_an_estimate_stops_at_its_iteration_cap) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net), out = s.file("out");
  const Result capped =
      run_tool("ebprop-hessian",
               graph + " --samples 20 --estimators power,taylor" + " --iterations 3 --out " + out);
  BOOST_TEST_REQUIRE(capped.status == 0, capped.output);
  for (const char* name : {"power", "taylor"})
    BOOST_TEST(contains(capped.output, std::string("warning: the ") + name +
                                           " estimate did not converge: it stopped at "
                                           "--iterations 3 with the last relative change"),
               capped.output);
  const std::string summary = slurp(out + "/summary.json");
  BOOST_TEST(contains(summary, "\"iterations\": 3, \"converged\": false, \"residual\": "), summary);
  const Result long_taylor =
      run_tool("ebprop-hessian", graph + " --samples 20 --estimators taylor --iterations 80" +
                                     " --tolerance 1e-300 --out " + out);
  BOOST_TEST_REQUIRE(long_taylor.status == 0, long_taylor.output);
  BOOST_TEST(contains(slurp(out + "/summary.json"), "\"iterations\": 80, \"converged\": false"));
  const Result converged = run_tool("ebprop-hessian", graph + " --samples 20 --estimators power" +
                                                          " --iterations 2000 --tolerance 1e-4");
  BOOST_TEST_REQUIRE(converged.status == 0, converged.output);
  BOOST_TEST(!contains(converged.output, "did not converge"), converged.output);
}

// The same directory given in the graph file is named at its line.
BOOST_AUTO_TEST_CASE(a_refused_data_directory_of_the_graph_file_names_its_line) {
  Scratch s;
  const std::string missing = s.file("no-such-dir");
  const std::string graph = s.file("n.graph",
                                   "x = input shape=784 source=inputs\n"
                                   "t = input shape=10 source=targets\n"
                                   "o = linear(x) outputs=10\nloss = mse(o, t)\n"
                                   "[data]\ndir = " +
                                       missing + "\n");
  BOOST_TEST(refused(run(graph), 1, {graph + ":6:", missing + ": not a directory"}));
}

BOOST_AUTO_TEST_CASE(lr_auto_and_an_opt_lr_are_refused_together) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  BOOST_TEST(refused(run(graph + " --lr auto --opt lr=-1"), 2,
                     {"--lr auto and --opt lr=-1 both give the rate: give one of them"}));
}

// --describe -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(describe_lists_the_nodes_in_the_file_order_with_their_settings) {
  Scratch s;
  const std::string graph = s.file("n.graph", out_of_order_net);
  const Result r = run(graph + " --describe");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  std::vector<std::string> order;
  for (const auto& line : lines_of(r.output))
    if (line.rfind("  line ", 0) == 0) {
      std::istringstream in(line.substr(7));
      int number;
      std::string name;
      in >> number >> name;
      order.push_back(std::to_string(number) + " " + name);
    }
  const std::vector<std::string> expected{"1 loss", "2 y", "3 o", "4 h", "5 image", "6 label"};
  BOOST_TEST(order == expected, r.output);
  // Settings: as written, and the defaults marked.
  BOOST_TEST(contains(r.output, "outputs=10  bias=false\n"), r.output);
  BOOST_TEST(contains(r.output, "outputs=20  bias=true (default)\n"), r.output);
  BOOST_TEST(contains(r.output, "shape=784  source=inputs\n"), r.output);
  // The parameter listing is kept.
  BOOST_TEST(contains(r.output, "parameters (15900 in all):"), r.output);
  BOOST_TEST(contains(r.output, "h.weight"), r.output);
}

BOOST_AUTO_TEST_CASE(describe_shows_share_and_lr_keys_as_written) {
  Scratch s;
  const std::string graph =
      s.file("n.graph",
             "image = input shape=4 source=inputs\nlabel = input shape=4 source=targets\n"
             "a = linear(image) outputs=4 share.weight=w lr.bias=0.5\n"
             "b = linear(a) outputs=4 share.weight=w\nloss = mse(b, label)\n");
  const Result r = run(graph + " --describe");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "bias=true (default)  lr.bias=0.5  share.weight=w\n"), r.output);
  BOOST_TEST(contains(r.output, "shared by 2"), r.output);
}

// --dot ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(dot_writes_every_node_and_edge_with_losses_distinct) {
  Scratch s;
  const std::string graph = s.file("n.graph", three_branch_net);
  const std::string dot_file = s.file("n.dot");
  const Result r = run(graph + " --dot " + dot_file);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "wrote " + dot_file + ": 11 nodes"), r.output);
  const std::string dot = slurp(dot_file);
  BOOST_TEST(dot.rfind("digraph G {", 0) == 0, dot);
  BOOST_TEST(contains(dot, "}\n"), dot);
  // A vertex per node, labelled with name, type, shape and parameter blocks.
  const std::regex vertex(R"re(^(\d+)\[label="([^"]*)"(.*)\];$)re");
  const std::regex edge(R"re(^(\d+)->(\d+) ?(\[label="([^"]*)"\])?;$)re");
  std::map<std::string, std::string> label_of, style_of;
  std::vector<std::string> edges;
  for (const auto& line : lines_of(dot)) {
    std::smatch m;
    if (std::regex_match(line, m, vertex)) {
      label_of[m[1]] = m[2];
      style_of[m[1]] = m[3];
    } else if (std::regex_match(line, m, edge)) {
      edges.push_back(std::string(m[1]) + "->" + std::string(m[2]) + " " + std::string(m[4]));
    }
  }
  BOOST_TEST(label_of.size() == 11u, dot);
  BOOST_TEST(edges.size() == 14u, dot);  // a, b, c: 3; sum: 3; joined: 3; t, o, y: 3; loss: 2
  std::string a_id, loss_id, sum_id;
  for (const auto& [id, label] : label_of) {
    if (label.rfind("a\\n", 0) == 0) a_id = id;
    if (label.rfind("loss\\n", 0) == 0) loss_id = id;
    if (label.rfind("sum\\n", 0) == 0) sum_id = id;
  }
  BOOST_TEST_REQUIRE(!a_id.empty());
  BOOST_TEST(label_of[a_id] == "a\\nlinear  12\\na.weight  12x784\\na.bias  12x1", dot);
  BOOST_TEST(label_of[sum_id] == "sum\\nadd  12", dot);
  BOOST_TEST(contains(style_of[loss_id], "shape=octagon"), dot);
  BOOST_TEST(contains(style_of[loss_id], "filled"), dot);
  BOOST_TEST(!contains(style_of[a_id], "filled"), dot);
  // The add's three edges are numbered; mse's are named after its inputs.
  int numbered = 0;
  for (const auto& e : edges)
    if (contains(e, "->" + sum_id + " ")) ++numbered;
  BOOST_TEST(numbered == 3, dot);
  BOOST_TEST(contains(dot, "->" + loss_id + " [label=\"output\"];"), dot);
  BOOST_TEST(contains(dot, "->" + loss_id + " [label=\"target\"];"), dot);
  if (std::system("command -v dot > /dev/null 2>&1") == 0) {
    const std::string svg = s.file("n.svg");
    BOOST_TEST(std::system(("dot -Tsvg " + dot_file + " -o " + svg).c_str()) == 0);
    BOOST_TEST(contains(slurp(svg), "<svg"));
  } else {
    BOOST_TEST_MESSAGE("dot is not installed: the file was checked by its structure only");
  }
}

BOOST_AUTO_TEST_CASE(dot_quotes_a_file_name_that_needs_it) {
  Scratch s;
  const std::string graph = s.file("a \"quoted\" name.graph", small_net);
  const std::string dot_file = s.file("n.dot");
  const Result r = run("'" + graph + "' --dot " + dot_file);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(slurp(dot_file), "a \\\"quoted\\\" name.graph\";"), slurp(dot_file));
}

BOOST_AUTO_TEST_CASE(dot_refuses_to_overwrite_the_graph_file) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run(graph + " --dot " + graph), 2, {"--dot", graph, "the graph file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(dot_refuses_a_file_in_a_missing_directory) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const std::string dot_file = s.file("missing/n.dot");
  BOOST_TEST(refused(run(graph + " --dot " + dot_file), 2, {"--dot", dot_file}));
  BOOST_TEST(!boost::filesystem::exists(dot_file));
}

// --time ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(time_prints_every_node_and_pass_with_totals_on_the_data) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const Result r = run(graph + " --time --batch 8 --time-iterations 3");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "batch 8, float32, 1 thread(s)"), r.output);
  BOOST_TEST(contains(r.output, "inputs: the first 8 training examples of "), r.output);
  BOOST_TEST(contains(r.output, "the mean of 3 iterations after 2 warm-up iterations"), r.output);
  const std::string header = row(r.output, "node");
  for (const char* pass : {"fprop", "bprop", "bbprop", "r_fprop", "r_bprop"})
    BOOST_TEST(contains(header, pass), r.output);
  std::vector<double> sum(5, 0.0);
  for (const char* node : {"h", "a", "o", "y", "loss"}) {
    const std::vector<double> t = times(row(r.output, node));
    BOOST_TEST_REQUIRE(t.size() == 5u, node << ": " << r.output);
    for (std::size_t p = 0; p < 5; ++p) sum[p] += t[p];
  }
  BOOST_TEST(row(r.output, "image").empty(), r.output);  // inputs run no pass
  const std::vector<double> total = times(row(r.output, "total"));
  BOOST_TEST_REQUIRE(total.size() == 5u, r.output);
  for (std::size_t p = 0; p < 5; ++p)
    BOOST_TEST(std::abs(total[p] - sum[p]) <= 5 * 0.00005 + 1e-12, r.output);
  BOOST_TEST(total[0] > 0, r.output);
  BOOST_TEST(!contains(r.output, "epoch"), r.output);  // no training
}

BOOST_AUTO_TEST_CASE(time_on_random_inputs_in_double_says_so) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const Result r =
      run(graph + " --time --time-inputs random --set precision=double --time-iterations 1");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "batch 1, float64"), r.output);
  BOOST_TEST(contains(r.output, "inputs: random values, uniform in [-1, 1] (seed 1)"), r.output);
}

BOOST_AUTO_TEST_CASE(time_without_data_uses_random_inputs) {
  Scratch s;
  const std::string graph =
      s.file("n.graph",
             "x = input shape=3 source=inputs\nt = input shape=2 source=targets\n"
             "o = linear(x) outputs=2\nloss = mse(o, t)\n[run]\nbatch = 5\n");
  const Result r = run(graph + " --time --time-iterations 2");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "batch 5,"), r.output);
  BOOST_TEST(contains(r.output, "inputs: random values"), r.output);
}

BOOST_AUTO_TEST_CASE(time_repeats_a_small_training_set_to_fill_the_batch) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  const Result r = run(graph + " --time --batch 7 --time-iterations 1 --set train-limit=3");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "the first 3 training examples of"), r.output);
  BOOST_TEST(contains(r.output, "repeated to fill the batch"), r.output);
}

BOOST_AUTO_TEST_CASE(time_refuses_data_inputs_when_the_graph_has_none) {
  Scratch s;
  const std::string graph =
      s.file("n.graph",
             "x = input shape=3 source=inputs\nt = input shape=2 source=targets\n"
             "o = linear(x) outputs=2\nloss = mse(o, t)\n");
  BOOST_TEST(refused(run(graph + " --time --time-inputs data"), 1, {"no training data"}));
}

BOOST_AUTO_TEST_CASE(time_starts_from_the_load_weights) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net), weights = s.file("w.bin");
  BOOST_TEST_REQUIRE(run(graph + " --epochs 0 -q --save " + weights).status == 0);
  BOOST_TEST(run(graph + " --time --time-iterations 1 --load " + weights).status == 0);
  const std::string other = s.file("other.graph", three_branch_net);
  BOOST_TEST(refused(run(other + " --time --load " + weights), 1, {weights}));
}

BOOST_AUTO_TEST_CASE(time_options_are_checked) {
  Scratch s;
  const std::string graph = s.file("n.graph", small_net);
  BOOST_TEST(refused(run(graph + " --time --time-iterations 0"), 2,
                     {"command line (--time-iterations)", "0"}));
  BOOST_TEST(refused(run(graph + " --time --time-iterations lots"), 2,
                     {"command line (--time-iterations)", "lots"}));
  BOOST_TEST(refused(run(graph + " --time-iterations 3"), 2,
                     {"--time-iterations is for --time, not given"}));
  BOOST_TEST(refused(run(graph + " --time --time-inputs noise"), 2,
                     {"--time-inputs must be 'data' or 'random', found 'noise'"}));
  BOOST_TEST(refused(run(graph + " --time --describe"), 2,
                     {"--describe, --time and --dot each run instead of training"}));
  BOOST_TEST(refused(run(graph + " --time --dot " + s.file("x.dot")), 2,
                     {"--describe, --time and --dot each run instead of training"}));
}

// add and concat of any number of inputs --------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_three_input_add_and_concat_train) {
  Scratch s;
  const std::string graph = s.file("n.graph", three_branch_net);
  const Result d = run(graph + " --describe");
  BOOST_TEST_REQUIRE(d.status == 0, d.output);
  BOOST_TEST(std::regex_search(d.output, std::regex("sum +add +12 +<- a, b, c")), d.output);
  BOOST_TEST(std::regex_search(d.output, std::regex("joined +concat +36 +<- a, b, sum")), d.output);
  const Result r = run(graph + " -q");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "epoch   2"), r.output);
}

BOOST_AUTO_TEST_CASE(add_and_concat_list_any_number_of_inputs) {
  const Result r = run("--list-plugins");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "add  inputs: x1, x2, ... (any number more)"), r.output);
  BOOST_TEST(contains(r.output, "concat  inputs: x1, x2, ... (any number more)"), r.output);
}

BOOST_AUTO_TEST_CASE(an_add_of_one_input_is_refused_at_its_line) {
  Scratch s;
  const std::string graph =
      s.file("n.graph",
             "x = input shape=3 source=inputs\nt = input shape=3 source=targets\n"
             "s = add(x)\nloss = mse(s, t)\n");
  BOOST_TEST(
      refused(run(graph + " --describe"), 1,
              {graph + ":3:", "node 's': add takes at least 2 inputs (x1, x2, ...), found 1"}));
}

BOOST_AUTO_TEST_CASE(an_add_of_inputs_of_different_shapes_names_them) {
  Scratch s;
  const std::string graph =
      s.file("n.graph",
             "x = input shape=3 source=inputs\nt = input shape=3 source=targets\n"
             "w = input shape=2 source=inputs\ns = add(x, t, w)\nloss = mse(s, t)\n");
  BOOST_TEST(
      refused(run(graph + " --describe"), 1,
              {graph + ":4:", "add needs inputs of one shape, found 3 (input 1) and 2 (input 3)"}));
}
