// Reading what ebprop-run prints and writes, for the end-to-end tests: its lines of one kind, and
// the numbers of its --metrics records. Requires Boost.Test (a missing field fails the test).
#pragma once

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace ebprop::test {

// The lines of `text` that start with `head`.
inline std::vector<std::string> lines_starting(const std::string& text, const std::string& head) {
  std::vector<std::string> found;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(head, 0) == 0) found.push_back(line);
  return found;
}

// The number after `"key": ` in a metrics line; NaN for null.
inline double field(const std::string& line, const std::string& key) {
  const auto at = line.find("\"" + key + "\": ");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, key << " in " << line);
  const std::string value = line.substr(at + key.size() + 4);
  return value.rfind("null", 0) == 0 ? std::nan("") : std::stod(value);
}

}  // namespace ebprop::test
