#include "function_table.h"

#include <ebprop/error.h>
#include <ebprop/optimize/test_functions.h>

#include <memory>
#include <sstream>
#include <vector>

namespace ebprop::optimize_tool {
namespace {

// The dimensions probed: a function taking all of 1..6 from some k on and 64 takes "n ≥ k".
constexpr int probed_up_to = 6;
constexpr int probed_large = 64;

std::unique_ptr<optimize::TestFunction> make_or_null(const std::string& name, int n) {
  try {
    return optimize::make_test_function(name, n);
  } catch (const Error&) {
    return nullptr;
  }
}

std::string point(const Vector<double>& x) {
  std::ostringstream s;
  s.precision(6);
  s << "(";
  for (Eigen::Index i = 0; i < x.size(); ++i) s << (i ? ", " : "") << x[i];
  return s.str() + ")";
}

// "n ≥ 2", "n = 4", "n = 1, 3": the dimensions `name` takes among those probed.
std::string dimensions(const std::string& name, int& smallest) {
  std::vector<int> taken;
  for (int n = 1; n <= probed_up_to; ++n)
    if (make_or_null(name, n)) taken.push_back(n);
  smallest = taken.empty() ? 0 : taken.front();
  if (taken.empty()) return "n ?";
  const bool from_smallest_on = taken.back() == probed_up_to &&
                                static_cast<int>(taken.size()) == probed_up_to - smallest + 1 &&
                                make_or_null(name, probed_large) != nullptr;
  if (from_smallest_on) return "n ≥ " + std::to_string(smallest);
  std::string text = "n = ";
  for (std::size_t i = 0; i < taken.size(); ++i) text += (i ? ", " : "") + std::to_string(taken[i]);
  return text;
}

}  // namespace

std::string test_function_table() {
  std::string table;
  for (const auto& name : optimize::test_function_names()) {
    int smallest = 0;
    std::string line = "  " + name;
    line.resize(17, ' ');
    std::string dims = dimensions(name, smallest);
    // Padded to 10 columns: "≥" is 3 bytes but one column.
    const std::size_t columns = dims.size() - (dims.find("≥") == std::string::npos ? 0 : 2);
    dims.append(columns < 10 ? 10 - columns : 1, ' ');
    line += dims;
    if (auto f = make_or_null(name, smallest)) {
      std::ostringstream s;
      s.precision(6);
      s << "start " << point(f->start()) << " (n = " << smallest << "), minimum " << f->minimum();
      if (smallest <= 4) s << " at " << point(f->minimizer());
      if (f->is_sum_of_squares()) s << "; a sum of squares";
      line += s.str();
    }
    table += line + "\n";
  }
  return table;
}

}  // namespace ebprop::optimize_tool
