// The graph-file parser: what a valid file turns into, and where and how each syntax error is
// reported (docs/graph-files.md).
#define BOOST_TEST_MODULE parser
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ebprop/error.h"
#include "ebprop/graph_parser.h"
#include "ebprop/graph_spec.h"

using namespace ebprop;

namespace {

const std::string kFile = "net.graph";
const std::string kNameRule = ": use letters, digits and '_', starting with a letter or '_'";

void check_where(const SourceLocation& where, int line, int column) {
  BOOST_TEST(where.file == kFile);
  BOOST_TEST(where.line == line);
  BOOST_TEST(where.column == column);
}

void check_setting(const RawSettings& settings, const std::string& key, const std::string& value,
                   int line, int column) {
  BOOST_TEST_CONTEXT("setting " << key) {
    const auto found = settings.find(key);
    BOOST_TEST_REQUIRE((found != settings.end()));
    BOOST_TEST(found->second.value == value);
    check_where(found->second.where, line, column);
  }
}

void check_inputs(const NodeSpec& node, const std::vector<std::string>& inputs,
                  const std::vector<std::pair<int, int>>& where) {
  BOOST_TEST(node.inputs == inputs, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(node.input_where.size() == where.size());
  for (std::size_t i = 0; i < where.size(); ++i) {
    check_where(node.input_where[i], where[i].first, where[i].second);
  }
}

// Parsing `text` must fail with exactly this message at this line and column.
void check_error(const std::string& text, int line, int column, const std::string& message) {
  BOOST_TEST_CONTEXT("graph text:\n" << text) {
    try {
      parse_graph(text, kFile);
      BOOST_ERROR("parsed without an error");
    } catch (const SourceError& error) {
      BOOST_TEST(error.message() == message);
      check_where(error.where(), line, column);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_file_with_every_feature_parses_into_the_expected_spec) {
  const std::string text = R"(# A small net: every feature of the syntax
image = input shape=784 source=inputs
label = input shape=10 source=targets   # the targets

fc1   = linear(image) outputs=300     # fan-in initialised (Eq. 16)
h1    = stanh( fc1 )
fc2   = linear(h1) outputs=10 \
        share.weight=fc1.weight lr.bias=0.5
out=stanh(fc2)
loss  = mse(out, \
            label) name="the \"loss\" # not a comment" path="C:\\data"
bias  = constant() schedule=0.1,0.05 shape=1x28x28 test-images=t10k empty="" color="#fff"
)"                                                        // lines 1 to 12
                           "\ttab\t=\tstanh\t(\th1\t)\n"  // line 13, with tabs
                           R"([run]                 # training defaults
epochs = 10
batch=1
[data]
dir = ../data/mnist 10k   # the rest of the line
title = "a \"title\" # kept"
[ optimizer sgd ]
lr = 0.01
schedule = 0.1, 0.05 \
           0.01
  momentum = 0.9   )";                                    // no line end at the end of the file

  const GraphSpec spec = parse_graph(text, kFile);
  BOOST_TEST(spec.file == kFile);
  BOOST_TEST_REQUIRE(spec.nodes.size() == 9u);

  const NodeSpec& image = spec.nodes[0];
  BOOST_TEST(image.name == "image");
  BOOST_TEST(image.type == "input");
  check_where(image.where, 2, 1);
  check_where(image.type_where, 2, 9);
  check_inputs(image, {}, {});
  BOOST_TEST(image.settings.size() == 2u);
  check_setting(image.settings, "shape", "784", 2, 15);
  check_setting(image.settings, "source", "inputs", 2, 25);

  const NodeSpec& label = spec.nodes[1];
  BOOST_TEST(label.name == "label");
  BOOST_TEST(label.settings.size() == 2u);
  check_setting(label.settings, "shape", "10", 3, 15);
  check_setting(label.settings, "source", "targets", 3, 24);

  const NodeSpec& fc1 = spec.nodes[2];
  BOOST_TEST(fc1.name == "fc1");
  BOOST_TEST(fc1.type == "linear");
  check_where(fc1.where, 5, 1);
  check_where(fc1.type_where, 5, 9);
  check_inputs(fc1, {"image"}, {{5, 16}});
  BOOST_TEST(fc1.settings.size() == 1u);
  check_setting(fc1.settings, "outputs", "300", 5, 23);

  const NodeSpec& h1 = spec.nodes[3];
  BOOST_TEST(h1.type == "stanh");
  check_inputs(h1, {"fc1"}, {{6, 16}});
  BOOST_TEST(h1.settings.empty());

  const NodeSpec& fc2 = spec.nodes[4];  // continued on the next line
  BOOST_TEST(fc2.name == "fc2");
  check_where(fc2.where, 7, 1);
  check_inputs(fc2, {"h1"}, {{7, 16}});
  BOOST_TEST(fc2.settings.size() == 3u);
  check_setting(fc2.settings, "outputs", "10", 7, 20);
  check_setting(fc2.settings, "share.weight", "fc1.weight", 8, 9);
  check_setting(fc2.settings, "lr.bias", "0.5", 8, 33);

  const NodeSpec& out = spec.nodes[5];  // no blanks at all
  BOOST_TEST(out.name == "out");
  BOOST_TEST(out.type == "stanh");
  check_where(out.type_where, 9, 5);
  check_inputs(out, {"fc2"}, {{9, 11}});

  const NodeSpec& loss = spec.nodes[6];  // inputs continued on the next line; quoted values
  BOOST_TEST(loss.type == "mse");
  check_inputs(loss, {"out", "label"}, {{10, 13}, {11, 13}});
  BOOST_TEST(loss.settings.size() == 2u);
  check_setting(loss.settings, "name", "the \"loss\" # not a comment", 11, 20);
  check_setting(loss.settings, "path", "C:\\data", 11, 56);

  const NodeSpec& bias = spec.nodes[7];  // empty input list
  BOOST_TEST(bias.type == "constant");
  check_inputs(bias, {}, {});
  BOOST_TEST(bias.settings.size() == 5u);
  check_setting(bias.settings, "schedule", "0.1,0.05", 12, 20);
  check_setting(bias.settings, "shape", "1x28x28", 12, 38);
  check_setting(bias.settings, "test-images", "t10k", 12, 52);
  check_setting(bias.settings, "empty", "", 12, 69);
  check_setting(bias.settings, "color", "#fff", 12, 78);

  const NodeSpec& tab = spec.nodes[8];  // tabs count as one column each
  BOOST_TEST(tab.name == "tab");
  check_where(tab.where, 13, 2);
  check_where(tab.type_where, 13, 8);
  check_inputs(tab, {"h1"}, {{13, 16}});

  BOOST_TEST(spec.run.present);
  BOOST_TEST(spec.run.name == "run");
  BOOST_TEST(spec.run.argument == "");
  check_where(spec.run.where, 14, 1);
  BOOST_TEST(spec.run.settings.size() == 2u);
  check_setting(spec.run.settings, "epochs", "10", 15, 1);
  check_setting(spec.run.settings, "batch", "1", 16, 1);

  BOOST_TEST(spec.data.present);
  BOOST_TEST(spec.data.name == "data");
  check_where(spec.data.where, 17, 1);
  BOOST_TEST(spec.data.settings.size() == 2u);
  check_setting(spec.data.settings, "dir", "../data/mnist 10k", 18, 1);
  check_setting(spec.data.settings, "title", "a \"title\" # kept", 19, 1);

  BOOST_TEST(spec.optimizer.present);
  BOOST_TEST(spec.optimizer.name == "optimizer");
  BOOST_TEST(spec.optimizer.argument == "sgd");
  check_where(spec.optimizer.where, 20, 1);
  BOOST_TEST(spec.optimizer.settings.size() == 3u);
  check_setting(spec.optimizer.settings, "lr", "0.01", 21, 1);
  check_setting(spec.optimizer.settings, "schedule", "0.1, 0.05 0.01", 22, 1);
  check_setting(spec.optimizer.settings, "momentum", "0.9", 24, 3);
}

BOOST_AUTO_TEST_CASE(node_lines_with_and_without_inputs) {
  const GraphSpec spec = parse_graph(
      "a = input\n"
      "b = input()\n"
      "c = t (a , b) k=v\n"
      "d = t(a)# a comment right after the line\n"
      "e = t k=v# and after a value\n",
      kFile);
  BOOST_TEST_REQUIRE(spec.nodes.size() == 5u);
  BOOST_TEST(spec.nodes[0].type == "input");
  BOOST_TEST(spec.nodes[0].inputs.empty());
  BOOST_TEST(spec.nodes[0].settings.empty());
  BOOST_TEST(spec.nodes[1].inputs.empty());
  check_inputs(spec.nodes[2], {"a", "b"}, {{3, 8}, {3, 12}});
  check_setting(spec.nodes[2].settings, "k", "v", 3, 15);
  check_inputs(spec.nodes[3], {"a"}, {{4, 7}});
  BOOST_TEST(spec.nodes[3].settings.empty());
  check_setting(spec.nodes[4].settings, "k", "v", 5, 7);
}

BOOST_AUTO_TEST_CASE(an_empty_file_or_one_with_only_comments_has_no_nodes_and_no_sections) {
  for (const std::string text : {"", "\n\n", "# only\n   # comments\n\t\n"}) {
    const GraphSpec spec = parse_graph(text, kFile);
    BOOST_TEST(spec.nodes.empty());
    BOOST_TEST(!spec.run.present);
    BOOST_TEST(!spec.data.present);
    BOOST_TEST(!spec.optimizer.present);
  }
}

BOOST_AUTO_TEST_CASE(a_file_with_crlf_line_ends_parses_like_one_with_lf) {
  const std::string text =
      "# written on Windows\r\n"
      "x = input shape=3\r\n"
      "y = linear(x) outputs=2 \\\r\n"
      "    bias=true\r\n"
      "[data]\r\n"
      "dir = some dir \r\n"
      "name = \"quoted\"\r\n";
  const GraphSpec spec = parse_graph(text, kFile);
  BOOST_TEST_REQUIRE(spec.nodes.size() == 2u);
  check_setting(spec.nodes[0].settings, "shape", "3", 2, 11);
  check_inputs(spec.nodes[1], {"x"}, {{3, 12}});
  check_setting(spec.nodes[1].settings, "outputs", "2", 3, 15);
  check_setting(spec.nodes[1].settings, "bias", "true", 4, 5);
  check_where(spec.data.where, 5, 1);
  check_setting(spec.data.settings, "dir", "some dir", 6, 1);
  check_setting(spec.data.settings, "name", "quoted", 7, 1);
}

BOOST_AUTO_TEST_CASE(a_utf8_byte_order_mark_is_ignored) {
  const GraphSpec spec = parse_graph("\xEF\xBB\xBFx = input shape=3\n", kFile);
  BOOST_TEST_REQUIRE(spec.nodes.size() == 1u);
  BOOST_TEST(spec.nodes[0].name == "x");
  check_where(spec.nodes[0].where, 1, 1);
}

BOOST_AUTO_TEST_CASE(find_returns_the_node_of_that_name_or_null) {
  const GraphSpec spec = parse_graph("a = input shape=1\nb = t(a)\n", kFile);
  const NodeSpec* b = spec.find("b");
  BOOST_TEST_REQUIRE(b != nullptr);
  BOOST_TEST(b == &spec.nodes[1]);
  BOOST_TEST(spec.find("c") == nullptr);
  BOOST_TEST(GraphSpec{}.find("a") == nullptr);
}

BOOST_AUTO_TEST_CASE(an_error_message_starts_with_file_line_and_column) {
  const std::string text =
      "image = input shape=784\n"
      "h1 = stanh(image)\n"
      "\n"
      "fc2 = linear(h1 outputs=10)\n";
  check_error(text, 4, 17, "expected ')' or ',' after input 'h1', found 'outputs'");
  try {
    parse_graph(text, kFile);
  } catch (const SourceError& error) {
    BOOST_TEST(std::string(error.what()) ==
               "net.graph:4:17: expected ')' or ',' after input 'h1', found 'outputs'");
  }
}

BOOST_AUTO_TEST_CASE(errors_in_the_name_type_and_inputs_of_a_node) {
  check_error("fc1 linear(x)", 1, 5, "expected '=' after node name 'fc1', found 'linear'");
  check_error("fc1", 1, 4, "expected '=' after node name 'fc1', found the end of the line");
  check_error("fc1 = (x)", 1, 7, "expected a type name after '=', found '('");
  check_error("fc1 =   # no type", 1, 9,
              "expected a type name after '=', found the end of the line");
  check_error("= linear(x)", 1, 1, "expected a node name, found '='");
  check_error("x = t\n  )", 2, 3, "expected a node name, found ')'");
  check_error("fc-1 = linear(x)", 1, 1, "'fc-1' is not a valid node name" + kNameRule);
  check_error("1x = linear(x)", 1, 1, "'1x' is not a valid node name" + kNameRule);
  check_error("x = my.type", 1, 5, "'my.type' is not a valid type name" + kNameRule);
  check_error("x = t(fc1.weight)", 1, 7, "'fc1.weight' is not a valid input name" + kNameRule);
  check_error("x = t(a,)", 1, 9, "expected an input name after ',', found ')'");
  check_error("x = t(,a)", 1, 7, "expected an input name after '(', found ','");
  check_error("x = t(a;b)", 1, 8, "expected ')' or ',' after input 'a', found ';'");
}

BOOST_AUTO_TEST_CASE(an_unclosed_parenthesis_is_reported_where_the_statement_ends) {
  check_error("loss = mse(out, label", 1, 22, "unclosed '(' opened at column 11");
  check_error("loss = mse(out, label  # a comment", 1, 24, "unclosed '(' opened at column 11");
  check_error("x = f(", 1, 7, "unclosed '(' opened at column 6");
  check_error("x = f(a,", 1, 9, "unclosed '(' opened at column 6");
  check_error("loss = mse(out, \\\n    label\n", 2, 10, "unclosed '(' opened at line 1, column 11");
}

BOOST_AUTO_TEST_CASE(errors_in_the_settings_of_a_node) {
  check_error("x = t foo", 1, 7, "expected KEY=VALUE, found 'foo'");
  check_error("x = t a=1 foo bar=2", 1, 11, "expected KEY=VALUE, found 'foo'");
  check_error("x = t 3=4", 1, 7, "expected KEY=VALUE, found '3=4'");
  check_error("x = t key!=3", 1, 7, "expected KEY=VALUE, found 'key!=3'");
  check_error("x = t(a) ,b", 1, 10, "expected KEY=VALUE, found ',b'");
  check_error("x = t outputs = 10", 1, 7,
              "expected KEY=VALUE, found 'outputs' (a node's settings are written without blanks "
              "around '=')");
  check_error("x = t a=", 1, 9, "expected a value after 'a='");
  check_error("x = t a= 3", 1, 9, "expected a value after 'a='");
  check_error("x = t a=#3", 1, 9, "expected a value after 'a='");
  check_error(
      "x = t a=b=c", 1, 10,
      "unexpected '=' in the value of 'a': write a value that contains '=' or '\"' in quotes");
  check_error(
      "x = t a=b\"c\"", 1, 10,
      "unexpected '\"' in the value of 'a': write a value that contains '=' or '\"' in quotes");
  check_error("x = t a=\"b\"c", 1, 12,
              "expected a blank after the closing quote of 'a', found 'c'");
  // Columns count characters: "\u00e9" is two bytes in UTF-8 but one column.
  check_error("x = t a=\"\u00e9\"c", 1, 12,
              "expected a blank after the closing quote of 'a', found 'c'");
}

BOOST_AUTO_TEST_CASE(errors_in_quoted_strings) {
  check_error("x = t name=\"abc", 1, 12, "unterminated string");
  check_error("x = t name=\"abc\\\" # the quote is escaped", 1, 12, "unterminated string");
  check_error("x = t name=\"abc \\\n def\"", 1, 12, "unterminated string");
  check_error("x = t a=\"b\\n\"", 1, 11,
              "unknown escape '\\n' in a string: write \\\\ for a backslash and \\\" for a quote");
  check_error("[data]\ndir = \"C:\\data\"", 2, 10,
              "unknown escape '\\d' in a string: write \\\\ for a backslash and \\\" for a quote");
  check_error("[data]\ntitle = \"a", 2, 9, "unterminated string");
}

BOOST_AUTO_TEST_CASE(a_continuation_at_the_end_of_the_file) {
  check_error("x = t a=1 \\", 1, 11, "a line continuation '\\' at the end of the file");
  check_error("x = t a=1 \\\n", 1, 11, "a line continuation '\\' at the end of the file");
  check_error("x = t a=1 \\  # comment\n", 1, 11,
              "a line continuation '\\' at the end of the file");
  check_error("x = t \\\n  \\\n", 2, 3, "a line continuation '\\' at the end of the file");
  check_error("[run]\nepochs = 3 \\", 2, 12, "a line continuation '\\' at the end of the file");
}

BOOST_AUTO_TEST_CASE(a_node_or_a_setting_given_twice) {
  check_error("a = input shape=1\nb = t(a)\na = u(b)\n", 3, 1,
              "node 'a' is already defined at line 1");
  check_error("x = t a=1 \\\n   b=2 a=3", 2, 8, "setting 'a' is already given at line 1");
  check_error("x = t a=1 a=\"1\"", 1, 11, "setting 'a' is already given at line 1");
  check_error("[run]\nepochs = 1\n\nepochs=2", 4, 1, "setting 'epochs' is already given at line 2");
}

BOOST_AUTO_TEST_CASE(errors_in_section_headers) {
  const std::string hint = did_you_mean("dat", {"run", "data", "optimizer"});
  BOOST_TEST_REQUIRE(!hint.empty());
  check_error(
      "x = input\n[dat]", 2, 2,
      "unknown section [dat]; " + hint + " (the sections are [run], [data] and [optimizer TYPE])");
  BOOST_TEST_REQUIRE(did_you_mean("training", {"run", "data", "optimizer"}).empty());
  check_error("[training]", 1, 2,
              "unknown section [training] (the sections are [run], [data] and [optimizer TYPE])");
  check_error("[optimizer]", 1, 11, "[optimizer] needs the optimizer's type, e.g. [optimizer sgd]");
  check_error("[ optimizer ]", 1, 13,
              "[optimizer] needs the optimizer's type, e.g. [optimizer sgd]");
  check_error("[optimizer sgd.v2]", 1, 12,
              "'sgd.v2' is not a valid optimizer type: use letters, digits, '_' and '-', starting "
              "with a letter or '_'");
  BOOST_TEST(parse_graph("[optimizer levenberg-marquardt]", "t.graph").optimizer.argument ==
             "levenberg-marquardt");
  check_error("[]", 1, 2, "expected a section name after '[', found ']'");
  check_error("[run", 1, 5, "expected ']' after 'run', found the end of the line");
  check_error("[run fast]", 1, 6, "expected ']' after 'run', found 'fast'");
  check_error("[optimizer sgd fast]", 1, 16, "expected ']' after 'sgd', found 'fast'");
  check_error("[run] x", 1, 7, "expected the end of the line after ']', found 'x'");
}

BOOST_AUTO_TEST_CASE(a_section_given_twice) {
  check_error("[run]\n[data]\n  [run]", 3, 3, "section [run] is already given at line 1");
  check_error("[optimizer sgd]\nlr = 1\n[optimizer adam]", 3, 1,
              "section [optimizer sgd] is already given at line 1");
}

BOOST_AUTO_TEST_CASE(errors_in_section_settings) {
  check_error("[run]\n= 3", 2, 1, "expected KEY = VALUE in [run], found '='");
  check_error("[optimizer sgd]\n  3 = 4", 2, 3,
              "expected KEY = VALUE in [optimizer sgd], found '3'");
  check_error("[run]\nepochs 10", 2, 8, "expected '=' after 'epochs', found '10'");
  check_error("[run]\nepochs", 2, 7, "expected '=' after 'epochs', found the end of the line");
  check_error("[run]\nepochs =   # nothing", 2, 12, "expected a value after 'epochs ='");
  check_error("[data]\ntitle = \"a\" b", 2, 13,
              "expected the end of the line after the closing quote, found 'b'");
}

BOOST_AUTO_TEST_CASE(a_node_after_a_section_is_reported_as_such) {
  const std::string message = "node definitions must come before the first [section] (line 2)";
  check_error("a = input shape=1\n[run]\nepochs = 1\nfc1 = linear(a) outputs=3", 4, 1, message);
  check_error("a = input shape=1\n[run]\n[data]\nb = input shape=784", 4, 1, message);
  check_error("\n[run]\n[data]\nloss = mse(out, label", 4, 1, message);
}

// The check is a scan, not a std::regex that recursed once per character (a stack overflow).
BOOST_AUTO_TEST_CASE(a_section_value_is_told_from_a_node_by_a_scan_of_any_length) {
  const std::string message = "node definitions must come before the first [section] (line 2)";
  check_error("a = input shape=1\n[run]\nh = stanh\t (a)", 3, 1, message);
  check_error("a = input shape=1\n[run]\nh = conv2d lr.bias-x=2", 3, 1, message);
  const std::string letters(1 << 20, 'a');
  const GraphSpec spec =
      parse_graph("a = input shape=1\n[run]\nseed = " + letters + "\ntitle = sgd lr\n", kFile);
  check_setting(spec.run.settings, "seed", letters, 3, 1);
  check_setting(spec.run.settings, "title", "sgd lr", 4, 1);
  check_error("a = input shape=1\n[run]\nx = a b=", 3, 1, message);
}

BOOST_AUTO_TEST_CASE(a_graph_file_is_read_from_disk) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "ebprop_test_parser.graph";
  {
    std::ofstream file(path);
    file << "x = input shape=2\n"
            "y = stanh(x\n";
  }
  try {
    parse_graph_file(path.string());
    BOOST_ERROR("parsed without an error");
  } catch (const SourceError& error) {
    BOOST_TEST(error.where().file == path.string());
    BOOST_TEST(error.where().line == 2);
  }
  {
    std::ofstream file(path);
    file << "x = input shape=2\n";
  }
  const GraphSpec spec = parse_graph_file(path.string());
  BOOST_TEST(spec.file == path.string());
  BOOST_TEST_REQUIRE(spec.nodes.size() == 1u);
  BOOST_TEST(spec.nodes[0].where.file == path.string());
  std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(a_missing_graph_file_is_a_file_error) {
  const std::string path = "/nonexistent/net.graph";
  try {
    parse_graph_file(path);
    BOOST_ERROR("read a missing file");
  } catch (const FileError& error) {
    BOOST_TEST(std::string(error.what()) ==
               "cannot read graph file '/nonexistent/net.graph': No such file or directory");
  }
  const std::string directory = std::filesystem::temp_directory_path().string();
  try {
    parse_graph_file(directory);
    BOOST_ERROR("read a directory");
  } catch (const FileError& error) {
    BOOST_TEST(std::string(error.what()) ==
               "cannot read graph file '" + directory + "': Is a directory");
  }
}

BOOST_AUTO_TEST_CASE(the_graph_files_of_the_repository_parse) {
  const std::filesystem::path graphs = std::filesystem::path(EBPROP_SOURCE_DIR) / "graphs";
  int parsed = 0;
  if (std::filesystem::is_directory(graphs)) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(graphs)) {
      if (entry.path().extension() != ".graph") continue;
      try {
        BOOST_TEST(!parse_graph_file(entry.path().string()).nodes.empty(), entry.path().string());
      } catch (const Error& error) {
        BOOST_ERROR(error.what());
      }
      ++parsed;
    }
  }
  BOOST_TEST_MESSAGE("parsed " << parsed << " graph files under " << graphs.string());
}
