#!/usr/bin/env bash
# Fig. 21 of Efficient BackProp: the mean second derivative (the bbprop diagonal, Gauss-Newton,
# §7.3) of the weights of each layer of a deep net, lower layers smaller — the reason §4.7 gives
# lower layers larger rates. experiments/digits-deep.graph (784-100-100-100-100-10) on 1,000
# digits, at the starting weights and after EPOCHS (default 2) epochs of online SGD.
#
#   experiments/fig21-layer-curvature.sh        # → out/experiments/fig21-layer-curvature/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-hessian
O="$(outdir fig21-layer-curvature)"
GRAPH="$HERE/digits-deep.graph"
EPOCHS="${EPOCHS:-2}"
SUBSET=(--set train-limit=1000 --seed 1)

echo "== bbprop diagonal by layer at the starting weights"
"$BIN/ebprop-hessian" "$GRAPH" "${SUBSET[@]}" --samples 1000 --estimators none \
  --out "$O/start" > "$O/start.txt"
echo "== $EPOCHS epochs of online SGD, then again"
"$BIN/ebprop-run" "$GRAPH" "${SUBSET[@]}" --set test-limit=1000 --epochs "$EPOCHS" \
  --save "$O/trained.model" -q > "$O/training.txt"
tail -n 1 "$O/training.txt"
"$BIN/ebprop-hessian" "$GRAPH" "${SUBSET[@]}" --samples 1000 --estimators none \
  --load "$O/trained.model" --out "$O/trained" > "$O/trained.txt"

"$PYTHON" - "$O" "$HERE" "$EPOCHS" <<'PY'
import csv, math, sys
sys.path.insert(0, sys.argv[2])
from weight_space import curves_svg
out, epochs = sys.argv[1], sys.argv[3]
def layers(which):
    with open(f"{out}/{which}/layers.csv") as f:
        return {row["parameter"]: float(row["mean"]) for row in csv.DictReader(f)}
start, trained = layers("start"), layers("trained")
names = [n for n in start if n.endswith(".weight")]
print()
print("| layer | weights | mean bbprop diagonal, start | after %s epochs | ratio to the top layer (start) |" % epochs)
print("| --- | --- | ---: | ---: | ---: |")
top = start[names[-1]]
for k, n in enumerate(names):
    print("| %d | %s | %.3g | %.3g | %.3g |" % (k + 1, n, start[n], trained[n], start[n] / top))
curves_svg(f"{out}/layers.svg", "mean bbprop diagonal of each layer's weights (Fig. 21)",
           "layer (1 = next to the input)", "mean h_kk",
           [("start", [(k + 1, start[n]) for k, n in enumerate(names)]),
            (f"after {epochs} epochs", [(k + 1, trained[n]) for k, n in enumerate(names)])],
           log_y=True)
print()
print(f"wrote {out}/layers.svg")
PY
