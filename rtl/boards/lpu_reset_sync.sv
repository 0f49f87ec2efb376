// Reset synchroniser for a board top: asynchronous assertion, synchronous de-assertion
// (docs/architecture.md "Clocking and reset"). rst_no goes low at once when arst_ni goes low
// and returns high Stages rising edges of clk_i after arst_ni has returned high. The
// registers power up low on both FPGA families (configuration clears them), so the
// synchronised reset is also held from configuration until the first clock edges.
module lpu_reset_sync #(
  parameter int unsigned Stages = 3
) (
  input  logic clk_i,
  input  logic arst_ni,   // asynchronous, active low
  output logic rst_no     // asserted asynchronously, released synchronously to clk_i
);

  logic [Stages-1:0] sync_q, sync_d;

  assign sync_d = {sync_q[Stages-2:0], 1'b1};

  always_ff @(posedge clk_i or negedge arst_ni) begin
    if (!arst_ni) begin
      sync_q <= '0;
    end else begin
      sync_q <= sync_d;
    end
  end

  assign rst_no = sync_q[Stages-1];

`ifndef SYNTHESIS
  initial begin
    if (Stages < 2) $fatal(1, "lpu_reset_sync: Stages must be >= 2");
  end
`endif

endmodule
