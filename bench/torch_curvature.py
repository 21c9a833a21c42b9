#!/usr/bin/python3
"""PyTorch peer of bench/curvature.sh: a Hessian-vector product against a gradient, MLP 784-300-10.

The network of bench/fashion-mlp.graph (nn.Linear layers and the scaled tanh 1.7159 tanh(2a/3),
E = mean over the batch of 1/2 sum_k (d_k - o_k)^2, ±1 one-of-10 targets), in float64, on one
fixed random batch (inputs uniform in [-1, 1]), timed two ways per repetition:

  gradient: forward, loss, torch.autograd.grad(loss, params)
  hvp:      forward, loss, g = torch.autograd.grad(loss, params, create_graph=True),
            torch.autograd.grad(sum_i <g_i, v_i>, params): the exact H v by double backward
            (Pearlmutter's trick as PyTorch users write it), v a fixed random direction.

Each block runs `reps` repetitions of both, interleaved (by default as many as fill about --seconds); prints one JSON line per block and a last
line with the medians over the blocks. Run with Debian's interpreter:
  OMP_WAIT_POLICY=passive /usr/bin/python3 bench/torch_curvature.py --batch 128 --threads 1
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
from torch import nn


class ScaledTanh(nn.Module):
    def forward(self, a):
        return 1.7159 * torch.tanh(a * (2.0 / 3.0))


def mlp():
    model = nn.Sequential(nn.Linear(784, 300), ScaledTanh(), nn.Linear(300, 10), ScaledTanh())
    for layer in (model[0], model[2]):
        bound = math.sqrt(3.0 / (layer.in_features + 1))  # Eq. 16, as ebprop
        nn.init.uniform_(layer.weight, -bound, bound)
        nn.init.uniform_(layer.bias, -bound, bound)
    return model.double()


def half_sse(output, target):
    return 0.5 * (output - target).pow(2).sum(dim=1).mean()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=0, help="per block (0: as many as fill --seconds)")
    p.add_argument("--seconds", type=float, default=1.0, help="length of a block when --reps is 0")
    p.add_argument("--blocks", type=int, default=3)
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = mlp()
    params = list(model.parameters())
    x = torch.rand(args.batch, 784, dtype=torch.float64) * 2 - 1
    d = -torch.ones(args.batch, 10, dtype=torch.float64)
    d[torch.arange(args.batch), torch.randint(0, 10, (args.batch,))] = 1.0
    v = [torch.randn_like(q) for q in params]

    def gradient():
        loss = half_sse(model(x), d)
        return torch.autograd.grad(loss, params)

    def hvp():
        loss = half_sse(model(x), d)
        g = torch.autograd.grad(loss, params, create_graph=True)
        gv = sum((gi * vi).sum() for gi, vi in zip(g, v))
        return torch.autograd.grad(gv, params)

    warmup, w0 = 0, time.perf_counter()
    while warmup < 3 or time.perf_counter() - w0 < 0.1 * args.seconds:
        gradient()
        hvp()
        warmup += 1
    per_rep = (time.perf_counter() - w0) / warmup
    if args.reps <= 0:
        args.reps = int(min(100000, max(10, args.seconds / per_rep)))
    grads, hvps, ratios = [], [], []
    for block in range(args.blocks):
        tg = th = 0.0
        for _ in range(args.reps):
            t0 = time.perf_counter()
            gradient()
            t1 = time.perf_counter()
            hvp()
            t2 = time.perf_counter()
            tg += t1 - t0
            th += t2 - t1
        tg, th = 1e6 * tg / args.reps, 1e6 * th / args.reps
        grads.append(tg)
        hvps.append(th)
        ratios.append(th / tg)
        print(json.dumps({"block": block + 1, "reps": args.reps, "gradient_us": round(tg, 3),
                          "hvp_us": round(th, 3), "hvp_over_gradient": round(th / tg, 4)}),
              flush=True)
    print(json.dumps({
        "mode": "hvp", "peer": "pytorch", "batch": args.batch, "threads": args.threads,
        "precision": "double", "reps": args.reps, "blocks": args.blocks,
        "gradient_us": round(statistics.median(grads), 3),
        "hvp_us": round(statistics.median(hvps), 3),
        "hvp_over_gradient": round(statistics.median(ratios), 4), "torch": torch.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
