// Oversampling receiver / clock-data recovery (docs/link.md "Physical layer").
//
// rx_i is asynchronous (the far chip's clock): a 2-flop synchroniser, then the line is
// sampled once per cycle, Osr samples per bit nominal. An edge (a sample that differs from
// the previous one) marks sample 0 of a new bit; the bit is taken at sample Mid = Osr/2 after
// the last edge, and without edges the phase counter free-runs modulo Osr. Every edge thus
// re-centres the sampling point, which absorbs any frequency offset far beyond +-1000 ppm
// (8b/10b bounds runs to 5 bits, i.e. 5*Osr samples between edges). The true edge lies in
// the sample period before the one that shows it, so the bit is sampled Mid..Mid+1 samples
// after it: at Osr = 4 that is 2..3 of 4, at least one sample of margin on either side.
// Requires Osr >= 3.
//
// bit_valid_o/bit_o: registered, one pulse per recovered bit (on average every Osr cycles,
// at least Osr - Mid cycles apart).
module lpu_link_cdr #(
  parameter int unsigned Osr = 4
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic rx_i,
  output logic bit_valid_o,
  output logic bit_o
);

  localparam int unsigned PhW = (Osr > 1) ? $clog2(Osr) : 1;
  localparam logic [PhW-1:0] Mid  = PhW'(Osr / 2);
  localparam logic [PhW-1:0] Last = PhW'(Osr - 1);

  logic           sync1_q, sync2_q, prev_q;
  logic [PhW-1:0] ph_q, ph_d, ph_cur;
  logic           valid_q, valid_d, bit_q;

  always_comb begin
    ph_cur  = (sync2_q != prev_q) ? '0 : ph_q;
    valid_d = (ph_cur == Mid);
    ph_d    = (ph_cur == Last) ? '0 : ph_cur + 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sync1_q <= 1'b0;
      sync2_q <= 1'b0;
      prev_q  <= 1'b0;
      ph_q    <= '0;
      valid_q <= 1'b0;
      bit_q   <= 1'b0;
    end else begin
      sync1_q <= rx_i;
      sync2_q <= sync1_q;
      prev_q  <= sync2_q;
      ph_q    <= ph_d;
      valid_q <= valid_d;
      bit_q   <= sync2_q;
    end
  end

  assign bit_valid_o = valid_q;
  assign bit_o       = bit_q;

`ifndef SYNTHESIS
  initial begin
    if (Osr < 3) $fatal(1, "lpu_link_cdr: Osr must be >= 3");
  end
`endif

endmodule
