// Data link layer of the chip-to-chip link (docs/link.md "Data link layer", "Framing",
// "Recovery policy and determinism", "Core interface").
//
// Between the core's word interface (one word = Lanes int8 = one SRAM word) and the PHY's
// column interface (lpu_link_phy: LinkLanes symbols per column, after deskew). Words are sent
// in CRC-32-protected frames of up to FrameWords words with a sequence number; the receiver
// commits a frame to the core only when its length, CRC and sequence number are right, and
// the sender keeps every word in its retry buffer until the receiver acknowledges it
// (go-back-N replay on a NAK or a timeout). So every word is delivered exactly once, in
// order, and a corrupted frame is never delivered. One clock (the core clock).
//
//   lpu_link_dl_tx     retry buffer, framer, replay timer      -> lpu_link_dl_txcol -> PHY
//   lpu_link_dl_rx     deframer, checks, receive buffer, ACKs  <- lpu_link_dl_rxcol <- PHY
//
// Credit flow control: every ACK/NAK carries the receiver's free receive-buffer words, and a
// transmitter sends only words the partner has room for, so a good expected frame is never
// dropped for lack of space (the `drop` counter stays 0 between two lpu_link_dl).
//
// Parameter defaults: RetryWords (4 frames) and RxWords (4 frames), rounded up to powers of
// two; AckWords = RetryWords / 2; CreditStep = RxWords / 2; AckDelay = 2 frame times,
// CreditTimeout = 1 frame time and ReplayTimeout = 6 frame times + 4096 cycles, where a frame
// time is the line time of a longest frame, ceil((8 + FrameWords * Lanes) / LinkLanes)
// columns of 10 * Osr core cycles (Osr: the PHY's core cycles per line bit).
module lpu_link_dl #(
  parameter int unsigned Lanes         = 16,
  parameter int unsigned LinkLanes     = 4,
  parameter int unsigned FrameWords    = 32,
  parameter int unsigned Osr           = 4,
  parameter int unsigned RetryWords    = 1 << $clog2(4 * FrameWords),
  parameter int unsigned RxWords       = 1 << $clog2(4 * FrameWords),
  parameter int unsigned AckWords      = RetryWords / 2,
  parameter int unsigned CreditStep    = RxWords / 2,
  parameter int unsigned FrameCycles   = ((8 + FrameWords * Lanes + LinkLanes - 1) / LinkLanes)
                                         * 10 * Osr,
  parameter int unsigned AckDelay      = 2 * FrameCycles,
  parameter int unsigned ReplayTimeout = 6 * FrameCycles + 4096,
  parameter int unsigned CreditTimeout = FrameCycles,
  // The partner's receive buffer (its credit at reset): the same configuration at both ends.
  parameter int unsigned PeerRxWords   = RxWords,
  parameter int unsigned CntW          = 32
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,

  // Core side: words to send ...
  input  logic                   tx_valid_i,
  input  logic [Lanes*8-1:0]     tx_word_i,
  output logic                   tx_ready_o,       // the retry buffer has a free slot
  output logic                   tx_empty_o,       // every word sent has been acknowledged
  output logic [15:0]            tx_free_o,        // free retry-buffer entries (registered)
  // ... and words received.
  output logic                   rx_valid_o,
  output logic [Lanes*8-1:0]     rx_word_o,
  input  logic                   rx_ready_i,

  // PHY side (lpu_link_phy's column interface).
  output logic [LinkLanes*8-1:0] col_tx_data_o,
  output logic [LinkLanes-1:0]   col_tx_k_o,
  output logic                   col_tx_valid_o,
  input  logic                   col_tx_take_i,
  input  logic                   col_rx_valid_i,
  input  logic [LinkLanes*8-1:0] col_rx_data_i,
  input  logic [LinkLanes-1:0]   col_rx_k_i,
  input  logic [LinkLanes-1:0]   col_rx_err_i,
  input  logic                   link_up_i,

  // Status counters for the host (saturating; cleared by reset).
  output logic [CntW-1:0]        cnt_tx_frames_o,  // data frames sent, replays included
  output logic [CntW-1:0]        cnt_tx_acks_o,    // ACK frames sent
  output logic [CntW-1:0]        cnt_tx_naks_o,    // NAK frames sent
  output logic [CntW-1:0]        cnt_rx_naks_o,    // NAK frames received
  output logic [CntW-1:0]        cnt_replays_o,    // go-back-N replays (NAK or timeout)
  output logic [CntW-1:0]        cnt_timeouts_o,   // replay timeouts
  output logic [CntW-1:0]        cnt_ack_err_o,    // ACK/NAK with an impossible number
  output logic [CntW-1:0]        cnt_rx_frames_o,  // data frames received and committed
  output logic [CntW-1:0]        cnt_crc_err_o,    // frames with a CRC error
  output logic [CntW-1:0]        cnt_frame_err_o,  // framing errors (symbol errors, K codes,
                                                   // lengths, aborts)
  output logic [CntW-1:0]        cnt_seq_err_o,    // good data frames out of sequence (ahead)
  output logic [CntW-1:0]        cnt_dup_o,        // good data frames already received
  output logic [CntW-1:0]        cnt_drop_o        // good data frames dropped: receive buffer full
                                                   // (never while the partner obeys the credits)
);

  localparam int unsigned SeqW  = lpu_link_dl_pkg::SEQ_W;
  localparam int unsigned LaneW = (LinkLanes > 1) ? $clog2(LinkLanes) : 1;

  logic                 byte_tx_valid, byte_tx_k, byte_tx_ready;
  logic [7:0]           byte_tx_data;
  logic [LaneW-1:0]     tx_lane;
  logic                 byte_rx_valid, byte_rx_k, byte_rx_err;
  logic [7:0]           byte_rx_data;
  logic [SeqW-1:0]      rx_e, ack_val, ack_lim;
  logic [SeqW-2:0]      rx_credit;
  logic                 nak_due, ack_urgent, ack_lazy, ack_sent, nak_sent, ack_valid, ack_nak;

  lpu_link_dl_tx #(
    .Lanes        (Lanes),
    .LinkLanes    (LinkLanes),
    .FrameWords   (FrameWords),
    .RetryWords   (RetryWords),
    .ReplayTimeout(ReplayTimeout),
    .CreditTimeout(CreditTimeout),
    .PeerRxWords  (PeerRxWords),
    .CntW         (CntW)
  ) u_tx (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .link_up_i     (link_up_i),
    .tx_valid_i    (tx_valid_i),
    .tx_word_i     (tx_word_i),
    .tx_ready_o    (tx_ready_o),
    .tx_empty_o    (tx_empty_o),
    .tx_free_o     (tx_free_o),
    .rx_e_i        (rx_e),
    .rx_credit_i   (rx_credit),
    .nak_due_i     (nak_due),
    .ack_urgent_i  (ack_urgent),
    .ack_lazy_i    (ack_lazy),
    .ack_sent_o    (ack_sent),
    .nak_sent_o    (nak_sent),
    .ack_in_valid_i(ack_valid),
    .ack_in_val_i  (ack_val),
    .ack_in_lim_i  (ack_lim),
    .ack_in_nak_i  (ack_nak),
    .byte_valid_o  (byte_tx_valid),
    .byte_data_o   (byte_tx_data),
    .byte_k_o      (byte_tx_k),
    .byte_ready_i  (byte_tx_ready),
    .lane_i        (tx_lane),
    .cnt_frames_o  (cnt_tx_frames_o),
    .cnt_acks_o    (cnt_tx_acks_o),
    .cnt_naks_tx_o (cnt_tx_naks_o),
    .cnt_naks_rx_o (cnt_rx_naks_o),
    .cnt_replays_o (cnt_replays_o),
    .cnt_timeouts_o(cnt_timeouts_o),
    .cnt_ack_err_o (cnt_ack_err_o)
  );

  lpu_link_dl_txcol #(
    .LinkLanes(LinkLanes)
  ) u_txcol (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (!link_up_i),
    .byte_valid_i(byte_tx_valid),
    .byte_data_i (byte_tx_data),
    .byte_k_i    (byte_tx_k),
    .byte_ready_o(byte_tx_ready),
    .lane_o      (tx_lane),
    .col_valid_o (col_tx_valid_o),
    .col_data_o  (col_tx_data_o),
    .col_k_o     (col_tx_k_o),
    .col_take_i  (col_tx_take_i)
  );

  lpu_link_dl_rxcol #(
    .LinkLanes(LinkLanes)
  ) u_rxcol (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (!link_up_i),
    .col_valid_i (col_rx_valid_i),
    .col_data_i  (col_rx_data_i),
    .col_k_i     (col_rx_k_i),
    .col_err_i   (col_rx_err_i),
    .byte_valid_o(byte_rx_valid),
    .byte_data_o (byte_rx_data),
    .byte_k_o    (byte_rx_k),
    .byte_err_o  (byte_rx_err)
  );

  lpu_link_dl_rx #(
    .Lanes     (Lanes),
    .FrameWords(FrameWords),
    .RxWords   (RxWords),
    .AckWords  (AckWords),
    .AckDelay  (AckDelay),
    .CreditStep(CreditStep),
    .CntW      (CntW)
  ) u_rx (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .link_up_i      (link_up_i),
    .byte_valid_i   (byte_rx_valid),
    .byte_data_i    (byte_rx_data),
    .byte_k_i       (byte_rx_k),
    .byte_err_i     (byte_rx_err),
    .rx_valid_o     (rx_valid_o),
    .rx_word_o      (rx_word_o),
    .rx_ready_i     (rx_ready_i),
    .e_o            (rx_e),
    .credit_o       (rx_credit),
    .nak_due_o      (nak_due),
    .ack_urgent_o   (ack_urgent),
    .ack_lazy_o     (ack_lazy),
    .ack_sent_i     (ack_sent),
    .nak_sent_i     (nak_sent),
    .ack_out_valid_o(ack_valid),
    .ack_out_val_o  (ack_val),
    .ack_out_lim_o  (ack_lim),
    .ack_out_nak_o  (ack_nak),
    .cnt_frames_ok_o(cnt_rx_frames_o),
    .cnt_crc_err_o  (cnt_crc_err_o),
    .cnt_frame_err_o(cnt_frame_err_o),
    .cnt_seq_err_o  (cnt_seq_err_o),
    .cnt_dup_o      (cnt_dup_o),
    .cnt_drop_o     (cnt_drop_o)
  );

`ifndef SYNTHESIS
  initial begin
    if (Osr < 1) $fatal(1, "lpu_link_dl: Osr must be >= 1");
  end
`endif

endmodule
