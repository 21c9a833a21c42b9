#!/usr/bin/python3
"""Collects the runs of bench/run.sh and bench/lenet5.sh and prints their tables.

  summarize.py record RESULTS PEER VARIANT BATCH THREADS [RSS-FILE] < one-json-line
      appends one run to RESULTS (JSON lines). The input is ebprop-run's --metrics line, a peer's
      line (torch_mlp.py, torch_lenet5.py, dlib-nets) or a floor line (floor; PEER is then
      "floor" and VARIANT its mode: online, batch or gemm); the last JSON line is taken.
      RSS-FILE holds `/usr/bin/time -f %M`'s output: the run's peak resident memory in KiB.
  summarize.py table RESULTS NET EXAMPLES
      prints NET's tables (NET: mlp or lenet5; EXAMPLES: training examples of an epoch): every
      configuration, the floors, the summary against every peer, 2 threads against 1, and the
      verdict on issue 10's aims.

The time of a configuration is the median of its runs (with two runs, the faster one: this
favours the peer, so a ratio from it is a lower bound for ebprop). Each peer's entry in the
summary is its fastest configuration (threads, BLAS) found in the same run of the script; a
floor's is its fastest thread count.
"""
import json
import statistics
import sys

NAMES = {1: "(a) online, batch 1", 32: "(b) mini-batch 32"}
PEERS = ("ebprop", "pytorch", "dlib")
LABEL = {"ebprop": "ebprop", "pytorch": "PyTorch", "dlib": "dlib"}

# Multiply-adds per example of the products of each net's layers (the work of the graph as
# defined; pointwise functions, pooling, biases and the loss are not counted):
#   MLP 784-300-10: 784·300 + 300·10.
#   LeNet-5 (graphs/lenet5.graph): C1 6·28²·25 (1 input map), C3 60 connections of Table I ·10²·25,
#   C5 120·16·25, F6 120·84, output 84·10.
# An SGD step costs per example 2 FLOPs per multiply-add for the forward product, the same for the
# weight gradient, and the same for the gradient sent back, except from the first layer (whose
# input is the data).
MACS = {"mlp": [784 * 300, 300 * 10],
        "lenet5": [6 * 28 * 28 * 25, 60 * 10 * 10 * 25, 120 * 16 * 25, 120 * 84, 84 * 10]}


def flops_per_example(net):
    macs = MACS[net]
    return 2 * (3 * sum(macs) - macs[0])


# Issue 10's aims: (batch, PyTorch / ebprop at least, ebprop / floor at most, 2-thread speed-up of
# ebprop at least).
AIMS = {"mlp": {1: (10.0, 1.3, 1.0), 32: (2.0, 1.3, 1.6)},
        "lenet5": {1: (8.0, None, 1.0), 32: (2.0, None, 1.6)}}
MEMORY_AIM = 1.5  # ebprop's peak RSS at most 1.5x PyTorch's


def record(path, peer, variant, batch, threads, rss_file=None):
    lines = [line for line in sys.stdin.read().splitlines() if line.strip().startswith("{")]
    if not lines:
        sys.exit(f"summarize.py: no JSON line from the {peer} run (batch {batch}, {threads} threads)")
    run = json.loads(lines[-1])
    rss = run.get("peak_rss_kb")
    if rss_file:
        with open(rss_file) as f:
            values = [x for x in f.read().split() if x.isdigit()]
        if values:
            rss = int(values[-1])
    out = {"peer": peer, "variant": variant, "batch": int(batch), "threads": int(threads),
           "seconds": run["seconds"], "train_loss": run.get("train_loss"),
           "test_loss": run.get("test_loss"), "test_error": run.get("test_error"),
           "gflops": run.get("gflops"), "peak_rss_kb": rss}
    with open(path, "a") as f:
        f.write(json.dumps(out) + "\n")
    mem = f"  peak RSS {rss / 1024:6.1f} MiB" if rss else ""
    if peer == "floor":
        what = f"{run['gflops']:.1f} GFLOP/s" if variant == "gemm" else f"{run['seconds']:7.3f} s"
        print(f"  floor   {variant:14} batch {batch:>2}  threads {threads}  {what}", flush=True)
        return
    print(f"  {peer:7} {variant:14} batch {batch:>2}  threads {threads}  {run['seconds']:7.3f} s"
          f"  train loss {out['train_loss']:.4f}  test error {out['test_error']:.2f} %{mem}",
          flush=True)


def typical(times):
    return min(times) if len(times) == 2 else statistics.median(times)


def how(times):
    return "faster of 2" if len(times) == 2 else ("1 run" if len(times) == 1 else f"median of {len(times)}")


def sec(x):
    """Seconds with 3 significant digits at least (short runs of --train-limit are fractions)."""
    return f"{x:.2f}" if x >= 10 else f"{x:.3f}"


def mib(kb):
    return f"{kb / 1024:.0f}" if kb else "—"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "—"


def table(path, net, examples):
    examples = int(examples)
    runs = [json.loads(line) for line in open(path) if line.strip()]
    configs = {}
    for r in runs:
        configs.setdefault((r["peer"], r["variant"], r["batch"], r["threads"]), []).append(r)

    # --- every configuration
    print("Every configuration (seconds of training per epoch, each run in the order made):")
    print()
    print("| workload | peer | BLAS | threads | runs (s) | s/epoch | train loss | test error "
          "| peak RSS MiB |")
    print("| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: |")
    best = {}    # (peer, batch) -> dict(t, threads, variant, rss)
    by_threads = {}  # (peer, batch, threads) -> t
    order = {p: i for i, p in enumerate(PEERS)}
    for key in sorted((k for k in configs if k[0] != "floor"),
                      key=lambda k: (k[2], order.get(k[0], 9), k[1], k[3])):
        peer, variant, batch, threads = key
        rs = configs[key]
        times = [r["seconds"] for r in rs]
        t = typical(times)
        rss = max((r["peak_rss_kb"] or 0) for r in rs) or None
        print(f"| {NAMES.get(batch, f'batch {batch}')} | {peer} | {variant} | {threads} | "
              f"{', '.join(sec(x) for x in times)} | {sec(t)} ({how(times)}) | "
              f"{rs[0]['train_loss']:.4f} | {rs[0]['test_error']:.2f} % | {mib(rss)} |")
        by_threads[(peer, batch, threads)] = min(t, by_threads.get((peer, batch, threads), t))
        if (peer, batch) not in best or t < best[(peer, batch)]["t"]:
            best[(peer, batch)] = {"t": t, "threads": threads, "variant": variant, "rss": rss}
    print()

    # --- floors
    floor = {}    # batch -> (seconds, threads)
    ceiling = {}  # threads -> GFLOP/s
    fl = sorted((k for k in configs if k[0] == "floor"),
                key=lambda k: (["online", "batch", "gemm"].index(k[1]), k[2], k[3]))
    if fl:
        print("Floors and ceiling (bench/floor.cpp, Eigen, float; median of the runs):")
        print()
        print("| floor | batch | threads | runs | median |")
        print("| --- | ---: | ---: | --- | ---: |")
        for key in fl:
            _, variant, batch, threads = key
            rs = configs[key]
            if variant == "gemm":
                g = statistics.median(r["gflops"] for r in rs)
                ceiling[threads] = g
                each = ", ".join(f"{r['gflops']:.1f}" for r in rs)
                print(f"| GEMM ceiling (1024³) | — | {threads} | {each} GFLOP/s | {g:.1f} GFLOP/s |")
                continue
            t = statistics.median(r["seconds"] for r in rs)
            name = "online kernels" if variant == "online" else "mini-batch GEMMs"
            each = ", ".join(f"{r['seconds']:.3f}" for r in rs)
            print(f"| {name} | {batch} | {threads} | {each} s | {t:.3f} s/epoch |")
            if batch not in floor or t < floor[batch][0]:
                floor[batch] = (t, threads)
        print()

    # --- summary against every peer
    fpe = flops_per_example(net)
    print(f"Summary (each peer at its fastest setting in this run; {examples} examples an epoch; "
          f"{fpe / 1e6:.3f} MFLOP an example for an SGD step):")
    print()
    print("| workload | ebprop s (thr) | PyTorch s (thr) | dlib s (thr) | PyTorch/ebprop "
          "| dlib/ebprop | floor s (thr) | ebprop/floor | ebprop GFLOP/s | of ceiling "
          "| peak RSS MiB ebprop / PyTorch / dlib | RSS ebprop/PyTorch | RSS dlib/PyTorch |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    summary = {}
    for batch in sorted({k[1] for k in best}):
        e, p, d = (best.get((peer, batch)) for peer in PEERS)
        cell = lambda b: f"{sec(b['t'])} ({b['threads']})" if b else "—"  # noqa: E731
        et = e["t"] if e else None
        fs = floor.get(batch)
        gf = fpe * examples / et * 1e-9 if et else None
        ceil = ceiling.get(e["threads"]) if e else None
        s = {"pytorch": p["t"] / et if e and p else None,
             "floor": et / fs[0] if e and fs else None,
             "rss": e["rss"] / p["rss"] if e and p and e["rss"] and p["rss"] else None}
        summary[batch] = s
        print(f"| {NAMES.get(batch, f'batch {batch}')} | {cell(e)} | {cell(p)} | {cell(d)} "
              f"| {ratio(p and p['t'], et)} | {ratio(d and d['t'], et)} "
              f"| {f'{fs[0]:.3f} ({fs[1]})' if fs else '—'} | {ratio(et, fs and fs[0])} "
              f"| {f'{gf:.2f}' if gf else '—'} | {f'{100 * gf / ceil:.0f} %' if gf and ceil else '—'} "
              f"| {' / '.join(mib(b and b['rss']) for b in (e, p, d))} "
              f"| {ratio(e and e['rss'], p and p['rss'])} | {ratio(d and d['rss'], p and p['rss'])} |")
    print()
    if ceiling:
        print("'of ceiling': ebprop's GFLOP/s over the GEMM ceiling at ebprop's fastest thread count.")
        print()

    # --- threads
    print("2 threads against 1 (speed-up = s with 1 thread / s with 2 threads):")
    print()
    print("| workload | peer | 1 thread s | 2 threads s | speed-up |")
    print("| --- | --- | ---: | ---: | ---: |")
    speedup = {}
    for batch in sorted({k[1] for k in best}):
        for peer in PEERS:
            t1, t2 = by_threads.get((peer, batch, 1)), by_threads.get((peer, batch, 2))
            if not t1 and not t2:
                continue
            if peer == "ebprop" and t1 and t2:
                speedup[batch] = t1 / t2
            print(f"| {NAMES.get(batch, f'batch {batch}')} | {peer} | {sec(t1) if t1 else '—'} "
                  f"| {sec(t2) if t2 else '—'} | {ratio(t1, t2)} |")
    print()

    # --- verdict
    print(f"Verdict on issue 10's aims ({net}):")
    print()
    print("| aim | measured | met? |")
    print("| --- | ---: | --- |")
    missed = 0

    def verdict(aim, value, ok):
        nonlocal missed
        if value is None:
            print(f"| {aim} | — | not measured |")
            return
        missed += not ok
        print(f"| {aim} | {value:.2f}x | {'yes' if ok else 'NO'} |")

    for batch, (vs_torch, vs_floor, vs_one) in AIMS[net].items():
        s = summary.get(batch, {})
        w = NAMES[batch]
        verdict(f"{w}: PyTorch / ebprop >= {vs_torch:g}x", s.get("pytorch"),
                (s.get("pytorch") or 0) >= vs_torch)
        if vs_floor:
            what = "online-kernel" if batch == 1 else "GEMM"
            verdict(f"{w}: ebprop / {what} floor <= {vs_floor:g}x", s.get("floor"),
                    (s.get("floor") or 1e9) <= vs_floor)
        sp = speedup.get(batch)
        verdict(f"{w}: ebprop 2 threads vs 1 " + (f">= {vs_one:g}x" if vs_one > 1 else
                                                  "never slower (>= 1x)"),
                sp, (sp or 0) >= vs_one)
        verdict(f"{w}: ebprop peak RSS / PyTorch's <= {MEMORY_AIM:g}x", s.get("rss"),
                (s.get("rss") or 1e9) <= MEMORY_AIM)
    print()
    return missed


def main(argv):
    if len(argv) in (7, 8) and argv[1] == "record":
        record(*argv[2:])
        return 0
    if len(argv) == 5 and argv[1] == "table":
        table(argv[2], argv[3], argv[4])
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
