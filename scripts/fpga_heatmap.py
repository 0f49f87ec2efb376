#!/usr/bin/env python3
"""Where nextpnr's router2 runs out of wire: its per-iteration heatmaps, summed up.

`FPGA_HEATMAP=1 scripts/bitstream.sh ulx3s` passes `--router2-heatmap heat/iter` to nextpnr,
which after each routing iteration N writes into heat/:

  iter_congestion_by_wiretype_N.csv    per wire type, how many wires carry 0, 1, 2, ... nets
                                       (`type,bound=0,bound=1,...,`). A wire that carries
                                       k > 1 nets is overused by k - 1; router2's log line
                                       `overused=` counts such wires and `overuse=` sums the
                                       excess. Routing has converged when both are 0.
  iter_congestion_by_coordinate_N.csv  one line per grid column x, one value per row y: the
                                       nets carried by the overused wires of that tile
  iter_congestion_by_net_N.csv         `net,count`: nextpnr's congestion count of each net
                                       on overused wires

usage: fpga_heatmap.py DIR [--top N] [--root PATH] [--bins X,Y] [--json FILE]

Prints a markdown summary: the overuse per iteration; the wire types ranked by overused wires
summed over every iteration (their counts per iteration, and how much of the type is in use
in the last); and, from the last iteration that still had congestion, where on the die it is
(a coarse map, in per cent) and which blocks and signals the congested nets belong to (bit
indices and names derived by Yosys/nextpnr folded together, blocks under --root as in
fpga_wirelen.py). The tables show iterations 1, 2, 3, 5, 10, 20, ... and the last; the JSON
keeps all. The wire-type files are required, the others optional. Malformed files are
refused with a message naming the file and line.
"""
import argparse
import collections
import csv
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fpga_wirelen import CORE_ROOT, block_of, short, signal_of  # noqa: E402

KINDS = ("wiretype", "coordinate", "net")
FILE_RE = re.compile(r"(?:.*_)?congestion_by_(wiretype|coordinate|net)_(\d+)\.csv")


class HeatmapError(Exception):
    pass


def read_rows(path):
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise HeatmapError(f"{path}: cannot read: {e}") from None
    return list(csv.reader(text.splitlines()))


def ints(path, n, cells):
    """A row's counts (router2 ends every row with a comma)."""
    if cells and cells[-1] == "":
        cells = cells[:-1]
    try:
        vals = [int(c) for c in cells]
    except ValueError:
        raise HeatmapError(f"{path}:{n}: counts must be integers") from None
    if any(v < 0 for v in vals):
        raise HeatmapError(f"{path}:{n}: negative count")
    return vals


def read_wiretype(path):
    """{type: [wires carrying 0 nets, 1, ...]}."""
    rows = read_rows(path)
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
        if not row[0]:
            raise HeatmapError(f"{path}:{n}: empty wire type")
        if row[0] in hist:
            raise HeatmapError(f"{path}:{n}: wire type '{row[0]}' appears twice")
        counts = ints(path, n, row[1:])
        if len(counts) > len(header):
            raise HeatmapError(f"{path}:{n}: {len(counts)} counts for {len(header)} columns")
        hist[row[0]] = counts
    return hist


def read_coordinate(path):
    """grid[x][y] (x: line, y: column)."""
    grid = [ints(path, n, row) for n, row in enumerate(read_rows(path), start=1)]
    while grid and not grid[-1]:
        grid.pop()
    if not grid:
        raise HeatmapError(f"{path}: empty")
    return grid


def read_net(path):
    """{net: count}."""
    nets = {}
    for n, row in enumerate(read_rows(path), start=1):
        if not row:
            continue
        if len(row) < 2 or not row[0] or not row[-1]:
            raise HeatmapError(f"{path}:{n}: expected 'net,count'")
        # A net name may itself hold commas: the count is the last field.
        name = ",".join(row[:-1])
        nets[name] = nets.get(name, 0) + ints(path, n, row[-1:])[0]
    return nets


READERS = {"wiretype": read_wiretype, "coordinate": read_coordinate, "net": read_net}


def load(directory):
    """{kind: {iteration: data}}; at least one wire-type file."""
    d = Path(directory)
    if not d.is_dir():
        raise HeatmapError(f"{d}: not a directory")
    out = {k: {} for k in KINDS}
    for p in sorted(d.iterdir()):
        m = FILE_RE.fullmatch(p.name)
        if m:
            out[m.group(1)][int(m.group(2))] = READERS[m.group(1)](p)
    if not out["wiretype"]:
        raise HeatmapError(f"{d}: no heatmap files (*congestion_by_wiretype_N.csv): was router2 "
                           "run with --router2-heatmap?")
    return out


def overuse(counts):
    """(overused wires, total overuse) of one type's histogram."""
    wires = sum(c for k, c in enumerate(counts) if k >= 2)
    excess = sum(c * (k - 1) for k, c in enumerate(counts) if k >= 2)
    return wires, excess


def coarse_map(grid, bins_x, bins_y):
    """Per-cent shares of the grid's total in bins_x x bins_y equal parts: rows[y_bin][x_bin]."""
    nx = len(grid)
    ny = max(len(col) for col in grid)
    total = sum(sum(col) for col in grid)
    m = [[0] * bins_x for _ in range(bins_y)]
    for x, col in enumerate(grid):
        for y, v in enumerate(col):
            m[y * bins_y // ny][x * bins_x // nx] += v
    shares = [[100.0 * v / total if total else 0.0 for v in row] for row in m]
    return {"width": nx, "height": ny, "total": total, "bins_x": bins_x, "bins_y": bins_y,
            "shares": shares}


def latest_nonzero(by_it, total):
    """The last iteration whose data are not all zero (the last one if none is)."""
    return max((i for i, d in by_it.items() if total(d)), default=max(by_it))


def summarise(data, top=15, root=tuple(CORE_ROOT.split(".")), bins=(8, 6)):
    wt = data["wiretype"]
    its = sorted(wt)
    iterations = []
    for it in its:
        hist = wt[it]
        iterations.append({"iteration": it,
                           "overused_wires": sum(overuse(c)[0] for c in hist.values()),
                           "overuse": sum(overuse(c)[1] for c in hist.values())})
    last_it = its[-1]
    last = wt[last_it]
    # Ranked by the overused wires summed over every iteration: a route that converges ends
    # with none, and one that stalls sums its plateau.
    per_type = {}
    for it in its:
        for t, counts in wt[it].items():
            per_type.setdefault(t, []).append(overuse(counts)[0])
    ranked = sorted(per_type, key=lambda t: (-sum(per_type[t]), t))
    types = []
    for t in ranked[:top]:
        counts = last.get(t, [])
        total = sum(counts)
        used = total - (counts[0] if counts else 0)
        types.append({
            "type": t,
            "wires": total,
            "in_use_share": used / total if total else 0.0,
            "overused_by_iteration": [overuse(wt[i].get(t, []))[0] for i in its],
            "overused_sum": sum(per_type[t]),
        })
    s = {"iterations": iterations, "last_iteration": last_it, "types": types}

    coord = data["coordinate"]
    if coord:
        it = latest_nonzero(coord, lambda g: sum(map(sum, g)))
        s["map"] = dict(coarse_map(coord[it], *bins), iteration=it)
    nets = data["net"]
    if nets:
        it = latest_nonzero(nets, lambda n: sum(n.values()))
        by_block = collections.Counter()
        by_signal = collections.Counter()
        for name, count in nets[it].items():
            by_block[block_of(name, list(root), 1)] += count
            by_signal[signal_of(name)] += count
        total = sum(by_block.values())
        s["nets"] = {
            "iteration": it, "total": total,
            "blocks": [{"block": b, "count": c, "share": c / total if total else 0.0}
                       for b, c in sorted(by_block.items(), key=lambda t: (-t[1], t[0]))[:top]],
            "signals": [{"signal": n, "count": c, "share": c / total if total else 0.0}
                        for n, c in sorted(by_signal.items(), key=lambda t: (-t[1], t[0]))[:top]],
        }
    return s


def shown(its):
    """The iterations a table shows: 1, 2, 3, 5, 10, 20, 50, 100, ... that exist, and the last
    (a long route has hundreds; the JSON keeps them all)."""
    marks = set()
    m = 1
    while m <= its[-1]:
        marks.update({m, 2 * m, 3 * m, 5 * m})
        m *= 10
    return [i for i in its if i in marks or i == its[-1]]


def markdown(s):
    its_all = [r["iteration"] for r in s["iterations"]]
    its = shown(its_all)
    cols = [its_all.index(i) for i in its]
    out = []
    if len(its) < len(its_all):
        out += [f"{len(its_all)} iterations; the tables show {', '.join(map(str, its))}.", ""]
    out += ["| iteration | overused wires | overuse |", "|---|---|---|"]
    for r in s["iterations"]:
        if r["iteration"] in its:
            out.append(f"| {r['iteration']} | {r['overused_wires']:,} | {r['overuse']:,} |")
    out.append("")
    out.append("Wire types by overused wires summed over every iteration (the overused wires "
               "of the iterations shown; in use: the share of the type's wires that carry a "
               f"net in iteration {s['last_iteration']}):")
    out.append("")
    out.append("| wire type | wires | in use | sum | " + " | ".join(f"it {i}" for i in its) + " |")
    out.append("|---|---|---|---|" + "---|" * len(its))
    for t in s["types"]:
        cells = " | ".join(f"{t['overused_by_iteration'][c]:,}" for c in cols)
        share = 100 * t["in_use_share"]
        out.append(f"| `{t['type']}` | {t['wires']:,} | {share:.0f} % | {t['overused_sum']:,} | "
                   f"{cells} |")
    if "map" in s:
        m = s["map"]
        out.append("")
        out.append(f"Where the congestion is in iteration {m['iteration']} (per cent of "
                   f"{m['total']:,}, the nets on overused wires; the die's {m['width']} x "
                   f"{m['height']} grid in {m['bins_x']} x {m['bins_y']} parts, row 0 on top):")
        out.append("")
        xs = [f"x {b * m['width'] // m['bins_x']}-{(b + 1) * m['width'] // m['bins_x'] - 1}"
              for b in range(m["bins_x"])]
        out.append("| | " + " | ".join(xs) + " |")
        out.append("|---|" + "---|" * m["bins_x"])
        for b, row in enumerate(m["shares"]):
            y0 = b * m["height"] // m["bins_y"]
            y1 = (b + 1) * m["height"] // m["bins_y"] - 1
            out.append(f"| y {y0}-{y1} | " + " | ".join(f"{v:.1f}" for v in row) + " |")
    if "nets" in s:
        n = s["nets"]
        out.append("")
        out.append(f"Whose nets they are in iteration {n['iteration']} (nextpnr's congestion "
                   f"count per net, {n['total']:,} in all):")
        out.append("")
        out.append("| block | count | share |")
        out.append("|---|---|---|")
        for b in n["blocks"]:
            out.append(f"| `{b['block']}` | {b['count']:,} | {100 * b['share']:.1f} % |")
        out.append("")
        out.append("| signal | count | share |")
        out.append("|---|---|---|")
        for g in n["signals"]:
            name = short(g["signal"], 90)
            out.append(f"| `{name}` | {g['count']:,} | {100 * g['share']:.1f} % |")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="directory with router2's heatmap CSVs")
    ap.add_argument("--top", type=int, default=15, help="rows per table (default 15)")
    ap.add_argument("--root", default=CORE_ROOT,
                    help=f"instance path whose children are the blocks (default {CORE_ROOT})")
    ap.add_argument("--bins", default="8,6",
                    help="the coarse map's parts across,down (default 8,6)")
    ap.add_argument("--json", help="also write the summary as JSON to this file")
    a = ap.parse_args(argv)
    if a.top < 1:
        ap.error("--top must be at least 1")
    try:
        bins = tuple(int(v) for v in a.bins.split(","))
        if len(bins) != 2 or min(bins) < 1:
            raise ValueError
    except ValueError:
        ap.error("--bins must be two positive integers, e.g. 8,6")
    root = tuple(p for p in a.root.split(".") if p)
    try:
        s = summarise(load(a.dir), a.top, root, bins)
    except HeatmapError as e:
        print(f"fpga_heatmap: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(markdown(s))
    if a.json:
        Path(a.json).write_text(json.dumps(s, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
