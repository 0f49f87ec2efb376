// iCEBreaker board top (iCE40UP5K, configuration tiny): the 12 MHz oscillator through the
// iCE40 PLL to the core clock, a reset synchroniser, the LPU (lpu_top: core, host interface,
// UART) on interface B of the FT2232H, status LEDs and the user button as reset
// (docs/boards.md). Pins: constraints/icebreaker.pcf. Build: `make bitstream BOARD=icebreaker`.
//
// LEDs: red (on the main board) the last run ended (halt or error), green heartbeat (about
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
  parameter int unsigned MaxData   = 512
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
  // The LPU.
  // ---------------------------------------------------------------------------------------
  logic running, done, mid_frame;
  logic unused_sd_rx_ready, unused_sd_tx_valid, unused_idle;
  logic [7:0] unused_sd_tx_data;
  // Chip-to-chip links: one lane per link on the PMOD.
  localparam bit          TinyCfg   = (CfgId == lpu_isa_pkg::CFG_TINY_ID);
  localparam int unsigned NumLinks  = TinyCfg ? lpu_isa_pkg::CFG_TINY_LINKS : lpu_isa_pkg::CFG_BASE_LINKS;
  localparam int unsigned LinkLanes = TinyCfg ? lpu_isa_pkg::CFG_TINY_LINK_LANES
                                              : lpu_isa_pkg::CFG_BASE_LINK_LANES;
  localparam int unsigned LinkPins  = NumLinks * LinkLanes;
  logic [LinkPins-1:0] core_link_tx, core_link_rx;
  logic [NumLinks-1:0] link_up;

  // The PMOD carries lane 0 of links 0 and 1 (all of tiny's); other lanes see an idle line.
  always_comb begin
    link_tx_o    = '0;
    core_link_rx = '0;
    for (int unsigned k = 0; k < NumLinks && k < 2; k++) begin
      link_tx_o[k]               = core_link_tx[k*LinkLanes];
      core_link_rx[k*LinkLanes]  = link_rx_i[k];
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

  assign led_red_no   = !done;
  assign led_green_no = !beat_q[HeartbeatBit];
  assign led_o        = {beat_q[HeartbeatBit], mid_frame, |link_up, done, running};

endmodule
