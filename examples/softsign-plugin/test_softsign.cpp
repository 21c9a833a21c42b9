// The derivative check of the softsign plugin: the cases it registers with its type, run by the
// same checker ebprop's own tests run on every module (bprop and bbprop against finite
// differences, and accumulation). Exit status 0 = passed.
//
//   ./test_softsign [path/to/libsoftsign.so]
#include <ebprop/plugin_loader.h>
#include <ebprop/testing/derivative_check.h>

#include <cstdio>
#include <exception>
#include <stdexcept>

int main(int argc, char** argv) try {
  ebprop::Registry registry;
  ebprop::load_plugin(registry, argc > 1 ? argv[1] : SOFTSIGN_PLUGIN);

  const auto& cases = registry.module_info("softsign").checks;
  if (cases.empty()) throw std::runtime_error("softsign registers no derivative-check cases");
  bool passed = true;
  for (const auto& check : cases) {
    const auto report = ebprop::testing::check_module(registry, "softsign", check);
    std::printf("%s", report.summary().c_str());
    passed = passed && report.passed();
  }
  return passed ? 0 : 1;
} catch (const std::exception& e) {  // a plugin that cannot be loaded, an unknown type, ...
  std::fprintf(stderr, "test_softsign: %s\n", e.what());
  return 1;
}
