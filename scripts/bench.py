#!/usr/bin/env python3
"""make bench: run every benchmark binary and collect the results with the synthesis figures.

Runs each build/bin/lpu_bench_* (one at a time: timings on a shared 2-core machine are noisy
enough). A benchmark prints JSON lines {"name": ..., "value": ..., ["unit": ...], ...}; other
lines are ignored. Two more sources, if present:
  - synthesis reports from `make synth` (build/synth/<target>_<config>[.<module>].json, format
    in scripts/synth_report.py): their totals as synth.<target>.<config>.<resource> (lut, ff,
    dsp, bram and the target's other columns), a single-module run as
    synth.<target>.<config>.<module>.<resource>;
  - figures other flows leave in build/bench/extra/*.jsonl (e.g. FPGA place-and-route), one
    JSON record {"name": ..., "value": ..., "unit": ...} per line.
Writes build/bench/results.json and prints a table. Exits 1 if a benchmark fails or prints no
result (a malformed extra record is reported but not fatal).

Environment: LPU_BUILD_DIR (default build/), BENCH_TIMEOUT seconds per binary (default 900).
"""
import datetime
import json
import os
import pathlib
import platform
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import fpga_report  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("LPU_BUILD_DIR", ROOT / "build"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "900"))


def git_commit():
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def run_bench(exe):
    """Run one benchmark binary; return (results, error or None)."""
    t0 = time.monotonic()
    try:
        proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=TIMEOUT,
                              cwd=str(ROOT), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return [], f"did not finish within {TIMEOUT} s"
    results = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict) and "name" in rec and "value" in rec:
            rec["binary"] = exe.name
            results.append(rec)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).splitlines()[-15:])
        return results, f"exited with {proc.returncode}:\n{tail}"
    if not results:
        return results, "printed no {\"name\":..., \"value\":...} line"
    for r in results:
        r.setdefault("seconds", round(time.monotonic() - t0, 2))
    return results, None


SYNTH_UNITS = {"lut": "LUTs", "ff": "FFs", "dsp": "DSP blocks", "bram": "BRAM blocks",
               "lutram": "LUTRAM cells", "spram": "SPRAM blocks"}


def rel(p):
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def synth_results():
    """Totals of every synthesis report: synth.<target>.<config>[.<module>].<resource>."""
    out = []
    sdir = BUILD / "synth"
    if not sdir.is_dir():
        return out
    for p in sorted(sdir.glob("*.json")):
        if p.name.endswith(".stat.json"):
            continue
        try:
            rep = json.loads(p.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(rep, dict) or "total" not in rep or "target" not in rep or "config" not in rep:
            continue
        # <target>_<config>.json is the whole design; <target>_<config>.<module>.json one module.
        module = p.stem.split(".", 1)[1] if "." in p.stem else None
        prefix = f"synth.{rep['target']}.{rep['config']}" + (f".{module}" if module else "")
        for col in rep.get("columns", []):
            if col not in rep["total"]:
                continue
            out.append({"name": f"{prefix}.{col}", "value": rep["total"][col],
                        "unit": SYNTH_UNITS.get(col, "cells"), "source": rel(p)})
    return out


def extra_results():
    """Records other flows wrote to build/bench/extra/*.jsonl; returns (results, problems)."""
    out, problems = [], []
    edir = BUILD / "bench" / "extra"
    if not edir.is_dir():
        return out, problems
    for p in sorted(edir.glob("*.jsonl")):
        try:
            lines = p.read_text().splitlines()
        except OSError as e:
            problems.append(f"{rel(p)}: {e}")
            continue
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{rel(p)}:{n}: not JSON ({e.msg})")
                continue
            if not (isinstance(rec, dict) and isinstance(rec.get("name"), str)
                    and isinstance(rec.get("value"), (int, float)) and not isinstance(rec.get("value"), bool)):
                problems.append(f"{rel(p)}:{n}: not a {{\"name\": str, \"value\": number}} record")
                continue
            rec.setdefault("unit", "")
            rec["source"] = rel(p)
            out.append(rec)
    return out, problems


def lm_results():
    """The example language model (examples/lm): compile time, cycles per token predicted by the
    compiler and measured on the simulated chip (lpu generate --check also runs the golden model
    in lockstep), tokens/s at the configuration's target clock, and the roofline ratio: the
    cycles reading every weight once per token at the SRAM's full read bandwidth (banks x lanes
    bytes per cycle) over the measured cycles per token. Returns (results, error or None)."""
    lpu = BUILD / "bin" / "lpu"
    model = ROOT / "examples" / "lm" / "model.json"
    if not (lpu.is_file() and model.is_file()):
        return [], None
    out = BUILD / "bench" / "lm.lpu"
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    proc = subprocess.run([str(lpu), "compile", str(model), "-o", str(out)], capture_output=True, text=True,
                          cwd=str(ROOT), timeout=TIMEOUT)
    secs = time.monotonic() - t0
    if proc.returncode != 0:
        return [], "lpu compile examples/lm/model.json failed:\n" + proc.stderr[-2000:]
    weights = None
    for line in proc.stdout.splitlines():
        if "weights)" in line and "SRAM" in line:
            weights = int(line.split("(")[-1].split()[0])
    res = [{"name": "compile.seconds", "value": round(secs, 3), "unit": "s", "binary": "lpu compile"}]
    # The measured core clock of base on the ULX3S: this machine's board flow run, else the
    # flow's committed results.
    fmax = fpga_report.measured_fmax([BUILD / "fpga" / "ulx3s" / "report.json",
                                      ROOT / "docs" / "gen" / "fpga_results.json"], "ulx3s", "base")
    fmax_args = ["--fmax-mhz", str(fmax[0])] if fmax else []
    proc = subprocess.run([str(lpu), "generate", str(out), "--device", "sim", "--check", "--chars", "24", "--json"]
                          + fmax_args, capture_output=True, text=True, cwd=str(ROOT), timeout=TIMEOUT)
    if proc.returncode != 0:
        return res, "lpu generate --device sim --check failed:\n" + (proc.stderr or proc.stdout)[-2000:]
    measured = None
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            rec["binary"] = "lpu generate"
            if rec["name"] == "lm.tokens_per_s_at_fmax":
                rec["note"] = (f"at the measured ULX3S Fmax, {fmax[0]} MHz, from {rel(pathlib.Path(fmax[1]))} ({fmax[2]})" if fmax else
                               "at the configuration's target clock: no measured ULX3S Fmax for base")
            res.append(rec)
            if rec["name"] == "lm.cycles_per_token.measured":
                measured = rec["value"]
    if weights and measured:
        # base: banks x lanes bytes per cycle (from `lpu info`); the model is compiled for base.
        info = subprocess.run([str(lpu), "info", "--device", "golden", "--config", "base"], capture_output=True,
                              text=True, cwd=str(ROOT), timeout=60).stdout
        vals = {l.split()[0]: l.split()[1] for l in info.splitlines() if len(l.split()) >= 2}
        bw = int(vals.get("banks", 16)) * int(vals.get("lanes", 16))
        res.append({"name": "lm.roofline_ratio", "value": round(weights / bw / measured, 4), "unit": "",
                    "binary": "lpu generate",
                    "note": f"{weights} weight bytes at {bw} bytes/cycle over {measured} cycles per token"})
    return res, None


def fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def main():
    bins = sorted(p for p in (BUILD / "bin").glob("lpu_bench_*")
                  if p.is_file() and os.access(p, os.X_OK))
    results, errors = [], []
    if not bins:
        print("bench: no benchmark binaries yet (build/bin/lpu_bench_*)")
    for exe in bins:
        print(f"bench: running {exe.name}", flush=True)
        res, err = run_bench(exe)
        results.extend(res)
        if err:
            errors.append(f"{exe.name}: {err}")
    lm, lm_err = lm_results()
    results.extend(lm)
    if lm_err:
        errors.append(lm_err)
    synth = synth_results()
    if not synth:
        print("bench: no synthesis reports (run 'make synth' to include them)")
    extra, problems = extra_results()
    for pr in problems:
        print(f"bench: skipped {pr}", file=sys.stderr)
    synth += extra

    outdir = BUILD / "bench"
    outdir.mkdir(parents=True, exist_ok=True)
    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "results": results + synth,
        "errors": errors,
    }
    (outdir / "results.json").write_text(json.dumps(doc, indent=1) + "\n")

    rows = [(r["name"], fmt(r["value"]), str(r.get("unit", ""))) for r in results + synth]
    if rows:
        w0 = max(len("name"), *(len(r[0]) for r in rows))
        w1 = max(len("value"), *(len(r[1]) for r in rows))
        print(f"{'name'.ljust(w0)}  {'value'.rjust(w1)}  unit")
        for n, v, u in rows:
            print(f"{n.ljust(w0)}  {v.rjust(w1)}  {u}")
    print(f"bench: {len(rows)} result(s) in {outdir.relative_to(ROOT) if outdir.is_relative_to(ROOT) else outdir}/results.json")
    if errors:
        for e in errors:
            print(f"bench: FAILED {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
