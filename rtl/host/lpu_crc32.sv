// Byte-serial CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final
// xor 0xFFFFFFFF), the CRC of lpu::crc32 (docs/host-protocol.md "Frame", docs/host-if.md).
//
// One byte per cycle. crc_o is the CRC of the bytes fed since the last clear (0 after a
// clear: the CRC of nothing); crc_next_o is the CRC including data_i when en_i is high this
// cycle (crc_o otherwise). clear_i with en_i starts a new CRC with data_i as its first byte.
module lpu_crc32 (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clear_i,
  input  logic        en_i,
  input  logic [7:0]  data_i,
  output logic [31:0] crc_o,
  output logic [31:0] crc_next_o
);

  localparam logic [31:0] Poly = 32'hEDB8_8320;

  logic [31:0] reg_q, reg_d;   // the running register (not inverted)
  logic [31:0] base, feed;

  always_comb begin
    base = clear_i ? 32'hFFFF_FFFF : reg_q;
    feed = base ^ {24'd0, data_i};
    for (int unsigned b = 0; b < 8; b++) begin
      feed = feed[0] ? ((feed >> 1) ^ Poly) : (feed >> 1);
    end
    reg_d = en_i ? feed : base;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      reg_q <= 32'hFFFF_FFFF;
    end else begin
      reg_q <= reg_d;
    end
  end

  assign crc_o      = ~reg_q;
  assign crc_next_o = ~reg_d;

endmodule
