#!/usr/bin/env python3
"""Writes the MLP example's inputs (deterministic; no numpy needed):
X (64x128 int8), W1 (128x64 int8), B1 (64 int32), W2 (64x32 int8), B2 (32 int32)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def lcg(seed):
    x = seed & 0xFFFFFFFF
    while True:
        x = (x * 1664525 + 1013904223) & 0xFFFFFFFF
        yield x


def write_npy(path, shape, descr, data):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else ""))
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data)


def int8s(seed, n):
    g = lcg(seed)
    return bytes(next(g) >> 24 for _ in range(n))


def int32s(seed, n, lo, hi):
    g = lcg(seed)
    return b"".join(struct.pack("<i", lo + (next(g) >> 8) % (hi - lo + 1)) for _ in range(n))


write_npy(os.path.join(HERE, "x.npy"), (64, 128), "|i1", int8s(101, 64 * 128))
write_npy(os.path.join(HERE, "w1.npy"), (128, 64), "|i1", int8s(102, 128 * 64))
write_npy(os.path.join(HERE, "b1.npy"), (64,), "<i4", int32s(103, 64, -40000, 40000))
write_npy(os.path.join(HERE, "w2.npy"), (64, 32), "|i1", int8s(104, 64 * 32))
write_npy(os.path.join(HERE, "b2.npy"), (32,), "<i4", int32s(105, 32, -20000, 20000))
