// The LPU as a board sees it: lpu_core behind the host interface and its UART
// (docs/host-if.md). The side door (sd_*) lets a simulation exchange protocol bytes with the
// parser directly, bypassing the UART; a board ties sd_en_i, sd_rx_valid_i and sd_flush_i to 0
// and synthesis removes it.
module lpu_top #(
  parameter int unsigned CfgId     = lpu_isa_pkg::CFG_BASE_ID,
  parameter int unsigned ClkHz     = 1_000_000 *
      ((CfgId == lpu_isa_pkg::CFG_TINY_ID) ? lpu_isa_pkg::CFG_TINY_FMAX_TARGET_MHZ
                                          : lpu_isa_pkg::CFG_BASE_FMAX_TARGET_MHZ),
  parameter int unsigned Baud      = 3_000_000,
  parameter bit          Ddr       = 1'b0,        // sample rx on both clock edges
  parameter int unsigned MaxData   = 4096,
  parameter int unsigned GapMs     = 100,
  parameter int unsigned GapCycles = ClkHz / 1000 * GapMs,
  parameter bit          Emulated  = 1'b0,
  // Implementation choice: 2 runs the array's DSP multipliers on clk2x_i, each serving two
  // PEs (lpu_core DspPump); 1 leaves clk2x_i unused.
  parameter int unsigned DspPump   = 1,
  // Implementation choice: 0 builds the chip without its links' hardware (lpu_core WithLinks).
  parameter bit          WithLinks = 1'b1,
  // Implementation choice of the board top: the core's reset and stop on global networks
  // (lpu_gbuf Kind: 0 wire, 1 ECP5 DCCA).
  parameter int unsigned GlobalBuf = 0,
  // Derived from the package; not meant to be overridden.
  localparam bit          Tiny      = (CfgId == lpu_isa_pkg::CFG_TINY_ID),
  localparam int unsigned Links     = Tiny ? lpu_isa_pkg::CFG_TINY_LINKS
                                           : lpu_isa_pkg::CFG_BASE_LINKS,
  localparam int unsigned LinkLanes = Tiny ? lpu_isa_pkg::CFG_TINY_LINK_LANES
                                           : lpu_isa_pkg::CFG_BASE_LINK_LANES,
  localparam int unsigned LinkPins  = Links * LinkLanes
) (
  input  logic       clk_i,
  input  logic       clk2x_i,    // DspPump = 2: twice clk_i, rising edges aligned
  input  logic       rst_ni,
  // UART to the USB bridge.
  input  logic       uart_rx_i,
  output logic       uart_tx_o,
  // Side door (simulation).
  input  logic       sd_en_i,
  input  logic       sd_rx_valid_i,
  input  logic [7:0] sd_rx_data_i,
  output logic       sd_rx_ready_o,
  output logic       sd_tx_valid_o,
  output logic [7:0] sd_tx_data_o,
  input  logic       sd_tx_ready_i,
  input  logic       sd_flush_i,
  // Status.
  output logic       idle_o,
  output logic       mid_frame_o,
  output logic       running_o,
  output logic       done_o,
  output logic       error_o,
  // Chip-to-chip links (docs/link.md): link k, lane l is bit k*LinkLanes + l.
  output logic [LinkPins-1:0] link_tx_o,
  input  logic [LinkPins-1:0] link_rx_i,   // asynchronous to clk_i (the PHY synchronises)
  output logic [Links-1:0]    link_up_o
);

  localparam int unsigned Lanes      = Tiny ? lpu_isa_pkg::CFG_TINY_LANES : lpu_isa_pkg::CFG_BASE_LANES;
  localparam int unsigned HostW      = Lanes * 32;
  localparam int unsigned ClksPerBit = (ClkHz + Baud / 2) / Baud;

  // ---------------------------------------------------------------------------------------
  // UART.
  // ---------------------------------------------------------------------------------------
  logic       urx_valid, urx_ferr, urx_busy;
  logic [7:0] urx_data;
  logic       utx_valid, utx_ready, utx_busy;

  lpu_uart_rx #(
    .ClksPerBit (ClksPerBit),
    .Ddr        (Ddr)
  ) u_uart_rx (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .rx_i        (uart_rx_i),
    .valid_o     (urx_valid),
    .data_o      (urx_data),
    .frame_err_o (urx_ferr),
    .busy_o      (urx_busy)
  );

  // ---------------------------------------------------------------------------------------
  // Host interface: bytes from the UART or the side door.
  // ---------------------------------------------------------------------------------------
  logic             hif_rx_valid, hif_rx_ready, hif_tx_valid, hif_tx_ready;
  logic [7:0]       hif_rx_data, hif_tx_data;
  logic             hif_idle;
  logic             core_req, core_we, core_rvalid, core_err, core_rst;
  logic [2:0]       core_space;
  logic [3:0]       core_bank;
  logic [31:0]      core_addr;
  logic [HostW-1:0] core_wdata, core_rdata;
  logic             running;

  // A UART byte that arrives while the engine is busy is dropped (docs/host-if.md).
  assign hif_rx_valid  = sd_en_i ? sd_rx_valid_i : urx_valid;
  assign hif_rx_data   = sd_en_i ? sd_rx_data_i : urx_data;
  assign sd_rx_ready_o = sd_en_i && hif_rx_ready;

  assign hif_tx_ready  = sd_en_i ? sd_tx_ready_i : utx_ready;
  assign utx_valid     = !sd_en_i && hif_tx_valid;
  assign sd_tx_valid_o = sd_en_i && hif_tx_valid;
  assign sd_tx_data_o  = hif_tx_data;

  lpu_uart_tx #(
    .ClksPerBit (ClksPerBit)
  ) u_uart_tx (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .valid_i (utx_valid),
    .data_i  (hif_tx_data),
    .ready_o (utx_ready),
    .tx_o    (uart_tx_o),
    .busy_o  (utx_busy)
  );

  lpu_host_if #(
    .CfgId     (CfgId),
    .MaxData   (MaxData),
    .GapCycles (GapCycles),
    .ClkHz     (ClkHz),
    .GapMs     (GapMs),
    .Emulated  (Emulated)
  ) u_host_if (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .rx_valid_i     (hif_rx_valid),
    .rx_data_i      (hif_rx_data),
    .rx_ready_o     (hif_rx_ready),
    .tx_valid_o     (hif_tx_valid),
    .tx_data_o      (hif_tx_data),
    .tx_ready_i     (hif_tx_ready),
    .flush_i        (sd_flush_i),
    .idle_o         (hif_idle),
    .mid_frame_o    (mid_frame_o),
    .core_req_o     (core_req),
    .core_we_o      (core_we),
    .core_space_o   (core_space),
    .core_bank_o    (core_bank),
    .core_addr_o    (core_addr),
    .core_wdata_o   (core_wdata),
    .core_rvalid_i  (core_rvalid),
    .core_err_i     (core_err),
    .core_rdata_i   (core_rdata),
    .core_running_i (running),
    .core_rst_o     (core_rst)
  );

  // ---------------------------------------------------------------------------------------
  // The core. RESET holds it in reset through a register of the host interface, so its reset
  // asserts and releases in step with clk_i.
  // ---------------------------------------------------------------------------------------
  logic core_rst_n, core_rst_raw_n;
  assign core_rst_raw_n = rst_ni && !core_rst;

  // The core's reset reaches almost every flip-flop.
  lpu_gbuf #(
    .Kind      (GlobalBuf),
    .ActiveLow (1'b1)
  ) u_rst_gbuf (
    .in_i  (core_rst_raw_n),
    .out_o (core_rst_n)
  );

  lpu_core #(
    .CfgId   (CfgId),
    .DspPump   (DspPump),
    .WithLinks (WithLinks),
    .GlobalBuf (GlobalBuf)
  ) u_core (
    .clk_i         (clk_i),
    .clk2x_i       (clk2x_i),
    .rst_ni        (core_rst_n),
    .host_req_i    (core_req),
    .host_we_i     (core_we),
    .host_space_i  (core_space),
    .host_bank_i   (core_bank),
    .host_addr_i   (core_addr),
    .host_wdata_i  (core_wdata),
    .host_rvalid_o (core_rvalid),
    .host_err_o    (core_err),
    .host_rdata_o  (core_rdata),
    .running_o     (running),
    .done_o        (done_o),
    .error_o       (error_o),
    .link_tx_o     (link_tx_o),
    .link_rx_i     (link_rx_i),
    .link_up_o     (link_up_o)
  );

  assign running_o = running;
  // A received byte still in the receiver (busy, or in its output register) is not idle.
  assign idle_o    = hif_idle && !urx_busy && !urx_valid && !utx_busy && !running;

  // A framing error drops its byte; the frame it belonged to then fails its CRC or times out.
  logic unused_ferr;
  assign unused_ferr = urx_ferr;

endmodule
