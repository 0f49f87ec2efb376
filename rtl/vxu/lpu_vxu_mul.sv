// Pipelined per-lane 32x32 signed multiplier with rounding shift and saturation, for vmul,
// vmulsh and vrq (docs/isa.md "Arithmetic details"). A fixed-latency datapath without
// flow control: operands enter in stage 1 (the cycle after issue) and the result leaves in
// stage 3, every cycle.
//
//   stage 1: four 17x17 signed partial products per lane (one 18x18 DSP each), registered
//   stage 2: 64-bit product p; the coarse part of the shift (by a multiple of 8), registered
//   stage 3: fine shift, round, saturate (combinational output)
//
// round_shift(p, sh) for sh >= 1 is floor(p / 2^sh) + bit(p, sh-1): with u = p >>> (sh-1),
// it is (u >>> 1) + u[0], which cannot overflow (|p| <= 2^62), so no 65-bit sum is needed.
// op_i selects: OP_VMUL low 32 bits of p; OP_VMULSH saturate_int32(round_shift(p, sh));
// OP_VRQ saturate_int8(round_shift(p, sh)) sign-extended to 32 bits.
// The datapath registers are not reset: the pipeline's valid bits (in lpu_vxu) qualify them.
module lpu_vxu_mul #(
  parameter int unsigned Lanes = lpu_isa_pkg::CFG_BASE_LANES
) (
  input  logic                clk_i,
  input  logic [Lanes*32-1:0] a_i,      // stage 1
  input  logic [Lanes*32-1:0] b_i,      // stage 1
  input  logic [5:0]          sh_i,     // stage 1
  input  logic [7:0]          op_i,     // stage 1: opcode
  output logic [Lanes*32-1:0] res_o     // stage 3
);

  localparam logic [1:0] MODE_LO    = 2'd0;
  localparam logic [1:0] MODE_SAT32 = 2'd1;
  localparam logic [1:0] MODE_SAT8  = 2'd2;

  logic [1:0] mode_s1;
  always_comb begin
    case (op_i)
      lpu_isa_pkg::OP_VMULSH: mode_s1 = MODE_SAT32;
      lpu_isa_pkg::OP_VRQ:    mode_s1 = MODE_SAT8;
      default:                mode_s1 = MODE_LO;
    endcase
  end

  // Shift control, shared by all lanes. noshift: sh == 0 or MODE_LO (p passes unshifted).
  logic       noshift_s1;
  logic [5:0] shm1_s1;   // sh - 1
  assign noshift_s1 = (sh_i == 6'd0) || (mode_s1 == MODE_LO);
  assign shm1_s1    = sh_i - 6'd1;

  logic       noshift_s2_q, noshift_s3_q;
  logic [2:0] fine_s2_q, fine_s3_q;
  logic [2:0] coarse_s2_q;
  logic [1:0] mode_s2_q, mode_s3_q;

  always_ff @(posedge clk_i) begin
    noshift_s2_q <= noshift_s1;
    coarse_s2_q  <= noshift_s1 ? 3'd0 : shm1_s1[5:3];
    fine_s2_q    <= noshift_s1 ? 3'd0 : shm1_s1[2:0];
    mode_s2_q    <= mode_s1;
    noshift_s3_q <= noshift_s2_q;
    fine_s3_q    <= fine_s2_q;
    mode_s3_q    <= mode_s2_q;
  end

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    // Stage 1: a = ah*2^16 + al with al unsigned, ah signed (same for b).
    logic signed [16:0] al, ah, bl, bh;
    logic signed [33:0] pll_d, plh_d, phl_d, phh_d;
    logic        [31:0] pll_q, phh_q;  // pll < 2^32, |phh| <= 2^30
    logic signed [33:0] plh_q, phl_q;
    logic               unused_pp_hi;
    assign unused_pp_hi = ^{pll_d[33:32], phh_d[33:32]};
    assign al = signed'({1'b0, a_i[l*32 +: 16]});
    assign ah = signed'({a_i[l*32+31], a_i[l*32+16 +: 16]});
    assign bl = signed'({1'b0, b_i[l*32 +: 16]});
    assign bh = signed'({b_i[l*32+31], b_i[l*32+16 +: 16]});
    assign pll_d = al * bl;
    assign plh_d = al * bh;
    assign phl_d = ah * bl;
    assign phh_d = ah * bh;

    always_ff @(posedge clk_i) begin
      pll_q <= pll_d[31:0];
      plh_q <= plh_d;
      phl_q <= phl_d;
      phh_q <= phh_d[31:0];
    end

    // Stage 2: p = phh*2^32 + (plh + phl)*2^16 + pll. pll < 2^32 and |phh| <= 2^30, so
    // {phh, pll} is the exact sum of the outer terms.
    logic signed [34:0] mid;
    logic signed [63:0] p, u_coarse_d, u_coarse_q;
    assign mid = 35'(plh_q) + 35'(phl_q);
    assign p   = signed'({phh_q, pll_q}) + (64'(mid) <<< 16);
    assign u_coarse_d = p >>> {coarse_s2_q, 3'b000};

    always_ff @(posedge clk_i) begin
      u_coarse_q <= u_coarse_d;
    end

    // Stage 3: u = p >>> (sh-1); x = (u >>> 1) + u[0] (or p itself when not shifting).
    logic signed [63:0] u, q, x;
    logic               rbit;
    logic               fits32, fits8;
    assign u    = u_coarse_q >>> fine_s3_q;
    assign q    = noshift_s3_q ? u : (u >>> 1);
    assign rbit = noshift_s3_q ? 1'b0 : u[0];
    assign x    = q + 64'(rbit);
    assign fits32 = (x[63:31] == '0) || (x[63:31] == '1);
    assign fits8  = (x[63:7] == '0) || (x[63:7] == '1);

    always_comb begin
      case (mode_s3_q)
        MODE_SAT32: res_o[l*32 +: 32] = fits32 ? x[31:0] : (x[63] ? 32'h8000_0000 : 32'h7fff_ffff);
        MODE_SAT8:  res_o[l*32 +: 32] = fits8 ? 32'(signed'(x[7:0])) :
                                        (x[63] ? 32'hffff_ff80 : 32'h0000_007f);
        default:    res_o[l*32 +: 32] = x[31:0];  // MODE_LO
      endcase
    end
  end

endmodule
