#!/usr/bin/env bash
# ebprop against PyTorch (CPU) and dlib on LeNet-5: one epoch of Fashion-MNIST through
# graphs/lenet5.graph, trained by SGD, batch 1 and 32, with the GEMM ceiling. See bench/README.md.
#
#   bench/lenet5.sh [--fetch-openblas] [--train-limit N] [--rounds R]
#
#   --fetch-openblas  as run.sh: PyTorch on Debian's OpenBLAS, unpacked under ~/.cache/ebprop-bench
#   --train-limit N   train on the first N examples only, every peer (default: all 60,000)
#   --rounds R        runs per configuration, whose median counts (default 3)
#
# ebprop: build/bin/ebprop-run graphs/lenet5.graph --optimizer sgd --lr LR (the graph's SDLM
# replaced by plain SGD without momentum) on /usr/share/datasets/fashion-mnist. PyTorch:
# bench/torch_lenet5.py, the same network written the usual way. dlib: dlib-nets lenet5
# (bench/dlib_nets.cpp; C3 fully connected, as dlib's con has no connection table). The update is
# the same for all: ebprop's SGD multiplies the rate of a weight shared by n connections by √n
# (§4.7) when `ebprop-run --describe` says so ("SGD rate ×"), and the other peers then do the same
# (--shared-lr sqrt). Rates: 0.001 online, 0.01 for batch 32 (on the batch's mean loss).
# Every peer runs with 1 and 2 threads and OMP_WAIT_POLICY=passive, interleaved round by round; a
# 2-thread configuration more than twice as slow as its 1-thread one in round 1 is not repeated.
# Each round also measures the GEMM ceiling (bench/floor.cpp gemm, 1 and 2 threads), against which
# ebprop's GFLOP/s (LeNet-5's multiply-adds from its layer sizes, bench/summarize.py) are given.
# Every peer's peak resident memory is measured by /usr/bin/time. bench/build (floor, dlib-nets)
# is built first when out of date.
#
# Environment: EBPROP_RUN (default build/bin/ebprop-run), EBPROP_BUILD (the build bench/build
# links, default build/), BENCH_MAX_LOAD (1.5) and BENCH_MAX_WAIT (600 s): before each round the
# script waits while the 1-minute load average is above BENCH_MAX_LOAD, for at most
# BENCH_MAX_WAIT seconds. About 20-25 minutes on 2 cores, most of it the batch-1 runs and round
# 1's 2-thread runs; `--train-limit 3000 --rounds 2` about 3 minutes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
ebprop_run=${EBPROP_RUN:-$root/build/bin/ebprop-run}
build=${EBPROP_BUILD:-$root/build}
graph=$root/graphs/lenet5.graph
data=/usr/share/datasets/fashion-mnist
py=/usr/bin/python3
lr_online=0.001
lr_batch=0.01
# shellcheck source=bench/common.sh
source "$here/common.sh"

fetch=0 limit=0 rounds=3
while (($#)); do
  case $1 in
    --fetch-openblas) fetch=1 ;;
    --train-limit) limit=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "lenet5.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# --- Prerequisites -------------------------------------------------------------------------------
require_ebprop_and_fashion lenet5.sh
if [[ ! -x $py ]] || ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "lenet5.sh: $py with torch and numpy not found (apt-get install python3-torch)." >&2
  exit 1
fi
[[ -x /usr/bin/time ]] || { echo "lenet5.sh: /usr/bin/time not found: apt-get install time" >&2; exit 1; }
build_bench_tools "$build"
floor=$here/build/floor
dlib=$here/build/dlib-nets
openblas_dir="" torch_blas=""
find_openblas "$fetch"
# Does ebprop's SGD multiply shared weights' rates by √connections? `--describe` says so, as
# "(SGD rate ×28.00)" (commit cbb491d), "rate ×28 (sgd, adaptive)" (commit ec222c8) or
# "rate ×28 (global-rate optimizers), ×1 (per-weight-rate optimizers)" (SGD has a global rate).
shared_lr=none
if "$ebprop_run" "$graph" --describe --optimizer sgd 2>/dev/null |
    grep -Eq 'SGD rate ×|rate ×[0-9.]+ \([^)]*sgd|rate ×[0-9.]*[02-9][0-9.]* \(global-rate'; then
  shared_lr=sqrt
fi

# --- Header -------------------------------------------------------------------------------------
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
examples=60000
if ((limit > 0 && limit < 60000)); then examples=$limit; fi
echo "ebprop vs PyTorch (CPU) and dlib, LeNet-5 (graphs/lenet5.graph), one epoch of Fashion-MNIST ($examples examples), float32, SGD"
echo "date:     $(date '+%Y-%m-%d %H:%M %Z')"
echo "machine:  $cpu, $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
core_link "machine: "
echo "ebprop:   $ebprop_run (built $(date -r "$ebprop_run" '+%H:%M:%S'), HEAD $commit)"
echo "PyTorch:  $("$py" -c 'import torch; print(torch.__version__)') on $py, BLAS: $torch_blas"
if [[ -x $dlib ]]; then
  echo "dlib:     $dlib, dlib $(dpkg-query -W -f '${Version}' libdlib-dev 2>/dev/null), OPENBLAS_NUM_THREADS=threads; C3 fully connected"
else
  echo "dlib:     not built (dlib's CMake package not found: apt-get install libdlib-dev): no dlib peer"
fi
echo "update:   plain SGD, lr $lr_online online, $lr_batch mini-batch (mean loss);" \
     "shared weights' rate x sqrt(connections): $([[ $shared_lr == sqrt ]] && echo "yes, every peer" || echo "no, no peer")"
echo "threads:  1 and 2 for every peer, OMP_WAIT_POLICY=passive for all"
echo

# --- Runs ---------------------------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results.jsonl
: >"$results"
variant=openblas
[[ -n $openblas_dir ]] || variant=system

ebprop() {  # batch threads
  local lr=$lr_online
  (($1 > 1)) && lr=$lr_batch
  rm -f "$work/metrics.jsonl"
  OMP_WAIT_POLICY=passive peak_rss "$work/rss" "$ebprop_run" "$graph" --optimizer sgd --lr "$lr" \
    --epochs 1 --batch "$1" --threads "$2" --data-dir "$data" --set "train-limit=$limit" -q \
    --metrics "$work/metrics.jsonl" >/dev/null
  "$py" "$here/summarize.py" record "$results" ebprop eigen "$1" "$2" "$work/rss" <"$work/metrics.jsonl"
}

torch() {  # batch threads
  local lr=$lr_online
  (($1 > 1)) && lr=$lr_batch
  # shellcheck disable=SC2046
  env $(torch_env "$2") /usr/bin/time -f %M -o "$work/rss" "$py" "$here/torch_lenet5.py" \
    --batch "$1" --threads "$2" --lr "$lr" --shared-lr "$shared_lr" --train-limit "$limit" \
    --data-dir "$data" | "$py" "$here/summarize.py" record "$results" pytorch "$variant" "$1" "$2" "$work/rss"
}

dlib() {  # batch threads
  local lr=$lr_online
  (($1 > 1)) && lr=$lr_batch
  OMP_WAIT_POLICY=passive OPENBLAS_NUM_THREADS=$2 peak_rss "$work/rss" "$dlib" lenet5 \
    --batch "$1" --threads "$2" --lr "$lr" --shared-lr "$shared_lr" --train-limit "$limit" \
    --data-dir "$data" | "$py" "$here/summarize.py" record "$results" dlib system "$1" "$2" "$work/rss"
}

ceiling() {  # threads
  "$floor" gemm --threads "$1" --reps 3 | "$py" "$here/summarize.py" record "$results" floor gemm 0 "$1"
}


start=$SECONDS
for ((round = 1; round <= rounds; ++round)); do
  echo "Round $round of $rounds:"
  wait_for_quiet
  ebprop 1 1
  if two ebprop 1; then ebprop 1 2; fi
  torch 1 1
  if two pytorch 1; then torch 1 2; fi
  ebprop 32 1
  if two ebprop 32; then ebprop 32 2; fi
  torch 32 1
  if two pytorch 32; then torch 32 2; fi
  if [[ -x $dlib ]]; then
    dlib 1 1
    if two dlib 1; then dlib 1 2; fi
    dlib 32 1
    if two dlib 32; then dlib 32 2; fi
  fi
  ceiling 1
  ceiling 2
done
echo "($((SECONDS - start)) s of runs; load average at end: $(cut -d' ' -f1-3 /proc/loadavg))"
core_link "at end:"
echo

"$py" "$here/tables.py" lenet5 "$results" "$examples"
echo "Times are training seconds of the epoch ($examples examples; data loading, normalization and"
echo "the test pass excluded for every peer), median of the runs made ($rounds rounds; a 2-thread"
echo "configuration over twice as slow as its 1-thread one in round 1 was not repeated). Peak RSS:"
echo "/usr/bin/time's maximum resident set size of the whole process (data and interpreter included)."
