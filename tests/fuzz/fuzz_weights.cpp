// Fuzz target: the weights loader (the EBPROPW1 files model_file.h still reads), against the
// parameters of a small fixed graph (a weight matrix, a bias, one shared block). An ebprop::Error
// is the expected refusal and must leave the parameters unchanged (model_file.h); anything else is
// a finding.
//
// The first byte picks what the rest is: with an even byte, the file without its CRC-32, which
// the target appends, so that mutations reach the parser behind the checksum; with an odd byte,
// the whole file as it is (a wrong checksum is refused before anything else is read).
#include <ebprop/graph.h>
#include <ebprop/graph_parser.h>
#include <ebprop/model_file.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "checksummed.h"
#include "input_file.h"
#include "plugins.h"

namespace {

// Also the graph the seed corpus was saved from (tests/fuzz/README.md).
const char* const small_graph = R"(
x     = input shape=3
y     = input shape=2 source=targets
fc    = linear(x) outputs=2
same  = linear(x) outputs=2 share.weight=fc.weight
sum   = add(fc, same)
out   = stanh(sum)
loss  = mse(out, y)
)";

ebprop::Graph<float>& small_graph_instance() {
  static ebprop::Rng rng(1);
  static ebprop::Graph<float> graph(ebprop::parse_graph(small_graph, "small.graph"),
                                    ebprop::fuzz::build_plugins(), rng);
  return graph;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  ebprop::fuzz::build_plugins();  // before fuzzing starts: see plugins.h
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ebprop::fuzz::InputFile file(".w");
  if (size == 0) return 0;
  const std::vector<std::uint8_t> bytes = ebprop::fuzz::checksummed_file(data, size);
  auto& params = small_graph_instance().parameters();
  const ebprop::Vector<float> before = params.w();
  try {
    ebprop::load_model(file.write(bytes.data(), bytes.size()), params);
  } catch (const ebprop::Error&) {
    if (params.w() != before) {
      std::fputs("load_model changed the parameters and then refused the file\n", stderr);
      std::abort();
    }
  }
  params.w() = before;  // every input starts from the same parameters
  return 0;
}
