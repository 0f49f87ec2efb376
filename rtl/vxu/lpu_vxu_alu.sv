// Element-wise and lane operations of the vector pipeline, combinational (stage t+1).
// op_i is the instruction's opcode (lpu_isa_pkg::OP_*); b_i is operand B already resolved
// from bmode (vector, broadcast scalar or broadcast immediate). Loads format the SRAM or
// accumulator data that arrive in this stage. Opcodes handled elsewhere (multiplies, table,
// reductions) give 0 here. Arithmetic as in docs/isa.md "Arithmetic details".
module lpu_vxu_alu #(
  parameter int unsigned Lanes = lpu_isa_pkg::CFG_BASE_LANES,
  localparam int unsigned Lw = $clog2(Lanes)
) (
  input  logic [7:0]          op_i,
  input  logic [Lanes*32-1:0] a_i,
  input  logic [Lanes*32-1:0] b_i,
  input  logic [15:0]         imm16_i,
  input  logic [15:0]         hi16_i,
  input  logic [Lw-1:0]       lane_i,      // sh field, vbcast lane
  input  logic [Lanes*8-1:0]  sram_data_i,
  input  logic [Lanes*32-1:0] acc_data_i,
  output logic [Lanes*32-1:0] res_o
);

  // Lane crossbar for vrot / vshift / vbcast: one source lane (or zero) per output lane.
  logic signed [31:0] imm_s, hi_s;
  assign imm_s = 32'(signed'(imm16_i));
  assign hi_s  = 32'(signed'(hi16_i));

  logic [Lanes*32-1:0] xbar;

  for (genvar l = 0; l < Lanes; l++) begin : gen_xbar
    logic signed [31:0] pos;     // l + imm16 for vrot / vshift
    logic [Lw-1:0]      src;
    logic               zero;
    assign pos = signed'(32'(l)) + imm_s;
    always_comb begin
      src  = pos[Lw-1:0];  // vrot: (l + imm16) mod Lanes, non-negative (Lanes a power of two)
      zero = 1'b0;
      case (op_i)
        lpu_isa_pkg::OP_VSHIFT: zero = (pos < 0) || (pos >= signed'(32'(Lanes)));
        lpu_isa_pkg::OP_VBCAST: src = lane_i;
        default: ;
      endcase
    end
    assign xbar[l*32 +: 32] = zero ? 32'h0 : a_i[32*src +: 32];
  end

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    logic signed [31:0] a, b, lo_clamped;
    logic [7:0]         byte_in;
    assign a       = signed'(a_i[l*32 +: 32]);
    assign b       = signed'(b_i[l*32 +: 32]);
    assign byte_in = sram_data_i[l*8 +: 8];
    assign lo_clamped = (a < imm_s) ? imm_s : a;

    always_comb begin
      res_o[l*32 +: 32] = 32'h0;
      case (op_i)
        lpu_isa_pkg::OP_VLD,
        lpu_isa_pkg::OP_VGATHER: res_o[l*32 +: 32] = 32'(signed'(byte_in));
        lpu_isa_pkg::OP_VLDU:    res_o[l*32 +: 32] = {24'h0, byte_in};
        lpu_isa_pkg::OP_VLDA:    res_o[l*32 +: 32] = acc_data_i[l*32 +: 32];
        lpu_isa_pkg::OP_VADD:    res_o[l*32 +: 32] = a + b;
        lpu_isa_pkg::OP_VSUB:    res_o[l*32 +: 32] = a - b;
        lpu_isa_pkg::OP_VMIN:    res_o[l*32 +: 32] = (a < b) ? a : b;
        lpu_isa_pkg::OP_VMAX:    res_o[l*32 +: 32] = (a > b) ? a : b;
        lpu_isa_pkg::OP_VAND:    res_o[l*32 +: 32] = a & b;
        lpu_isa_pkg::OP_VOR:     res_o[l*32 +: 32] = a | b;
        lpu_isa_pkg::OP_VXOR:    res_o[l*32 +: 32] = a ^ b;
        lpu_isa_pkg::OP_VSHL:    res_o[l*32 +: 32] = a << b[4:0];
        lpu_isa_pkg::OP_VSRA:    res_o[l*32 +: 32] = a >>> b[4:0];
        lpu_isa_pkg::OP_VSRL:    res_o[l*32 +: 32] = unsigned'(a) >> b[4:0];
        lpu_isa_pkg::OP_VCEQ:    res_o[l*32 +: 32] = {31'h0, a == b};
        lpu_isa_pkg::OP_VCLT:    res_o[l*32 +: 32] = {31'h0, a < b};
        lpu_isa_pkg::OP_VMOV:    res_o[l*32 +: 32] = b;
        lpu_isa_pkg::OP_VRELU:   res_o[l*32 +: 32] = a[31] ? 32'h0 : a;
        lpu_isa_pkg::OP_VCLAMP:  res_o[l*32 +: 32] = (lo_clamped > hi_s) ? hi_s : lo_clamped;
        lpu_isa_pkg::OP_VLID:    res_o[l*32 +: 32] = 32'(l);
        lpu_isa_pkg::OP_VROT,
        lpu_isa_pkg::OP_VSHIFT,
        lpu_isa_pkg::OP_VBCAST:  res_o[l*32 +: 32] = xbar[l*32 +: 32];
        default: ;
      endcase
    end
  end

endmodule
