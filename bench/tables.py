#!/usr/bin/python3
"""Collects the runs of bench/curvature.sh and bench/lenet5.sh and prints their tables.

  tables.py record RESULTS PEER < output-of-one-run
      appends one run of curvature-bench or torch_curvature.py to RESULTS (JSON lines): its
      summary line (the last one with "mode") and the per-block lines before it.
  tables.py curvature RESULTS
      prints the bbprop-against-bprop table and the Hessian-vector-product table.
  tables.py lenet5 RESULTS
      prints bench/lenet5.sh's tables (bench/summarize.py's, with LeNet-5's aims).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summarize  # noqa: E402

BBPROP_AIM = 1.2  # bbprop at most 1.2x bprop


def record(path, peer):
    lines = [json.loads(x) for x in sys.stdin.read().splitlines() if x.strip().startswith("{")]
    summaries = [x for x in lines if "mode" in x]
    if not summaries:
        sys.exit(f"tables.py: no summary line from the {peer} run")
    run = dict(summaries[-1])
    run["peer"] = peer
    run["blocks_detail"] = [x for x in lines if "block" in x]
    with open(path, "a") as f:
        f.write(json.dumps(run) + "\n")
    if run["mode"] == "passes":
        print(f"  {peer:7} passes  {os.path.basename(run['graph']):18} batch {run['batch']:>3}"
              f"  threads {run['threads']}  fprop {run['fprop_us']:9.1f} us  bprop"
              f" {run['bprop_us']:9.1f} us  bbprop {run['bbprop_us']:9.1f} us"
              f"  bbprop/bprop {run['bbprop_over_bprop']:.3f}", flush=True)
    else:
        print(f"  {peer:7} hvp     batch {run['batch']:>3}  threads {run['threads']}  gradient"
              f" {run['gradient_us']:9.1f} us  HVP {run['hvp_us']:9.1f} us"
              f"  HVP/gradient {run['hvp_over_gradient']:.3f}", flush=True)


NETS = {"fashion-mlp.graph": "MLP 784-300-10", "digits-mlp.graph": "MLP (digits)",
        "lenet5.graph": "LeNet-5"}


def curvature(path):
    runs = [json.loads(x) for x in open(path) if x.strip()]
    passes = [r for r in runs if r["mode"] == "passes"]
    hvps = [r for r in runs if r["mode"] == "hvp"]
    missed = 0
    if passes:
        print("bbprop against bprop (Graph<float>, after fprop; µs per pass, median of the blocks;"
              " the order of bprop and bbprop alternates):")
        print()
        print("| network | weights | batch | threads | fprop µs | bprop µs | bbprop µs "
              "| bbprop/bprop (each block) | bbprop/bprop | aim | met? |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |")
        for r in passes:
            blocks = ", ".join(f"{b['bbprop_over_bprop']:.3f}" for b in r["blocks_detail"])
            met = r["bbprop_over_bprop"] <= BBPROP_AIM
            missed += not met
            net = NETS.get(os.path.basename(r["graph"]), r["graph"])
            print(f"| {net} | {r['weights']} | {r['batch']} | {r['threads']} | {r['fprop_us']:.1f} "
                  f"| {r['bprop_us']:.1f} | {r['bbprop_us']:.1f} | {blocks} "
                  f"| {r['bbprop_over_bprop']:.3f} | <= {BBPROP_AIM}x | {'yes' if met else 'NO'} |")
        print()
    if hvps:
        print("Exact Hessian-vector product against a gradient, MLP 784-300-10, batch 128, float64"
              " (µs per call, median of the blocks):")
        print()
        print("| peer | threads | gradient µs | HVP µs | HVP/gradient (each block) | HVP/gradient "
              "| of which extra passes/gradient |")
        print("| --- | ---: | ---: | ---: | --- | ---: | ---: |")
        best = {}
        for r in hvps:
            blocks = ", ".join(f"{b['hvp_over_gradient']:.3f}" for b in r["blocks_detail"])
            extra = (f"{r['r_passes_over_gradient']:.3f} (R-passes)" if r["peer"] == "ebprop"
                     else "—")
            print(f"| {r['peer']} | {r['threads']} | {r['gradient_us']:.1f} | {r['hvp_us']:.1f} "
                  f"| {blocks} | {r['hvp_over_gradient']:.3f} | {extra} |")
            if r["peer"] not in best or r["hvp_us"] < best[r["peer"]]["hvp_us"]:
                best[r["peer"]] = r
        print()
        if "ebprop" in best and "pytorch" in best:
            e, p = best["ebprop"], best["pytorch"]
            print("Side by side, each peer at its fastest HVP setting:")
            print()
            print("| | ebprop (R-operator, §7.5) | PyTorch (double backward) |")
            print("| --- | ---: | ---: |")
            print(f"| threads | {e['threads']} | {p['threads']} |")
            print(f"| gradient (µs) | {e['gradient_us']:.1f} | {p['gradient_us']:.1f} |")
            print(f"| HVP, including its forward and backward pass (µs) | {e['hvp_us']:.1f} "
                  f"| {p['hvp_us']:.1f} |")
            print(f"| HVP / gradient | {e['hvp_over_gradient']:.2f}x | {p['hvp_over_gradient']:.2f}x |")
            print(f"| PyTorch HVP / ebprop HVP | | {p['hvp_us'] / e['hvp_us']:.2f}x |")
            print()
    return missed


def lenet5(path):
    summarize.WORKLOADS = [(1, 3.0, ">= 3x"), (32, 1.0, ">= 1x")]
    summarize.NAMES = {1: "(a) online, batch 1", 32: "(b) mini-batch 32"}
    return summarize.table(path)


def main(argv):
    if len(argv) == 4 and argv[1] == "record":
        record(argv[2], argv[3])
        return 0
    if len(argv) == 3 and argv[1] == "curvature":
        curvature(argv[2])
        return 0
    if len(argv) == 3 and argv[1] == "lenet5":
        lenet5(argv[2])
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
