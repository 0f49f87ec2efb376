// UART receiver, 8N1, ClksPerBit clock cycles per bit (docs/host-if.md "UART").
//
// rx_i is asynchronous: it passes a 2-flop synchroniser. With Ddr = 1 it is also sampled on
// the falling clock edge (that flop is resolved by the next rising edge), which doubles the
// samples per bit: S = ClksPerBit * (Ddr ? 2 : 1) samples per bit, processed in time order,
// one or two per cycle. A falling edge starts a byte; each bit is sampled
// H = floor((S-1)/2) samples after the first 0 sample plus S samples per bit. A 1 in the
// middle of the start bit is a false start; a 0 in the middle of the stop bit a framing
// error (frame_err_o, the byte is dropped). Requires S >= 3.
//
// valid_o/data_o (and frame_err_o) are registered one-cycle pulses.
module lpu_uart_rx #(
  parameter int unsigned ClksPerBit = 33,
  parameter bit          Ddr        = 1'b0
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,
  output logic       valid_o,
  output logic [7:0] data_o,
  output logic       frame_err_o,
  output logic       busy_o      // a byte is being received
);

  localparam int unsigned Spc  = Ddr ? 2 : 1;            // samples per clock cycle
  localparam int unsigned S    = ClksPerBit * Spc;       // samples per bit
  localparam int unsigned H    = (S - 1) / 2;            // first 0 sample -> middle of start
  localparam int unsigned CntW = $clog2(S + 1);

  // ---------------------------------------------------------------------------------------
  // Synchroniser. samp[0] is the older sample of a cycle, samp[Spc-1] the newer.
  // ---------------------------------------------------------------------------------------
  logic p_sync1_q, p_sync2_q;
  logic [Spc-1:0] samp;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      p_sync1_q <= 1'b1;
      p_sync2_q <= 1'b1;
    end else begin
      p_sync1_q <= rx_i;
      p_sync2_q <= p_sync1_q;
    end
  end

  if (Ddr) begin : gen_ddr
    // Falling-edge sample at t+0.5, resolved at the rising edge t+1: it is half a cycle newer
    // than p_sync2_q (the rising-edge sample of t, through two flops).
    logic n_samp_q, n_sync1_q;

    always_ff @(negedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        n_samp_q <= 1'b1;
      end else begin
        n_samp_q <= rx_i;
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        n_sync1_q <= 1'b1;
      end else begin
        n_sync1_q <= n_samp_q;
      end
    end

    assign samp = {n_sync1_q, p_sync2_q};
  end else begin : gen_sdr
    assign samp = p_sync2_q;
  end

  // ---------------------------------------------------------------------------------------
  // Bit timing: the samples of this cycle, one after the other.
  // ---------------------------------------------------------------------------------------
  logic            active_q, active_d;   // between a start edge and the stop-bit sample
  logic            last_q, last_d;       // the previous sample (edge detection)
  logic [CntW-1:0] cnt_q, cnt_d;         // samples left to the next sample point
  logic [3:0]      bit_q, bit_d;         // sample points taken: 1 start, 2..9 data, 10 stop
  logic [7:0]      shift_q, shift_d;
  logic            valid_q, valid_d;
  logic            ferr_q, ferr_d;
  logic [7:0]      data_q, data_d;

  always_comb begin
    active_d = active_q;
    last_d   = last_q;
    cnt_d    = cnt_q;
    bit_d    = bit_q;
    shift_d  = shift_q;
    valid_d  = 1'b0;
    ferr_d   = 1'b0;
    data_d   = data_q;
    for (int unsigned i = 0; i < Spc; i++) begin
      if (!active_d) begin
        if (last_d && !samp[i]) begin
          active_d = 1'b1;
          cnt_d    = CntW'(H);
          bit_d    = 4'd0;
        end
      end else if (cnt_d != '0) begin
        cnt_d = cnt_d - 1'b1;
      end
      // Sample point (H >= 1, so never the sample that detected the edge).
      if (active_d && cnt_d == '0) begin
        cnt_d = CntW'(S);
        bit_d = bit_d + 4'd1;
        if (bit_d == 4'd1) begin
          if (samp[i]) active_d = 1'b0;          // false start
        end else if (bit_d <= 4'd9) begin
          shift_d = {samp[i], shift_d[7:1]};     // data, LSB first
        end else begin
          active_d = 1'b0;                       // stop bit
          if (samp[i]) begin
            valid_d = 1'b1;
            data_d  = shift_d;
          end else begin
            ferr_d = 1'b1;
          end
        end
      end
      last_d = samp[i];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      last_q   <= 1'b1;
      cnt_q    <= '0;
      bit_q    <= 4'd0;
      shift_q  <= 8'd0;
      valid_q  <= 1'b0;
      ferr_q   <= 1'b0;
      data_q   <= 8'd0;
    end else begin
      active_q <= active_d;
      last_q   <= last_d;
      cnt_q    <= cnt_d;
      bit_q    <= bit_d;
      shift_q  <= shift_d;
      valid_q  <= valid_d;
      ferr_q   <= ferr_d;
      data_q   <= data_d;
    end
  end

  assign valid_o     = valid_q;
  assign data_o      = data_q;
  assign frame_err_o = ferr_q;
  assign busy_o      = active_q;

`ifndef SYNTHESIS
  initial begin
    if (S < 3) $fatal(1, "lpu_uart_rx: ClksPerBit * (Ddr ? 2 : 1) must be >= 3");
  end
`endif

endmodule
