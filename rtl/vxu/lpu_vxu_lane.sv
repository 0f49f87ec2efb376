// Lane movement of the vector pipeline, combinational (stage t+1): vrot and vshift.
// (vbcast is the stage-0 lane select that also serves vext, broadcast by the ALU.)
//
//   vrot   vd[l] = va[(l + imm16) mod Lanes]   (non-negative modulus)
//   vshift vd[l] = va[l + imm16] if 0 <= l + imm16 < Lanes, else 0
//
// vrot and vshift share one rotator (more than 4 lanes: two steps of 4:1 multiplexers; else a
// barrel of 2:1 stages); keep_o tells vshift which lanes keep their rotated value (the others
// are zero).
module lpu_vxu_lane #(
  parameter int unsigned Lanes = lpu_isa_pkg::CFG_BASE_LANES,
  localparam int unsigned Lw = $clog2(Lanes)
) (
  input  logic [Lanes*32-1:0] a_i,
  input  logic [15:0]         imm16_i,
  output logic [Lanes*32-1:0] rot_o,     // vrot; vshift where keep_o
  output logic [Lanes-1:0]    keep_o     // vshift: 0 <= l + imm16 < Lanes
);

  // Rotate by k = imm16 mod Lanes (two's complement low bits: non-negative modulus).
  logic [Lw-1:0] k;
  assign k = imm16_i[Lw-1:0];

  if (Lanes > 4) begin : gen_rot_idx
    // Two indexed steps: first by the multiple of 4 in k, then by k mod 4 (a 4:1 multiplexer
    // per bit in each step). Yosys/abc9 maps this to far fewer ECP5 LUTs than log2(Lanes)
    // 2:1 stages, which it merges into wide LUTs (base: about 2.5k LUT4 instead of 5.1k).
    logic [Lw-1:0]       k_fine, k_coarse;
    logic [Lanes*32-1:0] coarse;  // lane l: a_i lane (l + k_coarse) mod Lanes
    assign k_fine   = k & Lw'(3);
    assign k_coarse = k & ~Lw'(3);
    for (genvar l = 0; l < Lanes; l++) begin : gen_lane
      logic [Lw-1:0] src_coarse, src_fine;
      assign src_coarse         = Lw'(l) + k_coarse;
      assign coarse[l*32 +: 32] = a_i[src_coarse*32 +: 32];
      assign src_fine           = Lw'(l) + k_fine;
      assign rot_o[l*32 +: 32]  = coarse[src_fine*32 +: 32];
    end
  end else begin : gen_rot_barrel
    // Barrel rotator, log2(Lanes) stages of 2:1 multiplexers (smaller for few lanes).
    always_comb begin
      rot_o = a_i;
      for (int unsigned s = 0; s < Lw; s++) begin
        // Lane l takes lane (l + 2^s) mod Lanes when bit s of k is set.
        if (k[s]) rot_o = (rot_o >> ((1 << s) * 32)) | (rot_o << ((Lanes - (1 << s)) * 32));
      end
    end
  end

  // vshift: lane l is kept when 0 <= l + imm16 < Lanes. With imm16 in [0, Lanes) that is
  // low + l < Lanes (no carry out of the low bits); with imm16 in [-Lanes, 0), where
  // low = imm16 + Lanes, it is low + l >= Lanes (carry); otherwise never.
  logic          small_pos, small_neg;
  logic [Lw-1:0] low;
  assign small_pos = (imm16_i[15:Lw] == '0);
  assign small_neg = (imm16_i[15:Lw] == '1);
  assign low       = imm16_i[Lw-1:0];
  for (genvar l = 0; l < Lanes; l++) begin : gen_mask
    logic [Lw:0] pos;
    assign pos       = {1'b0, low} + (Lw+1)'(l);
    assign keep_o[l] = small_pos ? !pos[Lw] : (small_neg && pos[Lw]);
  end

endmodule
