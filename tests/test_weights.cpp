// Weights files: round trip, refusal of another graph, corruption, atomic writes.
#define BOOST_TEST_MODULE weights
#include <ebprop/weights_file.h>

#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <iterator>
#include <limits>

#include "test_util.h"

using namespace ebprop;
namespace fs = boost::filesystem;

namespace {

const char* net =
    "x = input shape=3\nh = linear(x) outputs=4\ny = stanh(h)\no = linear(y) outputs=2\n";

struct TempFile {
  std::string path =
      (fs::temp_directory_path() / fs::unique_path("ebprop-%%%%%%.weights")).string();
  ~TempFile() {
    fs::remove(path);
    fs::remove(path + ".tmp");
  }
};

std::string load_error(ParameterStore<float>& params, const std::string& path) {
  try {
    load_weights(params, path);
  } catch (const FileError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_CASE(weights_round_trip_exactly_across_precisions) {
  TempFile file;
  auto a = test::graph_from<float>(net, 1);
  save_weights(a->parameters(), file.path);
  BOOST_TEST(!fs::exists(file.path + ".tmp"));
  auto b = test::graph_from<float>(net, 2);
  BOOST_TEST((a->parameters().w() != b->parameters().w()));
  load_weights(b->parameters(), file.path);
  BOOST_TEST((a->parameters().w() == b->parameters().w()));
  auto c = test::graph_from<double>(net, 3);
  load_weights(c->parameters(), file.path);
  BOOST_TEST((a->parameters().w() == c->parameters().w().cast<float>()));
}

BOOST_AUTO_TEST_CASE(another_graph_is_refused_with_every_difference) {
  TempFile file;
  auto a = test::graph_from<float>(net);
  save_weights(a->parameters(), file.path);
  auto other = test::graph_from<float>(
      "x = input shape=3\nh = linear(x) outputs=5\ny = stanh(h)\nz = linear(y) outputs=2\n");
  const Vector<float> before = other->parameters().w();
  const std::string m = load_error(other->parameters(), file.path);
  BOOST_TEST(m.find("does not match the graph") != std::string::npos, m);
  BOOST_TEST(m.find("'h.weight' is 4x3 in the file but 5x3 in the graph") != std::string::npos, m);
  BOOST_TEST(m.find("'z.weight' is missing from the file") != std::string::npos, m);
  BOOST_TEST(m.find("'o.bias' is not in the graph") != std::string::npos, m);
  BOOST_TEST((other->parameters().w() == before));  // unchanged
}

BOOST_AUTO_TEST_CASE(a_corrupt_file_is_detected) {
  TempFile file;
  auto a = test::graph_from<float>(net);
  save_weights(a->parameters(), file.path);
  {
    std::fstream f(file.path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7f');
  }
  const std::string m = load_error(a->parameters(), file.path);
  BOOST_TEST(m.find("is corrupt (checksum mismatch)") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(a_truncated_or_foreign_file_is_detected) {
  TempFile file;
  auto a = test::graph_from<float>(net);
  { std::ofstream(file.path) << "hello, world, this is not a weights file"; }
  BOOST_TEST(load_error(a->parameters(), file.path).find("not an ebprop weights file") !=
             std::string::npos);
  BOOST_TEST(load_error(a->parameters(), "/nonexistent/w.bin").find("cannot open weights file") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unwritable_place_leaves_nothing_behind) {
  auto a = test::graph_from<float>(net);
  BOOST_CHECK_EXCEPTION(
      save_weights(a->parameters(), "/nonexistent-dir/w.bin"), FileError, [](const FileError& e) {
        return std::string(e.what()).find("cannot write '/nonexistent-dir/w.bin'") !=
               std::string::npos;
      });
}

BOOST_AUTO_TEST_CASE(a_failed_rename_names_the_reason_and_leaves_no_temporary) {
  // A directory where the file should go: the temporary is written, the rename fails (EISDIR).
  const fs::path dir = fs::temp_directory_path() / fs::unique_path("ebprop-%%%%%%");
  fs::create_directories(dir / "w.bin");
  auto a = test::graph_from<float>(net);
  BOOST_CHECK_EXCEPTION(
      save_weights(a->parameters(), (dir / "w.bin").string()), FileError, [](const FileError& e) {
        return std::string(e.what()).find("renaming the temporary over it: Is a directory") !=
               std::string::npos;
      });
  BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(non_finite_weights_are_never_saved) {
  TempFile file;
  auto a = test::graph_from<float>(net);
  a->parameters().w()[2] = std::numeric_limits<float>::quiet_NaN();
  BOOST_CHECK_EXCEPTION(
      save_weights(a->parameters(), file.path), NumericError, [](const NumericError& e) {
        return std::string(e.what()).find("value 2 (counted from 0) is NaN") != std::string::npos;
      });
  BOOST_TEST(!fs::exists(file.path));
}
