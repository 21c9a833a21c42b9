#!/bin/sh
# graphs/lenet1.graph as committed (1989 Table 1, SDLM schedule ×5), and the same with a full
# H2-H3 table (every H3 map reads all four H2 maps: 48 kernels, 3,278 parameters), seeds 1-3.
cd "$(dirname "$0")/../.." || exit 1
out=experiments/lenet/logs
sed 's/^\( *table=\).*/         table=""/; s#^dir    = ../data/mnist10k#dir    = ../../../data/mnist10k#' \
    graphs/lenet1.graph > $out/lenet1-full.graph
for seed in 1 2 3; do
  build/bin/ebprop-run graphs/lenet1.graph -q --seed $seed \
      --metrics $out/l1-table1-s$seed.jsonl > $out/l1-table1-s$seed.log 2>&1
  build/bin/ebprop-run $out/lenet1-full.graph -q --seed $seed \
      --metrics $out/l1-full-s$seed.jsonl > $out/l1-full-s$seed.log 2>&1
done
