// Chip-to-chip link: constants shared by the link's modules (docs/link.md).
//
// Symbols are bytes HGF_EDCBA with a K flag; 8b/10b code groups are 10-bit vectors whose bit 0
// is 'a', the first bit on the line, and bit 9 is 'j'. Running disparity: 0 = RD-, 1 = RD+.
package lpu_link_pkg;

  // ---- PHY-owned control symbols (K = 1). The data link layer never sends K28.x. ----------
  localparam logic [7:0] K28_0 = 8'h1C;  // SKP: clock-compensation column, added/dropped
  localparam logic [7:0] K28_3 = 8'h7C;  // IDL: idle column (link up, no data offered)
  localparam logic [7:0] K28_5 = 8'hBC;  // COM: comma; first column of every training sequence

  // ---- K codes the data link layer may send (anything else is replaced by K30.7). ---------
  localparam logic [7:0] K23_7 = 8'hF7;
  localparam logic [7:0] K27_7 = 8'hFB;
  localparam logic [7:0] K29_7 = 8'hFD;
  localparam logic [7:0] K30_7 = 8'hFE;

  // ---- Training sequences: TS_LEN columns, lane l carries ---------------------------------
  //   0 COM   1 TS1_ID / TS2_ID   2 l   3 LinkLanes   4 ConfigId   5..7 TS_PAD
  // TS1: "I am training"; TS2: "and I have seen your training sequences" (the ack).
  localparam int unsigned TS_LEN = 8;
  localparam logic [7:0]  TS1_ID = 8'h4A;  // D10.2
  localparam logic [7:0]  TS2_ID = 8'h45;  // D5.2
  localparam logic [7:0]  TS_PAD = 8'h4A;  // D10.2: 0101010101, dense transitions for the CDR

  // ---- Transmit modes (training FSM -> transmitter) ----------------------------------------
  localparam logic [1:0] MODE_TS1  = 2'd0;
  localparam logic [1:0] MODE_TS2  = 2'd1;
  localparam logic [1:0] MODE_DATA = 2'd2;

  // ---- Training states (link_state_o) ------------------------------------------------------
  localparam logic [2:0] ST_RESET  = 3'd0;
  localparam logic [2:0] ST_ALIGN  = 3'd1;
  localparam logic [2:0] ST_CONFIG = 3'd2;
  localparam logic [2:0] ST_ACK    = 3'd3;
  localparam logic [2:0] ST_UP     = 3'd4;

  // ---- Status counters (status_cnt_o, counter i at bits [i*CntWidth +: CntWidth]) ----------
  localparam int unsigned CNT_RETRAINS    = 0;  // training restarted (any cause)
  localparam int unsigned CNT_CODE_ERR    = 1;  // invalid code groups (all lanes, in sync)
  localparam int unsigned CNT_DISP_ERR    = 2;  // running-disparity errors
  localparam int unsigned CNT_SKIP_ADD    = 3;  // SKP columns added by the elastic buffer
  localparam int unsigned CNT_SKIP_DROP   = 4;  // SKP columns dropped by the elastic buffer
  localparam int unsigned CNT_EB_ERR      = 5;  // elastic buffer overflow or underflow
  localparam int unsigned CNT_DESKEW_ERR  = 6;  // a COM column not on every lane
  localparam int unsigned CNT_TS_MISMATCH = 7;  // TS with wrong lane number, width or config
  localparam int unsigned CNT_SYNC_LOSS   = 8;  // lane loss-of-sync events
  localparam int unsigned CNT_LINK_UP     = 9;  // times the link came up
  localparam int unsigned NUM_CNT         = 10;

endpackage
