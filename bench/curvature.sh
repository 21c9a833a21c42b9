#!/usr/bin/env bash
# The cost of curvature in ebprop (issue "Second-order information"): see bench/README.md.
#
#   bench/curvature.sh [--fetch-openblas] [--blocks N] [--seconds S]
#
# 1. bbprop against bprop: Graph<float>::bbprop and ::bprop after fprop, timed by
#    bench/build/curvature-bench on random data, for the MLP 784-300-10 (bench/fashion-mlp.graph)
#    and LeNet-5 (graphs/lenet5.graph), batch 1 and 32, 1 thread. Aim: bbprop <= 1.1x bprop.
# 2. An exact Hessian-vector product against a gradient, MLP 784-300-10, batch 128, float64:
#    ebprop's R-operator passes (Graph<double>::hessian_vector after fprop + bprop) and PyTorch's
#    double backward (bench/torch_curvature.py), each peer with 1 and 2 threads; the ratios
#    HVP / gradient side by side. Aims: HVP <= 2x a gradient, and faster than PyTorch's.
#
#   --fetch-openblas  as run.sh: PyTorch on Debian's OpenBLAS, unpacked under ~/.cache/ebprop-bench
#   --blocks N        blocks per measurement, whose median is reported (default 3)
#   --seconds S       length of one block (default 1)
#
# Environment: EBPROP_BUILD (default build/), BENCH_MAX_LOAD (1.5) and BENCH_MAX_WAIT (600 s):
# before each measurement the script waits while the 1-minute load average is above
# BENCH_MAX_LOAD, for at most BENCH_MAX_WAIT seconds. About 1-2 minutes on a quiet machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${EBPROP_BUILD:-$root/build}
py=/usr/bin/python3
bench_build=$here/build
prog=$bench_build/curvature-bench
# shellcheck source=bench/common.sh
source "$here/common.sh"

fetch=0 blocks=3 seconds=1
while (($#)); do
  case $1 in
    --fetch-openblas) fetch=1 ;;
    --blocks) blocks=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "curvature.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# --- Prerequisites -------------------------------------------------------------------------------
if [[ ! -e $build/lib/libebprop.so ]]; then
  echo "curvature.sh: $build/lib/libebprop.so not found: build ebprop first (cmake --build build)." >&2
  exit 1
fi
build_bench_tools "$build"   # bench/build up to date (common.sh)
if [[ ! -x $py ]] || ! "$py" -c 'import torch' 2>/dev/null; then
  echo "curvature.sh: $py with torch not found (apt-get install python3-torch)." >&2
  exit 1
fi
# shellcheck disable=SC2034  # openblas_dir is read by torch_env (common.sh)
openblas_dir="" torch_blas=""
find_openblas "$fetch"

# --- Header -------------------------------------------------------------------------------------
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "ebprop curvature passes against its gradient; exact HVP against PyTorch's double backward"
echo "date:     $(date '+%Y-%m-%d %H:%M %Z')"
echo "machine:  $cpu, $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ebprop:   $build/lib/libebprop.so (built $(date -r "$build/lib/libebprop.so.0.1.0" '+%H:%M:%S'), HEAD $commit), via $prog"
echo "PyTorch:  $("$py" -c 'import torch; print(torch.__version__)') on $py, OMP_WAIT_POLICY=passive, BLAS: $torch_blas"
echo "blocks:   $blocks of about $seconds s per measurement (median reported)"
echo

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results.jsonl
: >"$results"
start=$SECONDS

echo "bbprop against bprop (float, 1 thread):"
for graph in "$here/fashion-mlp.graph" "$root/graphs/lenet5.graph"; do
  for batch in 1 32; do
    wait_for_quiet
    OMP_WAIT_POLICY=passive "$prog" passes "$graph" --batch "$batch" --threads 1 \
      --blocks "$blocks" --seconds "$seconds" | "$py" "$here/tables.py" record "$results" ebprop
  done
done
echo
echo "Hessian-vector product against gradient (MLP 784-300-10, batch 128, double):"
for threads in 1 2; do
  wait_for_quiet
  OMP_WAIT_POLICY=passive "$prog" hvp "$here/fashion-mlp.graph" --batch 128 --threads "$threads" \
    --blocks "$blocks" --seconds "$seconds" | "$py" "$here/tables.py" record "$results" ebprop
  wait_for_quiet
  # shellcheck disable=SC2046
  env $(torch_env "$threads") "$py" "$here/torch_curvature.py" --batch 128 --threads "$threads" \
    --blocks "$blocks" --seconds "$seconds" | "$py" "$here/tables.py" record "$results" pytorch
done
echo "($((SECONDS - start)) s of runs; load average at end: $(cut -d' ' -f1-3 /proc/loadavg))"
echo

"$py" "$here/tables.py" curvature "$results"
echo "Random inputs (uniform in [-1, 1]) and ±1 one-of-n targets; Eq. 16 initial weights."
echo "ebprop's HVP = gradient (fprop, bprop) + R-passes (Graph::hessian_vector); PyTorch's ="
echo "forward + autograd.grad(create_graph=True) + autograd.grad of <g, v>."
