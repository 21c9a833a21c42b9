#!/bin/sh
# LeNet-1 (graphs/lenet1.graph) on the bundled digits, seed 1, 20 passes: SDLM with LeNet-5's
# schedule (graphs/lenet5.graph) scaled by k = 1, 2, 5, 10, and the full H2-H3 table (48 kernels)
# instead of 1989's Table 1 at k = 1. One run at a time; logs in logs/.
cd "$(dirname "$0")/../.." || exit 1
run=build/bin/ebprop-run
out=experiments/lenet/logs
base="5e-4,5e-4,2e-4,2e-4,2e-4,1e-4,1e-4,1e-4,5e-5,5e-5,5e-5,5e-5,1e-5"
scale() { echo "$base" | tr ',' '\n' | awk -v k="$1" '{printf "%s%g", (NR>1?",":""), $1*k}'; }
for k in 1 2 5 10; do
  $run graphs/lenet1.graph -q --opt schedule="$(scale $k)" \
       --metrics $out/lenet1-x$k.jsonl > $out/lenet1-x$k.log 2>&1
done
# Full table: every H3 map reads all four H2 maps (48 kernels, 3,278 parameters).
sed 's/^\( *table=\).*/         table=""/; s#^dir    = ../data/mnist10k#dir    = ../../../data/mnist10k#' \
    graphs/lenet1.graph > $out/lenet1-full.graph
$run $out/lenet1-full.graph -q --opt schedule="$(scale 1)" \
     --metrics $out/lenet1-full-x1.jsonl > $out/lenet1-full-x1.log 2>&1
