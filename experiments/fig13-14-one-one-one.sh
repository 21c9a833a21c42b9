#!/usr/bin/env bash
# Fig. 13-14 of Efficient BackProp: the 1-1-1 network (experiments/one-one-one.graph: one input,
# one stanh hidden unit, one linear output) on two 1-D Gaussian classes (means ±1, standard
# deviation 0.5, 100 examples each, drawn by this script with seed 1; targets ±1 on the one
# output). η_opt = 1/λmax of the Hessian at the starting weights (ebprop-hessian, power method);
# batch descent (one step per epoch) at η_opt, and stochastic descent (one example a step) at
# η_opt/10. Drawn: the trajectory of the two weights (w_h, w_o) over the error surface, the biases
# held at the end of the batch run, and the error against epochs (Fig. 14).
#
#   experiments/fig13-14-one-one-one.sh        # → out/experiments/fig13-14-one-one-one/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-hessian
O="$(outdir fig13-14-one-one-one)"
GRAPH="$HERE/one-one-one.graph"
EPOCHS="${EPOCHS:-100}"

"$PYTHON" - "$O" <<'PY'
import random, sys
rng = random.Random(1)
for name in ("train", "test"):
    with open(f"{sys.argv[1]}/{name}.csv", "w") as f:
        for i in range(200):
            c = i % 2
            f.write("%.6f,%d\n" % ((1 if c else -1) + rng.gauss(0, 0.5), c))
PY
DATASET=(--set "train-csv=$O/train.csv" --set "test-csv=$O/test.csv" --seed 1)

echo "== λmax at the starting weights (ebprop-hessian, power method)"
"$BIN/ebprop-hessian" "$GRAPH" "${DATASET[@]}" --samples 200 --estimators power \
  --iterations 10000 --tolerance 1e-12 --out "$O/hessian" > "$O/hessian.txt"
grep -E "^  power" "$O/hessian.txt"
ETA_OPT="$("$PYTHON" -c 'import json,sys; print("%.10g" % json.load(open(sys.argv[1]))["estimators"]["power"]["eta_opt"])' "$O/hessian/summary.json")"
ETA_SGD="$("$PYTHON" -c "print('%.10g' % ($ETA_OPT / 10))")"
echo "   η_opt = $ETA_OPT"

for run in batch stochastic; do
  if [[ $run == batch ]]; then args=(--batch 200 --set shuffle=false --lr "$ETA_OPT"); else args=(--batch 1 --lr "$ETA_SGD"); fi
  echo "== $run: ${args[*]}"
  "$BIN/ebprop-run" "$GRAPH" "${DATASET[@]}" --optimizer sgd --epochs "$EPOCHS" "${args[@]}" \
    --trace "$O/$run.trace.csv" --metrics "$O/$run.jsonl" -q > "$O/$run.txt"
  tail -n 1 "$O/$run.txt"
done

"$PYTHON" - "$O" "$HERE" "$EPOCHS" <<'PY'
import json, math, sys
sys.path.insert(0, sys.argv[2])
from weight_space import read_points, read_trace, surface_svg, curves_svg
out, epochs = sys.argv[1], int(sys.argv[3])
data = read_points(f"{out}/train.csv")
stanh = lambda s: 1.7159 * math.tanh(2 * s / 3)
def E(wh, bh, wo, bo):  # ½ mean (d − o)², d = ±1 for classes 1 and 0
    return sum(0.5 * ((1 if c else -1) - (wo * stanh(wh * x + bh) + bo)) ** 2
               for x, c in data) / len(data)
traces = {}
for run in ("batch", "stochastic"):
    header, rows = read_trace(f"{out}/{run}.trace.csv")
    col = {name: i for i, name in enumerate(header)}
    traces[run] = [(r[1], r[col["h.weight.0"]], r[col["h.bias.0"]], r[col["o.weight.0"]],
                    r[col["o.bias.0"]]) for r in rows]
_, _, bh, _, bo = traces["batch"][-1]
points = [(t[1], t[3]) for run in traces for t in traces[run]]
lo_a, hi_a = min(p[0] for p in points), max(p[0] for p in points)
lo_b, hi_b = min(p[1] for p in points), max(p[1] for p in points)
pad_a, pad_b = 0.3 * (hi_a - lo_a) + 0.2, 0.3 * (hi_b - lo_b) + 0.2
surface_svg(f"{out}/trajectories.svg", "(w_h, w_o) over E at the final biases",
            lambda a, b: E(a, bh, b, bo), (lo_a - pad_a, hi_a + pad_a), (lo_b - pad_b, hi_b + pad_b),
            "w_h (hidden weight)", "w_o (output weight)",
            [(run, [(t[1], t[3]) for t in traces[run]]) for run in traces])
curves, rows = [], []
for run in traces:
    ms = [json.loads(l) for l in open(f"{out}/{run}.jsonl")]
    curves.append((run, [(m["epoch"], m["train_loss"]) for m in ms]))
    first = next((m["epoch"] for m in ms if m["train_loss"] <= 0.05), None)
    rows.append((run, ms[0], ms[-1], first, traces[run][-1]))
curves_svg(f"{out}/error.svg", "training MSE against epochs (Fig. 14)", "epoch", "MSE", curves,
           log_y=True)
print()
print("| run | MSE after epoch 1 | after epoch %d | test error at the end | first epoch at MSE ≤ 0.05 | w_h, b_h, w_o, b_o at the end |" % epochs)
print("| --- | ---: | ---: | ---: | ---: | --- |")
for run, m1, mN, first, t in rows:
    print("| %s | %.4f | %.4f | %.1f %% | %s | %.3f, %.3f, %.3f, %.3f |"
          % (run, m1["train_loss"], mN["train_loss"], mN["test_error"],
             first if first is not None else "—", t[1], t[2], t[3], t[4]))
print()
print(f"wrote {out}/trajectories.svg and error.svg")
PY
