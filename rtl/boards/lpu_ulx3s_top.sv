// ULX3S board top (ECP5 LFE5U-85F, configuration base by default): the 25 MHz oscillator through the
// ECP5 PLL to two clocks, a reset synchroniser, the LPU (lpu_top: core, host interface, UART) on
// the FT231X USB-UART, status LEDs and the FIRE1 button as reset (docs/boards.md).
// Pins: constraints/ulx3s.lpf. Build: `make bitstream BOARD=ulx3s`.
//
// Clocks (docs/boards.md "Clocks"): the PLL makes the core clock (ClkMhz) and clk2x at exactly
// twice it, with every rising edge of the core clock on a rising edge of clk2x. With
// DspPump = 2 (base) the MULT18X18D of the MXU array and the vector multiplier run on clk2x and
// do two multiplies per core cycle (lpu_dsp2x); the paths between the two clocks then have
// half a core period. With DspPump = 1 (tiny: its array has no DSP PEs) clk2x is left unused.
// Everything else, the reset included, is on the core clock.
//
// LEDs (1 = lit): 0 running, 1 the last run ended (halt or error), 2 link 0 up, 3 a host
// frame is being received, 4 link 1 up, 5 the last run ended with an error, 7 heartbeat (about
// 1.3 Hz at 100 MHz: the core clock runs).
//
// Chip-to-chip links on GPIO header J1 (single-ended LVCMOS33): link k, lane l transmits on
// GP(4k+l) (link_tx_o[4k+l]) and receives on GN(4k+l) (link_rx_i[4k+l]); base uses all eight
// pairs (2 links x 4 lanes), tiny lane 0 of each link. Two boards: link 0 of one to link 1 of
// the other, TX to RX both ways, and a common ground (docs/boards.md "Two boards").
module lpu_ulx3s_top #(
  // The board's configuration is base; tiny also fits the 85F (a smaller, quicker build).
  parameter int unsigned CfgId       = lpu_isa_pkg::CFG_BASE_ID,
  // Core clock and the PLL dividers that make it and its double from 25 MHz: 2 * ClkMhz =
  // 25 * PllClkfbDiv / PllClkiDiv, VCO = 2 * ClkMhz * PllClkopDiv (scripts/bitstream.sh sets
  // all four together; lpu_ecp5_pll checks that they agree).
  parameter int unsigned ClkMhz      = lpu_isa_pkg::CFG_BASE_FMAX_TARGET_MHZ,
  parameter int unsigned PllClkiDiv  = 1,
  parameter int unsigned PllClkfbDiv = 8,
  parameter int unsigned PllClkopDiv = 3,
  // 2: the DSP multipliers run on clk2x, two multiplies per core cycle; 1: clk2x unused.
  parameter int unsigned DspPump     = (CfgId == lpu_isa_pkg::CFG_TINY_ID) ? 1 : 2,
  // Host link: the FT231X runs at most 3 Mbaud (docs/host-if.md "UART").
  parameter int unsigned Baud        = 3_000_000,
  parameter int unsigned MaxData     = 4096,
  // 0: a single-chip build without the links' hardware (FPGA_LINKS=0; lpu_core WithLinks).
  parameter bit          WithLinks   = 1'b1
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
  logic clk_core, clk2x, pll_locked, rst_core_n;

  lpu_ecp5_pll #(
    .InMhz    (25),
    .OutMhz   (ClkMhz),
    .ClkiDiv  (PllClkiDiv),
    .ClkfbDiv (PllClkfbDiv),
    .ClkopDiv (PllClkopDiv)
  ) u_pll (
    .clk_i    (clk_25mhz_i),
    .clk_o    (clk_core),
    .clk2x_o  (clk2x),
    .locked_o (pll_locked)
  );

  lpu_reset_sync u_rst_sync (
    .clk_i   (clk_core),
    .arst_ni (pll_locked && !btn_fire1_i),
    .rst_no  (rst_core_n)
  );

  // ---------------------------------------------------------------------------------------
  // The LPU, its links on J1 (link k, lane l on GP/GN(4k+l)), and the status LEDs.
  // ---------------------------------------------------------------------------------------
  logic running, done, error, mid_frame, heartbeat;
  logic [1:0] link_up;

  lpu_board_lpu #(
    .CfgId        (CfgId),
    .ClkMhz       (ClkMhz),
    .Baud         (Baud),
    .MaxData      (MaxData),
    .HdrLinks     (2),
    .HdrLanes     (4),
    .HeartbeatBit (HeartbeatBit),
    .DspPump      (DspPump),
    .WithLinks    (WithLinks),
    .GlobalBuf    (1)
  ) u_board (
    .clk_i       (clk_core),
    .clk2x_i     (clk2x),
    .rst_ni      (rst_core_n),
    .uart_rx_i   (ftdi_txd_i),
    .uart_tx_o   (ftdi_rxd_o),
    .hdr_tx_o    (link_tx_o),
    .hdr_rx_i    (link_rx_i),
    .running_o   (running),
    .done_o      (done),
    .error_o     (error),
    .mid_frame_o (mid_frame),
    .link_up_o   (link_up),
    .heartbeat_o (heartbeat)
  );

  assign led_o = {heartbeat, 1'b0, error, link_up[1], mid_frame, link_up[0], done, running};
  assign wifi_gpio0_o = 1'b1;

endmodule
