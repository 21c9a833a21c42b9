// Fuzz target: the weights loader, against the parameters of a small fixed graph (a weight matrix,
// a bias, one shared block). An ebprop::Error is the expected refusal and must leave the
// parameters unchanged (weights_file.h); anything else is a finding.
#include <ebprop/graph.h>
#include <ebprop/graph_parser.h>
#include <ebprop/weights_file.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ebprop::fuzz::InputFile file(".w");
  auto& params = small_graph_instance().parameters();
  const ebprop::Vector<float> before = params.w;
  try {
    ebprop::load_weights(params, file.write(data, size));
  } catch (const ebprop::Error&) {
    if (params.w != before) {
      std::fputs("load_weights changed the parameters and then refused the file\n", stderr);
      std::abort();
    }
  }
  params.w = before;  // every input starts from the same parameters
  return 0;
}
