#!/usr/bin/env bash
# ebprop against PyTorch (CPU) on one epoch of Fashion-MNIST, MLP 784-300-10: see bench/README.md.
#
#   bench/run.sh [--fetch-openblas] [--no-reference-blas]
#
#   --fetch-openblas     if no OpenBLAS is installed, download Debian's libopenblas0-pthread with
#                        `apt-get download` and unpack it (not install it) under
#                        ${XDG_CACHE_HOME:-~/.cache}/ebprop-bench, for PyTorch only (LD_LIBRARY_PATH)
#   --no-reference-blas  skip the informative PyTorch runs on the reference BLAS (saves ~1.5 min)
#
# Environment: EBPROP_RUN (default build/bin/ebprop-run), EBPROP_BENCH_OPENBLAS (a directory
# holding OpenBLAS's libblas.so.3, e.g. /usr/lib/x86_64-linux-gnu/openblas-pthread).
#
# Both peers run side by side in one invocation, interleaved round by round, because the
# machine's speed drifts: only the ratios mean anything. Takes about 4-6 minutes on 2 cores.
# Before each round it waits while the 1-minute load average is above BENCH_MAX_LOAD (1.5), for
# at most BENCH_MAX_WAIT seconds (600), and prints the load (bench/common.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
ebprop_run=${EBPROP_RUN:-$root/build/bin/ebprop-run}
graph=$here/fashion-mlp.graph
data=/usr/share/datasets/fashion-mnist
py=/usr/bin/python3   # Debian's interpreter, which has python3-torch (not a pyenv python3)
lr_online=0.001
lr_batch=0.01
# shellcheck source=bench/common.sh
source "$here/common.sh"   # wait_for_quiet

fetch_openblas=0
reference_blas=1
for arg in "$@"; do
  case $arg in
    --fetch-openblas) fetch_openblas=1 ;;
    --no-reference-blas) reference_blas=0 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

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
echo "ebprop vs PyTorch (CPU), MLP 784-300-10, one epoch of Fashion-MNIST (60,000), float32"
echo "date:     $(date '+%Y-%m-%d %H:%M %Z')"
echo "machine:  $cpu, $(nproc) cores, $mem; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ebprop:   $ebprop_run (commit $commit)"
echo "PyTorch:  $torch_version on $py, OMP_WAIT_POLICY=passive, BLAS: $torch_blas"
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
  "$ebprop_run" "$graph" --epochs 1 --batch "$1" --lr "$lr" --set "threads=$2" -q \
    --metrics "$work/metrics.jsonl" >/dev/null
  "$py" "$here/summarize.py" record "$results" ebprop eigen "$1" "$2" <"$work/metrics.jsonl"
}

torch() {  # variant(openblas|reference|system) batch threads
  local lr=$lr_online libs=${LD_LIBRARY_PATH:-}
  if (($2 > 1)); then lr=$lr_batch; fi
  if [[ $1 == openblas ]]; then libs=$openblas_dir${libs:+:$libs}; fi
  LD_LIBRARY_PATH=$libs OMP_WAIT_POLICY=passive OPENBLAS_NUM_THREADS=$3 \
    "$py" "$here/torch_mlp.py" --batch "$2" --threads "$3" --lr "$lr" --data-dir "$data" \
    | "$py" "$here/summarize.py" record "$results" pytorch "$1" "$2" "$3"
}

main_variant=system
if [[ -n $openblas_dir ]]; then main_variant=openblas; fi

start=$SECONDS
for round in 1 2 3; do
  echo "Round $round of 3:"
  wait_for_quiet
  ebprop 1 1
  ebprop 1 2
  if ((round <= 2)); then   # about 20-60 s an epoch: the faster of two runs
    torch "$main_variant" 1 1
    torch "$main_variant" 1 2
  fi
  ebprop 32 1
  ebprop 32 2
  torch "$main_variant" 32 1
  torch "$main_variant" 32 2
  if ((round == 2 && reference_blas)); then   # information only: one run each
    torch reference 1 1
    torch reference 32 1
  fi
done
echo "($((SECONDS - start)) s of runs; load average at end: $(cut -d' ' -f1-3 /proc/loadavg))"
echo

"$py" "$here/summarize.py" table "$results"
echo "Times are training seconds of the epoch (data loading, normalization and the test pass"
echo "excluded on both sides). s/epoch: median of 3 runs; PyTorch online: the faster of 2 runs."
echo "'reference' is PyTorch on the netlib reference BLAS, shown for information only."
