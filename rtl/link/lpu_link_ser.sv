// Serializer: one 10-bit code group out, bit 'a' first, each bit held for Osr cycles
// (docs/link.md "Physical layer").
//
// The transmitter's bit timer drives load_i (take code_i; its bit 'a' goes on the line at the
// next clock edge) and shift_i (next bit), so every lane of a link shifts in lockstep. ser_o
// is a register output: it can drive an I/O flop or pin directly.
module lpu_link_ser (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       load_i,
  input  logic       shift_i,
  input  logic [9:0] code_i,
  output logic       ser_o
);

  logic [8:0] sh_q, sh_d;
  logic       out_q, out_d;

  always_comb begin
    sh_d  = sh_q;
    out_d = out_q;
    if (load_i) begin
      out_d = code_i[0];
      sh_d  = code_i[9:1];
    end else if (shift_i) begin
      out_d = sh_q[0];
      sh_d  = {1'b0, sh_q[8:1]};
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sh_q  <= 9'd0;
      out_q <= 1'b0;
    end else begin
      sh_q  <= sh_d;
      out_q <= out_d;
    end
  end

  assign ser_o = out_q;

endmodule
