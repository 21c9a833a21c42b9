// ebprop-plot: CSV and JSON-lines columns to SVG, learning curves, and its errors.
#define BOOST_TEST_MODULE plot
#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>

#include "command.h"

namespace fs = boost::filesystem;
using namespace ebprop::test;  // run_tool, Result, Scratch, slurp, contains

namespace {

Result run(const std::string& arguments) { return run_tool("ebprop-plot", arguments); }

const char* table = "n,online,power\n1,0.5,2\n10,1.5,2\n100,1.9,2\n";

}  // namespace

BOOST_AUTO_TEST_CASE(lines_and_histograms_become_svg) {
  Scratch s;
  const std::string csv = s.file("t.csv", table), svg = s.file("t.svg");
  const Result r = run(csv + " --x n --y online --y power --log-x --title lambda -o " + svg);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const std::string text = slurp(svg);
  BOOST_TEST(contains(text, "<svg"));
  BOOST_TEST(contains(text, "<polyline"));
  BOOST_TEST(contains(text, ">online<"));
  BOOST_TEST(contains(text, ">lambda<"));
  const Result h = run(csv + " --histogram online --bins 3 -o " + svg);
  BOOST_TEST_REQUIRE(h.status == 0, h.output);
  BOOST_TEST(contains(slurp(svg), "<rect x="));
}

BOOST_AUTO_TEST_CASE(empty_cells_anywhere_are_gaps_and_empty_bins_vanish_on_a_log_axis) {
  Scratch s;
  const std::string svg = s.file("t.svg");
  const std::string csv = s.file("e.csv", "x,a,b\n1,2,3\n2,,4\n3,5,\n");
  const Result gaps = run(csv + " --x x --y a --y b -o " + svg);
  BOOST_TEST(gaps.status == 0, gaps.output);
  const std::string values = s.file("v.csv", "v\n1\n1\n1\n10\n");  // empty bins in between
  const Result h = run(values + " --histogram v --bins 5 --log-y -o " + svg);
  BOOST_TEST(h.status == 0, h.output);
  BOOST_TEST(slurp(svg).find("nan") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(errors_name_the_file_and_what_is_wrong) {
  Scratch s;
  const std::string csv = s.file("t.csv", table), svg = s.file("t.svg");
  const Result column = run(csv + " --x n --y onlien -o " + svg);
  BOOST_TEST(column.status == 1);
  BOOST_TEST(contains(column.output, "has no column 'onlien'; did you mean 'online'?"),
             column.output);
  const Result bad = run(s.file("b.csv", "n,y\n1,2\n2,x\n") + " --x n --y y -o " + svg);
  BOOST_TEST(bad.status == 1);
  BOOST_TEST(contains(bad.output, "b.csv:3: column 'y': expected a number, found 'x'"), bad.output);
  const Result log = run(s.file("z.csv", "n,y\n0,1\n1,2\n") + " --x n --y y --log-x -o " + svg);
  BOOST_TEST(log.status == 1);
  BOOST_TEST(contains(log.output, "a logarithmic x axis cannot show 0"), log.output);
  BOOST_TEST(run(csv + " --x n").status == 2);
  BOOST_TEST(!fs::exists(svg));
}

// Ticks were accumulated with `v += step`, which adds nothing when step is below the spacing of
// doubles near v: the loop ran until memory ran out.
BOOST_AUTO_TEST_CASE(an_axis_far_from_zero_gets_a_bounded_number_of_ticks) {
  Scratch s;
  const std::string csv = s.file("far.csv", "x,y\n10000000000000000,1\n10000000000000002,2\n");
  const std::string svg = s.file("far.svg");
  const Result r = run(csv + " --x x --y y -o " + svg);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const std::string text = slurp(svg);
  std::size_t lines = 0;
  for (std::size_t at = text.find("<line"); at != std::string::npos;
       at = text.find("<line", at + 1))
    ++lines;
  BOOST_TEST(lines < 40u);
}

// ebprop-hessian's CSV files have a column of parameter names: only the columns drawn must hold
// numbers.
BOOST_AUTO_TEST_CASE(a_column_of_names_is_read_when_it_is_not_drawn) {
  Scratch s;
  const std::string csv = s.file("n.csv", "parameter,index,value\nh.weight,0,1.5\nh.bias,0,2\n");
  const std::string svg = s.file("n.svg");
  const Result h = run(csv + " --histogram value --bins 2 -o " + svg);
  BOOST_TEST(h.status == 0, h.output);
  const Result names = run(csv + " --histogram parameter -o " + svg);
  BOOST_TEST(names.status == 1);
  BOOST_TEST(contains(names.output,
                      "n.csv:2: column 'parameter': expected a number, found "
                      "'h.weight'"),
             names.output);
}

// --curves on a metrics file as ebprop-run writes it, without a validation set, for a regression.
BOOST_AUTO_TEST_CASE(learning_curves_leave_out_sets_without_numbers) {
  Scratch s;
  const std::string svg = s.file("c.svg");
  // No validation set and a regression: the loss of train and test only, no error panel.
  const std::string json = s.file(
      "m.jsonl",
      "{\"epoch\": 1, \"train_loss\": 0.5, \"train_error\": null, \"validation_loss\": null, "
      "\"test_loss\": 0.6, \"test_error\": null, \"note\": \"a\", \"nested\": {\"x\": [1, 2]}}\n"
      "\n{\"epoch\": 2, \"train_loss\": 0.4, \"test_loss\": 0.55}\n");
  const Result r = run(json + " --curves -o " + svg);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const std::string text = slurp(svg);
  BOOST_TEST(contains(text, ">train<"));
  BOOST_TEST(contains(text, ">test<"));
  BOOST_TEST(!contains(text, ">validation<"));
  BOOST_TEST(!contains(text, ">error (%)<"));
  // A JSON-lines file is a table for --x and --y too.
  const Result xy = run(json + " --x epoch --y test_loss -o " + svg);
  BOOST_TEST(xy.status == 0, xy.output);
}

BOOST_AUTO_TEST_CASE(learning_curves_are_two_panels_of_one_document) {
  Scratch s;
  const std::string svg = s.file("c.svg");
  const std::string csv = s.file("m.csv",
                                 "epoch,train_loss,train_error,validation_loss,validation_error\n"
                                 "1,0.9,20,0.8,18\n2,0.5,10,0.6,12\n3,0.4,8,0.65,13\n");
  const Result r = run(csv + " --curves --title run -o " + svg);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const std::string text = slurp(svg);
  BOOST_TEST(contains(text, "height=\"840\""));  // two 420-pixel panels
  BOOST_TEST(contains(text, "<g transform=\"translate(0,420)\">"));
  BOOST_TEST(contains(text, ">run<"));
  BOOST_TEST(contains(text, ">validation<"));
  BOOST_TEST(!contains(text, ">test<"));
  BOOST_TEST(text.rfind("<svg") == 0u);  // one document
}
