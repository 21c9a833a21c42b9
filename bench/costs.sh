#!/usr/bin/env bash
# ebprop's costs against its own baselines (issue 10): an SDLM step against an SGD step, a
# full-batch gradient against the same examples in mini-batches, and 2 threads against 1 at
# large batches. See bench/README.md.
#
#   bench/costs.sh [--train-limit N] [--rounds R] [--examples N]
#
#   --train-limit N  ebprop-run trains on the first N Fashion-MNIST examples (default: all 60,000)
#   --rounds R       runs of every ebprop-run configuration, interleaved, whose median counts
#                    (default 3); also the blocks of the full-batch measurement
#   --examples N     random examples of the full-batch measurement (default 60,000)
#
# 1. SDLM against SGD (bench/fashion-mlp.graph, batch 1 and 32, 1 thread, ebprop-run's training
#    seconds of one epoch): --optimizer sgd; --optimizer sdlm --opt samples=1, whose epoch is its
#    steps alone (the diagonal estimated on 1 example); --optimizer sdlm as trained (samples=500,
#    §9.1: the estimate before the epoch included), for information. Aim: SDLM step <= 1.15x SGD.
# 2. Full batch against mini-batches: curvature-bench fullbatch bench/fashion-mlp.graph (engine API):
#    GraphObjective::gradient(Batch::all()) over N random examples in chunks of 256 (what
#    ebprop-run's batch optimizers evaluate) against one epoch of the same N examples in SGD steps
#    of 256; 1 and 2 threads. Aim: full batch <= 1.1x.
# 3. 2 threads against 1 (ebprop-run, SGD): the MLP at batch 256 and 1024, LeNet-5
#    (graphs/lenet5.graph) at batch 128. Aim (issue 10, batch >= 32): >= 1.6x.
#
# Environment: EBPROP_RUN (default build/bin/ebprop-run), EBPROP_BUILD (default build/: the build
# bench/build links), BENCH_MAX_LOAD (1.5) and BENCH_MAX_WAIT (600 s) as in the other scripts
# (bench/common.sh). About 4-6 minutes on 2 quiet cores; `--train-limit 6000 --examples 12800
# --rounds 2` under a minute.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
ebprop_run=${EBPROP_RUN:-$root/build/bin/ebprop-run}
build=${EBPROP_BUILD:-$root/build}
mlp=$here/fashion-mlp.graph
lenet5=$root/graphs/lenet5.graph
data=/usr/share/datasets/fashion-mnist
py=/usr/bin/python3
# shellcheck source=bench/common.sh
source "$here/common.sh"

limit=0 rounds=3 full_examples=60000
while (($#)); do
  case $1 in
    --train-limit) limit=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --examples) full_examples=$2; shift ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "costs.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

require_ebprop_and_fashion costs.sh
build_bench_tools "$build"
prog=$here/build/curvature-bench

examples=60000
if ((limit > 0 && limit < 60000)); then examples=$limit; fi
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "ebprop's costs: SDLM vs SGD, full batch vs mini-batches, 2 threads vs 1"
echo "date:     $(date '+%Y-%m-%d %H:%M %Z')"
echo "machine:  $cpu, $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
core_link "machine: "
echo "ebprop:   $ebprop_run (built $(date -r "$ebprop_run" '+%H:%M:%S'), HEAD $commit), $prog"
echo "data:     ebprop-run on $examples Fashion-MNIST examples; full batch on $full_examples random examples"
echo

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/results.jsonl
: >"$results"

run() {  # label graph batch threads [ebprop-run options...]: one epoch, recorded under label
  local label=$1 graph=$2 batch=$3 threads=$4
  shift 4
  rm -f "$work/metrics.jsonl"
  OMP_WAIT_POLICY=passive "$ebprop_run" "$graph" --epochs 1 --batch "$batch" --threads "$threads" \
    --data-dir "$data" --set "train-limit=$limit" -q --metrics "$work/metrics.jsonl" "$@" >/dev/null
  "$py" "$here/tables.py" record-run "$results" "$label" "$batch" "$threads" <"$work/metrics.jsonl"
}

start=$SECONDS
for ((round = 1; round <= rounds; ++round)); do
  echo "Round $round of $rounds:"
  wait_for_quiet
  for batch in 1 32; do
    run sgd "$mlp" "$batch" 1 --optimizer sgd --lr 0.001
    run sdlm-step "$mlp" "$batch" 1 --optimizer sdlm --lr 0.0005 --opt samples=1
    run sdlm-500 "$mlp" "$batch" 1 --optimizer sdlm --lr 0.0005
  done
  for batch in 256 1024; do
    for threads in 1 2; do run mlp "$mlp" "$batch" "$threads" --optimizer sgd --lr 0.01; done
  done
  for threads in 1 2; do run lenet5 "$lenet5" 128 "$threads" --optimizer sgd --lr 0.01; done
done
echo "Full-batch gradient against mini-batches of 256 (curvature-bench fullbatch):"
for threads in 1 2; do
  wait_for_quiet
  OMP_WAIT_POLICY=passive "$prog" fullbatch "$mlp" --examples "$full_examples" --batch 256 \
    --blocks "$rounds" --threads "$threads" | "$py" "$here/tables.py" record "$results" ebprop
done
echo "($((SECONDS - start)) s of runs; load average at end: $(cut -d' ' -f1-3 /proc/loadavg))"
core_link "at end:"
echo

"$py" "$here/tables.py" costs "$results"
echo "ebprop-run's seconds: the training loop of one epoch (as in run.sh). Medians of $rounds runs."
