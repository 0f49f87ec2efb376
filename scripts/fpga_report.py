#!/usr/bin/env python3
"""Reports of the FPGA flow (scripts/bitstream.sh, docs/boards.md).

Usage:
  fpga_report.py precheck STAT.json FAMILY
      Resource use of the synthesised netlist (Yosys `stat -json`) against the device
      capacity; prints one JSON object {"fits": bool, "use": {...}, "over": [...]}.
  fpga_report.py build --board B --out-dir DIR [options]
      Writes DIR/report.json and DIR/report.txt from the synthesis statistics, the nextpnr
      report and log, replaces the board's lines in BENCH/extra/fpga.jsonl, and prints
      report.txt. Options: --stat, --pnr-report, --pnr-log, --status, --message, --config,
      --family, --device, --top, --clock-mhz, --target-mhz, --bitstream, --seconds-synth,
      --seconds-pnr, --seconds-pack, --mapper, --seed, --bench-dir, --docs.
      --docs FILE regenerates FILE (docs/gen/fpga_results.md) from every report.json next to
      DIR (DIR/../*/report.json).
  fpga_report.py markdown FPGA_DIR OUT.md
      Regenerates the Markdown table from FPGA_DIR/*/report.json.
  fpga_report.py check REPORT.json
      Exit 0 when the report is complete and says the design fits and meets its clock,
      1 (with the reason) otherwise; 2 when the report itself is malformed.

Status values: "pass" (fits, timing met at the built clock), "timing_fail", "does_not_fit",
"error" (a tool failed for another reason).
"""
import argparse
import datetime
import json
import pathlib
import re
import sys

# Device capacities (the sites nextpnr reports as "available"). LUT4 = logic cells that hold
# a LUT4 (ECP5: TRELLIS_COMB; iCE40: ICESTORM_LC, which also holds the flip-flop).
DEVICES = {
    "ecp5": {"name": "LFE5U-85F-6BG381C", "lut": 83640, "ff": 83640, "dsp": 156, "bram": 208,
             "lutram": 10455},
    "ice40": {"name": "iCE40UP5K-SG48", "lut": 5280, "ff": 5280, "dsp": 8, "bram": 30,
              "spram": 4},
}

# How Yosys cells count towards the columns (flattened netlist).
YOSYS_CELLS = {
    "ecp5": {"lut": {"LUT4": 1, "CCU2C": 2, "TRELLIS_DPR16X4": 2},
             "ff": {"TRELLIS_FF": 1},
             "dsp": {"MULT18X18D": 1, "ALU54B": 1},
             "bram": {"DP16KD": 1, "PDPW16KD": 1},
             "lutram": {"TRELLIS_DPR16X4": 1}},
    "ice40": {"lut": {"SB_LUT4": 1},
              "ff": {"SB_DFF": 1},  # prefix: every SB_DFF* type
              "dsp": {"SB_MAC16": 1},
              "bram": {"SB_RAM40_4K": 1},
              "spram": {"SB_SPRAM256KA": 1}},
}

# nextpnr utilisation keys per column.
PNR_SITES = {
    "ecp5": {"lut": "TRELLIS_COMB", "ff": "TRELLIS_FF", "dsp": "MULT18X18D", "bram": "DP16KD",
             "lutram": "TRELLIS_RAMW"},
    "ice40": {"lut": "ICESTORM_LC", "dsp": "ICESTORM_DSP", "bram": "ICESTORM_RAM",
              "spram": "ICESTORM_SPRAM"},
}

COLUMNS = ["lut", "ff", "dsp", "bram", "lutram", "spram"]


def fail(msg, code=2):
    print(f"fpga_report.py: {msg}", file=sys.stderr)
    sys.exit(code)


def load_json(path, what):
    try:
        return json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError) as e:
        fail(f"cannot read {what} {path}: {e}")


def top_cells(stat):
    """Cell counts of the top module of a flattened `stat -json` (the one with the most)."""
    mods = stat.get("modules", {})
    if not mods:
        fail("statistics without modules")
    best = max(mods.values(), key=lambda m: m.get("num_cells", 0))
    return best.get("num_cells_by_type", {})


def synth_use(stat, family):
    cells = top_cells(stat)
    use = {}
    for col, kinds in YOSYS_CELLS[family].items():
        n = 0
        for kind, weight in kinds.items():
            if family == "ice40" and col == "ff":
                n += sum(v for k, v in cells.items() if k.startswith("SB_DFF"))
            else:
                n += weight * cells.get(kind, 0)
        use[col] = n
    if family == "ice40":
        use["carry"] = cells.get("SB_CARRY", 0)
    return use


def precheck(stat_path, family):
    stat = load_json(stat_path, "statistics")
    use = synth_use(stat, family)
    dev = DEVICES[family]
    over = []
    for col in COLUMNS:
        if col in use and col in dev and use[col] > dev[col]:
            over.append(f"{col} {use[col]} > {dev[col]}")
    return {"fits": not over, "use": use, "over": over}


def short_cell(name):
    """A readable location for a nextpnr cell name: the hierarchical prefix."""
    name = re.sub(r"\$.*", "", name)
    name = re.sub(r"_(SB|TRELLIS|LUT4|CCU2C|DFF)\w*$", "", name)
    return name or "?"


def summarise_path(cp):
    segs = cp.get("path", [])
    total = sum(s.get("delay", 0.0) for s in segs)
    logic = sum(s.get("delay", 0.0) for s in segs if s.get("type") in ("logic", "clk-to-q", "setup"))
    routing = sum(s.get("delay", 0.0) for s in segs if s.get("type") == "routing")
    levels = sum(1 for s in segs if s.get("type") == "logic")
    start = segs[0]["from"]["cell"] if segs else "?"
    end = segs[-1]["to"]["cell"] if segs else "?"
    nets = [s.get("net", "") for s in segs if s.get("type") == "routing" and s.get("net")]
    return {
        "from_clock": cp.get("from", "?"),
        "to_clock": cp.get("to", "?"),
        "delay_ns": round(total, 3),
        "logic_ns": round(logic, 3),
        "routing_ns": round(routing, 3),
        "logic_levels": levels,
        "start": short_cell(start),
        "end": short_cell(end),
        "nets": nets[:12],
    }


def pnr_failure_reason(log_text):
    for pat in (r"ERROR: .*", r"Unable to .*", r".*not enough .*", r".*too many .*"):
        m = re.search(pat, log_text)
        if m:
            return m.group(0).strip()
    return ""


def pnr_log_utilisation(log_text):
    """Site counts from nextpnr's "Device utilisation" table (printed after packing, so also
    present when placement fails): {site: used}."""
    use = {}
    for m in re.finditer(r"^Info:\s+([A-Za-z0-9_]+):\s+(\d+)/\s*(\d+)\s+\d+%", log_text, re.M):
        use[m.group(1)] = int(m.group(2))
    return use


def build(a):
    out = pathlib.Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    family = a.family
    dev = DEVICES[family]
    rep = {
        "board": a.board,
        "config": a.config,
        "family": family,
        "device": dev["name"],
        "top": a.top,
        "clock_mhz": a.clock_mhz,
        "target_mhz": a.target_mhz,
        "status": a.status,
        "message": a.message,
        "mapper": a.mapper,
        "seed": a.seed,
        "bitstream": a.bitstream,
        "seconds": {"synth": a.seconds_synth, "pnr": a.seconds_pnr, "pack": a.seconds_pack},
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "utilization": {},
        "synth": {},
        "fmax": {},
        "critical_path": None,
    }
    if a.stat and pathlib.Path(a.stat).is_file():
        rep["synth"] = synth_use(load_json(a.stat, "statistics"), family)
    # Utilisation: placed figures when nextpnr got that far, else the synthesis estimate.
    pnr = None
    if a.pnr_report and pathlib.Path(a.pnr_report).is_file():
        pnr = load_json(a.pnr_report, "nextpnr report")
    # Without a report (nextpnr stopped, e.g. in placement), the packed counts of its log: the
    # logic cells it needs can exceed Yosys's LUT count (flip-flops and wide-mux halves that
    # could not share a cell with their LUTs).
    packed = {}
    pnr_log_text = ""
    if a.pnr_log and pathlib.Path(a.pnr_log).is_file():
        pnr_log_text = pathlib.Path(a.pnr_log).read_text(errors="replace")
        if not pnr:
            packed = pnr_log_utilisation(pnr_log_text)
    util = {}
    for col in COLUMNS:
        if col not in dev:
            continue
        used = None
        source = "synth"
        site = PNR_SITES[family].get(col)
        if pnr and site and site in pnr.get("utilization", {}):
            used = pnr["utilization"][site]["used"]
            source = "pnr"
        elif site and site in packed:
            used = packed[site]
            source = "packed"
        elif col in rep["synth"]:
            used = rep["synth"][col]
        if used is None:
            continue
        util[col] = {"used": used, "available": dev[col],
                     "percent": round(100.0 * used / dev[col], 1), "source": source}
    rep["utilization"] = util
    if pnr:
        for clk, f in pnr.get("fmax", {}).items():
            rep["fmax"][clk] = {"achieved_mhz": round(f.get("achieved", 0.0), 2),
                                "constraint_mhz": round(f.get("constraint", 0.0), 2)}
        cps = pnr.get("critical_paths", [])
        if cps:
            # The path of the slowest clock domain.
            worst = min(cps, key=lambda c: -sum(s.get("delay", 0.0) for s in c.get("path", [])))
            rep["critical_path"] = summarise_path(worst)
    core = core_clock(rep["fmax"])
    rep["core_clock"] = core
    rep["fmax_mhz"] = rep["fmax"][core]["achieved_mhz"] if core else None
    rep["timing_met"] = bool(core) and rep["fmax_mhz"] >= a.clock_mhz
    rep["target_met"] = bool(core) and rep["fmax_mhz"] >= a.target_mhz
    rep["fits"] = a.status in ("pass", "timing_fail")
    if a.status in ("pass", "timing_fail") and pnr:
        rep["status"] = "pass" if rep["timing_met"] else "timing_fail"
    if pnr_log_text and rep["status"] in ("error", "does_not_fit") and not rep["message"]:
        rep["message"] = pnr_failure_reason(pnr_log_text)
    over = [f"{col} {u['used']} > {u['available']}" for col, u in util.items()
            if u["source"] == "packed" and u["used"] > u["available"]]
    if over and rep["status"] == "error":
        rep["status"] = "does_not_fit"
        rep["message"] = "after packing: " + "; ".join(over) + \
            (f" ({rep['message']})" if rep["message"] else "")
    (out / "report.json").write_text(json.dumps(rep, indent=2) + "\n")
    text = render_text(rep)
    (out / "report.txt").write_text(text)
    print(text, end="")
    if a.bench_dir:
        write_bench(pathlib.Path(a.bench_dir), rep)
    if a.docs:
        write_markdown(out.parent, pathlib.Path(a.docs))
    return rep


def core_clock(fmax):
    """The core clock: the constrained clock with the highest constraint (the PLL output)."""
    if not fmax:
        return None
    return max(fmax, key=lambda k: (fmax[k]["constraint_mhz"], k))


def render_text(rep):
    lines = []
    lines.append(f"FPGA build {rep['board']}: config {rep['config']} on {rep['device']}, "
                 f"top {rep['top']}, core clock {rep['clock_mhz']} MHz "
                 f"(configuration target {rep['target_mhz']} MHz)")
    lines.append(f"status: {rep['status'].upper()}" + (f" - {rep['message']}" if rep["message"] else ""))
    lines.append("")
    lines.append(f"  {'resource':<10}{'used':>9}{'of':>9}{'%':>8}  source")
    for col, u in rep["utilization"].items():
        lines.append(f"  {col:<10}{u['used']:>9}{u['available']:>9}{u['percent']:>7.1f}%  {u['source']}")
    if rep["synth"]:
        s = rep["synth"]
        extra = ", ".join(f"{k} {v}" for k, v in s.items())
        lines.append(f"  synthesis (Yosys, {rep['mapper']}): {extra}")
    if rep["fmax"]:
        lines.append("")
        for clk, f in rep["fmax"].items():
            ok = "PASS" if f["achieved_mhz"] >= f["constraint_mhz"] else "FAIL"
            lines.append(f"  Fmax {clk}: {f['achieved_mhz']:.2f} MHz ({ok} at {f['constraint_mhz']:.2f} MHz)")
        if rep["fmax_mhz"] is not None:
            tgt = "met" if rep["target_met"] else "MISSED"
            lines.append(f"  configuration target {rep['target_mhz']} MHz: {tgt}")
    cp = rep.get("critical_path")
    if cp:
        lines.append("")
        lines.append(f"  critical path: {cp['delay_ns']:.2f} ns ({cp['logic_ns']:.2f} logic, "
                     f"{cp['routing_ns']:.2f} routing, {cp['logic_levels']} logic levels)")
        lines.append(f"    from {cp['start']}")
        lines.append(f"    to   {cp['end']}")
    secs = rep["seconds"]
    lines.append("")
    lines.append("  time: " + ", ".join(f"{k} {v} s" for k, v in secs.items() if v is not None))
    if rep.get("bitstream"):
        lines.append(f"  bitstream: {rep['bitstream']}")
    return "\n".join(lines) + "\n"


def write_bench(bench_dir, rep):
    """Replace this board's lines in bench_dir/extra/fpga.jsonl."""
    path = bench_dir / "extra" / "fpga.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f"fpga.{rep['board']}."
    kept = []
    if path.is_file():
        for line in path.read_text().splitlines():
            try:
                if json.loads(line).get("name", "").startswith(prefix):
                    continue
            except ValueError:
                continue
            kept.append(line)
    new = []
    if rep["fmax_mhz"] is not None:
        new.append({"name": prefix + "fmax_mhz", "value": rep["fmax_mhz"], "unit": "MHz"})
    new.append({"name": prefix + "fits", "value": 1 if rep["fits"] else 0, "unit": "bool"})
    new.append({"name": prefix + "timing_met", "value": 1 if rep["timing_met"] else 0,
                "unit": "bool"})
    for col, u in rep["utilization"].items():
        new.append({"name": prefix + col, "value": u["used"], "unit": "cells",
                    "of": u["available"], "source": u["source"]})
    for k, v in rep["seconds"].items():
        if v is not None:
            new.append({"name": prefix + f"seconds_{k}", "value": v, "unit": "s"})
    path.write_text("\n".join(kept + [json.dumps(x) for x in new]) + "\n")


def write_markdown(fpga_dir, out):
    reports = []
    for p in sorted(pathlib.Path(fpga_dir).glob("*/report.json")):
        try:
            reports.append(json.loads(p.read_text()))
        except ValueError:
            continue
    lines = [
        "<!-- Generated by scripts/bitstream.sh (scripts/fpga_report.py) from build/fpga/*/report.json."
        " Do not edit. -->",
        "",
        "| board | config | device | core clock | Fmax | target | status | LUT | FF | DSP | BRAM | other | build date |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        u = r.get("utilization", {})

        def cell(col):
            if col not in u:
                return "-"
            x = u[col]
            star = "" if x["source"] == "pnr" else f" ({x['source']})"
            return f"{x['used']} / {x['available']} ({x['percent']:.0f}%){star}"

        other = []
        for col in ("lutram", "spram"):
            if col in u:
                other.append(f"{col} {cell(col)}")
        fmax = f"{r['fmax_mhz']:.1f} MHz" if r.get("fmax_mhz") is not None else "-"
        target = f"{r['target_mhz']} MHz " + ("met" if r.get("target_met") else "missed")
        status = r["status"] + (f": {r['message']}" if r.get("message") else "")
        lines.append(f"| {r['board']} | {r['config']} | {r['device']} | {r['clock_mhz']} MHz | {fmax} | "
                     f"{target} | {status} | {cell('lut')} | {cell('ff')} | {cell('dsp')} | "
                     f"{cell('bram')} | {'; '.join(other) or '-'} | {r.get('date', '-')[:10]} |")
    paths = [r for r in reports if r.get("critical_path")]
    if paths:
        lines += ["", "Critical paths (slowest clock):", ""]
        for r in paths:
            cp = r["critical_path"]
            lines.append(f"* {r['board']} ({r['config']}, {r['clock_mhz']} MHz): {cp['delay_ns']:.2f} ns "
                         f"({cp['logic_levels']} logic levels, "
                         f"{cp['routing_ns']:.2f} ns routing) from `{cp['start']}` to `{cp['end']}`")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")


def check(path):
    rep = load_json(path, "report")
    for key in ("board", "status", "utilization", "fmax", "clock_mhz", "target_mhz"):
        if key not in rep:
            fail(f"{path}: no '{key}'")
    if not rep["utilization"].get("lut"):
        fail(f"{path}: no LUT utilisation")
    if rep["status"] != "pass":
        print(f"{path}: {rep['board']} {rep['status']}: {rep.get('message', '')}")
        return 1
    if not rep["fmax"] or rep.get("fmax_mhz") is None:
        fail(f"{path}: status pass but no Fmax")
    print(f"{path}: {rep['board']} fits and meets {rep['clock_mhz']} MHz "
          f"(Fmax {rep['fmax_mhz']:.2f} MHz, LUT {rep['utilization']['lut']['percent']}%)")
    return 0


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    cmd = sys.argv[1]
    if cmd == "precheck":
        if len(sys.argv) != 4 or sys.argv[3] not in DEVICES:
            fail("usage: precheck STAT.json ecp5|ice40")
        print(json.dumps(precheck(sys.argv[2], sys.argv[3])))
        return 0
    if cmd == "markdown":
        if len(sys.argv) != 4:
            fail("usage: markdown FPGA_DIR OUT.md")
        write_markdown(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))
        return 0
    if cmd == "check":
        if len(sys.argv) != 3:
            fail("usage: check REPORT.json")
        return check(sys.argv[2])
    if cmd != "build":
        fail(f"unknown command '{cmd}'")
    p = argparse.ArgumentParser(prog="fpga_report.py build")
    p.add_argument("--board", required=True)
    p.add_argument("--out-dir", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--family", required=True, choices=sorted(DEVICES))
    p.add_argument("--top", required=True)
    p.add_argument("--clock-mhz", type=int, required=True)
    p.add_argument("--target-mhz", type=int, required=True)
    p.add_argument("--status", required=True, choices=["pass", "timing_fail", "does_not_fit", "error"])
    p.add_argument("--message", default="")
    p.add_argument("--stat")
    p.add_argument("--pnr-report")
    p.add_argument("--pnr-log")
    p.add_argument("--bitstream")
    p.add_argument("--mapper", default="abc9")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--seconds-synth", type=int)
    p.add_argument("--seconds-pnr", type=int)
    p.add_argument("--seconds-pack", type=int)
    p.add_argument("--bench-dir")
    p.add_argument("--docs")
    a = p.parse_args(sys.argv[2:])
    rep = build(a)
    return 0 if rep["status"] == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
