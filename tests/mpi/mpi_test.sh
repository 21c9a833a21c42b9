#!/bin/bash
# Data-parallel training on MPI (docs/mpi.md), through mpirun as a user runs it:
#  - the same seed and global batch give bit-identical models for 1, 2, 3 and 4 ranks, and for
#    one process with [run] reproducible = true, for mini-batch SGD, SDLM, emphasizing, L-BFGS on
#    the whole set and Levenberg-Marquardt; a checkpoint written by 2 ranks resumes on 3 into the
#    same model as an uninterrupted run;
#  - only rank 0 prints and writes;
#  - ranks that disagree are refused at start, naming the rank and the setting; an error on one
#    rank at start is reported once by rank 0; an error shared by all ranks once, as one process
#    prints it; an error on one rank during training ends every rank, naming it; a killed rank
#    stops the others within seconds, and mpirun names it.
# Usage: mpi_test.sh BUILD_DIR SOURCE_DIR [quick]
# quick (the sanitizer build, where every run is several times slower): 1 and 3 ranks, and the
# identity checks of SGD, momentum SGD at uneven splits and L-BFGS only; the rest all the same.
set -u
build=$1
source=$2
quick=${3:-}
ranks="1 2 3 4"
[ "$quick" = quick ] && ranks="1 3"
run=$build/bin/ebprop-run
graphs=$source/graphs
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
# CI runs as root; more ranks than cores need --oversubscribe.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
mpi() {  # mpi N ARGS...: mpirun with a time limit
  local n=$1
  shift
  timeout 300 mpirun -np "$n" "$@"
}

# identical NAME ARGS...: the model of ARGS is the same file for each of $ranks ranks and one
# process.
identical() {
  local name=$1 before=$failures
  shift
  for n in $ranks; do
    mpi $n "$run" "$@" -q --save "$name.$n.model" > "$name.$n.out" 2>&1 ||
      fail "$name on $n ranks: $(tail -3 "$name.$n.out")"
  done
  "$run" "$@" -q --set reproducible=true --set threads=2 --save "$name.0.model" > "$name.0.out" 2>&1 ||
    fail "$name in one process: $(tail -3 "$name.0.out")"
  for n in 0 $ranks; do
    cmp -s "$name.1.model" "$name.$n.model" || fail "$name: the model of $n ranks differs from 1 rank's"
  done
  [ $failures = "$before" ] &&
    echo "ok: $name, bit-identical for ranks ${ranks// /, } and one process: $(tail -1 "$name.1.out")"
}

mnist="--set train-limit=1200 --set test-limit=500"
# Blocks of 8 examples: batches of many blocks, split unevenly among 3 ranks; plain SGD and the
# batch methods run at the default block of 64.
identical sgd "$graphs/digits-mlp.graph" --epochs 2 --batch 256 $mnist
identical sgd-momentum "$graphs/digits-mlp.graph" --epochs 1 --batch 40 --set block=8 --opt momentum=0.9 $mnist
identical lbfgs "$graphs/digits-mlp.graph" --epochs 3 --optimizer lbfgs $mnist
if [ "$quick" != quick ]; then
identical sdlm "$graphs/digits-mlp.graph" --epochs 1 --batch 32 --set block=8 --optimizer sdlm $mnist
identical emphasize "$graphs/digits-mlp.graph" --epochs 2 --batch 24 --set block=8 --set order=emphasize $mnist
identical lm "$graphs/fit-stanh.graph" --epochs 3 --optimizer levenberg-marquardt
identical lenet5 "$graphs/lenet5.graph" --epochs 1 --batch 32 --set block=8 --set train-limit=256 --set test-limit=64
fi

# The plain sums of one process are another order: the test above can fail.
"$run" "$graphs/digits-mlp.graph" --epochs 2 --batch 256 $mnist -q --save plain.model > /dev/null
cmp -s plain.model sgd.1.model && fail "the plain one-process sums are bit-identical to the tree's"

# Resume: 2 ranks write a checkpoint after epoch 1; 3 ranks continue to epoch 2.
mpi 2 "$run" "$graphs/digits-mlp.graph" --epochs 1 --batch 256 $mnist -q --checkpoint c.ckpt > /dev/null 2>&1 ||
  fail "checkpoint on 2 ranks"
mpi 3 "$run" "$graphs/digits-mlp.graph" --epochs 2 --batch 256 $mnist -q --resume c.ckpt --save resumed.model \
  > resumed.out 2>&1 || fail "resume on 3 ranks: $(tail -3 resumed.out)"
cmp -s resumed.model sgd.1.model || fail "resumed on 3 ranks: not the model of the uninterrupted run"
echo "ok: resume"

# Rank 0 alone prints: one header and one line per epoch.
mpi 3 "$run" "$graphs/digits-mlp.graph" --epochs 2 --batch 64 $mnist > printed.out 2>&1
[ "$(grep -c '^epoch ' printed.out)" = 2 ] || fail "epoch lines of 3 ranks: $(cat printed.out)"
grep -q "sums: reproducible, in blocks of 64 examples added in a fixed tree, over 3 MPI ranks" printed.out ||
  fail "header: $(head -6 printed.out)"
echo "ok: printing"

# A wrapper that gives rank 1 other arguments, or kills it.
cat > rank1.sh << 'WRAP'
#!/bin/sh
if [ "$OMPI_COMM_WORLD_RANK" != 1 ]; then exec "$@"; fi
if [ -n "${KILL_AFTER:-}" ]; then
  "$@" & pid=$!
  sleep "$KILL_AFTER"
  kill -9 $pid
  wait $pid
  exit $?
fi
exec "$@" $RANK1
WRAP
chmod +x rank1.sh

expect() {  # expect NAME STATUS TEXT OUTPUT_FILE
  local name=$1 status=$2 text=$3 out=$4 before=$failures
  [ "$status" != 0 ] || fail "$name: exit status 0"
  grep -qF -- "$text" "$out" || fail "$name: no '$text' in: $(cat "$out")"
  [ $failures = "$before" ] && echo "ok: $name"
}
RANK1="--set seed=2" mpi 3 ./rank1.sh "$run" "$graphs/digits-mlp.graph" --epochs 1 $mnist -q > seed.out 2>&1
expect "ranks that disagree" $? "ebprop-run: error: the ranks disagree (every rank must run the same graph, settings, data and weights): setting run.seed: '2' on rank 1, '1' on rank 0" seed.out
RANK1="--set train-csv=/nonexistent/train.csv" mpi 3 ./rank1.sh "$run" "$graphs/digits-mlp.graph" \
  --epochs 1 $mnist -q > missing.out 2>&1
expect "an error on one rank at start" $? "ebprop-run: rank 1 of 3: error: /nonexistent/train.csv" missing.out
mpi 2 "$run" "$graphs/none.graph" > shared.out 2>&1
expect "an error on every rank" $? "ebprop-run: error: cannot read graph file '$graphs/none.graph'" shared.out
[ "$(grep -c 'cannot read graph file' shared.out)" = 1 ] || fail "the shared error is printed more than once"

# An error on one rank in the middle of training: rank 0's --metrics directory disappears, its
# next write fails, and every rank ends at once, rank 0 naming itself.
mkdir gone
mpi 2 "$run" "$graphs/digits-mlp.graph" --epochs 1000 --batch 32 -q --metrics gone/m.jsonl \
  > midrun.out 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s gone/m.jsonl ] && break; sleep 0.1; done
rm -rf gone
wait $pid
expect "an error on one rank during training" $? "ebprop-run: rank 0 of 2: error: " midrun.out

start=$(date +%s)
KILL_AFTER=3 mpi 2 ./rank1.sh "$run" "$graphs/digits-mlp.graph" --epochs 1000 --batch 32 -q > killed.out 2>&1
status=$?
seconds=$(($(date +%s) - start))
expect "a killed rank" $status "Process name: [[" killed.out
grep -q ",1\]" killed.out || fail "mpirun does not name rank 1: $(cat killed.out)"
[ $seconds -lt 20 ] || fail "a killed rank: the run took $seconds s to end"
echo "  (ended ${seconds} s after the start, the kill at 3 s)"

[ $failures = 0 ] && echo "all MPI checks passed" || echo "$failures MPI checks failed"
exit $((failures != 0))
