// Pipelined per-lane 32x32 signed multiplier with rounding shift and saturation, for vmul,
// vmulsh and vrq (docs/isa.md "Arithmetic details"). A fixed-latency datapath without
// flow control: operands enter in stage 1 (the cycle after issue) and the result leaves in
// stage 3, every cycle.
//
//   stage 1: four 17x17 signed partial products per lane (one 18x18 DSP each), registered
//   stage 2: 64-bit product p; the coarse part (a multiple of 8) of the shift, registered
//   stage 3: fine shift, round, saturate (combinational output)
//
// Rounding. round_shift(p, sh) = (p + 2^(sh-1)) >> sh (sh >= 1) = floor(u / 2) + u[0] with
// u = (2p) >> sh = p >> (sh-1); for sh = 0, u = 2p and the same formula gives p. So one
// arithmetic right shift of the 65-bit value 2p by sh (0..63) serves every case, and no
// 65-bit sum is needed. Only u[32:0] and "u fits in 33 bits" are kept: x = floor(u/2) +
// u[0] fits in int32 exactly when u fits in int33 and u != 2^32 - 1, and fits in int8 when
// in addition u[32:8] are all equal and u != 255.
//
// op_i selects: OP_VMUL low 32 bits of p (computed as the sh = 0 case); OP_VMULSH
// saturate_int32(round_shift(p, sh)); OP_VRQ saturate_int8(...) sign-extended to 32 bits.
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
  logic [5:0] sh_s1;
  always_comb begin
    case (op_i)
      lpu_isa_pkg::OP_VMULSH: mode_s1 = MODE_SAT32;
      lpu_isa_pkg::OP_VRQ:    mode_s1 = MODE_SAT8;
      default:                mode_s1 = MODE_LO;
    endcase
  end
  assign sh_s1 = (mode_s1 == MODE_LO) ? 6'd0 : sh_i;

  logic [2:0] coarse_s2_q, fine_s2_q, fine_s3_q;
  logic [1:0] mode_s2_q, mode_s3_q;
  always_ff @(posedge clk_i) begin
    coarse_s2_q <= sh_s1[5:3];
    fine_s2_q   <= sh_s1[2:0];
    mode_s2_q   <= mode_s1;
    fine_s3_q   <= fine_s2_q;
    mode_s3_q   <= mode_s2_q;
  end

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    // Stage 1: a = ah*2^16 + al with al unsigned, ah signed (same for b).
    logic signed [16:0] al, ah, bl, bh;
    logic signed [33:0] pll_d, plh_d, phl_d, phh_d;
    logic        [31:0] pll_q, phh_q;  // pll < 2^32, |phh| <= 2^30
    logic signed [33:0] plh_q, phl_q;
    logic               unused_pp_hi;
    assign al = signed'({1'b0, a_i[l*32 +: 16]});
    assign ah = signed'({a_i[l*32+31], a_i[l*32+16 +: 16]});
    assign bl = signed'({1'b0, b_i[l*32 +: 16]});
    assign bh = signed'({b_i[l*32+31], b_i[l*32+16 +: 16]});
    assign pll_d = al * bl;
    assign plh_d = al * bh;
    assign phl_d = ah * bl;
    assign phh_d = ah * bh;
    assign unused_pp_hi = ^{pll_d[33:32], phh_d[33:32]};

    always_ff @(posedge clk_i) begin
      pll_q <= pll_d[31:0];
      plh_q <= plh_d;
      phl_q <= phl_d;
      phh_q <= phh_d[31:0];
    end

    // Stage 2: p = phh*2^32 + (plh + phl)*2^16 + pll ({phh, pll} is the exact sum of the
    // outer terms); v = 2p (65 bits) shifted right by 8 * coarse.
    logic signed [34:0] mid;
    logic signed [63:0] p;
    logic signed [64:0] v, vc_d, vc_q;
    assign mid  = 35'(plh_q) + 35'(phl_q);
    assign p    = signed'({phh_q, pll_q}) + (64'(mid) <<< 16);
    assign v    = {p, 1'b0};
    assign vc_d = v >>> {coarse_s2_q, 3'b000};

    always_ff @(posedge clk_i) begin
      vc_q <= vc_d;
    end

    // Stage 3: u = vc >>> fine; only u[32:0] and "u fits in 33 bits" are needed.
    logic [32:0] u;
    logic [7:0]  fits_at;   // fits_at[f]: vc[64:32+f] all equal, i.e. u fits in 33 bits
    logic        fits33, fits9, sign;
    logic [31:0] x;
    assign u = 33'(vc_q[39:0] >> fine_s3_q);
    for (genvar f = 0; f < 8; f++) begin : gen_fits
      assign fits_at[f] = (vc_q[64:32+f] == '0) || (vc_q[64:32+f] == '1);
    end
    assign fits33 = fits_at[fine_s3_q] && (u != 33'h0_ffff_ffff);
    assign fits9  = fits33 && ((u[32:8] == '0) || (u[32:8] == '1)) && (u != 33'h0_0000_00ff);
    assign sign   = vc_q[64];
    assign x      = u[32:1] + 32'(u[0]);

    always_comb begin
      case (mode_s3_q)
        MODE_SAT32: res_o[l*32 +: 32] = fits33 ? x : (sign ? 32'h8000_0000 : 32'h7fff_ffff);
        MODE_SAT8:  res_o[l*32 +: 32] = fits9 ? 32'(signed'(x[7:0])) :
                                        (sign ? 32'hffff_ff80 : 32'h0000_007f);
        default:    res_o[l*32 +: 32] = x;  // MODE_LO: sh = 0, x = p[31:0]
      endcase
    end
  end

endmodule
