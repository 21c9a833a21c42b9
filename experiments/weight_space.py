"""Weight-space pictures for the experiments of Fig. 10-14 (standard library only).

read_trace(path)          the rows of an `ebprop-run --trace` CSV file: (header, rows of floats)
read_points(path)         a CSV file of numbers (no header) as rows of floats
surface_svg(...)          an error surface E(a, b) over a grid, as shaded cells with contour-like
                          bands, with trajectories drawn over it (polylines, a dot at each start)
curves_svg(...)           curves y(x), e.g. the error against the step, on a log y axis if asked
"""
import math


def read_trace(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows = [[float(c) for c in line.split(",")] for line in f if line.strip()]
    return header, rows


def read_points(path):
    with open(path) as f:
        return [[float(c) for c in line.split(",")] for line in f if line.strip()]


def _ticks(lo, hi, count=5):
    step = 10 ** math.floor(math.log10((hi - lo) / count))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (m * step) <= count:
            step *= m
            break
    t = math.ceil(lo / step) * step
    out = []
    while t <= hi + 1e-12 * step:
        out.append(round(t, 12))
        t += step
    return out


def _axis_labels(svg, left, top, width, height, x_label, y_label):
    svg.append(f'<text x="{left + width / 2}" y="{top + height + 34}" text-anchor="middle">'
               f'{x_label}</text>')
    svg.append(f'<text x="16" y="{top + height / 2}" text-anchor="middle" '
               f'transform="rotate(-90 16 {top + height / 2})">{y_label}</text>')


_COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def surface_svg(path, title, error, a_range, b_range, a_label, b_label, trajectories,
                cells=48, bands=12):
    """error(a, b) -> E; trajectories: [(name, [(a, b), ...])]. Shades log E in `bands` bands."""
    width, height, left, top, plot = 560, 500, 70, 40, 400
    a0, a1 = a_range
    b0, b1 = b_range
    values = [[error(a0 + (a1 - a0) * (i + 0.5) / cells, b0 + (b1 - b0) * (j + 0.5) / cells)
               for i in range(cells)] for j in range(cells)]
    logs = [math.log(max(v, 1e-300)) for row in values for v in row]
    lo, hi = min(logs), max(logs)
    x = lambda a: left + (a - a0) / (a1 - a0) * plot
    y = lambda b: top + plot - (b - b0) / (b1 - b0) * plot
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<text x="{left + plot / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>']
    size = plot / cells
    for j, row in enumerate(values):
        for i, v in enumerate(row):
            band = int((math.log(max(v, 1e-300)) - lo) / (hi - lo + 1e-300) * bands)
            g = 255 - int(200 * min(band, bands - 1) / (bands - 1))
            svg.append(f'<rect x="{left + i * size:.2f}" y="{top + plot - (j + 1) * size:.2f}" '
                       f'width="{size + 0.05:.2f}" height="{size + 0.05:.2f}" '
                       f'fill="rgb({g},{g},255)"/>')
    svg.append(f'<rect x="{left}" y="{top}" width="{plot}" height="{plot}" fill="none" '
               f'stroke="black"/>')
    for t in _ticks(a0, a1):
        svg.append(f'<text x="{x(t):.1f}" y="{top + plot + 16}" text-anchor="middle">{t:g}</text>')
    for t in _ticks(b0, b1):
        svg.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    _axis_labels(svg, left, top, plot, plot, a_label, b_label)
    svg.append(f'<clipPath id="plot"><rect x="{left}" y="{top}" width="{plot}" '
               f'height="{plot}"/></clipPath>')
    for k, (name, points) in enumerate(trajectories):
        colour = _COLOURS[k % len(_COLOURS)]
        shown = [(a, b) for a, b in points if math.isfinite(a) and math.isfinite(b)]
        line = " ".join(f"{x(a):.2f},{y(b):.2f}" for a, b in shown)
        svg.append(f'<polyline clip-path="url(#plot)" points="{line}" fill="none" '
                   f'stroke="{colour}" stroke-width="1.5"/>')
        for a, b in shown if len(shown) <= 300 else []:  # a dot per step on short paths
            svg.append(f'<circle clip-path="url(#plot)" cx="{x(a):.2f}" cy="{y(b):.2f}" r="1.6" '
                       f'fill="{colour}"/>')
        if shown:
            svg.append(f'<circle cx="{x(shown[0][0]):.2f}" cy="{y(shown[0][1]):.2f}" r="4" '
                       f'fill="none" stroke="{colour}" stroke-width="1.5"/>')
        svg.append(f'<text x="{left + plot + 10}" y="{top + 14 + 18 * k}" fill="{colour}">'
                   f'{name}</text>')
    svg.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")


def curves_svg(path, title, x_label, y_label, curves, log_y=False):
    """curves: [(name, [(x, y), ...])]; non-finite or non-positive (on a log axis) y are left out."""
    width, height, left, top, pw, ph = 640, 400, 80, 40, 420, 300
    ok = lambda v: math.isfinite(v) and (v > 0 or not log_y)
    pts = [(px, py) for _, c in curves for px, py in c if ok(py)]
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    t = (lambda v: math.log10(v)) if log_y else (lambda v: v)
    y0, y1 = min(t(p[1]) for p in pts), max(t(p[1]) for p in pts)
    if y1 == y0:
        y1 = y0 + 1
    if x1 == x0:
        x1 = x0 + 1
    X = lambda v: left + (v - x0) / (x1 - x0) * pw
    Y = lambda v: top + ph - (t(v) - y0) / (y1 - y0) * ph
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<text x="{left + pw / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black"/>']
    for v in _ticks(x0, x1):
        svg.append(f'<text x="{X(v):.1f}" y="{top + ph + 16}" text-anchor="middle">{v:g}</text>')
    for v in _ticks(y0, y1):
        label = f"1e{v:g}" if log_y else f"{v:g}"
        yy = top + ph - (v - y0) / (y1 - y0) * ph
        svg.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{label}</text>')
    _axis_labels(svg, left, top, pw, ph, x_label, y_label)
    for k, (name, c) in enumerate(curves):
        colour = _COLOURS[k % len(_COLOURS)]
        line = " ".join(f"{X(px):.2f},{Y(py):.2f}" for px, py in c if ok(py))
        svg.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        svg.append(f'<text x="{left + pw + 10}" y="{top + 14 + 18 * k}" fill="{colour}">'
                   f'{name}</text>')
    svg.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")
