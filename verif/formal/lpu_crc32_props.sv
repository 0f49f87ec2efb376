// Formal properties of lpu_crc32 (verif/formal/lpu_crc32.sby, docs/verification.md "Formal").
//
// Reference: the same CRC-32 computed the other way round, as a textbook MSB-first LFSR with
// the unreflected polynomial 0x04C11DB7, fed each byte LSB first (the order the reflected
// algorithm consumes bits). The reflected register of lpu_crc32 must then be the bit
// reversal of this one, every cycle, for any stream of clears, enables and bytes.
// With CHECK_VALUE defined, the standard check value is asserted instead: after a clear and
// the bytes "123456789" the CRC is 0xCBF43926, which ties the result to the IEEE CRC-32
// itself (both formulations could share a wrong constant).
module lpu_crc32_props (
  input logic       clk_i,
  input logic       rst_ni,
  input logic       clear_i,
  input logic       en_i,
  input logic [7:0] data_i
);

  logic [31:0] crc, crc_next;

  lpu_crc32 u_dut (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clear_i    (clear_i),
    .en_i       (en_i),
    .data_i     (data_i),
    .crc_o      (crc),
    .crc_next_o (crc_next)
  );

  // Reset in the first cycle; later resets are free.
  initial assume (!rst_ni);

  function automatic logic [31:0] rev32(input logic [31:0] x);
    for (int i = 0; i < 32; i++) rev32[i] = x[31-i];
  endfunction

  function automatic logic [31:0] msb_first_step(input logic [31:0] r, input logic [7:0] d);
    logic [31:0] s;
    logic        fb;
    s = r;
    for (int i = 0; i < 8; i++) begin
      fb = s[31] ^ d[i];
      s  = {s[30:0], 1'b0} ^ (fb ? 32'h04C1_1DB7 : 32'd0);
    end
    msb_first_step = s;
  endfunction

  logic [31:0] ref_q, ref_start, ref_d;
  assign ref_start = clear_i ? 32'hFFFF_FFFF : ref_q;
  assign ref_d     = en_i ? msb_first_step(ref_start, data_i) : ref_start;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ref_q <= 32'hFFFF_FFFF;
    else         ref_q <= ref_d;
  end

`ifndef CHECK_VALUE
  always_comb begin
    assert (crc == ~rev32(ref_q));
    assert (crc_next == ~rev32(ref_d));
  end
`else
  // t = cycles since the reset cycle. Cycle 1 clears and feeds "1", cycles 2..9 feed "2".."9"
  // (a fixed stream: a free one makes the XOR-heavy problem slow for z3).
  logic [3:0] t_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)           t_q <= 4'd0;
    else if (t_q != 4'd15) t_q <= t_q + 4'd1;
  end

  always_comb begin
    if (t_q != 4'd0) assume (rst_ni);  // no reset after the first cycle
    if (t_q >= 4'd1 && t_q <= 4'd9) begin
      assume (en_i && clear_i == (t_q == 4'd1) && data_i == 8'h30 + 8'(t_q));
    end else begin
      assume (!en_i && !clear_i);
    end
    if (t_q == 4'd1)  assert (crc == 32'd0);  // after reset: the CRC of nothing
    if (t_q == 4'd10) assert (crc == 32'hCBF4_3926);
  end
`endif

endmodule
