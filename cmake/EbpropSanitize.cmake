# The sanitizer build (-DEBPROP_SANITIZE=address,undefined) and the fuzzers' coverage.
#
# The sanitizer flags go on the engine library's public interface, so every target that uses it —
# the tools, the plugins, the tests, the test plugins, and plugins built against the installed
# package (the flags are exported with it) — is compiled and linked with them: a plugin without
# them could not be loaded into a sanitized runner. -fno-sanitize-recover=all makes every
# report fatal, so no run passes with a report in its output.
if(EBPROP_SANITIZE)
  set(ebprop_sanitizer_flags -fsanitize=${EBPROP_SANITIZE} -fno-omit-frame-pointer
                             -fno-sanitize-recover=all)
  target_compile_options(ebprop PUBLIC ${ebprop_sanitizer_flags})
  target_link_options(ebprop PUBLIC ${ebprop_sanitizer_flags})
  # The tree's own targets at -O1 (after the build type's -O3, so it wins), as the sanitizers'
  # documentation suggests: clang compiles the instrumented kernels in about 40 % less time
  # (linear.cpp), the reports keep their line numbers, and the suite runs no slower. Plugins built
  # against the installed package keep their own level.
  target_compile_options(ebprop_flags INTERFACE -O1)
endif()

# libFuzzer links the fuzz targets (-fsanitize=fuzzer, tests/fuzz); with EBPROP_FUZZ_COVERAGE, the
# code under test gets its coverage instrumentation too, in the tree only (ebprop_flags is private
# to the tree's targets).
if(EBPROP_LIBFUZZER)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT EBPROP_SANITIZE MATCHES "address")
    message(FATAL_ERROR "EBPROP_LIBFUZZER needs clang and -DEBPROP_SANITIZE=address[,...]")
  endif()
  if(EBPROP_FUZZ_COVERAGE)
    target_compile_options(ebprop_flags INTERFACE -fsanitize=fuzzer-no-link)
  endif()
elseif(EBPROP_FUZZ_COVERAGE)
  message(FATAL_ERROR "EBPROP_FUZZ_COVERAGE needs EBPROP_LIBFUZZER")
endif()
