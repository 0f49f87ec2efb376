// iCEBreaker board top (iCE40UP5K, configuration tiny): the 12 MHz oscillator through the
// iCE40 PLL to the core clock, a reset synchroniser, the LPU (lpu_top: core, host interface,
// UART) on interface B of the FT2232H, status LEDs and the user button as reset
// (docs/boards.md). Pins: constraints/icebreaker.pcf. Build: `make bitstream BOARD=icebreaker`.
//
// LEDs: red (on the main board) the last run ended with an error, green heartbeat (about
// 1.4 Hz at 24 MHz). On the PMOD2 break-off board: LED1 running, LED2 ended, LED3 a link is
// up, LED4 a host frame is being received, LED5 heartbeat.
//
// Chip-to-chip links on PMOD1A (LVCMOS33, one lane per link on tiny): link k transmits on
// link_tx_o[k] and receives on link_rx_i[k] (link 0: P1A1 out, P1A2 in; link 1: P1A3 out,
// P1A4 in). Two boards: link 0 of one to link 1 of the other, TX to RX both ways, common
// ground (docs/boards.md "Two boards").
module lpu_icebreaker_top #(
  // The board's configuration is tiny (base needs far more than a UP5K).
  parameter int unsigned CfgId     = lpu_isa_pkg::CFG_TINY_ID,
  // Core clock and the PLL dividers that make it from 12 MHz (scripts/bitstream.sh sets them
  // together; lpu_ice40_pll checks that they agree).
  parameter int unsigned ClkMhz    = lpu_isa_pkg::CFG_TINY_FMAX_TARGET_MHZ,
  parameter int unsigned PllDivr   = 0,
  parameter int unsigned PllDivf   = 63,
  parameter int unsigned PllDivq   = 5,
  parameter int unsigned PllFilter = 1,
  // Host link: the `usb` transport runs the FT2232H at 3 Mbaud (docs/host-protocol.md).
  parameter int unsigned Baud      = 3_000_000,
  // One receive-buffer block RAM (docs/host-if.md "Resources").
  parameter int unsigned MaxData   = 512,
  // 0: a single-chip build without the links' hardware (FPGA_LINKS=0; lpu_core WithLinks).
  parameter bit          WithLinks = 1'b1
) (
  input  logic       clk_12mhz_i,   // on-board oscillator, a PLL-capable pad
  input  logic       btn_ni,        // user button, active low: reset while pressed
  input  logic       uart_rx_i,     // FT2232H interface B TXD: host to FPGA
  output logic       uart_tx_o,     // FT2232H interface B RXD: FPGA to host
  output logic       led_red_no,    // active low
  output logic       led_green_no,  // active low
  output logic [4:0] led_o,         // PMOD2 LED1..LED5, active high
  output logic [1:0] link_tx_o,     // PMOD1A P1A1, P1A3
  input  logic [1:0] link_rx_i      // PMOD1A P1A2, P1A4
);

  localparam int unsigned HeartbeatBit = 24;

  // ---------------------------------------------------------------------------------------
  // Clock and reset.
  // ---------------------------------------------------------------------------------------
  logic clk_core, pll_locked, rst_core_n;

  lpu_ice40_pll #(
    .InMhz  (12),
    .OutMhz (ClkMhz),
    .Divr   (PllDivr),
    .Divf   (PllDivf),
    .Divq   (PllDivq),
    .Filter (PllFilter)
  ) u_pll (
    .clk_i    (clk_12mhz_i),
    .clk_o    (clk_core),
    .locked_o (pll_locked)
  );

  lpu_reset_sync u_rst_sync (
    .clk_i   (clk_core),
    .arst_ni (pll_locked && btn_ni),
    .rst_no  (rst_core_n)
  );

  // ---------------------------------------------------------------------------------------
  // The LPU, lane 0 of links 0 and 1 on PMOD1A, and the status LEDs.
  // ---------------------------------------------------------------------------------------
  logic running, done, error, mid_frame, heartbeat;
  logic [1:0] link_up;

  lpu_board_lpu #(
    .CfgId        (CfgId),
    .ClkMhz       (ClkMhz),
    .Baud         (Baud),
    .MaxData      (MaxData),
    .HdrLinks     (2),
    .HdrLanes     (1),
    .HeartbeatBit (HeartbeatBit),
    .WithLinks    (WithLinks)
  ) u_board (
    .clk_i       (clk_core),
    .clk2x_i     (1'b0),
    .rst_ni      (rst_core_n),
    .uart_rx_i   (uart_rx_i),
    .uart_tx_o   (uart_tx_o),
    .hdr_tx_o    (link_tx_o),
    .hdr_rx_i    (link_rx_i),
    .running_o   (running),
    .done_o      (done),
    .error_o     (error),
    .mid_frame_o (mid_frame),
    .link_up_o   (link_up),
    .heartbeat_o (heartbeat)
  );

  assign led_red_no   = !error;
  assign led_green_no = !heartbeat;
  assign led_o        = {heartbeat, mid_frame, |link_up, done, running};

endmodule
