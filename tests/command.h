// Running a tool of this build as a user would from a shell, for the end-to-end tests: its exit
// status and output, scratch files for it to read and write, what it wrote, and a small net on the
// bundled digits for runs that need to work.
#pragma once

#include <sys/wait.h>

#include <boost/filesystem.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace ebprop::test {

// How a tool exited and what it printed.
struct Result {
  int status = -1;     // the exit status; -1 when the tool did not exit normally
  std::string output;  // stdout and stderr
};

// Runs the tool `name` of this build (EBPROP_BINARY_DIR/bin/name) with `arguments`, as a shell
// reads them, and waits for it.
inline Result run_tool(const std::string& name, const std::string& arguments) {
  const std::string command =
      std::string(EBPROP_BINARY_DIR) + "/bin/" + name + " " + arguments + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Whether `part` occurs in `text`.
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The whole content of a file ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// A scratch directory, removed at the end of the test.
struct Scratch {
  boost::filesystem::path dir = boost::filesystem::temp_directory_path() /
                                boost::filesystem::unique_path("ebprop-test-%%%%%%");
  Scratch() { boost::filesystem::create_directories(dir); }
  ~Scratch() { boost::filesystem::remove_all(dir); }
  // The path of `name` in the directory; the file is written with `text` unless it is empty.
  std::string file(const std::string& name, const std::string& text = "") const {
    const std::string path = (dir / name).string();
    if (!text.empty()) std::ofstream(path) << text;
    return path;
  }
};

// The bundled digits and a small, fast net on them, for cases that need a working run.
inline const std::string digits_dir = std::string(EBPROP_SOURCE_DIR) + "/data/mnist10k";
inline const std::string small_net =
    "image = input shape=784 source=inputs\n"
    "label = input shape=10 source=targets\n"
    "h = linear(image) outputs=20\n"
    "a = stanh(h)\n"
    "o = linear(a) outputs=10\n"
    "y = stanh(o)\n"
    "loss = mse(y, label)\n"
    "[run]\nepochs = 1\n"
    "[data]\ndir = " +
    digits_dir + "\ntrain-limit = 500\ntest-limit = 200\n";

}  // namespace ebprop::test
