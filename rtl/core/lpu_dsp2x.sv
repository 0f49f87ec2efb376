// One signed AW x BW multiplier (one DSP block) doing the work of two, double-pumped
// (docs/architecture.md "Double-pumped DSP blocks"): it runs on clk2x_i, a clock at exactly
// twice the core clock whose rising edges include every rising edge of the core clock, and
// forms product 0 in the first half of each core cycle and product 1 in the second.
//
//   first half  (ph_q = 0): the multiplier sees operands 0; the clk2x edge in the middle of
//                           the core cycle registers the product (prod0_q, prod0_o).
//   second half (ph_q = 1): it sees operands 1; prod1_o is combinational and the core edge at
//                           the end of the cycle registers it where its user needs it.
//
// To its users it is two multipliers whose products a core-clock register takes at the end
// of the cycle the operands are valid in (prod0_o also holds until the middle of the next
// cycle): nothing about their timing changes. Users: the systolic array's PE pairs
// (lpu_mxu_array) and the vector multiplier's partial products (lpu_vxu_mul). The phase comes from the core
// clock domain: tgl_i toggles at every core edge; smp_q samples it at every clk2x edge, so
// smp_q differs from tgl_i exactly during the first half, and ph_q registers that (ph_q = 1
// from the middle edge to the end of the cycle). No reset alignment is needed beyond both
// registers starting at 0 with tgl_i.
//
// Timing: operands launched at a core edge must reach prod0_q at the middle edge, and
// operands 1 through the multiplier and whatever follows it must reach the core edge from
// the middle one: both are half a core period (one clk2x period).
module lpu_dsp2x #(
  parameter int unsigned AW = 8,
  parameter int unsigned BW = 8
) (
  input  logic        clk2x_i,
  input  logic        rst_ni,
  input  logic        tgl_i,    // core clock domain: toggles at every core clock edge

  input  logic [AW-1:0]    a0_i,     // operands 0 (signed)
  input  logic [BW-1:0]    b0_i,
  output logic [AW+BW-1:0] prod0_o,  // registered at the middle edge, stable until the next
  input  logic [AW-1:0]    a1_i,     // operands 1 (signed)
  input  logic [BW-1:0]    b1_i,
  output logic [AW+BW-1:0] prod1_o   // valid in the second half of the core cycle
);

  logic        smp_q, ph_q;
  logic [AW+BW-1:0] prod0_q, prod0_d;

  logic signed [AW-1:0]    mul_a;
  logic signed [BW-1:0]    mul_b;
  logic signed [AW+BW-1:0] prod;

  always_comb begin
    mul_a   = ph_q ? a1_i : a0_i;
    mul_b   = ph_q ? b1_i : b0_i;
    prod    = mul_a * mul_b;
    prod0_d = ph_q ? prod0_q : prod;
  end

  always_ff @(posedge clk2x_i or negedge rst_ni) begin
    if (!rst_ni) begin
      smp_q   <= 1'b0;
      ph_q    <= 1'b0;
      prod0_q <= '0;
    end else begin
      smp_q   <= tgl_i;
      ph_q    <= smp_q ^ tgl_i;
      prod0_q <= prod0_d;
    end
  end

  assign prod0_o = prod0_q;
  assign prod1_o = prod;

endmodule
