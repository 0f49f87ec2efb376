// Element-wise operations and loads of the vector pipeline, combinational (stage t+1).
// op_i is the instruction's opcode (lpu_isa_pkg::OP_*); b_i is operand B already resolved
// from bmode (vector, broadcast scalar or broadcast immediate; for vclamp the caller passes
// the broadcast lower bound sext(imm16)). Loads format the SRAM or accumulator data that
// arrive in this stage; lane operations come from lpu_vxu_lane. Opcodes handled elsewhere
// (multiplies, table, reductions) give 0 here. Arithmetic as in docs/isa.md.
//
// Area: per lane one 33-bit adder serves vadd, vsub and the signed compare of vmin, vmax,
// vclt and vclamp's lower bound; one right shifter serves vsra, vsrl and (on the
// bit-reversed operand) vshl; vclamp's upper bound is a 16-bit compare.
module lpu_vxu_alu #(
  parameter int unsigned Lanes = lpu_isa_pkg::CFG_BASE_LANES,
  localparam int unsigned Lw = $clog2(Lanes)
) (
  input  logic [7:0]          op_i,
  input  logic [Lanes*32-1:0] a_i,
  input  logic [Lanes*32-1:0] b_i,
  input  logic [15:0]         imm16_i,
  input  logic [15:0]         hi16_i,
  input  logic [Lw-1:0]       lane_i,      // sh field: vbcast lane
  input  logic [Lanes*8-1:0]  sram_data_i,
  input  logic [Lanes*32-1:0] acc_data_i,
  output logic [Lanes*32-1:0] res_o
);

  // Operation classes, shared by all lanes.
  logic sub, left, arith;
  assign sub   = (op_i == lpu_isa_pkg::OP_VSUB) || (op_i == lpu_isa_pkg::OP_VMIN) ||
                 (op_i == lpu_isa_pkg::OP_VMAX) || (op_i == lpu_isa_pkg::OP_VCLT) ||
                 (op_i == lpu_isa_pkg::OP_VCLAMP);
  assign left  = (op_i == lpu_isa_pkg::OP_VSHL);
  assign arith = (op_i == lpu_isa_pkg::OP_VSRA);

  // vclamp with imm16 > hi16: every lane is hi16.
  logic               clamp_empty;
  logic signed [31:0] hi_s;
  assign clamp_empty = signed'(imm16_i) > signed'(hi16_i);
  assign hi_s        = 32'(signed'(hi16_i));

  logic [Lanes*32-1:0] rot, shifted;
  logic [31:0]         bcast;
  lpu_vxu_lane #(
    .Lanes(Lanes)
  ) u_lane (
    .a_i    (a_i),
    .imm16_i(imm16_i),
    .lane_i (lane_i),
    .rot_o  (rot),
    .shift_o(shifted),
    .bcast_o(bcast)
  );

  function automatic logic [31:0] reverse(input logic [31:0] x);
    for (int unsigned i = 0; i < 32; i++) reverse[i] = x[31-i];
  endfunction

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    logic [31:0] a, b;
    logic [7:0]  byte_in;
    assign a       = a_i[l*32 +: 32];
    assign b       = b_i[l*32 +: 32];
    assign byte_in = sram_data_i[l*8 +: 8];

    // a + b, or a - b with the sign of the exact difference in bit 32 (a < b, signed).
    logic [31:0] bx;
    logic [32:0] sum;
    logic        lt;
    assign bx  = sub ? ~b : b;
    assign sum = {a[31], a} + {bx[31], bx} + 33'(sub);
    assign lt  = sum[32];

    // Right shift by b & 31 of a (vsra, vsrl) or of reversed a (vshl, reversed back).
    logic [31:0] sin, sr;
    logic [63:0] sext_in;
    assign sin     = left ? reverse(a) : a;
    assign sext_in = {{32{arith & a[31]}}, sin};
    assign sr      = 32'(sext_in >> b[4:0]);

    // a > hi16 (signed): decided by the high bits unless a fits in 16 bits.
    logic above_hi;
    always_comb begin
      if (!a[31] && (a[30:15] != '0))     above_hi = 1'b1;   // a >= 2^15
      else if (a[31] && (a[30:15] != '1)) above_hi = 1'b0;   // a < -2^15
      else                                above_hi = signed'(a[15:0]) > signed'(hi16_i);
    end

    always_comb begin
      res_o[l*32 +: 32] = 32'h0;
      case (op_i)
        lpu_isa_pkg::OP_VLD,
        lpu_isa_pkg::OP_VGATHER: res_o[l*32 +: 32] = 32'(signed'(byte_in));
        lpu_isa_pkg::OP_VLDU:    res_o[l*32 +: 32] = {24'h0, byte_in};
        lpu_isa_pkg::OP_VLDA:    res_o[l*32 +: 32] = acc_data_i[l*32 +: 32];
        lpu_isa_pkg::OP_VADD,
        lpu_isa_pkg::OP_VSUB:    res_o[l*32 +: 32] = sum[31:0];
        lpu_isa_pkg::OP_VMIN:    res_o[l*32 +: 32] = lt ? a : b;
        lpu_isa_pkg::OP_VMAX:    res_o[l*32 +: 32] = lt ? b : a;
        lpu_isa_pkg::OP_VAND:    res_o[l*32 +: 32] = a & b;
        lpu_isa_pkg::OP_VOR:     res_o[l*32 +: 32] = a | b;
        lpu_isa_pkg::OP_VXOR:    res_o[l*32 +: 32] = a ^ b;
        lpu_isa_pkg::OP_VSHL:    res_o[l*32 +: 32] = reverse(sr);
        lpu_isa_pkg::OP_VSRA,
        lpu_isa_pkg::OP_VSRL:    res_o[l*32 +: 32] = sr;
        lpu_isa_pkg::OP_VCEQ:    res_o[l*32 +: 32] = {31'h0, a == b};
        lpu_isa_pkg::OP_VCLT:    res_o[l*32 +: 32] = {31'h0, lt};
        lpu_isa_pkg::OP_VMOV:    res_o[l*32 +: 32] = b;
        lpu_isa_pkg::OP_VRELU:   res_o[l*32 +: 32] = a[31] ? 32'h0 : a;
        // min(max(a, lo), hi) with b = lo: hi when a > hi or lo > hi, else max(a, lo).
        lpu_isa_pkg::OP_VCLAMP:  res_o[l*32 +: 32] = (clamp_empty || above_hi) ? hi_s : (lt ? b : a);
        lpu_isa_pkg::OP_VLID:    res_o[l*32 +: 32] = 32'(l);
        lpu_isa_pkg::OP_VROT:    res_o[l*32 +: 32] = rot[l*32 +: 32];
        lpu_isa_pkg::OP_VSHIFT:  res_o[l*32 +: 32] = shifted[l*32 +: 32];
        lpu_isa_pkg::OP_VBCAST:  res_o[l*32 +: 32] = bcast;
        default: ;
      endcase
    end
  end

endmodule
