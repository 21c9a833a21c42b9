#!/usr/bin/env bash
# Fig. 24 and Fig. 26 of Efficient BackProp on the paper's own shared-weight network
# (experiments/paper-net.graph: 1024 × 1568 × 392 × 400 × 100 × 10 units, 64,638 connections,
# 1,278 free parameters, counted by --describe below), on 1,000 of the bundled digits:
#   Fig. 24  the online λmax estimate (Eq. 64) against the number of presentations, at the
#            initial weights and after one epoch (fig24-online-lambda.sh on this graph);
#   Fig. 26  the training MSE after 1, 2, 5 and 10 epochs against η / η_opt
#            (fig25-eta-ratio.sh on this graph and 1,000 digits).
#
#   experiments/fig24-26-paper-net.sh   # → out/experiments/fig24-paper-net/, fig26-paper-net/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run
echo "== the network's counts (paper: 64,638 connections, 1,278 free parameters)"
"$BIN/ebprop-run" "$HERE/paper-net.graph" --describe | grep -E "^parameters|^connections"
GRAPH="$HERE/paper-net.graph" NAME=fig24-paper-net LABEL=shared-weight \
  "$HERE/fig24-online-lambda.sh"
GRAPH="$HERE/paper-net.graph" N=1000 NAME=fig26-paper-net FIG=26 LABEL=shared-weight \
  "$HERE/fig25-eta-ratio.sh"
