#!/usr/bin/env bash
# Runs libFuzzer targets for a given time each and reports executions and findings.
#
#   tests/fuzz/run.sh [TARGET...] --seconds N [--parallel P] [--merge] [--build DIR]
#
# TARGET is graph, idx, idx_gzip, csv, weights or checkpoint (default: all). Uses the clang
# sanitizer build with coverage instrumentation in DIR (default build-fuzz, configured here if it
# does not exist: -DEBPROP_FUZZ_COVERAGE=ON) and builds the targets there.
# Each run starts from the committed corpus tests/fuzz/corpus/TARGET and writes what it finds to
# a scratch corpus DIR/fuzz/corpus/TARGET, kept between runs; findings (crash-*, leak-*,
# timeout-*, oom-*) of the run land in DIR/fuzz/findings/TARGET, its log in DIR/fuzz/TARGET.log.
# --merge then adds to the committed corpus the scratch inputs that add coverage (-merge=1; log in
# DIR/fuzz/TARGET-merge.log).
# --parallel P runs P targets at a time (default 1), each under nice. Exit 1 if anything was found.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
source_dir=$(cd "$here/../.." && pwd -P)
all_targets=(graph idx idx_gzip csv weights checkpoint)

usage() {
  sed -n '4,5p' "$0" | sed 's/^# *//' >&2
  exit 2
}

targets=() seconds='' parallel=1 merge=false build=$source_dir/build-fuzz
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=${2:-}; shift 2 || usage ;;
    --parallel) parallel=${2:-}; shift 2 || usage ;;
    --build) build=${2:-}; shift 2 || usage ;;
    --merge) merge=true; shift ;;
    -h | --help) usage ;;
    -*) echo "run.sh: unknown option $1" >&2; usage ;;
    *)
      [[ " ${all_targets[*]} " == *" $1 "* ]] ||
        { echo "run.sh: unknown target '$1' (targets: ${all_targets[*]})" >&2; exit 2; }
      targets+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --seconds N is required (N > 0)" >&2; usage; }
[[ $parallel =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --parallel takes a count > 0" >&2; usage; }
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$source_dir" -B "$build" -DCMAKE_CXX_COMPILER=clang++ \
    -DEBPROP_SANITIZE=address,undefined -DEBPROP_FUZZ_COVERAGE=ON
fi
grep -q '^EBPROP_FUZZ_COVERAGE:BOOL=ON' "$build/CMakeCache.txt" ||
  { echo "run.sh: $build is not a fuzzing build (clang, -DEBPROP_SANITIZE=address,..., -DEBPROP_FUZZ_COVERAGE=ON)" >&2; exit 1; }
cmake --build "$build" -j2 --target ebprop_plugins "${targets[@]/#/fuzz_}"

# As in CTest: no plugins from the environment, every sanitizer report fatal, leaks reported.
export EBPROP_PLUGIN_PATH=
export ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# fuzz TARGET: one timed run; its log keeps libFuzzer's output.
fuzz() {
  local target=$1 scratch=$build/fuzz/corpus/$1 findings=$build/fuzz/findings/$1
  rm -rf "$findings"  # this run's findings only
  mkdir -p "$scratch" "$findings"
  nice "$build/bin/fuzz_$target" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -dict="$here/$target.dict" -artifact_prefix="$findings/" \
    "$scratch" "$here/corpus/$target" > "$build/fuzz/$target.log" 2>&1 || true
  if $merge; then
    nice "$build/bin/fuzz_$target" -merge=1 "$here/corpus/$target" "$scratch" \
      > "$build/fuzz/$target-merge.log" 2>&1
  fi
}

mkdir -p "$build/fuzz"
running=0
for target in "${targets[@]}"; do
  echo "fuzzing $target for $seconds s (log: $build/fuzz/$target.log)"
  fuzz "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

# The report: per target, executions, rate, coverage and corpus of the final line, and findings.
status=0
printf '%-9s %12s %8s %8s %8s %11s  %s\n' target executions exec/s cov ft corpus findings
for target in "${targets[@]}"; do
  log=$build/fuzz/$target.log
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }  # libFuzzer's -print_final_stats
  final=$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED|REDUCE|NEW|pulse)' "$log" | tail -n 1 || true)
  field() { sed -n "s/.* $1: *\([0-9]*\).*/\1/p" <<< "$final"; }
  corpus=$(sed -n 's/.* corp: *\([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<< "$final")
  found=$(find "$build/fuzz/findings/$target" -type f | wc -l)
  [ "$found" -eq 0 ] || status=1
  printf '%-9s %12s %8s %8s %8s %11s  %s\n' "$target" "$(stat number_of_executed_units)" \
    "$(stat average_exec_per_sec)" "$(field cov)" "$(field ft)" "${corpus:-?}" \
    "$found$( [ "$found" -eq 0 ] || echo " in $build/fuzz/findings/$target")"
done
exit $status
