// Transmit half of the data link layer (docs/link.md "Data link layer", "Framing", "Recovery
// policy and determinism"): the retry buffer, the framer and the replay logic.
//
// Retry buffer: a circular buffer of RetryWords words indexed by the word's sequence number
// (a word count modulo 2^16). Three pointers: ack_q (oldest word the receiver has not yet
// acknowledged), nxt_q (next word to put in a frame) and wr_q (next free slot); hi_q is the
// highest word sent plus one. The core may write while wr_q - ack_q < RetryWords. A word is
// freed only when the receiver acknowledges it, so it can be sent again (go-back-N replay).
//
// Framer: one byte per cycle into lpu_link_dl_txcol. Frames, in order of priority when the
// framer is idle: NAK (receiver asks for a replay), urgent ACK, data, lazy ACK (see
// lpu_link_dl_rx). A data frame is
//   K27.7, seq[7:0], seq[15:8], word bytes (byte 0 first) x n, crc[7:0] .. crc[31:24], K29.7
// with 1 <= n <= FrameWords: it ends when FrameWords words are in it, or when the next word is
// not yet in the buffer (so a short message goes out at once), or when a replay is pending.
// ACK and NAK frames are K23.7 / K30.7, e[7:0], e[15:8], c[7:0], c[15:8], crc x 4, K29.7
// where e is the receiver's next expected sequence number and c the credit field: c[14:0]
// the receiver's free buffer words, c[15] a credit request. The CRC covers the start
// symbol's 8-bit value and the bytes between it and the CRC. Every frame's last column is
// padded with K29.7.
//
// Credit flow control: lim_q is the partner's credit limit (the latest from a valid ACK/NAK;
// PeerRxWords after reset, when both ends start at sequence number 0 with empty buffers): a word may be sent only when its sequence number is before lim_q, so a
// data frame starts only with credit for its first word and ends before the first word
// without credit. A transmitter that has words to send but no credit for CreditTimeout
// cycles sets the request bit in its next ACK/NAK (sent at once): the partner answers with
// an ACK carrying its current credit. This repairs a lost credit update; while the partner's
// buffer stays full it costs two control frames per CreditTimeout.
//
// Replay: a valid NAK (its acknowledged number within [ack_q, hi_q]) or ReplayTimeout cycles
// without an acknowledgement while words are outstanding set replay_q; a frame in progress
// then ends at its next word boundary and the next data frame starts again at ack_q. The
// timeout timer counts only while the link is up, words are outstanding and no data frame is
// being sent. A link-down aborts the frame in progress and replays from ack_q when it is up.
module lpu_link_dl_tx #(
  parameter int unsigned Lanes         = 16,
  parameter int unsigned LinkLanes     = 4,
  parameter int unsigned FrameWords    = 32,
  parameter int unsigned RetryWords    = 128,
  parameter int unsigned ReplayTimeout = 40000,
  parameter int unsigned CreditTimeout = 4000,
  parameter int unsigned PeerRxWords   = 64,   // the partner's receive buffer: its credit at reset
  parameter int unsigned CntW          = 32,
  localparam int unsigned SeqW         = lpu_link_dl_pkg::SEQ_W,
  localparam int unsigned LaneW        = (LinkLanes > 1) ? $clog2(LinkLanes) : 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 link_up_i,

  // Words from the core.
  input  logic                 tx_valid_i,
  input  logic [Lanes*8-1:0]   tx_word_i,
  output logic                 tx_ready_o,
  output logic                 tx_empty_o,      // every word written has been acknowledged
  output logic [15:0]          tx_free_o,       // free retry-buffer entries (registered)

  // From the receive half: what to acknowledge, and the acknowledgements received.
  input  logic [SeqW-1:0]      rx_e_i,
  input  logic [SeqW-2:0]      rx_credit_i,     // the local receive buffer's free words
  input  logic                 nak_due_i,
  input  logic                 ack_urgent_i,
  input  logic                 ack_lazy_i,
  output logic                 ack_sent_o,      // an ACK or NAK frame carrying rx_e_i starts
  output logic                 nak_sent_o,      // ... and it is a NAK
  input  logic                 ack_in_valid_i,
  input  logic [SeqW-1:0]      ack_in_val_i,
  input  logic [SeqW-1:0]      ack_in_lim_i,    // the partner's credit limit
  input  logic                 ack_in_nak_i,

  // Bytes to lpu_link_dl_txcol.
  output logic                 byte_valid_o,
  output logic [7:0]           byte_data_o,
  output logic                 byte_k_o,
  input  logic                 byte_ready_i,
  input  logic [LaneW-1:0]     lane_i,

  // Status counters.
  output logic [CntW-1:0]      cnt_frames_o,    // data frames started (replays included)
  output logic [CntW-1:0]      cnt_acks_o,      // ACK frames sent
  output logic [CntW-1:0]      cnt_naks_tx_o,   // NAK frames sent
  output logic [CntW-1:0]      cnt_naks_rx_o,   // valid NAKs received
  output logic [CntW-1:0]      cnt_replays_o,   // replays started (NAK or timeout) with words outstanding
  output logic [CntW-1:0]      cnt_timeouts_o,  // replay timeouts
  output logic [CntW-1:0]      cnt_ack_err_o    // well-formed ACK/NAK outside [ack_q, hi_q]
);

  localparam logic [7:0]  KSof         = lpu_link_dl_pkg::K_SOF;
  localparam logic [7:0]  KEof         = lpu_link_dl_pkg::K_EOF;
  localparam logic [7:0]  KNak         = lpu_link_dl_pkg::K_NAK;
  localparam logic [7:0]  KAck         = lpu_link_dl_pkg::K_ACK;
  localparam int unsigned WordBytes = Lanes;
  localparam int unsigned Aw        = $clog2(RetryWords);
  localparam int unsigned BiMax     = (WordBytes > 4) ? WordBytes : 4;
  localparam int unsigned BiW       = $clog2(BiMax);
  localparam int unsigned WcW       = $clog2(FrameWords + 1);
  localparam int unsigned TmW       = $clog2(ReplayTimeout + 1);
  localparam int unsigned CtW       = $clog2(CreditTimeout + 1);
  localparam int unsigned FreeW     = Aw + 1;  // wr - ack <= RetryWords
  localparam int unsigned ReqBit    = lpu_link_dl_pkg::CREDIT_REQ_BIT;
  localparam logic [LaneW-1:0] LastLane = LaneW'(LinkLanes - 1);
  localparam logic [BiW-1:0]   LastWordByte = BiW'(WordBytes - 1);
  localparam logic [SeqW-1:0]  RetryWordsSeq = SeqW'(RetryWords);

  typedef enum logic [2:0] {
    TxIdle,  // between frames
    TxHdr,   // the header bytes: two (data) or four (ACK/NAK: e, credit field)
    TxPay,   // payload: the bytes of the word in the retry buffer's read register
    TxCrc,   // the four CRC bytes
    TxEof    // K29.7, repeated until the column is complete
  } tx_state_e;

  typedef enum logic [1:0] {
    KindData,
    KindAck,
    KindNak
  } kind_e;

  tx_state_e       state_q, state_d;
  kind_e           kind_q, kind_d;
  logic [BiW-1:0]  bidx_q, bidx_d;    // byte index within the header, word or CRC
  logic [WcW-1:0]  wcnt_q, wcnt_d;    // words in the data frame so far
  logic [SeqW-1:0] hdr_q, hdr_d;      // header value: sequence number or acknowledged number
  logic [SeqW-1:0] cred_q, cred_d;    // ACK/NAK credit field
  logic [SeqW-1:0] lim_q, lim_d;      // the partner's credit limit
  logic            req_q, req_d;      // a credit request is due
  logic [CtW-1:0]  ctm_q, ctm_d;      // credit-request timer
  logic [SeqW-1:0] wr_q, wr_d, ack_q, ack_d, nxt_q, nxt_d, hi_q, hi_d;
  logic            replay_q, replay_d;
  logic [TmW-1:0]  tmr_q, tmr_d;
  logic [15:0]     free_q, free_d;     // RetryWords - (wr_q - ack_q) of the current state
  logic [Aw:0]     used_n, free_n;

  logic [SeqW-1:0]        nxt_eff, rd_idx, diff_ack, diff_hi;
  logic                   data_avail, data_ok, blocked, start_nak, start_ack, start_data;
  logic                   fire, cont, lim_adv;
  logic                   ram_re, ram_we, outstanding, timeout, ack_ok, ack_adv;
  logic [Lanes*8-1:0]     ram_rdata;
  logic                   crc_clear, crc_en;
  logic [31:0]            crc;
  logic [31:0]            unused_crc_next;
  logic                   inc_frames, inc_acks, inc_naks_tx, inc_naks_rx, inc_replays;
  logic                   inc_timeouts, inc_ack_err;

  // a is before b in sequence space (b - a in 1 .. 2^15 - 1).
  function automatic logic seq_before(logic [SeqW-1:0] a, logic [SeqW-1:0] b);
    logic [SeqW-1:0] d;
    d = b - a;
    seq_before = (d != '0) && !d[SeqW-1];
  endfunction

  // ---------------------------------------------------------------------------------------
  // Retry buffer.
  // ---------------------------------------------------------------------------------------
  assign tx_ready_o = ((wr_q - ack_q) < RetryWordsSeq);
  assign tx_empty_o = (wr_q == ack_q);
  assign ram_we     = tx_valid_i && tx_ready_o;
  assign tx_free_o  = free_q;

  lpu_link_dl_ram #(
    .Width(Lanes * 8),
    .Depth(RetryWords)
  ) u_buf (
    .clk_i    (clk_i),
    .wr_en_i  (ram_we),
    .wr_addr_i(wr_q[Aw-1:0]),
    .wr_data_i(tx_word_i),
    .rd_en_i  (ram_re),
    .rd_addr_i(rd_idx[Aw-1:0]),
    .rd_data_o(ram_rdata)
  );

  // ---------------------------------------------------------------------------------------
  // Acknowledgements and the replay timer.
  // ---------------------------------------------------------------------------------------
  assign diff_ack    = ack_in_val_i - ack_q;
  assign diff_hi     = hi_q - ack_q;
  assign ack_ok      = ack_in_valid_i && (diff_ack <= diff_hi);
  assign ack_adv     = ack_ok && (diff_ack != '0);
  assign lim_adv     = ack_ok && seq_before(lim_q, ack_in_lim_i);  // limits never go back
  assign outstanding = (ack_q != hi_q);
  assign timeout     = (tmr_q == TmW'(ReplayTimeout - 1));

  // ---------------------------------------------------------------------------------------
  // Framer.
  // ---------------------------------------------------------------------------------------
  // Where the next data frame starts: at ack_q after a replay request or when the receiver
  // has acknowledged words beyond nxt_q (after a replay), else at nxt_q.
  assign nxt_eff    = (replay_q || seq_before(nxt_q, ack_q)) ? ack_q : nxt_q;
  assign data_avail = (nxt_eff != wr_q);
  assign data_ok    = data_avail && seq_before(nxt_eff, lim_q);  // ... and credit for it
  assign blocked    = link_up_i && data_avail && !data_ok;

  // Frame choice when idle (the byte is offered only when the column adapter has room, so
  // that the choice is made in the cycle the start symbol is taken).
  assign start_nak  = nak_due_i;
  assign start_ack  = !nak_due_i && (ack_urgent_i || req_q || (!data_ok && ack_lazy_i));
  assign start_data = !nak_due_i && !ack_urgent_i && !req_q && data_ok;

  // A data frame goes on with the next word when it has room, the word is in the buffer, it
  // is not already acknowledged, the partner has room for it and no replay is pending.
  assign cont = (wcnt_q != WcW'(FrameWords)) && (nxt_q != wr_q) && !seq_before(nxt_q, ack_q)
                && seq_before(nxt_q, lim_q) && !replay_q;

  always_comb begin
    byte_valid_o = 1'b0;
    byte_data_o  = KEof;
    byte_k_o     = 1'b1;
    case (state_q)
      TxIdle: begin
        byte_valid_o = link_up_i && byte_ready_i &&
                       (start_nak || start_ack || start_data);
        byte_data_o  = start_nak ? KNak : (start_ack ? KAck : KSof);
      end
      TxHdr: begin
        byte_valid_o = 1'b1;
        case (bidx_q[1:0])
          2'd0:    byte_data_o = hdr_q[7:0];
          2'd1:    byte_data_o = hdr_q[15:8];
          2'd2:    byte_data_o = cred_q[7:0];
          default: byte_data_o = cred_q[15:8];
        endcase
        byte_k_o     = 1'b0;
      end
      TxPay: begin
        byte_valid_o = 1'b1;
        byte_data_o  = ram_rdata[bidx_q*8 +: 8];
        byte_k_o     = 1'b0;
      end
      TxCrc: begin
        byte_valid_o = 1'b1;
        byte_data_o  = crc[bidx_q[1:0]*8 +: 8];
        byte_k_o     = 1'b0;
      end
      TxEof: begin
        byte_valid_o = 1'b1;
      end
      default: ;
    endcase
  end

  assign fire      = byte_valid_o && byte_ready_i;
  // The CRC covers the start symbol's 8-bit value (so that the frame kind is protected too),
  // the header and the payload.
  assign crc_clear = (state_q == TxIdle);
  assign crc_en    = fire && ((state_q == TxIdle) || (state_q == TxHdr) || (state_q == TxPay));

  lpu_crc32 u_crc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .clear_i   (crc_clear),
    .en_i      (crc_en),
    .data_i    (byte_data_o),
    .crc_o     (crc),
    .crc_next_o(unused_crc_next)
  );

  always_comb begin
    state_d      = state_q;
    kind_d       = kind_q;
    bidx_d       = bidx_q;
    wcnt_d       = wcnt_q;
    hdr_d        = hdr_q;
    cred_d       = cred_q;
    lim_d        = lim_q;
    req_d        = req_q;
    ctm_d        = ctm_q;
    wr_d         = wr_q;
    ack_d        = ack_q;
    nxt_d        = nxt_q;
    hi_d         = hi_q;
    replay_d     = replay_q;
    tmr_d        = tmr_q;
    ram_re       = 1'b0;
    rd_idx       = nxt_q;
    ack_sent_o   = 1'b0;
    nak_sent_o   = 1'b0;
    inc_frames   = 1'b0;
    inc_acks     = 1'b0;
    inc_naks_tx  = 1'b0;
    inc_naks_rx  = 1'b0;
    inc_replays  = 1'b0;
    inc_timeouts = 1'b0;
    inc_ack_err  = 1'b0;

    if (ram_we) begin
      wr_d = wr_q + SeqW'(1);
    end

    // A pending replay is applied when the framer is idle (below); new requests come from a
    // NAK, the timer and a link-down.
    if ((state_q == TxIdle) && link_up_i) begin
      replay_d = 1'b0;
    end

    // Acknowledgements from the receive half.
    if (ack_ok) begin
      ack_d = ack_in_val_i;
      if (lim_adv) begin
        lim_d = ack_in_lim_i;
      end
      if (ack_in_nak_i) begin
        replay_d    = 1'b1;
        inc_naks_rx = 1'b1;
        inc_replays = (ack_in_val_i != hi_q);
      end
    end else if (ack_in_valid_i) begin
      inc_ack_err = 1'b1;
    end

    // Replay timer.
    if (!link_up_i || !outstanding || ack_adv ||
        ((state_q != TxIdle) && (kind_q == KindData))) begin
      tmr_d = '0;
    end else if (timeout) begin
      tmr_d        = '0;
      replay_d     = 1'b1;
      inc_timeouts = 1'b1;
      inc_replays  = 1'b1;
    end else begin
      tmr_d = tmr_q + TmW'(1);
    end

    case (state_q)
      TxIdle: begin
        if (link_up_i) begin
          nxt_d = nxt_eff;  // apply a pending replay between frames
        end
        if (fire) begin
          state_d = TxHdr;
          bidx_d  = '0;
          if (start_data) begin
            kind_d     = KindData;
            hdr_d      = nxt_eff;
            ram_re     = 1'b1;
            rd_idx     = nxt_eff;
            nxt_d      = nxt_eff + SeqW'(1);
            wcnt_d     = WcW'(1);
            inc_frames = 1'b1;
          end else begin
            kind_d      = start_nak ? KindNak : KindAck;
            hdr_d       = rx_e_i;
            cred_d[ReqBit]     = req_q;
            cred_d[ReqBit-1:0] = rx_credit_i;
            req_d       = 1'b0;
            ack_sent_o  = 1'b1;
            nak_sent_o  = start_nak;
            inc_naks_tx = start_nak;
            inc_acks    = !start_nak;
          end
        end
      end
      TxHdr: begin
        if (fire) begin
          bidx_d = bidx_q + BiW'(1);
          if ((kind_q == KindData) && bidx_q[0]) begin
            state_d = TxPay;
            bidx_d  = '0;
          end else if (bidx_q[1:0] == 2'd3) begin
            state_d = TxCrc;
            bidx_d  = '0;
          end
        end
      end
      TxPay: begin
        if (fire) begin
          bidx_d = bidx_q + BiW'(1);
          if (bidx_q == LastWordByte) begin
            bidx_d = '0;
            if (cont) begin
              ram_re = 1'b1;
              rd_idx = nxt_q;
              nxt_d  = nxt_q + SeqW'(1);
              wcnt_d = wcnt_q + WcW'(1);
            end else begin
              state_d = TxCrc;
            end
          end
        end
      end
      TxCrc: begin
        if (fire) begin
          bidx_d = bidx_q + BiW'(1);
          if (bidx_q[1:0] == 2'd3) begin
            state_d = TxEof;
            bidx_d  = '0;
          end
        end
      end
      TxEof: begin
        if (fire && (lane_i == LastLane)) begin
          state_d = TxIdle;
        end
      end
      default: state_d = TxIdle;
    endcase

    // The highest word sent.
    if (ram_re && seq_before(hi_q, rd_idx + SeqW'(1))) begin
      hi_d = rd_idx + SeqW'(1);
    end

    // Credit-request timer: runs while words wait for credit and no credit arrives.
    if (!blocked) begin
      ctm_d = '0;
      req_d = 1'b0;
    end else if (lim_adv) begin
      ctm_d = '0;
    end else if (ctm_q == CtW'(CreditTimeout - 1)) begin
      ctm_d = '0;
      req_d = 1'b1;
    end else begin
      ctm_d = ctm_q + CtW'(1);
    end

    // Link down: abort the frame, replay from ack_q once the link is up again.
    if (!link_up_i) begin
      state_d  = TxIdle;
      replay_d = 1'b1;
    end

    // Free entries after this cycle's write and acknowledgement: registered, so tx_free_o is
    // exactly the free space of the current state (never more).
    // (wr - ack never exceeds RetryWords: Aw + 1 bits are enough.)
    used_n = FreeW'(wr_d - ack_d);
    free_n = FreeW'(RetryWords) - used_n;
    free_d = 16'(free_n);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= TxIdle;
      kind_q   <= KindData;
      bidx_q   <= '0;
      wcnt_q   <= '0;
      hdr_q    <= '0;
      cred_q   <= '0;
      lim_q    <= SeqW'(PeerRxWords);
      req_q    <= 1'b0;
      ctm_q    <= '0;
      wr_q     <= '0;
      ack_q    <= '0;
      nxt_q    <= '0;
      hi_q     <= '0;
      replay_q <= 1'b0;
      tmr_q    <= '0;
      free_q   <= 16'(RetryWords);
    end else begin
      state_q  <= state_d;
      kind_q   <= kind_d;
      bidx_q   <= bidx_d;
      wcnt_q   <= wcnt_d;
      hdr_q    <= hdr_d;
      cred_q   <= cred_d;
      lim_q    <= lim_d;
      req_q    <= req_d;
      ctm_q    <= ctm_d;
      wr_q     <= wr_d;
      ack_q    <= ack_d;
      nxt_q    <= nxt_d;
      hi_q     <= hi_d;
      replay_q <= replay_d;
      tmr_q    <= tmr_d;
      free_q   <= free_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Status counters.
  // ---------------------------------------------------------------------------------------
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_frames (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_frames), .count_o(cnt_frames_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_acks (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_acks), .count_o(cnt_acks_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_naks_tx (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_naks_tx), .count_o(cnt_naks_tx_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_naks_rx (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_naks_rx), .count_o(cnt_naks_rx_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_replays (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_replays), .count_o(cnt_replays_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_timeouts (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_timeouts), .count_o(cnt_timeouts_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_ack_err (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_ack_err), .count_o(cnt_ack_err_o));

`ifndef SYNTHESIS
  initial begin
    if (Lanes < 1) $fatal(1, "lpu_link_dl_tx: Lanes must be >= 1");
    if (LinkLanes < 1 || LinkLanes > 4) $fatal(1, "lpu_link_dl_tx: LinkLanes must be 1..4");
    if (FrameWords < 1) $fatal(1, "lpu_link_dl_tx: FrameWords must be >= 1");
    if ((1 << Aw) != RetryWords || RetryWords < FrameWords || RetryWords > (1 << (SeqW - 1)))
      $fatal(1, "lpu_link_dl_tx: RetryWords must be a power of two in FrameWords..2^15");
    if (ReplayTimeout < 2) $fatal(1, "lpu_link_dl_tx: ReplayTimeout must be >= 2");
    if (CreditTimeout < 2) $fatal(1, "lpu_link_dl_tx: CreditTimeout must be >= 2");
    if (PeerRxWords > (1 << (SeqW - 2))) $fatal(1, "lpu_link_dl_tx: PeerRxWords must be <= 2^14");
  end
`endif

endmodule
