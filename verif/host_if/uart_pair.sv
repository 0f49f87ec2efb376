// Testbench wrapper: one lpu_uart_tx and one lpu_uart_rx with the same divider, not connected
// to each other; the C++ test connects them (loopback) or drives rx_i with its own waveform.
module uart_pair #(
  parameter int unsigned ClksPerBit = 4,
  parameter bit          Ddr        = 1'b0
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       tx_valid_i,
  input  logic [7:0] tx_data_i,
  output logic       tx_ready_o,
  output logic       tx_o,
  output logic       tx_busy_o,
  input  logic       rx_i,
  output logic       rx_valid_o,
  output logic [7:0] rx_data_o,
  output logic       rx_ferr_o,
  output logic       rx_busy_o
);

  lpu_uart_tx #(
    .ClksPerBit (ClksPerBit)
  ) u_tx (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .valid_i (tx_valid_i),
    .data_i  (tx_data_i),
    .ready_o (tx_ready_o),
    .tx_o    (tx_o),
    .busy_o  (tx_busy_o)
  );

  lpu_uart_rx #(
    .ClksPerBit (ClksPerBit),
    .Ddr        (Ddr)
  ) u_rx (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .rx_i        (rx_i),
    .valid_o     (rx_valid_o),
    .data_o      (rx_data_o),
    .frame_err_o (rx_ferr_o),
    .busy_o      (rx_busy_o)
  );

endmodule
