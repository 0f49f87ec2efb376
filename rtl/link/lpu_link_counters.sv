// Status and error counters of the link PHY (docs/link.md "Training"): NumCnt saturating
// counters of CntWidth bits, counter i at cnt_o[i*CntWidth +: CntWidth], each advanced by
// inc_i[i*IncW +: IncW] per cycle (several lanes can report an error in the same cycle).
// They count from reset and are never cleared: the host reads differences.
module lpu_link_counters #(
  parameter int unsigned NumCnt   = 1,
  parameter int unsigned CntWidth = 16,
  parameter int unsigned IncW     = 3
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic [NumCnt*IncW-1:0]     inc_i,
  output logic [NumCnt*CntWidth-1:0] cnt_o
);

  localparam int unsigned SumW = CntWidth + 1;

  for (genvar i = 0; i < NumCnt; i++) begin : gen_cnt
    logic [CntWidth-1:0] cnt_q, cnt_d;
    logic [CntWidth:0]   sum;

    always_comb begin
      sum   = {1'b0, cnt_q} + SumW'(inc_i[i*IncW +: IncW]);
      cnt_d = sum[CntWidth] ? '1 : sum[CntWidth-1:0];
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        cnt_q <= '0;
      end else begin
        cnt_q <= cnt_d;
      end
    end

    assign cnt_o[i*CntWidth +: CntWidth] = cnt_q;
  end

endmodule
