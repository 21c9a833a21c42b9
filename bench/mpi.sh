#!/usr/bin/env bash
# Data-parallel training on MPI (docs/mpi.md) on this machine: 1 and 2 ranks against one process
# with 2 threads, on the workloads of issue 12. See bench/README.md.
#
#   bench/mpi.sh [--rounds R] [--lenet-limit N]
#
# Workloads, SGD on Fashion-MNIST (/usr/share/datasets/fashion-mnist), one epoch each:
#   mlp-256, mlp-1024  bench/fashion-mlp.graph at global batch 256 and 1,024 (lr 0.01)
#   lenet5-128         graphs/lenet5.graph with SGD at batch 128 (lr 0.01), on the first N training
#                      examples (--lenet-limit, default 20000)
#   lbfgs              bench/fashion-mlp.graph, L-BFGS on the whole training set, 5 iterations
# Configurations: "2 threads" (one process, [run] threads = 2, the engine's plain sums: the
# reference), "2 threads, reproducible" (one process, [run] reproducible = true: the tree sums of
# an MPI run), "1 rank" and "2 ranks" (mpirun -np 1 / -np 2, one thread each). Time is the
# training time of the epoch as ebprop-run reports it (metrics "seconds"), the median of R rounds
# (default 3), the configurations interleaved round by round. Prints a table with the speed-up of
# each configuration over "2 threads", and the load average before each round.
#
# Environment: EBPROP_RUN (default build/bin/ebprop-run). About 4 minutes on 2 cores.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
ebprop_run=${EBPROP_RUN:-$root/build/bin/ebprop-run}
rounds=3
lenet_limit=20000
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --lenet-limit) lenet_limit=$2; shift 2 ;;
    *) echo "usage: bench/mpi.sh [--rounds R] [--lenet-limit N]" >&2; exit 2 ;;
  esac
done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

declare -A args=(
  [mlp-256]="$here/fashion-mlp.graph --epochs 1 --batch 256 --lr 0.01"
  [mlp-1024]="$here/fashion-mlp.graph --epochs 1 --batch 1024 --lr 0.01"
  [lenet5-128]="$root/graphs/lenet5.graph --epochs 1 --optimizer sgd --lr 0.01 --batch 128 --data-dir /usr/share/datasets/fashion-mnist --set train-limit=$lenet_limit"
  [lbfgs]="$here/fashion-mlp.graph --optimizer lbfgs --epochs 5"
)
workloads=(mlp-256 mlp-1024 lenet5-128 lbfgs)
configs=("2 threads" "2 threads, reproducible" "1 rank" "2 ranks")

echo "bench/mpi.sh $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(mpirun --version | head -1), commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo '+changes')"
for ((round = 1; round <= rounds; ++round)); do
  echo "round $round: load $(cut -d' ' -f1-3 /proc/loadavg)"
  for w in "${workloads[@]}"; do
    for c in "${configs[@]}"; do
      metrics="$scratch/${w}.${c// /_}.$round.jsonl"
      # shellcheck disable=SC2086  # args are words
      case $c in
        "2 threads") "$ebprop_run" ${args[$w]} -q --set threads=2 --metrics "$metrics" > /dev/null ;;
        "2 threads, reproducible") "$ebprop_run" ${args[$w]} -q --set threads=2 --set reproducible=true --metrics "$metrics" > /dev/null ;;
        "1 rank") mpirun -np 1 "$ebprop_run" ${args[$w]} -q --metrics "$metrics" > /dev/null ;;
        "2 ranks") mpirun -np 2 "$ebprop_run" ${args[$w]} -q --metrics "$metrics" > /dev/null ;;
      esac
    done
  done
done
python3 - "$scratch" "$rounds" "${workloads[@]}" << 'PY'
import json, statistics, sys, os
scratch, rounds, workloads = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
configs = ["2 threads", "2 threads, reproducible", "1 rank", "2 ranks"]
def seconds(w, c, r):
    lines = open(os.path.join(scratch, f"{w}.{c.replace(' ', '_')}.{r}.jsonl")).read().split("\n")
    return sum(json.loads(l)["seconds"] for l in lines if l.strip())
print("| workload | " + " | ".join(configs) + " |")
print("| --- |" + " ---: |" * len(configs))
for w in workloads:
    med = {c: statistics.median(seconds(w, c, r) for r in range(1, rounds + 1)) for c in configs}
    ref = med["2 threads"]
    print(f"| {w} | " + " | ".join(f"{med[c]:.3f} s ({ref / med[c]:.2f}×)" for c in configs) + " |")
PY
