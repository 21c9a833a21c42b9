// ebprop-plot: CSV columns to SVG, and its errors.
#define BOOST_TEST_MODULE plot
#include <sys/wait.h>

#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace fs = boost::filesystem;

namespace {

struct Result {
  int status = -1;
  std::string output;
};

Result run(const std::string& arguments) {
  const std::string command =
      std::string(EBPROP_BINARY_DIR) + "/bin/ebprop-plot " + arguments + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

struct Scratch {
  fs::path dir = fs::temp_directory_path() / fs::unique_path("ebprop-plot-%%%%%%");
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }
  std::string file(const std::string& name, const std::string& text = "") const {
    const std::string path = (dir / name).string();
    if (!text.empty()) std::ofstream(path) << text;
    return path;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

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
