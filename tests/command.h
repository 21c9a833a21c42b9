// Running a tool of this build as a user would from a shell, for the end-to-end tests: its exit
// status and output, scratch files for it to read and write, and what it wrote.
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

}  // namespace ebprop::test
