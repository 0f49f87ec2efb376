// ULX3S board top (ECP5 LFE5U-85F, configuration base by default): the 25 MHz oscillator through the
// ECP5 PLL to the core clock, a reset synchroniser, the LPU (lpu_top: core, host interface,
// UART) on the FT231X USB-UART, status LEDs and the FIRE1 button as reset (docs/boards.md).
// Pins: constraints/ulx3s.lpf. Build: `make bitstream BOARD=ulx3s`.
//
// LEDs (1 = lit): 0 running, 1 the last run ended (halt or error), 2 link 0 up, 3 a host
// frame is being received, 4 link 1 up, 7 heartbeat (about 1.3 Hz at 100 MHz: the core clock
// runs).
//
// Chip-to-chip links on GPIO header J1 (single-ended LVCMOS33): link k, lane l transmits on
// GP(4k+l) (link_tx_o[4k+l]) and receives on GN(4k+l) (link_rx_i[4k+l]); base uses all eight
// pairs (2 links x 4 lanes), tiny lane 0 of each link. Two boards: link 0 of one to link 1 of
// the other, TX to RX both ways, and a common ground (docs/boards.md "Two boards").
module lpu_ulx3s_top #(
  // The board's configuration is base; tiny also fits the 85F (a smaller, quicker build).
  parameter int unsigned CfgId       = lpu_isa_pkg::CFG_BASE_ID,
  // Core clock and the PLL dividers that make it from 25 MHz (scripts/bitstream.sh sets all
  // four together; lpu_ecp5_pll checks that they agree).
  parameter int unsigned ClkMhz      = lpu_isa_pkg::CFG_BASE_FMAX_TARGET_MHZ,
  parameter int unsigned PllClkiDiv  = 1,
  parameter int unsigned PllClkfbDiv = 4,
  parameter int unsigned PllClkopDiv = 6,
  // Host link: the FT231X runs at most 3 Mbaud (docs/host-if.md "UART").
  parameter int unsigned Baud        = 3_000_000,
  parameter int unsigned MaxData     = 4096
) (
  input  logic       clk_25mhz_i,   // on-board oscillator
  input  logic       btn_fire1_i,   // FIRE1, active high (pulled down): reset while pressed
  input  logic       ftdi_txd_i,    // FT231X TXD: host to FPGA
  output logic       ftdi_rxd_o,    // FT231X RXD: FPGA to host
  output logic [7:0] led_o,
  output logic       wifi_gpio0_o,  // ESP32 GPIO0, held high so the ESP32 leaves the FPGA alone
  output logic [7:0] link_tx_o,     // J1 GP0..GP7
  input  logic [7:0] link_rx_i      // J1 GN0..GN7
);

  localparam int unsigned HeartbeatBit = 26;

  // ---------------------------------------------------------------------------------------
  // Clock and reset.
  // ---------------------------------------------------------------------------------------
  logic clk_core, pll_locked, rst_core_n;

  lpu_ecp5_pll #(
    .InMhz    (25),
    .OutMhz   (ClkMhz),
    .ClkiDiv  (PllClkiDiv),
    .ClkfbDiv (PllClkfbDiv),
    .ClkopDiv (PllClkopDiv)
  ) u_pll (
    .clk_i    (clk_25mhz_i),
    .clk_o    (clk_core),
    .locked_o (pll_locked)
  );

  lpu_reset_sync u_rst_sync (
    .clk_i   (clk_core),
    .arst_ni (pll_locked && !btn_fire1_i),
    .rst_no  (rst_core_n)
  );

  // ---------------------------------------------------------------------------------------
  // The LPU.
  // ---------------------------------------------------------------------------------------
  logic running, done, mid_frame;
  logic unused_sd_rx_ready, unused_sd_tx_valid, unused_idle;
  logic [7:0] unused_sd_tx_data;
  // Chip-to-chip links: link k, lane l on header bit 4k + l (the header carries links 0 and
  // 1, lanes 0..3; other lanes see an idle line).
  localparam bit          TinyCfg   = (CfgId == lpu_isa_pkg::CFG_TINY_ID);
  localparam int unsigned NumLinks  = TinyCfg ? lpu_isa_pkg::CFG_TINY_LINKS : lpu_isa_pkg::CFG_BASE_LINKS;
  localparam int unsigned LinkLanes = TinyCfg ? lpu_isa_pkg::CFG_TINY_LINK_LANES
                                              : lpu_isa_pkg::CFG_BASE_LINK_LANES;
  localparam int unsigned LinkPins  = NumLinks * LinkLanes;
  logic [LinkPins-1:0] core_link_tx, core_link_rx;
  logic [NumLinks-1:0] link_up;

  always_comb begin
    link_tx_o    = '0;
    core_link_rx = '0;
    for (int unsigned k = 0; k < NumLinks && k < 2; k++) begin
      for (int unsigned l = 0; l < LinkLanes && l < 4; l++) begin
        link_tx_o[4*k + l]           = core_link_tx[k*LinkLanes + l];
        core_link_rx[k*LinkLanes + l] = link_rx_i[4*k + l];
      end
    end
  end

  lpu_top #(
    .CfgId    (CfgId),
    .ClkHz    (ClkMhz * 1_000_000),
    .Baud     (Baud),
    .Ddr      (1'b0),
    .MaxData  (MaxData),
    .Emulated (1'b0)
  ) u_lpu (
    .clk_i         (clk_core),
    .rst_ni        (rst_core_n),
    .uart_rx_i     (ftdi_txd_i),
    .uart_tx_o     (ftdi_rxd_o),
    .sd_en_i       (1'b0),
    .sd_rx_valid_i (1'b0),
    .sd_rx_data_i  (8'h00),
    .sd_rx_ready_o (unused_sd_rx_ready),
    .sd_tx_valid_o (unused_sd_tx_valid),
    .sd_tx_data_o  (unused_sd_tx_data),
    .sd_tx_ready_i (1'b0),
    .sd_flush_i    (1'b0),
    .idle_o        (unused_idle),
    .mid_frame_o   (mid_frame),
    .running_o     (running),
    .done_o        (done),
    .link_tx_o     (core_link_tx),
    .link_rx_i     (core_link_rx),
    .link_up_o     (link_up)
  );

  // ---------------------------------------------------------------------------------------
  // Status LEDs.
  // ---------------------------------------------------------------------------------------
  logic [HeartbeatBit:0] beat_q;

  always_ff @(posedge clk_core or negedge rst_core_n) begin
    if (!rst_core_n) begin
      beat_q <= '0;
    end else begin
      beat_q <= beat_q + 1'b1;
    end
  end

  logic link1_up;
  assign link1_up = (NumLinks > 1) ? link_up[NumLinks > 1 ? 1 : 0] : 1'b0;
  assign led_o = {beat_q[HeartbeatBit], 2'b00, link1_up, mid_frame, link_up[0], done, running};
  assign wifi_gpio0_o = 1'b1;

endmodule
