#!/usr/bin/env python3
"""Where nextpnr's router2 runs out of wire: its per-iteration heatmaps, summed by wire type.

`FPGA_HEATMAP=1 scripts/bitstream.sh ulx3s` asks router2 for `--router2-heatmap`: after each
iteration N it writes `iter_N.csv`, one row per wire type with the number of wires of that
type bound to 0, 1, 2, ... nets (`type,bound=0,bound=1,...,`). A wire bound to k > 1 nets is
overused by k - 1; router2's log line `overused=` is the number of such wires and
`overuse=` the sum of the excess, and routing has converged when both are 0.

usage: fpga_heatmap.py DIR [--top N] [--json FILE]

Prints a markdown summary: per iteration the overused wires and the overuse, then the wire
types with the most overused wires in the last iteration, with their count in every
iteration and the share of that type's wires in use. Malformed files are refused with a
message naming the file and line.
"""
import argparse
import csv
import json
import re
import sys
from pathlib import Path


class HeatmapError(Exception):
    pass


def read_iteration(path):
    """{type: [wires bound to 0 nets, to 1, ...]} of one heatmap file."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise HeatmapError(f"{path}: cannot read: {e}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not rows[0] or rows[0][0] != "type":
        raise HeatmapError(f"{path}:1: expected a header 'type,bound=0,...'")
    header = [c for c in rows[0][1:] if c != ""]
    for i, c in enumerate(header):
        if c != f"bound={i}":
            raise HeatmapError(f"{path}:1: column {i + 2} is '{c}', expected 'bound={i}'")
    hist = {}
    for n, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        cells = row[1:]
        if cells and cells[-1] == "":
            cells = cells[:-1]
        if not row[0]:
            raise HeatmapError(f"{path}:{n}: empty wire type")
        if row[0] in hist:
            raise HeatmapError(f"{path}:{n}: wire type '{row[0]}' appears twice")
        if len(cells) > len(header):
            raise HeatmapError(f"{path}:{n}: {len(cells)} counts for {len(header)} columns")
        try:
            counts = [int(c) for c in cells]
        except ValueError:
            raise HeatmapError(f"{path}:{n}: counts must be integers") from None
        if any(c < 0 for c in counts):
            raise HeatmapError(f"{path}:{n}: negative count")
        hist[row[0]] = counts
    return hist


def overuse(counts):
    """(overused wires, total overuse) of one type's histogram."""
    wires = sum(c for k, c in enumerate(counts) if k >= 2)
    excess = sum(c * (k - 1) for k, c in enumerate(counts) if k >= 2)
    return wires, excess


def load(directory):
    """[(iteration, hist)] sorted by iteration, from DIR/iter_N.csv."""
    d = Path(directory)
    if not d.is_dir():
        raise HeatmapError(f"{d}: not a directory")
    its = []
    for p in d.iterdir():
        m = re.fullmatch(r"iter_(\d+)\.csv", p.name)
        if m:
            its.append((int(m.group(1)), read_iteration(p)))
    if not its:
        raise HeatmapError(f"{d}: no heatmap files (iter_N.csv): was router2 run with --router2-heatmap?")
    its.sort(key=lambda t: t[0])
    return its


def summarise(its, top):
    iterations = []
    for it, hist in its:
        w = sum(overuse(c)[0] for c in hist.values())
        e = sum(overuse(c)[1] for c in hist.values())
        iterations.append({"iteration": it, "overused_wires": w, "overuse": e})
    last_it, last = its[-1]
    ranked = sorted(last, key=lambda t: (-overuse(last[t])[0], t))
    types = []
    for t in ranked[:top]:
        counts = last[t]
        total = sum(counts)
        used = total - (counts[0] if counts else 0)
        types.append({
            "type": t,
            "wires": total,
            "in_use_share": used / total if total else 0.0,
            "overused_by_iteration": [overuse(h.get(t, []))[0] for _, h in its],
        })
    return {"iterations": iterations, "last_iteration": last_it, "types": types}


def markdown(s):
    out = ["| iteration | overused wires | overuse |", "|---|---|---|"]
    for r in s["iterations"]:
        out.append(f"| {r['iteration']} | {r['overused_wires']:,} | {r['overuse']:,} |")
    out.append("")
    its = [r["iteration"] for r in s["iterations"]]
    out.append(f"Wire types with the most overused wires in iteration {s['last_iteration']} "
               "(overused wires per iteration; in use: the share of the type's wires bound to "
               "at least one net in the last iteration):")
    out.append("")
    out.append("| wire type | wires | in use | " + " | ".join(f"it {i}" for i in its) + " |")
    out.append("|---|---|---|" + "---|" * len(its))
    for t in s["types"]:
        cells = " | ".join(f"{v:,}" for v in t["overused_by_iteration"])
        out.append(f"| `{t['type']}` | {t['wires']:,} | {100 * t['in_use_share']:.0f} % | {cells} |")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="directory with router2's iter_N.csv heatmaps")
    ap.add_argument("--top", type=int, default=15, help="wire types listed (default 15)")
    ap.add_argument("--json", help="also write the summary as JSON to this file")
    a = ap.parse_args(argv)
    if a.top < 1:
        ap.error("--top must be at least 1")
    try:
        s = summarise(load(a.dir), a.top)
    except HeatmapError as e:
        print(f"fpga_heatmap: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(markdown(s))
    if a.json:
        Path(a.json).write_text(json.dumps(s, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
