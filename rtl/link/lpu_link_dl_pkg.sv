// Constants of the chip-to-chip link's data link layer (docs/link.md "Framing"): the K codes
// it uses (8b/10b K28.x are the PHY's; see docs/link.md "Coding"), the CRC-32 residue and the
// sequence-number width.
package lpu_link_dl_pkg;

  // Control symbols (8b/10b K codes, written as their 8-bit values HGF EDCBA).
  localparam logic [7:0] K_SOF = 8'hFB;  // K27.7: start of a data frame
  localparam logic [7:0] K_EOF = 8'hFD;  // K29.7: end of a frame; also pads its last column
  localparam logic [7:0] K_NAK = 8'hFE;  // K30.7: start of a NAK frame
  localparam logic [7:0] K_ACK = 8'hF7;  // K23.7: start of an ACK frame

  // CRC-32 (IEEE 802.3, lpu_crc32) of any byte string followed by its own CRC, low byte first.
  localparam logic [31:0] CRC_RESIDUE = 32'h2144_DF1C;

  // Sequence numbers count words modulo 2^SEQ_W.
  localparam int unsigned SEQ_W = 16;

  // Data frame body bytes besides the payload: 2 (sequence number) + 4 (CRC).
  localparam int unsigned BODY_OVERHEAD = 6;

  // ACK/NAK frame body: 2 (expected number e) + 2 (credit field) + 4 (CRC).
  localparam int unsigned CTRL_BODY = 8;

  // Credit field of an ACK/NAK frame: bits [14:0] the sender's free receive-buffer words
  // (its credit limit is e + that), bit 15 a credit request ("I am waiting for credit from
  // you: answer with an ACK").
  localparam int unsigned CREDIT_REQ_BIT = 15;

endpackage
