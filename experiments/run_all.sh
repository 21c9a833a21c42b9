#!/usr/bin/env bash
# Runs every experiment of docs/experiments.md, one after another, each script's output into
# ${OUT:-out/experiments}/logs/NAME.log with the commit, the date, the load average before and
# after, and the wall time at its head — the record docs/experiments.md is written from.
# NAMES (default: all but lenet5-mnist, which takes about 12 minutes and needs the full MNIST)
# picks some; e.g. NAMES="fig10-12-lms lenet5-mnist" experiments/run_all.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL="fig10-12-lms fig13-14-one-one-one fig15-transforms fig21-layer-curvature fig22-23-sdlm-toy
     sec42-presentation sec47-rates fig24-online-lambda fig25-eta-ratio fig24-26-paper-net
     sdlm-vs-sgd fig19-spectrum sec62-batch-vs-stochastic"
LOGS="${OUT:-out/experiments}/logs"
mkdir -p "$LOGS"
commit="$(git -C "$HERE" rev-parse --short HEAD)$(git -C "$HERE" diff --quiet HEAD || echo '+changes')"
for name in ${NAMES:-$ALL}; do
  script="$HERE/$name.sh"
  if [[ ! -x $script ]]; then echo "error: $script: no such experiment" >&2; exit 1; fi
  log="$LOGS/$name.log"
  echo "== $name"
  start=$(date +%s)
  {
    echo "experiment: $name"
    echo "commit:     $commit"
    echo "date:       $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before)"
    echo
  } > "$log"
  "$script" >> "$log" 2>&1
  {
    echo
    echo "wall time:  $(( $(date +%s) - start )) s; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  } >> "$log"
  tail -n 1 "$log"
done
