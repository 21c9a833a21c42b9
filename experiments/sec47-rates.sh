#!/usr/bin/env bash
# §4.7 of Efficient BackProp, choosing learning rates: on LeNet-1 (graphs/lenet1.graph, shared
# convolution kernels and subsampling coefficients) trained online with sgd on the first 2,000
# digits (test: the first 1,000 test digits), EPOCHS (default 5) epochs, seed 1, each variant at
# the best of the global rates RATES (lowest final test error, then loss):
#   plain     one global rate for every weight (the √n multipliers cancelled with lr.ROLE = 1/√n)
#   sqrt-n    the shared-weight rule: a weight shared by n connections gets √n (the default)
#   lower     √n and the lower-layer rule, lower-layer-rates = FACTOR (default 1.5) per layer
#   momentum  √n and momentum μ = 0.9, at the rate × (1 − μ) (the same effective step)
#
#   experiments/sec47-rates.sh        # → out/experiments/sec47-rates/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run
O="$(outdir sec47-rates)"
GRAPH="$HERE/../graphs/lenet1.graph"
EPOCHS="${EPOCHS:-5}"
RATES="${RATES:-0.0003 0.001 0.003 0.01}"
FACTOR="${FACTOR:-1.5}"
SUBSET=(--data-dir "$DATA" --set train-limit=2000 --set test-limit=1000 --seed 1 --optimizer sgd
        --epochs "$EPOCHS")

# The plain variant's graph: each shared parameter's lr.ROLE = 1/√connections, read from
# --describe, written on the last line of its node (--data-dir names the digits for the copy).
PLAIN="$O/plain.graph"
"$BIN/ebprop-run" "$GRAPH" --describe > "$O/describe.txt"
"$PYTHON" - "$GRAPH" "$O/describe.txt" "$PLAIN" <<'PY'
import math, re, sys
graph, describe, out = sys.argv[1:]
scale = {}
for line in open(describe):
    m = re.match(r"\s+(\w+)\.(\w+)\s+\S+\s+(\d+) connections", line)
    if m:
        scale.setdefault(m.group(1), []).append((m.group(2), 1 / math.sqrt(int(m.group(3)))))
lines = open(graph).read().split("\n")
node = None
for i, line in enumerate(lines):
    m = re.match(r"(\w+)\s*=", line)
    if m:
        node = m.group(1)
    if node in scale and not line.rstrip().endswith("\\"):
        code, _, comment = line.partition("#")
        keys = " ".join("lr.%s=%.10g" % (role, s) for role, s in scale[node])
        lines[i] = code.rstrip() + " " + keys + ("   #" + comment if comment else "")
        node = None
open(out, "w").write("\n".join(lines))
PY

run() {  # run NAME RATE GRAPH ARGS...
  local name=$1 rate=$2 graph=$3; shift 3
  "$BIN/ebprop-run" "$graph" "${SUBSET[@]}" --lr "$rate" "$@" --metrics "$O/$name-$rate.jsonl" \
    -q > "$O/$name-$rate.txt" 2>&1 || grep -q "diverged" "$O/$name-$rate.txt"
}
for rate in $RATES; do
  echo "== global rate $rate"
  run plain "$rate" "$PLAIN"
  run sqrt-n "$rate" "$GRAPH"
  run lower "$rate" "$GRAPH" --set "lower-layer-rates=$FACTOR"
  run momentum "$("$PYTHON" -c "print('%.6g' % ($rate * 0.1))")" "$GRAPH" --opt momentum=0.9
done

"$PYTHON" - "$O" "$HERE" "$RATES" "$EPOCHS" <<'PY'
import glob, json, math, os, sys
sys.path.insert(0, sys.argv[2])
from weight_space import curves_svg
out, rates, epochs = sys.argv[1], sys.argv[3].split(), int(sys.argv[4])
best, curves = {}, []
for name in ("plain", "sqrt-n", "lower", "momentum"):
    for path in glob.glob(f"{out}/{name}-*.jsonl"):
        ms = [json.loads(l) for l in open(path)]
        if len(ms) < epochs:
            continue  # diverged
        rate = os.path.basename(path)[len(name) + 1:-len(".jsonl")]
        key = (ms[-1]["test_error"], ms[-1]["test_loss"])
        if name not in best or key < best[name][0]:
            best[name] = (key, rate, ms)
print()
print("| variant | best global rate (momentum: × (1 − μ) applied) | test error after epoch 1 | after epoch %d | test MSE after epoch %d | train MSE after epoch %d |" % (epochs, epochs, epochs))
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for name in ("plain", "sqrt-n", "lower", "momentum"):
    if name not in best:
        print(f"| {name} | all diverged | | | | |")
        continue
    _, rate, ms = best[name]
    print("| %s | %s | %.2f %% | %.2f %% | %.4f | %.4f |" % (name, rate, ms[0]["test_error"],
          ms[-1]["test_error"], ms[-1]["test_loss"], ms[-1]["train_loss"]))
    curves.append((f"{name} (lr {rate})", [(m["epoch"], m["test_error"]) for m in ms]))
curves_svg(f"{out}/test-error.svg", "§4.7: test error against epochs, each at its best rate",
           "epoch", "test error (%)", curves)
print()
print(f"wrote {out}/test-error.svg")
PY
