#!/bin/sh
# Task 3, step 2: SDLM (the graph's own schedule) against SGD, 20 passes each on LeNet-5
# (graphs/lenet5.graph, bundled digits), seeds 1-3, one run at a time.
# Usage: compare.sh SPEC [SPEC ...], SPEC = LR (constant rate) or LR:C (rate min(LR, C/t), Eq. 12).
cd "$(dirname "$0")/../.." || exit 1
out=experiments/lenet/logs
for seed in 1 2 3; do
  build/bin/ebprop-run graphs/lenet5.graph -q --seed $seed \
      --metrics $out/cmp-sdlm-s$seed.jsonl > $out/cmp-sdlm-s$seed.log 2>&1
  for spec in "$@"; do
    lr=${spec%%:*}; anneal=0; [ "$spec" != "$lr" ] && anneal=${spec#*:}
    build/bin/ebprop-run graphs/lenet5.graph -q --seed $seed --optimizer sgd --lr "$lr" \
        --opt anneal="$anneal" \
        --metrics $out/cmp-sgd-$lr-a$anneal-s$seed.jsonl > $out/cmp-sgd-$lr-a$anneal-s$seed.log 2>&1
  done
done
