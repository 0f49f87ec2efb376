#!/usr/bin/env python3
"""Tests of scripts/fpga_wirelen.py on a hand-made placed netlist whose wirelengths are worked
out below by hand. Run: python3 scripts/fpga_wirelen_test.py"""
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fpga_wirelen as fw  # noqa: E402

CORE = "u_board.u_lpu.u_core."


def cell(x, y, conns, placed=True):
    attrs = {"NEXTPNR_BEL": f"X{x}/Y{y}/SLICEA"} if placed else {}
    return {"type": "TRELLIS_COMB", "attributes": attrs, "connections": conns}


def netlist():
    # Sites: a (1,1), b (4,5), c (2,9), d (10,2), e (3,3); u is not placed.
    cells = {
        CORE + "u_mxu.u_array.pe_a": cell(1, 1, {"Q": [2], "C": [9]}),
        CORE + "u_mxu.u_array.pe_b": cell(4, 5, {"D": [2], "Q": [3], "C": [9]}),
        CORE + "u_vxu.lane_c": cell(2, 9, {"A": [3], "B": [5], "C": [9]}),
        CORE + "u_vxu.lane_d": cell(10, 2, {"A": [3, 5], "C": [9]}),
        "u_board.u_host.e": cell(3, 3, {"Q": [4], "B": [2], "C": [9]}),
        CORE + "u_mxu.u_array.unplaced": cell(0, 0, {"A": [4], "B": [3]}, placed=False),
    }
    netnames = {
        # bit 2: a (1,1), b (4,5), e (3,3) -> 3 + 4 = 7 tiles, charged to u_mxu
        CORE + "u_mxu.u_array.prod_w[3]": {"bits": [2]},
        # bit 3: b (4,5), c (2,9), d (10,2) -> 8 + 7 = 15 tiles; the longer alias is not used
        CORE + "u_vxu.res_q[0]": {"bits": [3]},
        CORE + "u_vxu.res_q_LUT4_Z_C_TRELLIS_FF_Q": {"bits": [3]},
        # bit 4: e only (the other pin is unplaced): no net
        "u_board.u_host.tx_q": {"bits": [4]},
        # bit 5: c (2,9), d (10,2) -> 8 + 7 = 15 tiles, a second bit of the same signal
        CORE + "u_vxu.res_q[1]": {"bits": [5]},
        # bit 9: the clock, 4 sinks: global when global_fanout < 4
        "clk_i": {"bits": [9]},
    }
    return {"modules": {"top": {"cells": cells, "netnames": netnames}}}


class Analyse(unittest.TestCase):
    def test_blocks(self):
        rows, globals_, total = fw.analyse(netlist()["modules"]["top"],
                                           root=CORE.strip(".").split("."), depth=1,
                                           long_tiles=10, global_fanout=3)
        by = {r["block"]: r for r in rows}
        self.assertEqual(total, 7 + 15 + 15)
        self.assertEqual(by["u_vxu"]["hpwl"], 30)
        self.assertEqual(by["u_vxu"]["nets"], 2)
        self.assertEqual(by["u_vxu"]["long"], 30)
        self.assertEqual(by["u_mxu"]["hpwl"], 7)
        self.assertEqual(by["u_mxu"]["long"], 0)
        self.assertEqual(by["u_mxu"]["cells"], 2)  # the unplaced cell is not counted
        self.assertEqual(by["(outside u_board.u_lpu.u_core)"]["cells"], 1)
        self.assertEqual([r["block"] for r in rows][:2], ["u_vxu", "u_mxu"])
        self.assertEqual(globals_, [{"net": "clk_i", "sinks": 4}])

    def test_global_threshold(self):
        # With the threshold at 4 the clock is an ordinary net: a (1,1) .. d (10,2) .. c (2,9):
        # 9 + 8 = 17 tiles, outside the core.
        rows, globals_, total = fw.analyse(netlist()["modules"]["top"],
                                           root=CORE.strip(".").split("."), global_fanout=4)
        self.assertEqual(globals_, [])
        self.assertEqual(total, 7 + 15 + 15 + 17)

    def test_depth(self):
        rows, _, _ = fw.analyse(netlist()["modules"]["top"], root=["u_board"], depth=3,
                                global_fanout=3)
        self.assertEqual({r["block"] for r in rows if r["nets"]},
                         {"u_lpu.u_core.u_mxu", "u_lpu.u_core.u_vxu"})

    def test_signals_fold_bits(self):
        res = fw.signals(netlist()["modules"]["top"], "u_vxu", global_fanout=3)
        self.assertEqual(res, [{"signal": CORE + "u_vxu.res_q[]", "nets": 2, "hpwl": 30,
                                "sinks": 2 + 1}])

    def test_signal_of(self):
        self.assertEqual(fw.signal_of("a.b.prod_w[3][5]"), "a.b.prod_w[][]")
        self.assertEqual(fw.signal_of("a.res2_q_TRELLIS_FF_Q_DI"), "a.res2_q")


class Cli(unittest.TestCase):
    def run_cli(self, *args, data=None, text=None):
        with tempfile.TemporaryDirectory() as d:
            p = pathlib.Path(d) / "placed.json"
            p.write_text(text if text is not None else json.dumps(data))
            out = pathlib.Path(d) / "out.json"
            r = subprocess.run([sys.executable, str(HERE / "fpga_wirelen.py"), str(p), *args,
                                "--json", str(out)], capture_output=True, text=True)
            js = json.loads(out.read_text()) if out.exists() else None
            return r, js

    def test_table_and_json(self):
        r, js = self.run_cli("--global-fanout", "3", "--long", "10", data=netlist())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("| u_vxu | 2 | 30 | 81.1% | 30 | 2 | 15.0 |", r.stdout)
        self.assertIn("clk_i (4 sinks)", r.stdout)
        self.assertEqual(js["total_hpwl"], 37)

    def test_not_placed(self):
        data = netlist()
        for c in data["modules"]["top"]["cells"].values():
            c["attributes"] = {}
        r, _ = self.run_cli(data=data)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no cell has a NEXTPNR_BEL", r.stderr)

    def test_not_json(self):
        r, _ = self.run_cli(text="{ not json")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot read", r.stderr)
        r, _ = self.run_cli(text="[1, 2]")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no 'modules'", r.stderr)
        r, _ = self.run_cli(data={"modules": {"top": {"cells": {"a": {"attributes": []}},
                                                       "netnames": {}}}})
        self.assertEqual(r.returncode, 1)
        self.assertIn("module top: malformed", r.stderr)


if __name__ == "__main__":
    unittest.main()
