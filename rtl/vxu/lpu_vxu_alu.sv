// Element-wise operations of the vector pipeline, combinational (stage t+1).
// (The shifts and multiplies run in lpu_vxu_mul, the table in lpu_vxu_lut, the reductions
// in lpu_vxu_red; loads are selected in stage 2 by lpu_vxu.)
// op_i is the instruction's opcode (lpu_isa_pkg::OP_*); b_i is operand B already resolved
// from bmode (vector, broadcast scalar or broadcast immediate; for vclamp the caller passes
// the broadcast lower bound sext(imm16)). Lane operations come from lpu_vxu_lane. Opcodes
// handled elsewhere (loads, multiplies, table, reductions) give 0 here. Arithmetic as in
// docs/isa.md.
//
// Area: per lane one 33-bit adder serves vadd, vsub, vceq (a - b == 0), the signed compare
// of vmin, vmax, vclt and vclamp's lower bound, and vlut's index (sum_o); vclamp's upper
// bound is a 16-bit compare. (A separate 32-bit a == b for vceq cost Yosys/abc9 about half of
// this module's LUTs on ECP5, through the mapping of the result multiplexer around it.)
module lpu_vxu_alu #(
  parameter int unsigned Lanes = lpu_isa_pkg::CFG_BASE_LANES
) (
  input  logic [7:0]          op_i,
  input  logic [Lanes*32-1:0] a_i,
  input  logic [Lanes*32-1:0] b_i,
  input  logic [15:0]         imm16_i,
  input  logic [15:0]         hi16_i,
  input  logic [31:0]         bcast_i,     // vbcast: V[ra][sh], selected in stage 0
  output logic [Lanes*32-1:0] res_o,
  // Per lane the exact 33-bit a + b (a - b for the subtracting ops, vceq among them); for
  // vlut, whose b the caller makes sext(imm16), this is the table index before clamping.
  output logic [Lanes*33-1:0] sum_o
);

  // Result sources, decoded once for all lanes (one-hot: the result is an AND-OR of the
  // selected sources, which maps to fewer LUTs than a wide multiplexer per bit).
  logic sub;
  logic g_sum, g_and, g_or, g_xor, g_ceq, g_clt, g_min, g_max, g_mov, g_relu;
  logic g_clamp, g_lid, g_rot, g_shift, g_bcast;
  always_comb begin
    {g_sum, g_and, g_or, g_xor, g_ceq, g_clt, g_min, g_max, g_mov, g_relu} = '0;
    {g_clamp, g_lid, g_rot, g_shift, g_bcast} = '0;
    case (op_i)
      lpu_isa_pkg::OP_VADD,
      lpu_isa_pkg::OP_VSUB:    g_sum   = 1'b1;
      lpu_isa_pkg::OP_VMIN:    g_min   = 1'b1;
      lpu_isa_pkg::OP_VMAX:    g_max   = 1'b1;
      lpu_isa_pkg::OP_VAND:    g_and   = 1'b1;
      lpu_isa_pkg::OP_VOR:     g_or    = 1'b1;
      lpu_isa_pkg::OP_VXOR:    g_xor   = 1'b1;
      lpu_isa_pkg::OP_VCEQ:    g_ceq   = 1'b1;
      lpu_isa_pkg::OP_VCLT:    g_clt   = 1'b1;
      lpu_isa_pkg::OP_VMOV:    g_mov   = 1'b1;
      lpu_isa_pkg::OP_VRELU:   g_relu  = 1'b1;
      lpu_isa_pkg::OP_VCLAMP:  g_clamp = 1'b1;
      lpu_isa_pkg::OP_VLID:    g_lid   = 1'b1;
      lpu_isa_pkg::OP_VROT:    g_rot   = 1'b1;
      lpu_isa_pkg::OP_VSHIFT:  g_shift = 1'b1;
      lpu_isa_pkg::OP_VBCAST:  g_bcast = 1'b1;
      default: ;
    endcase
  end
  assign sub     = (op_i == lpu_isa_pkg::OP_VSUB) || g_ceq || g_min || g_max || g_clt || g_clamp;

  // vclamp with imm16 > hi16: every lane is hi16.
  logic               clamp_empty;
  logic signed [31:0] hi_s;
  assign clamp_empty = signed'(imm16_i) > signed'(hi16_i);
  assign hi_s        = 32'(signed'(hi16_i));

  logic [Lanes*32-1:0] rot;
  logic [Lanes-1:0]    keep;
  lpu_vxu_lane #(
    .Lanes(Lanes)
  ) u_lane (
    .a_i    (a_i),
    .imm16_i(imm16_i),
    .rot_o  (rot),
    .keep_o (keep)
  );

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    logic [31:0] a, b;
    assign a = a_i[l*32 +: 32];
    assign b = b_i[l*32 +: 32];

    // a + b, or a - b with the sign of the exact difference in bit 32 (a < b, signed).
    logic [31:0] bx;
    logic [32:0] sum;
    logic        lt;
    assign bx  = sub ? ~b : b;
    assign sum = {a[31], a} + {bx[31], bx} + 33'(sub);
    assign lt  = sum[32];
    assign sum_o[l*33 +: 33] = sum;

    // a > hi16 (signed): decided by the high bits unless a fits in 16 bits.
    logic above_hi;
    always_comb begin
      if (!a[31] && (a[30:15] != '0))     above_hi = 1'b1;   // a >= 2^15
      else if (a[31] && (a[30:15] != '1)) above_hi = 1'b0;   // a < -2^15
      else                                above_hi = signed'(a[15:0]) > signed'(hi16_i);
    end

    // vmin, vmax and vclamp's lower bound give a or b, a when mm_a.
    logic mm, mm_a;
    assign mm   = g_min || g_max || (g_clamp && !clamp_empty && !above_hi);
    assign mm_a = g_min ? lt : !lt;

    // Every use of a and b (and, or, xor, vmov, vrelu and the choices above) through one
    // per-lane truth table on (a, b): ta = f(1, 0), tb = f(0, 1), tab = f(1, 1) (f(0, 0) = 0
    // for all of them).
    logic relu_a, ta, tb, tab;
    assign relu_a = g_relu && !a[31];
    assign ta     = g_or || g_xor || relu_a || (mm && mm_a);
    assign tb     = g_or || g_xor || g_mov || (mm && !mm_a);
    assign tab    = g_and || g_or || relu_a || g_mov || mm;

    logic pick_hi;
    assign pick_hi = g_clamp && (clamp_empty || above_hi);

    logic pick_rot;
    assign pick_rot = g_rot || (g_shift && keep[l]);

    // vceq: a == b exactly when the low 32 bits of a - b are 0 (the exact difference is
    // below 2^32 in magnitude).
    always_comb begin
      res_o[l*32 +: 32] = ({32{ta}}  & a & ~b)
                        | ({32{tb}}  & ~a & b)
                        | ({32{tab}} & a & b)
                        | ({32{pick_hi}} & hi_s)
                        | ({32{g_sum}}   & sum[31:0])
                        | ({32{pick_rot}} & rot[l*32 +: 32])
                        | ({32{g_bcast}} & bcast_i)
                        | ({32{g_lid}}   & 32'(l))
                        | {31'h0, (g_ceq && sum[31:0] == 32'h0) || (g_clt && lt)};
    end
  end

endmodule
