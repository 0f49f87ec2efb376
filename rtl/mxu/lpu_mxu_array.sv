// Lanes x Lanes weight-stationary systolic array (docs/mxu.md "lpu_mxu_array").
//
// PE row p (top = 0) works on activation lane L-1-p and holds weight row L-1-p; PE column j
// produces output j. An activation row presented at a_i in cycle s is skewed (PE row p gets
// its lane after p registers), flows right along each PE row, and the partial sums flow down
// the columns; column j's result is de-skewed by L-1-j registers, so y_o carries the whole
// row in cycle s + 2L - 1. The weight-buffer bit sel_i travels with the activations, so rows
// using different buffers can follow each other without a gap.
//
// Weight load step k (wld_en_i, wld_step_i = k): PE rows 0..k of buffer wld_buf_i shift down
// one row and PE row 0 takes wld_row_i. After steps 0..L-1 with weight rows 0..L-1, PE row p
// holds weight row L-1-p. PE row p changes first at step p, i.e. the load follows the
// wavefront of the last activation row down the array (the wbuf_release argument).
//
// The first DspPes PEs in row-major order (PE (p, j) is number p*Lanes + j) multiply with DSP
// blocks, the others with LUTs (lpu_mxu_pe UseDsp): whole rows and one partial row, so that
// every DSP block the device has left is used. With DspPump = 2 the DSP PEs go in pairs
// (p, 2k) and (p, 2k+1) that share one multiplier running on clk2x_i (lpu_dsp2x), so
// DspPes PEs use DspPes/2 DSP blocks; clk2x_i is unused with DspPump = 1.
//
// Fixed-latency datapath: no valid/ready. en_i low freezes the data path (not the loads).
module lpu_mxu_array #(
  parameter int unsigned Lanes   = 16,
  parameter int unsigned DspPes  = Lanes * Lanes,
  parameter int unsigned DspPump = 1
) (
  input  logic                       clk_i,
  input  logic                       clk2x_i,   // 2x clk_i, edges aligned (DspPump = 2 only)
  input  logic                       rst_ni,
  input  logic                       en_i,

  input  logic [Lanes*8-1:0]         a_i,
  input  logic                       sel_i,
  output logic [Lanes*32-1:0]        y_o,

  input  logic                       wld_en_i,
  input  logic                       wld_buf_i,
  input  logic [$clog2(Lanes)-1:0]   wld_step_i,
  input  logic [Lanes*8-1:0]         wld_row_i
);

  // |partial sum| <= Lanes * 128 * 128 = 2^(14 + clog2(Lanes)): PsumW bits hold every partial
  // sum exactly, and sign-extending the column result to 32 bits is exact. Below PE row p the
  // sum has p+1 terms, so 16 + clog2(p+1) bits hold it: each PE computes in that width
  // (SumW) and sign-extends.
  localparam int unsigned PsumW = 16 + $clog2(Lanes);

  // PE interconnect: a/sel enter at column 0 of each row, psum enters at row 0 of each column.
  logic [Lanes-1:0][Lanes:0][7:0]       a_w;     // [row][col]: input of PE(row, col)
  logic [Lanes-1:0][Lanes:0]            sel_w;
  logic [Lanes:0][Lanes-1:0][PsumW-1:0] psum_w;  // [row][col]: input of PE(row, col)
  logic [Lanes:0][Lanes-1:0][7:0]       w_w;     // [row][col]: weight into PE(row, col)
  logic [Lanes-1:0][Lanes-1:0][7:0]     mul_a_w, mul_w_w;  // [row][col]: PE operands
  logic [Lanes-1:0][Lanes-1:0][15:0]    prod_w;            // [row][col]: shared products

  // ---------------------------------------------------------------------------------------
  // Input skew: PE row p receives lane L-1-p (and the buffer bit) after p registers.
  // ---------------------------------------------------------------------------------------
  for (genvar p = 0; p < Lanes; p++) begin : gen_skew
    logic [8:0] row_in;
    assign row_in = {sel_i, a_i[(Lanes-1-p)*8 +: 8]};
    if (p == 0) begin : gen_direct
      assign a_w[p][0]   = row_in[7:0];
      assign sel_w[p][0] = row_in[8];
    end else begin : gen_delay
      // A p-stage shift register, flattened (Yosys cannot size packed 2-D arrays declared in
      // a generate scope): the newest entry at the bottom, the oldest at the top.
      logic [p*9-1:0] skew_q, skew_d;
      logic [p*9+8:0] skew_shifted;
      assign skew_shifted = {skew_q, row_in};
      assign skew_d = en_i ? skew_shifted[p*9-1:0] : skew_q;
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          skew_q <= '0;
        end else begin
          skew_q <= skew_d;
        end
      end
      assign a_w[p][0]   = skew_q[p*9-2 -: 8];
      assign sel_w[p][0] = skew_q[p*9-1];
      // The top entry of skew_shifted is skew_q's oldest, read directly above.
      logic unused_skew_top;
      assign unused_skew_top = ^skew_shifted[p*9+8 -: 9];
    end
  end

  // ---------------------------------------------------------------------------------------
  // The PE grid.
  // ---------------------------------------------------------------------------------------
  for (genvar j = 0; j < Lanes; j++) begin : gen_top
    assign psum_w[0][j] = '0;
    assign w_w[0][j]    = wld_row_i[j*8 +: 8];
  end

  for (genvar p = 0; p < Lanes; p++) begin : gen_row
    logic row_load;
    if (p == 0) begin : gen_load_first
      assign row_load = wld_en_i;  // row 0 takes part in every step
    end else begin : gen_load_rest
      assign row_load = wld_en_i && (32'(wld_step_i) >= p);
    end
    for (genvar j = 0; j < Lanes; j++) begin : gen_col
      lpu_mxu_pe #(
        .PsumW (PsumW),
        .SumW  (16 + $clog2(p + 1)),
        .UseDsp(p * Lanes + j < DspPes),
        .ExtMul(DspPump == 2 && p * Lanes + j < DspPes)
      ) u_pe (
        .clk_i    (clk_i),
        .rst_ni   (rst_ni),
        .en_i     (en_i),
        .a_i      (a_w[p][j]),
        .sel_i    (sel_w[p][j]),
        .psum_i   (psum_w[p][j]),
        .a_o      (a_w[p][j+1]),
        .sel_o    (sel_w[p][j+1]),
        .psum_o   (psum_w[p+1][j]),
        .wld_en_i (row_load),
        .wld_buf_i(wld_buf_i),
        .w_i      (w_w[p][j]),
        .w_o      (w_w[p+1][j]),
        .mul_a_o  (mul_a_w[p][j]),
        .mul_w_o  (mul_w_w[p][j]),
        .prod_i   (prod_w[p][j])
      );
    end
  end

  // ---------------------------------------------------------------------------------------
  // Shared multipliers (DspPump = 2): PEs (p, 2k) and (p, 2k+1) of the first DspPes.
  // ---------------------------------------------------------------------------------------
  if (DspPump == 2) begin : gen_pump
    // Toggles at every core edge: tells each lpu_dsp2x which half of the cycle it is in.
    logic tgl_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        tgl_q <= 1'b0;
      end else begin
        tgl_q <= !tgl_q;
      end
    end
    for (genvar p = 0; p < Lanes; p++) begin : gen_row
      for (genvar k = 0; k < Lanes / 2; k++) begin : gen_pair
        if (p * Lanes + 2 * k + 1 < DspPes) begin : gen_dsp
          lpu_dsp2x #(
            .AW (8),
            .BW (8)
          ) u_dsp (
            .clk2x_i (clk2x_i),
            .rst_ni  (rst_ni),
            .tgl_i   (tgl_q),
            .a0_i    (mul_a_w[p][2*k]),
            .b0_i    (mul_w_w[p][2*k]),
            .prod0_o (prod_w[p][2*k]),
            .a1_i    (mul_a_w[p][2*k+1]),
            .b1_i    (mul_w_w[p][2*k+1]),
            .prod1_o (prod_w[p][2*k+1])
          );
        end else begin : gen_none
          assign prod_w[p][2*k]   = '0;
          assign prod_w[p][2*k+1] = '0;
        end
      end
    end
  end else begin : gen_no_pump
    assign prod_w = '0;
    logic unused_clk2x;
    assign unused_clk2x = clk2x_i;
  end

  // ---------------------------------------------------------------------------------------
  // Output de-skew: column j waits L-1-j cycles for column L-1.
  // ---------------------------------------------------------------------------------------
  for (genvar j = 0; j < Lanes; j++) begin : gen_deskew
    logic [PsumW-1:0] col_out;
    if (j == Lanes - 1) begin : gen_direct
      assign col_out = psum_w[Lanes][j];
    end else begin : gen_delay
      localparam int unsigned N = Lanes - 1 - j;
      logic [N*PsumW-1:0]     dsk_q, dsk_d;
      logic [(N+1)*PsumW-1:0] dsk_shifted;
      assign dsk_shifted = {dsk_q, psum_w[Lanes][j]};
      assign dsk_d = en_i ? dsk_shifted[N*PsumW-1:0] : dsk_q;
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          dsk_q <= '0;
        end else begin
          dsk_q <= dsk_d;
        end
      end
      assign col_out = dsk_q[N*PsumW-1 -: PsumW];
      // The top entry of dsk_shifted is dsk_q's oldest, read directly above.
      logic unused_dsk_top;
      assign unused_dsk_top = ^dsk_shifted[(N+1)*PsumW-1 -: PsumW];
    end
    assign y_o[j*32 +: 32] = {{(32-PsumW){col_out[PsumW-1]}}, col_out};
  end

  // The last column's activations and buffer bits, and the last row's weights, leave the
  // array unused.
  logic unused_edges;
  always_comb begin
    unused_edges = 1'b0;
    for (int unsigned p = 0; p < Lanes; p++) begin
      unused_edges ^= ^a_w[p][Lanes] ^ sel_w[p][Lanes];
    end
    for (int unsigned j = 0; j < Lanes; j++) begin
      unused_edges ^= ^w_w[Lanes][j];
    end
  end

  // Operands of PEs with their own multiplier are not used outside them.
  logic unused_mul;
  assign unused_mul = ^{mul_a_w, mul_w_w};

`ifndef SYNTHESIS
  initial begin
    if (DspPump != 1 && DspPump != 2) $fatal(1, "lpu_mxu_array: DspPump must be 1 or 2");
    if (DspPes > Lanes * Lanes) $fatal(1, "lpu_mxu_array: DspPes exceeds Lanes*Lanes");
    if (DspPump == 2 && DspPes % 2 != 0) $fatal(1, "lpu_mxu_array: DspPes must be even when pumped");
  end
`endif

endmodule
