#!/usr/bin/env python3
"""Per-epoch table (markdown) of one or more --metrics files, and the first epoch at which each
run's test error is at or below given thresholds.

  table.py logs/a.jsonl [logs/b.jsonl ...]            # per-epoch table, side by side
  table.py --reach 3,2.5,2 logs/a.jsonl logs/b.jsonl  # first epoch reaching each threshold
  table.py --mean 3,2.5,2 'SDLM=logs/cmp-sdlm-s*.jsonl' 'SGD=logs/cmp-sgd-2e-3-a0-s*.jsonl'
      # per group (one file per seed): mean test error by epoch, and the first epoch at which
      # the mean curve reaches each threshold, with each seed's in brackets
"""
import glob, json, statistics, sys

def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]

args = sys.argv[1:]
if args and args[0] == '--mean':
    thresholds = [float(x) for x in args[1].split(',')]
    groups = []
    for spec in args[2:]:
        label, pattern = spec.split('=', 1)
        groups.append((label, [load(p) for p in sorted(glob.glob(pattern))]))
    def first(curve, t):
        return next((i + 1 for i, e in enumerate(curve) if e <= t + 1e-9), None)
    print('| optimizer | seeds | ' + ' | '.join(f'epochs to ≤ {t:g} %' for t in thresholds) +
          ' | mean error at 5 | at 10 | at 20 | s/epoch (median) |')
    print('|---' * (len(thresholds) + 6) + '|')
    for label, runs in groups:
        n = min(len(r) for r in runs)
        mean = [statistics.mean(r[e]['test_error'] for r in runs) for e in range(n)]
        cells = []
        for t in thresholds:
            m = first(mean, t)
            per = ','.join(str(first([x['test_error'] for x in r], t) or '–') for r in runs)
            cells.append(f"{m or '> %d' % n} ({per})")
        secs = sorted(x['seconds'] for r in runs for x in r)
        at = lambda e: f'{mean[e - 1]:.2f}' if e <= n else ''
        print(f'| {label} | {len(runs)} | ' + ' | '.join(cells) +
              f' | {at(5)} | {at(10)} | {at(20)} | {secs[len(secs) // 2]:.2f} |')
    print()
    print('| epoch | ' + ' | '.join(label for label, _ in groups) + ' |')
    print('|---' * (len(groups) + 1) + '|')
    n = max(min(len(r) for r in runs) for _, runs in groups)
    for e in range(n):
        print(f'| {e + 1} | ' + ' | '.join(
            f"{statistics.mean(r[e]['test_error'] for r in runs):.2f}" if e < min(len(r) for r in runs) else ''
            for _, runs in groups) + ' |')
    sys.exit(0)
reach = None
if args and args[0] == '--reach':
    reach = [float(x) for x in args[1].split(',')]
    args = args[2:]
runs = [(p, load(p)) for p in args]
if reach:
    print('| run | ' + ' | '.join(f'≤ {t:g} %' for t in reach) + ' | final | best | s/epoch (median) |')
    print('|---' * (len(reach) + 4) + '|')
    for path, rows in runs:
        cells = []
        for t in reach:
            hit = next((r['epoch'] for r in rows if r['test_error'] <= t + 1e-9), None)
            cells.append(str(hit) if hit else f'> {len(rows)}')
        secs = sorted(r['seconds'] for r in rows)
        print(f'| {path} | ' + ' | '.join(cells) +
              f" | {rows[-1]['test_error']:.2f} | {min(r['test_error'] for r in rows):.2f} | {secs[len(secs)//2]:.2f} |")
else:
    if len(runs) == 1:
        print('| epoch | η | train loss | train error % | test loss | test error % | seconds |')
        print('|---|---|---|---|---|---|---|')
        for r in runs[0][1]:
            print(f"| {r['epoch']} | {r.get('rate', float('nan')):g} | {r['train_loss']:.4f} | {r['train_error']:.2f} | "
                  f"{r['test_loss']:.4f} | {r['test_error']:.2f} | {r['seconds']:.1f} |")
        print(f"\ntotal training time {sum(r['seconds'] for r in runs[0][1]):.0f} s")
    else:
        n = max(len(rows) for _, rows in runs)
        print('| epoch | ' + ' | '.join(p for p, _ in runs) + ' |')
        print('|---' * (len(runs) + 1) + '|')
        for e in range(n):
            print(f'| {e + 1} | ' + ' | '.join(f"{rows[e]['test_error']:.2f}" if e < len(rows) else '' for _, rows in runs) + ' |')
