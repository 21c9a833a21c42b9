#!/usr/bin/python3
"""PyTorch peer of bench/fashion-mlp.graph: one epoch of an MLP 784-300-10 on Fashion-MNIST.

The "usual way": an nn.Module of nn.Linear layers and the scaled tanh 1.7159*tanh(2a/3), autograd,
torch.optim.SGD (no momentum), float32. The same math as ebprop-run on the graph file:

  * inputs centred per pixel and divided by one global standard deviation (the standard deviation
    of all training values about their global mean), statistics of the training set (§4.3);
  * targets +1 for the right class, -1 for the others (§4.5);
  * loss of one example E = 1/2 sum_k (d_k - o_k)^2, averaged over the mini-batch;
  * weights and biases drawn uniformly with standard deviation (fan-in + 1)^-1/2 (Eq. 16);
  * examples shuffled once with a fixed seed.

Only the training loop of the epoch is timed (forward, loss, backward, optimizer step and the
running loss); loading, normalizing and shuffling the data, and the test pass, are not.

Prints one JSON object on stdout, e.g.
  {"peer": "pytorch", "batch": 1, "threads": 1, "seconds": 27.9, "examples_per_second": ..., ...}

Run with Debian's interpreter, which has python3-torch:
  OMP_WAIT_POLICY=passive /usr/bin/python3 bench/torch_mlp.py --batch 1 --threads 1
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Reads an IDX file (optionally .gz) into a numpy array of its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(data_dir, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{data_dir}: no {stem}[.gz]")


def load(data_dir):
    x_train = read_idx(find(data_dir, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float64)
    y_train = read_idx(find(data_dir, "train-labels-idx1-ubyte")).astype(np.int64)
    x_test = read_idx(find(data_dir, "t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float64)
    y_test = read_idx(find(data_dir, "t10k-labels-idx1-ubyte")).astype(np.int64)
    # §4.3, as ebprop-run's defaults (center = per-feature, scale = global).
    mean = x_train.mean(axis=0)
    global_std = math.sqrt(((x_train - x_train.mean()) ** 2).mean()) or 1.0
    x_train = ((x_train - mean) / global_std).astype(np.float32)
    x_test = ((x_test - mean) / global_std).astype(np.float32)
    return x_train, y_train, x_test, y_test


def targets(labels):
    d = -np.ones((labels.size, 10), dtype=np.float32)
    d[np.arange(labels.size), labels] = 1.0
    return d


class ScaledTanh(nn.Module):
    """f(a) = 1.7159 tanh(2a/3) (§4.4)."""

    def forward(self, a):
        return 1.7159 * torch.tanh(a * (2.0 / 3.0))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 300)
        self.fc2 = nn.Linear(300, 10)
        self.act = ScaledTanh()
        for layer in (self.fc1, self.fc2):
            # Eq. 16 as ebprop: uniform with sigma = m^-1/2, m counting the bias.
            bound = math.sqrt(3.0 / (layer.in_features + 1))
            nn.init.uniform_(layer.weight, -bound, bound)
            nn.init.uniform_(layer.bias, -bound, bound)

    def forward(self, x):
        return self.act(self.fc2(self.act(self.fc1(x))))


def half_sse(output, target):
    """Mean over the batch of E = 1/2 sum_k (d_k - o_k)^2."""
    return 0.5 * (output - target).pow(2).sum(dim=1).mean()


def add_common_arguments(p):
    """The options every PyTorch peer takes."""
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", default=DATA_DIR)
    p.add_argument("--train-limit", type=int, default=0, help="first N training examples (0: all)")


def prepare(args, x_train, y_train):
    """Sets threads and seed; returns the (limited) training set shuffled once, as tensors.

    Shuffled once with a fixed seed, before the timed loop: each step then takes a slice (a view)
    of a ready tensor, which is the cheapest honest way to feed batches (no DataLoader)."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.train_limit > 0:
        x_train, y_train = x_train[:args.train_limit], y_train[:args.train_limit]
    order = np.random.default_rng(args.seed).permutation(len(y_train))
    x = torch.from_numpy(np.ascontiguousarray(x_train[order]))
    d = torch.from_numpy(targets(y_train[order]))
    return x, d


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(p)
    args = p.parse_args()

    x_train, y_train, x_test, y_test = load(args.data_dir)
    x, d = prepare(args, x_train, y_train)
    n, batch = x.shape[0], args.batch

    model = Mlp()
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
        out = model(torch.from_numpy(x_test))
        test_loss = half_sse(out, torch.from_numpy(targets(y_test))).item()
        test_error = 100.0 * (out.argmax(dim=1).numpy() != y_test).mean()

    print(json.dumps({
        "peer": "pytorch", "batch": batch, "threads": args.threads, "seconds": seconds,
        "examples_per_second": n / seconds, "train_loss": loss_sum / n, "test_loss": test_loss,
        "test_error": test_error, "lr": args.lr, "torch": torch.__version__,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
