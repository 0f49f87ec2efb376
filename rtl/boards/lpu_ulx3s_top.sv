// ULX3S board top (ECP5 LFE5U-85F, configuration base by default): the 25 MHz oscillator through the
// ECP5 PLL to the core clock, a reset synchroniser, the LPU (lpu_top: core, host interface,
// UART) on the FT231X USB-UART, status LEDs and the FIRE1 button as reset (docs/boards.md).
// Pins: constraints/ulx3s.lpf. Build: `make bitstream BOARD=ulx3s`.
//
// LEDs (1 = lit): 0 running, 1 the last run ended (halt or error), 2 link up (no link yet:
// off), 3 a host frame is being received, 7 heartbeat (about 1.3 Hz at 100 MHz: the core
// clock runs).
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
  output logic       wifi_gpio0_o   // ESP32 GPIO0, held high so the ESP32 leaves the FPGA alone
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
    .done_o        (done)
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

  assign led_o = {beat_q[HeartbeatBit], 3'b000, mid_frame, 1'b0, done, running};
  assign wifi_gpio0_o = 1'b1;

endmodule
