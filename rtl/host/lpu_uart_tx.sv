// UART transmitter, 8N1, ClksPerBit clock cycles per bit (docs/host-if.md "UART").
//
// valid_i/data_i/ready_o: a byte is taken into a one-byte holding register when that is empty
// (ready_o, from a register; valid_i may wait for it). The shift register loads the held byte
// in the cycle the previous stop bit ends, so consecutive bytes leave back to back (10 bit
// times each, no idle gap). tx_o comes straight from a register (idle high).
module lpu_uart_tx #(
  parameter int unsigned ClksPerBit = 33
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       valid_i,
  input  logic [7:0] data_i,
  output logic       ready_o,
  output logic       tx_o,
  output logic       busy_o    // a byte is held or on the line
);

  localparam int unsigned CntW = (ClksPerBit > 1) ? $clog2(ClksPerBit) : 1;
  localparam logic [CntW-1:0] CntLast = CntW'(ClksPerBit - 1);

  logic            hold_valid_q, hold_valid_d;
  logic [7:0]      hold_q, hold_d;
  logic            active_q, active_d;    // a frame (start, 8 data, stop) is on the line
  logic [8:0]      shift_q, shift_d;      // bits still to send after the current one
  logic [3:0]      bit_q, bit_d;          // bits of the frame sent so far (0..9)
  logic [CntW-1:0] cnt_q, cnt_d;          // clocks of the current bit so far
  logic            tx_q, tx_d;

  logic bit_end, frame_end, load;

  assign bit_end   = active_q && (cnt_q == CntLast);
  assign frame_end = bit_end && (bit_q == 4'd9);
  // The shifter takes the held byte when it is idle or its stop bit ends this cycle.
  assign load      = hold_valid_q && (!active_q || frame_end);

  always_comb begin
    hold_valid_d = hold_valid_q;
    hold_d       = hold_q;
    active_d     = active_q;
    shift_d      = shift_q;
    bit_d        = bit_q;
    cnt_d        = cnt_q;
    tx_d         = tx_q;

    if (active_q) begin
      cnt_d = bit_end ? '0 : cnt_q + 1'b1;
      if (bit_end) begin
        bit_d   = bit_q + 4'd1;
        tx_d    = shift_q[0];
        shift_d = {1'b1, shift_q[8:1]};
      end
      if (frame_end) begin
        active_d = 1'b0;
        tx_d     = 1'b1;
      end
    end

    if (load) begin
      active_d     = 1'b1;
      cnt_d        = '0;
      bit_d        = 4'd0;
      tx_d         = 1'b0;                // start bit
      shift_d      = {1'b1, hold_q};      // data LSB first, then the stop bit
      hold_valid_d = 1'b0;
    end

    if (valid_i && !hold_valid_q) begin
      hold_valid_d = 1'b1;
      hold_d       = data_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      hold_valid_q <= 1'b0;
      hold_q       <= 8'd0;
      active_q     <= 1'b0;
      shift_q      <= 9'h1ff;
      bit_q        <= 4'd0;
      cnt_q        <= '0;
      tx_q         <= 1'b1;
    end else begin
      hold_valid_q <= hold_valid_d;
      hold_q       <= hold_d;
      active_q     <= active_d;
      shift_q      <= shift_d;
      bit_q        <= bit_d;
      cnt_q        <= cnt_d;
      tx_q         <= tx_d;
    end
  end

  assign ready_o = !hold_valid_q;
  assign tx_o    = tx_q;
  assign busy_o  = hold_valid_q || active_q;

endmodule
