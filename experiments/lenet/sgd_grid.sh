#!/bin/sh
# Task 3, step 1: SGD's global rate on LeNet-5 (graphs/lenet5.graph, bundled digits), with the
# §4.7 √(connections) multipliers of shared weights (ebprop-run --describe shows them).
# Short runs (4 passes), one at a time. Usage: sgd_grid.sh [LR ...]
cd "$(dirname "$0")/../.." || exit 1
out=experiments/lenet/logs
[ $# -gt 0 ] || set -- 1e-4 3e-4 1e-3 3e-3 1e-2
for lr in "$@"; do
  build/bin/ebprop-run graphs/lenet5.graph -q --optimizer sgd --lr "$lr" --epochs 4 \
      --metrics $out/sgd-grid-$lr.jsonl > $out/sgd-grid-$lr.log 2>&1
done
