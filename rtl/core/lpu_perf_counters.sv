// Performance counters (isa/lpu_isa.toml [[counter]], order of lpu_isa_pkg::CNT_*): 64-bit
// each, cleared at the start of a run, advanced only in run cycles so they freeze when the
// run ends. Each counter adds a 4-bit increment per cycle (several SRAM ports may read in one
// cycle). Read combinationally by index.
//
// The counters have no asynchronous reset: they are cleared synchronously, at a start and in
// the first cycle after reset (init_q). The FPGA flip-flops then take the clear as their
// synchronous reset and the run enable as their clock enable, instead of spending a LUT per
// bit on the clear multiplexer (768 LUTs on both targets).
module lpu_perf_counters #(
  parameter int unsigned NumCnt = lpu_isa_pkg::NUM_COUNTERS
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              clear_i,
  input  logic              en_i,
  input  logic [NumCnt*4-1:0] inc_i,
  input  logic [3:0]        sel_i,
  output logic [63:0]       rdata_o,
  output logic [63:0]       cycles_o   // counter CNT_CYCLES: the current run cycle number
);

  logic [63:0] cnt_q [NumCnt];
  logic [63:0] cnt_d [NumCnt];
  logic        init_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) init_q <= 1'b1;
    else         init_q <= 1'b0;
  end

  always_comb begin
    for (int unsigned i = 0; i < NumCnt; i++) begin
      cnt_d[i] = cnt_q[i];
      if (clear_i || init_q) begin
        cnt_d[i] = '0;
      end else if (en_i) begin
        cnt_d[i] = cnt_q[i] + 64'(inc_i[4*i +: 4]);
      end
    end
  end

  always_ff @(posedge clk_i) begin
    for (int unsigned i = 0; i < NumCnt; i++) cnt_q[i] <= cnt_d[i];
  end

  assign rdata_o  = (32'(sel_i) < NumCnt) ? cnt_q[sel_i] : 64'd0;
  assign cycles_o = cnt_q[lpu_isa_pkg::CNT_CYCLES];

endmodule
