// The part of a board top that every board shares (docs/boards.md): the LPU (lpu_top) with its
// side door tied off (a board talks to the host over the UART only), its chip-to-chip links
// mapped to the board's header pins, and a heartbeat counter for a status LED.
//
// Header pins: link k, lane l is header bit HdrLanes*k + l, for links k < HdrLinks and lanes
// l < HdrLanes; the configuration's lanes beyond HdrLanes (and links beyond HdrLinks) see an
// idle line, and their header bits (when the configuration has fewer) are driven low.
module lpu_board_lpu #(
  parameter int unsigned CfgId        = lpu_isa_pkg::CFG_BASE_ID,
  parameter int unsigned ClkMhz       = lpu_isa_pkg::CFG_BASE_FMAX_TARGET_MHZ,
  parameter int unsigned Baud         = 3_000_000,
  parameter int unsigned MaxData      = 4096,
  parameter int unsigned HdrLinks     = 2,
  parameter int unsigned HdrLanes     = 4,
  parameter int unsigned HeartbeatBit = 26,
  // 2: the array's DSP multipliers run on clk2x_i, each serving two PEs (lpu_core DspPump).
  parameter int unsigned DspPump      = 1,
  // 0: a single-chip build without the links' hardware (lpu_core WithLinks); the header pins
  // then idle low and the links never come up.
  parameter bit          WithLinks    = 1'b1,
  // The core's reset and stop on global networks (lpu_top GlobalBuf: 0 wire, 1 ECP5 DCCA).
  parameter int unsigned GlobalBuf    = 0
) (
  input  logic                         clk_i,
  input  logic                         clk2x_i,    // DspPump = 2: twice clk_i, edges aligned
  input  logic                         rst_ni,
  input  logic                         uart_rx_i,
  output logic                         uart_tx_o,
  output logic [HdrLinks*HdrLanes-1:0] hdr_tx_o,
  input  logic [HdrLinks*HdrLanes-1:0] hdr_rx_i,
  output logic                         running_o,
  output logic                         done_o,
  output logic                         error_o,
  output logic                         mid_frame_o,
  output logic [1:0]                   link_up_o,   // links 0 and 1 up (0 for a missing link)
  output logic                         heartbeat_o  // bit HeartbeatBit of a free-running counter
);

  localparam bit          TinyCfg   = (CfgId == lpu_isa_pkg::CFG_TINY_ID);
  localparam int unsigned NumLinks  = TinyCfg ? lpu_isa_pkg::CFG_TINY_LINKS : lpu_isa_pkg::CFG_BASE_LINKS;
  localparam int unsigned LinkLanes = TinyCfg ? lpu_isa_pkg::CFG_TINY_LINK_LANES
                                              : lpu_isa_pkg::CFG_BASE_LINK_LANES;
  localparam int unsigned LinkPins  = NumLinks * LinkLanes;

  logic [LinkPins-1:0] core_link_tx, core_link_rx;
  logic [NumLinks-1:0] link_up;

  always_comb begin
    hdr_tx_o     = '0;
    core_link_rx = '0;
    for (int unsigned k = 0; k < NumLinks && k < HdrLinks; k++) begin
      for (int unsigned l = 0; l < LinkLanes && l < HdrLanes; l++) begin
        hdr_tx_o[HdrLanes*k + l]      = core_link_tx[k*LinkLanes + l];
        core_link_rx[k*LinkLanes + l] = hdr_rx_i[HdrLanes*k + l];
      end
    end
  end

  logic unused_sd_rx_ready, unused_sd_tx_valid, unused_idle;
  logic [7:0] unused_sd_tx_data;

  lpu_top #(
    .CfgId    (CfgId),
    .ClkHz    (ClkMhz * 1_000_000),
    .Baud     (Baud),
    .Ddr      (1'b0),
    .MaxData  (MaxData),
    .Emulated (1'b0),
    .DspPump   (DspPump),
    .WithLinks (WithLinks),
    .GlobalBuf (GlobalBuf)
  ) u_lpu (
    .clk_i         (clk_i),
    .clk2x_i       (clk2x_i),
    .rst_ni        (rst_ni),
    .uart_rx_i     (uart_rx_i),
    .uart_tx_o     (uart_tx_o),
    .sd_en_i       (1'b0),
    .sd_rx_valid_i (1'b0),
    .sd_rx_data_i  (8'h00),
    .sd_rx_ready_o (unused_sd_rx_ready),
    .sd_tx_valid_o (unused_sd_tx_valid),
    .sd_tx_data_o  (unused_sd_tx_data),
    .sd_tx_ready_i (1'b0),
    .sd_flush_i    (1'b0),
    .idle_o        (unused_idle),
    .mid_frame_o   (mid_frame_o),
    .running_o     (running_o),
    .done_o        (done_o),
    .error_o       (error_o),
    .link_tx_o     (core_link_tx),
    .link_rx_i     (core_link_rx),
    .link_up_o     (link_up)
  );

  assign link_up_o[0] = link_up[0];
  assign link_up_o[1] = (NumLinks > 1) ? link_up[NumLinks > 1 ? 1 : 0] : 1'b0;

  logic [HeartbeatBit:0] beat_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      beat_q <= '0;
    end else begin
      beat_q <= beat_q + 1'b1;
    end
  end

  assign heartbeat_o = beat_q[HeartbeatBit];

endmodule
