// Formal properties of lpu_perf_counters (verif/formal/lpu_perf_counters.sby,
// docs/verification.md "Formal").
//
// One counter, chosen by the solver (anyconst j; the proof covers every j), is read through
// sel_i = j every cycle and compared with a reference counter written from the module's
// contract (docs/sequencer.md, isa/lpu_isa.toml [[counter]]): 64 bits; cleared by clear_i (a
// run start) and in the first cycle after reset; otherwise it adds its own 4-bit increment
// exactly in the cycles with en_i (run cycles) and holds in all others. A select beyond the
// counters reads 0; cycles_o is the CNT_CYCLES counter. Inputs are free after the reset.
module lpu_perf_counters_props #(
  parameter int unsigned NumCnt = lpu_isa_pkg::NUM_COUNTERS
) (
  input logic                clk_i,
  input logic                rst_ni,
  input logic                clear_i,
  input logic                en_i,
  input logic [NumCnt*4-1:0] inc_i
);

  (* anyconst *) logic [3:0] j;

  logic [63:0] rdata, cycles;

  lpu_perf_counters #(
    .NumCnt (NumCnt)
  ) u_dut (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (clear_i),
    .en_i     (en_i),
    .inc_i    (inc_i),
    .sel_i    (j),
    .rdata_o  (rdata),
    .cycles_o (cycles)
  );

  initial assume (!rst_ni);

  // Reference counter j (0 when j is not a counter).
  logic        after_rst_q;  // this is the first cycle after a reset
  logic [63:0] ref_q;
  logic [3:0]  ref_inc;

  always_comb begin
    ref_inc = 4'd0;
    for (int unsigned i = 0; i < NumCnt; i++) begin
      if (32'(j) == i) ref_inc = inc_i[4*i +: 4];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      after_rst_q <= 1'b1;
      ref_q       <= 64'd0;
    end else begin
      after_rst_q <= 1'b0;
      if (clear_i || after_rst_q) ref_q <= 64'd0;
      else if (en_i)              ref_q <= ref_q + 64'(ref_inc);
    end
  end

  // In a reset cycle the counters are not defined yet (no reset: cleared at the next edge).
  always_comb begin
    if (rst_ni) begin
      assert (rdata == ((32'(j) < NumCnt) ? ref_q : 64'd0));
      if (32'(j) == lpu_isa_pkg::CNT_CYCLES) assert (cycles == ref_q);
    end
  end

  // Not vacuous: a counter (and the cycles counter) is seen counting past a clear.
  logic cleared_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)      cleared_q <= 1'b0;
    else if (clear_i) cleared_q <= 1'b1;
  end
  always_comb begin
    cover (rst_ni && cleared_q && 32'(j) < NumCnt && rdata > 64'd20);
    cover (rst_ni && cleared_q && 32'(j) == lpu_isa_pkg::CNT_CYCLES && cycles == 64'd3);
  end

endmodule
