// Pipelined per-lane 32x32 multiplier with rounding shift and saturation, for vmul, vmulsh
// and vrq (docs/isa.md "Arithmetic details"), which also performs the shifts vshl, vsra and
// vsrl as multiplications by a power of two (a barrel shifter per lane would cost more LUTs
// than the DSP blocks that are there anyway). A fixed-latency datapath without flow
// control: operands enter in stage 1 (the cycle after issue), the result leaves in stage 3.
//
//   stage 1: multiplier operands; four 17x17 signed partial products per lane (one 18x18
//            DSP each), registered
//   stage 2: 64-bit product p; the coarse part (a multiple of 8) of the right shift of 2p,
//            registered
//   stage 3: fine shift, round, saturate (combinational output)
//
// Rounding. round_shift(p, sh) = (p + 2^(sh-1)) >> sh (sh >= 1) = floor(u / 2) + u[0] with
// u = (2p) >> sh = p >> (sh-1); for sh = 0, u = 2p and the same formula gives p. So one
// arithmetic right shift of the 65-bit value 2p by sh (0..63) serves every case, and no
// 65-bit sum is needed. Only u[32:0] and "u fits in 33 bits" are kept: x = floor(u/2) +
// u[0] fits in int32 exactly when u fits in int33 and u != 2^32 - 1, and in int8 when in
// addition u[32:8] are all equal and u != 255.
//
//   op        multiplier operands             shift of 2p   result
//   vmul      a, b (signed)                   0             x = p[31:0]
//   vmulsh    a, b (signed)                   sh            saturate_int32(floor(u/2) + u[0])
//   vrq       a, b (signed)                   sh            saturate_int8(...), sign-extended
//   vshl      a, 2^s (s = b & 31)             0             p[31:0] = a << s
//   vsra      a signed, 2^(32-s) (s != 0)     32            p[63:32] = a >>> s
//   vsrl      a unsigned, 2^(32-s) (s != 0)   32            p[63:32] = a >> s
//   (vsra/vsrl with s = 0 multiply by 1 with no shift.) Unsigned operands are zero- rather
//   than sign-extended into the partial products; 2^(32-s) <= 2^31 keeps every partial
//   product inside its register.
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

  localparam logic [1:0] MODE_PLAIN = 2'd0;  // x = floor(u/2): vmul and the shifts
  localparam logic [1:0] MODE_SAT32 = 2'd1;
  localparam logic [1:0] MODE_SAT8  = 2'd2;

  // Stage 1 controls, shared by all lanes.
  logic [1:0] mode_s1;
  logic       a_signed, b_signed, is_shl, is_shr, use_sh;
  always_comb begin
    mode_s1  = MODE_PLAIN;
    a_signed = 1'b1;
    b_signed = 1'b1;
    is_shl   = 1'b0;
    is_shr   = 1'b0;
    use_sh   = 1'b0;
    case (op_i)
      lpu_isa_pkg::OP_VMULSH: begin
        mode_s1 = MODE_SAT32;
        use_sh  = 1'b1;
      end
      lpu_isa_pkg::OP_VRQ: begin
        mode_s1 = MODE_SAT8;
        use_sh  = 1'b1;
      end
      lpu_isa_pkg::OP_VSHL: begin
        b_signed = 1'b0;
        is_shl   = 1'b1;
      end
      lpu_isa_pkg::OP_VSRA: begin
        b_signed = 1'b0;
        is_shr   = 1'b1;
      end
      lpu_isa_pkg::OP_VSRL: begin
        a_signed = 1'b0;
        b_signed = 1'b0;
        is_shr   = 1'b1;
      end
      default: ;
    endcase
  end

  logic [2:0] fine_s2_q, fine_s3_q;
  logic [5:0] sh_s2_q, sh_s3_q;
  logic [1:0] mode_s2_q, mode_s3_q;
  always_ff @(posedge clk_i) begin
    fine_s2_q <= use_sh ? sh_i[2:0] : 3'd0;
    sh_s2_q   <= use_sh ? sh_i : 6'd0;
    mode_s2_q <= mode_s1;
    fine_s3_q <= fine_s2_q;
    sh_s3_q   <= sh_s2_q;
    mode_s3_q <= mode_s2_q;
  end

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    // Stage 1: operands. For the shifts, b becomes a power of two.
    logic [31:0] a, b, bp;
    logic [4:0]  s;
    logic [2:0]  coarse_d, coarse_q;
    assign a = a_i[l*32 +: 32];
    assign b = b_i[l*32 +: 32];
    assign s = b[4:0];
    always_comb begin
      bp       = b;
      coarse_d = use_sh ? sh_i[5:3] : 3'd0;
      if (is_shl) begin
        bp = 32'h1 << s;
      end else if (is_shr) begin
        bp       = (s == 5'd0) ? 32'h1 : (32'h1 << (6'd32 - {1'b0, s}));
        coarse_d = (s == 5'd0) ? 3'd0 : 3'd4;  // take p[63:32]
      end
    end

    // a = ah*2^16 + al with al unsigned, ah signed or unsigned (same for b).
    logic signed [16:0] al, ah, bl, bh;
    logic signed [33:0] pll_d, plh_d, phl_d, phh_d;
    logic        [31:0] pll_q, phh_q;  // pll < 2^32; phh fits 32 bits (see the header)
    logic signed [33:0] plh_q, phl_q;
    logic               unused_pp_hi;
    assign al = signed'({1'b0, a[15:0]});
    assign ah = signed'({a[31] & a_signed, a[31:16]});
    assign bl = signed'({1'b0, bp[15:0]});
    assign bh = signed'({bp[31] & b_signed, bp[31:16]});
    assign pll_d = al * bl;
    assign plh_d = al * bh;
    assign phl_d = ah * bl;
    assign phh_d = ah * bh;
    assign unused_pp_hi = ^{pll_d[33:32], phh_d[33:32]};

    always_ff @(posedge clk_i) begin
      pll_q    <= pll_d[31:0];
      plh_q    <= plh_d;
      phl_q    <= phl_d;
      phh_q    <= phh_d[31:0];
      coarse_q <= coarse_d;
    end

    // Stage 2: p = phh*2^32 + (plh + phl)*2^16 + pll ({phh, pll} is the exact sum of the
    // outer terms); v = 2p (65 bits). Kept: bits [39:0] of v >>> (8 * coarse), and the top
    // bits v[64:32] for the range check.
    logic signed [34:0] mid;
    logic signed [63:0] p;
    logic signed [64:0] v, vc;
    logic        [39:0] vc_q;
    logic        [32:0] vtop_q;
    assign mid = 35'(plh_q) + 35'(phl_q);
    assign p   = signed'({phh_q, pll_q}) + (64'(mid) <<< 16);
    assign v   = {p, 1'b0};
    assign vc  = v >>> {coarse_q, 3'b000};

    logic unused_vc;
    assign unused_vc = ^vc[64:40];

    always_ff @(posedge clk_i) begin
      vc_q   <= vc[39:0];
      vtop_q <= v[64:32];
    end

    // Stage 3: u = v >>> sh; only u[32:0] and "u fits in 33 bits" (v[64:32+sh] all equal)
    // are needed.
    logic [32:0] u;
    logic        fits33, fits9, sign;
    logic [31:0] x;
    assign u    = 33'(vc_q >> fine_s3_q);
    assign sign = vtop_q[32];
    always_comb begin
      fits33 = 1'b1;
      for (int unsigned j = 0; j < 33; j++) begin
        if (j >= 32'(sh_s3_q) && vtop_q[j] != sign) fits33 = 1'b0;
      end
      if (u == 33'h0_ffff_ffff) fits33 = 1'b0;
    end
    assign fits9 = fits33 && ((u[32:8] == '0) || (u[32:8] == '1)) && (u != 33'h0_0000_00ff);
    assign x     = u[32:1] + 32'(u[0] && mode_s3_q != MODE_PLAIN);

    always_comb begin
      case (mode_s3_q)
        MODE_SAT32: res_o[l*32 +: 32] = fits33 ? x : (sign ? 32'h8000_0000 : 32'h7fff_ffff);
        MODE_SAT8:  res_o[l*32 +: 32] = fits9 ? 32'(signed'(x[7:0])) :
                                        (sign ? 32'hffff_ff80 : 32'h0000_007f);
        default:    res_o[l*32 +: 32] = x;  // vmul, shifts
      endcase
    end
  end

endmodule
