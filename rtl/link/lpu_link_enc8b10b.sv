// 8b/10b encoder with running disparity (IEEE 802.3 clause 36 code, docs/link.md "Coding").
//
// Combinational. data_i = HGF_EDCBA (x = EDCBA, y = HGF), k_i selects the control code group.
// The twelve valid K codes are K28.0..K28.7, K23.7, K27.7, K29.7 and K30.7; k_i with any other
// byte encodes the D code group (the transmitter never asks for one). code_o[0] is bit 'a',
// the first bit on the line; rd_i/rd_o: 0 = RD-, 1 = RD+ (before/after this code group).
//
// code_alt_o (WithAlt = 1) is the same symbol's code group at the other disparity (~rd_i):
// the decoder uses it to tell a disparity error from an invalid code group. The transmitter
// sets WithAlt = 0 (code_alt_o is then 0), which keeps that logic out of its encoders also in
// hierarchical synthesis.
//
// The sub-block tables are written the way the standard prints them: 'a' (or 'f') leftmost,
// the RD- column; the RD+ form is the complement for the unbalanced sub-blocks and for the
// two neutral ones with two forms (D.7 = 111000/000111, D.x.3 = 1100/0011).
module lpu_link_enc8b10b #(
  parameter bit WithAlt = 1'b1
) (
  input  logic [7:0] data_i,
  input  logic       k_i,
  input  logic       rd_i,
  output logic [9:0] code_o,
  output logic       rd_o,
  output logic [9:0] code_alt_o
);

  logic [4:0] x;
  logic [2:0] y;
  logic       k28, kalt;
  logic [5:0] s6_m;          // abcdei, RD- column, 'a' in bit 5
  logic [3:0] s4_m;          // fghj, RD- column, 'f' in bit 3
  logic       unbal6, flip6, flip4, unbal4;
  logic [1:0][9:0] code_r;   // the code group at RD- (index 0) and RD+ (index 1)

  always_comb begin
    x    = data_i[4:0];
    y    = data_i[7:5];
    k28  = k_i && (x == 5'd28);
    kalt = k_i && (y == 3'd7) &&
           ((x == 5'd23) || (x == 5'd27) || (x == 5'd29) || (x == 5'd30));

    // 5b/6b, RD- column.
    case (x)
      5'd0:    s6_m = 6'b100111;
      5'd1:    s6_m = 6'b011101;
      5'd2:    s6_m = 6'b101101;
      5'd3:    s6_m = 6'b110001;
      5'd4:    s6_m = 6'b110101;
      5'd5:    s6_m = 6'b101001;
      5'd6:    s6_m = 6'b011001;
      5'd7:    s6_m = 6'b111000;
      5'd8:    s6_m = 6'b111001;
      5'd9:    s6_m = 6'b100101;
      5'd10:   s6_m = 6'b010101;
      5'd11:   s6_m = 6'b110100;
      5'd12:   s6_m = 6'b001101;
      5'd13:   s6_m = 6'b101100;
      5'd14:   s6_m = 6'b011100;
      5'd15:   s6_m = 6'b010111;
      5'd16:   s6_m = 6'b011011;
      5'd17:   s6_m = 6'b100011;
      5'd18:   s6_m = 6'b010011;
      5'd19:   s6_m = 6'b110010;
      5'd20:   s6_m = 6'b001011;
      5'd21:   s6_m = 6'b101010;
      5'd22:   s6_m = 6'b011010;
      5'd23:   s6_m = 6'b111010;
      5'd24:   s6_m = 6'b110011;
      5'd25:   s6_m = 6'b100110;
      5'd26:   s6_m = 6'b010110;
      5'd27:   s6_m = 6'b110110;
      5'd28:   s6_m = 6'b001110;
      5'd29:   s6_m = 6'b101110;
      5'd30:   s6_m = 6'b011110;
      default: s6_m = 6'b101011;  // 31
    endcase
    if (k28) s6_m = 6'b001111;

    // The RD- forms with four ones (disparity +2): D0, 1, 2, 4, 8, 15, 16, 23, 24, 27, 29, 30,
    // 31 and K28. D7 (111000/000111) is balanced but has two forms too.
    unbal6 = k28 || (x == 5'd0) || (x == 5'd1) || (x == 5'd2) || (x == 5'd4) ||
             (x == 5'd8) || (x == 5'd15) || (x == 5'd16) || (x == 5'd23) || (x == 5'd24) ||
             (x == 5'd27) || (x == 5'd29) || (x == 5'd30) || (x == 5'd31);
    flip6  = unbal6 || (!k28 && (x == 5'd7));

    // 3b/4b, RD- column (x.7: primary; the alternate is chosen below per disparity).
    case (y)
      3'd0:    s4_m = 4'b1011;
      3'd1:    s4_m = 4'b1001;
      3'd2:    s4_m = 4'b0101;
      3'd3:    s4_m = 4'b1100;
      3'd4:    s4_m = 4'b1101;
      3'd5:    s4_m = 4'b1010;
      3'd6:    s4_m = 4'b0110;
      default: s4_m = 4'b1110;
    endcase
    flip4  = (y == 3'd0) || (y == 3'd3) || (y == 3'd4) || (y == 3'd7);
    unbal4 = (y == 3'd0) || (y == 3'd4) || (y == 3'd7);

    for (int unsigned r = 0; r < 2; r++) begin
      logic       rd_mid, alt7;
      logic [3:0] s4a;
      logic [9:0] t10;       // abcdei_fghj, 'a' in bit 9
      rd_mid = (r == 1) ^ unbal6;
      // x.7 takes the alternate form where the primary would make a run of five, and in
      // every K code with y = 7.
      alt7 = (y == 3'd7) &&
             (k28 || kalt ||
              (!rd_mid && ((x == 5'd17) || (x == 5'd18) || (x == 5'd20))) ||
              ( rd_mid && ((x == 5'd11) || (x == 5'd13) || (x == 5'd14))));
      s4a = alt7 ? 4'b0111 : s4_m;
      t10[9:4] = ((r == 1) && flip6) ? ~s6_m : s6_m;
      // K28.y at RD+ is the complement of K28.y at RD- (so the comma keeps its polarity
      // rule): after 110000 the 4b sub-block of a neutral y is complemented too.
      t10[3:0] = ((rd_mid && flip4) || (k28 && (r == 1) && !flip4)) ? ~s4a : s4a;
      for (int unsigned i = 0; i < 10; i++) code_r[r][i] = t10[9 - i];
    end

    code_o     = code_r[rd_i];
    code_alt_o = WithAlt ? code_r[!rd_i] : 10'd0;
    // An unbalanced sub-block (disparity +-2) flips the running disparity, a balanced one
    // keeps it.
    rd_o = rd_i ^ unbal6 ^ unbal4;
  end

endmodule
