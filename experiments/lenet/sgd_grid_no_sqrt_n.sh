#!/bin/sh
# SGD on LeNet-5 with one global rate for every weight (the √n multipliers undone by
# lenet5-no-sqrt-n.graph): 4-pass runs at each rate, then 20 passes, seeds 1-3, at the rate given
# by $BEST if set. One run at a time.
cd "$(dirname "$0")/../.." || exit 1
out=experiments/lenet/logs
g=experiments/lenet/lenet5-no-sqrt-n.graph
[ $# -gt 0 ] || set -- 1e-3 3e-3 1e-2 3e-2
for lr in "$@"; do
  build/bin/ebprop-run $g -q --optimizer sgd --lr "$lr" --epochs 4 \
      --metrics $out/nosqrt-grid-$lr.jsonl > $out/nosqrt-grid-$lr.log 2>&1
done
if [ -n "$BEST" ]; then
  for seed in 1 2 3; do
    build/bin/ebprop-run $g -q --seed $seed --optimizer sgd --lr "$BEST" \
        --metrics $out/cmp-nosqrt-$BEST-s$seed.jsonl > $out/cmp-nosqrt-$BEST-s$seed.log 2>&1
  done
fi
