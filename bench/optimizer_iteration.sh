#!/usr/bin/env bash
# The cost of one iteration (one epoch, for a stochastic optimizer) of each optimizer plugin,
# in units of one full-set gradient, on the digits net of experiments/sec62-batch-vs-stochastic.sh
# (experiments/digits-30.graph: 784-30-10, 23,860 weights, 8,000 training digits, precision
# double, seed 1). Method:
#   gradient  `--optimizer sgd --batch 8000`: one step per epoch, that is one gradient of the
#             mean loss over the 8,000 examples (the same objective call as the batch methods'
#             evaluations) and one w −= η g; the median epoch time is "one gradient" (t_g);
#   cg/lbfgs  their seconds per iteration s = e·t_e + t_f for their evaluations per iteration e
#             (about 2 and 1.2) give the cost of one evaluation in the line search (t_e, a cross-
#             check of t_g) and of the rest of an iteration (t_f: mostly the forward pass over the
#             8,000 by which the runner measures the training loss, inside a batch method's seconds);
#   each optimizer runs a few iterations with --metrics; its median seconds per iteration, the
#             evaluations and G·v products per iteration (from the metrics' counts) are reported,
#             and the ratio to t_g. For gauss-newton and levenberg-marquardt (matrix-free here:
#             23,860 weights > dense-max 2000) the cost of one G·v product is estimated as
#             (s/iteration − evaluations·t_e − t_f) / (G·v products per iteration).
#   bfgs and newton are not run: bfgs refuses the 23,860 weights (its n×n inverse Hessian would
#   take 4.6 GB); newton's dense Hessian needs n Hessian-vector products and the same memory.
#
#   bench/optimizer_iteration.sh          # EBPROP_BUILD: the build (default ../build); OUT: where
#                                         # the metrics go (default out/bench/optimizer-iteration)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="${EBPROP_BUILD:-$HERE/../build}/bin"
PYTHON="${PYTHON:-python3}"
GRAPH="$HERE/../experiments/digits-30.graph"
DATA="$(cd "$HERE/../data/mnist10k" && pwd)"
O="${OUT:-out/bench}/optimizer-iteration"
mkdir -p "$O"
O="$(cd "$O" && pwd)"
[[ -x $BIN/ebprop-run ]] || { echo "error: $BIN/ebprop-run not found: build first or set EBPROP_BUILD" >&2; exit 1; }
LM_CG="${LM_CG:-25}"

run() {  # run NAME ARGS...
  local name=$1; shift
  echo "== $name" >&2
  "$BIN/ebprop-run" "$GRAPH" --seed 1 --set precision=double --metrics "$O/$name.jsonl" "$@" \
    > "$O/$name.txt" 2>&1 || { echo "error: $name failed:" >&2; cat "$O/$name.txt" >&2; exit 1; }
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
run gradient --optimizer sgd --batch 8000 --lr 1e-9 --epochs 7
run sgd --optimizer sgd --lr 0.003 --epochs 2
run sdlm --optimizer sdlm --lr 0.001 --opt samples=500 --epochs 2
run adaptive --optimizer adaptive --lr 0.003 --epochs 2
run cg --optimizer cg --epochs 10
run lbfgs --optimizer lbfgs --epochs 10
run gauss-newton --optimizer gauss-newton --opt "cg-iterations=$LM_CG" --epochs 2
run levenberg-marquardt --optimizer levenberg-marquardt --opt "cg-iterations=$LM_CG" --epochs 2
echo "load after: $(uptime | sed 's/.*load average: //')"

"$PYTHON" - "$O" "$LM_CG" <<'PY'
import json, statistics, sys
out, lm_cg = sys.argv[1], sys.argv[2]
load = lambda n: [json.loads(l) for l in open(f"{out}/{n}.jsonl")]
g = statistics.median(m["seconds"] for m in load("gradient"))
# cg and lbfgs make different numbers of evaluations per iteration: s = e·t_e + t_f on both gives
# the time of one of their evaluations (t_e) and of the rest of an iteration (t_f: mostly the
# runner's forward pass for the training loss).
it = lambda n: (statistics.median(m["seconds"] for m in load(n)), load(n)[-1]["evaluations"] / len(load(n)))
(s1, e1), (s2, e2) = it("cg"), it("lbfgs")
te = (s1 - s2) / (e1 - e2)
tf = max(s1 - e1 * te, 0.0)
print(f"\none full-set gradient (sgd --batch 8000, median of 7 epochs): t_g = {g:.4f} s;"
      f" from cg and lbfgs: one evaluation t_e = {te:.4f} s = {te / g:.2f} t_g, the rest of an"
      f" iteration (the runner's forward pass for the training loss) t_f = {tf:.4f} s = {tf / g:.2f} t_g")
print("\n| optimizer | settings | iterations | s / iteration (median) | evaluations / it. |"
      " G·v / it. | passes / it. | ÷ one gradient | one G·v ÷ one gradient |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
rows = [("sgd (online)", "sgd", "η = 0.003, batch 1; an iteration = an epoch of 8,000 steps"),
        ("sdlm", "sdlm", "η = 0.001, μ = 0.02, 500 samples; an epoch"),
        ("adaptive", "adaptive", "η(0) = 0.003; an epoch"),
        ("cg", "cg", "Polak-Ribière, c2 = 0.1"),
        ("lbfgs", "lbfgs", "m = 10, c2 = 0.9"),
        ("gauss-newton", "gauss-newton", f"matrix-free, cg-iterations = {lm_cg}"),
        ("levenberg-marquardt", "levenberg-marquardt", f"matrix-free, cg-iterations = {lm_cg}")]
for label, name, settings in rows:
    ms = load(name)
    n = len(ms)
    s = statistics.median(m["seconds"] for m in ms)
    ev = ms[-1]["evaluations"] / n
    gv = ms[-1]["gauss_newton_vectors"] / n
    passes = ms[-1]["examples"] / 8000 / n
    per_gv = f"{(s - ev * te - tf) / gv / g:.2f}" if gv else "-"
    print(f"| {label} | {settings} | {n} | {s:.3f} | {ev:.1f} | {gv:.0f} | {passes:.2f} | {s / g:.2f} | {per_gv} |")
print("| bfgs | max-weights 5000 | - | - | - | - | - | refused: n = 23,860 (n² doubles = 4.6 GB) | - |")
print("| newton | dense Hessian | - | - | - | - | - | not run: n Hessian-vector products and n² doubles | - |")
PY
