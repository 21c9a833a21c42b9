#!/usr/bin/env bash
# Fig. 24 of Efficient BackProp: the online estimate of λmax (Eq. 64) against the power method's
# λmax (Eq. 60) as the presentations grow, for the 784-30-10 net on 1,000 of the bundled digits,
# at the initial weights and after one epoch of online SGD (8,000 digits, η = 0.003, seed 1).
# Leaks γ = 0.003, 0.01, 0.03, 0.1; step α = 1e-4 (ebprop-hessian's default); 3,000 presentations.
#
#   experiments/fig24-online-lambda.sh        # → out/experiments/fig24-online-lambda/
#   GRAPH=experiments/paper-net.graph NAME=fig24-paper-net LABEL=shared-weight \
#     experiments/fig24-online-lambda.sh
#                                             # the same on another graph, into out/experiments/NAME/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-hessian ebprop-plot
O="$(outdir "${NAME:-fig24-online-lambda}")"
GRAPH="${GRAPH:-$HERE/digits-30.graph}"
export LABEL="${LABEL:-784-30-10}"  # the net, in titles
SAMPLES=1000
PRESENTATIONS=3000
GAMMAS="0.003 0.01 0.03 0.1"

echo "== one epoch of SGD to get the trained weights"
"$BIN/ebprop-run" "$GRAPH" --epochs 1 --lr 0.003 --seed 1 --save "$O/epoch1.w" -q

for state in initial epoch1; do
  load=()
  [[ $state == epoch1 ]] && load=(--load "$O/epoch1.w")
  echo "== $state weights: power method"
  "$BIN/ebprop-hessian" "$GRAPH" "${load[@]}" --samples $SAMPLES --seed 1 --estimators power \
    --out "$O/$state-power" > "$O/$state-power.txt"
  for g in $GAMMAS; do
    echo "== $state weights: online estimate, γ = $g"
    "$BIN/ebprop-hessian" "$GRAPH" "${load[@]}" --samples $SAMPLES --seed 1 --estimators online \
      --presentations $PRESENTATIONS --gamma "$g" --out "$O/$state-online-$g" > "$O/$state-online-$g.txt"
  done
done

"$PYTHON" - "$O" "$GAMMAS" <<'PY'
import csv, json, os, sys
out, gammas = sys.argv[1], sys.argv[2].split()
checkpoints = [10, 30, 100, 300, 1000, 3000]
ref = "0.01"
for state, title in [("initial", "initial weights"), ("epoch1", "after 1 epoch of SGD")]:
    power = json.load(open(f"{out}/{state}-power/summary.json"))["estimators"]["power"]["lambda"]
    curves = {}
    for g in gammas:
        rows = [r for r in csv.DictReader(open(f"{out}/{state}-online-{g}/convergence.csv"))
                if r["estimator"] == "online"]
        curves[g] = {int(r["step"]): float(r["estimate"]) for r in rows}
    steps = sorted(curves[gammas[0]])
    with open(f"{out}/{state}.csv", "w") as f:
        f.write("presentations," + ",".join(f"γ={g}" for g in gammas) + ",power method\n")
        for s in steps:
            f.write(f"{s}," + ",".join(f"{curves[g][s]:.6g}" for g in gammas) + f",{power:.6g}\n")
    print(f"\nFig. 24, {os.environ['LABEL']} net, {title}: online λmax estimate (Eq. 64) against the power"
          f" method's λmax = {power:.4g} (Hessian of the mean loss over 1000 digits)")
    head = "| presentations | " + " | ".join(f"online γ={g}" for g in gammas) + \
           f" | power λmax | online/power (γ={ref}) |"
    print(head)
    print("|" + "---:|" * (len(gammas) + 3))
    for c in checkpoints:
        vals = " | ".join(f"{curves[g][c]:.4g}" for g in gammas)
        print(f"| {c} | {vals} | {power:.4g} | {curves[ref][c] / power:.3f} |")
PY

for state in initial epoch1; do
  title="$LABEL, $([[ $state == initial ]] && echo 'initial weights' || echo 'after 1 epoch')"
  "$BIN/ebprop-plot" "$O/$state.csv" -o "$O/$state.svg" --x presentations \
    --y "γ=0.1" --y "γ=0.03" --y "γ=0.01" --y "γ=0.003" --y "power method" --log-x --title "Fig. 24: online λmax estimate, $title" --ylabel "λmax estimate"
done
echo
echo "plots: $O/initial.svg $O/epoch1.svg"
