// One receive lane: oversampling CDR, comma aligner, 8b/10b decoder with running disparity,
// and the lane's synchronisation FSM (docs/link.md "Training").
//
// Synchronisation (after IEEE 802.3 clause 36):
//   LOSS  the aligner may realign on any comma; a valid comma symbol -> ACQ
//   ACQ   SyncCommas aligned, error-free commas in a row (no bad symbol between) -> OK;
//         a bad symbol -> LOSS; a comma elsewhere realigns and restarts the count
//   OK    symbols are passed on. A bad event (invalid code group, disparity error, or a comma
//         off the symbol boundary) adds one to a score, GoodRun good symbols in a row take one
//         away; a score of LosBad -> LOSS (sync_loss_o). So isolated bit errors are survived,
//         a bit slip (every later symbol misframed) loses sync within a few symbols. While
//         the score is not zero the lane's symbols are suspect and flagged as errors too
//         (sym_err_o), so after a slip only the first few misframed symbols can pass
//         unflagged.
// clear_i (the training FSM's reset) forces LOSS. The running disparity is taken from the
// comma's polarity in LOSS/ACQ and tracked from the code groups after that.
//
// Outputs are registered: sym_valid_o (only in OK) with sym_data_o/sym_k_o/sym_err_o
// (err = invalid code group, disparity error, or a suspect lane), and one-cycle event pulses:
// code_err_o counts invalid code groups and commas off the symbol boundary.
module lpu_link_rx_lane #(
  parameter int unsigned Osr        = 4,
  parameter int unsigned SyncCommas = 3,
  parameter int unsigned LosBad     = 4,
  parameter int unsigned GoodRun    = 4
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       clear_i,
  input  logic       ser_i,
  output logic       sym_valid_o,
  output logic [7:0] sym_data_o,
  output logic       sym_k_o,
  output logic       sym_err_o,
  output logic       synced_o,
  output logic       code_err_o,
  output logic       disp_err_o,
  output logic       sync_loss_o
);

  // ---- bits, symbols ------------------------------------------------------------------------
  logic       bit_valid, bit_val;
  logic       sym_valid, comma, comma_neg, realign, mis_comma;
  logic [9:0] code;

  lpu_link_cdr #(
    .Osr (Osr)
  ) u_cdr (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .rx_i        (ser_i),
    .bit_valid_o (bit_valid),
    .bit_o       (bit_val)
  );

  typedef enum logic [1:0] {SyLoss, SyAcq, SyOk} sync_e;
  sync_e state_q, state_d;

  lpu_link_align u_align (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .bit_valid_i  (bit_valid),
    .bit_i        (bit_val),
    .realign_en_i (state_q != SyOk),
    .sym_valid_o  (sym_valid),
    .code_o       (code),
    .comma_o      (comma),
    .comma_neg_o  (comma_neg),
    .realign_o    (realign),
    .mis_comma_o  (mis_comma)
  );

  logic       rd_q, rd_d, rd_use;
  logic [7:0] dec_data;
  logic       dec_k, dec_cerr, dec_derr, dec_rd;

  // Out of sync a comma sets the disparity: 0011111 is sent at RD-, 1100000 at RD+.
  assign rd_use = (state_q != SyOk && comma) ? !comma_neg : rd_q;

  lpu_link_dec8b10b u_dec (
    .code_i     (code),
    .rd_i       (rd_use),
    .data_o     (dec_data),
    .k_o        (dec_k),
    .code_err_o (dec_cerr),
    .disp_err_o (dec_derr),
    .rd_o       (dec_rd)
  );

  // ---- synchronisation FSM ------------------------------------------------------------------
  localparam int unsigned CntW = 4;
  logic [CntW-1:0] ccnt_q, ccnt_d;   // ACQ: aligned commas seen
  logic [CntW-1:0] bad_q, bad_d;     // OK: bad-event score
  logic [CntW-1:0] good_q, good_d;   // OK: good symbols in a row
  logic            bad_sym, bad_ev;
  logic            out_valid_d, out_err_d, cerr_d, derr_d, loss_d;

  always_comb begin
    state_d     = state_q;
    ccnt_d      = ccnt_q;
    bad_d       = bad_q;
    good_d      = good_q;
    rd_d        = sym_valid ? dec_rd : rd_q;
    bad_sym     = dec_cerr || dec_derr;
    bad_ev      = (sym_valid && bad_sym) || mis_comma;
    out_valid_d = 1'b0;
    out_err_d   = bad_sym || (bad_q != '0);
    cerr_d      = 1'b0;
    derr_d      = 1'b0;
    loss_d      = 1'b0;
    case (state_q)
      SyLoss: begin
        if (sym_valid && comma && !bad_sym) begin
          state_d = SyAcq;
          ccnt_d  = CntW'(1);
        end
      end
      SyAcq: begin
        if (sym_valid) begin
          if (bad_sym) begin
            state_d = SyLoss;
          end else if (realign) begin
            ccnt_d = CntW'(1);
          end else if (comma) begin
            ccnt_d = ccnt_q + 1'b1;
            if (ccnt_d >= CntW'(SyncCommas)) begin
              state_d = SyOk;
              bad_d   = '0;
              good_d  = '0;
            end
          end
        end
      end
      SyOk: begin
        out_valid_d = sym_valid;
        cerr_d      = (sym_valid && dec_cerr) || mis_comma;
        derr_d      = sym_valid && dec_derr;
        if (bad_ev) begin
          good_d = '0;
          if (bad_q + 1'b1 >= CntW'(LosBad)) begin
            state_d = SyLoss;
            loss_d  = 1'b1;
          end else begin
            bad_d = bad_q + 1'b1;
          end
        end else if (sym_valid) begin
          if (good_q + 1'b1 >= CntW'(GoodRun)) begin
            good_d = '0;
            if (bad_q != '0) bad_d = bad_q - 1'b1;
          end else begin
            good_d = good_q + 1'b1;
          end
        end
      end
      default: state_d = SyLoss;
    endcase
    if (clear_i) begin
      state_d     = SyLoss;
      out_valid_d = 1'b0;
    end
  end

  logic       out_valid_q, out_k_q, out_err_q, cerr_q, derr_q, loss_q;
  logic [7:0] out_data_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= SyLoss;
      ccnt_q      <= '0;
      bad_q       <= '0;
      good_q      <= '0;
      rd_q        <= 1'b0;
      out_valid_q <= 1'b0;
      out_data_q  <= 8'd0;
      out_k_q     <= 1'b0;
      out_err_q   <= 1'b0;
      cerr_q      <= 1'b0;
      derr_q      <= 1'b0;
      loss_q      <= 1'b0;
    end else begin
      state_q     <= state_d;
      ccnt_q      <= ccnt_d;
      bad_q       <= bad_d;
      good_q      <= good_d;
      rd_q        <= rd_d;
      out_valid_q <= out_valid_d;
      out_data_q  <= dec_data;
      out_k_q     <= dec_k;
      out_err_q   <= out_err_d;
      cerr_q      <= cerr_d;
      derr_q      <= derr_d;
      loss_q      <= loss_d;
    end
  end

  assign sym_valid_o = out_valid_q;
  assign sym_data_o  = out_data_q;
  assign sym_k_o     = out_k_q;
  assign sym_err_o   = out_err_q;
  assign synced_o    = (state_q == SyOk);
  assign code_err_o  = cerr_q;
  assign disp_err_o  = derr_q;
  assign sync_loss_o = loss_q;

`ifndef SYNTHESIS
  initial begin
    if (SyncCommas < 1 || SyncCommas > 15 || LosBad < 1 || LosBad > 15 ||
        GoodRun < 1 || GoodRun > 15) begin
      $fatal(1, "lpu_link_rx_lane: SyncCommas, LosBad and GoodRun must be 1..15");
    end
  end
`endif

endmodule
