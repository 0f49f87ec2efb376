// Link training FSM (docs/link.md "Training").
//
//   RESET   clear the receive path (lanes to LOSS, FIFOs flushed); transmit TS1; one symbol
//   ALIGN   transmit TS1; wait until every lane is in sync and the lanes are deskewed and
//           read (aligned_i)
//   CONFIG  transmit TS1; two good TS (TS1 or TS2, every field right) in a row -> ACK
//   ACK     transmit TS2; two good TS2 in a row received, and at least four TS2 sent since
//           the first TS2 arrived (so the far end, which is in ACK by then, gets its two) -> UP
//   UP      link_up_o; data and idle columns. A good TS1 from the far end (it retrains), a lane
//           out of sync, a deskew error or an elastic-buffer error -> RESET
// A lane out of sync, a deskew or elastic error in CONFIG/ACK, or TrainTimeout symbol times
// in ALIGN..ACK without reaching UP, also -> RESET. retrain_o pulses on every return to RESET
// (not on the one after rst_ni), link_up_evt_o on every entry to UP. tick_i: one symbol time.
module lpu_link_train #(
  parameter int unsigned TrainTimeout = 1024
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       tick_i,
  input  logic       synced_i,
  input  logic       aligned_i,
  input  logic       ts_i,
  input  logic       ts_type_i,
  input  logic       ts_ok_i,
  input  logic       deskew_err_i,
  input  logic       eb_err_i,
  input  logic       ts_sent_i,
  input  logic       ts_sent_type_i,
  output logic       rx_clear_o,
  output logic [1:0] tx_mode_o,
  output logic       link_up_o,
  output logic       retrain_o,
  output logic       link_up_evt_o,
  output logic [2:0] state_o
);

  typedef enum logic [2:0] {TrReset, TrAlign, TrConfig, TrAck, TrUp} train_e;

  localparam int unsigned TmW = $clog2(TrainTimeout + 1);

  train_e         state_q, state_d;
  logic [TmW-1:0] timer_q, timer_d;
  logic [1:0]     good_q, good_d;      // good TS (CONFIG) / good TS2 (ACK) in a row
  logic           seen2_q, seen2_d;    // ACK: a good TS2 has arrived
  logic [2:0]     sent2_q, sent2_d;    // ACK: TS2 sent since then
  logic           retrain_d, up_evt_d;
  logic           fail;

  always_comb begin
    state_d   = state_q;
    timer_d   = timer_q;
    good_d    = good_q;
    seen2_d   = seen2_q;
    sent2_d   = sent2_q;
    retrain_d = 1'b0;
    up_evt_d  = 1'b0;
    fail      = !synced_i || deskew_err_i || eb_err_i;
    if (tick_i && (timer_q != TmW'(TrainTimeout))) timer_d = timer_q + 1'b1;

    case (state_q)
      TrReset: begin
        if (tick_i) begin
          state_d = TrAlign;
          timer_d = '0;
        end
      end
      TrAlign: begin
        if (aligned_i) begin
          state_d = TrConfig;
          good_d  = '0;
        end
      end
      TrConfig: begin
        if (ts_i) begin
          if (!ts_ok_i) begin
            good_d = '0;
          end else if (good_q == 2'd1) begin
            state_d = TrAck;
            good_d  = '0;
            seen2_d = 1'b0;
            sent2_d = '0;
          end else begin
            good_d = good_q + 2'd1;
          end
        end
      end
      TrAck: begin
        if (ts_i) begin
          if (ts_ok_i && ts_type_i) begin
            seen2_d = 1'b1;
            if (good_q != 2'd3) good_d = good_q + 2'd1;
          end else begin
            good_d = '0;
          end
        end
        if (ts_sent_i && ts_sent_type_i && seen2_q && (sent2_q != 3'd7)) sent2_d = sent2_q + 3'd1;
        if ((good_q >= 2'd2) && (sent2_q >= 3'd4)) begin
          state_d  = TrUp;
          up_evt_d = 1'b1;
        end
      end
      TrUp: begin
        // A good TS1: the far end is training (late TS2s of its ACK are ignored).
        if (ts_i && ts_ok_i && !ts_type_i) begin
          state_d   = TrReset;
          retrain_d = 1'b1;
        end
      end
      default: state_d = TrReset;
    endcase

    // Failures and the timeout, in every state past ALIGN (and the timeout in ALIGN).
    if ((state_q == TrConfig || state_q == TrAck || state_q == TrUp) && fail) begin
      state_d   = TrReset;
      retrain_d = 1'b1;
      up_evt_d  = 1'b0;
    end
    if ((state_q == TrAlign || state_q == TrConfig || state_q == TrAck) &&
        (timer_q == TmW'(TrainTimeout))) begin
      state_d   = TrReset;
      retrain_d = 1'b1;
      up_evt_d  = 1'b0;
    end
  end

  logic retrain_q, up_evt_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q   <= TrReset;
      timer_q   <= '0;
      good_q    <= '0;
      seen2_q   <= 1'b0;
      sent2_q   <= '0;
      retrain_q <= 1'b0;
      up_evt_q  <= 1'b0;
    end else begin
      state_q   <= state_d;
      timer_q   <= timer_d;
      good_q    <= good_d;
      seen2_q   <= seen2_d;
      sent2_q   <= sent2_d;
      retrain_q <= retrain_d;
      up_evt_q  <= up_evt_d;
    end
  end

  assign rx_clear_o    = (state_q == TrReset);
  assign tx_mode_o     = (state_q == TrUp) ? lpu_link_pkg::MODE_DATA :
                         (state_q == TrAck) ? lpu_link_pkg::MODE_TS2 : lpu_link_pkg::MODE_TS1;
  assign link_up_o     = (state_q == TrUp);
  assign retrain_o     = retrain_q;
  assign link_up_evt_o = up_evt_q;
  assign state_o       = state_q;

endmodule
