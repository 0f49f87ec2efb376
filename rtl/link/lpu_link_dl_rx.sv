// Receive half of the data link layer (docs/link.md "Data link layer", "Framing", "Recovery
// policy and determinism"): the deframer, the CRC and sequence checks, the receive buffer
// toward the core and the acknowledgement state that the transmit half sends.
//
// Deframer (one byte per cycle from lpu_link_dl_rxcol), states:
//   Hunt  between frames: a start symbol (K27.7 data, K23.7 ACK, K30.7 NAK) opens a frame,
//         K29.7 (end/pad) is ignored, anything else is a frame error (-> Skip).
//   Body  data bytes up to the frame's maximum length, CRC-32 over the start symbol's value
//         and all of them; K29.7 ends
//         the frame; a start symbol aborts it (frame error) and opens the next; a symbol with
//         a PHY error flag, any other K code or too many bytes is a frame error (-> Skip).
//   Skip  after a frame error: everything is ignored up to K29.7 (-> Hunt) or a start symbol.
// The body bytes pass a four-byte delay line so that the CRC (the last four) never reaches
// the payload: the bytes leaving it are the two header bytes, then the payload, assembled
// into words and written speculatively into the receive buffer.
//
// At the end of a frame: a length that is not 2 + n*WordBytes + 4 (1 <= n <= FrameWords; 8 for
// ACK/NAK) is a frame error, a CRC-32 whose residue is wrong a CRC error. A good ACK/NAK frame
// goes to the transmit half (its number e and its credit limit e + credit). A good data frame
// whose sequence number is the expected one, e_q, is committed (its words become visible to
// the core, e_q advances by n); one ahead of e_q (a frame was lost) is a sequence error, one
// behind (a replayed duplicate) is discarded and acknowledged again. Nothing is ever committed
// from a frame that failed a check.
//
// Credit flow control: the receive buffer's free words, credit_o = RxWords - (committed words
// not yet read), go out in every ACK/NAK frame; the partner sends only words before the limit
// e + credit, so an expected frame always fits. A frame whose words do not all fit is still
// dropped (drop) and not acknowledged, but only a partner that ignores the credits can cause
// that (defensive path). The limit e + credit is the sequence number of the word after the
// last one the buffer can hold, rd + RxWords (rd: the next word to leave the buffer), so it
// grows only when the core reads; radv_q is rd at the last ACK/NAK sent (the limit advertised).
//
// Acknowledgements: after a frame error, CRC error or sequence error a NAK is due, once per
// error episode (the episode ends when the expected frame is committed; a lost NAK is
// covered by the sender's timeout). An ACK is urgent after a duplicate or a link-up, after a
// good ACK/NAK with the credit-request bit, when AckWords words are unacknowledged, when
// words have been unacknowledged for AckDelay cycles, or when the limit has grown by
// CreditStep words since it was last advertised; otherwise it is lazy (sent only when the
// transmit half has no data to send) while words are unacknowledged or the limit has grown.
module lpu_link_dl_rx #(
  parameter int unsigned Lanes      = 16,
  parameter int unsigned FrameWords = 32,
  parameter int unsigned RxWords    = 64,
  parameter int unsigned AckWords   = 64,
  parameter int unsigned AckDelay   = 10000,
  parameter int unsigned CreditStep = RxWords / 2,
  parameter int unsigned CntW       = 32,
  localparam int unsigned SeqW      = lpu_link_dl_pkg::SEQ_W
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 link_up_i,

  // Bytes from lpu_link_dl_rxcol.
  input  logic                 byte_valid_i,
  input  logic [7:0]           byte_data_i,
  input  logic                 byte_k_i,
  input  logic                 byte_err_i,

  // Words to the core.
  output logic                 rx_valid_o,
  output logic [Lanes*8-1:0]   rx_word_o,
  input  logic                 rx_ready_i,

  // To and from the transmit half.
  output logic [SeqW-1:0]      e_o,
  output logic [SeqW-2:0]      credit_o,         // free receive-buffer words (<= RxWords)
  output logic                 nak_due_o,
  output logic                 ack_urgent_o,
  output logic                 ack_lazy_o,
  input  logic                 ack_sent_i,
  input  logic                 nak_sent_i,
  output logic                 ack_out_valid_o,
  output logic [SeqW-1:0]      ack_out_val_o,
  output logic [SeqW-1:0]      ack_out_lim_o,    // the partner's credit limit
  output logic                 ack_out_nak_o,

  // Status counters.
  output logic [CntW-1:0]      cnt_frames_ok_o,  // data frames committed
  output logic [CntW-1:0]      cnt_crc_err_o,    // frames of a valid length with a bad CRC
  output logic [CntW-1:0]      cnt_frame_err_o,  // symbol errors, bad K codes, bad lengths, aborts
  output logic [CntW-1:0]      cnt_seq_err_o,    // good data frames ahead of the expected one
  output logic [CntW-1:0]      cnt_dup_o,        // good data frames behind it (duplicates)
  output logic [CntW-1:0]      cnt_drop_o        // good expected frames dropped: buffer full
                                                 // (never while the partner obeys the credits)
);

  localparam logic [7:0]  KSof         = lpu_link_dl_pkg::K_SOF;
  localparam logic [7:0]  KEof         = lpu_link_dl_pkg::K_EOF;
  localparam logic [7:0]  KNak         = lpu_link_dl_pkg::K_NAK;
  localparam logic [7:0]  KAck         = lpu_link_dl_pkg::K_ACK;
  localparam logic [31:0] CrcResidue   = lpu_link_dl_pkg::CRC_RESIDUE;
  localparam int unsigned BodyOverhead = lpu_link_dl_pkg::BODY_OVERHEAD;
  localparam int unsigned CtrlBody     = lpu_link_dl_pkg::CTRL_BODY;
  localparam int unsigned ReqBit       = lpu_link_dl_pkg::CREDIT_REQ_BIT;
  localparam int unsigned WordBytes = Lanes;
  localparam int unsigned MaxBody   = BodyOverhead + FrameWords * WordBytes;
  localparam int unsigned CntBW     = $clog2(MaxBody + 1);
  localparam int unsigned WiW       = (WordBytes > 1) ? $clog2(WordBytes) : 1;
  localparam int unsigned WcW       = $clog2(FrameWords + 1);
  localparam int unsigned Aw        = $clog2(RxWords);
  localparam int unsigned PtrW      = Aw + 1;
  localparam int unsigned AtW       = $clog2(AckDelay + 1);
  localparam logic [CntBW-1:0] MaxData = CntBW'(MaxBody);
  localparam logic [CntBW-1:0] MaxCtrl = CntBW'(CtrlBody);
  localparam logic [WiW-1:0]   LastWordByte = WiW'(WordBytes - 1);

  typedef enum logic [1:0] {
    RxHunt,
    RxBody,
    RxSkip
  } rx_state_e;

  typedef enum logic [1:0] {
    KindData,
    KindAck,
    KindNak
  } kind_e;

  rx_state_e            state_q, state_d;
  kind_e                kind_q, kind_d;
  logic [CntBW-1:0]     cnt_q, cnt_d;      // body bytes so far
  logic [31:0]          dl_q, dl_d;        // delay line, oldest byte in [7:0]
  logic [SeqW-1:0]      hv_q, hv_d;        // header value
  logic [SeqW-1:0]      cv_q, cv_d;        // ACK/NAK credit field
  logic [Lanes*8-1:0]   wasm_q, wasm_d;    // word assembly
  logic [WiW-1:0]       widx_q, widx_d;
  logic [WcW-1:0]       words_q, words_d;
  logic                 ovf_q, ovf_d;      // a word of this frame did not fit
  logic [PtrW-1:0]      wr_q, wr_d, commit_q, commit_d, rd_q, rd_d;
  logic                 out_valid_q, out_valid_d;
  logic [SeqW-1:0]      e_q, e_d, acked_q, acked_d;
  logic [PtrW-1:0]      radv_q, radv_d;
  logic                 force_ack_q, force_ack_d, nak_due_q, nak_due_d, nak_ep_q, nak_ep_d;
  logic [AtW-1:0]       atm_q, atm_d;
  logic                 link_up_q;

  logic                 b_start, b_eof, b_data, b_bad;
  kind_e                b_kind;
  logic [7:0]           ob;
  logic [CntBW-1:0]     oidx;
  logic [Lanes*8-1:0]   word;
  logic                 ram_we, ram_re;
  logic [SeqW-1:0]      sdiff, udiff;
  logic [PtrW-1:0]      used, free, cdiff;
  logic                 crc_clear, crc_en;
  logic [31:0]          crc;
  logic [31:0]          unused_crc_next;
  logic                 nak_req, ack_req;
  logic                 inc_ok, inc_crc, inc_frame, inc_seq, inc_dup, inc_drop;

  // ---------------------------------------------------------------------------------------
  // Symbol classes.
  // ---------------------------------------------------------------------------------------
  always_comb begin
    b_start = 1'b0;
    b_eof   = 1'b0;
    b_kind  = KindData;
    if (byte_valid_i && byte_k_i && !byte_err_i) begin
      case (byte_data_i)
        KSof: b_start = 1'b1;
        KAck: begin
          b_start = 1'b1;
          b_kind  = KindAck;
        end
        KNak: begin
          b_start = 1'b1;
          b_kind  = KindNak;
        end
        KEof: b_eof = 1'b1;
        default: ;
      endcase
    end
  end
  assign b_data = byte_valid_i && !byte_k_i && !byte_err_i;
  assign b_bad  = byte_valid_i && !b_start && !b_eof && !b_data;

  // The byte leaving the delay line, and its index after the start symbol.
  assign ob   = dl_q[7:0];
  assign oidx = cnt_q - CntBW'(4);

  // The word with this cycle's payload byte in its last position.
  always_comb begin
    word = wasm_q;
    word[Lanes*8-1 -: 8] = ob;
  end

  // The CRC runs over the start symbol's 8-bit value and every body byte.
  assign crc_clear = b_start;
  assign sdiff     = hv_q - e_q;

  lpu_crc32 u_crc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .clear_i   (crc_clear),
    .en_i      (crc_en),
    .data_i    (byte_data_i),
    .crc_o     (crc),
    .crc_next_o(unused_crc_next)
  );

  // ---------------------------------------------------------------------------------------
  // Deframer.
  // ---------------------------------------------------------------------------------------
  always_comb begin
    state_d         = state_q;
    kind_d          = kind_q;
    cnt_d           = cnt_q;
    dl_d            = dl_q;
    hv_d            = hv_q;
    cv_d            = cv_q;
    wasm_d          = wasm_q;
    widx_d          = widx_q;
    words_d         = words_q;
    ovf_d           = ovf_q;
    wr_d            = wr_q;
    commit_d        = commit_q;
    e_d             = e_q;
    ack_req         = 1'b0;
    crc_en          = b_start;
    ram_we          = 1'b0;
    nak_req         = 1'b0;
    ack_out_valid_o = 1'b0;
    ack_out_nak_o   = (kind_q == KindNak);
    inc_ok          = 1'b0;
    inc_crc         = 1'b0;
    inc_frame       = 1'b0;
    inc_seq         = 1'b0;
    inc_dup         = 1'b0;
    inc_drop        = 1'b0;

    if (!link_up_i) begin
      // Link down: a frame in progress is lost (the sender replays it after link-up).
      inc_frame = (state_q == RxBody);
      state_d   = RxHunt;
      wr_d      = commit_q;
    end else if (b_start) begin
      if (state_q == RxBody) begin
        inc_frame = 1'b1;
        nak_req   = 1'b1;
      end
      state_d = RxBody;
      kind_d  = b_kind;
      cnt_d   = '0;
      widx_d  = '0;
      words_d = '0;
      ovf_d   = 1'b0;
      wr_d    = commit_q;
    end else begin
      case (state_q)
        RxHunt: begin
          if (b_data || b_bad) begin
            inc_frame = 1'b1;
            nak_req   = 1'b1;
            state_d   = RxSkip;
          end
        end
        RxSkip: begin
          if (b_eof) begin
            state_d = RxHunt;
          end
        end
        RxBody: begin
          if (b_eof) begin
            state_d = RxHunt;
            wr_d    = commit_q;
            if (((kind_q == KindData) && ((words_q == '0) || (widx_q != '0))) ||
                ((kind_q != KindData) && (cnt_q != MaxCtrl))) begin
              inc_frame = 1'b1;
              nak_req   = 1'b1;
            end else if (crc != CrcResidue) begin
              inc_crc = 1'b1;
              nak_req = 1'b1;
            end else if (kind_q != KindData) begin
              ack_out_valid_o = 1'b1;
              ack_req         = cv_q[ReqBit];  // the partner waits for credit: answer
            end else if (sdiff == '0) begin
              if (ovf_q) begin
                inc_drop = 1'b1;
              end else begin
                inc_ok   = 1'b1;
                commit_d = wr_q;
                wr_d     = wr_q;
                e_d      = e_q + SeqW'(words_q);
              end
            end else if (!sdiff[SeqW-1]) begin
              inc_seq = 1'b1;
              nak_req = 1'b1;
            end else begin
              inc_dup = 1'b1;
              ack_req = 1'b1;
            end
          end else if (b_bad ||
                       (b_data && (cnt_q == ((kind_q == KindData) ? MaxData : MaxCtrl)))) begin
            inc_frame = 1'b1;
            nak_req   = 1'b1;
            state_d   = RxSkip;
          end else if (b_data) begin
            crc_en = 1'b1;
            cnt_d  = cnt_q + CntBW'(1);
            dl_d   = {byte_data_i, dl_q[31:8]};
            if (cnt_q >= CntBW'(4)) begin
              if (oidx == '0) begin
                hv_d[7:0] = ob;
              end else if (oidx == CntBW'(1)) begin
                hv_d[15:8] = ob;
              end else if (kind_q != KindData) begin
                // ACK/NAK credit field (its body is at most 8 bytes: oidx 2 and 3 only).
                if (oidx == CntBW'(2)) begin
                  cv_d[7:0] = ob;
                end else begin
                  cv_d[15:8] = ob;
                end
              end else begin
                // Payload byte.
                wasm_d[widx_q*8 +: 8] = ob;
                widx_d = widx_q + WiW'(1);
                if (widx_q == LastWordByte) begin
                  widx_d  = '0;
                  words_d = words_q + WcW'(1);
                  if ((wr_q - rd_q) < PtrW'(RxWords)) begin
                    ram_we = 1'b1;
                    wr_d   = wr_q + PtrW'(1);
                  end else begin
                    ovf_d = 1'b1;
                  end
                end
              end
            end
          end
        end
        default: state_d = RxHunt;
      endcase
    end
  end

  // ---------------------------------------------------------------------------------------
  // Receive buffer: words become visible up to commit_q; the read register is the output.
  // ---------------------------------------------------------------------------------------
  assign ram_re = (commit_q != rd_q) && (!out_valid_q || rx_ready_i);

  always_comb begin
    rd_d        = rd_q;
    out_valid_d = out_valid_q && !rx_ready_i;
    if (ram_re) begin
      rd_d        = rd_q + PtrW'(1);
      out_valid_d = 1'b1;
    end
  end

  lpu_link_dl_ram #(
    .Width(Lanes * 8),
    .Depth(RxWords)
  ) u_buf (
    .clk_i    (clk_i),
    .wr_en_i  (ram_we),
    .wr_addr_i(wr_q[Aw-1:0]),
    .wr_data_i(word),
    .rd_en_i  (ram_re),
    .rd_addr_i(rd_q[Aw-1:0]),
    .rd_data_o(rx_word_o)
  );

  assign rx_valid_o = out_valid_q;

  // ---------------------------------------------------------------------------------------
  // Acknowledgement state.
  // ---------------------------------------------------------------------------------------
  // Credit: the free words of the receive buffer (committed words not yet read occupy it;
  // the output register is extra). The limit e_q + free = rd + RxWords has grown by cdiff
  // words since it was last advertised (at most RxWords: the partner never sends beyond it).
  assign used     = commit_q - rd_q;
  assign free     = PtrW'(RxWords) - used;
  assign credit_o = (SeqW - 1)'(free);
  assign udiff    = e_q - acked_q;
  assign cdiff    = rd_q - radv_q;

  always_comb begin
    acked_d     = acked_q;
    nak_due_d = nak_due_q;
    nak_ep_d  = nak_ep_q;
    atm_d     = atm_q;
    radv_d      = radv_q;
    if (ack_sent_i) begin
      acked_d = e_q;   // the frame that starts carries e_q
      radv_d  = rd_q;  // ... and credit_o: the limit rd_q + RxWords
    end
    if (nak_sent_i) begin
      nak_due_d = 1'b0;
    end
    force_ack_d = force_ack_q && !ack_sent_i;
    if (ack_req) begin
      force_ack_d = 1'b1;  // a duplicate (the sender missed an ACK) or a credit request
    end
    if (nak_req && !nak_ep_q) begin
      nak_due_d = 1'b1;
      nak_ep_d  = 1'b1;
    end
    if (inc_ok) begin
      nak_ep_d = 1'b0;  // the expected frame arrived: the error episode is over
    end
    if (link_up_i && !link_up_q) begin
      force_ack_d = 1'b1;  // tell the sender where to resume
      nak_ep_d    = 1'b0;
    end
    if (e_q == acked_q) begin
      atm_d = '0;
    end else if (atm_q != AtW'(AckDelay)) begin
      atm_d = atm_q + AtW'(1);
    end
  end

  assign e_o           = e_q;
  assign nak_due_o     = nak_due_q;
  assign ack_lazy_o    = force_ack_q || (e_q != acked_q) || (cdiff != '0);
  assign ack_urgent_o  = force_ack_q || (udiff >= SeqW'(AckWords)) ||
                         ((e_q != acked_q) && (atm_q == AtW'(AckDelay))) ||
                         (cdiff >= PtrW'(CreditStep));
  assign ack_out_val_o = hv_q;
  assign ack_out_lim_o = hv_q + {1'b0, cv_q[ReqBit-1:0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= RxHunt;
      kind_q      <= KindData;
      cnt_q       <= '0;
      dl_q        <= '0;
      hv_q        <= '0;
      cv_q        <= '0;
      wasm_q      <= '0;
      widx_q      <= '0;
      words_q     <= '0;
      ovf_q       <= 1'b0;
      wr_q        <= '0;
      commit_q    <= '0;
      rd_q        <= '0;
      out_valid_q <= 1'b0;
      e_q         <= '0;
      acked_q     <= '0;
      radv_q      <= '0;  // the initial limit RxWords: no credit ACK is due before link-up
      force_ack_q <= 1'b0;
      nak_due_q   <= 1'b0;
      nak_ep_q    <= 1'b0;
      atm_q       <= '0;
      link_up_q   <= 1'b0;
    end else begin
      state_q     <= state_d;
      kind_q      <= kind_d;
      cnt_q       <= cnt_d;
      dl_q        <= dl_d;
      hv_q        <= hv_d;
      cv_q        <= cv_d;
      wasm_q      <= wasm_d;
      widx_q      <= widx_d;
      words_q     <= words_d;
      ovf_q       <= ovf_d;
      wr_q        <= wr_d;
      commit_q    <= commit_d;
      rd_q        <= rd_d;
      out_valid_q <= out_valid_d;
      e_q         <= e_d;
      acked_q     <= acked_d;
      radv_q      <= radv_d;
      force_ack_q <= force_ack_d;
      nak_due_q   <= nak_due_d;
      nak_ep_q    <= nak_ep_d;
      atm_q       <= atm_d;
      link_up_q   <= link_up_i;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Status counters.
  // ---------------------------------------------------------------------------------------
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_ok (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_ok), .count_o(cnt_frames_ok_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_crc (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_crc), .count_o(cnt_crc_err_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_frame (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_frame), .count_o(cnt_frame_err_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_seq (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_seq), .count_o(cnt_seq_err_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_dup (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_dup), .count_o(cnt_dup_o));
  lpu_link_dl_counter #(.Width(CntW)) u_cnt_drop (
    .clk_i(clk_i), .rst_ni(rst_ni), .inc_i(inc_drop), .count_o(cnt_drop_o));

`ifndef SYNTHESIS
  initial begin
    if (Lanes < 1) $fatal(1, "lpu_link_dl_rx: Lanes must be >= 1");
    if (FrameWords < 1) $fatal(1, "lpu_link_dl_rx: FrameWords must be >= 1");
    if ((1 << Aw) != RxWords || RxWords < FrameWords || RxWords > (1 << (SeqW - 2)))
      $fatal(1, "lpu_link_dl_rx: RxWords must be a power of two in FrameWords..2^14");
    if (CreditStep < 1 || CreditStep > RxWords)
      $fatal(1, "lpu_link_dl_rx: CreditStep must be in 1..RxWords");
    if (AckWords < 1) $fatal(1, "lpu_link_dl_rx: AckWords must be >= 1");
    if (AckDelay < 1) $fatal(1, "lpu_link_dl_rx: AckDelay must be >= 1");
  end
`endif

endmodule
