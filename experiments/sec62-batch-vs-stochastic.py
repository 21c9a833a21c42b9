#!/usr/bin/env python3
"""Tables and plots of experiments/sec62-batch-vs-stochastic.sh (python3 standard library only).

    sec62-batch-vs-stochastic.py OUT_DIR PROBLEM...

Reads OUT_DIR/PROBLEM-NAME.jsonl (ebprop-run --metrics) and .rc/.txt/.best, prints Markdown tables
and writes OUT_DIR/curves.csv and OUT_DIR/PROBLEM-loss-vs-{seconds,passes}.svg.

Counting: seconds are the sum of the per-epoch (per-iteration) training seconds of the metrics;
passes are the metrics' `examples` over P, the training examples (every value, gradient and
curvature evaluation of the training objective, on whatever batch); a Gauss-Newton-vector
product is not among them: `work` adds 2 passes for each (`gauss_newton_vectors`)."""
import json
import math
import os
import sys

PROBLEMS = {
    "fit": {"title": "2-10-1 stanh net, 400 examples (fit-stanh)", "P": 400, "classes": False,
            "loss_targets": [1e-3, 3e-4, 1e-4, 1e-5, 1e-6], "error_targets": []},
    "digits": {"title": "784-30-10 on 8,000 digits (digits-30)", "P": 8000, "classes": True,
               "loss_targets": [0.5, 0.3, 0.2, 0.15], "error_targets": [10.0, 7.0, 5.0]},
}
METHODS = [("sgd", "SGD (tuned)"), ("sdlm", "SDLM"), ("cg", "CG"), ("lbfgs", "L-BFGS"),
           ("levenberg-marquardt", "LM")]
COLORS = {"sgd": "#1f77b4", "sdlm": "#ff7f0e", "cg": "#2ca02c", "lbfgs": "#d62728",
          "levenberg-marquardt": "#9467bd"}


def load(path):
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


def status(base):
    rc = int(open(base + ".rc").read())
    text = open(base + ".txt").read() if os.path.exists(base + ".txt") else ""
    stop = next((l[len("stopped: "):].strip() for l in text.splitlines() if l.startswith("stopped: ")),
                "")
    return rc, stop


def fmt(x, digits=3):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def curve(out, problem, method):
    """The run's points: epoch, seconds, passes, gnv, work, train loss, test loss, test error."""
    P = PROBLEMS[problem]["P"]
    if method in ("sgd", "sdlm"):
        lr = open(f"{out}/{problem}-{method}.best").read().strip()
        on_train = load(f"{out}/{problem}-{method}-{lr}-ontrain.jsonl")
        on_test = load(f"{out}/{problem}-{method}-{lr}.jsonl")
        rc, stop = status(f"{out}/{problem}-{method}-{lr}")
        label = f"{dict(METHODS)[method]} η={lr}" if method == "sgd" else f"SDLM η={lr}"
        # The two runs must be the same trajectory (the loss measured while training agrees).
        same = all(a["train_loss"] == b["train_loss"] for a, b in zip(on_train, on_test))
        rows = []
        s = 0.0
        for a, b in zip(on_train, on_test):
            s += a["seconds"]
            rows.append({"epoch": a["epoch"], "seconds": s, "passes": a["examples"] / P,
                         "gnv": 0, "work": a["examples"] / P, "train_loss": a["test_loss"],
                         "train_error": a["test_error"], "test_loss": b["test_loss"],
                         "test_error": b["test_error"]})
        return {"label": label, "rows": rows, "rc": rc, "stop": stop, "same": same, "lr": lr}
    ms = load(f"{out}/{problem}-{method}.jsonl")
    rc, stop = status(f"{out}/{problem}-{method}")
    rows = []
    s = 0.0
    for m in ms:
        s += m["seconds"]
        gnv = m.get("gauss_newton_vectors", 0)
        rows.append({"epoch": m["epoch"], "seconds": s, "passes": m["examples"] / P, "gnv": gnv,
                     "work": m["examples"] / P + 2 * gnv, "train_loss": m["train_loss"],
                     "train_error": m["train_error"], "test_loss": m["test_loss"],
                     "test_error": m["test_error"]})
    return {"label": dict(METHODS)[method], "rows": rows, "rc": rc, "stop": stop, "same": True}


def reach(rows, key, target):
    """(seconds, passes, work, first) when rows[key] first falls to target, interpolated linearly
    in log(key) between records; None when never."""
    prev = None
    for r in rows:
        v = r[key]
        if v is not None and v <= target:
            if prev is None:
                return r["seconds"], r["passes"], r["work"], True
            pv = prev[key]
            f = ((math.log(pv) - math.log(target)) / (math.log(pv) - math.log(v))
                 if v > 0 and pv > 0 and pv != v else 1.0)
            lerp = lambda k: prev[k] + f * (r[k] - prev[k])
            return lerp("seconds"), lerp("passes"), lerp("work"), False
        prev = r if v is not None else prev
    return None


def grid_table(out, problem):
    print(f"\n{problem}: the rate grids (training loss exact at each epoch's end)")
    print("| optimizer | η | train loss ep. 1 | ep. 10 | final | s/epoch |")
    print("|---|---:|---:|---:|---:|---:|")
    for method in ("sgd", "sdlm"):
        names = sorted((f for f in os.listdir(out)
                        if f.startswith(f"{problem}-{method}-") and f.endswith("-ontrain.rc")),
                       key=lambda f: float(f.split("-")[2]))
        best = open(f"{out}/{problem}-{method}.best").read().strip()
        for f in names:
            lr = f.split("-")[2]
            ms = load(f"{out}/{f[:-len('.rc')]}.jsonl")
            rc, _ = status(f"{out}/{f[:-len('.rc')]}")
            at = lambda e: fmt(ms[e - 1]["test_loss"], 4) if len(ms) >= e else "-"
            final = fmt(ms[-1]["test_loss"], 4) if ms and rc == 0 else "diverged"
            sec = sum(m["seconds"] for m in ms) / len(ms) if ms else math.nan
            mark = " (best)" if lr == best else ""
            print(f"| {method} | {lr}{mark} | {at(1)} | {at(10)} | {final} | {sec:.4f} |")


def summary_table(problem, curves):
    classes = PROBLEMS[problem]["classes"]
    print(f"\n{problem}: {PROBLEMS[problem]['title']}: where each run ended")
    head = "| optimizer | epochs/iterations | seconds | passes | G·v products | work (passes) |" \
           " final train loss | final test loss |"
    sep = "|---|---:|---:|---:|---:|---:|---:|---:|"
    if classes:
        head += " train error | test error |"
        sep += "---:|---:|"
    print(head + " stopped |")
    print(sep + "---|")
    for method, c in curves:
        if not c["rows"]:
            print(f"| {c['label']} | no record |")
            continue
        r = c["rows"][-1]
        line = (f"| {c['label']} | {r['epoch']} | {r['seconds']:.3f} | {r['passes']:.1f} | {r['gnv']} |"
                f" {r['work']:.1f} | {fmt(r['train_loss'], 4)} | {fmt(r['test_loss'], 4)} |")
        if classes:
            line += f" {fmt(r['train_error'])} % | {fmt(r['test_error'])} % |"
        stop = c["stop"] or ("diverged" if c["rc"] else "epochs")
        print(line + f" {stop} |")


def target_table(problem, curves):
    spec = PROBLEMS[problem]
    targets = [("train_loss", t, f"train loss {t:g}") for t in spec["loss_targets"]] + \
              [("test_error", t, f"test error {t:g} %") for t in spec["error_targets"]]
    print(f"\n{problem}: seconds / passes (work, with 2 passes per G·v product, when it differs)"
          " to reach each target; ≤: already after the first epoch or iteration")
    print("| optimizer | " + " | ".join(name for _, _, name in targets) + " |")
    print("|---|" + "---:|" * len(targets))
    for method, c in curves:
        cells = []
        for key, t, _ in targets:
            got = reach(c["rows"], key, t)
            if got is None:
                cells.append("not reached")
                continue
            s, p, w, first = got
            le = "≤ " if first else ""
            cell = f"{le}{s:.3g} s / {le}{p:.3g}"
            if abs(w - p) > 1e-9:
                cell += f" ({w:.3g})"
            cells.append(cell)
        print(f"| {c['label']} | " + " | ".join(cells) + " |")


# --- a small SVG line chart: several series, each with its own x, log axes ---
def svg_chart(path, series, xlabel, ylabel, title, logx=True, logy=True):
    W, H, L, R, T, B = 760, 470, 80, 190, 40, 55
    pts = [(x, y) for _, _, xs, ys in series for x, y in zip(xs, ys)
           if x is not None and y is not None and (x > 0 or not logx) and (y > 0 or not logy)]
    if not pts:
        return
    tx = (lambda v: math.log10(v)) if logx else (lambda v: v)
    ty = (lambda v: math.log10(v)) if logy else (lambda v: v)
    x0, x1 = min(tx(p[0]) for p in pts), max(tx(p[0]) for p in pts)
    y0, y1 = min(ty(p[1]) for p in pts), max(ty(p[1]) for p in pts)
    if logx:
        x0, x1 = math.floor(x0), math.ceil(x1)
    if logy:
        y0, y1 = math.floor(y0), math.ceil(y1)
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1
    px = lambda v: L + (tx(v) - x0) / (x1 - x0) * (W - L - R)
    py = lambda v: H - B - (ty(v) - y0) / (y1 - y0) * (H - T - B)
    e = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{(W - R + L) / 2}" y="22" text-anchor="middle" font-size="14">{e(title)}</text>',
         f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="#444"/>']

    def ticks(lo, hi, log):
        if log:
            return [10.0 ** k for k in range(int(lo), int(hi) + 1)]
        step = 10 ** math.floor(math.log10((hi - lo) / 4))
        return [lo + i * step for i in range(int((hi - lo) / step) + 1)]

    label = lambda v: f"1e{int(round(math.log10(v)))}" if v < 1e-2 or v >= 1e4 else f"{v:g}"
    for v in ticks(x0, x1, logx):
        X = px(v)
        o.append(f'<line x1="{X:.1f}" y1="{T}" x2="{X:.1f}" y2="{H - B}" stroke="#ddd"/>')
        o.append(f'<text x="{X:.1f}" y="{H - B + 16}" text-anchor="middle">{label(v)}</text>')
    for v in ticks(y0, y1, logy):
        Y = py(v)
        o.append(f'<line x1="{L}" y1="{Y:.1f}" x2="{W - R}" y2="{Y:.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{L - 6}" y="{Y + 4:.1f}" text-anchor="end">{label(v)}</text>')
    o.append(f'<text x="{(W - R + L) / 2}" y="{H - 12}" text-anchor="middle">{e(xlabel)}</text>')
    o.append(f'<text x="18" y="{(H - B + T) / 2}" text-anchor="middle" '
             f'transform="rotate(-90 18 {(H - B + T) / 2})">{e(ylabel)}</text>')
    for i, (name, color, xs, ys) in enumerate(series):
        p = [(px(x), py(y)) for x, y in zip(xs, ys) if x is not None and y is not None
             and (x > 0 or not logx) and (y > 0 or not logy)]
        if p:
            d = " ".join(f"{a:.1f},{b:.1f}" for a, b in p)
            o.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="1.8"/>')
            if len(p) < 30:
                o += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{color}"/>' for a, b in p]
        Y = T + 14 + 20 * i
        o.append(f'<line x1="{W - R + 12}" y1="{Y - 4}" x2="{W - R + 36}" y2="{Y - 4}" '
                 f'stroke="{color}" stroke-width="2.5"/>')
        o.append(f'<text x="{W - R + 42}" y="{Y}">{e(name)}</text>')
    o.append("</svg>\n")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(o))
    os.replace(tmp, path)


def main():
    out, problems = sys.argv[1], sys.argv[2:]
    csv = ["problem,optimizer,epoch,seconds,passes,gauss_newton_vectors,work,train_loss,"
           "train_error,test_loss,test_error"]
    for problem in problems:
        curves = [(m, curve(out, problem, m)) for m, _ in METHODS]
        for m, c in curves:
            if not c["same"]:
                print(f"warning: {problem} {m}: the run on the test set is not the same trajectory"
                      " as the run on the training set", file=sys.stderr)
            for r in c["rows"]:
                csv.append(",".join([problem, m] + [str(r[k]) if r[k] is not None else "" for k in
                                                    ("epoch", "seconds", "passes", "gnv", "work",
                                                     "train_loss", "train_error", "test_loss",
                                                     "test_error")]))
        grid_table(out, problem)
        summary_table(problem, curves)
        target_table(problem, curves)
        title = PROBLEMS[problem]["title"]
        for key, xlabel in (("seconds", "training seconds (cumulative)"),
                            ("work", "passes over the training set (LM: + 2 per G·v product)")):
            series = [(c["label"], COLORS[m], [r[key] for r in c["rows"]],
                       [r["train_loss"] for r in c["rows"]]) for m, c in curves]
            name = "seconds" if key == "seconds" else "passes"
            svg_chart(f"{out}/{problem}-loss-vs-{name}.svg", series, xlabel,
                      "training loss (log)", f"§6.2: {title}")
            print(f"plot: {out}/{problem}-loss-vs-{name}.svg")
    with open(f"{out}/curves.csv", "w") as f:
        f.write("\n".join(csv) + "\n")
    print(f"curves: {out}/curves.csv")


if __name__ == "__main__":
    main()
