// Word buffer of the data link layer (docs/link.md "Data link layer"): Depth words of Width
// bits, one write port and one read port, registered read data that holds while rd_en_i is
// low. Written as a simple dual-port memory so that Yosys infers block RAM (DP16KD on ECP5,
// SB_RAM40_4K on iCE40). The users never read a word in the cycle it is written (the read
// address is always behind the write pointer), so the cross-port collision behaviour of the
// FPGA blocks does not matter: `no_rw_check` tells Yosys so, which saves the read-first
// emulation (a write-data register and a bypass multiplexer as wide as the word).
//
// A memory: no reset, no vendor primitive.
module lpu_link_dl_ram #(
  parameter int unsigned Width = 128,
  parameter int unsigned Depth = 64
) (
  input  logic                     clk_i,

  input  logic                     wr_en_i,
  input  logic [$clog2(Depth)-1:0] wr_addr_i,
  input  logic [Width-1:0]         wr_data_i,

  input  logic                     rd_en_i,
  input  logic [$clog2(Depth)-1:0] rd_addr_i,
  output logic [Width-1:0]         rd_data_o
);

  (* no_rw_check *)
  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rd_data_q;

  always_ff @(posedge clk_i) begin
    if (wr_en_i) begin
      mem_q[wr_addr_i] <= wr_data_i;
    end
    if (rd_en_i) begin
      rd_data_q <= mem_q[rd_addr_i];
    end
  end

  assign rd_data_o = rd_data_q;

endmodule
