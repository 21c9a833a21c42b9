#!/usr/bin/python3
"""Collects the runs of bench/run.sh and prints its tables.

  summarize.py record RESULTS PEER VARIANT BATCH THREADS < one-json-line
      appends one run to RESULTS (JSON lines); the input is ebprop-run's --metrics line or
      torch_mlp.py's output (the last JSON line is taken).
  summarize.py table RESULTS
      prints the per-configuration table, the learning check and the summary table.

The time of a configuration is the median of its runs (with two runs, the faster one: this
favours the peer, so a ratio from it is a lower bound for ebprop). Each peer's entry in the
summary is its fastest configuration (threads, BLAS) found in the same run of the script.
"""
import json
import statistics
import sys

# (batch, the aim's minimum of PyTorch seconds / ebprop seconds, how the aim is worded)
WORKLOADS = [(1, 5.0, ">= 5x"), (32, 1.0, ">= 1x")]
NAMES = {1: "(a) online, batch 1", 32: "(b) mini-batch 32"}


def record(path, peer, variant, batch, threads):
    lines = [line for line in sys.stdin.read().splitlines() if line.strip().startswith("{")]
    if not lines:
        sys.exit(f"summarize.py: no JSON line from the {peer} run (batch {batch}, {threads} threads)")
    run = json.loads(lines[-1])
    out = {"peer": peer, "variant": variant, "batch": int(batch), "threads": int(threads),
           "seconds": run["seconds"], "train_loss": run.get("train_loss"),
           "test_loss": run.get("test_loss"), "test_error": run.get("test_error")}
    with open(path, "a") as f:
        f.write(json.dumps(out) + "\n")
    print(f"  {peer:7} {variant:14} batch {batch:>2}  threads {threads}  {run['seconds']:7.2f} s"
          f"  train loss {out['train_loss']:.4f}  test error {out['test_error']:.2f} %", flush=True)


def typical(times):
    return min(times) if len(times) == 2 else statistics.median(times)


def how(times):
    return "faster of 2" if len(times) == 2 else ("1 run" if len(times) == 1 else f"median of {len(times)}")


def table(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    configs = {}
    for r in runs:
        configs.setdefault((r["batch"], r["peer"], r["variant"], r["threads"]), []).append(r)

    print("Every configuration (seconds of training per epoch, each run in the order made):")
    print()
    print("| workload | peer | BLAS | threads | runs (s) | s/epoch | train loss | test error |")
    print("| --- | --- | --- | ---: | --- | ---: | ---: | ---: |")
    best = {}
    for key in sorted(configs, key=lambda k: (k[0], k[1] != "ebprop", k[2], k[3])):
        batch, peer, variant, threads = key
        rs = configs[key]
        times = [r["seconds"] for r in rs]
        t = typical(times)
        print(f"| {NAMES[batch]} | {peer} | {variant} | {threads} | "
              f"{', '.join(f'{x:.2f}' for x in times)} | {t:.2f} ({how(times)}) | "
              f"{rs[0]['train_loss']:.4f} | {rs[0]['test_error']:.2f} % |")
        if (batch, peer) not in best or t < best[(batch, peer)][0]:
            best[(batch, peer)] = (t, threads, variant, how(times))
    print()

    print("Summary (each peer at its fastest setting in this run):")
    print()
    print("| workload | ebprop s/epoch (best threads) | PyTorch s/epoch (best threads) "
          "| ratio PyTorch/ebprop | aim | met? |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    missed = 0
    for batch, need, aim in WORKLOADS:
        e, p = best.get((batch, "ebprop")), best.get((batch, "pytorch"))
        if not e or not p:
            print(f"| {NAMES[batch]} | {'—' if not e else f'{e[0]:.2f}'} | "
                  f"{'—' if not p else f'{p[0]:.2f}'} | — | {aim} | not measured |")
            continue
        ratio = p[0] / e[0]
        met = ratio >= need
        missed += not met
        blas = "" if p[2] == "system" else f", {p[2]}"
        print(f"| {NAMES[batch]} | {e[0]:.2f} ({e[1]} thr) | {p[0]:.2f} ({p[1]} thr{blas}) | "
              f"{ratio:.2f}x | {aim} | {'yes' if met else 'NO'} |")
    print()
    return missed


def main(argv):
    if len(argv) == 7 and argv[1] == "record":
        record(*argv[2:])
        return 0
    if len(argv) == 3 and argv[1] == "table":
        table(argv[2])
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
