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
#     its Hessian at the starting weights (power method, Lanczos), and online SGD at η = 0.003 for
#     EPOCHS (default 10) epochs: the first epoch at ≤ 10 % test error and the last epoch's error.
# PCA keeps the components of 99 % of the variance on the digits (variance = 0.99).
#
#   experiments/fig15-transforms.sh        # → out/experiments/fig15-transforms/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-hessian
O="$(outdir fig15-transforms)"
EPOCHS="${EPOCHS:-10}"
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
  digits=$(sets "$settings")
  [[ $name == pca || $name == pca-whiten ]] && digits="$digits --set variance=0.99"
  # shellcheck disable=SC2086
  "$BIN/ebprop-hessian" "$HERE/digits-30.graph" $digits --set train-limit=1000 --seed 1 \
    --samples 1000 --estimators power --top-k 10 --out "$O/digits-$name" > "$O/digits-$name.txt"
  # shellcheck disable=SC2086
  "$BIN/ebprop-run" "$HERE/digits-30.graph" $digits --set train-limit=1000 --seed 1 \
    --epochs "$EPOCHS" --lr 0.003 --metrics "$O/digits-$name.jsonl" -q > "$O/digits-$name.run.txt"
done

"$PYTHON" - "$O" "$HERE" "${TRANSFORMS[@]}" <<'PY'
import csv, json, sys
sys.path.insert(0, sys.argv[2])
import lms
from weight_space import read_points
out, names = sys.argv[1], [t.split(":")[0] for t in sys.argv[3:]]
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
print("Digits, 784-30-10 on 1,000 digits (train loss: the running mean over the epoch):")
print()
print("| transform | weights | λmax (power) | λ1/λ10 (Lanczos) | first epoch at ≤ 10 % test error | test error, last epoch | train MSE, last epoch |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for name in names:
    s = json.load(open(f"{out}/digits-{name}/summary.json"))
    top = s["top_k"]
    ms = [json.loads(l) for l in open(f"{out}/digits-{name}.jsonl")]
    first = next((m["epoch"] for m in ms if m["test_error"] <= 10), None)
    print("| %s | %s | %.4g | %.3g | %s | %.2f %% | %.4f |" % (name, s["weights"],
          s["estimators"]["power"]["lambda"], top[0] / top[-1], first if first else "—",
          ms[-1]["test_error"], ms[-1]["train_loss"]))
PY
