#!/usr/bin/env bash
# Fig. 25 of Efficient BackProp: the training MSE of a 784-30-10 net on 300 digits after a fixed
# number of epochs of online SGD, against η / η_opt, where η_opt = 1/λmax is predicted by the
# power method (Eq. 60) on the initial weights and the same 300 digits (same seed). The MSE is
# E = ½ Σ (d − o)² averaged over the 300 digits, measured with the weights at the end of the
# epoch (the 300 training digits are also given as the "test" set). 10 epochs, seed 1.
#
#   experiments/fig25-eta-ratio.sh        # → out/experiments/fig25-eta-ratio/
#   GRAPH=experiments/paper-net.graph N=1000 NAME=fig26-paper-net FIG=26 LABEL=shared-weight \
#     experiments/fig25-eta-ratio.sh
#                                         # Fig. 26: the same on another graph and N digits
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-hessian ebprop-plot
O="$(outdir "${NAME:-fig25-eta-ratio}")"
GRAPH="${GRAPH:-$HERE/digits-30.graph}"
N="${N:-300}"
LABEL="${LABEL:-784-30-10}"  # the net, in titles
FIG="${FIG:-25}"             # the figure it reproduces, in titles
EPOCHS=10
RATIOS="${RATIOS:-0.25 0.5 0.75 1 1.5 2 2.5 3 4}"
SHOWN="$(printf '%s\n' 1 2 5 $EPOCHS | awk -v e=$EPOCHS '$1 <= e' | sort -n | uniq | tr '\n' ' ')"  # epochs in the table
SUBSET=(--set train-limit=$N --seed 1)
# The same 300 training digits as the test set: test_loss is then the training MSE after the epoch.
AS_TEST=(--set "test-images=$DATA/train-images-idx3-ubyte.gz"
         --set "test-labels=$DATA/train-labels-idx1-ubyte.gz" --set test-limit=$N)

echo "== η_opt = 1/λmax by the power method, initial weights, $N digits"
"$BIN/ebprop-hessian" "$GRAPH" "${SUBSET[@]}" --samples $N --estimators power --out "$O/hessian" \
  | tee "$O/hessian.txt" | grep -A2 "^  estimator"
ETA_OPT="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["estimators"]["power"]["eta_opt"])' "$O/hessian/summary.json")"

for r in $RATIOS; do
  eta="$("$PYTHON" -c "print('%.8g' % ($r * $ETA_OPT))")"
  echo "== ratio $r: η = $eta"
  rm -f "$O/ratio-$r.jsonl"
  set +e
  "$BIN/ebprop-run" "$GRAPH" "${SUBSET[@]}" "${AS_TEST[@]}" --epochs $EPOCHS --lr "$eta" \
    --metrics "$O/ratio-$r.jsonl" -q > "$O/ratio-$r.txt" 2>&1
  rc=$?
  set -e
  echo "$rc" > "$O/ratio-$r.rc"
  if [[ $rc -ne 0 ]]; then
    if grep -q "diverged" "$O/ratio-$r.txt"; then
      echo "   diverged: $(grep -m1 diverged "$O/ratio-$r.txt")"
    else
      echo "error: ebprop-run failed (status $rc) for ratio $r:" >&2; cat "$O/ratio-$r.txt" >&2; exit 1
    fi
  fi
done

"$PYTHON" - "$O" "$ETA_OPT" "$EPOCHS" "$RATIOS" "$SHOWN" "$N" "$LABEL" "$FIG" <<'PY'
import json, os, sys
out, eta_opt, epochs, ratios = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split()
shown = [int(e) for e in sys.argv[5].split()]
digits, label, fig = sys.argv[6], sys.argv[7], sys.argv[8]
lam = json.load(open(f"{out}/hessian/summary.json"))["estimators"]["power"]["lambda"]
rows = []
for r in ratios:
    path = f"{out}/ratio-{r}.jsonl"
    ms = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
    loss = {m["epoch"]: m["test_loss"] for m in ms}
    rc = int(open(f"{out}/ratio-{r}.rc").read())
    rows.append((r, float('%.8g' % (float(r) * eta_opt)), loss, rc, len(ms)))
import re
e0 = float(re.search(r"E = ([0-9.eE+-]+)", open(f"{out}/hessian.txt").read()).group(1))
with open(f"{out}/mse-vs-ratio.csv", "w") as f:
    f.write("ratio," + ",".join(f"after {e} epochs" if e > 1 else "after 1 epoch" for e in shown) + "\n")
    for r, eta, loss, rc, n in rows:
        f.write(r + "," + ",".join(f"{loss[e]:.6g}" if e in loss else "nan" for e in shown) + "\n")
print(f"\nFig. {fig}: {label} net, {len(ratios)} rates, online SGD on {digits} digits, seed 1;"
      f" λmax = {lam:.4g} (power method, initial weights), η_opt = 1/λmax = {eta_opt:.4g}")
print(f"training MSE E = ½ Σ (d − o)², mean over the {digits} digits, after each epoch shown (initial weights: {e0:.4f})")
print("| η / η_opt | η | " + " | ".join(f"MSE after {e} ep." for e in shown) + " |")
print("|" + "---:|" * (len(shown) + 2))
for r, eta, loss, rc, n in rows:
    cells = []
    for e in shown:
        if e in loss: cells.append(f"{loss[e]:.4f}")
        elif rc != 0: cells.append(f"diverged (epoch {n + 1})")
        else: cells.append("-")
    print(f"| {r} | {eta:.4g} | " + " | ".join(cells) + " |")
best = min((loss[epochs], r) for r, eta, loss, rc, n in rows if epochs in loss)
print(f"\nlowest MSE after {epochs} epochs: ratio {best[1]} ({best[0]:.4f})")
PY

cols=()
for e in $SHOWN; do
  if [[ $e -eq 1 ]]; then cols+=(--y "after 1 epoch"); else cols+=(--y "after $e epochs"); fi
done
"$BIN/ebprop-plot" "$O/mse-vs-ratio.csv" -o "$O/mse-vs-ratio.svg" --x ratio "${cols[@]}" \
  --title "Fig. $FIG: training MSE vs η/η_opt, $LABEL on $N digits" \
  --xlabel "η / η_opt (η_opt = 1/λmax, power method)" --ylabel "training MSE"
"$BIN/ebprop-plot" "$O/mse-vs-ratio.csv" -o "$O/mse-vs-ratio-log.svg" --x ratio "${cols[@]}" --log-y \
  --title "Fig. 25: training MSE vs η/η_opt (log y)" \
  --xlabel "η / η_opt (η_opt = 1/λmax, power method)" --ylabel "training MSE"
echo
echo "plots: $O/mse-vs-ratio.svg $O/mse-vs-ratio-log.svg"
