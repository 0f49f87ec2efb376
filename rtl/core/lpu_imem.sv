// Instruction memory: a simple dual-port RAM (one write port, one synchronous read port) that
// infers block RAM on ECP5 (DP16KD) and iCE40 (SB_RAM40_4K). Not reset (docs/architecture.md
// "Clocking and reset"). Read data for the address presented in cycle c is valid in c+1.
module lpu_imem #(
  parameter int unsigned Depth = 4096,
  parameter int unsigned Width = 64,
  localparam int unsigned Aw = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [Aw-1:0]    waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic [Aw-1:0]    raddr_i,
  output logic [Width-1:0] rdata_o
);

  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;

  // Memory arrays are the one place where the write sits next to the read in one always_ff:
  // that is the pattern every FPGA tool infers as block RAM.
  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    rdata_q <= mem_q[raddr_i];
  end

  assign rdata_o = rdata_q;

endmodule
