// Formal properties of lpu_uart_tx and lpu_uart_rx (verif/formal/lpu_uart.sby,
// docs/verification.md "Formal"): the transmitter's line drives the receiver (loopback),
// both with ClksPerBit clocks per bit, the receiver single-rate (Ddr = 0).
//
// * tx handshake: an accepted byte lowers ready_o the next cycle (it is held: nothing is
//   taken over it), ready_o is high again within one frame (10 bit times), and an idle
//   transmitter (!busy_o) is ready and holds the line high.
// * no lost or invented byte: the n-th byte the receiver delivers is the n-th byte the
//   transmitter accepted (n chosen by the solver), never a framing error, never more bytes
//   than were sent, and while bytes are outstanding a delivery comes at least every
//   Latency cycles (the frame ahead, the byte's own frame, the receiver's latency).
module lpu_uart_props #(
  parameter int unsigned ClksPerBit = 3
) (
  input logic       clk_i,
  input logic       rst_ni,
  input logic       valid_i,
  input logic [7:0] data_i
);

  localparam int unsigned Frame = 10 * ClksPerBit;
  // Accept to delivery of a byte sent by an idle transmitter (docs/host-if.md "UART"): the
  // start bit is on the line 2 cycles after the accept (holding register, tx register); the
  // middle of the stop bit is 9.5 bit times later; valid_o follows at most 3 cycles after.
  localparam int unsigned LatFirst = 2 + (19 * ClksPerBit + 1) / 2 + 3;
  // Any byte: it may first wait for the frame ahead of it.
  localparam int unsigned Latency = Frame + LatFirst;

  logic       ready, line, tx_busy;
  logic       rx_valid, rx_ferr, rx_busy;
  logic [7:0] rx_data;

  lpu_uart_tx #(
    .ClksPerBit (ClksPerBit)
  ) u_tx (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .valid_i (valid_i),
    .data_i  (data_i),
    .ready_o (ready),
    .tx_o    (line),
    .busy_o  (tx_busy)
  );

  lpu_uart_rx #(
    .ClksPerBit (ClksPerBit),
    .Ddr        (1'b0)
  ) u_rx (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .rx_i        (line),
    .valid_o     (rx_valid),
    .data_o      (rx_data),
    .frame_err_o (rx_ferr),
    .busy_o      (rx_busy)
  );

  // Reset in the first cycle only (a reset in the middle of a frame legitimately loses it).
  logic init_q = 1'b1;
  always_ff @(posedge clk_i) init_q <= 1'b0;
  always_comb assume (rst_ni == !init_q);

  logic accept;
  assign accept = valid_i && ready;

`ifdef FULL_RATE
  // A producer that always has its next byte: valid_i stays high (data free), so the frames
  // leave back to back and the receiver must find each start bit right after a stop bit.
  always_comb if (rst_ni) assume (valid_i);
`endif

  // ---------------------------------------------------------------------------------------
  // Scoreboard: byte number `k` (solver's choice) is followed from accept to delivery.
  // ---------------------------------------------------------------------------------------
  (* anyconst *) logic [1:0] k;

  logic [2:0]  sent_q, recv_q;     // bytes accepted / delivered so far (saturating)
  logic [7:0]  k_data_q;
  logic        k_sent_q;
  logic [7:0]  wait_q;             // cycles without a delivery while bytes are outstanding
  logic [7:0]  nready_q;           // cycles ready has been low

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      sent_q   <= 3'd0;
      recv_q   <= 3'd0;
      k_sent_q <= 1'b0;
      wait_q   <= 8'd0;
      nready_q <= 8'd0;
    end else begin
      if (accept && sent_q != 3'd7) sent_q <= sent_q + 3'd1;
      if (rx_valid && recv_q != 3'd7) recv_q <= recv_q + 3'd1;
      if (accept && sent_q == 3'(k)) begin
        k_sent_q <= 1'b1;
        k_data_q <= data_i;
      end
      // Progress: cycles without a delivery while a byte is outstanding (restarts at each
      // delivery and whenever nothing is outstanding).
      if (rx_valid || sent_q == recv_q) wait_q <= 8'd0;
      else if (wait_q != 8'hff)          wait_q <= wait_q + 8'd1;
      nready_q <= ready ? 8'd0 : nready_q + 8'd1;
    end
  end

  always_comb begin
    if (rst_ni) begin
      // Handshake.
      if (!tx_busy) assert (ready && line);
      assert (32'(nready_q) <= Frame);
      // Loopback.
      assert (!rx_ferr);
      assert (recv_q <= sent_q);
      if (rx_valid && recv_q == 3'(k)) assert (k_sent_q && rx_data == k_data_q);
      assert (32'(wait_q) <= Latency);
    end
  end

  logic accept_q;
  always_ff @(posedge clk_i) accept_q <= accept && rst_ni;
  always_comb if (rst_ni && accept_q) assert (!ready);

`ifdef FULL_RATE
  // Full rate: the first byte (accepted in the first cycle after reset) arrives within
  // LatFirst, and every further one exactly one frame after the one before (back to back,
  // no idle time, each start bit found right after a stop bit). This also makes the data
  // checks above non-vacuous: the deliveries must happen.
  logic [7:0] t_q;      // cycles since the reset cycle
  logic [7:0] since_q;  // cycles since the last delivery
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      t_q     <= 8'd0;
      since_q <= 8'd0;
    end else begin
      if (t_q != 8'hff) t_q <= t_q + 8'd1;
      since_q <= rx_valid ? 8'd1 : since_q + 8'd1;
    end
  end
  always_comb begin
    if (rst_ni) begin
      if (recv_q == 3'd0) begin
        assert (32'(t_q) <= LatFirst);
      end else begin
        assert (32'(since_q) <= Frame);
        if (rx_valid) assert (32'(since_q) == Frame);
      end
    end
  end
`endif

endmodule
