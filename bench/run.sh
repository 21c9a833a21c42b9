#!/usr/bin/env bash
# ebprop against PyTorch (CPU) and dlib on one epoch of Fashion-MNIST, MLP 784-300-10, with the
# floors of issue 10: see bench/README.md.
#
#   bench/run.sh [--fetch-openblas] [--no-reference-blas] [--train-limit N] [--rounds R]
#
#   --fetch-openblas     if no OpenBLAS is installed, download Debian's libopenblas0-pthread with
#                        `apt-get download` and unpack it (not install it) under
#                        ${XDG_CACHE_HOME:-~/.cache}/ebprop-bench, for PyTorch only (LD_LIBRARY_PATH)
#   --no-reference-blas  skip the informative PyTorch runs on the reference BLAS (made only when
#                        the system's libblas.so.3 is the reference one; saves ~1.5 min)
#   --train-limit N      train on the first N examples only, every peer and floor (default: all)
#   --rounds R           rounds (default 3); a configuration's time is the median of its runs,
#                        except batch-1 PyTorch and dlib (20-100 s an epoch), run in the first two
#                        rounds only, the faster counting
#
# Peers: ebprop-run bench/fashion-mlp.graph, bench/torch_mlp.py, dlib-nets mlp (bench/dlib_nets.cpp),
# each with 1 and 2 threads (a 2-thread dlib configuration over twice as slow as its 1-thread one
# in round 1 is not repeated). Floors (bench/floor.cpp): the online kernels (1 thread), the GEMMs
# of a batch-32 step and the GEMM ceiling (1 and 2 threads each). Every peer's peak resident memory
# is measured by /usr/bin/time. bench/build (floor, dlib-nets) is built first when out of date.
#
# Environment: EBPROP_RUN (default build/bin/ebprop-run), EBPROP_BUILD (the build bench/build
# links, default build/), EBPROP_BENCH_OPENBLAS (a directory holding OpenBLAS's libblas.so.3).
#
# Everything runs side by side in one invocation, interleaved round by round, because the
# machine's speed drifts: only the ratios mean anything. About 8-10 minutes on 2 quiet cores;
# `--train-limit 6000 --rounds 2` about 2 minutes. Before each round it waits while the 1-minute
# load average is above BENCH_MAX_LOAD (1.5), for at most BENCH_MAX_WAIT seconds (600), and prints
# the load (bench/common.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
ebprop_run=${EBPROP_RUN:-$root/build/bin/ebprop-run}
build=${EBPROP_BUILD:-$root/build}
graph=$here/fashion-mlp.graph
data=/usr/share/datasets/fashion-mnist
py=/usr/bin/python3   # Debian's interpreter, which has python3-torch (not a pyenv python3)
lr_online=0.001
lr_batch=0.01
# shellcheck source=bench/common.sh
source "$here/common.sh"   # wait_for_quiet, build_bench_tools, peak_rss, two

fetch_openblas=0
reference_blas=1
limit=0
rounds=3
while (($#)); do
  case $1 in
    --fetch-openblas) fetch_openblas=1 ;;
    --no-reference-blas) reference_blas=0 ;;
    --train-limit) limit=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
examples=60000
if ((limit > 0 && limit < 60000)); then examples=$limit; fi

# --- Prerequisites -------------------------------------------------------------------------------
if [[ ! -x $ebprop_run ]]; then
  echo "run.sh: $ebprop_run not found. Build ebprop first, from $root:" >&2
  echo "  cmake -S . -B build && cmake --build build -j2     (see README.md for the packages)" >&2
  exit 1
fi
missing=()
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [[ -e $data/$f.gz || -e $data/$f ]] || missing+=("$data/$f.gz")
done
if ((${#missing[@]})); then
  echo "run.sh: Fashion-MNIST not found (${missing[*]})." >&2
  echo "  apt-get install dataset-fashion-mnist python3-torch" >&2
  exit 1
fi
if [[ ! -x $py ]] || ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "run.sh: $py with torch and numpy not found." >&2
  echo "  apt-get install dataset-fashion-mnist python3-torch" >&2
  exit 1
fi

[[ -x /usr/bin/time ]] || { echo "run.sh: /usr/bin/time not found: apt-get install time" >&2; exit 1; }
build_bench_tools "$build"
floor=$here/build/floor
dlib=$here/build/dlib-nets

# --- Which BLAS PyTorch gets -------------------------------------------------------------------
# Debian's python3-torch calls whatever libblas.so.3 the system provides. With only libblas3 (the
# netlib reference BLAS, what a --no-install-recommends install gets) its matrix products are an
# order of magnitude slower than with OpenBLAS (which libtorch recommends). PyTorch's fastest
# setting is what counts, so PyTorch runs on OpenBLAS when one can be found, and the reference
# BLAS is measured once per workload for information only.
multiarch=/usr/lib/x86_64-linux-gnu
system_blas=$(readlink -f "$multiarch/libblas.so.3" 2>/dev/null || echo "none")
openblas_dir=""
if [[ $system_blas == *openblas* ]]; then
  reference_blas=0   # the system's BLAS is OpenBLAS already: nothing to add
else
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/ebprop-bench/openblas
  for d in "${EBPROP_BENCH_OPENBLAS:-}" "$multiarch/openblas-pthread" "$multiarch/openblas-openmp" \
           "$cache$multiarch/openblas-pthread"; do
    if [[ -n $d && -e $d/libblas.so.3 ]]; then openblas_dir=$d; break; fi
  done
  if [[ -z $openblas_dir && $fetch_openblas == 1 ]]; then
    echo "Fetching Debian's libopenblas0-pthread into $cache (unpacked, not installed)..."
    mkdir -p "$cache"
    (cd "$cache" && rm -f ./*.deb && apt-get download -q libopenblas0-pthread 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    deb=$(ls "$cache"/libopenblas0-pthread_*.deb 2>/dev/null | head -n 1 || true)
    [[ -n $deb ]] || { echo "run.sh: apt-get download libopenblas0-pthread failed" >&2; exit 1; }
    dpkg -x "$deb" "$cache"
    openblas_dir=$cache$multiarch/openblas-pthread
  fi
fi
if [[ $system_blas == *openblas* ]]; then
  torch_blas="system OpenBLAS ($system_blas)"
elif [[ -n $openblas_dir ]]; then
  torch_blas="OpenBLAS from $openblas_dir (LD_LIBRARY_PATH; the system's libblas.so.3 is $system_blas)"
else
  torch_blas="the system's $system_blas (reference BLAS)"
  reference_blas=0   # it is already the main PyTorch configuration
fi

# --- Header -------------------------------------------------------------------------------------
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$root" diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
torch_version=$("$py" -c 'import torch; print(torch.__version__)')
echo "ebprop vs PyTorch (CPU) and dlib, MLP 784-300-10, one epoch of Fashion-MNIST ($examples examples), float32"
echo "date:     $(date '+%Y-%m-%d %H:%M %Z')"
echo "machine:  $cpu, $(nproc) cores, $mem; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
core_link "machine: "
echo "ebprop:   $ebprop_run (commit $commit)"
echo "PyTorch:  $torch_version on $py, OMP_WAIT_POLICY=passive, BLAS: $torch_blas"
if [[ -x $dlib ]]; then
  echo "dlib:     $dlib, dlib $(dpkg-query -W -f '${Version}' libdlib-dev 2>/dev/null) on the BLAS libdlib links ($(ldd "$dlib" | grep -o 'lib[a-z]*blas[^ ]*' | sort -u | paste -sd ' ')), OPENBLAS_NUM_THREADS=threads"
else
  echo "dlib:     not built (dlib's CMake package not found: apt-get install libdlib-dev): no dlib peer"
fi
echo "floors:   $floor (Eigen, float)"
echo "lr:       $lr_online online, $lr_batch mini-batch (the mean loss of the batch)"
if [[ -z $openblas_dir && $system_blas != *openblas* ]]; then
  echo "WARNING:  no OpenBLAS found: PyTorch runs on the reference BLAS, which flatters ebprop."
  echo "          apt-get install libopenblas0-pthread, or rerun with --fetch-openblas."
fi
echo

# --- Runs ---------------------------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results.jsonl
: >"$results"

ebprop() {  # batch threads
  local lr=$lr_online
  if (($1 > 1)); then lr=$lr_batch; fi
  rm -f "$work/metrics.jsonl"
  peak_rss "$work/rss" "$ebprop_run" "$graph" --epochs 1 --batch "$1" --lr "$lr" --set "threads=$2" \
    --set "train-limit=$limit" -q --metrics "$work/metrics.jsonl" >/dev/null
  "$py" "$here/summarize.py" record "$results" ebprop eigen "$1" "$2" "$work/rss" <"$work/metrics.jsonl"
}

torch() {  # variant(openblas|reference|system) batch threads
  local lr=$lr_online libs=${LD_LIBRARY_PATH:-}
  if (($2 > 1)); then lr=$lr_batch; fi
  if [[ $1 == openblas ]]; then libs=$openblas_dir${libs:+:$libs}; fi
  LD_LIBRARY_PATH=$libs OMP_WAIT_POLICY=passive OPENBLAS_NUM_THREADS=$3 \
    peak_rss "$work/rss" "$py" "$here/torch_mlp.py" --batch "$2" --threads "$3" --lr "$lr" \
    --train-limit "$limit" --data-dir "$data" \
    | "$py" "$here/summarize.py" record "$results" pytorch "$1" "$2" "$3" "$work/rss"
}

dlib() {  # batch threads
  [[ -x $dlib ]] || return 0
  local lr=$lr_online
  if (($1 > 1)); then lr=$lr_batch; fi
  OMP_WAIT_POLICY=passive OPENBLAS_NUM_THREADS=$2 peak_rss "$work/rss" "$dlib" mlp --batch "$1" \
    --threads "$2" --lr "$lr" --train-limit "$limit" --data-dir "$data" \
    | "$py" "$here/summarize.py" record "$results" dlib system "$1" "$2" "$work/rss"
}

floors() {  # mode(online|batch|gemm) batch threads
  local size=(--examples "$examples" --batch "$2")
  [[ $1 == gemm ]] && size=()
  "$floor" "$1" "${size[@]}" --threads "$3" --reps 3 \
    | "$py" "$here/summarize.py" record "$results" floor "$1" "$2" "$3"
}


main_variant=system
if [[ -n $openblas_dir ]]; then main_variant=openblas; fi

start=$SECONDS
for ((round = 1; round <= rounds; ++round)); do
  echo "Round $round of $rounds:"
  wait_for_quiet
  ebprop 1 1
  ebprop 1 2
  if ((round <= 2)); then   # 20-100 s an epoch: the faster of two runs
    torch "$main_variant" 1 1
    torch "$main_variant" 1 2
    dlib 1 1
    if two dlib 1; then dlib 1 2; fi
  fi
  floors online 1 1
  ebprop 32 1
  ebprop 32 2
  torch "$main_variant" 32 1
  torch "$main_variant" 32 2
  dlib 32 1
  if two dlib 32; then dlib 32 2; fi
  floors batch 32 1
  floors batch 32 2
  floors gemm 0 1   # the ceiling: batch 0 in the tables
  floors gemm 0 2
  if ((round == 2 && reference_blas)); then   # information only: one run each
    torch reference 1 1
    torch reference 32 1
  fi
done
echo "($((SECONDS - start)) s of runs; load average at end: $(cut -d' ' -f1-3 /proc/loadavg))"
core_link "at end:"
echo

"$py" "$here/summarize.py" table "$results" mlp "$examples"
echo "Times are training seconds of the epoch (data loading, normalization and the test pass"
echo "excluded for every peer). s/epoch: median of the runs; PyTorch and dlib online: the faster"
echo "of 2. Peak RSS: /usr/bin/time's maximum resident set size of the whole process (data and"
echo "interpreter included). 'reference' is PyTorch on the netlib reference BLAS, for information."
