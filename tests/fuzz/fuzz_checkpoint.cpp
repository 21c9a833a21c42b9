// Fuzz target: the checkpoint reader (read_checkpoint: the archive, the identity, optimizer and
// trainer sections) and the model it holds (get_model), against the parameters of a small
// fixed graph. An ebprop::Error is the expected refusal; a refused model must leave the
// parameters unchanged (model_file.h); anything else is a finding.
//
// The first byte picks what the rest is, as in fuzz_weights: with an even byte, the file without
// its CRC-32, which the target appends, so that mutations reach the sections behind the checksum;
// with an odd byte, the whole file as it is.
#include <ebprop/checkpoint.h>
#include <ebprop/graph.h>
#include <ebprop/graph_parser.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "checksummed.h"
#include "input_file.h"
#include "plugins.h"

namespace {

// Also the graph the seed corpus was written from (tests/fuzz/README.md).
const char* const small_graph = R"(
x     = input shape=3
y     = input shape=2 source=targets
fc    = linear(x) outputs=2
out   = stanh(fc)
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
  static ebprop::fuzz::InputFile file(".ckpt");
  if (size == 0) return 0;
  const std::vector<std::uint8_t> bytes = ebprop::fuzz::checksummed_file(data, size);
  auto& params = small_graph_instance().parameters();
  const ebprop::Vector<float> before = params.w();
  try {
    const std::string path = file.write(bytes.data(), bytes.size());
    const ebprop::CheckpointFile checkpoint = ebprop::read_checkpoint(path);
    ebprop::get_model(checkpoint.archive, params);
  } catch (const ebprop::Error&) {
    if (params.w() != before) {
      std::fputs("get_model changed the parameters and then refused the model\n", stderr);
      std::abort();
    }
  }
  params.w() = before;  // every input starts from the same parameters
  return 0;
}
