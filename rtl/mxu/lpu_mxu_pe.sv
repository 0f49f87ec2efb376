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
// multiplier) or an explicit shift-and-add of partial products (always LUTs), so that an
// array larger than the device's DSP count can put some rows in LUTs (lpu_mxu DspRows).
//
// Fixed-latency datapath: no valid/ready.
module lpu_mxu_pe #(
  parameter int unsigned PsumW  = 20,
  // Bits that can be non-redundant in this PE's partial sum (<= PsumW): the sum is computed
  // and registered in SumW bits and sign-extended to PsumW (lpu_mxu_array gives PE row p
  // 16 + clog2(p+1) bits, enough for p+1 products of int8 x int8).
  parameter int unsigned SumW   = PsumW,
  parameter bit          UseDsp = 1'b1
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
  output logic [7:0]       w_o
);

  logic [7:0]       w0_q, w0_d, w1_q, w1_d;
  logic [7:0]       a_q, a_d;
  logic             sel_q, sel_d;
  logic [SumW-1:0]  psum_q, psum_d;

  logic signed [7:0]  w_use;
  logic signed [15:0] prod;

  if (UseDsp) begin : gen_mul_dsp
    assign prod = $signed(a_i) * w_use;
  end else begin : gen_mul_lut
    // Two's complement w = -w[7]*2^7 + sum_{k<7} w[k]*2^k: add the shifted activation for
    // every set bit, subtract it for the sign bit (exact in 16 bits).
    logic signed [15:0] a_ext;
    logic signed [15:0] acc;
    assign a_ext = {{8{a_i[7]}}, a_i};
    always_comb begin
      acc = '0;
      for (int unsigned k = 0; k < 7; k++) begin
        if (w_use[k]) acc = acc + (a_ext <<< k);
      end
      if (w_use[7]) acc = acc - (a_ext <<< 7);
    end
    assign prod = acc;
  end

  always_comb begin
    w_use  = sel_i ? w1_q : w0_q;
    a_d    = en_i ? a_i : a_q;
    sel_d  = en_i ? sel_i : sel_q;
    // SumW bits hold every partial sum of this row exactly (see lpu_mxu_array), so this never
    // wraps; the input's bits above SumW are copies of its sign.
    psum_d = en_i ? psum_i[SumW-1:0] + {{(SumW-16){prod[15]}}, prod} : psum_q;

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
