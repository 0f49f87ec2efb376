// Lattice iCE40 pin wrapper for the link's serial lanes (docs/link.md "Physical layer"): puts
// the transmit flop and the receiver's first sampling flop into the SB_IO cells.
//
// Synthesis (Yosys defines SYNTHESIS): per transmit lane an SB_IO with a registered output
// (PIN_TYPE 0101_01), per receive lane an SB_IO with a registered input (PIN_TYPE 0000_00):
// D_IN_0 is sampled at the rising edge and feeds the PHY (the first flop of the receiver's
// synchroniser); D_IN_1, the falling-edge sample, comes out as rx_fall_o for a future CDR that
// takes two samples per cycle (docs/link.md). Simulation and lint: plain flops.
module lpu_link_io_ice40 #(
  parameter int unsigned LinkLanes = 1
) (
  input  logic                 clk_i,
  input  logic [LinkLanes-1:0] tx_i,       // lpu_link_phy ser_tx_o
  output logic [LinkLanes-1:0] tx_pad_o,
  input  logic [LinkLanes-1:0] rx_pad_i,
  output logic [LinkLanes-1:0] rx_o,       // -> lpu_link_phy ser_rx_i
  output logic [LinkLanes-1:0] rx_fall_o   // falling-edge samples (for a future DDR CDR)
);

`ifdef SYNTHESIS
  for (genvar l = 0; l < LinkLanes; l++) begin : gen_lane
    SB_IO #(
      .PIN_TYPE (6'b0101_01)
    ) u_tx (
      .PACKAGE_PIN   (tx_pad_o[l]),
      .CLOCK_ENABLE  (1'b1),
      .OUTPUT_CLK    (clk_i),
      .OUTPUT_ENABLE (1'b1),
      .D_OUT_0       (tx_i[l]),
      .D_OUT_1       (tx_i[l])
    );
    SB_IO #(
      .PIN_TYPE (6'b0000_00)
    ) u_rx (
      .PACKAGE_PIN  (rx_pad_i[l]),
      .CLOCK_ENABLE (1'b1),
      .INPUT_CLK    (clk_i),
      .D_IN_0       (rx_o[l]),
      .D_IN_1       (rx_fall_o[l])
    );
  end
`else
  logic [LinkLanes-1:0] tx_q, rx_q, rx_fall_q;

  always_ff @(posedge clk_i) begin
    tx_q <= tx_i;
    rx_q <= rx_pad_i;
  end

  always_ff @(negedge clk_i) begin
    rx_fall_q <= rx_pad_i;
  end

  assign tx_pad_o  = tx_q;
  assign rx_o      = rx_q;
  assign rx_fall_o = rx_fall_q;
`endif

endmodule
