#!/usr/bin/env python3
"""The table of bench/optimizers/run.sh: problem x method, ebprop against dlib.

Reads the JSON lines of both peers (ebprop-optimize's summaries, tagged by run.sh with peer,
method, problem and exit status; dlib-optimize's lines) and prints one Markdown row per
(problem, method): evaluations of each peer (function+gradient evaluations; for dlib's
Levenberg-Marquardt the passes over the residuals), dlib/ebprop, the second-order work beside
them, final ||grad E|| and ||x - x*|| of each, and seconds.
"""
import json
import sys

PROBLEMS = ["rosenbrock-2", "wood", "rosenbrock-100", "rosenbrock-1000"]
METHODS = ["cg", "bfgs", "lbfgs", "levenberg-marquardt", "gauss-newton", "newton"]


def short(v, digits=2):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return f"{v:.{digits}e}" if v != 0 else "0"


def evaluations(r):
    if r is None or r.get("failed"):
        return None
    if r["peer"] == "dlib" and r["method"] == "levenberg-marquardt":
        return r["residual_passes"]
    return r["evaluations"]


def extra(r):
    """The second-order work of a run, besides its function+gradient evaluations."""
    if r is None or r.get("failed"):
        return ""
    parts = []
    if r["peer"] == "ebprop":
        for key, name in (("matrices", "matrices"), ("gauss_newton_vectors", "G·v"),
                          ("hessian_vectors", "H·v")):
            if r.get(key):
                parts.append(f"{r[key]} {name}")
    else:
        if r.get("hessians"):
            parts.append(f"{r['hessians']} Hessians")
        if r.get("jacobian_passes"):
            parts.append(f"{r['jacobian_passes']} Jacobians")
    return ", ".join(parts)


def cell(r, key):
    if r is None:
        return "n/a"
    if r.get("failed"):
        return "timeout" if r.get("status") == 124 else f"failed ({r.get('status')})"
    return short(r.get(key))


def main(path):
    runs = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                r = json.loads(line)
                runs[(r["peer"], r["problem"], r["method"])] = r
    print("| problem | method | ebprop evaluations | dlib evaluations | dlib / ebprop "
          "| ebprop second-order | dlib second-order | ebprop ‖g‖ | dlib ‖g‖ "
          "| ebprop ‖x − x*‖ | dlib ‖x − x*‖ | ebprop s | dlib s |")
    print("| --- | --- | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for p in PROBLEMS:
        for m in METHODS:
            e, d = runs.get(("ebprop", p, m)), runs.get(("dlib", p, m))
            if e is None and d is None:
                continue
            ee, de = evaluations(e), evaluations(d)
            ratio = f"{de / ee:.2f}" if ee and de else "-"
            capped = " (cap)" if e and e.get("status") == 3 else ""
            print(f"| {p} | {m} | {ee if ee is not None else cell(e, 'evaluations')}{capped} "
                  f"| {de if de is not None else cell(d, 'evaluations')} | {ratio} "
                  f"| {extra(e)} | {extra(d)} | {cell(e, 'grad_norm')} | {cell(d, 'grad_norm')} "
                  f"| {cell(e, 'distance')} | {cell(d, 'distance')} "
                  f"| {cell(e, 'seconds')} | {cell(d, 'seconds')} |")


if __name__ == "__main__":
    main(sys.argv[1])
