#!/usr/bin/env bash
# ebprop's batch optimizers (§6) against dlib's on the same test problems: see bench/README.md.
#
#   bench/optimizers/run.sh [BUILD-DIR] [--quick] [--iteration-cost]
#
#   BUILD-DIR  an ebprop build holding bin/ebprop-optimize and its plugins (default: build/ of the
#              checkout); built there first (targets ebprop-optimize and the plugins) when missing
#   --quick    only the small problems (rosenbrock-2, wood)
#   --iteration-cost  then also the cost of one iteration of each optimizer against one gradient
#              on a small MLP over the bundled digits (iteration_cost.cpp; about 5 minutes: Newton
#              forms the dense Hessian)
#
# Problems: rosenbrock-2 from (−1.2, 1), chained rosenbrock-100 and -1000 (start −1.2, 1, …),
# wood from (−3, −1, −3, −1); all to ‖∇E‖ < 1e-6 (each peer's gradient-norm stop). Methods:
# cg, bfgs, lbfgs, levenberg-marquardt, gauss-newton, newton (the ones the build registers) with
# ebprop-optimize; cg, bfgs, lbfgs(10), newton and solve_least_squares_lm with the dlib peer
# (dlib_peer.cpp, built into bench/build/ by bench/CMakeLists.txt). The second-order methods
# (dense n × n systems) skip rosenbrock-1000. Each run is cut after BENCH_RUN_TIMEOUT seconds
# (default 300). Prints the machine, its load, and a Markdown table (table.py).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench=$(dirname "$here")
root=$(dirname "$bench")
build=$root/build quick=0 cost=0
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --iteration-cost) cost=1 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) build=$(cd "$1" && pwd) ;;
  esac
  shift
done
timeout_s=${BENCH_RUN_TIMEOUT:-300}
tool=$build/bin/ebprop-optimize
peer_build=$bench/build
peer=$peer_build/dlib-optimize

# --- Prerequisites ---------------------------------------------------------------------------
if [[ ! -x $tool ]]; then
  echo "Building ebprop-optimize in $build ..."
  cmake --build "$build" -j2 --target ebprop-optimize ebprop_plugins >/dev/null
fi
if [[ ! -x $peer || $here/dlib_peer.cpp -nt $peer ]]; then
  echo "Building $peer ..."
  cmake -S "$bench" -B "$peer_build" -DEBPROP_BUILD="$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$peer_build" --target dlib-optimize >/dev/null
fi
if ((cost)); then
  cmake -S "$bench" -B "$peer_build" -DEBPROP_BUILD="$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$peer_build" --target iteration-cost >/dev/null
fi

problems=(rosenbrock-2 wood)
((quick)) || problems+=(rosenbrock-100 rosenbrock-1000)
known=$("$tool" --help | sed -n 's/^Optimizers: //p')
methods=()
for m in cg bfgs lbfgs levenberg-marquardt gauss-newton newton; do
  [[ ", $known, " == *", $m, "* ]] && methods+=("$m")
done
second_order=" levenberg-marquardt gauss-newton newton "

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
echo "date:     $(date '+%Y-%m-%d %H:%M %Z')"
echo "machine:  $cpu, $(nproc) cores; $(uptime | sed 's/.*load average/load average/') at start"
echo "ebprop:   $tool ($(git -C "$root" log -1 --format=%h 2>/dev/null || echo '?'))"
echo "dlib:     $(dpkg-query -W -f='${Version}' libdlib-dev 2>/dev/null || echo '?')"
echo "methods:  ${methods[*]}"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for p in "${problems[@]}"; do
  f=${p%%-*} n=${p#*-}
  [[ $p == wood ]] && f=wood n=4
  for m in "${methods[@]}"; do
    if [[ $p == rosenbrock-1000 && $second_order == *" $m "* ]]; then continue; fi
    echo "  ebprop $m on $p (load $(cut -d' ' -f1 /proc/loadavg))"
    status=0
    timeout "$timeout_s" "$tool" --optimizer "$m" --function "$f" --dim "$n" --quiet \
      >"$out/run" 2>&1 || status=$?
    if ((status == 0 || status == 3)); then
      tail -n 1 "$out/run" | sed "s/^{/{\"peer\": \"ebprop\", \"method\": \"$m\", \"problem\": \"$p\", \"status\": $status, /" >>"$out/results.jsonl"
    else
      echo "{\"peer\": \"ebprop\", \"method\": \"$m\", \"problem\": \"$p\", \"status\": $status, \"failed\": true}" >>"$out/results.jsonl"
    fi
  done
  dlib_methods=cg,bfgs,lbfgs,newton,levenberg-marquardt
  [[ $p == rosenbrock-1000 ]] && dlib_methods=cg,bfgs,lbfgs
  for m in ${dlib_methods//,/ }; do
    echo "  dlib $m on $p (load $(cut -d' ' -f1 /proc/loadavg))"
    status=0
    timeout "$timeout_s" "$peer" --problems "$p" --methods "$m" >"$out/run" 2>&1 || status=$?
    if ((status == 0)); then
      cat "$out/run" >>"$out/results.jsonl"
    else
      echo "{\"peer\": \"dlib\", \"method\": \"$m\", \"problem\": \"$p\", \"status\": $status, \"failed\": true}" >>"$out/results.jsonl"
    fi
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo
python3 "$here/table.py" "$out/results.jsonl"
if ((cost)); then
  echo
  echo "Cost of one iteration (load $(cut -d' ' -f1-3 /proc/loadavg)):"
  "$peer_build/iteration-cost" --optimizers "$(IFS=,; echo "${methods[*]}")"
  echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
