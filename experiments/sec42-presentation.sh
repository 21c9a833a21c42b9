#!/usr/bin/env bash
# §4.2 of Efficient BackProp: the order of presentation. Online SGD on the 784-30-10 net of
# digits-30.graph on the bundled digits (data/mnist10k: 8,000 training and 2,000 test examples),
# the same initial weights for every order of a seed, with [run] order =
#   shuffle     a fresh random order each epoch (§4.1; the default)
#   interleave  successive examples of different classes (§4.2)
#   emphasize   examples drawn with probability ∝ their loss when last presented, within
#               [floor, cap] / P (§4.2), at the defaults (floor 0.2, cap 5) and with a tighter cap
# For each: the first epoch whose test error is at or below TARGET %, and the test error after
# the last epoch, per seed and as the mean over the seeds.
#
#   experiments/sec42-presentation.sh     # → out/experiments/sec42/
#   EPOCHS=20 SEEDS="1 2 3 4 5" TARGET=7 LR=0.003 (the defaults) may be set in the environment.
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-plot
O="$(outdir sec42)"
GRAPH="$HERE/digits-30.graph"
EPOCHS="${EPOCHS:-20}"
SEEDS="${SEEDS:-1 2 3 4 5}"
TARGET="${TARGET:-7}"
LR="${LR:-0.003}"
# name|ebprop-run settings
ORDERS=("shuffle|--set order=shuffle"
        "interleave|--set order=interleave"
        "emphasize|--set order=emphasize"
        "emphasize-cap2|--set order=emphasize --set emphasize-cap=2")

for entry in "${ORDERS[@]}"; do
  name="${entry%%|*}"
  read -r -a settings <<< "${entry#*|}"
  for seed in $SEEDS; do
    echo "== $name, seed $seed"
    "$BIN/ebprop-run" "$GRAPH" -q --threads 1 --epochs "$EPOCHS" --seed "$seed" --lr "$LR" \
      "${settings[@]}" --metrics "$O/$name-seed$seed.jsonl" > "$O/$name-seed$seed.txt" 2>&1 || {
      echo "error: ebprop-run failed for $name, seed $seed:" >&2; cat "$O/$name-seed$seed.txt" >&2
      exit 1
    }
  done
done

"$PYTHON" - "$O" "$EPOCHS" "$SEEDS" "$TARGET" "$LR" "${ORDERS[@]%%|*}" <<'PY'
import json, sys
out, epochs, seeds, target, lr = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), float(sys.argv[4]), sys.argv[5]
names = sys.argv[6:]
runs = {}
for n in names:
    for s in seeds:
        runs[n, s] = [json.loads(l) for l in open(f"{out}/{n}-seed{s}.jsonl")]
def reached(ms):
    for m in ms:
        if m["test_error"] <= target:
            return m["epoch"]
    return None
# The mean test error of each order after each epoch, for the plot.
with open(f"{out}/test-error.csv", "w") as f:
    f.write("epoch," + ",".join(names) + "\n")
    for e in range(epochs):
        f.write(f"{e + 1}," + ",".join(
            "%.4f" % (sum(runs[n, s][e]["test_error"] for s in seeds) / len(seeds)) for n in names) + "\n")
with open(f"{out}/summary.csv", "w") as f:
    f.write("order,seed,epochs_to_target,final_test_error,best_test_error,final_train_loss\n")
    for n in names:
        for s in seeds:
            ms = runs[n, s]
            r = reached(ms)
            f.write(f"{n},{s},{'' if r is None else r},{ms[-1]['test_error']:.2f},"
                    f"{min(m['test_error'] for m in ms):.2f},{ms[-1]['train_loss']:.5f}\n")
print(f"\n§4.2 presentation orders: 784-30-10 (digits-30.graph), online SGD lr {lr}, {epochs} epochs, "
      f"seeds {' '.join(seeds)}; target test error {target:g} %")
print("| order | epochs to ≤ %g %% (per seed) | mean final test error | final test error (per seed) | best test error (mean) |" % target)
print("| --- | --- | ---: | --- | ---: |")
for n in names:
    reach = [reached(runs[n, s]) for s in seeds]
    finals = [runs[n, s][-1]["test_error"] for s in seeds]
    best = [min(m["test_error"] for m in runs[n, s]) for s in seeds]
    print(f"| {n} | {' '.join('-' if r is None else str(r) for r in reach)} | "
          f"{sum(finals) / len(finals):.2f} % | {' '.join('%.2f' % x for x in finals)} | "
          f"{sum(best) / len(best):.2f} % |")
print("(train loss of emphasize is measured on its emphasized draws, so it is not comparable)")
PY

ys=()
for entry in "${ORDERS[@]}"; do ys+=(--y "${entry%%|*}"); done
"$BIN/ebprop-plot" "$O/test-error.csv" -o "$O/test-error.svg" --x epoch "${ys[@]}" \
  --title "§4.2: test error by presentation order, 784-30-10 on the digits (mean over seeds)" \
  --xlabel "epoch" --ylabel "test error (%)"
echo
echo "table: $O/summary.csv; plot: $O/test-error.svg"
