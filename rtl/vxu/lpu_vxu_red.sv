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
  localparam int unsigned Group = Lanes / Parts;

  // One signed compare serves max and min (ties pick either: they are equal).
  function automatic logic [31:0] combine(input logic [1:0] kind, input logic [31:0] x,
                                          input logic [31:0] y);
    logic        x_gt;
    logic [31:0] r;
    x_gt = signed'(x) > signed'(y);
    case (kind)
      KIND_MAX: r = x_gt ? x : y;
      KIND_MIN: r = x_gt ? y : x;
      default:  r = x + y;  // KIND_SUM
    endcase
    combine = r;
  endfunction

  // Stage 1: in-place pairwise trees inside each aligned group of Group lanes.
  logic [Lanes-1:0][31:0] tree1;
  always_comb begin
    for (int unsigned l = 0; l < Lanes; l++) tree1[l] = a_i[l*32 +: 32];
    for (int unsigned step = 1; step < Group; step = step * 2) begin
      for (int unsigned l = 0; l + step < Lanes; l = l + 2 * step) begin
        tree1[l] = combine(kind_s1, tree1[l], tree1[l+step]);
      end
    end
  end

  logic [Parts-1:0][31:0] part_q;
  logic [1:0]  kind_q;
  always_ff @(posedge clk_i) begin
    for (int unsigned g = 0; g < Parts; g++) part_q[g] <= tree1[g*Group];
    kind_q <= kind_s1;
  end

  // Stage 2: tree over the partials.
  logic [Parts-1:0][31:0] tree2;
  always_comb begin
    for (int unsigned g = 0; g < Parts; g++) tree2[g] = part_q[g];
    for (int unsigned step = 1; step < Parts; step = step * 2) begin
      for (int unsigned g = 0; g + step < Parts; g = g + 2 * step) begin
        tree2[g] = combine(kind_q, tree2[g], tree2[g+step]);
      end
    end
  end

  assign res_o = {Lanes{tree2[0]}};

endmodule
