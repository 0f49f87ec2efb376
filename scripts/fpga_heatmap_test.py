#!/usr/bin/env python3
"""Tests of scripts/fpga_heatmap.py on hand-made router2 heatmaps whose overuse is worked out
below by hand. Run: python3 scripts/fpga_heatmap_test.py"""
import json
import pathlib
import random
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fpga_heatmap as fh  # noqa: E402

# router2's wire-type format: a header with one column per bound count, a trailing comma on
# every row, rows as long as the largest count of the file (a type's row may stop early).
ITER_1 = """type,bound=0,bound=1,bound=2,bound=3,
H02,10,20,5,2,
V06,40,8,1,
PIN,7,3,
"""
# H02: overused wires 5 + 2 = 7, overuse 5*1 + 2*2 = 9
# V06: 1 wire, overuse 1; PIN: none. Iteration 1: 8 wires, overuse 10.
ITER_2 = """type,bound=0,bound=1,bound=2,
H02,12,24,1,
V06,45,1,3,
PIN,8,2,
"""
# H02: 1 wire, overuse 1; V06: 3 wires, overuse 3. Iteration 2: 4 wires, overuse 4.
ITER_10 = """type,bound=0,bound=1,bound=2,
H02,11,26,0,
V06,44,3,2,
PIN,10,
"""
# V06: 2; iteration 10 (sorted after 2, not before it as text would): 2 wires, overuse 2.

# One line per grid column x (4 columns), one value per row y (3 rows, then router2's comma).
# With 2 x 1 parts: x 0-1 hold 1+2+0 + 0+0+3 = 6, x 2-3 hold 4+0+0 + 0+0+2 = 6: 50 % each.
# With 1 x 3 parts: y 0: 1+0+4+0 = 5, y 1: 2+0+0+0 = 2, y 2: 0+3+0+2 = 5, of 12.
COORD_10 = """1,2,0,
0,0,3,
4,0,0,
0,0,2,
"""
CORE = "u_board.u_lpu.u_core."
# Bits of one signal and names Yosys derives from a cell fold into one signal; blocks are the
# children of the core; a name with a comma keeps it (the count is the last field).
NET_10 = f"""{CORE}u_vxu.res_q[0],5
{CORE}u_vxu.res_q[1],3
{CORE}u_vxu.res_q_TRELLIS_FF_Q_DI[2],2
{CORE}u_seq.pc_q[4],4
led_o,1
{CORE}u_seq.odd,name[0],6
"""


def make_dir(files):
    d = tempfile.TemporaryDirectory()
    for name, text in files.items():
        (pathlib.Path(d.name) / name).write_text(text)
    return d


class Summary(unittest.TestCase):
    def setUp(self):
        self.d = make_dir({"iter_congestion_by_wiretype_1.csv": ITER_1,
                           "iter_congestion_by_wiretype_2.csv": ITER_2,
                           "iter_congestion_by_wiretype_10.csv": ITER_10,
                           "iter_congestion_by_coordinate_10.csv": COORD_10,
                           "iter_congestion_by_net_10.csv": NET_10,
                           "unrelated.txt": "x"})
        self.s = fh.summarise(fh.load(self.d.name), top=2)

    def tearDown(self):
        self.d.cleanup()

    def test_iterations(self):
        self.assertEqual(self.s["iterations"], [
            {"iteration": 1, "overused_wires": 8, "overuse": 10},
            {"iteration": 2, "overused_wires": 4, "overuse": 4},
            {"iteration": 10, "overused_wires": 2, "overuse": 2},
        ])
        self.assertEqual(self.s["last_iteration"], 10)

    def test_types_ranked(self):
        # Summed over the iterations: H02 7 + 1 + 0 = 8, V06 1 + 3 + 2 = 6, PIN 0; top=2.
        t = self.s["types"]
        self.assertEqual([x["type"] for x in t], ["H02", "V06"])
        self.assertEqual(t[1]["overused_by_iteration"], [1, 3, 2])
        self.assertEqual(t[0]["overused_by_iteration"], [7, 1, 0])
        # V06 in iteration 10: 44 + 3 + 2 = 49 wires, 5 in use.
        self.assertEqual(t[1]["wires"], 49)
        self.assertAlmostEqual(t[1]["in_use_share"], 5 / 49)

    def test_map(self):
        m = self.s["map"]  # the default 8 x 6 parts on a 4 x 3 grid: every tile its own part
        self.assertEqual((m["width"], m["height"], m["total"], m["iteration"]), (4, 3, 12, 10))
        self.assertAlmostEqual(sum(map(sum, m["shares"])), 100.0)
        grid = fh.load(self.d.name)["coordinate"][10]
        self.assertEqual(fh.coarse_map(grid, 2, 1)["shares"], [[50.0, 50.0]])
        self.assertEqual(fh.coarse_map(grid, 1, 3)["shares"],
                         [[100 * 5 / 12], [100 * 2 / 12], [100 * 5 / 12]])

    def test_nets(self):
        n = self.s["nets"]
        self.assertEqual(n["total"], 21)
        # u_seq 4 + 6 = 10 and u_vxu 5 + 3 + 2 = 10 (a tie: by name), led_o outside: 1; top=2.
        self.assertEqual([(b["block"], b["count"]) for b in n["blocks"]],
                         [("u_seq", 10), ("u_vxu", 10)])
        # res_q[0] and res_q[1] fold into res_q[] (8); the name with a comma keeps it (6).
        self.assertEqual([(g["signal"], g["count"]) for g in n["signals"]],
                         [(CORE + "u_vxu.res_q[]", 8), (CORE + "u_seq.odd,name[]", 6)])

    def test_markdown(self):
        md = fh.markdown(self.s)
        self.assertIn("| 1 | 8 | 10 |", md)
        self.assertIn("| `V06` | 49 | 10 % | 6 | 1 | 3 | 2 |", md)


class LongRoute(unittest.TestCase):
    def test_shown_iterations(self):
        self.assertEqual(fh.shown(list(range(1, 123))), [1, 2, 3, 5, 10, 20, 30, 50, 100, 122])
        self.assertEqual(fh.shown([1, 2, 3, 4]), [1, 2, 3, 4])

    def test_markdown_columns(self):
        # 12 iterations, H02 overused in iteration i by i wires (bound=2): the tables show
        # iterations 1, 2, 3, 5, 10 and 12, with those counts.
        files = {f"iter_congestion_by_wiretype_{i}.csv":
                 f"type,bound=0,bound=1,bound=2,\nH02,0,0,{i},\n" for i in range(1, 13)}
        d = make_dir(files)
        with d:
            md = fh.markdown(fh.summarise(fh.load(d.name)))
        self.assertIn("12 iterations; the tables show 1, 2, 3, 5, 10, 12.", md)
        self.assertIn("| `H02` | 12 | 100 % | 78 | 1 | 2 | 3 | 5 | 10 | 12 |", md)
        self.assertIn("| 10 | 10 | 10 |", md)
        self.assertNotIn("| 11 | 11 | 11 |", md)


class Converged(unittest.TestCase):
    def test_ranked_over_all_iterations(self):
        # H02 overused 1 + 0 + 0 = 1 wire-iterations, V06 0 + 2 + 0 = 2: V06 first, although
        # the last iteration (converged) has neither and iteration 1 only H02.
        head = "type,bound=0,bound=1,bound=2,\n"
        d = make_dir({
            "iter_congestion_by_wiretype_1.csv": head + "H02,0,0,1,\nV06,0,1,0,\n",
            "iter_congestion_by_wiretype_2.csv": head + "H02,0,5,0,\nV06,0,1,2,\n",
            "iter_congestion_by_wiretype_3.csv": "type,bound=0,bound=1,\nH02,0,5,\nV06,0,2,\n",
            # the map and the nets come from the last iteration with any congestion
            "iter_congestion_by_coordinate_2.csv": "0,4,\n",
            "iter_congestion_by_coordinate_3.csv": "0,0,\n",
            "iter_congestion_by_net_2.csv": "a,4\n",
            "iter_congestion_by_net_3.csv": "a,0\n"})
        with d:
            s = fh.summarise(fh.load(d.name))
        self.assertEqual([(t["type"], t["overused_sum"]) for t in s["types"]],
                         [("V06", 2), ("H02", 1)])
        self.assertEqual((s["map"]["iteration"], s["map"]["total"]), (2, 4))
        self.assertEqual((s["nets"]["iteration"], s["nets"]["total"]), (2, 4))


class BadInput(unittest.TestCase):
    def expect(self, files, fragment):
        d = make_dir(files)
        with d:
            with self.assertRaises(fh.HeatmapError) as cm:
                fh.load(d.name)
        self.assertIn(fragment, str(cm.exception))

    def test_no_files(self):
        self.expect({"other.csv": ITER_1, "iter_congestion_by_net_1.csv": NET_10},
                    "no heatmap files")

    def test_header(self):
        name = "iter_congestion_by_wiretype_1.csv"
        self.expect({name: "kind,bound=0,\nH02,1,\n"}, "wiretype_1.csv:1")
        self.expect({name: "type,bound=0,bound=2,\n"}, "expected 'bound=1'")

    def test_counts(self):
        name = "x_congestion_by_wiretype_3.csv"  # any prefix
        self.expect({name: "type,bound=0,\nH02,x,\n"}, "wiretype_3.csv:2: counts must be integers")
        self.expect({name: "type,bound=0,\nH02,1,2,\n"}, "wiretype_3.csv:2: 2 counts for 1 columns")
        self.expect({name: "type,bound=0,\nH02,-1,\n"}, "negative")
        self.expect({name: "type,bound=0,\nH02,1,\nH02,2,\n"}, "appears twice")

    def test_coordinate_and_net(self):
        self.expect({"iter_congestion_by_wiretype_1.csv": ITER_1,
                     "iter_congestion_by_coordinate_1.csv": "1,a,\n"},
                    "coordinate_1.csv:1: counts must be integers")
        self.expect({"iter_congestion_by_wiretype_1.csv": ITER_1,
                     "iter_congestion_by_coordinate_1.csv": "\n"}, "coordinate_1.csv: empty")
        self.expect({"iter_congestion_by_wiretype_1.csv": ITER_1,
                     "iter_congestion_by_net_1.csv": "a,1\nlonely\n"},
                    "net_1.csv:2: expected 'net,count'")
        self.expect({"iter_congestion_by_wiretype_1.csv": ITER_1,
                     "iter_congestion_by_net_1.csv": "a,\n"}, "net_1.csv:1: expected 'net,count'")

    def test_random_files_give_a_message_or_a_summary(self):
        # Seeded random fragments of router2's formats (and a byte that is not UTF-8): every
        # directory either sums up or is refused with HeatmapError, never another exception.
        rng = random.Random(1)
        alpha = ["type", ",", "bound=0", "bound=1", "bound=2", "\n", "1", "-1", "x", "", "H02",
                 "3", " ", '"', "a[1]", "\xff"]
        for _ in range(500):
            files = {}
            for kind in ("wiretype", "coordinate", "net"):
                if rng.random() < 0.8:
                    head = "type,bound=0,bound=1,bound=2,\n" if rng.random() < 0.5 else ""
                    body = "".join(rng.choice(alpha) for _ in range(rng.randint(0, 40)))
                    files[f"iter_congestion_by_{kind}_{rng.randint(1, 3)}.csv"] = head + body
            with tempfile.TemporaryDirectory() as d:
                for name, text in files.items():
                    (pathlib.Path(d) / name).write_bytes(text.encode("latin-1"))
                try:
                    fh.markdown(fh.summarise(fh.load(d)))
                except fh.HeatmapError:
                    pass

    def test_cli(self):
        d = make_dir({"iter_congestion_by_wiretype_1.csv": ITER_1})
        with d:
            out = pathlib.Path(d.name) / "s.json"
            r = subprocess.run([sys.executable, str(HERE / "fpga_heatmap.py"), d.name, "--json",
                                str(out)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("| `H02` |", r.stdout)
            self.assertEqual(json.loads(out.read_text())["iterations"][0]["overuse"], 10)
            missing = str(pathlib.Path(d.name) / "missing")
            r = subprocess.run([sys.executable, str(HERE / "fpga_heatmap.py"), missing],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("not a directory", r.stderr)
            self.assertNotIn("Traceback", r.stderr)


if __name__ == "__main__":
    unittest.main()
