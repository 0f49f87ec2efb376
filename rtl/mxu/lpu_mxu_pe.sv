// One processing element of the weight-stationary systolic array (docs/mxu.md).
//
// Holds two int8 weights (one per weight buffer). Each cycle it multiplies the activation at
// its left input by the weight of the buffer that activation belongs to (sel_i travels with
// the activation), adds the partial sum from above, and registers activation, buffer bit and
// partial sum towards its right and lower neighbours.
//
// Weight loading shifts the selected buffer down the column: w[wld_buf_i] <= w_i. It is not
// gated by en_i (a weight row already read from SRAM still lands when the chip stops).
//
// UseDsp selects how the int8 x int8 product is built: `*` (synthesis maps it to a DSP
// multiplier) or an explicit radix-4 Booth adder chain (always LUTs), so that an
// array larger than the device's DSP count can put some PEs in LUTs (lpu_mxu DspPes).
// ExtMul (overrides UseDsp) takes the product from prod_i instead: the PE puts its operands
// on mul_a_o / mul_w_o and a multiplier shared with another PE (lpu_dsp2x) returns
// their product within the same cycle. The operand outputs are driven in every variant.
//
// Fixed-latency datapath: no valid/ready.
module lpu_mxu_pe #(
  parameter int unsigned PsumW  = 20,
  // Bits that can be non-redundant in this PE's partial sum (<= PsumW): the sum is computed
  // and registered in SumW bits and sign-extended to PsumW (lpu_mxu_array gives PE row p
  // 16 + clog2(p+1) bits, enough for p+1 products of int8 x int8).
  parameter int unsigned SumW   = PsumW,
  parameter bit          UseDsp = 1'b1,
  parameter bit          ExtMul = 1'b0
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             en_i,

  input  logic [7:0]       a_i,
  input  logic             sel_i,
  input  logic [PsumW-1:0] psum_i,
  output logic [7:0]       a_o,
  output logic             sel_o,
  output logic [PsumW-1:0] psum_o,

  input  logic             wld_en_i,
  input  logic             wld_buf_i,
  input  logic [7:0]       w_i,
  output logic [7:0]       w_o,

  // Shared multiplier (ExtMul): this cycle's operands out, their product back.
  output logic [7:0]       mul_a_o,
  output logic [7:0]       mul_w_o,
  input  logic [15:0]      prod_i
);

  logic [7:0]       w0_q, w0_d, w1_q, w1_d;
  logic [7:0]       a_q, a_d;
  logic             sel_q, sel_d;
  logic [SumW-1:0]  psum_q, psum_d;

  logic signed [7:0]  w_use;

  // sum: psum_i + a * w_use in SumW bits. SumW bits hold every partial sum of this row exactly
  // (see lpu_mxu_array), so this never wraps; the input's bits above SumW are copies of its
  // sign.
  logic [SumW-1:0] sum;

  assign mul_a_o = a_i;
  assign mul_w_o = w_use;

  if (ExtMul) begin : gen_mul_ext
    assign sum = psum_i[SumW-1:0] + {{(SumW-16){prod_i[15]}}, prod_i};
  end else if (UseDsp) begin : gen_mul_dsp
    logic signed [15:0] prod;
    assign prod = $signed(a_i) * w_use;
    assign sum  = psum_i[SumW-1:0] + {{(SumW-16){prod[15]}}, prod};
  end else begin : gen_mul_lut
    // Radix-4 Booth recoding of w: w = sum_{i<4} d_i * 4^i with
    // d_i = -2*w[2i+1] + w[2i] + w[2i-1] (w[-1] = 0), d_i in {-2, -1, 0, 1, 2}. Partial
    // product i is d_i * a, built as mag_i = |d_i| * a (a if one_i, 2a if two_i, else 0; 10
    // bits signed), inverted when w[2i+1] is set: ppn_i = d_i * a - neg_i, neg_i = w[2i+1]
    // (for d_i = 0 with neg_i = 1, ppn_i = -1). The missing +neg_i * 4^i go in as carry-ins:
    // neg_1..3 into the adder that adds partial product i (its lowest bit has weight 4^i),
    // neg_0 into the partial-sum adder.
    //   s1 = ppn_0 + 4 * (ppn_1 + neg_1)               in [-1281, 1280]   (12 bits)
    //   s2 = s1 + 16 * (ppn_2 + neg_2)                 in [-5377, 5376]   (14 bits)
    //   s3 = s2 + 64 * (ppn_3 + neg_3) = a * w - neg_0 in [-16385, 16384] (16 bits)
    //   sum = psum_i + s3 + neg_0
    // Each adder only covers the bits from its partial product's weight up, and s3 + neg_0
    // is exact in 16 bits, so sign-extending s3 before adding neg_0 is exact. keep stops Yosys
    // merging the chain into one multi-operand adder (which it maps to far more LUTs).
    //
    // The weights are stationary, so each buffer also registers its digits' {two, one}
    // (decoded from w_i as it loads, under the same enable as w0_q/w1_q); neg_i is a bit of
    // the raw weight.
    logic [7:0]  dg_i, dg0_q, dg0_d, dg1_q, dg1_d, dg_use;  // {two[3:0], one[3:0]}
    logic [8:0]  wi_ext;
    logic [3:0]  neg;
    logic [39:0] ppn;
    (* keep *) logic [11:0] s1;
    (* keep *) logic [13:0] s2;
    (* keep *) logic [15:0] s3;

    assign wi_ext = {w_i, 1'b0};
    for (genvar i = 0; i < 4; i++) begin : gen_dec
      assign dg_i[i]   = wi_ext[2*i+1] ^ wi_ext[2*i];
      assign dg_i[4+i] = (wi_ext[2*i+2] & ~wi_ext[2*i+1] & ~wi_ext[2*i]) |
                         (~wi_ext[2*i+2] & wi_ext[2*i+1] & wi_ext[2*i]);
    end

    always_comb begin
      dg0_d = dg0_q;
      dg1_d = dg1_q;
      if (wld_en_i && !wld_buf_i) dg0_d = dg_i;
      if (wld_en_i &&  wld_buf_i) dg1_d = dg_i;
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        dg0_q <= '0;
        dg1_q <= '0;
      end else begin
        dg0_q <= dg0_d;
        dg1_q <= dg1_d;
      end
    end

    assign dg_use = sel_i ? dg1_q : dg0_q;
    logic unused_w_even;  // the digits come from dg_use; only neg reads w_use
    assign unused_w_even = ^{w_use[6], w_use[4], w_use[2], w_use[0]};
    for (genvar i = 0; i < 4; i++) begin : gen_pp
      logic [9:0] mag;
      assign neg[i] = w_use[2*i+1];
      assign mag    = ({10{dg_use[i]}} & {{2{a_i[7]}}, a_i}) |
                      ({10{dg_use[4+i]}} & {a_i[7], a_i, 1'b0});
      assign ppn[10*i +: 10] = {10{neg[i]}} ^ mag;
    end

    assign s1[1:0]  = ppn[1:0];
    assign s1[11:2] = {{2{ppn[9]}}, ppn[9:2]} + ppn[19:10] + {9'd0, neg[1]};
    assign s2[3:0]  = s1[3:0];
    assign s2[13:4] = {{2{s1[11]}}, s1[11:4]} + ppn[29:20] + {9'd0, neg[2]};
    assign s3[5:0]  = s2[5:0];
    assign s3[15:6] = {{2{s2[13]}}, s2[13:6]} + ppn[39:30] + {9'd0, neg[3]};
    assign sum = psum_i[SumW-1:0] + {{(SumW-16){s3[15]}}, s3} + {{(SumW-1){1'b0}}, neg[0]};
  end

  always_comb begin
    w_use  = sel_i ? w1_q : w0_q;
    a_d    = en_i ? a_i : a_q;
    sel_d  = en_i ? sel_i : sel_q;
    psum_d = en_i ? sum : psum_q;

    w0_d = w0_q;
    w1_d = w1_q;
    if (wld_en_i && !wld_buf_i) w0_d = w_i;
    if (wld_en_i &&  wld_buf_i) w1_d = w_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w0_q   <= '0;
      w1_q   <= '0;
      a_q    <= '0;
      sel_q  <= 1'b0;
      psum_q <= '0;
    end else begin
      w0_q   <= w0_d;
      w1_q   <= w1_d;
      a_q    <= a_d;
      sel_q  <= sel_d;
      psum_q <= psum_d;
    end
  end

  assign a_o    = a_q;
  assign sel_o  = sel_q;
  assign psum_o = {{(PsumW-SumW){psum_q[SumW-1]}}, psum_q};

  if (!ExtMul) begin : gen_no_ext
    logic unused_prod;
    assign unused_prod = ^prod_i;
  end

  if (SumW < PsumW) begin : gen_narrow
    logic unused_psum_hi;
    assign unused_psum_hi = ^psum_i[PsumW-1:SumW];
  end
  assign w_o    = wld_buf_i ? w1_q : w0_q;

`ifndef SYNTHESIS
  initial begin
    if (SumW < 16 || SumW > PsumW) $fatal(1, "lpu_mxu_pe: SumW must be 16..PsumW");
  end
`endif

endmodule
