#!/usr/bin/env bash
# Fig. 19-20 of Efficient BackProp: the eigenvalue spectrum of the Hessian of a small net trained
# on the digits. The net (experiments/digits-small.graph) max-pools the 28×28 digits to 14×14
# (no parameters) and is then 196-20-10 with stanh units and MSE: 4,150 weights, small enough for
# the full spectrum (ebprop-hessian --spectrum refuses more than 5,000). It is trained for 10
# epochs of online SGD (η = 0.001, 8,000 digits, seed 1); then the exact Hessian of the mean loss
# over the first 1,000 training digits is formed and diagonalised.
#
#   experiments/fig19-spectrum.sh        # → out/experiments/fig19-spectrum/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-hessian ebprop-plot
O="$(outdir fig19-spectrum)"
GRAPH="$HERE/digits-small.graph"
EPOCHS=10
SAMPLES=1000

echo "== training the 196-20-10 net for $EPOCHS epochs"
"$BIN/ebprop-run" "$GRAPH" --epochs $EPOCHS --lr 0.001 --seed 1 --save "$O/trained.w" \
  --metrics "$O/training.jsonl" -q
echo "== full spectrum of the Hessian over $SAMPLES digits (about a minute)"
"$BIN/ebprop-hessian" "$GRAPH" --load "$O/trained.w" --samples $SAMPLES --estimators power \
  --spectrum --out "$O/hessian" | tee "$O/hessian.txt" | grep -E "^graph|^  power|^full spectrum"

"$PYTHON" - "$O" <<'PY'
import csv, json, math, sys
out = sys.argv[1]
lam = [float(r["eigenvalue"]) for r in csv.DictReader(open(f"{out}/hessian/spectrum.csv"))]
lam.sort(reverse=True)
n, l1 = len(lam), lam[0]
train = [json.loads(l) for l in open(f"{out}/training.jsonl")][-1]
power = json.load(open(f"{out}/hessian/summary.json"))["estimators"]["power"]["lambda"]
tiny = 1e-8 * l1
neg = [x for x in lam if x < 0]
pos = [x for x in lam if x > 0]
with open(f"{out}/positive.csv", "w") as f:        # eigenvalue against rank, those above 1e-8 λ1
    f.write("rank,eigenvalue\n")
    for i, x in enumerate(lam, 1):
        if x > tiny: f.write(f"{i},{x:.10g}\n")
with open(f"{out}/log10.csv", "w") as f:           # log10 of the eigenvalues above 1e-8 λ1
    f.write("log10 eigenvalue\n")
    for x in lam:
        if x > tiny: f.write(f"{math.log10(x):.6f}\n")
print(f"\nFig. 19-20: Hessian spectrum of the 196-20-10 net ({n} weights) after {train['epoch']} epochs"
      f" (test error {train['test_error']:.2f} %, test MSE {train['test_loss']:.4f}); mean loss over 1000 digits")
print("| quantity | value |")
print("|---|---:|")
rows = [
    ("λ1 (power method: %.4g)" % power, f"{l1:.4g}"),
    ("λ2 … λ10", " ".join(f"{x:.3g}" for x in lam[1:10])),
    ("λ11", f"{lam[10]:.4g}"),
    ("λ1 / λ11", f"{l1 / lam[10]:.3g}"),
    ("λ10 / λ11", f"{lam[9] / lam[10]:.3g}"),
    ("median eigenvalue", f"{sorted(lam)[n // 2]:.3g}"),
    ("eigenvalues > λ1/100", f"{sum(x > l1 / 100 for x in lam)}"),
    ("eigenvalues > λ1/1000", f"{sum(x > l1 / 1000 for x in lam)}"),
    ("zero to rounding: −1e-8 λ1 ≤ λ ≤ 1e-8 λ1", f"{sum(abs(x) <= tiny for x in lam)}"),
    ("negative eigenvalues (all)", f"{len(neg)}"),
    ("negative, below −1e-8 λ1", f"{sum(x < -tiny for x in lam)}"),
    ("negative, below −1e-3 λ1", f"{sum(x < -1e-3 * l1 for x in lam)}"),
    ("smallest eigenvalue", f"{lam[-1]:.4g} ({lam[-1] / l1:.2%} of λ1)"),
    ("trace (sum of eigenvalues)", f"{sum(lam):.4g}"),
]
for k, v in rows: print(f"| {k} | {v} |")
PY

"$BIN/ebprop-plot" "$O/positive.csv" -o "$O/rank.svg" --x rank --y eigenvalue --log-y \
  --title "Fig. 20: eigenvalues > 1e-8 λ1 by rank, 196-20-10" --ylabel "eigenvalue (log)"
"$BIN/ebprop-plot" "$O/positive.csv" -o "$O/rank-loglog.svg" --x rank --y eigenvalue --log-x --log-y \
  --title "eigenvalues > 1e-8 λ1 by rank (log-log)" --ylabel "eigenvalue (log)"
"$BIN/ebprop-plot" "$O/log10.csv" -o "$O/histogram-log10.svg" --histogram "log10 eigenvalue" --bins 40 \
  --title "Fig. 19: histogram of log10 λ (λ > 1e-8 λ1)"
cp "$O/hessian/spectrum.svg" "$O/histogram.svg"
echo
echo "plots: $O/histogram.svg (linear bins, by ebprop-hessian) $O/histogram-log10.svg $O/rank.svg $O/rank-loglog.svg"
