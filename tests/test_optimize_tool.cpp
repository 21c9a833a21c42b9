// ebprop-optimize end to end: an optimizer plugin reaches a test function's minimum and the JSON
// line says so consistently; the cap and a divergence end the run with their exit statuses; every
// bad command line is refused with a message naming the option (and the setting) and exit 2.
#define BOOST_TEST_MODULE optimize_tool
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>
#include <sstream>
#include <vector>

#include "command.h"

using namespace ebprop::test;  // run_tool, Result, contains

namespace {

Result run(const std::string& arguments) { return run_tool("ebprop-optimize", arguments); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The JSON object of the last line of the output.
boost::property_tree::ptree summary(const Result& r) {
  const std::vector<std::string> lines = lines_of(r.output);
  BOOST_TEST_REQUIRE(!lines.empty(), r.output);
  std::istringstream last(lines.back());
  boost::property_tree::ptree tree;
  boost::property_tree::read_json(last, tree);
  return tree;
}

// The progress lines: those that start with an iteration number.
int progress_lines(const Result& r) {
  int count = 0;
  for (const auto& line : lines_of(r.output)) {
    std::istringstream in(line);
    long long iteration = 0;
    if (line.size() > 1 && line[0] == ' ' && (in >> iteration)) ++count;
  }
  return count;
}

// What every summary must satisfy, whatever the optimizer did.
void check_consistent(const boost::property_tree::ptree& j, const Result& r) {
  const auto values = j.get<long long>("values"), gradients = j.get<long long>("gradients");
  BOOST_TEST(j.get<long long>("evaluations") == values + gradients, r.output);
  BOOST_TEST(j.get<long long>("iterations") >= 1);
  for (const char* count :
       {"values", "gradients", "curvatures", "hessian_vectors", "gauss_newton_vectors", "matrices"})
    BOOST_TEST(j.get<long long>(count) >= 0, count);
  BOOST_TEST(j.get<double>("seconds") >= 0);
  BOOST_TEST(!j.get<std::string>("stop").empty());
}

}  // namespace

BOOST_AUTO_TEST_CASE(lbfgs_reaches_the_minimum_of_rosenbrock_and_the_json_line_says_so) {
  const Result r = run("--optimizer lbfgs --function rosenbrock --dim 2");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const auto j = summary(r);
  check_consistent(j, r);
  BOOST_TEST(j.get<std::string>("optimizer") == "lbfgs");
  BOOST_TEST(j.get<std::string>("function") == "rosenbrock");
  BOOST_TEST(j.get<int>("dim") == 2);
  BOOST_TEST(j.get<double>("distance") < 1e-5, r.output);
  BOOST_TEST(j.get<double>("grad_norm") < 1e-6, r.output);  // the default grad-tol
  BOOST_TEST(j.get<double>("loss") < 1e-10, r.output);
  BOOST_TEST(j.get<std::string>("ended") == "optimizer");
  BOOST_TEST(contains(j.get<std::string>("stop"), "grad-tol"), r.output);
  // A first-order method: function+gradient evaluations only, at least one per iteration.
  BOOST_TEST(j.get<long long>("gradients") >= j.get<long long>("iterations"));
  BOOST_TEST(j.get<long long>("hessian_vectors") + j.get<long long>("gauss_newton_vectors") +
                 j.get<long long>("matrices") ==
             0);
  BOOST_TEST(progress_lines(r) == j.get<int>("iterations"), r.output);
}

BOOST_AUTO_TEST_CASE(opt_settings_reach_the_optimizer) {
  const Result r = run("--optimizer lbfgs --opt max-iterations=5 --function rosenbrock --dim 2");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const auto j = summary(r);
  BOOST_TEST(j.get<int>("iterations") == 5, r.output);
  BOOST_TEST(contains(j.get<std::string>("stop"), "max-iterations"), r.output);
}

BOOST_AUTO_TEST_CASE(levenberg_marquardt_reaches_the_minimum_of_rosenbrock) {
  const Result r = run("--optimizer levenberg-marquardt --function rosenbrock --dim 2");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  const auto j = summary(r);
  check_consistent(j, r);
  BOOST_TEST(j.get<std::string>("optimizer") == "levenberg-marquardt");
  BOOST_TEST(j.get<std::string>("function") == "rosenbrock");
  BOOST_TEST(j.get<int>("dim") == 2);
  BOOST_TEST(j.get<double>("distance") < 1e-5, r.output);
  BOOST_TEST(j.get<double>("grad_norm") < 1e-5, r.output);
  BOOST_TEST(j.get<double>("loss") < 1e-10, r.output);
  BOOST_TEST(j.get<double>("minimum") == 0.0);
  BOOST_TEST(j.get<std::string>("ended") == "optimizer");
  // Levenberg-Marquardt forms Gauss-Newton products or matrices, never a Hessian-vector product.
  BOOST_TEST(j.get<long long>("gauss_newton_vectors") + j.get<long long>("matrices") > 0, r.output);
  // One progress line per iteration.
  BOOST_TEST(progress_lines(r) == j.get<int>("iterations"), r.output);
}

BOOST_AUTO_TEST_CASE(quiet_prints_the_json_line_only) {
  const Result r = run("--optimizer newton --function wood --dim 4 --quiet");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(lines_of(r.output).size() == 1u, r.output);
  const auto j = summary(r);
  check_consistent(j, r);
  BOOST_TEST(j.get<double>("distance") < 1e-5, r.output);
}

BOOST_AUTO_TEST_CASE(a_stochastic_optimizer_runs_full_batch_and_stops_at_the_cap_with_exit_3) {
  const Result r =
      run("--optimizer sgd --opt lr=1e-3 --function rosenbrock --dim 2 --max-iterations 50");
  BOOST_TEST_REQUIRE(r.status == 3, r.output);
  const auto j = summary(r);
  check_consistent(j, r);
  BOOST_TEST(j.get<int>("iterations") == 50);
  BOOST_TEST(j.get<long long>("gradients") == 50);  // sgd: one gradient per step
  BOOST_TEST(j.get<std::string>("ended") == "cap");
  BOOST_TEST(contains(j.get<std::string>("stop"), "--max-iterations 50"), r.output);
  BOOST_TEST(progress_lines(r) == 50, r.output);
  // Downhill from the start's E = 24.2.
  BOOST_TEST(j.get<double>("loss") < 24.2, r.output);
}

BOOST_AUTO_TEST_CASE(a_non_finite_loss_stops_the_run_with_exit_1) {
  const Result r = run("--optimizer sgd --opt lr=10 --function rosenbrock --dim 2");
  BOOST_TEST(r.status == 1, r.output);
  BOOST_TEST(contains(r.output, "ebprop-optimize: non-finite loss"), r.output);
  BOOST_TEST(contains(r.output, "diverged"), r.output);
  const auto j = summary(r);
  BOOST_TEST(j.get<std::string>("ended") == "non-finite");
  BOOST_TEST(j.get<int>("iterations") < 100);
}

BOOST_AUTO_TEST_CASE(help_lists_the_test_functions_with_their_dimensions_and_the_exit_statuses) {
  const Result r = run("--help");
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "rosenbrock     n ≥ 2"), r.output);
  BOOST_TEST(contains(r.output, "wood           n = 4"), r.output);
  BOOST_TEST(contains(r.output, "--max-iterations"), r.output);
  BOOST_TEST(contains(r.output, "3 --max-iterations reached"), r.output);
  BOOST_TEST(contains(r.output, "sgd"), r.output);  // the optimizers found
}

BOOST_AUTO_TEST_CASE(an_unknown_opt_key_is_refused_with_a_did_you_mean) {
  const Result r =
      run("--optimizer levenberg-marquardt --opt grad-toll=1e-8 --function rosenbrock --dim 2");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "command line (--opt)"), r.output);
  BOOST_TEST(contains(r.output, "'grad-toll'"), r.output);
  BOOST_TEST(contains(r.output, "did you mean 'grad-tol'"), r.output);
}

BOOST_AUTO_TEST_CASE(a_bad_opt_value_is_refused_naming_the_setting) {
  const Result r = run("--optimizer sgd --opt lr=fast --function rosenbrock --dim 2");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "setting 'lr' of optimizer sgd"), r.output);
  BOOST_TEST(contains(r.output, "fast"), r.output);
}

BOOST_AUTO_TEST_CASE(an_opt_value_out_of_range_is_refused_with_the_range) {
  const Result r = run("--optimizer sgd --opt momentum=1.5 --function rosenbrock --dim 2");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "setting 'momentum' of optimizer sgd"), r.output);
  BOOST_TEST(contains(r.output, "[0, 1)"), r.output);
}

BOOST_AUTO_TEST_CASE(an_opt_without_a_value_is_refused) {
  const Result r = run("--optimizer sgd --opt lr --function rosenbrock --dim 2");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "--opt expects KEY=VALUE, found 'lr'"), r.output);
}

BOOST_AUTO_TEST_CASE(an_unknown_function_is_refused_with_a_did_you_mean_and_the_known_ones) {
  const Result r = run("--optimizer sgd --function rosenbrok --dim 2");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "--function: unknown test function 'rosenbrok'"), r.output);
  BOOST_TEST(contains(r.output, "did you mean 'rosenbrock'"), r.output);
  BOOST_TEST(contains(r.output, "wood, powell"), r.output);
}

BOOST_AUTO_TEST_CASE(a_wrong_dimension_for_wood_is_refused_saying_what_it_takes) {
  const Result r = run("--optimizer sgd --function wood --dim 3");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "--dim: test function 'wood' takes n = 4 only, not n = 3"),
             r.output);
}

BOOST_AUTO_TEST_CASE(a_dimension_out_of_range_is_refused_naming_the_option) {
  const Result r = run("--optimizer sgd --function rosenbrock --dim 0");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "--dim"), r.output);
  BOOST_TEST(contains(r.output, "must be in [1, 2147483647], found 0"), r.output);
}

BOOST_AUTO_TEST_CASE(an_unknown_optimizer_is_refused_listing_the_known_ones) {
  const Result r = run("--optimizer sgdd --function rosenbrock --dim 2");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "--optimizer:"), r.output);
  BOOST_TEST(contains(r.output, "'sgdd'"), r.output);
  BOOST_TEST(contains(r.output, "did you mean 'sgd'"), r.output);
}

BOOST_AUTO_TEST_CASE(a_missing_function_is_refused_listing_the_test_functions) {
  const Result r = run("--optimizer sgd --dim 2");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "no --function given: one of rosenbrock, wood"), r.output);
}

BOOST_AUTO_TEST_CASE(a_missing_dimension_or_optimizer_is_refused) {
  Result r = run("--optimizer sgd --function rosenbrock");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "no --dim given"), r.output);
  r = run("--function rosenbrock --dim 2");
  BOOST_TEST(r.status == 2, r.output);
  BOOST_TEST(contains(r.output, "no --optimizer given"), r.output);
}
