#!/usr/bin/env python3
"""Generates the tiled int8 GEMM examples C = requant(A x B): the assembler sources
gemm_256.s (base, 256x256x256) and gemm_32.s (tiny, 32x32x32), and their input tensors
(deterministic, no numpy needed).

    python3 examples/gemm/gen_gemm.py            # rewrite the .s and .npy files
    python3 examples/gemm/gen_gemm.py --cycles gemm_256=N gemm_32=M   # with .predicted_cycles

The schedule (one "window" per MXU stream, every window exactly M cycles, so the MXU reads
one activation row in every cycle from the first stream to the last):

  for each column block j of C (L columns; a hardware loop, column 0 peeled):
    for each k-block s (unrolled: banks are immediates):
      cycle 0      mm/mma  A[:, block s] (M rows) x W[buf s%2] -> ACC region j%2
      cycle 1..    requantize M/(K/L) rows of column block j-1 from the other ACC region
                   (vlda -> vrq -> vst, software-pipelined, 3 cycles per row)
      cycle >= wbuf_release
                   mlw the next weight tile into the idle buffer (double buffering)
      ...          nop until cycle M, where the next stream issues back to back
  barrier; requantize the last column block.

Layouts: A tiled (a k-block's M rows are consecutive words: the MXU stream), B linear (a
weight tile is L rows with stride N/L words), C linear (row r of column block j is word
r*N/L + j). Each stream's bank then depends only on the k-block, never on the column.
"""
import argparse
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import gen_isa  # noqa: E402  (scripts/gen_isa.py: reads and checks isa/lpu_isa.toml)


def config(name):
    """The [[config]] table `name` of isa/lpu_isa.toml as the generator of the SV package and the
    C++ header reads it: lanes, banks, bank_depth, acc_depth..., and the timing constants
    evaluated for it (t_vlat, t_mlw_ready, t_wbuf_release...)."""
    return {c["name"]: c for c in gen_isa.load()["config"]}[name]


class Variant:
    def __init__(self, name, cfg, m, k, n, a0, b0, c0, mult, shift, seed):
        c = config(cfg)
        self.name, self.cfg, self.L, self.D = name, cfg, c["lanes"], c["bank_depth"]
        self.acc_depth = c["acc_depth"]
        # The three tensors must fit in the SRAM (banks are addressed b0..b{banks-1}).
        assert max(a0, b0, c0) < c["banks"] * c["bank_depth"], f"{name}: tensor beyond the SRAM"
        self.M, self.K, self.N = m, k, n
        self.A0, self.B0, self.C0 = a0, b0, c0  # flat SRAM word addresses (bank * depth + addr)
        self.mult, self.shift = mult, shift
        self.t = {k: c["t_" + k] for k in ("vlat", "mlw_ready", "wbuf_release")}
        self.seed = seed


VARIANTS = [
    # Flat word addresses of A, B and C (4096 words = 64 KiB apart on base, whatever the bank
    # depth: bank_addr() splits them into bank and address with the config's bank_depth).
    Variant("gemm_256", "base", 256, 256, 256, 0, 4096, 8192, 15, 15, 256),
    Variant("gemm_32", "tiny", 32, 32, 32, 0, 16384, 16384 + 1024, 21, 14, 32),
]


def bank_addr(v, flat, words):
    """(bank, addr) of `words` consecutive words from flat address `flat`, all in one bank."""
    bank, addr = divmod(flat, v.D)
    assert addr + words <= v.D, f"{v.name}: a stream straddles a bank boundary at {flat}"
    return bank, addr


class Emitter:
    def __init__(self):
        self.lines = []
        self.off = 0  # cycle offset inside the current window

    def ins(self, text, cycles=1, comment=None, indent=2):
        pad = " " * indent
        self.lines.append(pad + text + (f"   ; {comment}" if comment else ""))
        self.off += cycles

    def nop(self, n, comment=None, indent=2):
        while n > 0:
            k = min(n, 65536)
            self.ins("nop" if k == 1 else f"nop {k}", k, comment, indent)
            n -= k

    def raw(self, text):
        self.lines.append(text)


def requant_block(e, v, bank, const, rows, indent, comment):
    """Requantizes `rows` rows: ACC[r4++] -> C bank `bank`, from address r11 - 1 + const.
    3*rows + 7 cycles (software-pipelined: vlda row i, vrq row i-1, vst row i-2)."""
    nw = v.N // v.L
    p = " " * indent
    sh = v.shift
    e.ins(f"addi r5, r11, {const - 1}", comment=comment, indent=indent)
    e.ins("vlda v0, acc[r4], inc=1", comment="row 0", indent=indent)
    e.nop(2, indent=indent)
    e.ins("vlda v0, acc[r4], inc=1", comment="row 1", indent=indent)
    e.ins(f"vrq v1, v0, r6, {sh}", comment="row 0", indent=indent)
    assert rows >= 3
    e.raw(f"{p}loop {rows - 2} {{")
    e.ins("vlda v0, acc[r4], inc=1", 0, "row i", indent + 2)
    e.ins(f"vrq v1, v0, r6, {sh}", 0, "row i-1", indent + 2)
    e.ins(f"vst v1, b{bank}[r5], inc={nw}", 0, "row i-2", indent + 2)
    e.raw(f"{p}}}")
    e.off += 1 + 3 * (rows - 2)  # the loopi instruction and the body
    e.nop(1, indent=indent)
    e.ins(f"vrq v1, v0, r6, {sh}", comment=f"row {rows - 1}", indent=indent)
    e.ins(f"vst v1, b{bank}[r5], inc={nw}", comment=f"row {rows - 2}", indent=indent)
    e.nop(2, indent=indent)
    e.ins(f"vst v1, b{bank}[r5], inc={nw}", comment=f"row {rows - 1}", indent=indent)


def generate(v, predicted):
    L, M, K, N = v.L, v.M, v.K, v.N
    nk, ncol, nw = K // L, N // L, N // L
    rows_w = M // nk  # rows requantized per window
    assert nk % 2 == 0 and M % nk == 0 and 2 * M <= v.acc_depth
    e = Emitter()
    e.raw(f"; Generated by examples/gemm/gen_gemm.py ({v.name}); edit the generator, not this file.")
    e.raw(f"; C = requant(A x B), A {M}x{K} (tiled), B {K}x{N} (linear), C {M}x{N} (linear), int8.")
    e.raw(f"; requant(x) = saturate_int8(round_shift(x * {v.mult}, {v.shift})).")
    e.raw("; One MXU stream per window of exactly M cycles: the MXU reads a row every cycle.")
    e.raw(";   r3 ACC region written by this column   r4 ACC read pointer (requant)")
    e.raw(";   r5 C write pointer   r6 multiplier   r7 region size   r9 next A block")
    e.raw(";   r10 next weight tile   r11 column index j")
    e.raw(f".config {v.cfg}")
    if predicted:
        e.raw(f".predicted_cycles {predicted}")
    ab, aa = divmod(v.A0, v.D)
    bb, ba = divmod(v.B0, v.D)
    cb, ca = divmod(v.C0, v.D)
    e.raw(f".input A, b{ab}[{aa}], shape=({M}, {K}), layout=tiled")
    e.raw(f".input B, b{bb}[{ba}], shape=({K}, {N})")
    e.raw(f".output C, b{cb}[{ca}], shape=({M}, {N})")
    e.raw("")

    def a_of(s):  # A block s: bank, address
        return bank_addr(v, v.A0 + s * M, M)

    def b_of(s):  # weight tile s (rows s*L..s*L+L-1) of column 0: bank, address (+ j)
        return bank_addr(v, v.B0 + s * L * nw, L * nw)

    def c_of(s):  # requant rows of window s, column 0: bank, address (+ j)
        return bank_addr(v, v.C0 + s * rows_w * nw, rows_w * nw)

    def window(s, requant, last_of_column, tail_instrs=0):
        """One window: stream s of a column; `tail_instrs` issue slots are left free at its
        end (the column loop's loopi)."""
        buf = s % 2
        bank_a, _ = a_of(s)
        e.off = 0
        e.raw(f"  ; -- window {s}: k-block {s}, weight buffer {buf}")
        op = "mm " if s == 0 else "mma"
        e.ins(f"{op} b{bank_a}[r9], acc[r3], {M}, buf={buf}", comment=f"rows cycle 1..{M}")
        if requant:
            bank_c, addr_c = c_of(s)
            requant_block(e, v, bank_c, addr_c, rows_w, 2,
                          f"requant rows {s * rows_w}..{(s + 1) * rows_w - 1} of column j-1")
        nxt = 0 if s == nk - 1 else s + 1
        bank_b, addr_b = b_of(nxt)
        col = "j+1" if s == nk - 1 else "j"
        e.ins(f"addi r10, r11, {addr_b + (1 if s == nk - 1 else 0)}", comment=f"weight tile ({nxt}, {col})")
        if e.off < v.t["wbuf_release"]:
            e.nop(v.t["wbuf_release"] - e.off, comment="until the idle buffer's last mm has drained")
        e.ins(f"mlw b{bank_b}[r10], buf={1 - buf}, stride={nw}")
        assert e.off <= M - v.t["mlw_ready"], f"{v.name}: mlw too late in window {s}"
        if last_of_column:
            e.ins("addi r4, r3, 0", comment="next column requantizes this column's region")
            e.ins(f"sub r3, r7, r3", comment="and writes the other one")
            e.ins("addi r11, r11, 1")
        _, addr_a = a_of(nxt)
        e.ins(f"li r9, {addr_a}", comment=f"A block {nxt}")
        pad = M - e.off - tail_instrs
        assert pad >= 0, f"{v.name}: window {s} is {e.off} cycles, more than {M}"
        e.nop(pad)

    # Prologue: constants, the first weight tile, then wait for it.
    e.raw("; prologue")
    e.ins("li r3, 0", comment="column 0 writes ACC region 0", indent=0)
    e.ins(f"li r6, {v.mult}", indent=0)
    e.ins(f"li r7, {M}", indent=0)
    e.ins("li r11, 0", indent=0)
    bank_b, addr_b = b_of(0)
    e.ins(f"li r10, {addr_b}", indent=0)
    e.ins(f"mlw b{bank_b}[r10], buf=0, stride={nw}", comment="weight tile (0, 0)", indent=0)
    e.off = 0
    e.ins(f"li r9, {a_of(0)[1]}", indent=0)
    e.nop(v.t["mlw_ready"] - e.off, comment="mlw_ready", indent=0)
    e.raw("")
    e.raw("; column 0: matmuls only")
    for s in range(nk):
        window(s, False, s == nk - 1, tail_instrs=1 if s == nk - 1 else 0)
    e.raw("")
    e.raw(f"; columns 1..{ncol - 1}: matmuls of column j overlapped with the requantization of j-1")
    e.raw(f"loop {ncol - 1} {{")
    for s in range(nk):
        window(s, True, s == nk - 1)
    e.raw("}")
    e.raw("")
    e.raw(f"; epilogue: requantize column {ncol - 1} once its last ACC row has landed")
    e.ins("barrier", indent=0)
    rows_bank = min(M, v.D // nw)  # C rows per bank
    for g in range(M // rows_bank):
        bank_c, addr_c = bank_addr(v, v.C0 + g * rows_bank * nw, rows_bank * nw)
        requant_block(e, v, bank_c, addr_c, rows_bank, 0, f"rows {g * rows_bank}..{(g + 1) * rows_bank - 1}")
    e.ins("halt", indent=0)
    return "\n".join(e.lines) + "\n"


def lcg_bytes(seed, n):
    """Deterministic int8 values (a 32-bit LCG; high byte), the same on every platform."""
    x = seed & 0xFFFFFFFF
    out = bytearray(n)
    for i in range(n):
        x = (x * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = x >> 24
    return bytes(out)


def write_npy(path, shape, data):
    """A version 1.0 .npy file of int8 (dtype '|i1'), C order."""
    header = "{'descr': '|i1', 'fortran_order': False, 'shape': (%s), }" % (
        ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else ""))
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cycles", nargs="*", default=[], help="NAME=N: .predicted_cycles for a variant")
    args = ap.parse_args()
    predicted = dict(x.split("=") for x in args.cycles)
    for v in VARIANTS:
        with open(os.path.join(HERE, v.name + ".s"), "w") as f:
            f.write(generate(v, int(predicted.get(v.name, 0))))
        write_npy(os.path.join(HERE, v.name + "_a.npy"), (v.M, v.K), lcg_bytes(v.seed * 2 + 1, v.M * v.K))
        write_npy(os.path.join(HERE, v.name + "_b.npy"), (v.K, v.N), lcg_bytes(v.seed * 2 + 2, v.K * v.N))


if __name__ == "__main__":
    main()
