# shellcheck shell=bash
# shellcheck disable=SC2034  # openblas_dir and torch_blas are read by the scripts that source this
# Sourced (not run) by the scripts of bench/: which BLAS PyTorch gets (curvature.sh, lenet5.sh,
# costs.sh; run.sh has its own copy, see README.md), waiting for a quiet machine, building bench/build
# and measuring a run's peak resident memory.

# find_openblas FETCH(0|1): sets openblas_dir to a directory holding OpenBLAS's libblas.so.3 for
# the PyTorch runs (empty when the system BLAS is OpenBLAS already, or none is found), and
# torch_blas to a description. Same search as run.sh: EBPROP_BENCH_OPENBLAS, the openblas-pthread /
# openblas-openmp directories of an installed libopenblas0-*, the copy unpacked by
# --fetch-openblas under ${XDG_CACHE_HOME:-~/.cache}/ebprop-bench; with FETCH=1 and none found,
# Debian's libopenblas0-pthread is downloaded with `apt-get download` and unpacked there (not
# installed; nothing on the system changes).
find_openblas() {
  local fetch=$1 multiarch=/usr/lib/x86_64-linux-gnu system_blas cache d deb
  system_blas=$(readlink -f "$multiarch/libblas.so.3" 2>/dev/null || echo "none")
  openblas_dir=""
  if [[ $system_blas == *openblas* ]]; then
    torch_blas="system OpenBLAS ($system_blas)"
    return 0
  fi
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/ebprop-bench/openblas
  for d in "${EBPROP_BENCH_OPENBLAS:-}" "$multiarch/openblas-pthread" "$multiarch/openblas-openmp" \
           "$cache$multiarch/openblas-pthread"; do
    if [[ -n $d && -e $d/libblas.so.3 ]]; then openblas_dir=$d; break; fi
  done
  if [[ -z $openblas_dir && $fetch == 1 ]]; then
    echo "Fetching Debian's libopenblas0-pthread into $cache (unpacked, not installed)..."
    mkdir -p "$cache"
    (cd "$cache" && rm -f ./*.deb && { apt-get download -q libopenblas0-pthread 2>&1 | grep -v "^W: Download is performed unsandboxed" || true; })
    deb=$(find "$cache" -maxdepth 1 -name "libopenblas0-pthread_*.deb" | head -n 1)
    [[ -n $deb ]] || { echo "apt-get download libopenblas0-pthread failed" >&2; return 1; }
    dpkg -x "$deb" "$cache"
    openblas_dir=$cache$multiarch/openblas-pthread
  fi
  if [[ -n $openblas_dir ]]; then
    torch_blas="OpenBLAS from $openblas_dir (LD_LIBRARY_PATH; the system's libblas.so.3 is $system_blas)"
  else
    torch_blas="the system's $system_blas (NOT OpenBLAS: flatters ebprop; rerun with --fetch-openblas)"
  fi
}

# torch_env THREADS: the environment of a PyTorch run, for `env`.
torch_env() {
  local libs=${LD_LIBRARY_PATH:-}
  [[ -n $openblas_dir ]] && libs=$openblas_dir${libs:+:$libs}
  echo "LD_LIBRARY_PATH=$libs" "OMP_WAIT_POLICY=passive" "OPENBLAS_NUM_THREADS=$1"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# wait_for_quiet: before a measured block, waits while the 1-minute load average is above
# BENCH_MAX_LOAD (default 1.5), polling every 20 s for at most BENCH_MAX_WAIT seconds (default
# 600), then goes on anyway. Prints what it found and waited.
wait_for_quiet() {
  local max=${BENCH_MAX_LOAD:-1.5} limit=${BENCH_MAX_WAIT:-600} waited=0 first
  first=$(load1)
  while awk -v l="$(load1)" -v m="$max" 'BEGIN { exit !(l > m) }'; do
    if ((waited >= limit)); then
      echo "  (load $(load1) still above $max after waiting ${waited} s: measuring anyway)"
      return 0
    fi
    sleep 20
    waited=$((waited + 20))
  done
  if ((waited > 0)); then
    echo "  (load was $first: waited ${waited} s; now $(load1))"
  else
    echo "  (load $first)"
  fi
}

# build_bench_tools EBPROP-BUILD: configures bench/build (bench/CMakeLists.txt) against that build
# of ebprop once, then brings its programs up to date (curvature-bench, floor, dlib-nets when dlib
# is found, ...); quiet unless something fails.
build_bench_tools() {
  local here log
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  log=$(mktemp)
  if [[ ! -e $here/build/CMakeCache.txt ]]; then
    echo "Configuring $here/build against $1 ..."
    cmake -S "$here" -B "$here/build" -DEBPROP_BUILD="$1" -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1 ||
      { cat "$log" >&2; rm -f "$log"; return 1; }
  fi
  cmake --build "$here/build" -j2 >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
  rm -f "$log"
}

# peak_rss FILE COMMAND...: runs COMMAND under /usr/bin/time, which writes the command's peak
# resident memory (KiB) to FILE; the command's stdout and exit status pass through.
peak_rss() {
  local file=$1
  shift
  /usr/bin/time -f %M -o "$file" "$@"
}

# require_ebprop_and_fashion SCRIPT: exits with a message naming SCRIPT unless $ebprop_run is an
# executable and $data holds the four Fashion-MNIST files (plain or .gz).
require_ebprop_and_fashion() {
  if [[ ! -x $ebprop_run ]]; then
    echo "$1: $ebprop_run not found: build ebprop first (cmake --build build -j2)." >&2
    exit 1
  fi
  local f
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    if [[ ! -e $data/$f.gz && ! -e $data/$f ]]; then
      echo "$1: ${data}/${f}[.gz] not found: apt-get install dataset-fashion-mnist" >&2
      exit 1
    fi
  done
}

# slow_with_two PEER BATCH: whether round 1's 2-thread run of PEER at BATCH, recorded in $results
# by summarize.py, took more than twice its 1-thread run: such a configuration is not repeated
# (it cannot be the peer's fastest; on this shared 2-core virtual machine a second OpenMP thread
# that sleeps between parallel regions can cost 10-30x). two PEER BATCH: whether to run the
# 2-thread configuration in round $round.
slow_with_two() {  # peer batch
  "$py" - "$results" "$1" "$2" <<'EOF'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
t = {r["threads"]: r["seconds"] for r in runs if r["peer"] == sys.argv[2] and r["batch"] == int(sys.argv[3])}
sys.exit(0 if 1 in t and 2 in t and t[2] > 2 * t[1] else 1)
EOF
}
two() {  # peer batch
  ((round == 1)) || ! slow_with_two "$1" "$2"
}

# core_link WHEN: prints bench/build/core-link's line (core_link.cpp: how far apart the two cores
# are now, which decides what a two-thread figure means on a VM), prefixed by WHEN.
core_link() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  if [[ -x $here/build/core-link ]]; then
    echo "$1 $("$here/build/core-link")"
  else
    echo "$1 core link: not measured ($here/build/core-link not built)"
  fi
}
