#!/usr/bin/env python3
"""Where a placed design's wiring goes: half-perimeter wirelength (HPWL) per block.

Reads the JSON that nextpnr writes after placement (`--no-route --write placed.json`, or
`FPGA_STOP=place scripts/bitstream.sh ...`), whose cells carry their site in the attribute
NEXTPNR_BEL ("X<x>/Y<y>/<site>"). A net's HPWL is the width plus the height, in tiles, of the
box around its driver and sinks: the wire a router needs at the least. Nets are charged to
the block named by the leading instance names of the net name (Yosys keeps the hierarchy in
the names of a flattened design).

Usage:
  fpga_wirelen.py PLACED.json [--root PREFIX] [--depth N] [--long TILES] [--global-fanout N]
                              [--json OUT.json]
      one row per block: nets, HPWL, share, HPWL of long nets, cells, HPWL per cell
  fpga_wirelen.py PLACED.json --signals BLOCK [--top N]
      the signals of one block with the most wire (bit indices and generate indices folded,
      so `u_array.prod_w[3][5]` and `u_array.prod_w[7][1]` count as one signal)

Nets with more than --global-fanout sinks (default 2000: the clocks, the reset and `stop`,
which ride on global networks, docs/boards.md "Global nets") are listed apart and not charged.
docs/boards.md "Where the wiring goes" has the figures of `base`.
"""
import argparse
import collections
import json
import pathlib
import re
import sys

BEL_RE = re.compile(r"X(\d+)/Y(\d+)/")
CORE_ROOT = "u_board.u_lpu.u_core"  # the board top's core: its children are the blocks
# Names Yosys and nextpnr derive from a driving cell ("..._LUT4_Z", "..._TRELLIS_FF_Q_DI", ...):
# folded into the signal they start from.
DERIVED_RE = re.compile(r"_(TRELLIS|LUT4|CCU2C|PFUMX|L6MUX21|DP16KD|MULT18X18D|ALU54B|DCCA|"
                        r"SB_LUT4|SB_DFF\w*|SB_CARRY|SB_RAM40_4K|SB_MAC16|SB_SPRAM256KA)(?=_|$).*")


def fail(msg):
    print(f"fpga_wirelen: {msg}", file=sys.stderr)
    sys.exit(1)


def load(path):
    try:
        data = json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError) as e:
        fail(f"cannot read {path}: {e}")
    mods = data.get("modules") if isinstance(data, dict) else None
    if not isinstance(mods, dict):
        fail(f"{path}: not a nextpnr/Yosys JSON netlist (no 'modules')")
    placed = []
    for name, m in mods.items():
        cells = m.get("cells") if isinstance(m, dict) else None
        nets = m.get("netnames") if isinstance(m, dict) else None
        if not isinstance(cells, dict):
            continue
        if not isinstance(nets, dict) or not all(
                isinstance(c, dict) and isinstance(c.get("attributes", {}), dict)
                and isinstance(c.get("connections", {}), dict) for c in cells.values()):
            fail(f"{path}: module {name}: malformed cells or netnames")
        if any("NEXTPNR_BEL" in c.get("attributes", {}) for c in cells.values()):
            placed.append(m)
    if not placed:
        fail(f"{path}: no cell has a NEXTPNR_BEL attribute (write it after placement: "
             "nextpnr --no-route --write)")
    return placed[0]


def instance_path(name):
    """The leading instance names of a hierarchical net or cell name (all but the last)."""
    return name.split(".")[:-1]


def block_of(name, root, depth):
    parts = instance_path(name)
    if root:
        if parts[:len(root)] != root:
            return "(outside " + ".".join(root) + ")"
        parts = parts[len(root):]
    return ".".join(parts[:depth]) if parts else "(top)"


def short(name, n=60):
    """A net name cut to n characters (derived names run to hundreds)."""
    return name if len(name) <= n else name[:n - 3] + "..."


def signal_of(name):
    s = DERIVED_RE.sub("", name)
    s = re.sub(r"\[\d+\]", "[]", s)
    return s


def placed_nets(module):
    """Cell sites, and every net of two or more placed pins as (name, [cell, ...])."""
    loc = {}
    for cname, cell in module.get("cells", {}).items():
        m = BEL_RE.match(str(cell.get("attributes", {}).get("NEXTPNR_BEL", "")))
        if m:
            loc[cname] = (int(m.group(1)), int(m.group(2)))
    pins = collections.defaultdict(list)
    for cname, cell in module.get("cells", {}).items():
        if cname not in loc:
            continue
        for bits in cell.get("connections", {}).values():
            for b in bits if isinstance(bits, list) else ():
                if isinstance(b, int):
                    pins[b].append(cname)
    names = {}
    for nname, info in module.get("netnames", {}).items():
        bits = info.get("bits", []) if isinstance(info, dict) else []
        for b in bits if isinstance(bits, list) else ():
            # The shortest name of a bit is the one closest to the source (no derived suffix).
            if isinstance(b, int) and (b not in names or len(nname) < len(names[b])):
                names[b] = nname
    nets = [(names.get(b, f"<net {b}>"), cells) for b, cells in pins.items() if len(cells) >= 2]
    return loc, nets


def hpwl(loc, cells):
    xs = [loc[c][0] for c in cells]
    ys = [loc[c][1] for c in cells]
    return max(xs) - min(xs) + max(ys) - min(ys)


def analyse(module, root=(), depth=1, long_tiles=40, global_fanout=2000):
    """Per-block figures. Returns (rows, global nets, total HPWL), rows sorted by HPWL."""
    loc, nets = placed_nets(module)
    root = list(root)
    rows = collections.defaultdict(lambda: {"nets": 0, "hpwl": 0, "long": 0, "cells": 0})
    for cname in loc:
        rows[block_of(cname, root, depth)]["cells"] += 1
    globals_ = []
    total = 0
    for name, cells in nets:
        if len(cells) - 1 > global_fanout:
            globals_.append({"net": name, "sinks": len(cells) - 1})
            continue
        w = hpwl(loc, cells)
        r = rows[block_of(name, root, depth)]
        r["nets"] += 1
        r["hpwl"] += w
        if w >= long_tiles:
            r["long"] += w
        total += w
    out = [dict(block=k, **v) for k, v in rows.items()]
    out.sort(key=lambda r: (-r["hpwl"], r["block"]))
    return out, sorted(globals_, key=lambda g: -g["sinks"]), total


def signals(module, block, top=20, global_fanout=2000):
    """The signals of the nets whose name contains `block`, by HPWL."""
    loc, nets = placed_nets(module)
    acc = collections.defaultdict(lambda: {"nets": 0, "hpwl": 0, "sinks": 0})
    for name, cells in nets:
        if len(cells) - 1 > global_fanout or block not in name:
            continue
        a = acc[signal_of(name)]
        a["nets"] += 1
        a["hpwl"] += hpwl(loc, cells)
        a["sinks"] += len(cells) - 1
    res = [dict(signal=k, **v) for k, v in acc.items()]
    res.sort(key=lambda r: (-r["hpwl"], r["signal"]))
    return res[:top]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("placed")
    p.add_argument("--root", default=CORE_ROOT,
                   help="instance path the blocks are named under (default: the core)")
    p.add_argument("--depth", type=int, default=1)
    p.add_argument("--long", type=int, default=40, help="a long net spans at least this many tiles")
    p.add_argument("--global-fanout", type=int, default=2000)
    p.add_argument("--signals", metavar="BLOCK")
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--json", metavar="OUT")
    a = p.parse_args()
    if a.depth < 1 or a.long < 1 or a.global_fanout < 1 or a.top < 1:
        fail("--depth, --long, --global-fanout and --top must be positive")
    module = load(a.placed)
    if a.signals:
        res = signals(module, a.signals, a.top, a.global_fanout)
        if not res:
            fail(f"no net name contains '{a.signals}'")
        tot = sum(r["hpwl"] for r in res)
        print("| signal | nets | HPWL (tiles) | mean | sinks per net |")
        print("|---|---|---|---|---|")
        for r in res:
            print(f"| `{r['signal']}` | {r['nets']} | {r['hpwl']} | {r['hpwl'] / r['nets']:.1f} "
                  f"| {r['sinks'] / r['nets']:.1f} |")
        print(f"\n(top {len(res)} signals: {tot} tiles)")
        return 0
    root = [s for s in a.root.split(".") if s]
    rows, globals_, total = analyse(module, root, a.depth, a.long, a.global_fanout)
    print(f"| block | nets | HPWL (tiles) | share | in nets of >= {a.long} tiles | cells | HPWL per cell |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        share = r["hpwl"] / total if total else 0.0
        per = f"{r['hpwl'] / r['cells']:.1f}" if r["cells"] else "-"
        print(f"| {r['block']} | {r['nets']} | {r['hpwl']} | {share:.1%} | {r['long']} "
              f"| {r['cells']} | {per} |")
    print(f"\ntotal HPWL {total} tiles; global nets not counted: "
          + (", ".join(f"{short(g['net'])} ({g['sinks']} sinks)" for g in globals_[:6]) or "none"))
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(
            {"total_hpwl": total, "long_tiles": a.long, "blocks": rows, "global_nets": globals_},
            indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
