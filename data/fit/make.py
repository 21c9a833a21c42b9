#!/usr/bin/env python3
"""Writes the regression set of data/fit: y = sin(pi*x1) * cos(pi*x2 / 2), no noise.

Inputs are drawn uniformly from [-1, 1]^2 by Python's own generator with a fixed seed, so the
files are the same on every machine: train.csv (400 examples) and test.csv (200 others).

    python3 data/fit/make.py        # rewrites data/fit/train.csv and data/fit/test.csv
"""
import math
import os
import random


def target(x1, x2):
    return math.sin(math.pi * x1) * math.cos(math.pi * x2 / 2)


def write(path, rng, examples):
    with open(path, "w", newline="\n") as f:
        f.write("x1,x2,y\n")
        for _ in range(examples):
            # The target of the inputs as written, so that the file is exact to its digits.
            x1, x2 = round(rng.uniform(-1, 1), 6), round(rng.uniform(-1, 1), 6)
            f.write(f"{x1:.6f},{x2:.6f},{target(x1, x2):.6f}\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(1998)
    write(os.path.join(here, "train.csv"), rng, 400)
    write(os.path.join(here, "test.csv"), rng, 200)


if __name__ == "__main__":
    main()
