#!/bin/sh
# LeNet-5 on Fashion-MNIST with every η of the SDLM schedule doubled (seed 1), one run.
cd "$(dirname "$0")/../.." || exit 1
out=experiments/lenet/logs
build/bin/ebprop-run graphs/lenet5-fashion.graph -q \
    --opt schedule=1e-3,1e-3,4e-4,4e-4,4e-4,2e-4,2e-4,2e-4,1e-4,1e-4,1e-4,1e-4,2e-5 \
    --metrics $out/fashion-x2.jsonl > $out/fashion-x2.log 2>&1
