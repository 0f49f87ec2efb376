// ECP5 clock generation for a board top: one EHXPLLL, output CLKOP fed back internally
// (FEEDBK_PATH "CLKOP"). clk_o = clk_i * ClkfbDiv / ClkiDiv; the VCO runs at
// clk_o * ClkopDiv, which must lie in 400..800 MHz. scripts/bitstream.sh computes the
// dividers for the requested core clock.
//
// The vendor primitive is visible to synthesis only. Under Verilator (lint, simulation) a
// behavioural model stands in: clk_o follows clk_i and locked_o rises after 16 input cycles.
module lpu_ecp5_pll #(
  parameter int unsigned InMhz    = 25,
  parameter int unsigned OutMhz   = 100,
  parameter int unsigned ClkiDiv  = 1,
  parameter int unsigned ClkfbDiv = 4,
  parameter int unsigned ClkopDiv = 6
) (
  input  logic clk_i,      // board oscillator
  output logic clk_o,      // core clock
  output logic locked_o    // asynchronous: the PLL has locked
);

`ifdef VERILATOR
  logic [4:0] cnt_q;
  always_ff @(posedge clk_i) begin
    cnt_q <= (cnt_q[4] == 1'b1) ? cnt_q : cnt_q + 5'd1;
  end
  initial cnt_q = 5'd0;
  assign clk_o    = clk_i;
  assign locked_o = cnt_q[4];
`else
  logic clkop;
  // Loop-filter settings for VCOs of 400..800 MHz with a PFD of 3.125..25 MHz (the values
  // Lattice's PLL calculator and prjtrellis' ecppll give for this range). nextpnr derives the
  // CLKOP clock constraint from the input constraint and the dividers.
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
    .CLKOP_CPHASE    ((ClkopDiv - 1) / 2),
    .CLKOP_FPHASE    (0),
    .FEEDBK_PATH     ("CLKOP"),
    .CLKFB_DIV       (ClkfbDiv)
  ) u_pll (
    .RST          (1'b0),
    .STDBY        (1'b0),
    .CLKI         (clk_i),
    .CLKOP        (clkop),
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
  assign clk_o = clkop;
`endif

`ifndef SYNTHESIS
  // The dividers must produce OutMhz from InMhz with the VCO in range.
  initial begin
    if (InMhz * ClkfbDiv != OutMhz * ClkiDiv)
      $fatal(1, "lpu_ecp5_pll: %0d MHz * %0d / %0d is not %0d MHz", InMhz, ClkfbDiv, ClkiDiv,
             OutMhz);
    if (OutMhz * ClkopDiv < 400 || OutMhz * ClkopDiv > 800)
      $fatal(1, "lpu_ecp5_pll: VCO %0d MHz outside 400..800 MHz", OutMhz * ClkopDiv);
  end
`endif

endmodule
