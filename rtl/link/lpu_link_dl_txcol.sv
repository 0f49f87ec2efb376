// Transmit side of the data link layer's column adapter (docs/link.md "Framing"): collects the
// framer's bytes, one per cycle, into columns of LinkLanes symbols (byte i of a column goes to
// lane i) and offers them to the PHY through a two-entry column FIFO, so that the next column
// is assembled while the PHY still holds the previous one.
//
// byte_ready_o is high while the FIFO has a free entry (it does not look at col_take_i, so it
// has no combinational path from the PHY). lane_o is the lane the next byte will land in: the
// framer pads a frame's last column with it. flush_i (link down) drops the partial column and
// the FIFO.
module lpu_link_dl_txcol #(
  parameter int unsigned LinkLanes = 4,
  localparam int unsigned LaneW    = (LinkLanes > 1) ? $clog2(LinkLanes) : 1
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   flush_i,

  input  logic                   byte_valid_i,
  input  logic [7:0]             byte_data_i,
  input  logic                   byte_k_i,
  output logic                   byte_ready_o,
  output logic [LaneW-1:0]       lane_o,

  output logic                   col_valid_o,
  output logic [LinkLanes*8-1:0] col_data_o,
  output logic [LinkLanes-1:0]   col_k_o,
  input  logic                   col_take_i
);

  localparam int unsigned EntW = LinkLanes * 9;  // {k bits, data bytes}
  localparam logic [LaneW-1:0] LastLane = LaneW'(LinkLanes - 1);

  logic [LinkLanes*8-1:0] asm_data_q, asm_data_d;
  logic [LinkLanes-1:0]   asm_k_q, asm_k_d;
  logic [LaneW-1:0]       lane_q, lane_d;
  logic [EntW-1:0]        ent0_q, ent0_d, ent1_q, ent1_d;  // ent0 is the head
  logic [1:0]             cnt_q, cnt_d;

  logic                   take_byte, push, pop;
  logic [LinkLanes*8-1:0] col_data;
  logic [LinkLanes-1:0]   col_k;
  logic [EntW-1:0]        col_ent;

  assign byte_ready_o = (cnt_q != 2'd2);
  assign take_byte    = byte_valid_i && byte_ready_o;
  assign push         = take_byte && (lane_q == LastLane);
  assign pop          = col_take_i && (cnt_q != 2'd0);

  // The column as it will be with this cycle's byte in lane lane_q.
  always_comb begin
    col_data = asm_data_q;
    col_k    = asm_k_q;
    for (int unsigned l = 0; l < LinkLanes; l++) begin
      if (LaneW'(l) == lane_q) begin
        col_data[l*8 +: 8] = byte_data_i;
        col_k[l]           = byte_k_i;
      end
    end
  end
  assign col_ent = {col_k, col_data};

  always_comb begin
    asm_data_d = asm_data_q;
    asm_k_d    = asm_k_q;
    lane_d     = lane_q;
    ent0_d     = ent0_q;
    ent1_d     = ent1_q;
    cnt_d      = cnt_q;
    if (take_byte) begin
      asm_data_d = col_data;
      asm_k_d    = col_k;
      lane_d     = (lane_q == LastLane) ? '0 : lane_q + LaneW'(1);
    end
    case ({push, pop})
      2'b01: begin
        ent0_d = ent1_q;
        cnt_d  = cnt_q - 2'd1;
      end
      2'b10: begin
        if (cnt_q == 2'd0) begin
          ent0_d = col_ent;
        end else begin
          ent1_d = col_ent;
        end
        cnt_d = cnt_q + 2'd1;
      end
      2'b11: begin
        if (cnt_q == 2'd1) begin
          ent0_d = col_ent;
        end else begin
          ent0_d = ent1_q;
          ent1_d = col_ent;
        end
      end
      default: ;
    endcase
    if (flush_i) begin
      lane_d = '0;
      cnt_d  = 2'd0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      asm_data_q <= '0;
      asm_k_q    <= '0;
      lane_q     <= '0;
      ent0_q     <= '0;
      ent1_q     <= '0;
      cnt_q      <= 2'd0;
    end else begin
      asm_data_q <= asm_data_d;
      asm_k_q    <= asm_k_d;
      lane_q     <= lane_d;
      ent0_q     <= ent0_d;
      ent1_q     <= ent1_d;
      cnt_q      <= cnt_d;
    end
  end

  assign lane_o      = lane_q;
  assign col_valid_o = (cnt_q != 2'd0);
  assign col_k_o     = ent0_q[EntW-1 -: LinkLanes];
  assign col_data_o  = ent0_q[LinkLanes*8-1:0];

`ifndef SYNTHESIS
  initial begin
    if (LinkLanes < 1 || LinkLanes > 4) $fatal(1, "lpu_link_dl_txcol: LinkLanes must be 1..4");
  end
`endif

endmodule
