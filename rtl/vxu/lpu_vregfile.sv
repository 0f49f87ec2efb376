// Vector register file: VRegs registers of Width bits, one write port and two asynchronous
// read ports. Each read port has its own copy of the storage (one write, one read port per
// copy), which is the shape of distributed RAM (ECP5 TRELLIS_DPR16X4 for 16 registers);
// small configurations fall back to flip-flops. The storage is not reset; a VRegs-bit valid
// vector is: rvalid_*_o is low for a register never written since reset, whose value is
// zero (the user applies that where it is cheapest, e.g. as a flip-flop synchronous reset).
// Reads see the state at the start of the cycle: a write at the end of cycle c is visible
// from cycle c+1.
module lpu_vregfile #(
  parameter int unsigned VRegs = lpu_isa_pkg::CFG_BASE_VREGS,
  parameter int unsigned Width = lpu_isa_pkg::CFG_BASE_LANES * 32,
  localparam int unsigned Aw = (VRegs > 1) ? $clog2(VRegs) : 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             we_i,
  input  logic [Aw-1:0]    waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic [Aw-1:0]    raddr_a_i,
  output logic [Width-1:0] rdata_a_o,   // raw storage: meaningful only with rvalid_a_o
  output logic             rvalid_a_o,
  input  logic [Aw-1:0]    raddr_b_i,
  output logic [Width-1:0] rdata_b_o,
  output logic             rvalid_b_o
);

  logic [Width-1:0] mem_a [VRegs];
  logic [Width-1:0] mem_b [VRegs];
  logic [VRegs-1:0] valid_d, valid_q;

  // Storage: plain memories (no reset) so synthesis can map them to RAM.
  always_ff @(posedge clk_i) begin
    if (we_i) mem_a[waddr_i] <= wdata_i;
  end

  always_ff @(posedge clk_i) begin
    if (we_i) mem_b[waddr_i] <= wdata_i;
  end

  always_comb begin
    valid_d = valid_q;
    if (we_i) valid_d[waddr_i] = 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= '0;
    else         valid_q <= valid_d;
  end

  assign rdata_a_o  = mem_a[raddr_a_i];
  assign rvalid_a_o = valid_q[raddr_a_i];
  assign rdata_b_o  = mem_b[raddr_b_i];
  assign rvalid_b_o = valid_q[raddr_b_i];

endmodule
