// The bad-input suite's one rule, checked the same way in every case: a bad input stops the tool
// with a clear message that names where the problem is (file and line, node, parameter or file),
// a nonzero exit status, no crash or sanitizer report, and no file of the user's destroyed.
//
//   Scratch s;
//   const std::string graph = s.file("net.graph", text), weights = s.file("w.bin", bytes);
//   const Untouched kept{graph, weights};
//   const Result r = run_tool("ebprop-run", graph + " --load " + weights);
//   BOOST_TEST(refused(r, 1, {graph + ":3:", "'fc1.weight'"}));
//   BOOST_TEST(kept.changes() == "");
#pragma once

#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../command.h"

namespace ebprop::test {

// The bytes of some files before a run, to show after it that none was changed or removed.
class Untouched {
 public:
  // Records each path's content, or that it does not exist.
  Untouched(std::initializer_list<std::string> paths) {
    for (const auto& path : paths) {
      if (boost::filesystem::exists(path))
        before_[path] = slurp(path);
      else
        before_[path] = std::nullopt;
    }
  }
  // "" when every file is as it was; otherwise which files changed, appeared or vanished.
  std::string changes() const {
    std::string text;
    for (const auto& [path, content] : before_) {
      const bool exists = boost::filesystem::exists(path);
      if (content && !exists)
        text += path + " was removed; ";
      else if (!content && exists)
        text += path + " was created; ";
      else if (content && slurp(path) != *content)
        text += path + " was changed; ";
    }
    return text;
  }

 private:
  std::map<std::string, std::optional<std::string>> before_;
};

// What a sanitizer or a crash leaves in a tool's output.
inline std::string sanitizer_report(const std::string& output) {
  for (const char* mark : {"AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                           "runtime error:", "Segmentation fault", "terminate called"})
    if (contains(output, mark)) return mark;
  return "";
}

// Whether `r` is the refusal a bad input must get: exit status `status`, each of `parts` in the
// output, and no crash or sanitizer report. The message says what is wrong, with the output.
inline boost::test_tools::predicate_result refused(const Result& r, int status,
                                                   const std::vector<std::string>& parts) {
  std::string problems;
  if (r.status != status)
    problems +=
        "exit status " + std::to_string(r.status) + ", expected " + std::to_string(status) + "; ";
  if (const std::string report = sanitizer_report(r.output); !report.empty())
    problems += "the output has a crash or sanitizer report (" + report + "); ";
  for (const auto& part : parts)
    if (!contains(r.output, part)) problems += "the output lacks '" + part + "'; ";
  boost::test_tools::predicate_result result(problems.empty());
  if (!problems.empty()) result.message() << problems << "output:\n" << r.output;
  return result;
}

// The files in `dir` whose names are not in `expected`: temporaries left behind, for instance.
inline std::vector<std::string> unexpected_files(const std::string& dir,
                                                 const std::vector<std::string>& expected) {
  std::vector<std::string> found;
  for (const auto& entry : boost::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    bool known = false;
    for (const auto& e : expected) known = known || e == name;
    if (!known) found.push_back(name);
  }
  return found;
}

}  // namespace ebprop::test
