#!/usr/bin/env bash
# §6.2 of Efficient BackProp: conjugate gradient (and quasi-Newton, Levenberg-Marquardt) win on
# "moderate sized problems with low redundancy where high accuracy is wanted"; stochastic backprop
# is faster on large redundant classification problems. Two problems, precision double, seed 1:
#   fit     graphs/fit-stanh.graph: a 2-10-1 stanh net (41 weights) fitting a smooth function
#           of two inputs on 400 examples (test: 200), MSE;
#   digits  experiments/digits-30.graph: 784-30-10 (23,860 weights) on the 8,000 bundled digits
#           (test: 2,000), MSE on ±1 targets.
# Optimizers: online SGD on a grid of rates (the best final training loss is "tuned"), SDLM on a
# grid (μ = 0.02, 500 samples per epoch), cg (Polak-Ribière), lbfgs (m = 10) and
# levenberg-marquardt (dense on the fit net, matrix-free conjugate gradient on the digits net).
# The stochastic runs are made with the training set as the test set, so that each epoch's
# "test" loss is the exact training loss at the epoch's end (the batch methods report it anyway);
# the best rate of each is run again on the real test set. The helper
# sec62-batch-vs-stochastic.py prints the tables (time and passes to targets) and draws the SVGs.
#
#   experiments/sec62-batch-vs-stochastic.sh          # → out/experiments/sec62-batch-vs-stochastic/
#   PROBLEMS=fit experiments/sec62-batch-vs-stochastic.sh     # only one problem
set -euo pipefail
source "$(dirname "$0")/common.sh"
need ebprop-run
O="$(outdir sec62-batch-vs-stochastic)"
PROBLEMS="${PROBLEMS:-fit digits}"

FIT_GRAPH="$HERE/../graphs/fit-stanh.graph"
FIT_TRAIN="$(cd "$HERE/../data/fit" && pwd)/train.csv"
FIT_EPOCHS="${FIT_EPOCHS:-1000}"          # SGD and SDLM epochs
FIT_ITERATIONS="${FIT_ITERATIONS:-2000}"  # cg and lbfgs iterations (grad-tol 1e-6 may stop sooner)
FIT_LM_ITERATIONS="${FIT_LM_ITERATIONS:-500}"
FIT_SGD_RATES="${FIT_SGD_RATES:-0.003 0.01 0.02 0.05 0.1}"
FIT_SDLM_RATES="${FIT_SDLM_RATES:-0.003 0.01 0.03 0.1}"

DIGITS_GRAPH="$HERE/digits-30.graph"
DIGITS_EPOCHS="${DIGITS_EPOCHS:-15}"
DIGITS_ITERATIONS="${DIGITS_ITERATIONS:-200}"
DIGITS_LM_ITERATIONS="${DIGITS_LM_ITERATIONS:-6}"
DIGITS_LM_CG="${DIGITS_LM_CG:-25}"        # G·v products per LM solve at most (default 250)
DIGITS_SGD_RATES="${DIGITS_SGD_RATES:-0.001 0.003 0.01}"
DIGITS_SDLM_RATES="${DIGITS_SDLM_RATES:-0.0003 0.001}"

run() {  # run PROBLEM NAME ARGS...: one training run; a diverged run is recorded, any other error stops
  local problem=$1 name=$2; shift 2
  local graph; [[ $problem == fit ]] && graph=$FIT_GRAPH || graph=$DIGITS_GRAPH
  local base="$O/$problem-$name"
  echo "== $problem $name"
  rm -f "$base.jsonl"
  set +e
  "$BIN/ebprop-run" "$graph" --seed 1 --set precision=double --metrics "$base.jsonl" "$@" \
    > "$base.txt" 2>&1
  local rc=$?
  set -e
  echo "$rc" > "$base.rc"
  if [[ $rc -ne 0 ]]; then
    if grep -q diverged "$base.txt"; then
      echo "   $(grep -m1 diverged "$base.txt")"
    else
      echo "error: ebprop-run failed (status $rc) for $problem $name:" >&2; cat "$base.txt" >&2; exit 1
    fi
  fi
}

best() {  # best PROBLEM OPT RATES...: the rate with the lowest final training loss
  "$PYTHON" - "$O" "$@" <<'PY'
import json, math, os, sys
out, problem, opt, rates = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def final(lr):
    base = f"{out}/{problem}-{opt}-{lr}-ontrain"
    if int(open(base + ".rc").read()) != 0 or not os.path.exists(base + ".jsonl"): return math.inf
    ms = [json.loads(l) for l in open(base + ".jsonl")]
    l = ms[-1]["test_loss"] if ms else None   # the training set, passed as the test set
    return l if l is not None and math.isfinite(l) else math.inf
print(min(rates, key=final))
PY
}

stochastic() {  # stochastic PROBLEM OPT EPOCHS RATES...: the grid on the training set, the best again
  local problem=$1 opt=$2 epochs=$3; shift 3
  local ontrain extra=()
  if [[ $problem == fit ]]; then
    ontrain=(--set "test-csv=$FIT_TRAIN")
  else
    ontrain=(--set "test-images=$DATA/train-images-idx3-ubyte.gz" --set "test-labels=$DATA/train-labels-idx1-ubyte.gz")
  fi
  [[ $opt == sdlm ]] && extra=(--opt mu=0.02 --opt samples=500 --opt estimate=sampled)
  for lr in "$@"; do
    run "$problem" "$opt-$lr-ontrain" --epochs "$epochs" --optimizer "$opt" --lr "$lr" "${extra[@]}" "${ontrain[@]}"
  done
  local b; b="$(best "$problem" "$opt" "$@")"
  echo "$b" > "$O/$problem-$opt.best"
  run "$problem" "$opt-$b" --epochs "$epochs" --optimizer "$opt" --lr "$b" "${extra[@]}"
}

for problem in $PROBLEMS; do
  case $problem in
    fit)
      stochastic fit sgd "$FIT_EPOCHS" $FIT_SGD_RATES
      stochastic fit sdlm "$FIT_EPOCHS" $FIT_SDLM_RATES
      run fit cg --optimizer cg --epochs "$FIT_ITERATIONS"
      run fit lbfgs --optimizer lbfgs --epochs "$FIT_ITERATIONS"
      run fit levenberg-marquardt --optimizer levenberg-marquardt --epochs "$FIT_LM_ITERATIONS"
      ;;
    digits)
      stochastic digits sgd "$DIGITS_EPOCHS" $DIGITS_SGD_RATES
      stochastic digits sdlm "$DIGITS_EPOCHS" $DIGITS_SDLM_RATES
      run digits cg --optimizer cg --epochs "$DIGITS_ITERATIONS"
      run digits lbfgs --optimizer lbfgs --epochs "$DIGITS_ITERATIONS"
      run digits levenberg-marquardt --optimizer levenberg-marquardt --epochs "$DIGITS_LM_ITERATIONS" \
        --opt "cg-iterations=$DIGITS_LM_CG"
      ;;
    *) echo "error: unknown problem '$problem' (fit or digits)" >&2; exit 2 ;;
  esac
done

"$PYTHON" "$HERE/sec62-batch-vs-stochastic.py" "$O" $PROBLEMS
