// Lane reductions (vredsum wrapping, vredmax / vredmin signed) in two pipeline stages, the
// result broadcast to every lane. Stage 1 (input, the cycle after issue) reduces groups of
// Lanes/Parts lanes with a balanced tree and registers Parts partial results; stage 2
// (output) reduces the partials. Fixed latency, no flow control; the datapath registers are
// not reset (the pipeline's valid bits qualify them).
module lpu_vxu_red #(
  parameter int unsigned Lanes = lpu_isa_pkg::CFG_BASE_LANES
) (
  input  logic                clk_i,
  input  logic [7:0]          op_i,     // stage 1: OP_VREDSUM, OP_VREDMAX or OP_VREDMIN
  input  logic [Lanes*32-1:0] a_i,      // stage 1
  output logic [Lanes*32-1:0] res_o     // stage 2
);

  localparam logic [1:0] KIND_SUM = 2'd0;
  localparam logic [1:0] KIND_MAX = 2'd1;
  localparam logic [1:0] KIND_MIN = 2'd2;

  logic [1:0] kind_s1;
  always_comb begin
    case (op_i)
      lpu_isa_pkg::OP_VREDMAX: kind_s1 = KIND_MAX;
      lpu_isa_pkg::OP_VREDMIN: kind_s1 = KIND_MIN;
      default:                 kind_s1 = KIND_SUM;
    endcase
  end

  localparam int unsigned Parts = (Lanes >= 4) ? 4 : Lanes;  // partial results after stage 1

  // The sum and the max/min reduce in separate trees, one adder per node for the sum and one
  // signed compare plus a 2:1 choice per node for max/min (min picks the smaller: the
  // compare's sense flipped; ties pick either, they are equal). The kind selects at the end.
  function automatic logic [31:0] pick(input logic is_min, input logic [31:0] x,
                                       input logic [31:0] y);
    logic x_gt;  // y - x < 0 (33 bits: no overflow); one carry chain, no LUTs
    x_gt = 1'(({y[31], y} - {x[31], x}) >> 32);
    pick = (x_gt ^ is_min) ? x : y;
  endfunction

  // The trees are heaps: node i has the children 2i+1 and 2i+2, lane l is leaf Lanes-1+l,
  // so node Parts-1+g is the reduction of group g (its Lanes/Parts lanes). The sum
  // nodes are kept as wires so that Yosys builds one carry chain per adder instead of merging
  // each tree into a multi-operand adder of LUT full adders.
  localparam int unsigned N1 = 2 * Lanes - 1;
  localparam int unsigned N2 = 2 * Parts - 1;

  // Stage 1: the nodes below the Parts group roots.
  (* keep *) logic [N1-1:0][31:0] sum1 /*verilator split_var*/;
  logic [N1-1:0][31:0] mm1 /*verilator split_var*/;
  for (genvar l = 0; l < Lanes; l++) begin : gen_leaf
    assign sum1[Lanes-1+l] = a_i[l*32 +: 32];
    assign mm1[Lanes-1+l]  = a_i[l*32 +: 32];
  end
  for (genvar i = Parts - 1; i < Lanes - 1; i++) begin : gen_node1
    assign sum1[i] = sum1[2*i+1] + sum1[2*i+2];
    assign mm1[i]  = pick(kind_s1 == KIND_MIN, mm1[2*i+1], mm1[2*i+2]);
  end

  logic [Parts-1:0][31:0] sum_q, mm_q;
  logic [1:0]  kind_q;
  for (genvar g = 0; g < Parts; g++) begin : gen_part_q
    always_ff @(posedge clk_i) begin
      sum_q[g] <= sum1[Parts-1+g];
      mm_q[g]  <= mm1[Parts-1+g];
    end
  end
  always_ff @(posedge clk_i) kind_q <= kind_s1;

  // Stage 2: the nodes above.
  (* keep *) logic [N2-1:0][31:0] sum2 /*verilator split_var*/;
  logic [N2-1:0][31:0] mm2 /*verilator split_var*/;
  for (genvar g = 0; g < Parts; g++) begin : gen_part
    assign sum2[Parts-1+g] = sum_q[g];
    assign mm2[Parts-1+g]  = mm_q[g];
  end
  for (genvar i = 0; i < Parts - 1; i++) begin : gen_node2
    assign sum2[i] = sum2[2*i+1] + sum2[2*i+2];
    assign mm2[i]  = pick(kind_q == KIND_MIN, mm2[2*i+1], mm2[2*i+2]);
  end

  assign res_o = {Lanes{(kind_q == KIND_SUM) ? sum2[0] : mm2[0]}};

endmodule
