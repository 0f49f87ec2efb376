// 8b/10b decoder with invalid-code and disparity-error detection (docs/link.md "Coding").
//
// Combinational. code_i[0] is bit 'a' (the first bit on the line); rd_i is the running
// disparity before the code group (0 = RD-, 1 = RD+). The code group is decoded loosely by
// sub-block (6b -> x, 4b -> y, K28 and Kx.7 recognised), and the candidate is then encoded
// again with rd_i and with the opposite disparity:
//   equal with rd_i          valid code group: data_o/k_o, no error
//   equal only with ~rd_i    disp_err_o: a valid code group, but not for this disparity
//   equal with neither       code_err_o: not a code group of the code at all
// so the decoder accepts exactly what lpu_link_enc8b10b can produce (the strict 802.3 table,
// with the x.7 primary/alternate rule and the K-code list), and nothing else.
// rd_o follows the standard's sub-block rule for every input, valid or not: a sub-block with
// more ones (or 000111 / 0011) ends RD+, more zeros (or 111000 / 1100) ends RD-, else the
// disparity is unchanged.
module lpu_link_dec8b10b (
  input  logic [9:0] code_i,
  input  logic       rd_i,
  output logic [7:0] data_o,
  output logic       k_o,
  output logic       code_err_o,
  output logic       disp_err_o,
  output logic       rd_o
);

  logic [9:0] t10;           // abcdei_fghj, 'a' in bit 9
  logic [5:0] s6;
  logic [3:0] s4, s4d;
  logic [4:0] x;
  logic [2:0] y;
  logic       k28m, k28p, k;
  logic [3:0] ones6;
  logic [2:0] ones4;
  logic       rd6;

  always_comb begin
    for (int unsigned i = 0; i < 10; i++) t10[9 - i] = code_i[i];
    s6   = t10[9:4];
    s4   = t10[3:0];
    k28m = (s6 == 6'b001111);
    k28p = (s6 == 6'b110000);

    case (s6)
      6'b100111, 6'b011000: x = 5'd0;
      6'b011101, 6'b100010: x = 5'd1;
      6'b101101, 6'b010010: x = 5'd2;
      6'b110001:            x = 5'd3;
      6'b110101, 6'b001010: x = 5'd4;
      6'b101001:            x = 5'd5;
      6'b011001:            x = 5'd6;
      6'b111000, 6'b000111: x = 5'd7;
      6'b111001, 6'b000110: x = 5'd8;
      6'b100101:            x = 5'd9;
      6'b010101:            x = 5'd10;
      6'b110100:            x = 5'd11;
      6'b001101:            x = 5'd12;
      6'b101100:            x = 5'd13;
      6'b011100:            x = 5'd14;
      6'b010111, 6'b101000: x = 5'd15;
      6'b011011, 6'b100100: x = 5'd16;
      6'b100011:            x = 5'd17;
      6'b010011:            x = 5'd18;
      6'b110010:            x = 5'd19;
      6'b001011:            x = 5'd20;
      6'b101010:            x = 5'd21;
      6'b011010:            x = 5'd22;
      6'b111010, 6'b000101: x = 5'd23;
      6'b110011, 6'b001100: x = 5'd24;
      6'b100110:            x = 5'd25;
      6'b010110:            x = 5'd26;
      6'b110110, 6'b001001: x = 5'd27;
      6'b001110, 6'b001111, 6'b110000: x = 5'd28;
      6'b101110, 6'b010001: x = 5'd29;
      6'b011110, 6'b100001: x = 5'd30;
      6'b101011, 6'b010100: x = 5'd31;
      default:              x = 5'd0;   // no 6b sub-block: the re-encoding will differ
    endcase

    // K28.y at RD+ is the complement of K28.y at RD-: undo it for the 4b sub-block.
    s4d = k28p ? ~s4 : s4;
    case (s4d)
      4'b1011, 4'b0100:                   y = 3'd0;
      4'b1001:                            y = 3'd1;
      4'b0101:                            y = 3'd2;
      4'b1100, 4'b0011:                   y = 3'd3;
      4'b1101, 4'b0010:                   y = 3'd4;
      4'b1010:                            y = 3'd5;
      4'b0110:                            y = 3'd6;
      4'b1110, 4'b0001, 4'b0111, 4'b1000: y = 3'd7;
      default:                            y = 3'd0;  // 0000, 1111: re-encoding differs
    endcase

    // The alternate x.7 form after D23/D27/D29/D30 can only be a K code.
    k = k28m || k28p ||
        (((s4 == 4'b0111) || (s4 == 4'b1000)) &&
         ((x == 5'd23) || (x == 5'd27) || (x == 5'd29) || (x == 5'd30)));
    data_o = {y, x};
    k_o    = k;

    ones6 = 4'(s6[0]) + 4'(s6[1]) + 4'(s6[2]) + 4'(s6[3]) + 4'(s6[4]) + 4'(s6[5]);
    ones4 = 3'(s4[0]) + 3'(s4[1]) + 3'(s4[2]) + 3'(s4[3]);
    if ((ones6 > 4'd3) || (s6 == 6'b000111))      rd6 = 1'b1;
    else if ((ones6 < 4'd3) || (s6 == 6'b111000)) rd6 = 1'b0;
    else                                          rd6 = rd_i;
    if ((ones4 > 3'd2) || (s4 == 4'b0011))        rd_o = 1'b1;
    else if ((ones4 < 3'd2) || (s4 == 4'b1100))   rd_o = 1'b0;
    else                                          rd_o = rd6;
  end

  // Encode the candidate again, at both disparities.
  logic [9:0] code_same, code_other;
  logic       unused_rd;

  lpu_link_enc8b10b u_enc (
    .data_i     (data_o),
    .k_i        (k),
    .rd_i       (rd_i),
    .code_o     (code_same),
    .rd_o       (unused_rd),
    .code_alt_o (code_other)
  );

  assign code_err_o = (code_same != code_i) && (code_other != code_i);
  assign disp_err_o = (code_same != code_i) && (code_other == code_i);

endmodule
