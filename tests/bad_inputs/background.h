// A tool of this build running in the background, for the cases that signal it mid-run or run two
// at once: started with its output in a file, watched until it prints something, signalled, and
// waited for with a time limit.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "../command.h"

namespace ebprop::test {

class Background {
 public:
  // Starts EBPROP_BINARY_DIR/bin/`name` with `arguments` (as a shell reads them); the shell execs
  // the tool, so the process signalled is the tool itself.
  Background(const std::string& name, const std::string& arguments) {
    const std::string command = "exec " + std::string(EBPROP_BINARY_DIR) + "/bin/" + name + " " +
                                arguments + " >" + output_file_.string() + " 2>&1";
    pid_ = fork();
    if (pid_ == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  // Kills the tool if a failed case left it running.
  ~Background() {
    if (pid_ > 0 && !finished_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    boost::filesystem::remove(output_file_);
  }

  // Whether the output came to contain `text` within `seconds` (false if the tool ended first).
  bool wait_for(const std::string& text, double seconds = 120) {
    const auto end = clock::now() + std::chrono::duration<double>(seconds);
    while (clock::now() < end) {
      if (contains(slurp(output_file_.string()), text)) return true;
      if (exited()) return contains(slurp(output_file_.string()), text);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  void signal(int number) { kill(pid_, number); }

  // Waits for the tool to end (killing it after `seconds`): its exit status (-1 when it did not
  // exit normally, as run_tool reports it) and output.
  Result finish(double seconds = 120) {
    const auto end = clock::now() + std::chrono::duration<double>(seconds);
    while (!exited() && clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!finished_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status_, 0);
      finished_ = true;
    }
    return {WIFEXITED(status_) ? WEXITSTATUS(status_) : -1, slurp(output_file_.string())};
  }

 private:
  using clock = std::chrono::steady_clock;
  bool exited() {
    if (!finished_ && waitpid(pid_, &status_, WNOHANG) == pid_) finished_ = true;
    return finished_;
  }
  boost::filesystem::path output_file_ = boost::filesystem::temp_directory_path() /
                                         boost::filesystem::unique_path("ebprop-output-%%%%%%");
  pid_t pid_ = -1;
  int status_ = 0;
  bool finished_ = false;
};

}  // namespace ebprop::test
