// ECP5 clock generation for a board top: one EHXPLLL with two phase-aligned outputs, the core
// clock clk_o and clk2x_o at exactly twice its frequency (the double-pumped DSP PEs,
// docs/boards.md "Clocks"). CLKOP is the 2x clock and the PLL's feedback (FEEDBK_PATH
// "CLKOP"); CLKOS divides the same VCO by twice as much for the core clock:
//
//   clk2x_o = clk_i * ClkfbDiv / ClkiDiv = 2 * OutMhz   (CLKOP, VCO / ClkopDiv)
//   clk_o   = OutMhz                                    (CLKOS, VCO / (2 * ClkopDiv))
//   VCO     = 2 * OutMhz * ClkopDiv, which must lie in 400..800 MHz
//
// scripts/bitstream.sh computes the dividers for the requested core clock; the checks at the
// end repeat its rules.
//
// Phases. Each output divider's CPHASE delays its output by that many VCO cycles (FPHASE adds
// eighths of one), counted from the same instant for all four dividers; Lattice's tools call
// CPHASE = DIV - 1 (FPHASE 0) the 0-degree setting of an output (Diamond writes, e.g.,
// CLKOP_DIV 12 / CPHASE 11 next to a 0-degree CLKOS2_DIV 6 / CPHASE 5; LiteX's ECP5PLL uses the
// same rule). We set both outputs to 0 degrees: CLKOP rises at VCO cycles ClkopDiv - 1 +
// k * ClkopDiv, CLKOS at 2 * ClkopDiv - 1 + k * 2 * ClkopDiv = ClkopDiv - 1 + (2k + 1) * ClkopDiv,
// so every rising edge of clk_o is a rising edge of clk2x_o (the second rising edge of clk2x_o
// in each core cycle falls on clk_o's falling edge). What aligns the two is only that the
// CPHASE values differ by a whole number of CLKOP periods with equal FPHASE; prjtrellis'
// ecppll instead gives every 0-degree output CLKOP's CPHASE (half a CLKOP period), which
// satisfies the same condition. CPHASE is 7 bits, so 2 * ClkopDiv - 1 <= 127.
// As CLKOP is the feedback, the PLL aligns clk2x_o (at the feedback input) with clk_i; both
// outputs then reach the fabric through global clock buffers of equal delay.
//
// The vendor primitive is visible to synthesis only. Under Verilator (lint only; no test
// simulates a board top) a behavioural model stands in: clk2x_o follows clk_i, clk_o toggles
// on its rising edges (so it rises with clk2x_o), and locked_o rises after 16 input cycles.
module lpu_ecp5_pll #(
  parameter int unsigned InMhz    = 25,
  parameter int unsigned OutMhz   = 100,  // core clock; clk2x_o is 2 * OutMhz
  parameter int unsigned ClkiDiv  = 1,
  parameter int unsigned ClkfbDiv = 8,
  parameter int unsigned ClkopDiv = 3
) (
  input  logic clk_i,      // board oscillator
  output logic clk_o,      // core clock
  output logic clk2x_o,    // twice the core clock, rising edges aligned with clk_o's
  output logic locked_o    // asynchronous: the PLL has locked
);

`ifdef VERILATOR
  logic [4:0] cnt_d, cnt_q;
  logic       half_d, half_q;
  always_comb begin
    cnt_d  = (cnt_q[4] == 1'b1) ? cnt_q : cnt_q + 5'd1;
    half_d = ~half_q;
  end
  always_ff @(posedge clk_i) begin
    cnt_q  <= cnt_d;
    half_q <= half_d;
  end
  initial begin
    cnt_q  = 5'd0;
    half_q = 1'b0;
  end
  assign clk2x_o  = clk_i;
  assign clk_o    = half_q;
  assign locked_o = cnt_q[4];
`else
  localparam int unsigned ClkosDiv = 2 * ClkopDiv;
  logic clkop, clkos;
  // Loop-filter settings for VCOs of 400..800 MHz with a PFD of 3.125..25 MHz (the values
  // Lattice's PLL calculator and prjtrellis' ecppll give for this range). nextpnr derives the
  // CLKOP and CLKOS clock constraints from the input constraint and the dividers.
  (* ICP_CURRENT = "12", LPF_RESISTOR = "8", MFG_ENABLE_FILTEROPAMP = "1", MFG_GMCREF_SEL = "2" *)
  EHXPLLL #(
    .PLLRST_ENA      ("DISABLED"),
    .INTFB_WAKE      ("DISABLED"),
    .STDBY_ENABLE    ("DISABLED"),
    .DPHASE_SOURCE   ("DISABLED"),
    .OUTDIVIDER_MUXA ("DIVA"),
    .OUTDIVIDER_MUXB ("DIVB"),
    .OUTDIVIDER_MUXC ("DIVC"),
    .OUTDIVIDER_MUXD ("DIVD"),
    .CLKI_DIV        (ClkiDiv),
    .CLKOP_ENABLE    ("ENABLED"),
    .CLKOP_DIV       (ClkopDiv),
    .CLKOP_CPHASE    (ClkopDiv - 1),
    .CLKOP_FPHASE    (0),
    .CLKOS_ENABLE    ("ENABLED"),
    .CLKOS_DIV       (ClkosDiv),
    .CLKOS_CPHASE    (ClkosDiv - 1),
    .CLKOS_FPHASE    (0),
    .FEEDBK_PATH     ("CLKOP"),
    .CLKFB_DIV       (ClkfbDiv)
  ) u_pll (
    .RST          (1'b0),
    .STDBY        (1'b0),
    .CLKI         (clk_i),
    .CLKOP        (clkop),
    .CLKOS        (clkos),
    .CLKFB        (clkop),
    .CLKINTFB     (),
    .PHASESEL0    (1'b0),
    .PHASESEL1    (1'b0),
    .PHASEDIR     (1'b1),
    .PHASESTEP    (1'b1),
    .PHASELOADREG (1'b1),
    .PLLWAKESYNC  (1'b0),
    .ENCLKOP      (1'b0),
    .LOCK         (locked_o)
  );
  assign clk2x_o = clkop;
  assign clk_o   = clkos;
`endif

`ifndef SYNTHESIS
  // The dividers must produce 2 * OutMhz from InMhz with the VCO, the PFD and both outputs in
  // range.
  initial begin
    if (InMhz * ClkfbDiv != 2 * OutMhz * ClkiDiv)
      $fatal(1, "lpu_ecp5_pll: %0d MHz * %0d / %0d is not 2 * %0d MHz", InMhz, ClkfbDiv, ClkiDiv,
             OutMhz);
    if (2 * OutMhz * ClkopDiv < 400 || 2 * OutMhz * ClkopDiv > 800)
      $fatal(1, "lpu_ecp5_pll: VCO %0d MHz outside 400..800 MHz", 2 * OutMhz * ClkopDiv);
    if (8 * InMhz < 25 * ClkiDiv)
      $fatal(1, "lpu_ecp5_pll: PFD %0d MHz / %0d below 3.125 MHz", InMhz, ClkiDiv);
    if (2 * OutMhz > 400)
      $fatal(1, "lpu_ecp5_pll: clk2x_o %0d MHz above 400 MHz", 2 * OutMhz);
    if (ClkopDiv < 1 || ClkopDiv > 64)
      $fatal(1, "lpu_ecp5_pll: ClkopDiv %0d outside 1..64 (CLKOS_DIV 2 * ClkopDiv, CPHASE %0d)",
             ClkopDiv, 2 * ClkopDiv - 1);
  end
`endif

endmodule
