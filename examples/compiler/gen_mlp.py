#!/usr/bin/env python3
"""Writes the weights and sample inputs of the compiler example (mlp.json), deterministically
(fixed seed, no numpy): float32 .npy files beside this script.

    fc1_w [48, 64], fc1_b [64]     h1 = relu(x @ fc1_w + fc1_b)
    fc2_w [64, 64], fc2_b [64]     h2 = relu(h1 @ fc2_w + fc2_b)
                                   s  = h1 + h2
    fc3_w [64, 10], fc3_b [10]     y  = s @ fc3_w + fc3_b
    x_calib [16, 16, 48]           16 calibration samples of the input x [16, 48]
    x [16, 48]                     the first calibration sample (a run input)

Weights are N(0, 1/K) (Box-Muller over a 32-bit LCG), biases 0.1 * N(0, 1), inputs uniform in
[-1, 1]. Run it again after changing it; the files are committed.
"""
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


class Lcg:
    def __init__(self, seed):
        self.x = seed & 0xFFFFFFFF

    def uniform(self):
        self.x = (self.x * 1664525 + 1013904223) & 0xFFFFFFFF
        return (self.x + 0.5) / 4294967296.0

    def normal(self):
        u1, u2 = self.uniform(), self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def write_npy(name, shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else ""))
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    data = b"".join(struct.pack("<f", v) for v in values)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data)


def main():
    rng = Lcg(2024)
    layers = [("fc1", 48, 64), ("fc2", 64, 64), ("fc3", 64, 10)]
    for name, k, n in layers:
        write_npy(name + "_w.npy", (k, n), [rng.normal() / math.sqrt(k) for _ in range(k * n)])
        write_npy(name + "_b.npy", (n,), [0.1 * rng.normal() for _ in range(n)])
    samples, rows, cols = 16, 16, 48
    x = [2.0 * rng.uniform() - 1.0 for _ in range(samples * rows * cols)]
    write_npy("x_calib.npy", (samples, rows, cols), x)
    write_npy("x.npy", (rows, cols), x[:rows * cols])


if __name__ == "__main__":
    main()
