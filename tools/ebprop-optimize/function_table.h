// The test functions as --help lists them: each name with the dimensions it takes, its start and
// its minimum, read from the functions themselves (optimize/test_functions.h) so the list cannot
// drift from what make_test_function accepts.
#pragma once

#include <string>

namespace ebprop::optimize_tool {

// One line per test function: "  rosenbrock     n ≥ 2     start (-1.2, 1), minimum 0 at (1, 1)".
std::string test_function_table();

}  // namespace ebprop::optimize_tool
