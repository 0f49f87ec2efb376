// Comma aligner and deserializer (docs/link.md "Training").
//
// Collects the recovered bits into 10-bit code groups. The comma (the 7 bits abcdeif = 0011111
// or 1100000, found only at the start of K28.5 among the code groups the link sends) marks a
// symbol boundary: while realign_en_i is set, a comma that is not on the current boundary
// moves the boundary to it (realign_o) and the symbol is emitted at once. A comma off the
// boundary while realign_en_i is clear only raises mis_comma_o (the lane's sync FSM counts it
// as a bad symbol).
//
// sym_valid_o/code_o/comma_o/comma_neg_o are registered, one pulse per symbol; comma_o: the
// symbol starts with a comma, comma_neg_o: it is the 0011111 form (sent at RD-).
module lpu_link_align (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       bit_valid_i,
  input  logic       bit_i,
  input  logic       realign_en_i,
  output logic       sym_valid_o,
  output logic [9:0] code_o,
  output logic       comma_o,
  output logic       comma_neg_o,
  output logic       realign_o,
  output logic       mis_comma_o
);

  logic [9:0] sh_q, sh_d;        // the last 10 bits, the oldest in bit 0
  logic [3:0] cnt_q, cnt_d;      // bits of the current symbol received so far
  logic       comma_neg, comma_pos, comma, boundary;
  logic       valid_d, realign_d, mis_d;
  logic       valid_q, realign_q, mis_q;
  logic       cm_q, cm_d, cneg_q, cneg_d;
  logic [9:0] code_q, code_d;

  always_comb begin
    sh_d      = {bit_i, sh_q[9:1]};
    comma_neg = (sh_d[6:0] == 7'b1111100);   // a,b = 0; c,d,e,i,f = 1
    comma_pos = (sh_d[6:0] == 7'b0000011);   // a,b = 1; c,d,e,i,f = 0
    comma     = comma_neg || comma_pos;
    boundary  = (cnt_q == 4'd9);
    cnt_d     = cnt_q;
    valid_d   = 1'b0;
    realign_d = 1'b0;
    mis_d     = 1'b0;
    if (!bit_valid_i) begin
      sh_d = sh_q;
    end else begin
      if (boundary || (comma && realign_en_i)) begin
        valid_d   = 1'b1;
        realign_d = !boundary;
        cnt_d     = 4'd0;
      end else begin
        cnt_d = cnt_q + 4'd1;
      end
      mis_d = comma && !boundary;
    end
    code_d = valid_d ? sh_d : code_q;
    cm_d   = valid_d ? comma : cm_q;
    cneg_d = valid_d ? comma_neg : cneg_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sh_q      <= 10'd0;
      cnt_q     <= 4'd0;
      valid_q   <= 1'b0;
      realign_q <= 1'b0;
      mis_q     <= 1'b0;
      code_q    <= 10'd0;
      cm_q      <= 1'b0;
      cneg_q    <= 1'b0;
    end else begin
      sh_q      <= sh_d;
      cnt_q     <= cnt_d;
      valid_q   <= valid_d;
      realign_q <= realign_d;
      mis_q     <= mis_d;
      code_q    <= code_d;
      cm_q      <= cm_d;
      cneg_q    <= cneg_d;
    end
  end

  assign sym_valid_o = valid_q;
  assign code_o      = code_q;
  assign comma_o     = cm_q;
  assign comma_neg_o = cneg_q;
  assign realign_o   = realign_q;
  assign mis_comma_o = mis_q;

endmodule
