// One SRAM bank: Depth words of Lanes bytes, registered read data (docs/sram.md).
//
// DualPort = 1: one read port and one write port per cycle, read-first (a read in cycle c
//   returns the word as at the start of c, even if it is written in c). Written as a simple
//   dual-port memory so that Yosys infers block RAM (DP16KD on ECP5, SB_RAM40_4K on iCE40);
//   Yosys adds its own read-first emulation because the FPGA blocks leave a cross-port
//   same-address collision undefined.
// DualPort = 0: one address port, a read or a write per cycle; the read register holds
//   during a write. Written so that `synth_ice40 -spram` maps it to SB_SPRAM256KA.
//
// A memory: no reset, no vendor primitive.
module lpu_sram_bank #(
  parameter int unsigned Lanes    = 16,
  parameter int unsigned Depth    = 1024,
  parameter bit          DualPort = 1'b1
) (
  input  logic                     clk_i,

  input  logic                     rd_en_i,
  input  logic [$clog2(Depth)-1:0] rd_addr_i,
  output logic [Lanes*8-1:0]       rd_data_o,

  input  logic                     wr_en_i,
  input  logic [$clog2(Depth)-1:0] wr_addr_i,
  input  logic [Lanes*8-1:0]       wr_data_i
);

  localparam int unsigned Width = Lanes * 8;

  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rd_data_q;

  if (DualPort) begin : gen_dual_port
    // Non-blocking read of the old word and write of the new one: read-first.
    always_ff @(posedge clk_i) begin
      if (wr_en_i) begin
        mem_q[wr_addr_i] <= wr_data_i;
      end
      if (rd_en_i) begin
        rd_data_q <= mem_q[rd_addr_i];
      end
    end
  end else begin : gen_single_port
    logic [$clog2(Depth)-1:0] addr;
    assign addr = wr_en_i ? wr_addr_i : rd_addr_i;

    always_ff @(posedge clk_i) begin
      if (wr_en_i) begin
        mem_q[addr] <= wr_data_i;
      end else if (rd_en_i) begin
        rd_data_q <= mem_q[addr];
      end
    end
  end

  assign rd_data_o = rd_data_q;

endmodule
