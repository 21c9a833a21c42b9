#!/usr/bin/python3
"""PyTorch peer of graphs/lenet5.graph: one epoch of LeNet-5 on Fashion-MNIST, trained by SGD.

The "usual way" (an nn.Module, autograd, torch.optim.SGD without momentum, float32), with the
layers of graphs/lenet5.graph one for one:

  input 1@28x28, zero-padded by 2 to 32x32 (here the padding=2 of the first convolution)
  C1  conv 6@5x5                                   -> 6@28x28,  stanh
  S2  2x2 average x per-map coefficient + bias     -> 6@14x14,  stanh
  C3  conv 16@5x5 with LeNet-5's connection table  -> 16@10x10, stanh
      (a dense 16x6x5x5 weight times a fixed 0/1 mask of Table I of LeCun et al. 1998)
  S4  2x2 average x coefficient + bias             -> 16@5x5,   stanh
  C5  conv 120@5x5                                 -> 120@1x1,  stanh
  F6  linear 84, stanh;  output linear 10, stanh
  loss E = 1/2 sum_k (d_k - o_k)^2 per example, targets ±1 (§4.5), mean over a mini-batch

stanh is 1.7159 tanh(2a/3) (§4.4). Inputs are centred and scaled by the global mean and standard
deviation of the training set (graphs/lenet5.graph: center = global, scale = global). Weights
are drawn as ebprop draws them (Eq. 16: uniform with sigma = m^-1/2, m the mean fan-in of a unit
plus one for the bias); the subsampling coefficients start at 1 and their biases at 0.

--shared-lr sqrt multiplies the rate of every shared weight by the square root of the number of
connections sharing it (§4.7; what ebprop's SGD does once ParamSpec::connections exists): the
output positions of a kernel (C1 28, C3 10, C5 1; S2 14, S4 5). --shared-lr none (the default)
is plain SGD with one rate.

Only the training loop is timed (forward, loss, backward, optimizer step, loss.item()); prints
one JSON line like bench/torch_mlp.py's.
  OMP_WAIT_POLICY=passive /usr/bin/python3 bench/torch_lenet5.py --batch 1 --threads 1
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_mlp import add_common_arguments, find, prepare, read_idx, targets  # noqa: E402

# Table I of LeCun et al. 1998: the S2 maps feeding each C3 map (as plugins/conv2d's lenet5-c3).
C3_TABLE = [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1], [0, 1, 2, 3],
            [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2], [0, 1, 3, 4],
            [1, 2, 4, 5], [0, 2, 3, 5], [0, 1, 2, 3, 4, 5]]


def load(data_dir):
    x_train = read_idx(find(data_dir, "train-images-idx3-ubyte")).astype(np.float64)
    y_train = read_idx(find(data_dir, "train-labels-idx1-ubyte")).astype(np.int64)
    x_test = read_idx(find(data_dir, "t10k-images-idx3-ubyte")).astype(np.float64)
    y_test = read_idx(find(data_dir, "t10k-labels-idx1-ubyte")).astype(np.int64)
    mean, std = x_train.mean(), x_train.std() or 1.0  # center = global, scale = global
    shape = (-1, 1, 28, 28)
    x_train = ((x_train - mean) / std).astype(np.float32).reshape(shape)
    x_test = ((x_test - mean) / std).astype(np.float32).reshape(shape)
    return x_train, y_train, x_test, y_test


def stanh(a):
    return 1.7159 * torch.tanh(a * (2.0 / 3.0))


def init_uniform(tensor, fan_in):
    bound = math.sqrt(3.0 / fan_in)  # Eq. 16: sigma = m^-1/2
    nn.init.uniform_(tensor, -bound, bound)


class Subsample(nn.Module):
    """2x2 average times a trainable coefficient per map, plus a trainable bias per map."""

    def __init__(self, maps):
        super().__init__()
        self.pool = nn.AvgPool2d(2)
        self.coefficient = nn.Parameter(torch.ones(maps))
        self.bias = nn.Parameter(torch.zeros(maps))

    def forward(self, x):
        return self.pool(x) * self.coefficient.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class MaskedConv2d(nn.Conv2d):
    """A convolution whose weight is multiplied by a fixed 0/1 connection mask."""

    def __init__(self, table, in_maps, kernel):
        super().__init__(in_maps, len(table), kernel)
        mask = torch.zeros(len(table), in_maps, 1, 1)
        for j, sources in enumerate(table):
            mask[j, sources] = 1.0
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.s2 = Subsample(6)
        self.c3 = MaskedConv2d(C3_TABLE, 6, 5)
        self.s4 = Subsample(16)
        self.c5 = nn.Conv2d(16, 120, 5)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)
        connections = sum(len(s) for s in C3_TABLE)
        # m as ebprop's conv2d: the mean inputs of a unit ((connections·k² + maps/2) / maps) + bias.
        for layer, m in ((self.c1, 25 + 1), (self.c3, (connections * 25 + 8) // 16 + 1),
                         (self.c5, 16 * 25 + 1), (self.f6, 120 + 1), (self.out, 84 + 1)):
            init_uniform(layer.weight, m)
            init_uniform(layer.bias, m)
        with torch.no_grad():
            self.c3.weight.mul_(self.c3.mask)  # unconnected kernels are 0 (and never move)

    def forward(self, x):
        x = stanh(self.c1(x))
        x = stanh(self.s2(x))
        x = stanh(self.c3(x))
        x = stanh(self.s4(x))
        x = stanh(self.c5(x)).flatten(1)
        x = stanh(self.f6(x))
        return stanh(self.out(x))

    def shared_connections(self):
        """(parameters, connections sharing each weight) per layer, for --shared-lr sqrt."""
        return [(self.c1.parameters(), 28 * 28), (self.s2.parameters(), 14 * 14),
                (self.c3.parameters(), 10 * 10), (self.s4.parameters(), 5 * 5),
                (self.c5.parameters(), 1), (self.f6.parameters(), 1), (self.out.parameters(), 1)]


def half_sse(output, target):
    return 0.5 * (output - target).pow(2).sum(dim=1).mean()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(p)
    p.add_argument("--shared-lr", choices=("none", "sqrt"), default="none")
    args = p.parse_args()

    x_train, y_train, x_test, y_test = load(args.data_dir)
    x, d = prepare(args, x_train, y_train)
    n, batch = x.shape[0], args.batch

    model = LeNet5()
    if args.shared_lr == "sqrt":
        groups = [{"params": list(ps), "lr": args.lr * math.sqrt(c)}
                  for ps, c in model.shared_connections()]
        optimizer = torch.optim.SGD(groups, lr=args.lr, momentum=0.0)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.0)
    model.train()

    loss_sum = 0.0
    start = time.perf_counter()
    for i in range(0, n, batch):
        xb, db = x[i:i + batch], d[i:i + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = half_sse(model(xb), db)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * xb.shape[0]
    seconds = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        outs = [model(torch.from_numpy(x_test[i:i + 1000])) for i in range(0, len(y_test), 1000)]
        out = torch.cat(outs)
        test_loss = half_sse(out, torch.from_numpy(targets(y_test))).item()
        test_error = 100.0 * (out.argmax(dim=1).numpy() != y_test).mean()

    print(json.dumps({
        "peer": "pytorch", "batch": batch, "threads": args.threads, "seconds": seconds,
        "examples": n, "examples_per_second": n / seconds, "train_loss": loss_sum / n,
        "test_loss": test_loss, "test_error": test_error, "lr": args.lr,
        "shared_lr": args.shared_lr, "torch": torch.__version__,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
