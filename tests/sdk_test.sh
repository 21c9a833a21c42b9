#!/usr/bin/env bash
# The plugin SDK end to end, from a clean prefix:
#   1. install this build into a temporary prefix;
#   2. configure and build examples/softsign-plugin against that prefix only (find_package), with
#      the warning options the SDK exports (no false maybe-uninitialized from Eigen);
#   3. run the example's derivative checker;
#   4. load the example plugin into the installed ebprop-run (list it, train 1 epoch) and into the
#      build tree's ebprop-run (same compiler and flags).
#
#   bash sdk_test.sh BUILD_DIR SOURCE_DIR       (CTest: ctest -R sdk)
#
# Needs a complete build (ebprop-run and the plugins). Prints the step that failed and its output.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd -P)
source=$(cd "$2" && pwd -P)
cmake=${CMAKE:-cmake}
example=$source/examples/softsign-plugin

fail() {
  echo "sdk test FAILED: $*" >&2
  exit 1
}

# The build must be complete: CTest runs tests, it does not build them.
[ -x "$build/bin/ebprop-run" ] ||
  fail "$build/bin/ebprop-run does not exist: build the project first (cmake --build $build)"
compgen -G "$build/lib/ebprop/plugins/*.so" > /dev/null ||
  fail "no plugins in $build/lib/ebprop/plugins: build the project first (cmake --build $build)"
[ -f "$example/CMakeLists.txt" ] || fail "no example at $example"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ebprop-sdk.XXXXXX")
tmp=$(cd "$tmp" && pwd -P)  # the loader reports canonical paths
trap 'rm -rf "$tmp"' EXIT
trap 'echo "sdk test FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR
prefix=$tmp/prefix
plugin_build=$tmp/b
log=$tmp/log

# Only the plugins and libraries this test names: none from the user's environment.
export EBPROP_PLUGIN_PATH=
unset CMAKE_PREFIX_PATH LD_LIBRARY_PATH

# run DESCRIPTION COMMAND...: runs the command, its output kept in $log; on failure prints both.
run() {
  local what=$1
  shift
  echo "-- $what"
  if ! "$@" > "$log" 2>&1; then
    cat "$log" >&2
    fail "$what: command failed: $*"
  fi
}

# expect DESCRIPTION PATTERN: the last command's output contains PATTERN (a fixed string).
expect() {
  if ! grep -qF -- "$2" "$log"; then
    cat "$log" >&2
    fail "$1: output lacks '$2'"
  fi
}

# 1. Install.
run "install the build into $prefix" "$cmake" --install "$build" --prefix "$prefix"
for file in lib/libebprop.so bin/ebprop-run include/ebprop/plugin.h \
            include/ebprop/testing/derivative_check.h lib/cmake/ebprop/ebpropConfig.cmake \
            lib/cmake/ebprop/ebpropConfigVersion.cmake lib/cmake/ebprop/ebpropTargets.cmake \
            lib/cmake/ebprop/EbpropPlugin.cmake share/ebprop/graphs/digits-mlp.graph \
            share/ebprop/examples/softsign-plugin/digits-softsign.graph; do
  [ -e "$prefix/$file" ] || fail "the install lacks $file"
done
compgen -G "$prefix/lib/ebprop/plugins/*.so" > /dev/null || fail "the install has no plugins"
# The documentation, and every built-in plugin's sources as an example, which the docs point to.
for doc in "$source"/docs/*.md; do
  [ -f "$prefix/share/doc/ebprop/${doc##*/}" ] || fail "the install lacks share/doc/ebprop/${doc##*/}"
done
for plugin_source in "$source"/plugins/*/*.cpp; do
  relative=${plugin_source#"$source"/plugins/}
  [ -f "$prefix/share/ebprop/examples/plugins/$relative" ] ||
    fail "the install lacks the example share/ebprop/examples/plugins/$relative"
done
grep -qF "PREFIX/share/ebprop/examples/plugins/" "$prefix/share/doc/ebprop/writing-plugins.md" ||
  fail "the installed writing-plugins.md does not point to the example plugins"
run "installed ebprop-run --version" "$prefix/bin/ebprop-run" --version
expect "installed ebprop-run --version" "(plugin ABI "
# The installed runner and plugins find the installed engine library (RPATH), not the build's.
for binary in "$prefix/bin/ebprop-run" "$prefix"/lib/ebprop/plugins/*.so; do
  run "ldd $binary" ldd "$binary"
  if ! grep -E '^\s*libebprop\.so' "$log" | grep -qF "=> $prefix/"; then
    cat "$log" >&2
    fail "$binary does not resolve libebprop in $prefix/lib (RPATH)"
  fi
done

# 2. Build the example against the install only, with the compiler of this build (the ABI).
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
run "configure the example against $prefix" \
  "$cmake" -S "$example" -B "$plugin_build" -DCMAKE_PREFIX_PATH="$prefix" \
  ${compiler:+-DCMAKE_CXX_COMPILER="$compiler"}
found=$(sed -n 's/^ebprop_DIR:[A-Z]*=//p' "$plugin_build/CMakeCache.txt")
[ "$found" = "$prefix/lib/cmake/ebprop" ] ||
  fail "find_package(ebprop) found '$found', not $prefix/lib/cmake/ebprop"
run "build the example" "$cmake" --build "$plugin_build" -j2 --verbose
# GCC 12 warns falsely inside Eigen's AVX-512 kernels; ebprop_add_plugin turns that warning off.
if grep -qE 'Wmaybe-uninitialized|may be used uninitialized' "$log"; then
  cat "$log" >&2
  fail "the out-of-tree plugin build printed a maybe-uninitialized warning"
fi
if grep -qF 'CMAKE_CXX_COMPILER_ID "GNU"' "$plugin_build"/CMakeFiles/*/CMakeCXXCompiler.cmake; then
  expect "the plugin is compiled with the SDK's warning options" "-Wno-maybe-uninitialized"
fi
[ -f "$plugin_build/libsoftsign.so" ] || fail "the example build made no libsoftsign.so"

# 3. The author's derivative check.
run "derivative check of softsign (test_softsign)" "$plugin_build/test_softsign"
cat "$log"

# 4. The installed runner loads the plugin with --plugin-path, and trains with it.
installed_run=$prefix/bin/ebprop-run
run "installed ebprop-run --list-plugins" "$installed_run" --plugin-path "$plugin_build" --list-plugins
expect "installed ebprop-run --list-plugins" "softsign  inputs: x  [$plugin_build/libsoftsign.so]"
expect "installed ebprop-run --list-plugins" "[$prefix/lib/ebprop/plugins/"
run "installed ebprop-run trains the installed example graph" \
  "$installed_run" --plugin-path "$plugin_build" \
  "$prefix/share/ebprop/examples/softsign-plugin/digits-softsign.graph" \
  --epochs 1 --set train-limit=300 --set test-limit=100
expect "installed ebprop-run trains the example graph" "epoch   1"
expect "installed ebprop-run trains the example graph" "$prefix/share/ebprop/data/mnist10k"
tail -n 1 "$log"
# --time on a plugin without R-operator passes: the three passes it has, and why not the others.
run "installed ebprop-run --time with the example plugin" \
  "$installed_run" --plugin-path "$plugin_build" \
  "$prefix/share/ebprop/examples/softsign-plugin/digits-softsign.graph" \
  --time --batch 4 --time-iterations 2 --set train-limit=100 --set test-limit=10
expect "installed ebprop-run --time" "r_fprop, r_bprop: not timed, these nodes have no R-operator passes:"
expect "installed ebprop-run --time" "softsign"

# The same plugin in the build tree's runner (same compiler and flags), through EBPROP_PLUGIN_PATH.
build_run=$build/bin/ebprop-run
run "build-tree ebprop-run --list-plugins" env EBPROP_PLUGIN_PATH="$plugin_build" "$build_run" --list-plugins
expect "build-tree ebprop-run --list-plugins" "softsign  inputs: x  [$plugin_build/libsoftsign.so]"
run "build-tree ebprop-run trains the example graph" \
  "$build_run" --plugin-path "$plugin_build" "$example/digits-softsign.graph" \
  --epochs 1 --set train-limit=300 --set test-limit=100
expect "build-tree ebprop-run trains the example graph" "epoch   1"
tail -n 1 "$log"

echo "sdk test passed"
