#!/bin/sh
# Every run behind docs/lenet.md, in the order they were made (2026-11-27, the SDLM runs again on 2026-12-02; 2 shared cores),
# one training at a time; metrics (one JSON line per pass) and logs in experiments/lenet/logs/.
# About 45 minutes in all when the machine is quiet. Tables: experiments/lenet/table.py.
cd "$(dirname "$0")/../.." || exit 1
L=experiments/lenet
out=$L/logs
mkdir -p $out
# Task 4: LeNet-5 out of the box on the bundled digits.
build/bin/ebprop-run graphs/lenet5.graph --metrics $out/lenet5-default.jsonl > $out/lenet5-default.log 2>&1
# Task 1: LeNet-1, the η scale of the schedule and the connection table.
$L/lenet1_sweep.sh
$L/lenet1_seeds.sh
# Task 2: LeNet-5 on Fashion-MNIST (60,000 + 10,000), about 8 minutes a run.
build/bin/ebprop-run graphs/lenet5-fashion.graph --metrics $out/fashion-default.jsonl > $out/fashion-default.log 2>&1
build/bin/ebprop-run graphs/lenet5-fashion.graph --seed 2 --metrics $out/fashion-s2.jsonl > $out/fashion-s2.log 2>&1
$L/fashion_x2.sh
# Task 3: SGD's rate (with and without the √n multipliers of shared weights), then SDLM
# against the best SGD settings over 20 passes and 3 seeds.
$L/sgd_grid.sh 1e-4 3e-4 1e-3 2e-3 3e-3 5e-3 1e-2
$L/compare.sh 2e-3 3e-3 3e-3:48
BEST=5e-3 $L/sgd_grid_no_sqrt_n.sh 1e-3 3e-3 5e-3 1e-2 3e-2
# Optional: the Euclidean RBF output layer.
$L/rbf.sh
