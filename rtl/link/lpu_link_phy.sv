// Chip-to-chip link, physical layer (docs/link.md): LinkLanes serial lanes per direction,
// 8b/10b, oversampling clock/data recovery in the core clock domain, comma alignment,
// elastic buffers with SKP add/drop, multi-lane deskew, training with automatic retraining,
// and status counters. Toward the data link layer (lpu_link_dl) it offers the column
// interface of the link contract: one column = one symbol per lane.
//
// Line rate per lane: f(clk_i) / Osr. Every chip runs from its own oscillator; ser_rx_i is
// asynchronous to clk_i.
//
// Parameters
//   LinkLanes     lanes per direction, 1..4
//   Osr           core cycles per bit (>= 3; the receiver samples every cycle)
//   CfgId         the chip's configuration id (lpu_isa_pkg::CFG_*_ID), checked in training:
//                 the two chips must agree (low 8 bits are sent)
//   SkipInterval  columns between SKP columns (clock compensation), 16..1023
//   EbDepth       elastic buffer depth per lane, symbols (power of 2)
//   MaxSkew       lane-to-lane skew the deskew accepts, symbols
//   TrainTimeout  symbol times from ALIGN to UP before training restarts
//   CntWidth      width of each status counter (saturating)
//
// Status outputs (beyond the contract's column interface): link_state_o (lpu_link_pkg::ST_*),
// lane_synced_o, eb_hiwater_o (highest elastic-buffer level since the last training) and
// status_cnt_o (lpu_link_pkg::CNT_*, counter i at [i*CntWidth +: CntWidth]).
module lpu_link_phy #(
  parameter int unsigned LinkLanes    = 1,
  parameter int unsigned Osr          = 4,
  parameter int unsigned CfgId        = lpu_isa_pkg::CFG_BASE_ID,
  parameter int unsigned SkipInterval = 256,
  parameter int unsigned EbDepth      = 16,
  parameter int unsigned MaxSkew      = 2,
  parameter int unsigned TrainTimeout = 1024,
  parameter int unsigned CntWidth     = 16
) (
  input  logic                                     clk_i,
  input  logic                                     rst_ni,
  // transmit columns
  input  logic [LinkLanes*8-1:0]                   col_tx_data_i,
  input  logic [LinkLanes-1:0]                     col_tx_k_i,
  input  logic                                     col_tx_valid_i,
  output logic                                     col_tx_take_o,
  // received columns
  output logic                                     col_rx_valid_o,
  output logic [LinkLanes*8-1:0]                   col_rx_data_o,
  output logic [LinkLanes-1:0]                     col_rx_k_o,
  output logic [LinkLanes-1:0]                     col_rx_err_o,
  output logic                                     link_up_o,
  // serial pins
  output logic [LinkLanes-1:0]                     ser_tx_o,
  input  logic [LinkLanes-1:0]                     ser_rx_i,
  // status
  output logic [2:0]                               link_state_o,
  output logic [LinkLanes-1:0]                     lane_synced_o,
  output logic [$clog2(EbDepth+1)-1:0]             eb_hiwater_o,
  output logic [lpu_link_pkg::NUM_CNT*CntWidth-1:0] status_cnt_o
);

  localparam int unsigned LvlW   = $clog2(EbDepth + 1);
  localparam int unsigned NumCnt = lpu_link_pkg::NUM_CNT;
  localparam int unsigned IncW   = 3;
  localparam logic [7:0]  CfgId8 = 8'(CfgId);

  // ---- training ---------------------------------------------------------------------------------
  logic       tick, pre_tick, ts_sent, ts_sent_type;
  logic       rx_clear, link_up, retrain, up_evt;
  logic [1:0] tx_mode;
  logic       all_synced, aligned, reading;
  logic       ts_rx, ts_type, ts_ok, ts_mism, dsk_err, eb_ovf, eb_udf, skip_add, skip_drop;

  lpu_link_train #(
    .TrainTimeout (TrainTimeout)
  ) u_train (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .tick_i         (tick),
    .synced_i       (all_synced),
    .aligned_i      (reading),
    .ts_i           (ts_rx),
    .ts_type_i      (ts_type),
    .ts_ok_i        (ts_ok),
    .deskew_err_i   (dsk_err),
    .eb_err_i       (eb_ovf || eb_udf),
    .ts_sent_i      (ts_sent),
    .ts_sent_type_i (ts_sent_type),
    .rx_clear_o     (rx_clear),
    .tx_mode_o      (tx_mode),
    .link_up_o      (link_up),
    .retrain_o      (retrain),
    .link_up_evt_o  (up_evt),
    .state_o        (link_state_o)
  );

  assign link_up_o = link_up;

  // ---- transmit ---------------------------------------------------------------------------------
  lpu_link_tx #(
    .LinkLanes    (LinkLanes),
    .Osr          (Osr),
    .SkipInterval (SkipInterval),
    .ConfigId     (CfgId8)
  ) u_tx (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .mode_i         (tx_mode),
    .col_tx_data_i  (col_tx_data_i),
    .col_tx_k_i     (col_tx_k_i),
    .col_tx_valid_i (col_tx_valid_i),
    .col_tx_take_o  (col_tx_take_o),
    .ser_tx_o       (ser_tx_o),
    .pre_tick_o     (pre_tick),
    .tick_o         (tick),
    .ts_sent_o      (ts_sent),
    .ts_sent_type_o (ts_sent_type)
  );

  // ---- receive lanes ----------------------------------------------------------------------------
  logic [LinkLanes-1:0]    lane_valid, lane_synced, lane_cerr, lane_derr, lane_loss;
  logic [LinkLanes*10-1:0] lane_sym;

  for (genvar l = 0; l < LinkLanes; l++) begin : gen_rx_lane
    lpu_link_rx_lane #(
      .Osr (Osr)
    ) u_lane (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .clear_i     (rx_clear),
      .ser_i       (ser_rx_i[l]),
      .sym_valid_o (lane_valid[l]),
      .sym_data_o  (lane_sym[l*10 +: 8]),
      .sym_k_o     (lane_sym[l*10 + 8]),
      .sym_err_o   (lane_sym[l*10 + 9]),
      .synced_o    (lane_synced[l]),
      .code_err_o  (lane_cerr[l]),
      .disp_err_o  (lane_derr[l]),
      .sync_loss_o (lane_loss[l])
    );
  end

  assign all_synced    = &lane_synced;
  assign lane_synced_o = lane_synced;

  // ---- deskew and elastic buffer ------------------------------------------------------------------
  logic [LinkLanes*10-1:0]   head, col;
  logic [LinkLanes-1:0]      head_valid, discard;
  logic [LinkLanes*LvlW-1:0] level;
  logic                      col_valid;

  lpu_link_deskew #(
    .LinkLanes (LinkLanes),
    .Depth     (EbDepth),
    .MaxSkew   (MaxSkew)
  ) u_deskew (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (rx_clear),
    .enable_i     (all_synced),
    .head_i       (head),
    .head_valid_i (head_valid),
    .level_i      (level),
    .discard_o    (discard),
    .aligned_o    (aligned)
  );

  lpu_link_elastic #(
    .LinkLanes (LinkLanes),
    .Depth     (EbDepth),
    .Target    (2)
  ) u_elastic (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (rx_clear),
    .wr_valid_i   (lane_valid),
    .wr_sym_i     (lane_sym),
    .discard_i    (discard),
    .run_i        (aligned),
    .pre_tick_i   (pre_tick),
    .tick_i       (tick),
    .head_o       (head),
    .head_valid_o (head_valid),
    .level_o      (level),
    .reading_o    (reading),
    .col_valid_o  (col_valid),
    .col_o        (col),
    .skip_add_o   (skip_add),
    .skip_drop_o  (skip_drop),
    .overflow_o   (eb_ovf),
    .underflow_o  (eb_udf),
    .hiwater_o    (eb_hiwater_o)
  );

  // ---- columns ----------------------------------------------------------------------------------
  lpu_link_rx_parse #(
    .LinkLanes (LinkLanes),
    .ConfigId  (CfgId8)
  ) u_parse (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (rx_clear),
    .deliver_i     (link_up),
    .col_valid_i   (col_valid),
    .col_i         (col),
    .col_valid_o   (col_rx_valid_o),
    .col_data_o    (col_rx_data_o),
    .col_k_o       (col_rx_k_o),
    .col_err_o     (col_rx_err_o),
    .ts_o          (ts_rx),
    .ts_type_o     (ts_type),
    .ts_ok_o       (ts_ok),
    .ts_mismatch_o (ts_mism),
    .deskew_err_o  (dsk_err)
  );

  // ---- counters ---------------------------------------------------------------------------------
  logic [NumCnt*IncW-1:0] inc;
  logic [IncW-1:0]        n_cerr, n_derr, n_loss;

  always_comb begin
    n_cerr = '0;
    n_derr = '0;
    n_loss = '0;
    for (int unsigned l = 0; l < LinkLanes; l++) begin
      n_cerr = n_cerr + IncW'(lane_cerr[l]);
      n_derr = n_derr + IncW'(lane_derr[l]);
      n_loss = n_loss + IncW'(lane_loss[l]);
    end
    inc = '0;
    inc[lpu_link_pkg::CNT_RETRAINS    * IncW +: IncW] = IncW'(retrain);
    inc[lpu_link_pkg::CNT_CODE_ERR    * IncW +: IncW] = n_cerr;
    inc[lpu_link_pkg::CNT_DISP_ERR    * IncW +: IncW] = n_derr;
    inc[lpu_link_pkg::CNT_SKIP_ADD    * IncW +: IncW] = IncW'(skip_add);
    inc[lpu_link_pkg::CNT_SKIP_DROP   * IncW +: IncW] = IncW'(skip_drop);
    inc[lpu_link_pkg::CNT_EB_ERR      * IncW +: IncW] = IncW'(eb_ovf || eb_udf);
    inc[lpu_link_pkg::CNT_DESKEW_ERR  * IncW +: IncW] = IncW'(dsk_err);
    inc[lpu_link_pkg::CNT_TS_MISMATCH * IncW +: IncW] = IncW'(ts_mism);
    inc[lpu_link_pkg::CNT_SYNC_LOSS   * IncW +: IncW] = n_loss;
    inc[lpu_link_pkg::CNT_LINK_UP     * IncW +: IncW] = IncW'(up_evt);
  end

  lpu_link_counters #(
    .NumCnt   (NumCnt),
    .CntWidth (CntWidth),
    .IncW     (IncW)
  ) u_counters (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .inc_i  (inc),
    .cnt_o  (status_cnt_o)
  );

`ifndef SYNTHESIS
  initial begin
    if (LinkLanes < 1 || LinkLanes > 4) $fatal(1, "lpu_link_phy: LinkLanes must be 1..4");
    if (SkipInterval < 16 || SkipInterval > 1023) $fatal(1, "lpu_link_phy: SkipInterval must be 16..1023");
  end
`endif

endmodule
