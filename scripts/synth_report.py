#!/usr/bin/env python3
"""Turn Yosys `stat -json` output into the LPU resource report.

Usage:
  synth_report.py build  STAT.json TARGET CONFIG TOP SECONDS LOG OUT.json [MAPPER]
      write OUT.json: per-block and total LUT/FF/DSP/BRAM counts of one synthesis run
  synth_report.py table  REPORT.json...
      print the readable table of one or more reports
  synth_report.py markdown REPORT.json...
      print the same as Markdown (make docs writes it to docs/gen/resources.md)

Blocks are the module types instantiated directly by the top (their counts include their own
submodules); "(glue)" is the logic of the top itself. Parameterised module names
(`$paramod\\lpu_mxu\\Lanes=...`) are shown by their module name.
"""
import json
import pathlib
import sys

# How each device's primitives count towards the columns of the report. CCU2C is two LUT4s of
# arithmetic (nextpnr counts it so). Capacities are the devices' datasheet figures.
TARGETS = {
    "ecp5": {
        "device": "LFE5U-85F",
        "classes": {
            "lut": {"LUT4": 1, "CCU2C": 2},
            "ff": {"TRELLIS_FF": 1},
            "dsp": {"MULT18X18D": 1, "ALU54B": 1},
            "bram": {"DP16KD": 1, "PDPW16KD": 1},
            "lutram": {"TRELLIS_DPR16X4": 1},
        },
        "capacity": {"lut": 83640, "ff": 83640, "dsp": 156, "bram": 208},
    },
    "ice40": {
        "device": "iCE40UP5K",
        "classes": {
            "lut": {"SB_LUT4": 1},
            "ff": {"SB_DFF": 1, "SB_DFFE": 1, "SB_DFFSR": 1, "SB_DFFR": 1, "SB_DFFSS": 1,
                   "SB_DFFS": 1, "SB_DFFESR": 1, "SB_DFFER": 1, "SB_DFFESS": 1, "SB_DFFES": 1,
                   "SB_DFFN": 1, "SB_DFFNE": 1, "SB_DFFNSR": 1, "SB_DFFNR": 1, "SB_DFFNSS": 1,
                   "SB_DFFNS": 1, "SB_DFFNESR": 1, "SB_DFFNER": 1, "SB_DFFNESS": 1,
                   "SB_DFFNES": 1},
            "dsp": {"SB_MAC16": 1},
            "bram": {"SB_RAM40_4K": 1},
            "spram": {"SB_SPRAM256KA": 1},
        },
        "capacity": {"lut": 5280, "ff": 5280, "dsp": 8, "bram": 30, "spram": 4},
    },
}


def short_name(raw):
    """'\\lpu_seq' -> 'lpu_seq'; '$paramod\\lpu_mxu\\Lanes=...' or '$paramod$ab12\\x' -> name."""
    name = raw.lstrip("\\")
    if name.startswith("$paramod"):
        parts = name.split("\\")
        if len(parts) > 1:
            return parts[1]
    return name


def columns(target):
    return list(TARGETS[target]["classes"].keys())


def classify(cells, target):
    """Own-cell counts by type -> column counts, plus the cells no column takes."""
    out = {c: 0 for c in columns(target)}
    other = {}
    for ctype, n in cells.items():
        for col, weights in TARGETS[target]["classes"].items():
            if ctype in weights:
                out[col] += n * weights[ctype]
                break
        else:
            other[ctype] = other.get(ctype, 0) + n
    return out, other


def build(stat_path, target, config, top, seconds, log_path, out_path, mapper="abc9"):
    stat = json.loads(pathlib.Path(stat_path).read_text())
    # Module keys carry a leading backslash ('\\mem'); cell types naming them may not ('mem').
    mods = {k.lstrip("\\"): v for k, v in stat["modules"].items()}
    top_key = next((k for k in mods if short_name(k) == top), None)
    if top_key is None:
        sys.exit(f"synth_report.py: top '{top}' not in {stat_path}")

    own = {}      # module key -> own primitive counts by type
    children = {}  # module key -> {child module key: instance count}
    for key, m in mods.items():
        cells = {t.lstrip("\\"): n for t, n in m.get("num_cells_by_type", {}).items()}
        own[key] = {t: n for t, n in cells.items() if t not in mods}
        children[key] = {t: n for t, n in cells.items() if t in mods}

    memo = {}

    def total(key):
        if key not in memo:
            acc = dict(own[key])
            for ch, n in children[key].items():
                for t, c in total(ch).items():
                    acc[t] = acc.get(t, 0) + n * c
            memo[key] = acc
        return memo[key]

    blocks = {}
    for ch, n in children[top_key].items():
        name = short_name(ch)
        cols, _ = classify(total(ch), target)
        b = blocks.setdefault(name, {"block": name, "instances": 0,
                                     **{c: 0 for c in columns(target)}})
        b["instances"] += n
        for c, v in cols.items():
            b[c] += n * v
    glue, _ = classify(own[top_key], target)
    tot, other = classify(total(top_key), target)

    warnings = 0
    if log_path and pathlib.Path(log_path).is_file():
        warnings = sum(1 for line in pathlib.Path(log_path).read_text(errors="replace").splitlines()
                       if line.startswith("Warning:"))

    report = {
        "target": target,
        "device": TARGETS[target]["device"],
        "config": config,
        "top": top,
        "tool": stat.get("creator", "yosys"),
        "seconds": round(float(seconds), 1),
        "mapper": mapper,
        "yosys_warnings": warnings,
        "columns": columns(target),
        "capacity": TARGETS[target]["capacity"],
        "blocks": sorted(blocks.values(), key=lambda b: b["block"])
        + [{"block": "(glue)", "instances": 1, **glue}],
        "total": tot,
        "other_cells": other,
        "modules": own,
    }
    pathlib.Path(out_path).write_text(json.dumps(report, indent=1) + "\n")


def table(paths):
    for p in paths:
        r = json.loads(pathlib.Path(p).read_text())
        cols = r["columns"]
        cap = r["capacity"]
        head = f"{r['top']} on {r['device']} ({r['target']}, config {r['config']})"
        mapper = "" if r.get("mapper", "abc9") == "abc9" else f", LUTs mapped by {r['mapper']}"
        print(f"{head}: {r['seconds']} s, {r['yosys_warnings']} Yosys warnings{mapper}")
        w = max([len("block")] + [len(b["block"]) + 4 for b in r["blocks"]])
        print("  " + "block".ljust(w) + "".join(c.upper().rjust(9) for c in cols))
        for b in r["blocks"]:
            label = b["block"] + (f" x{b['instances']}" if b["instances"] > 1 else "")
            print("  " + label.ljust(w) + "".join(str(b[c]).rjust(9) for c in cols))
        print("  " + "total".ljust(w) + "".join(str(r["total"][c]).rjust(9) for c in cols))
        print("  " + "device".ljust(w)
              + "".join((str(cap[c]) if c in cap else "-").rjust(9) for c in cols))
        print("  " + "used".ljust(w) + "".join(
            (f"{100.0 * r['total'][c] / cap[c]:.1f}%" if cap.get(c) else "-").rjust(9)
            for c in cols))
        print()


def markdown(paths):
    print("<!-- Generated by scripts/synth_report.py from `make synth` reports. DO NOT EDIT. -->")
    print("# FPGA resources\n")
    print("Yosys synthesis (hierarchical, before place and route) of each target's configuration;")
    print("a block's figures include its submodules. Regenerate with `make synth docs`.\n")
    for p in paths:
        r = json.loads(pathlib.Path(p).read_text())
        cols = r["columns"]
        cap = r["capacity"]
        print(f"## {r['top']}: {r['device']}, config `{r['config']}`\n")
        print(f"{r['tool'].split(' (')[0]}, {r['yosys_warnings']} warnings.\n")
        print("| block | " + " | ".join(c.upper() for c in cols) + " |")
        print("|---|" + "---:|" * len(cols))
        for b in r["blocks"]:
            label = b["block"] + (f" x{b['instances']}" if b["instances"] > 1 else "")
            print(f"| {label} | " + " | ".join(str(b[c]) for c in cols) + " |")
        print("| **total** | " + " | ".join(f"**{r['total'][c]}**" for c in cols) + " |")
        print("| device | " + " | ".join(
            (f"{cap[c]} ({100.0 * r['total'][c] / cap[c]:.1f}% used)" if cap.get(c) else "-")
            for c in cols) + " |")
        print()


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "build" and len(sys.argv) in (9, 10):
        build(*sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "table":
        table(sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "markdown":
        markdown(sys.argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
