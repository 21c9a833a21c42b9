#!/usr/bin/env bash
# §9.1 of Efficient BackProp: stochastic diagonal Levenberg-Marquardt against carefully tuned
# online SGD, on the main job's network (graphs/digits-mlp.graph: 784-300-10, 8,000 training and
# 2,000 test digits), 10 epochs each, seed 1. Both are tuned on a log grid of global rates, the
# best rate being the one with the lowest test MSE after the last epoch:
#   SGD  η ∈ {1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2}, no momentum;
#   SDLM η ∈ {1e-4, 3e-4, 1e-3, 2e-3}, μ = 0.02, diagonal sampled on 500 examples before each epoch.
# Then: the epochs and training seconds each best run needs to reach the same test MSE (the worse
# of the two final test MSEs), linearly interpolated between epochs, and their ratio.
#
#   experiments/sdlm-vs-sgd.sh        # → out/experiments/sdlm-vs-sgd/
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run ebprop-plot
O="$(outdir sdlm-vs-sgd)"
GRAPH="$HERE/../graphs/digits-mlp.graph"
EPOCHS="${EPOCHS:-10}"
SGD_RATES="${SGD_RATES:-0.0001 0.0003 0.001 0.002 0.003 0.01}"
SDLM_RATES="${SDLM_RATES:-0.0001 0.0003 0.001 0.002}"

run() {  # run NAME ARGS...: one training run; a diverged run is recorded, any other error stops
  local name=$1; shift
  echo "== $name"
  rm -f "$O/$name.jsonl"
  set +e
  "$BIN/ebprop-run" "$GRAPH" --epochs "$EPOCHS" --seed 1 --metrics "$O/$name.jsonl" "$@" \
    > "$O/$name.txt" 2>&1
  local rc=$?
  set -e
  echo "$rc" > "$O/$name.rc"
  if [[ $rc -ne 0 ]]; then
    if grep -q diverged "$O/$name.txt"; then
      echo "   $(grep -m1 diverged "$O/$name.txt")"
    else
      echo "error: ebprop-run failed (status $rc) for $name:" >&2; cat "$O/$name.txt" >&2; exit 1
    fi
  fi
}

for lr in $SGD_RATES; do run "sgd-$lr" --optimizer sgd --lr "$lr"; done
for lr in $SDLM_RATES; do
  run "sdlm-$lr" --optimizer sdlm --lr "$lr" --opt mu=0.02 --opt samples=500 --opt estimate=sampled
done

"$PYTHON" - "$O" "$EPOCHS" "$SGD_RATES" "$SDLM_RATES" <<'PY'
import json, math, os, sys
out, epochs = sys.argv[1], int(sys.argv[2])
grids = {"sgd": sys.argv[3].split(), "sdlm": sys.argv[4].split()}

def load(name):
    path = f"{out}/{name}.jsonl"
    ms = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
    return ms, int(open(f"{out}/{name}.rc").read())

print(f"\n§9.1: 784-300-10 on 8,000 digits (test: 2,000), online, {epochs} epochs, seed 1")
print("| optimizer | η | test MSE ep. 1 | ep. 3 | ep. 5 | final | final test error | s/epoch |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
best = {}
for opt, rates in grids.items():
    for lr in rates:
        ms, rc = load(f"{opt}-{lr}")
        cell = lambda e: (f"{ms[e-1]['test_loss']:.4f}" if len(ms) >= e and ms[e-1]['test_loss'] is not None
                          else ("diverged" if rc else "-"))
        done = len(ms) == epochs and rc == 0 and ms[-1]["test_loss"] is not None
        final = ms[-1]["test_loss"] if done else math.inf
        sec = sum(m["seconds"] for m in ms) / len(ms) if ms else math.nan
        err = f"{ms[-1]['test_error']:.2f} %" if done else "diverged"
        print(f"| {opt} | {lr} | {cell(1)} | {cell(3)} | {cell(5)} | {cell(epochs) if done else 'diverged'}"
              f" | {err} | {sec:.2f} |")
        if final < best.get(opt, (math.inf,))[0]:
            best[opt] = (final, lr, ms)

if len(best) < 2:
    sys.exit("error: every run of one optimizer diverged; nothing to compare")
target = max(best["sgd"][0], best["sdlm"][0])

def reach(ms):  # (epochs, seconds) to first reach the target, linear between epoch ends
    t_prev, l_prev, s_prev = 0.0, None, 0.0
    for m in ms:
        s = s_prev + m["seconds"]
        l = m["test_loss"]
        if l <= target:
            if l_prev is None:
                return m["epoch"], s, True   # already there after the first epoch
            f = (l_prev - target) / (l_prev - l)
            return m["epoch"] - 1 + f, s_prev + f * m["seconds"], False
        l_prev, s_prev = l, s
    return math.nan, math.nan, False

with open(f"{out}/test-mse.csv", "w") as f:
    f.write(f"epoch,SGD η={best['sgd'][1]},SDLM η={best['sdlm'][1]}\n")
    for e in range(1, epochs + 1):
        f.write(f"{e},{best['sgd'][2][e-1]['test_loss']:.6g},{best['sdlm'][2][e-1]['test_loss']:.6g}\n")
with open(f"{out}/best.txt", "w") as f:
    f.write(f"sgd {best['sgd'][1]}\nsdlm {best['sdlm'][1]}\n")

print(f"\nbest rates by final test MSE: SGD η = {best['sgd'][1]}, SDLM η = {best['sdlm'][1]};"
      f" target test MSE = {target:.4f} (the worse of the two finals)")
print("| optimizer | η | final test MSE | epochs to target | seconds to target (training) |")
print("|---|---:|---:|---:|---:|")
r = {}
for opt in ("sgd", "sdlm"):
    final, lr, ms = best[opt]
    ep, sec, first = reach(ms)
    r[opt] = (ep, sec)
    print(f"| {opt.upper()} | {lr} | {final:.4f} | {'≤ ' if first else ''}{ep:.2f} | {sec:.2f} |")
print(f"\nSGD / SDLM: {r['sgd'][0] / r['sdlm'][0]:.2f}× the epochs, "
      f"{r['sgd'][1] / r['sdlm'][1]:.2f}× the seconds (the paper's rule of thumb: SDLM ≈ 3× faster)")

print(f"\nepochs to the same target ({target:.4f}) for every rate of both grids:")
print("| optimizer | η | epochs to target | seconds to target |")
print("|---|---:|---:|---:|")
for opt, rates in grids.items():
    for lr in rates:
        ms, rc = load(f"{opt}-{lr}")
        ep, sec, first = reach(ms)
        if math.isnan(ep): print(f"| {opt} | {lr} | not reached | - |")
        else: print(f"| {opt} | {lr} | {'≤ ' if first else ''}{ep:.2f} | {sec:.2f} |")
PY

read -r _ SGD_BEST < <(grep '^sgd ' "$O/best.txt")
read -r _ SDLM_BEST < <(grep '^sdlm ' "$O/best.txt")
"$BIN/ebprop-plot" "$O/test-mse.csv" -o "$O/test-mse.svg" --x epoch \
  --y "SGD η=$SGD_BEST" --y "SDLM η=$SDLM_BEST" \
  --title "§9.1: SDLM vs tuned SGD, 784-300-10 on 8,000 digits" --ylabel "test MSE"
echo
echo "plot: $O/test-mse.svg"
