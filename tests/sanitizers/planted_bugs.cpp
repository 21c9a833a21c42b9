// Bugs planted for the sanitizer build's own tests: each mode commits one error that a sanitizer
// must report, so CTest sees the report fail the program with the suite's report status (86), not
// with the 0 of a program that got away with it nor the 1 of a refused input.
//
//   planted_bugs heap-overflow | signed-overflow | leak
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

// Read by the planted bugs so the optimizer cannot remove them.
volatile int sink;
void* volatile leaked;

int heap_overflow(int argc) {
  std::vector<int> values(2);
  sink = values.data()[argc + 1];  // past the end of its 2 elements
  return 0;
}

int signed_overflow(int argc) {
  int big = INT_MAX - 2 + argc;  // INT_MAX with the program's two arguments
  sink = big + 1;
  return 0;
}

int leak() {
  leaked = std::malloc(64);
  leaked = nullptr;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 2 ? argv[1] : "";
  if (mode == "heap-overflow") return heap_overflow(argc);
  if (mode == "signed-overflow") return signed_overflow(argc);
  if (mode == "leak") return leak();
  std::cerr << "usage: planted_bugs heap-overflow | signed-overflow | leak\n";
  return 2;
}
