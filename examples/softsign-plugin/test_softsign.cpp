// The derivative check of the softsign plugin: the same checker ebprop's own tests run on every
// module (bprop and bbprop against finite differences, and accumulation). Exit status 0 = passed.
//
//   ./test_softsign [path/to/libsoftsign.so]
#include <cstdio>
#include <exception>

#include <ebprop/plugin_loader.h>
#include <ebprop/testing/derivative_check.h>

int main(int argc, char** argv) try {
  ebprop::Registry registry;
  ebprop::load_plugin(registry, argc > 1 ? argv[1] : SOFTSIGN_PLUGIN);

  const auto report = ebprop::testing::check_module(registry, "softsign", {}, {{5}});  // the line

  std::printf("%s", report.summary().c_str());
  return report.passed() ? 0 : 1;
} catch (const std::exception& e) {  // a plugin that cannot be loaded, an unknown type, ...
  std::fprintf(stderr, "test_softsign: %s\n", e.what());
  return 1;
}
