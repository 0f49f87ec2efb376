// Multi-lane deskew (docs/link.md "Clock compensation and deskew").
//
// Lines the lanes' elastic FIFOs up on the COM column that starts every training sequence
// (COM is sent on all lanes in the same column and appears nowhere else). While not aligned:
// every lane pops its head until the head is COM, and then holds it; when all heads are COM
// the lanes are aligned (aligned_o, until clear_i) and the elastic buffer reads them in
// lockstep from then on. A lane that holds its COM while more than MaxSkew + 2 further
// symbols arrive gives that COM up (the others' matching COM is not coming: it was lost
// before the lanes were all in sync), so the lanes can only pair COMs that are less than
// MaxSkew + 2 symbol times apart; training sequences put COMs TS_LEN = 8 columns apart, so
// a skew of up to MaxSkew = 2 symbols (20 bit times) between any two lanes is aligned
// correctly, never to a neighbouring training sequence. While enable_i is low (some lane not
// in sync) every FIFO is drained.
module lpu_link_deskew #(
  parameter int unsigned LinkLanes = 1,
  parameter int unsigned Depth     = 16,
  parameter int unsigned MaxSkew   = 2
) (
  input  logic                                   clk_i,
  input  logic                                   rst_ni,
  input  logic                                   clear_i,
  input  logic                                   enable_i,
  input  logic [LinkLanes*10-1:0]                head_i,
  input  logic [LinkLanes-1:0]                   head_valid_i,
  input  logic [LinkLanes*$clog2(Depth+1)-1:0]   level_i,
  output logic [LinkLanes-1:0]                   discard_o,
  output logic                                   aligned_o
);

  localparam int unsigned LvlW   = $clog2(Depth + 1);
  localparam logic [9:0]  ComSym = {1'b0, 1'b1, lpu_link_pkg::K28_5};

  logic                 aligned_q, aligned_d;
  logic [LinkLanes-1:0] is_com, stale;

  always_comb begin
    for (int unsigned l = 0; l < LinkLanes; l++) begin
      is_com[l] = head_valid_i[l] && (head_i[l*10 +: 10] == ComSym);
      stale[l]  = level_i[l*LvlW +: LvlW] > LvlW'(MaxSkew + 2);
    end
    aligned_d = aligned_q;
    discard_o = '0;
    if (!aligned_q) begin
      if (!enable_i) begin
        discard_o = head_valid_i;
      end else begin
        discard_o = head_valid_i & (~is_com | stale);
        if ((&is_com) && (discard_o == '0)) aligned_d = 1'b1;
      end
    end
    if (clear_i) aligned_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aligned_q <= 1'b0;
    end else begin
      aligned_q <= aligned_d;
    end
  end

  assign aligned_o = aligned_q;

`ifndef SYNTHESIS
  initial begin
    if (MaxSkew + 3 > Depth) $fatal(1, "lpu_link_deskew: MaxSkew + 3 must be <= Depth");
  end
`endif

endmodule
