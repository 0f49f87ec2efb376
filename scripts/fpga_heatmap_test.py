#!/usr/bin/env python3
"""Tests of scripts/fpga_heatmap.py on hand-made router2 heatmaps whose overuse is worked out
below by hand. Run: python3 scripts/fpga_heatmap_test.py"""
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fpga_heatmap as fh  # noqa: E402

# router2's format: a header with one column per bound count, a trailing comma on every row,
# rows as long as the largest count of the file (a type's row may stop early).
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


def make_dir(files):
    d = tempfile.TemporaryDirectory()
    for name, text in files.items():
        (pathlib.Path(d.name) / name).write_text(text)
    return d


class Summary(unittest.TestCase):
    def setUp(self):
        self.d = make_dir({"iter_1.csv": ITER_1, "iter_2.csv": ITER_2, "iter_10.csv": ITER_10,
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

    def test_types_ranked_by_last_iteration(self):
        # Iteration 10: V06 2 overused, H02 0, PIN 0 (H02 before PIN by name); top=2.
        t = self.s["types"]
        self.assertEqual([x["type"] for x in t], ["V06", "H02"])
        self.assertEqual(t[0]["overused_by_iteration"], [1, 3, 2])
        self.assertEqual(t[1]["overused_by_iteration"], [7, 1, 0])
        # V06 in iteration 10: 44 + 3 + 2 = 49 wires, 5 in use.
        self.assertEqual(t[0]["wires"], 49)
        self.assertAlmostEqual(t[0]["in_use_share"], 5 / 49)

    def test_markdown(self):
        md = fh.markdown(self.s)
        self.assertIn("| 1 | 8 | 10 |", md)
        self.assertIn("| `V06` | 49 | 10 % | 1 | 3 | 2 |", md)


class BadInput(unittest.TestCase):
    def expect(self, files, fragment):
        d = make_dir(files)
        with d:
            with self.assertRaises(fh.HeatmapError) as cm:
                fh.load(d.name)
        self.assertIn(fragment, str(cm.exception))

    def test_no_files(self):
        self.expect({"other.csv": ITER_1}, "no heatmap files")

    def test_header(self):
        self.expect({"iter_1.csv": "kind,bound=0,\nH02,1,\n"}, "iter_1.csv:1")
        self.expect({"iter_1.csv": "type,bound=0,bound=2,\n"}, "expected 'bound=1'")

    def test_counts(self):
        self.expect({"iter_3.csv": "type,bound=0,\nH02,x,\n"}, "iter_3.csv:2: counts must be integers")
        self.expect({"iter_3.csv": "type,bound=0,\nH02,1,2,\n"}, "iter_3.csv:2: 2 counts for 1 columns")
        self.expect({"iter_3.csv": "type,bound=0,\nH02,-1,\n"}, "negative")
        self.expect({"iter_3.csv": "type,bound=0,\nH02,1,\nH02,2,\n"}, "appears twice")

    def test_cli(self):
        d = make_dir({"iter_1.csv": ITER_1})
        with d:
            out = pathlib.Path(d.name) / "s.json"
            r = subprocess.run([sys.executable, str(HERE / "fpga_heatmap.py"), d.name, "--json",
                                str(out)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("| `H02` |", r.stdout)
            self.assertEqual(json.loads(out.read_text())["iterations"][0]["overuse"], 10)
            r = subprocess.run([sys.executable, str(HERE / "fpga_heatmap.py"),
                                str(pathlib.Path(d.name) / "missing")], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("not a directory", r.stderr)
            self.assertNotIn("Traceback", r.stderr)


if __name__ == "__main__":
    unittest.main()
