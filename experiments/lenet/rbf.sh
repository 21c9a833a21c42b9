#!/bin/sh
# LeNet-5 with the Euclidean RBF output (experiments/lenet/lenet5-rbf.graph), SDLM, 20 passes,
# seeds 1-3, one run at a time. Compare with logs/cmp-sdlm-s*.jsonl (the same net with ten stanh
# outputs under MSE).
cd "$(dirname "$0")/../.." || exit 1
out=experiments/lenet/logs
for seed in 1 2 3; do
  build/bin/ebprop-run experiments/lenet/lenet5-rbf.graph -q --seed $seed \
      --metrics $out/rbf-s$seed.jsonl > $out/rbf-s$seed.log 2>&1
done
