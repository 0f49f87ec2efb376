#!/usr/bin/env python3
"""Tests of scripts/fpga_report.py's timing analysis (the core clock, its 2x clock and the paths
between them) against hand-computed figures. Run: python3 scripts/fpga_report_test.py"""
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fpga_report as fr  # noqa: E402


def seg(kind, delay, cell_from="a", cell_to="b", net=""):
    return {"type": kind, "delay": delay, "net": net,
            "from": {"cell": cell_from, "port": "Q"}, "to": {"cell": cell_to, "port": "D"}}


def path(frm, to, delays, start="src_q", end="dst_q"):
    """A nextpnr critical path: clk-to-q, then routing/logic pairs, then setup."""
    segs = [seg("clk-to-q", delays[0], start, start)]
    for i, d in enumerate(delays[1:]):
        segs.append(seg("routing" if i % 2 == 0 else "logic", d, start, end, f"n{i}"))
    segs.append(seg("setup", 0.0, end, end))
    return {"from": frm, "to": to, "path": segs}


def two_clock_report(core_ach=120.0, x2_ach=180.0):
    return {
        "fmax": {"$glbnet$clk_core": {"achieved": core_ach, "constraint": 100},
                 "$glbnet$clk2x": {"achieved": x2_ach, "constraint": 200}},
        "critical_paths": [
            path("posedge $glbnet$clk_core", "posedge $glbnet$clk_core", [0.5, 7.0]),
            path("posedge $glbnet$clk2x", "posedge $glbnet$clk2x", [0.5, 4.5]),
            path("<async>", "posedge $glbnet$clk_core", [0.0, 30.0]),  # I/O: not counted
            path("posedge $glbnet$clk_core", "posedge $glbnet$clk2x", [0.5, 1.5, 2.0],
                 "u_pe.a_q", "u_dsp.prod0_q"),
            path("posedge $glbnet$clk2x", "posedge $glbnet$clk_core", [0.5, 2.5, 3.0],
                 "u_dsp.ph_q", "u_pe.acc_q"),
        ],
        "utilization": {},
    }


class BudgetTest(unittest.TestCase):
    def test_fractions_of_a_core_period(self):
        f = fr.budget_fraction
        self.assertEqual(f(1, "posedge", 2, "posedge"), fr.fractions.Fraction(1, 2))
        self.assertEqual(f(2, "posedge", 1, "posedge"), fr.fractions.Fraction(1, 2))
        self.assertEqual(f(1, "posedge", 1, "posedge"), 1)
        self.assertEqual(f(2, "posedge", 2, "posedge"), fr.fractions.Fraction(1, 2))
        self.assertEqual(f(1, "negedge", 2, "posedge"), fr.fractions.Fraction(1, 2))
        self.assertEqual(f(1, "posedge", 2, "negedge"), fr.fractions.Fraction(1, 4))
        self.assertEqual(f(2, "negedge", 1, "posedge"), fr.fractions.Fraction(1, 4))
        self.assertEqual(f(1, "posedge", 1, "negedge"), fr.fractions.Fraction(1, 2))


class AnalyseTest(unittest.TestCase):
    def test_crossing_limits_the_core_clock(self):
        t = fr.analyse_timing(two_clock_report(), "", 100)
        self.assertEqual(t["core_clock"], "clk_core")
        self.assertEqual(t["clocks"]["clk_core"]["role"], "core")
        self.assertEqual(t["clocks"]["clk2x"]["role"], "2x")
        self.assertAlmostEqual(t["clocks"]["clk2x"]["core_mhz"], 90.0)
        xs = {(x["from_clock"], x["to_clock"]): x for x in t["cross_domain"]}
        self.assertEqual(len(xs), 2)  # the <async> path is not a crossing
        c2x = xs[("clk_core", "clk2x")]
        self.assertAlmostEqual(c2x["delay_ns"], 4.0)
        self.assertAlmostEqual(c2x["budget_ns"], 5.0)
        self.assertAlmostEqual(c2x["core_mhz"], 125.0)  # 0.5 * 1000 / 4.0
        self.assertTrue(c2x["pass"])
        x2c = xs[("clk2x", "clk_core")]
        self.assertAlmostEqual(x2c["core_mhz"], 83.33)  # 0.5 * 1000 / 6.0
        self.assertFalse(x2c["pass"])
        self.assertAlmostEqual(t["fmax_mhz"], 83.33)
        self.assertIn("clk2x -> clk_core", t["limit"])
        self.assertEqual(t["limit_path"]["start"], "u_dsp.ph_q")
        self.assertNotEqual(fr.timing_verdict(two_clock_report(), "", 100), "ok")
        self.assertEqual(fr.timing_verdict(two_clock_report(), "", 80), "ok")

    def test_2x_clock_limits(self):
        rep = two_clock_report(core_ach=150.0, x2_ach=170.0)
        rep["critical_paths"] = [cp for cp in rep["critical_paths"]
                                 if cp["from"] == cp["to"] or cp["from"] == "<async>"]
        t = fr.analyse_timing(rep, "", 100)
        self.assertAlmostEqual(t["fmax_mhz"], 85.0)
        self.assertIn("2x clock clk2x", t["limit"])
        self.assertEqual(t["limit_path"]["from_clock"], "posedge clk2x")

    def test_one_clock(self):
        rep = {"fmax": {"clk_core": {"achieved": 27.5, "constraint": 24}},
               "critical_paths": [path("posedge clk_core", "posedge clk_core", [0.5, 20.0]),
                                  path("posedge clk_core", "<async>", [0.5, 50.0])]}
        t = fr.analyse_timing(rep, "", 24)
        self.assertEqual(t["core_clock"], "clk_core")
        self.assertAlmostEqual(t["fmax_mhz"], 27.5)
        self.assertEqual(t["cross_domain"], [])
        self.assertEqual(fr.timing_verdict(rep, "", 24), "ok")
        self.assertNotEqual(fr.timing_verdict(rep, "", 30), "ok")

    def test_2x_clock_known_from_the_log_only(self):
        # No path within the 2x clock: its constraint comes from nextpnr's derived constraints.
        rep = two_clock_report()
        del rep["fmax"]["$glbnet$clk2x"]
        log = ("Info:     Derived frequency constraint of 200.0 MHz for net clk2x\n"
               "Info:     Derived frequency constraint of 100.0 MHz for net clk_core\n")
        t = fr.analyse_timing(rep, log, 100)
        self.assertAlmostEqual(t["fmax_mhz"], 83.33)
        t = fr.analyse_timing(rep, "", 100)  # unknown clock: reported, not counted
        self.assertTrue(all(x["budget_ns"] is None for x in t["cross_domain"]))
        self.assertAlmostEqual(t["fmax_mhz"], 120.0)

    def test_no_clock(self):
        self.assertEqual(fr.analyse_timing({"fmax": {}}, "", 100)["fmax_mhz"], None)
        self.assertEqual(fr.timing_verdict({"fmax": {}}, "", 100), "no clock in the nextpnr report")


class BuildTest(unittest.TestCase):
    def test_report_and_markdown(self):
        with tempfile.TemporaryDirectory() as d:
            d = pathlib.Path(d)
            (d / "pnr.json").write_text(json.dumps(two_clock_report()))
            out = d / "fpga" / "ulx3s"
            md = d / "results.md"
            r = subprocess.run(
                [sys.executable, str(HERE / "fpga_report.py"), "build", "--board", "ulx3s",
                 "--out-dir", str(out), "--config", "base", "--family", "ecp5", "--top", "t",
                 "--clock-mhz", "100", "--target-mhz", "100", "--status", "pass",
                 "--pnr-report", str(d / "pnr.json"), "--dsp-pump", "2", "--bench-dir",
                 str(d / "bench"), "--docs", str(md)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1, r.stderr)  # 83.33 MHz < 100 MHz
            rep = json.loads((out / "report.json").read_text())
            self.assertEqual(rep["status"], "timing_fail")
            self.assertAlmostEqual(rep["fmax_mhz"], 83.33)
            self.assertIn("achieved core clock: 83.33 MHz (FAIL at 100 MHz", r.stdout)
            self.assertIn("posedge clk2x -> posedge clk_core: 6.00 ns (FAIL", r.stdout)
            bench = [json.loads(x) for x in (d / "bench" / "extra" / "fpga.jsonl")
                     .read_text().splitlines()]
            fm = [b for b in bench if b["name"] == "fpga.ulx3s.fmax_mhz"]
            self.assertEqual(len(fm), 1)
            self.assertAlmostEqual(fm[0]["value"], 83.33)
            text = md.read_text()
            self.assertIn("| 83.3 MHz |", text)
            self.assertIn("2x `clk2x` 180.0 MHz = 90.0 MHz core", text)
            self.assertIn("6.00 ns of 5.00 ns", text)
            summary = json.loads(md.with_suffix(".json").read_text())["results"]
            self.assertEqual(len(summary), 1)
            self.assertEqual((summary[0]["board"], summary[0]["config"]), ("ulx3s", "base"))
            self.assertAlmostEqual(summary[0]["fmax_mhz"], 83.33)
            self.assertTrue(summary[0]["fits"])
            self.assertFalse(summary[0]["target_met"])
            self.assertTrue(summary[0]["links"])
            self.assertIn("| ulx3s | base | ", text)

    def test_single_chip_build_is_labelled(self):
        with tempfile.TemporaryDirectory() as d:
            d = pathlib.Path(d)
            (d / "pnr.json").write_text(json.dumps(two_clock_report()))
            md = d / "results.md"
            r = subprocess.run(
                [sys.executable, str(HERE / "fpga_report.py"), "build", "--board", "ulx3s",
                 "--out-dir", str(d / "fpga" / "ulx3s_nolinks"), "--config", "base", "--family",
                 "ecp5", "--top", "t", "--clock-mhz", "100", "--target-mhz", "100", "--status",
                 "pass", "--pnr-report", str(d / "pnr.json"), "--dsp-pump", "2", "--links", "0",
                 "--docs", str(md)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("config base (no links)", r.stdout)
            self.assertIn("| ulx3s | base (no links) | ", md.read_text())
            summary = json.loads(md.with_suffix(".json").read_text())["results"]
            self.assertFalse(summary[0]["links"])
            # Not the chip the demo's tokens/s describe: no measured Fmax from it.
            self.assertIsNone(fr.measured_fmax([md.with_suffix(".json")], "ulx3s", "base"))


    def test_rows_of_earlier_runs_are_kept(self):
        def row(board, config, fmax, links=True):
            return {"board": board, "config": config, "links": links, "device": "d",
                    "clock_mhz": 10, "target_mhz": 10, "fmax_mhz": fmax, "target_met": True,
                    "fits": True, "status": "pass", "message": "", "date": "2026-11-01",
                    "utilization": {"lut": {"used": 1, "available": 2, "percent": 50.0,
                                            "source": "pnr"}}}
        with tempfile.TemporaryDirectory() as d:
            d = pathlib.Path(d)
            md = d / "results.md"
            md.with_suffix(".json").write_text(json.dumps({"results": [
                row("icebreaker", "tiny", 11.0), row("ulx3s", "base", 12.0),
                row("ulx3s", "base", 13.0, links=False), {"board": "summary-only"}]}))
            (d / "fpga" / "ulx3s").mkdir(parents=True)
            (d / "fpga" / "ulx3s" / "report.json").write_text(json.dumps(row("ulx3s", "base", 14.0)))
            # The same build in a second output directory, run earlier: the later run's row.
            (d / "fpga" / "ulx3s_old").mkdir()
            older = dict(row("ulx3s", "base", 15.0), date="2026-10-01")
            (d / "fpga" / "ulx3s_old" / "report.json").write_text(json.dumps(older))
            fr.write_markdown(d / "fpga", md)
            text = md.read_text()
            self.assertIn("| icebreaker | tiny | d | 10 MHz | 11.0 MHz |", text)
            self.assertIn("| ulx3s | base | d | 10 MHz | 14.0 MHz |", text)  # this run's row
            self.assertNotIn("12.0 MHz", text)
            self.assertNotIn("15.0 MHz", text)
            self.assertIn("| ulx3s | base (no links) | d | 10 MHz | 13.0 MHz |", text)
            rows = json.loads(md.with_suffix(".json").read_text())["results"]
            self.assertEqual([(r["board"], r["config"], r["links"], r["fmax_mhz"]) for r in rows],
                             [("icebreaker", "tiny", True, 11.0), ("ulx3s", "base", True, 14.0),
                              ("ulx3s", "base", False, 13.0)])


class ProgressTest(unittest.TestCase):
    def test_how_far_a_stopped_run_got(self):
        placed = "Info: Placed 30 cells based on constraints.\nInfo: Running main analytical placer\n"
        routing = placed + ("Info: Running router2...\nInfo: Running main router loop...\n"
                            "Info:     iter=1 wires=1392165 overused=142670 overuse=183906 archfail=NA\n"
                            "Info:     iter=2 wires=1468266 overused=124987 overuse=145450 archfail=NA\n")
        self.assertIsNone(fr.pnr_progress(""))
        self.assertEqual(fr.pnr_progress(placed), {"stage": "placement"})
        self.assertEqual(fr.pnr_progress(routing), {"stage": "routing", "iterations": 2,
                                                    "overused_first": 142670,
                                                    "overused_last": 124987})
        self.assertIsNone(fr.pnr_progress(routing + "Info: Router2 time 1.0s\nInfo: Routing complete.\n"))
        self.assertEqual(fr.progress_text(fr.pnr_progress(routing)),
                         "placed; routing unfinished after 2 router2 iterations "
                         "(142670 overused wires in the first, 124987 in the last)")
        with tempfile.TemporaryDirectory() as d:
            d = pathlib.Path(d)
            (d / "pnr.log").write_text(routing)
            r = subprocess.run(
                [sys.executable, str(HERE / "fpga_report.py"), "build", "--board", "ulx3s",
                 "--out-dir", str(d / "out"), "--config", "base", "--family", "ecp5", "--top",
                 "t", "--clock-mhz", "100", "--target-mhz", "100", "--status", "error",
                 "--message", "nextpnr did not finish within 60 s (FPGA_TIMEOUT)",
                 "--pnr-log", str(d / "pnr.log")], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1, r.stderr)
            rep = json.loads((d / "out" / "report.json").read_text())
            self.assertEqual(rep["message"], "nextpnr did not finish within 60 s (FPGA_TIMEOUT); "
                             "placed; routing unfinished after 2 router2 iterations "
                             "(142670 overused wires in the first, 124987 in the last)")


class CongestionTest(unittest.TestCase):
    def test_unfinished_route_says_where_it_is_stuck(self):
        # Two router2 iterations of heatmaps (scripts/fpga_heatmap.py's input): V02 overused
        # 6 then 3 wires, H06 1 then 4, H01 none. fpga_heatmap ranks V02 first (9 against 5);
        # the report names the last iteration's worst first: H06. The second iteration's
        # nets: u_vxu 3 of 4.
        import fpga_heatmap as fh
        head = "type,bound=0,bound=1,bound=2,\n"
        log = ("Info: Running router2...\n"
               "Info:     iter=1 wires=100 overused=10 overuse=10 archfail=NA\n"
               "Info:     iter=2 wires=100 overused=7 overuse=7 archfail=NA\n")
        with tempfile.TemporaryDirectory() as d:
            d = pathlib.Path(d)
            (d / "heat").mkdir()
            for it, (v02, h06) in ((1, (6, 1)), (2, (3, 4))):
                rows = f"WIRE_TYPE_V02,9,1,{v02},\nWIRE_TYPE_H06,9,1,{h06},\nWIRE_TYPE_H01,9,1,0,\n"
                (d / "heat" / f"iter_congestion_by_wiretype_{it}.csv").write_text(head + rows)
            (d / "heat" / "iter_congestion_by_net_2.csv").write_text(
                "u_board.u_lpu.u_core.u_vxu.res2_q[1],3\nu_board.u_lpu.u_core.u_sram.rd[0],1\n")
            s = fh.summarise(fh.load(d / "heat"))
            (d / "heat.json").write_text(json.dumps(s))
            (d / "pnr.log").write_text(log)

            def build(status, extra=()):
                r = subprocess.run(
                    [sys.executable, str(HERE / "fpga_report.py"), "build", "--board", "ulx3s",
                     "--out-dir", str(d / "out"), "--config", "base", "--family", "ecp5",
                     "--top", "t", "--clock-mhz", "100", "--target-mhz", "100", "--status",
                     status, "--pnr-log", str(d / "pnr.log"), "--heat", str(d / "heat.json"),
                     *extra], capture_output=True, text=True)
                return r, (d / "out" / "report.txt").read_text()

            r, txt = build("error")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual([t["type"] for t in s["types"]][:2],
                             ["WIRE_TYPE_V02", "WIRE_TYPE_H06"])
            self.assertIn("router2 iteration 2: 7 overused wires; most in H06 4, V02 3, H01 0 "
                          "(heat.md)", txt)
            self.assertIn("nets on overused wires (iteration 2): u_vxu 75 %, u_sram 25 %", txt)
            self.assertIn("    u_board.u_lpu.u_core.u_vxu.res2_q[] 75.0 %", txt)
            rep = json.loads((d / "out" / "report.json").read_text())
            self.assertEqual(rep["congestion"]["types"][0], ["WIRE_TYPE_H06", 4])
            # A run that routed has nothing to say about congestion.
            (d / "pnr.log").write_text(log + "Info: Routing complete.\n")
            r, txt = build("error", ["--message", "the packer failed"])
            self.assertNotIn("overused", txt)
            # A file that is not the summary is refused with a message.
            (d / "pnr.log").write_text(log)
            (d / "heat.json").write_text("{}")
            r, _ = build("error")
            self.assertEqual(r.returncode, 2)
            self.assertIn("not scripts/fpga_heatmap.py's JSON", r.stderr)


class MeasuredFmaxTest(unittest.TestCase):
    def test_first_file_with_a_fitting_result_wins(self):
        with tempfile.TemporaryDirectory() as d:
            d = pathlib.Path(d)
            nofit = d / "report.json"  # one board's report, did not fit
            nofit.write_text(json.dumps({"board": "ulx3s", "config": "base", "fits": False,
                                         "fmax_mhz": None, "date": "2026-11-29T10:00"}))
            results = d / "results.json"  # the --docs summary
            results.write_text(json.dumps({"results": [
                {"board": "ulx3s", "config": "tiny", "fits": True, "fmax_mhz": 23.79, "date": "x"},
                {"board": "ulx3s", "config": "base", "fits": True, "fmax_mhz": 18.6,
                 "date": "2026-11-30T01:00:00"}]}))
            bad = d / "bad.json"
            bad.write_text("{not json")
            paths = [d / "missing.json", bad, nofit, results]
            self.assertEqual(fr.measured_fmax(paths, "ulx3s", "base"),
                             (18, str(results), "2026-11-30"))
            self.assertIsNone(fr.measured_fmax(paths[:3], "ulx3s", "base"))
            self.assertIsNone(fr.measured_fmax(paths, "icebreaker", "tiny"))
            r = subprocess.run([sys.executable, str(HERE / "fpga_report.py"), "measured-fmax",
                                "ulx3s", "tiny", str(nofit), str(results)],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.split(), ["23", str(results), "x"])



class PathPins(unittest.TestCase):
    """The first and last pin of a path, named for what they are."""

    def test_kinds(self):
        for pin, kind in (("DOA9", "block RAM output"), ("RDATA3", "block RAM output"),
                          ("Q", "flip-flop"), ("Q1", "flip-flop"), ("ADA0", "block RAM address"),
                          ("ADB13", "block RAM address"), ("DIA7", "block RAM data in"),
                          ("WEA", "block RAM enable"), ("CEB", "block RAM enable"),
                          ("DI", "flip-flop D"), ("LSR", "flip-flop control"),
                          ("CE", "flip-flop control"), ("P17", "DSP output"), ("XYZ", "")):
            self.assertEqual(fr.pin_kind(pin), kind, pin)

    def test_summary_names_the_pins(self):
        cp = path("posedge clk", "posedge clk", [5.6, 3.0, 0.2, 8.0], "u_seq.x_DP16KD", "u_bank.mem_q")
        cp["path"][0]["to"]["port"] = "DOA9"
        cp["path"][-1]["to"]["port"] = "ADA0"
        sp = fr.summarise_path(cp)
        self.assertEqual((sp["start_pin"], sp["start_kind"]), ("DOA9", "block RAM output"))
        self.assertEqual((sp["end_pin"], sp["end_kind"]), ("ADA0", "block RAM address"))
        self.assertEqual(fr.pin_note(sp, "start"), " (pin DOA9: block RAM output)")
        self.assertEqual(fr.pin_note({}, "start"), "")

    def test_rtl_source_of_the_ends(self):
        self.assertEqual(fr.rtl_source("rtl/host/lpu_host_if.sv:850.3-958.6|/share/lattice/"
                                       "cells_map_trellis.v:73.163-73.222"),
                         "rtl/host/lpu_host_if.sv:850")
        self.assertEqual(fr.rtl_source("/share/lattice/cells_map_trellis.v:16.100-16.154"), "")
        raw = path("posedge clk", "posedge clk", [0.5, 3.0], "ff_a", "ff_b")
        raw["path"][0]["to"]["port"] = "Q"  # nextpnr: the clock-to-output segment ends at Q
        cp = fr.summarise_path(raw)
        netlist = {"modules": {
            "sub": {"cells": {}},
            "top": {"attributes": {"top": "1"}, "cells": {
                "ff_a": {"attributes": {"src": "rtl/host/lpu_host_if.sv:850.3-958.6|/x.v:1.1-1.2"}},
                "ff_b": {"attributes": {"src": "/share/lattice/cells_map_trellis.v:16.1-16.2"}}}}}}
        fr.add_sources(cp, netlist)
        self.assertEqual(cp["start_src"], "rtl/host/lpu_host_if.sv:850")
        self.assertNotIn("end_src", cp)
        self.assertEqual(fr.pin_note(cp, "start"), " (pin Q: flip-flop; rtl/host/lpu_host_if.sv:850)")

if __name__ == "__main__":
    unittest.main()
