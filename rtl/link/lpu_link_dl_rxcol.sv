// Receive side of the data link layer's column adapter (docs/link.md "Framing"): a
// four-entry FIFO of received columns, read out one symbol per cycle in lane order (lane 0
// first) as the byte stream the deframer parses.
//
// The deframer takes a byte every cycle, so a column leaves the FIFO in LinkLanes cycles; the
// PHY delivers at most one column every 10 * Osr cycles (>= 10), so the FIFO only absorbs
// bursts. Should it ever overflow, the column is lost and the next column that fits is marked
// with symbol errors in every lane: the deframer then counts a frame error and the lost data
// is replayed like any other error, never silently dropped. flush_i (link down) empties it.
module lpu_link_dl_rxcol #(
  parameter int unsigned LinkLanes = 4
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   flush_i,

  input  logic                   col_valid_i,
  input  logic [LinkLanes*8-1:0] col_data_i,
  input  logic [LinkLanes-1:0]   col_k_i,
  input  logic [LinkLanes-1:0]   col_err_i,

  output logic                   byte_valid_o,
  output logic [7:0]             byte_data_o,
  output logic                   byte_k_o,
  output logic                   byte_err_o
);

  localparam int unsigned Depth = 4;
  localparam int unsigned EntW  = LinkLanes * 10;  // {err bits, k bits, data bytes}
  localparam int unsigned LaneW = (LinkLanes > 1) ? $clog2(LinkLanes) : 1;
  localparam logic [LaneW-1:0] LastLane = LaneW'(LinkLanes - 1);

  logic [Depth-1:0][EntW-1:0] ent_q, ent_d;
  logic [2:0]                 wp_q, wp_d, rp_q, rp_d;  // one extra bit: full vs empty
  logic [LaneW-1:0]           lane_q, lane_d;
  logic                       ovf_q, ovf_d;

  logic                       empty, full, push, pop;
  logic [EntW-1:0]            wdata;
  logic [EntW-1:0]            head;
  logic [LinkLanes*8-1:0]     head_data;
  logic [LinkLanes-1:0]       head_k, head_err;

  assign empty = (wp_q == rp_q);
  assign full  = (wp_q[1:0] == rp_q[1:0]) && (wp_q[2] != rp_q[2]);
  assign push  = col_valid_i && !full;
  assign pop   = !empty && (lane_q == LastLane);

  assign wdata     = {col_err_i | {LinkLanes{ovf_q}}, col_k_i, col_data_i};
  assign head      = ent_q[rp_q[1:0]];
  assign head_data = head[LinkLanes*8-1:0];
  assign head_k    = head[LinkLanes*9-1 -: LinkLanes];
  assign head_err  = head[EntW-1 -: LinkLanes];

  always_comb begin
    ent_d  = ent_q;
    wp_d   = wp_q;
    rp_d   = rp_q;
    lane_d = lane_q;
    ovf_d  = ovf_q;
    // One write enable per entry (a constant index each): a dynamically indexed write into
    // the packed array would synthesise as a wide shifter.
    for (int unsigned i = 0; i < Depth; i++) begin
      if (push && (wp_q[1:0] == 2'(i))) begin
        ent_d[i] = wdata;
      end
    end
    if (push) begin
      wp_d  = wp_q + 3'd1;
      ovf_d = 1'b0;
    end else if (col_valid_i) begin
      ovf_d = 1'b1;  // a column was lost: poison the next one
    end
    if (!empty) begin
      lane_d = (lane_q == LastLane) ? '0 : lane_q + LaneW'(1);
    end
    if (pop) begin
      rp_d = rp_q + 3'd1;
    end
    if (flush_i) begin
      wp_d   = 3'd0;
      rp_d   = 3'd0;
      lane_d = '0;
      ovf_d  = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ent_q  <= '0;
      wp_q   <= 3'd0;
      rp_q   <= 3'd0;
      lane_q <= '0;
      ovf_q  <= 1'b0;
    end else begin
      ent_q  <= ent_d;
      wp_q   <= wp_d;
      rp_q   <= rp_d;
      lane_q <= lane_d;
      ovf_q  <= ovf_d;
    end
  end

  always_comb begin
    byte_data_o = head_data[7:0];
    byte_k_o    = head_k[0];
    byte_err_o  = head_err[0];
    for (int unsigned l = 0; l < LinkLanes; l++) begin
      if (LaneW'(l) == lane_q) begin
        byte_data_o = head_data[l*8 +: 8];
        byte_k_o    = head_k[l];
        byte_err_o  = head_err[l];
      end
    end
  end

  assign byte_valid_o = !empty;

`ifndef SYNTHESIS
  initial begin
    if (LinkLanes < 1 || LinkLanes > 4) $fatal(1, "lpu_link_dl_rxcol: LinkLanes must be 1..4");
  end
`endif

endmodule
