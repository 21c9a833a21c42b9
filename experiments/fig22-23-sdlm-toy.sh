#!/usr/bin/env bash
# Fig. 22-23 of Efficient BackProp: stochastic diagonal Levenberg-Marquardt (§9.1) on a toy
# problem of three parameters — the LMS unit of Fig. 10-12 (two weights and a bias,
# experiments/lms.graph, the same two Gaussian classes) — online, with the running estimate of
# the diagonal (Eq. 62), for two sets of learning rates: the global rate η of Eq. 61 at ETAS
# (default 0.1 and 0.025, μ = 0.02). The larger rates get near the minimum sooner; the smaller
# ones fluctuate less around it. Drawn: both trajectories over the error surface (w1, w2 at
# b = b*), and E − E* against the step.
#
#   experiments/fig22-23-sdlm-toy.sh        # → out/experiments/fig22-23-sdlm-toy/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run
O="$(outdir fig22-23-sdlm-toy)"
GRAPH="$HERE/lms.graph"
ETAS="${ETAS:-0.1 0.025}"
EPOCHS="${EPOCHS:-20}"
MU=0.02

"$PYTHON" -c 'import sys; sys.path.insert(0, sys.argv[1]); import lms; lms.write_classes(sys.argv[2])' "$HERE" "$O/train.csv"
for eta in $ETAS; do
  echo "== SDLM online, running estimate, η = $eta, μ = $MU"
  "$BIN/ebprop-run" "$GRAPH" --set "train-csv=$O/train.csv" --seed 1 --set shuffle=true \
    --optimizer sdlm --opt lr="$eta" --opt mu=$MU --opt estimate=running --batch 1 \
    --epochs "$EPOCHS" --trace "$O/eta-$eta.trace.csv" -q > "$O/eta-$eta.txt"
  tail -n 1 "$O/eta-$eta.txt"
done

"$PYTHON" - "$O" "$HERE" "$ETAS" "$MU" <<'PY'
import math, sys
sys.path.insert(0, sys.argv[2])
import lms
from weight_space import read_points, read_trace, surface_svg, curves_svg
out, etas, mu = sys.argv[1], sys.argv[3].split(), float(sys.argv[4])
H, r, dd, w_star, E = lms.quadratic(read_points(f"{out}/train.csv"))
e_star = E(w_star)
print()
print("Eq. 61 rates at the exact diagonal (h_kk = mean x_k², 1 for the bias): η/(h_kk + μ) = η × "
      + ", ".join("%.3f" % (1 / (H[k][k] + mu)) for k in range(3)) + " for (w1, w2, b)")
print()
print("| η | steps | first step at E − E* ≤ 0.01 | mean E − E* over the last 500 steps | its largest | ‖w − w*‖ at the end |")
print("| ---: | ---: | ---: | ---: | ---: | ---: |")
curves, paths = [], []
for eta in etas:
    _, rows = read_trace(f"{out}/eta-{eta}.trace.csv")
    ws = [row[2:5] for row in rows]
    ex = [E(w) - e_star for w in ws]
    first = next((k for k, v in enumerate(ex) if v <= 0.01), None)
    tail = ex[-500:]
    dist = math.sqrt(sum((a - b) ** 2 for a, b in zip(ws[-1], w_star)))
    print("| %s | %d | %s | %.3g | %.3g | %.3g |" % (eta, len(ws) - 1,
          first if first is not None else "—", sum(tail) / len(tail), max(tail), dist))
    curves.append((f"η = {eta}", list(enumerate(ex))))
    paths.append((f"η = {eta}", [(w[0], w[1]) for w in ws]))
span = max(max(abs(a - w_star[0]), abs(b - w_star[1])) for _, p in paths for a, b in p) * 1.15
surface_svg(f"{out}/trajectories.svg", "SDLM: (w1, w2) over E − E* at b = b*",
            lambda a, b: E([a, b, w_star[2]]) - e_star + 1e-6,
            (w_star[0] - span, w_star[0] + span), (w_star[1] - span, w_star[1] + span),
            "w1", "w2", paths)
curves_svg(f"{out}/excess-error.svg", "SDLM: E − E* against the step", "step", "E − E*", curves,
           log_y=True)
print()
print(f"wrote {out}/trajectories.svg and excess-error.svg")
PY
