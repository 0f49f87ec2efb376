// Pipelined per-lane 32x32 multiplier with rounding shift and saturation, for vmul, vmulsh
// and vrq (docs/isa.md "Arithmetic details"), which also performs the shifts vshl, vsra and
// vsrl (a barrel shifter per lane would cost more LUTs than the DSP blocks that are there
// anyway). A fixed-latency datapath without flow control: operands enter in stage 1 (the
// cycle after issue), the result leaves in stage 3.
//
//   stage 1: the lane's shift k (below) and multiplier operands; four 17x17 signed partial
//            products per lane (one 18x18 DSP each), registered
//   stage 2: the 65-bit product v, shifted right by 32 and 16 as k says, registered
//   stage 3: shifts by 8, 4 and 2, round, saturate (combinational output)
//
// Rounding. round_shift(p, sh) = (p + 2^(sh-1)) >> sh (sh >= 1) = floor(u / 2) + u[0] with
// u = (2p) >> sh = p >> (sh-1); for sh = 0, u = 2p and the same formula gives p. So one
// arithmetic right shift of 2p by k = sh (0..63) serves every case, and no 65-bit sum is
// needed. The multiplier does the odd part of that shift: it multiplies by b' = b * 2^f
// with f = 1 - k[0] (b' fits the 33 bits that two 17-bit halves hold), so v = a * b' =
// p * 2^f and u = (2p) >> k = v >> (k & ~1): the shifter after it has five binary steps
// (32, 16, 8, 4, 2), each one 2:1 multiplexer per bit. Only u[32:0] is formed, plus the
// range checks, made on the unshifted bits with masks that depend on sh only (every lane of
// a vmulsh / vrq has k = sh): x = floor(u/2) + u[0] fits in int32 when u fits in int33
// (v[64:32+(sh&~1)] all equal) and u != 2^32 - 1, and in int8 when v[64:8+(sh&~1)] are all
// equal and u != 255; both exceptions are windows of ones in the shifter input.
//
// The shifts reuse the multiplier and the right shift with the lane's own k (s = b & 31):
//
//   op        multiplier operands             k                   result
//   vmul      a, b (signed)                   0                   x = floor(u/2) = p[31:0]
//   vmulsh    a, b (signed)                   sh                  saturate_int32(x + u[0])
//   vrq       a, b (signed)                   sh                  saturate_int8(x + u[0])
//   vshl      a, 2^30 (s < 31) or 2^31        30 - s, 0 (s = 31)  (a * 2^30) >> (30 - s)
//   vsra      a signed, 1                     s                   a >>> s
//   vsrl      a unsigned, 1                   s                   a >> s
//   For vshl by 31, b' = 2^32 reads as -2^32 in 33 bits; with k = 0 only the low 33 bits of
//   v count, which are the same. Unsigned operands are zero- rather than sign-extended into
//   the partial products.
// The datapath registers are not reset: the pipeline's valid bits (in lpu_vxu) qualify them.
//
// DspPump = 2 (an implementation choice): the four partial products of a lane take two DSP
// blocks on clk2x_i (twice clk_i, rising edges aligned), each forming two of them per cycle
// (lpu_dsp2x: al*bl and al*bh on one, ah*bl and ah*bh on the other). Stage 1 then has half
// a cycle from its operands to the first product's register. With DspPump = 1, clk2x_i and
// rst_ni are unused.
module lpu_vxu_mul #(
  parameter int unsigned Lanes   = lpu_isa_pkg::CFG_BASE_LANES,
  parameter int unsigned DspPump = 1
) (
  input  logic                clk_i,
  input  logic                clk2x_i,  // DspPump = 2: twice clk_i, rising edges aligned
  input  logic                rst_ni,   // DspPump = 2: lpu_dsp2x's phase registers
  input  logic [Lanes*32-1:0] a_i,      // stage 1
  input  logic [Lanes*32-1:0] b_i,      // stage 0
  input  logic [5:0]          sh_i,     // stage 0
  input  logic [7:0]          op_i,     // stage 0: opcode
  output logic [Lanes*32-1:0] res_o     // stage 3
);

  localparam logic [1:0] MODE_PLAIN = 2'd0;  // x = floor(u/2): vmul and the shifts
  localparam logic [1:0] MODE_SAT32 = 2'd1;
  localparam logic [1:0] MODE_SAT8  = 2'd2;

  // Stage 0 controls, shared by all lanes.
  logic [1:0] mode_s0;
  logic       a_signed, is_shl, is_shr, use_sh;
  always_comb begin
    mode_s0  = MODE_PLAIN;
    a_signed = 1'b1;
    is_shl   = 1'b0;
    is_shr   = 1'b0;
    use_sh   = 1'b0;
    case (op_i)
      lpu_isa_pkg::OP_VMULSH: begin
        mode_s0 = MODE_SAT32;
        use_sh  = 1'b1;
      end
      lpu_isa_pkg::OP_VRQ: begin
        mode_s0 = MODE_SAT8;
        use_sh  = 1'b1;
      end
      lpu_isa_pkg::OP_VSHL: is_shl = 1'b1;
      lpu_isa_pkg::OP_VSRA: is_shr = 1'b1;
      lpu_isa_pkg::OP_VSRL: begin
        a_signed = 1'b0;
        is_shr   = 1'b1;
      end
      default: ;
    endcase
  end

  logic       plain_b;  // operand b is the multiplier (not a shift amount)
  logic [5:0] sh_g;     // k of the multiplies: sh for vmulsh / vrq, else 0
  assign plain_b = !(is_shl || is_shr);
  assign sh_g    = use_sh ? sh_i : 6'd0;

  // Stages 2 and 3 need the global sh only for the range checks of vmulsh / vrq, whose
  // lanes all have k = sh. Stage 1 needs A's signedness.
  logic [5:1] sh_s1_q, sh_s2_q, sh_s3_q;
  logic [1:0] mode_s1_q, mode_s2_q, mode_s3_q;
  logic       a_signed_s1_q;
  always_ff @(posedge clk_i) begin
    sh_s1_q   <= sh_g[5:1];
    mode_s1_q <= mode_s0;
    a_signed_s1_q <= a_signed;
    sh_s2_q   <= sh_s1_q;
    mode_s2_q <= mode_s1_q;
    sh_s3_q   <= sh_s2_q;
    mode_s3_q <= mode_s2_q;
  end

  // Range-check masks (stage 3) over w = (v >>> 16*sh[5:4]): bit j of w must equal the
  // sign when j >= 32 + 2*sh[3:1] (int32) or j >= 8 + 2*sh[3:1] (int8); above w, the bits
  // v[63:47] (vtop) when sh < 16 and v[63] when sh < 32; all others copy the sign.
  logic [14:0] m32;
  logic [38:0] m8;
  logic        mh_all, mh_top;
  always_comb begin
    for (int unsigned i = 0; i < 15; i++) m32[i] = i >= 32'({sh_s3_q[3:1], 1'b0});
    for (int unsigned i = 0; i < 39; i++) m8[i] = i >= 32'({sh_s3_q[3:1], 1'b0});
  end
  assign mh_all = sh_s3_q[5:4] == 2'd0;
  assign mh_top = !sh_s3_q[5];

  // Windows of u[31:0] and u[7:0] in w (bits 2*sh[3:1] + i), for the two inputs whose
  // rounding overflows although they pass the range check: u = 2^32 - 1 and u = 255.
  logic [45:0] win32;
  logic [21:0] win8;
  always_comb begin
    for (int unsigned i = 0; i < 46; i++) begin
      win32[i] = i >= 32'({sh_s3_q[3:1], 1'b0}) && i < 32'({sh_s3_q[3:1], 1'b0}) + 32;
    end
    for (int unsigned i = 0; i < 22; i++) begin
      win8[i] = i >= 32'({sh_s3_q[3:1], 1'b0}) && i < 32'({sh_s3_q[3:1], 1'b0}) + 8;
    end
  end

  if (DspPump != 2) begin : gen_no_pump
    logic unused_pump;
    assign unused_pump = ^{clk2x_i, rst_ni};
  end

  logic rnd_s3, sat32_s3, sat8_s3;
  assign rnd_s3   = mode_s3_q != MODE_PLAIN;
  assign sat32_s3 = mode_s3_q == MODE_SAT32;
  assign sat8_s3  = mode_s3_q == MODE_SAT8;

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    // Stage 0: the lane's k, and the multiplier operand b' = B * 2^f (f = 1 - k[0]), where
    // B is b, or for the shifts 1, 2^30 or 2^31; registered. (a is the stage-1 operand.)
    logic [31:0] a, b;
    logic [4:0]  s, s_shl;
    logic        s31, f;
    logic [5:0]  k;
    logic [32:0] bb, bp;
    assign a   = a_i[l*32 +: 32];
    assign b   = b_i[l*32 +: 32];
    assign s   = b[4:0];
    assign s31 = s == 5'd31;
    assign s_shl = s31 ? 5'd0 : 5'd30 - s;
    always_comb begin
      k = sh_g;
      if (is_shl) k = {1'b0, s_shl};
      if (is_shr) k = {1'b0, s};
      bb = plain_b ? {b[31], b} : 33'h0;
      bb[0]  = plain_b ? b[0] : is_shr;
      bb[30] = plain_b ? b[30] : (is_shl && !s31);
      bb[31] = plain_b ? b[31] : (is_shl && s31);
    end
    assign f  = !k[0];
    assign bp = f ? {bb[31:0], 1'b0} : bb;

    logic [32:0] bp_s1_q;
    logic [5:1]  k_s1_q;
    always_ff @(posedge clk_i) begin
      bp_s1_q <= bp;
      k_s1_q  <= k[5:1];
    end

    // Stage 1: a = ah*2^16 + al with al unsigned, ah signed or unsigned; b' = bh*2^16 + bl
    // with bl unsigned, bh signed (b' = 2^32 of vshl by 31 reads as -2^32: see the header).
    logic signed [16:0] al, ah, bl, bh;
    logic signed [33:0] pll_d, plh_d, phl_d, phh_d;
    logic        [31:0] pll_q;         // al*bl < 2^32
    logic        [32:0] phh_q;         // needed modulo 2^33 only
    logic signed [32:0] plh_q, phl_q;  // |al*bh|, |ah*bl| < 2^32
    logic        [5:1]  k_s2_q;
    logic               unused_pp_hi;
    assign al = signed'({1'b0, a[15:0]});
    assign ah = signed'({a[31] & a_signed_s1_q, a[31:16]});
    assign bl = signed'({1'b0, bp_s1_q[15:0]});
    assign bh = signed'(bp_s1_q[32:16]);
    if (DspPump == 2) begin : gen_pump
      lpu_dsp2x #(
        .AW (17),
        .BW (17)
      ) u_dsp_l (
        .clk_i   (clk_i),
        .clk2x_i (clk2x_i),
        .rst_ni  (rst_ni),
        .a0_i    (al),
        .b0_i    (bl),
        .prod0_o (pll_d),
        .a1_i    (al),
        .b1_i    (bh),
        .prod1_o (plh_d)
      );
      lpu_dsp2x #(
        .AW (17),
        .BW (17)
      ) u_dsp_h (
        .clk_i   (clk_i),
        .clk2x_i (clk2x_i),
        .rst_ni  (rst_ni),
        .a0_i    (ah),
        .b0_i    (bl),
        .prod0_o (phl_d),
        .a1_i    (ah),
        .b1_i    (bh),
        .prod1_o (phh_d)
      );
    end else begin : gen_mul
      assign pll_d = al * bl;
      assign plh_d = al * bh;
      assign phl_d = ah * bl;
      assign phh_d = ah * bh;
    end
    assign unused_pp_hi = ^{pll_d[33:32], plh_d[33], phl_d[33], phh_d[33]};

    always_ff @(posedge clk_i) begin
      pll_q  <= pll_d[31:0];
      plh_q  <= plh_d[32:0];
      phl_q  <= phl_d[32:0];
      phh_q  <= phh_d[32:0];
      k_s2_q <= k_s1_q;
    end

    // Stage 2: v = a*b' = phh*2^32 + (plh + phl)*2^16 + pll (65 bits; {phh, pll} is the
    // exact sum of the outer terms), shifted right by 32*k[5] and 16*k[4] (binary steps, one
    // 2:1 multiplexer per bit and step, widest first). Kept: w, the 47 bits that the steps of
    // stage 3 need, and vtop = v[64:47] for the range check.
    logic signed [33:0] mid;
    logic        [64:0] v;
    logic        [62:0] v32;
    logic        [46:0] w_q;
    logic        [17:0] vtop_q;
    logic        [3:1]  k_s3_q;
    assign mid = 34'(plh_q) + 34'(phl_q);
    assign v   = {phh_q, pll_q} + {{15{mid[33]}}, mid, 16'h0};
    assign v32 = k_s2_q[5] ? {{30{v[64]}}, v[64:32]} : v[62:0];

    always_ff @(posedge clk_i) begin
      w_q    <= k_s2_q[4] ? v32[62:16] : v32[46:0];
      vtop_q <= v[64:47];
      k_s3_q <= k_s2_q[3:1];
    end

    // Stage 3: u = (v >>> (k & ~1))[32:0] in steps of 8, 4 and 2; x = floor(u/2) + u[0];
    // the range checks on w and vtop; saturation.
    logic [38:0] y8;
    logic [34:0] y4;
    logic [32:0] u;
    logic        sign, dh, fits_pre, fits9_pre, ones32, ones8, sat;
    logic [38:0] dw;
    logic [31:0] x, satval;
    assign y8 = k_s3_q[3] ? w_q[46:8] : w_q[38:0];
    assign y4 = k_s3_q[2] ? y8[38:4] : y8[34:0];
    assign u  = k_s3_q[1] ? y4[34:2] : y4[32:0];
    assign sign = vtop_q[17];
    assign dw   = w_q[46:8] ^ {39{sign}};
    assign dh   = (mh_all && |(vtop_q[15:0] ^ {16{sign}})) || (mh_top && (vtop_q[16] ^ sign));
    assign fits_pre  = !dh && !(|(dw[38:24] & m32));
    assign fits9_pre = !dh && !(|(dw & m8));
    assign x = u[32:1] + 32'(u[0] && rnd_s3);
    // In range, x overflows only for u = 2^32 - 1 (int32) or u = 255 (int8), both positive:
    // ones32 / ones8 say u[31:0] / u[7:0] are all ones.
    assign ones32 = &(w_q[45:0] | ~win32);
    assign ones8  = &(w_q[21:0] | ~win8);
    assign sat = (sat32_s3 && (!fits_pre || (!sign && ones32))) ||
                 (sat8_s3 && (!fits9_pre || (!sign && ones8)));
    always_comb begin
      satval = sign ? 32'h8000_0000 : 32'h7fff_ffff;
      if (sat8_s3) satval = sign ? 32'hffff_ff80 : 32'h0000_007f;
    end
    // In range, x is already the sign-extended int8 / the int32.
    assign res_o[l*32 +: 32] = sat ? satval : x;
  end

endmodule
