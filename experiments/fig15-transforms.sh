#!/usr/bin/env bash
# Fig. 15, §4.3 and §5.3 of Efficient BackProp: input transforms — centering, scaling,
# decorrelation (PCA, Karhunen-Loève) and whitening (PCA and ZCA) — against the Hessian's
# conditioning and the time to learn.
#   correlated: a linear unit with a bias (experiments/correlated.graph) on 200 examples of two
#     classes (targets ±1) whose two inputs are strongly correlated and far from zero (drawn here,
#     seed 1). Its Hessian H = mean x̃x̃ᵀ is exact (ebprop-hessian --spectrum): condition number
#     λ1/λ3 per transform; then batch descent at η = 1/λmax until E is within 1 % of E* (the
#     minimum, the same for every transform: they are invertible affine maps), at most 5,000 steps.
#   digits: the 784-30-10 net (experiments/digits-30.graph) on 1,000 digits: λmax and λ1/λ10 of
#     its Hessian at the starting weights (|λ| largest by the power method — the raw inputs' is
#     negative —, the top 10 by Lanczos), and online SGD for EPOCHS (default 10) epochs at the
#     best of RATES for each transform (lowest last-epoch test error): the first epoch at ≤ 20 %
#     test error and the last epoch's error.
# PCA keeps 100 components of the digits (components = 100; the net's input then has 100 values,
# a copy of digits-30.graph with shape=100); on the correlated problem both of its 2.
#
#   experiments/fig15-transforms.sh        # → out/experiments/fig15-transforms/   (about 1 min)
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-hessian
O="$(outdir fig15-transforms)"
EPOCHS="${EPOCHS:-10}"
RATES="${RATES:-0.0001 0.0003 0.001 0.003 0.01}"
# name: [data] settings
TRANSFORMS=(
  "raw:center=none scale=none"
  "centered:center=per-feature scale=none"
  "centered+scaled:center=per-feature scale=per-feature"
  "pca:center=per-feature scale=none decorrelate=pca"
  "pca-whiten:center=per-feature scale=none decorrelate=pca-whiten"
  "zca:center=per-feature scale=none decorrelate=zca"
)
sets() { local a=(); for kv in $1; do a+=(--set "$kv"); done; echo "${a[@]}"; }

"$PYTHON" - "$O/correlated.csv" <<'PY'
import random, sys
rng = random.Random(1)
with open(sys.argv[1], "w") as f:
    for i in range(200):
        s = 1 if i % 2 == 0 else -1
        z = rng.gauss(0, 1)
        x1 = 3 + z + 0.25 * s + rng.gauss(0, 0.1)
        x2 = 2 + 0.9 * z - 0.25 * s + rng.gauss(0, 0.1)
        f.write("%.6f,%.6f,%d\n" % (x1, x2, s))
PY

for entry in "${TRANSFORMS[@]}"; do
  name=${entry%%:*}; settings=${entry#*:}
  echo "== correlated, $name"
  # shellcheck disable=SC2046
  "$BIN/ebprop-hessian" "$HERE/correlated.graph" --set "train-csv=$O/correlated.csv" \
    $(sets "$settings") --samples 200 --estimators power --iterations 20000 --tolerance 1e-12 \
    --spectrum --out "$O/correlated-$name" > "$O/correlated-$name.txt"
  lambda="$("$PYTHON" -c 'import json,sys; print("%.12g" % json.load(open(sys.argv[1]))["estimators"]["power"]["lambda"])' "$O/correlated-$name/summary.json")"
  # shellcheck disable=SC2046
  "$BIN/ebprop-run" "$HERE/correlated.graph" --set "train-csv=$O/correlated.csv" \
    $(sets "$settings") --optimizer sgd --batch 200 --epochs 5000 \
    --lr "$("$PYTHON" -c "print('%.12g' % (1 / $lambda))")" --seed 1 \
    --metrics "$O/correlated-$name.jsonl" -q > "$O/correlated-$name.run.txt"
  echo "== digits, $name"
  digits="$(sets "$settings") --data-dir $DATA"
  graph="$HERE/digits-30.graph"
  if [[ $name == pca || $name == pca-whiten ]]; then
    digits="$digits --set components=100"
    graph="$O/digits-30-pca.graph"
    sed 's/shape=784 source=inputs/shape=100 source=inputs/' "$HERE/digits-30.graph" > "$graph"
  fi
  # shellcheck disable=SC2086
  "$BIN/ebprop-hessian" "$graph" $digits --set train-limit=1000 --seed 1 \
    --samples 1000 --estimators power --iterations 300 --top-k 10 --out "$O/digits-$name" > "$O/digits-$name.txt"
  for eta in $RATES; do
    rm -f "$O/digits-$name-$eta.jsonl"  # a diverging run writes none: no stale file may stand for it
    # shellcheck disable=SC2086
    "$BIN/ebprop-run" "$graph" $digits --set train-limit=1000 --seed 1 --epochs "$EPOCHS" \
      --lr "$eta" --metrics "$O/digits-$name-$eta.jsonl" -q > "$O/digits-$name-$eta.run.txt" 2>&1 ||
      grep -q "diverged" "$O/digits-$name-$eta.run.txt"  # a result: the table says so
  done
done

"$PYTHON" - "$O" "$HERE" "${TRANSFORMS[@]}" "$EPOCHS" "$RATES" <<'PY'
import csv, json, os, sys
sys.path.insert(0, sys.argv[2])
import lms
from weight_space import read_points
out, names = sys.argv[1], [t.split(":")[0] for t in sys.argv[3:-2]]
epochs = int(sys.argv[-2])
_, _, _, w_star, E = lms.quadratic(read_points(f"{out}/correlated.csv"))
e_star = E(w_star)
print()
print("Correlated problem: E* = %.6f (normal equations on the raw inputs)" % e_star)
print()
print("| transform | λ1 | λ2 | λ3 | condition λ1/λ3 | batch steps at η = 1/λ1 to E ≤ 1.01 E* |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for name in names:
    with open(f"{out}/correlated-{name}/spectrum.csv") as f:
        values = sorted((float(r["eigenvalue"]) for r in csv.DictReader(f)), reverse=True)
    ms = [json.loads(l) for l in open(f"{out}/correlated-{name}.jsonl")]
    steps = next((m["epoch"] for m in ms if m["train_loss"] <= 1.01 * e_star), None)
    print("| %s | %.4g | %.4g | %.4g | %.4g | %s |" % (name, values[0], values[1], values[2],
          values[0] / values[2], steps if steps else "> %d" % len(ms)))
print()
print("Digits, 784-30-10 (100-30-10 after PCA) on 1,000 digits; train MSE: the running mean over the")
print("last epoch; λmax: the power method's |λ| of largest size, its Rayleigh quotient's sign shown:")
print()
print("| transform | weights | λmax (power) | best rate | λ1/λ10 (Lanczos) | first epoch at ≤ 20 % test error | test error, last epoch | train MSE, last epoch |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name in names:
    s = json.load(open(f"{out}/digits-{name}/summary.json"))
    top = s["top_k"]
    runs = []
    for rate in sys.argv[-1].split():
        path = f"{out}/digits-{name}-{rate}.jsonl"
        ms = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
        if len(ms) == epochs:
            runs.append(((ms[-1]["test_error"], ms[-1]["test_loss"]), rate, ms))
    if not runs:
        print("| %s | %s | | every rate diverged | | | | |" % (name, s["weights"]))
        continue
    _, rate, ms = min(runs)
    first = next((m["epoch"] for m in ms if m["test_error"] <= 20), None)
    power = s["estimators"]["power"]
    print("| %s | %s | %s%.4g | %.3g | %.3g | %s | %.2f %% | %.4f |" % (name, s["weights"],
          "−" if power["rayleigh"] < 0 else "", power["lambda"], float(rate), top[0] / top[-1], first if first else "—",
          ms[-1]["test_error"], ms[-1]["train_loss"]))
PY
