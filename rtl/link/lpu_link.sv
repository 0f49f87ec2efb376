// Chip-to-chip link, one end (docs/link.md "Overview", "Core interface"): the physical layer
// (lpu_link_phy: lanes, 8b/10b, clock/data recovery, elastic buffers, deskew, training) under
// the data link layer (lpu_link_dl: frames, CRC-32, sequence numbers, ACK/NAK, go-back-N
// replay), joined by the column interface. Toward the core it is a word interface: one word
// = Lanes int8 = one SRAM word; every word the core hands to tx_* comes out of the partner's
// rx_* exactly once, in order and bit-exact, or not at all while the link is down.
//
// The shape comes from the configuration CfgId (lpu_isa_pkg::CFG_<NAME>_*): lanes,
// link_lanes, link_osr and link_frame_words; link_tx_depth / link_rx_depth set the retry
// buffer and receive buffer sizes (at least 4 frames each, rounded up to powers of two).
// Credit flow control (lpu_link_dl): a word goes on the line only when the partner's receive
// buffer has room for it, so no frame is ever dropped for lack of space.
//
// Status counters (status_o, counter i at [i*CntW +: CntW], saturating, cleared by reset):
//   0..9   the PHY's (lpu_link_pkg::CNT_*): retrains, code errors, disparity errors, SKP
//          added, SKP dropped, elastic-buffer errors, deskew errors, TS mismatches, lane
//          sync losses, link-ups
//   10..22 the data link layer's, in lpu_link_dl's port order: data frames sent, ACKs sent, NAKs sent,
//          NAKs received, replays, replay timeouts, bad ACK numbers, data frames received,
//          CRC errors, framing errors, sequence errors, duplicates, frames dropped (receive
//          buffer full: never while the partner follows the credits)
module lpu_link #(
  parameter int unsigned CfgId        = lpu_isa_pkg::CFG_BASE_ID,
  // Implementation choices (no architectural effect), see lpu_link_phy.
  parameter int unsigned SkipInterval = 256,
  parameter int unsigned EbDepth      = 16,
  parameter int unsigned TrainTimeout = 1024,
  parameter int unsigned CntW         = (CfgId == lpu_isa_pkg::CFG_TINY_ID) ? 16 : 32,
  // Derived from the package; not meant to be overridden.
  localparam bit          Tiny       = (CfgId == lpu_isa_pkg::CFG_TINY_ID),
  localparam int unsigned Lanes      = Tiny ? lpu_isa_pkg::CFG_TINY_LANES
                                            : lpu_isa_pkg::CFG_BASE_LANES,
  localparam int unsigned LinkLanes  = Tiny ? lpu_isa_pkg::CFG_TINY_LINK_LANES
                                            : lpu_isa_pkg::CFG_BASE_LINK_LANES,
  localparam int unsigned Osr        = Tiny ? lpu_isa_pkg::CFG_TINY_LINK_OSR
                                            : lpu_isa_pkg::CFG_BASE_LINK_OSR,
  localparam int unsigned FrameWords = Tiny ? lpu_isa_pkg::CFG_TINY_LINK_FRAME_WORDS
                                            : lpu_isa_pkg::CFG_BASE_LINK_FRAME_WORDS,
  localparam int unsigned NumCnt     = lpu_link_pkg::NUM_CNT + 13
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,

  // Core side: words to send ...
  input  logic                   tx_valid_i,
  input  logic [Lanes*8-1:0]     tx_word_i,
  output logic                   tx_ready_o,   // the retry buffer has a free slot
  output logic                   tx_empty_o,   // every word sent has been acknowledged
  output logic [15:0]            tx_free_o,    // free retry-buffer entries (registered; never
                                               // more than the true free space)
  // ... and words received.
  output logic                   rx_valid_o,
  output logic [Lanes*8-1:0]     rx_word_o,
  input  logic                   rx_ready_i,
  output logic                   link_up_o,    // training done: words flow

  // Serial pins (ser_rx_i is asynchronous to clk_i).
  output logic [LinkLanes-1:0]   ser_tx_o,
  input  logic [LinkLanes-1:0]   ser_rx_i,

  // Status for the host.
  output logic [2:0]             link_state_o, // lpu_link_pkg::ST_*
  output logic [NumCnt*CntW-1:0] status_o
);

  localparam int unsigned TxDepth    = Tiny ? lpu_isa_pkg::CFG_TINY_LINK_TX_DEPTH
                                            : lpu_isa_pkg::CFG_BASE_LINK_TX_DEPTH;
  localparam int unsigned RxDepth    = Tiny ? lpu_isa_pkg::CFG_TINY_LINK_RX_DEPTH
                                            : lpu_isa_pkg::CFG_BASE_LINK_RX_DEPTH;
  localparam int unsigned RetryMin   = (TxDepth > 4 * FrameWords) ? TxDepth : 4 * FrameWords;
  localparam int unsigned RxMin      = (RxDepth > 4 * FrameWords) ? RxDepth : 4 * FrameWords;
  localparam int unsigned RetryWords = 1 << $clog2(RetryMin);
  localparam int unsigned RxWords    = 1 << $clog2(RxMin);
  localparam int unsigned PhyCnt     = lpu_link_pkg::NUM_CNT;

  // Column interface between the layers.
  logic [LinkLanes*8-1:0] col_tx_data, col_rx_data;
  logic [LinkLanes-1:0]   col_tx_k, col_rx_k, col_rx_err;
  logic                   col_tx_valid, col_tx_take, col_rx_valid, link_up;

  logic [PhyCnt*CntW-1:0]  phy_cnt;
  logic [LinkLanes-1:0]    unused_lane_synced;
  logic [$clog2(EbDepth+1)-1:0] unused_eb_hiwater;

  lpu_link_phy #(
    .LinkLanes    (LinkLanes),
    .Osr          (Osr),
    .CfgId        (CfgId),
    .SkipInterval (SkipInterval),
    .EbDepth      (EbDepth),
    .TrainTimeout (TrainTimeout),
    .CntWidth     (CntW)
  ) u_phy (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .col_tx_data_i  (col_tx_data),
    .col_tx_k_i     (col_tx_k),
    .col_tx_valid_i (col_tx_valid),
    .col_tx_take_o  (col_tx_take),
    .col_rx_valid_o (col_rx_valid),
    .col_rx_data_o  (col_rx_data),
    .col_rx_k_o     (col_rx_k),
    .col_rx_err_o   (col_rx_err),
    .link_up_o      (link_up),
    .ser_tx_o       (ser_tx_o),
    .ser_rx_i       (ser_rx_i),
    .link_state_o   (link_state_o),
    .lane_synced_o  (unused_lane_synced),
    .eb_hiwater_o   (unused_eb_hiwater),
    .status_cnt_o   (phy_cnt)
  );

  lpu_link_dl #(
    .Lanes      (Lanes),
    .LinkLanes  (LinkLanes),
    .FrameWords (FrameWords),
    .Osr        (Osr),
    .RetryWords (RetryWords),
    .RxWords    (RxWords),
    .CntW       (CntW)
  ) u_dl (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .tx_valid_i      (tx_valid_i),
    .tx_word_i       (tx_word_i),
    .tx_ready_o      (tx_ready_o),
    .tx_empty_o      (tx_empty_o),
    .tx_free_o       (tx_free_o),
    .rx_valid_o      (rx_valid_o),
    .rx_word_o       (rx_word_o),
    .rx_ready_i      (rx_ready_i),
    .col_tx_data_o   (col_tx_data),
    .col_tx_k_o      (col_tx_k),
    .col_tx_valid_o  (col_tx_valid),
    .col_tx_take_i   (col_tx_take),
    .col_rx_valid_i  (col_rx_valid),
    .col_rx_data_i   (col_rx_data),
    .col_rx_k_i      (col_rx_k),
    .col_rx_err_i    (col_rx_err),
    .link_up_i       (link_up),
    .cnt_tx_frames_o (status_o[(PhyCnt + 0) * CntW +: CntW]),
    .cnt_tx_acks_o   (status_o[(PhyCnt + 1) * CntW +: CntW]),
    .cnt_tx_naks_o   (status_o[(PhyCnt + 2) * CntW +: CntW]),
    .cnt_rx_naks_o   (status_o[(PhyCnt + 3) * CntW +: CntW]),
    .cnt_replays_o   (status_o[(PhyCnt + 4) * CntW +: CntW]),
    .cnt_timeouts_o  (status_o[(PhyCnt + 5) * CntW +: CntW]),
    .cnt_ack_err_o   (status_o[(PhyCnt + 6) * CntW +: CntW]),
    .cnt_rx_frames_o (status_o[(PhyCnt + 7) * CntW +: CntW]),
    .cnt_crc_err_o   (status_o[(PhyCnt + 8) * CntW +: CntW]),
    .cnt_frame_err_o (status_o[(PhyCnt + 9) * CntW +: CntW]),
    .cnt_seq_err_o   (status_o[(PhyCnt + 10) * CntW +: CntW]),
    .cnt_dup_o       (status_o[(PhyCnt + 11) * CntW +: CntW]),
    .cnt_drop_o      (status_o[(PhyCnt + 12) * CntW +: CntW])
  );

  assign status_o[PhyCnt*CntW-1:0] = phy_cnt;
  assign link_up_o                 = link_up;

endmodule
