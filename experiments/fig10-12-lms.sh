#!/usr/bin/env bash
# Fig. 10-12 of Efficient BackProp: LMS, a linear unit with a bias under MSE (experiments/
# lms.graph), on two Gaussian classes in 2-D (targets ±1, 50 examples each, means ±(0.4, 0.8),
# standard deviation 0.2; drawn by this script with seed 1). The Hessian of the mean loss,
# including the bias input, is H = mean (x, 1)(x, 1)ᵀ; η_max = 2/λmax (§5.1).
#   Fig. 10-11: batch gradient descent (one step per epoch over all 100 examples) at
#               η = 0.5, 0.95 and 1.05 × η_max: trajectories over the error surface, and the
#               divergence just above η_max.
#   Fig. 12:    the same, stochastic (one example a step, reshuffled each epoch), η = 0.2.
# λmax comes from ebprop-hessian (its full spectrum, exact R-operator products) and is checked
# against H formed here from the data; the trajectories come from ebprop-run --trace.
#
#   experiments/fig10-12-lms.sh        # → out/experiments/fig10-12-lms/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-hessian
O="$(outdir fig10-12-lms)"
GRAPH="$HERE/lms.graph"
BATCH_EPOCHS="${BATCH_EPOCHS:-30}"
RATIOS="${RATIOS:-0.5 0.95 1.05}"

"$PYTHON" -c 'import sys; sys.path.insert(0, sys.argv[1]); import lms; lms.write_classes(sys.argv[2])' "$HERE" "$O/train.csv"
DATASET=(--set "train-csv=$O/train.csv" --seed 1)

echo "== the Hessian of the mean loss, bias included (ebprop-hessian --spectrum)"
"$BIN/ebprop-hessian" "$GRAPH" "${DATASET[@]}" --samples 100 --estimators power \
  --iterations 10000 --tolerance 1e-13 --spectrum --out "$O/hessian" > "$O/hessian.txt"
grep -E "^  power|full spectrum" "$O/hessian.txt"
LAMBDA="$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["estimators"]["power"]["lambda"])' "$O/hessian/summary.json")"
ETA_MAX="$("$PYTHON" -c "print('%.10g' % (2 / $LAMBDA))")"
echo "   λmax = $LAMBDA, η_max = 2/λmax = $ETA_MAX"

run() {  # run NAME ARGS...: ebprop-run with --trace, the divergence rule off (Fig. 11 diverges)
  local name=$1; shift
  set +e
  "$BIN/ebprop-run" "$GRAPH" "${DATASET[@]}" --optimizer sgd --set diverge-factor=off \
    --trace "$O/$name.trace.csv" --metrics "$O/$name.jsonl" -q "$@" > "$O/$name.txt" 2>&1
  local rc=$?
  set -e
  if [[ $rc -ne 0 ]] && ! grep -q "diverged\|non-finite" "$O/$name.txt"; then
    echo "error: ebprop-run failed (status $rc) for $name:" >&2; cat "$O/$name.txt" >&2; exit 1
  fi
}
for r in $RATIOS; do
  eta="$("$PYTHON" -c "print('%.10g' % ($r * $ETA_MAX))")"
  echo "== batch, η = $r × η_max = $eta"
  run "batch-$r" --batch 100 --epochs "$BATCH_EPOCHS" --lr "$eta"
done
echo "== stochastic, η = 0.2"
run stochastic --batch 1 --set shuffle=true --epochs 2 --lr 0.2

"$PYTHON" - "$O" "$HERE" "$LAMBDA" "$RATIOS" <<'PY'
import math, sys
sys.path.insert(0, sys.argv[2])
import lms
from weight_space import read_points, read_trace, surface_svg, curves_svg
out, lam, ratios = sys.argv[1], float(sys.argv[3]), sys.argv[4].split()
data = read_points(f"{out}/train.csv")
H, r, dd, w_star, E = lms.quadratic(data)
e_star = E(w_star)
here = lms.eig3(H)
c = [[H[0][0], H[0][1]], [H[1][0], H[1][1]]]  # the inputs' block alone (no bias)
tr, det = c[0][0] + c[1][1], c[0][0] * c[1][1] - c[0][1] ** 2
inputs = [tr / 2 + math.sqrt(tr * tr / 4 - det), tr / 2 - math.sqrt(tr * tr / 4 - det)]
print()
print("Hessian eigenvalues, bias included: ebprop-hessian λmax %.6f; formed here: %s"
      % (lam, ", ".join("%.6f" % v for v in here)))
print("  the two inputs alone: %s → 2/λmax = %.3f; with the bias: η_max = 2/λmax = %.3f"
      % (", ".join("%.6f" % v for v in inputs), 2 / inputs[0], 2 / here[0]))
print("  |ebprop λmax − λmax formed here| / λmax = %.1e" % (abs(lam - here[0]) / here[0]))
print("  minimum w* = (%.4f, %.4f), b* = %.4f, E* = %.6f" % (*w_star, e_star))

def trajectory(name):
    header, rows = read_trace(f"{out}/{name}.trace.csv")
    return [row[2:5] for row in rows]

print()
print("| run | η | η / η_max | steps | E − E* at start | after 5 steps | after 10 | at the end | ‖w − w*‖ at the end |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
runs = [(f"batch-{q}", float(q) * 2 / lam, q) for q in ratios] + [("stochastic", 0.2, "—")]
curves, paths = [], []
table = "run,eta,ratio,steps,excess_start,excess_5,excess_10,excess_end,distance_end\n"
for name, eta, ratio in runs:
    ws = trajectory(name)
    ex = [E(w) - e_star for w in ws]
    at = lambda k: "%.3g" % ex[k] if k < len(ex) else "—"
    dist = math.sqrt(sum((a - b) ** 2 for a, b in zip(ws[-1], w_star)))
    shown_ratio = ratio if ratio == "—" else "%.2f" % float(ratio)
    print("| %s | %.4g | %s | %d | %s | %s | %s | %.3g | %.3g |"
          % (name, eta, shown_ratio, len(ws) - 1, at(0), at(5), at(10), ex[-1], dist))
    table += "%s,%.8g,%s,%d,%.8g,%s,%s,%.8g,%.8g\n" % (name, eta, ratio if ratio != "—" else "",
             len(ws) - 1, ex[0], at(5).replace("—", ""), at(10).replace("—", ""), ex[-1], dist)
    curves.append((name, [(k, v) for k, v in enumerate(ex)]))
    paths.append((name, [(w[0], w[1]) for w in ws]))
open(f"{out}/table.csv", "w").write(table)

# The surface E(w1, w2) at b = b*, over a window around w* holding the starts of the paths.
span = max(max(abs(a - w_star[0]), abs(b - w_star[1])) for _, p in paths for a, b in p[:1]) * 1.6
a_range = (w_star[0] - span, w_star[0] + span)
b_range = (w_star[1] - span, w_star[1] + span)
surface = lambda a, b: E([a, b, w_star[2]]) - e_star + 1e-6
for name, path in paths:
    surface_svg(f"{out}/{name}.svg", f"{name}: (w1, w2) over E − E* at b = b*", surface,
                a_range, b_range, "w1", "w2", [(name, path)])
curves_svg(f"{out}/excess-error.svg", "E − E* against the step", "step", "E − E*",
           curves, log_y=True)
print()
print(f"wrote {out}/table.csv, excess-error.svg and one trajectory SVG per run")
PY
