// Lattice ECP5 pin wrapper for the link's serial lanes (docs/link.md "Physical layer"): puts
// the transmit flop and the receiver's first sampling flop into the I/O cells, so the line
// timing does not depend on fabric routing.
//
// Synthesis (Yosys defines SYNTHESIS): one ODDRX1F per transmit lane, both halves driven with
// the same bit (an SDR registered output), and one IDDRX1F per receive lane, whose rising-edge
// sample feeds the PHY (it is the first flop of the receiver's synchroniser). The IDDRX1F's
// falling-edge sample (rx_fall_o) is the next step: a CDR that takes two samples per cycle
// doubles the line rate at the same Osr (docs/link.md). Simulation and lint: plain flops.
module lpu_link_io_ecp5 #(
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
    ODDRX1F u_oddr (
      .D0   (tx_i[l]),
      .D1   (tx_i[l]),
      .SCLK (clk_i),
      .RST  (1'b0),
      .Q    (tx_pad_o[l])
    );
    IDDRX1F u_iddr (
      .D    (rx_pad_i[l]),
      .SCLK (clk_i),
      .RST  (1'b0),
      .Q0   (rx_o[l]),
      .Q1   (rx_fall_o[l])
    );
  end
`else
  logic [LinkLanes-1:0] tx_q, rx_q, rx_fall_q, rx_fall_sync_q;

  always_ff @(posedge clk_i) begin
    tx_q <= tx_i;
    rx_q <= rx_pad_i;
  end

  // The falling-edge sample, presented at the rising edge as the IDDRX1F does.
  always_ff @(negedge clk_i) begin
    rx_fall_q <= rx_pad_i;
  end

  always_ff @(posedge clk_i) begin
    rx_fall_sync_q <= rx_fall_q;
  end

  assign tx_pad_o  = tx_q;
  assign rx_o      = rx_q;
  assign rx_fall_o = rx_fall_sync_q;
`endif

endmodule
