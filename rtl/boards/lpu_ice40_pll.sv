// iCE40 clock generation for a board top: one SB_PLL40_PAD fed from the clock pin (the
// iCEBreaker's 12 MHz oscillator is on a PLL-capable pad), simple feedback.
// clk_o = clk_i * (Divf + 1) / ((Divr + 1) * 2^Divq); the phase detector runs at
// clk_i / (Divr + 1) (10..133 MHz) and the VCO at clk_i * (Divf + 1) / (Divr + 1)
// (533..1066 MHz). scripts/bitstream.sh computes the dividers for the requested core clock.
//
// The vendor primitive is visible to synthesis only. Under Verilator (lint, simulation) a
// behavioural model stands in: clk_o follows clk_i and locked_o rises after 16 input cycles.
module lpu_ice40_pll #(
  parameter int unsigned InMhz  = 12,
  parameter int unsigned OutMhz = 24,
  parameter int unsigned Divr   = 0,
  parameter int unsigned Divf   = 63,
  parameter int unsigned Divq   = 5,
  parameter int unsigned Filter = 1
) (
  input  logic clk_i,      // the clock pad itself (PACKAGEPIN)
  output logic clk_o,      // core clock, on a global buffer
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
  SB_PLL40_PAD #(
    .FEEDBACK_PATH ("SIMPLE"),
    .DIVR          (4'(Divr)),
    .DIVF          (7'(Divf)),
    .DIVQ          (3'(Divq)),
    .FILTER_RANGE  (3'(Filter))
  ) u_pll (
    .PACKAGEPIN    (clk_i),
    .PLLOUTCORE    (),
    .PLLOUTGLOBAL  (clk_o),
    .EXTFEEDBACK   (1'b0),
    .DYNAMICDELAY  (8'h00),
    .LOCK          (locked_o),
    .BYPASS        (1'b0),
    .RESETB        (1'b1),
    .LATCHINPUTVALUE (1'b0),
    .SDO           (),
    .SDI           (1'b0),
    .SCLK          (1'b0)
  );
`endif

`ifndef SYNTHESIS
  initial begin
    if (InMhz * (Divf + 1) != OutMhz * (Divr + 1) * (1 << Divq))
      $fatal(1, "lpu_ice40_pll: %0d MHz * %0d / (%0d * 2^%0d) is not %0d MHz", InMhz, Divf + 1,
             Divr + 1, Divq, OutMhz);
    if (InMhz * (Divf + 1) / (Divr + 1) < 533 || InMhz * (Divf + 1) / (Divr + 1) > 1066)
      $fatal(1, "lpu_ice40_pll: VCO outside 533..1066 MHz");
    if (Filter > 7) $fatal(1, "lpu_ice40_pll: Filter must be 0..7");
  end
`endif

endmodule
