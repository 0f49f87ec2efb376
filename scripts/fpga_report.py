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
      --seconds-pnr, --seconds-pack, --mapper, --seed, --dsp-pump, --bench-dir, --docs.
      --docs FILE regenerates FILE (docs/gen/fpga_results.md, and the same results as JSON in
      FILE with the suffix .json) from every report.json next to
      DIR (DIR/../*/report.json).
  fpga_report.py markdown FPGA_DIR OUT.md
      Regenerates the Markdown table from FPGA_DIR/*/report.json.
  fpga_report.py check REPORT.json
      Exit 0 when the report is complete and says the design fits and meets its clock,
      1 (with the reason) otherwise; 2 when the report itself is malformed.
  fpga_report.py timing PNR_REPORT.json MHZ [PNR.log]
      Prints "ok" when the placed design runs its core clock at MHZ, else the reason
      (scripts/bitstream.sh's timing gate).
  fpga_report.py measured-fmax BOARD CONFIG FILE...
      Prints "MHZ FILE DATE" for the first FILE (a report.json or the results JSON that
      --docs writes) with a routed result for BOARD/CONFIG that fits, MHZ in whole MHz;
      prints nothing when none has one (scripts/demo.sh, scripts/bench.py).

Status values: "pass" (fits, timing met at the built clock), "timing_fail", "does_not_fit",
"error" (a tool failed for another reason).

Clocks (docs/boards.md "Clocks"). The core clock is the clock nextpnr constrains to the built
frequency (--clock-mhz); a clock constrained to twice that is the 2x clock of the double-pumped
DSP PEs (ECP5 PLL: rising edges aligned with the core clock's). nextpnr checks each clock on
its own and reports, but does not constrain, the paths between the two; their budget follows
from the edges: core posedge -> 2x posedge and 2x posedge -> core posedge have half a core
period (one 2x period). The achieved core clock (fmax_mhz) is the minimum of the core clock's
Fmax, the 2x clock's Fmax / 2 and, per path between the two, budget fraction / path delay.
"""
import argparse
import datetime
import fractions
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


# What a path's first and last pin are: Yosys names many cells after the logic they feed, so
# the cell name alone can hide that a path starts at a block RAM's output, for example.
PIN_KINDS = (
    (r"^DO[AB]?\d*$", "block RAM output"),        # ECP5 DP16KD/PDPW16KD
    (r"^RDATA\d*$", "block RAM output"),          # iCE40 SB_RAM40_4K
    (r"^DATAOUT\d*$", "SPRAM output"),            # iCE40 SB_SPRAM256KA
    (r"^P\d+$", "DSP output"),                    # ECP5 MULT18X18D
    (r"^O\d+$", "DSP output"),                    # iCE40 SB_MAC16
    (r"^Q\d*$", "flip-flop"),
    (r"^AD[AB]?\d+$", "block RAM address"),
    (r"^(WADDR|RADDR|ADDRESS)\d*$", "block RAM address"),
    (r"^DI[AB]\d+$", "block RAM data in"),
    (r"^(WDATA|DATAIN|MASK)\d*$", "block RAM data in"),
    (r"^(WE[AB]?|CE[AB]|CS[AB]\d*|OCE[AB]?)$", "block RAM enable"),
    (r"^(WCLKE|RCLKE|RE|CHIPSELECT|MASKWREN\d*)$", "block RAM enable"),
    (r"^[AB]\d+$", "DSP input"),
    (r"^(DI|D)\d*$", "flip-flop D"),
    (r"^M\d*$", "flip-flop D"),               # ECP5 slice: data straight into the FF
    (r"^(CE|LSR)\d*$", "flip-flop control"),
)


def pin_kind(port):
    for pat, kind in PIN_KINDS:
        if re.match(pat, port or ""):
            return kind
    return ""


def pin_note(cp, which):
    """' (pin DOA8: block RAM output; rtl/x.sv:12)' for a path end, or '' without pins."""
    pin = cp.get(f"{which}_pin")
    if not pin:
        return ""
    kind = cp.get(f"{which}_kind")
    note = f"pin {pin}: {kind}" if kind else f"pin {pin}"
    if cp.get(f"{which}_src"):
        note += f"; {cp[f'{which}_src']}"
    return f" ({note})"


def rtl_source(src):
    """The design's own location in a Yosys `src` attribute ('rtl/a.sv:12.3-20.6|/share/...'
    -> 'rtl/a.sv:12'), or '' when the cell has none (LUTs carry only the techmap's)."""
    for part in (src or "").split("|"):
        if part.startswith("rtl/"):
            return re.sub(r"(:\d+)\.\d+-\d+\.\d+$", r"\1", part)
    return ""


def add_sources(cp, netlist):
    """Where in the RTL the critical path starts and ends, from the synthesised netlist: the
    cell names are Yosys's (often named after the logic a cell feeds), but flip-flops and
    memories keep the `src` of the always_ff block they came from."""
    if not cp or not netlist:
        return
    mods = netlist.get("modules", {})
    top = next((m for m in mods.values() if m.get("attributes", {}).get("top")), None)
    if top is None and len(mods) == 1:
        top = next(iter(mods.values()))
    cells = (top or {}).get("cells", {})
    for which in ("start", "end"):
        cell = cells.get(cp.get(f"{which}_cell", ""))
        src = rtl_source(cell.get("attributes", {}).get("src", "")) if cell else ""
        if src:
            cp[f"{which}_src"] = src


def summarise_path(cp):
    segs = cp.get("path", [])
    total = sum(s.get("delay", 0.0) for s in segs)
    logic = sum(s.get("delay", 0.0) for s in segs if s.get("type") in ("logic", "clk-to-q", "setup"))
    routing = sum(s.get("delay", 0.0) for s in segs if s.get("type") == "routing")
    levels = sum(1 for s in segs if s.get("type") == "logic")
    start = segs[0]["from"]["cell"] if segs else "?"
    end = segs[-1]["to"]["cell"] if segs else "?"
    # The clock-to-output segment ends at the start cell's output pin; setup at the end pin.
    start_pin = segs[0].get("to", {}).get("port", "") if segs else ""
    end_pin = segs[-1].get("to", {}).get("port", "") if segs else ""
    nets = [s.get("net", "") for s in segs if s.get("type") == "routing" and s.get("net")]
    def event(e):
        edge, clk = split_event(e)
        return f"{edge} {clk}" if edge else clk

    return {
        "from_clock": event(cp.get("from", "?")),
        "to_clock": event(cp.get("to", "?")),
        "delay_ns": round(total, 3),
        "logic_ns": round(logic, 3),
        "routing_ns": round(routing, 3),
        "logic_levels": levels,
        "start": short_cell(start),
        "end": short_cell(end),
        "start_cell": start,
        "end_cell": end,
        "start_pin": start_pin,
        "start_kind": pin_kind(start_pin),
        "end_pin": end_pin,
        "end_kind": pin_kind(end_pin),
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


def pnr_progress(log_text):
    """How far a nextpnr run got, from its log: None when it finished routing (or never
    started placing); else {"stage": "placement"} or, inside router2, {"stage": "routing",
    "iterations": n, "overused_first": w1, "overused_last": wn} (overused wires)."""
    if not log_text or re.search(r"^Info: Routing complete", log_text, re.M):
        return None
    iters = [(int(m.group(1)), int(m.group(2))) for m in
             re.finditer(r"^Info:\s+iter=(\d+)\s+wires=\d+\s+overused=(\d+)", log_text, re.M)]
    if iters:
        return {"stage": "routing", "iterations": iters[-1][0], "overused_first": iters[0][1],
                "overused_last": iters[-1][1]}
    if re.search(r"^Info: (Running router|Routing globals)", log_text, re.M):
        return {"stage": "routing"}
    if re.search(r"^Info: (Placed|Running|Creating initial|Legalising)", log_text, re.M):
        return {"stage": "placement"}
    return None


def progress_text(pr):
    """One line for a run that stopped early (pnr_progress)."""
    if pr is None:
        return ""
    if pr["stage"] == "placement":
        return "stopped in placement"
    if "iterations" not in pr:
        return "placed; stopped in routing"
    return (f"placed; routing unfinished after {pr['iterations']} router2 iterations "
            f"({pr['overused_first']} overused wires in the first, {pr['overused_last']} in the last)")


GLOBAL_PREFIX = "$glbnet$"  # nextpnr-ecp5 names a clock after its global network


def clock_net(name):
    """A nextpnr clock name without the global-network prefix."""
    return name[len(GLOBAL_PREFIX):] if name.startswith(GLOBAL_PREFIX) else name


def split_event(event):
    """'posedge $glbnet$clk' -> ('posedge', 'clk'); '<async>' -> (None, '<async>')."""
    parts = event.split(None, 1)
    if len(parts) == 2 and parts[0] in ("posedge", "negedge"):
        return parts[0], clock_net(parts[1])
    return None, clock_net(event)


def derived_constraints(log_text):
    """{net: MHz} from nextpnr's "Derived frequency constraint" lines (PLL outputs)."""
    out = {}
    for m in re.finditer(r"Derived frequency constraint of ([0-9.]+) MHz for net (\S+)", log_text):
        out[clock_net(m.group(2))] = float(m.group(1))
    return out


def clock_role(constraint_mhz, core_mhz):
    """'core', '2x' or 'other' from a clock's constraint relative to the core clock's."""
    if not constraint_mhz or not core_mhz:
        return "other"
    ratio = constraint_mhz / core_mhz
    if abs(ratio - 1.0) < 0.01:
        return "core"
    if abs(ratio - 2.0) < 0.01:
        return "2x"
    return "other"


ROLE_RATIO = {"core": 1, "2x": 2}


def budget_fraction(launch_ratio, launch_edge, capture_ratio, capture_edge):
    """The shortest time, in core periods, from a launching edge to the next capturing edge of
    two edge-aligned clocks at launch_ratio and capture_ratio times the core clock (a clock at
    ratio r rises at k / r and falls at (k + 1/2) / r)."""
    def edges(ratio, edge):
        off = fractions.Fraction(0) if edge == "posedge" else fractions.Fraction(1, 2 * ratio)
        return [off + fractions.Fraction(k, ratio) for k in range(ratio)]

    cap = edges(capture_ratio, capture_edge)
    cap = cap + [c + 1 for c in cap]
    best = None
    for t in edges(launch_ratio, launch_edge):
        nxt = min(c for c in cap if c > t)
        if best is None or nxt - t < best:
            best = nxt - t
    return best


def path_delay(cp):
    return sum(s.get("delay", 0.0) for s in cp.get("path", []))


def analyse_timing(pnr, log_text, clock_mhz):
    """Per-clock Fmax, the paths between the core and 2x clocks with their budgets, and the
    achieved core clock (the minimum over all of them) from a nextpnr --report."""
    derived = derived_constraints(log_text or "")
    clocks = {}
    for clk, f in pnr.get("fmax", {}).items():
        name = clock_net(clk)
        constraint = f.get("constraint", 0.0) or derived.get(name, 0.0)
        clocks[name] = {"achieved_mhz": round(f.get("achieved", 0.0), 2),
                        "constraint_mhz": round(constraint, 2), "role": "other"}
    # The core clock: the one constrained to the built frequency (or, should none be, the
    # nearest); the others are named relative to it.
    core, core_mhz = None, None
    if clocks:
        core = min(clocks, key=lambda k: (abs(clocks[k]["constraint_mhz"] - clock_mhz), k))
        core_mhz = clocks[core]["constraint_mhz"]
        for name, c in clocks.items():
            role = clock_role(c["constraint_mhz"], core_mhz)
            c["role"] = "core" if name == core else ("other" if role == "core" else role)
    for name, c in clocks.items():
        ratio = ROLE_RATIO.get(c["role"])
        c["core_mhz"] = round(c["achieved_mhz"] / ratio, 2) if ratio else None
        c["pass"] = c["achieved_mhz"] >= c["constraint_mhz"]

    def role_of(name):
        if name in clocks:
            return clocks[name]["role"]
        role = clock_role(derived.get(name), core_mhz or clock_mhz)
        return "other" if role == "core" and core is not None else role

    crossings = []
    for cp in pnr.get("critical_paths", []):
        l_edge, l_clk = split_event(cp.get("from", "?"))
        c_edge, c_clk = split_event(cp.get("to", "?"))
        if l_edge is None or c_edge is None or l_clk == c_clk:
            continue  # I/O paths (<async>) and the clocks' own paths
        delay = path_delay(cp)
        x = {"from_clock": l_clk, "from_edge": l_edge, "to_clock": c_clk, "to_edge": c_edge,
             "delay_ns": round(delay, 3), "budget_fraction": None, "budget_ns": None,
             "core_mhz": None, "pass": None, "path": summarise_path(cp)}
        lr, cr = ROLE_RATIO.get(role_of(l_clk)), ROLE_RATIO.get(role_of(c_clk))
        if lr and cr:
            frac = budget_fraction(lr, l_edge, cr, c_edge)
            x["budget_fraction"] = str(frac)
            x["budget_ns"] = round(float(frac) * 1000.0 / clock_mhz, 3) if clock_mhz else None
            x["core_mhz"] = round(float(frac) * 1000.0 / delay, 2) if delay > 0 else None
            x["pass"] = x["budget_ns"] is not None and delay <= x["budget_ns"]
        crossings.append(x)

    # The achieved core clock and what limits it.
    cands = []
    for name, c in clocks.items():
        if c["core_mhz"] is not None:
            what = "the core clock" if c["role"] == "core" else "the 2x clock"
            cands.append((c["core_mhz"], f"{what} {name}", ("clock", name)))
    for i, x in enumerate(crossings):
        if x["core_mhz"] is not None:
            cands.append((x["core_mhz"], f"the path {x['from_clock']} -> {x['to_clock']}",
                          ("crossing", i)))
    res = {"clocks": clocks, "cross_domain": crossings, "core_clock": core,
           "fmax_mhz": None, "limit": None, "limit_path": None}
    if core is None or not cands:
        return res
    fmax, what, key = min(cands, key=lambda t: t[0])
    res["fmax_mhz"] = fmax
    res["limit"] = what
    if key[0] == "crossing":
        res["limit_path"] = crossings[key[1]]["path"]
    else:
        own = [cp for cp in pnr.get("critical_paths", [])
               if split_event(cp.get("from", "?"))[1] == key[1]
               and split_event(cp.get("to", "?"))[1] == key[1]]
        if own:
            res["limit_path"] = summarise_path(max(own, key=path_delay))
    return res


def timing_verdict(pnr, log_text, clock_mhz):
    """'ok' when the core clock runs at clock_mhz, else why not."""
    t = analyse_timing(pnr, log_text, clock_mhz)
    if t["core_clock"] is None:
        return "no clock in the nextpnr report"
    if t["fmax_mhz"] is None:
        return f"no Fmax for the core clock '{t['core_clock']}' in the nextpnr report"
    if t["fmax_mhz"] >= clock_mhz:
        return "ok"
    return (f"the core clock reaches {t['fmax_mhz']:.2f} MHz, below {clock_mhz} MHz "
            f"(limited by {t['limit']})")


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
        "dsp_pump": a.dsp_pump,
        "links": bool(a.links),
        "bitstream": a.bitstream,
        "seconds": {"synth": a.seconds_synth, "pnr": a.seconds_pnr, "pack": a.seconds_pack},
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "utilization": {},
        "synth": {},
        "fmax": {},
        "cross_domain": [],
        "fmax_limit": None,
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
    core = None
    rep["fmax_mhz"] = None
    if pnr:
        # Fmax per clock, the paths between the core and 2x clocks, and the achieved core
        # clock with the path that limits it.
        t = analyse_timing(pnr, pnr_log_text, a.clock_mhz)
        rep["fmax"] = t["clocks"]
        rep["cross_domain"] = t["cross_domain"]
        rep["fmax_limit"] = t["limit"]
        rep["critical_path"] = t["limit_path"]
        if a.netlist and pathlib.Path(a.netlist).is_file():
            add_sources(rep["critical_path"], load_json(a.netlist, "synthesised netlist"))
        core = t["core_clock"]
        rep["fmax_mhz"] = t["fmax_mhz"]
    rep["core_clock"] = core
    ok = core is not None and rep["fmax_mhz"] is not None
    rep["timing_met"] = ok and rep["fmax_mhz"] >= a.clock_mhz
    rep["target_met"] = ok and rep["fmax_mhz"] >= a.target_mhz
    rep["fits"] = a.status in ("pass", "timing_fail")
    if a.status in ("pass", "timing_fail") and pnr:
        rep["status"] = "pass" if rep["timing_met"] else "timing_fail"
    if pnr_log_text and rep["status"] in ("error", "does_not_fit") and not rep["message"]:
        rep["message"] = pnr_failure_reason(pnr_log_text)
    # A run that stopped before the end (a timeout, a signal, a failure) says how far it got.
    rep["pnr_progress"] = pnr_progress(pnr_log_text) if rep["status"] == "error" else None
    if rep["pnr_progress"]:
        rep["message"] = "; ".join(x for x in (rep["message"], progress_text(rep["pnr_progress"])) if x)
    # Where an unfinished route is stuck (FPGA_HEATMAP=1: scripts/fpga_heatmap.py's summary).
    rep["congestion"] = None
    if (rep["pnr_progress"] or {}).get("stage") == "routing" and a.heat and \
            pathlib.Path(a.heat).is_file():
        rep["congestion"] = congestion(load_json(a.heat, "heatmap summary"))
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


def congestion(heat, n=3):
    """The few wire types, blocks and signals an fpga_heatmap.py summary puts first."""
    try:
        last = heat["iterations"][-1]
        # heat["types"] is ranked over all iterations; the report names the last one's worst.
        types = sorted(([t["type"], t["overused_by_iteration"][-1]] for t in heat["types"]),
                       key=lambda tw: -tw[1])
        out = {"iteration": last["iteration"], "overused_wires": last["overused_wires"],
               "types": types[:n]}
        nets = heat.get("nets")
        if nets:
            out["nets_iteration"] = nets["iteration"]
            out["blocks"] = [[b["block"], b["share"]] for b in nets["blocks"][:n]]
            out["signals"] = [[g["signal"], g["share"]] for g in nets["signals"][:n]]
    except (KeyError, IndexError, TypeError):
        fail("the heatmap summary is not scripts/fpga_heatmap.py's JSON")
    return out


def congestion_lines(c):
    types = ", ".join(f"{t.removeprefix('WIRE_TYPE_')} {w:,}" for t, w in c["types"])
    lines = [f"  router2 iteration {c['iteration']}: {c['overused_wires']:,} overused wires; "
             f"most in {types} (heat.md)"]
    if c.get("blocks"):
        lines.append(f"  nets on overused wires (iteration {c['nets_iteration']}): " +
                     ", ".join(f"{b} {100 * f:.0f} %" for b, f in c["blocks"]))
        lines += [f"    {g} {100 * f:.1f} %" for g, f in c["signals"]]
    return lines


def render_text(rep):
    lines = []
    pump = f", DSP pump {rep['dsp_pump']}" if rep.get("dsp_pump", 1) != 1 else ""
    lines.append(f"FPGA build {rep['board']}: config {config_label(rep)} on {rep['device']}, "
                 f"top {rep['top']}, core clock {rep['clock_mhz']} MHz "
                 f"(configuration target {rep['target_mhz']} MHz){pump}")
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
            role = {"core": "core clock", "2x": "2x clock"}.get(f.get("role"), "other clock")
            per = ""
            if f.get("role") == "2x" and f.get("core_mhz") is not None:
                per = f", core clock {f['core_mhz']:.2f} MHz"
            lines.append(f"  Fmax {clk} ({role}): {f['achieved_mhz']:.2f} MHz "
                         f"({ok} at {f['constraint_mhz']:.2f} MHz{per})")
        for x in rep.get("cross_domain", []):
            head = (f"  {x['from_edge']} {x['from_clock']} -> {x['to_edge']} {x['to_clock']}: "
                    f"{x['delay_ns']:.2f} ns")
            if x.get("budget_ns") is None:
                lines.append(head + " (clocks not related: not checked)")
            else:
                ok = "PASS" if x["pass"] else "FAIL"
                lines.append(head + f" ({ok}: budget {x['budget_fraction']} core period = "
                             f"{x['budget_ns']:.2f} ns; core clock {x['core_mhz']:.2f} MHz)")
        if rep["fmax_mhz"] is not None:
            lim = f", limited by {rep['fmax_limit']}" if rep.get("fmax_limit") else ""
            ok = "PASS" if rep["timing_met"] else "FAIL"
            lines.append(f"  achieved core clock: {rep['fmax_mhz']:.2f} MHz ({ok} at "
                         f"{rep['clock_mhz']} MHz{lim})")
            tgt = "met" if rep["target_met"] else "MISSED"
            lines.append(f"  configuration target {rep['target_mhz']} MHz: {tgt}")
    if rep.get("congestion"):
        lines.append("")
        lines += congestion_lines(rep["congestion"])
    cp = rep.get("critical_path")
    if cp:
        lines.append("")
        lines.append(f"  critical path ({cp['from_clock']} -> {cp['to_clock']}): {cp['delay_ns']:.2f} ns "
                     f"({cp['logic_ns']:.2f} logic, {cp['routing_ns']:.2f} routing, "
                     f"{cp['logic_levels']} logic levels)")
        lines.append(f"    from {cp['start']}{pin_note(cp, 'start')}")
        lines.append(f"    to   {cp['end']}{pin_note(cp, 'end')}")
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


def config_label(r):
    """The configuration as the tables name it: a single-chip build says so."""
    return r["config"] + ("" if r.get("links", True) else " (no links)")


def build_key(r):
    """One row of the results per board, configuration and single-chip or not."""
    return (r.get("board"), r.get("config"), bool(r.get("links", True)))


def write_markdown(fpga_dir, out):
    reports = {}
    for p in sorted(pathlib.Path(fpga_dir).glob("*/report.json")):
        try:
            r = json.loads(p.read_text())
        except ValueError:
            continue
        if not (isinstance(r, dict) and "board" in r and "config" in r):
            continue
        # Two output directories with the same build (FPGA_OUT): the later run's row.
        k = build_key(r)
        if k not in reports or str(r.get("date", "")) >= str(reports[k].get("date", "")):
            reports[k] = r
    # Builds this machine has not run (or whose output directory is gone) keep the row of the
    # last results file: a run rewrites its own row only.
    try:
        old = json.loads(out.with_suffix(".json").read_text()).get("results", [])
    except (OSError, ValueError, AttributeError):
        old = []
    for r in old if isinstance(old, list) else []:
        if isinstance(r, dict) and "utilization" in r and "board" in r and "config" in r:
            reports.setdefault(build_key(r), r)
    reports = [reports[k] for k in sorted(reports, key=lambda k: (k[0], k[1], not k[2]))]
    lines = [
        "<!-- Generated by scripts/bitstream.sh (scripts/fpga_report.py) from build/fpga/*/report.json"
        " and the rows of earlier runs in fpga_results.json. Do not edit. -->",
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
        lines.append(f"| {r['board']} | {config_label(r)} | {r['device']} | {r['clock_mhz']} MHz | {fmax} | "
                     f"{target} | {status} | {cell('lut')} | {cell('ff')} | {cell('dsp')} | "
                     f"{cell('bram')} | {'; '.join(other) or '-'} | {r.get('date', '-')[:10]} |")
    multi = [r for r in reports if len(r.get("fmax", {})) > 1 or r.get("cross_domain")]
    if multi:
        lines += ["", "Clocks (Fmax per clock; the 2x clock and the paths between the two clocks "
                  "as the core clock they allow):", ""]
        for r in multi:
            parts = []
            for clk, f in r.get("fmax", {}).items():
                role = f.get("role", "?")
                core = (f" = {f['core_mhz']:.1f} MHz core" if role == "2x" and f.get("core_mhz")
                        is not None else "")
                parts.append(f"{role} `{clk}` {f['achieved_mhz']:.1f} MHz{core}")
            checked = [x for x in r.get("cross_domain", []) if x.get("budget_ns") is not None]
            if checked:
                x = min(checked, key=lambda x: x["core_mhz"] if x["core_mhz"] is not None else 1e9)
                parts.append(f"worst path between them {x['delay_ns']:.2f} ns of "
                             f"{x['budget_ns']:.2f} ns (`{x['from_clock']}` -> `{x['to_clock']}`"
                             + (f", {x['core_mhz']:.1f} MHz core" if x["core_mhz"] else "") + ")")
            lim = f", limited by {r['fmax_limit']}" if r.get("fmax_limit") else ""
            fm = f"{r['fmax_mhz']:.1f} MHz" if r.get("fmax_mhz") is not None else "-"
            lines.append(f"* {r['board']} ({config_label(r)}, {r['clock_mhz']} MHz): "
                         + "; ".join(parts) + f"; core clock {fm}{lim}")
    paths = [r for r in reports if r.get("critical_path")]
    if paths:
        lines += ["", "Critical paths (the path that limits the core clock):", ""]
        for r in paths:
            cp = r["critical_path"]
            xd = ""
            if cp.get("from_clock") != cp.get("to_clock"):
                xd = f", {cp['from_clock']} -> {cp['to_clock']}"
            lines.append(f"* {r['board']} ({config_label(r)}, {r['clock_mhz']} MHz): {cp['delay_ns']:.2f} ns "
                         f"({cp['logic_levels']} logic levels, "
                         f"{cp['routing_ns']:.2f} ns routing{xd}) from `{cp['start']}`{pin_note(cp, 'start')} "
                         f"to `{cp['end']}`{pin_note(cp, 'end')}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    # The same results for programs (scripts/demo.sh reads the measured ULX3S Fmax from it on
    # a machine that has not run the flow itself, and the next run keeps the rows it does not
    # rewrite): OUT with the suffix .json, the whole report of every row.
    out.with_suffix(".json").write_text(json.dumps(
        {"generated_by": "scripts/bitstream.sh (scripts/fpga_report.py)", "results": reports},
        indent=1) + "\n")


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


def measured_fmax(paths, board, config):
    """(whole MHz, path, date) of the first of `paths` (a report.json or the --docs results
    JSON; unreadable ones are skipped) with a result for board/config that fits and has an
    Fmax; None when none has."""
    for path in paths:
        try:
            d = json.loads(pathlib.Path(path).read_text())
        except (OSError, ValueError):
            continue
        for r in d.get("results", [d]) if isinstance(d, dict) else []:
            if (isinstance(r, dict) and r.get("board") == board and r.get("config") == config
                    and r.get("links", True) and r.get("fits") and r.get("fmax_mhz")):
                return int(r["fmax_mhz"]), str(path), str(r.get("date") or "")[:10]
    return None


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
    if cmd == "timing":
        if len(sys.argv) not in (4, 5):
            fail("usage: timing PNR_REPORT.json MHZ [PNR.log]")
        pnr = load_json(sys.argv[2], "nextpnr report")
        try:
            mhz = int(sys.argv[3])
        except ValueError:
            fail(f"timing: MHZ must be a whole number, not '{sys.argv[3]}'")
        log_text = ""
        if len(sys.argv) == 5 and pathlib.Path(sys.argv[4]).is_file():
            log_text = pathlib.Path(sys.argv[4]).read_text(errors="replace")
        print(timing_verdict(pnr, log_text, mhz))
        return 0
    if cmd == "measured-fmax":
        if len(sys.argv) < 5:
            fail("usage: measured-fmax BOARD CONFIG FILE...")
        m = measured_fmax(sys.argv[4:], sys.argv[2], sys.argv[3])
        if m:
            print(f"{m[0]} {m[1]} {m[2]}")
        return 0
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
    p.add_argument("--netlist", help="Yosys's JSON netlist (RTL locations of the path's ends)")
    p.add_argument("--heat", help="scripts/fpga_heatmap.py's JSON (FPGA_HEATMAP=1)")
    p.add_argument("--mapper", default="abc9")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dsp-pump", type=int, default=1)
    p.add_argument("--links", type=int, default=1, choices=[0, 1])
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
