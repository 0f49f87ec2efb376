// Accumulator memory: AccDepth entries of Lanes x int32 (docs/mxu.md "lpu_mxu_acc").
//
// Two copies receive every write. Copy A serves the MXU's read-modify-write (mma); copy B
// serves the vector pipeline's read port (vlda) and the host. Each copy therefore has one
// write port and one read port and maps onto block RAM.
//
// Read-modify-write: the caller reads the entry (rmw_en_i) in the cycle before it writes it
// with wr_accum_i. The write of that cycle (the previous row) is not in the RAM yet when the
// read happens, so it is forwarded: consecutive rows to one entry accumulate correctly. Copy
// A's own same-address collision is therefore never used (no_rw_check: no emulation logic).
//
// The vector read port sees the entry as at the start of its cycle (read-first, like SRAM).
// The host port is used only while the MXU and the vector pipeline are idle.
//
// Fixed-latency datapath: no valid/ready.
module lpu_mxu_acc #(
  parameter int unsigned Lanes    = 16,
  parameter int unsigned AccDepth = 512
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,

  input  logic                        rmw_en_i,
  input  logic [$clog2(AccDepth)-1:0] rmw_addr_i,

  input  logic                        wr_en_i,
  input  logic                        wr_accum_i,
  input  logic [$clog2(AccDepth)-1:0] wr_addr_i,
  input  logic [Lanes*32-1:0]         wr_data_i,
  output logic [Lanes*32-1:0]         wr_value_o,

  input  logic                        rd_valid_i,
  input  logic [31:0]                 rd_addr_i,
  output logic                        rd_err_o,
  output logic [Lanes*32-1:0]         rd_data_o,

  input  logic                        host_req_i,
  input  logic                        host_we_i,
  input  logic [31:0]                 host_addr_i,
  input  logic [Lanes*32-1:0]         host_wdata_i,
  output logic [Lanes*32-1:0]         host_rdata_o
);

  localparam int unsigned Aw    = $clog2(AccDepth);
  localparam int unsigned Width = Lanes * 32;

  (* no_rw_check *) logic [Width-1:0] mem_a_q [AccDepth];
  logic [Width-1:0] mem_b_q [AccDepth];

  // ---------------------------------------------------------------------------------------
  // Write port (both copies): the MXU, or the host while idle.
  // ---------------------------------------------------------------------------------------
  logic [Width-1:0] rmw_q;      // copy A read data (the entry before the previous cycle's write)
  logic             fwd;      // the previous cycle wrote the entry being written now
  logic [Width-1:0] last_wr_q;  // the previous cycle's write data
  logic [Aw-1:0]    last_addr_q;
  logic             last_wr_en_q;

  logic [Width-1:0] old_val, sum;
  logic             host_wr;
  logic             mem_we;
  logic [Aw-1:0]    mem_waddr;
  logic [Width-1:0] mem_wdata;

  always_comb begin
    old_val = fwd ? last_wr_q : rmw_q;
    for (int unsigned l = 0; l < Lanes; l++) begin
      sum[l*32 +: 32] = old_val[l*32 +: 32] + wr_data_i[l*32 +: 32];  // wrapping int32
    end
    wr_value_o = wr_accum_i ? sum : wr_data_i;

    host_wr   = host_req_i && host_we_i && (host_addr_i < 32'(AccDepth));
    mem_we    = wr_en_i || host_wr;
    mem_waddr = wr_en_i ? wr_addr_i : host_addr_i[Aw-1:0];
    mem_wdata = wr_en_i ? wr_value_o : host_wdata_i;
  end

  assign fwd = last_wr_en_q && (last_addr_q == wr_addr_i);

  always_ff @(posedge clk_i) begin
    if (mem_we) begin
      mem_a_q[mem_waddr] <= mem_wdata;
      mem_b_q[mem_waddr] <= mem_wdata;
    end
    if (rmw_en_i) begin
      rmw_q <= mem_a_q[rmw_addr_i];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      last_wr_en_q <= 1'b0;
      last_addr_q  <= '0;
      last_wr_q    <= '0;
    end else begin
      last_wr_en_q <= wr_en_i;
      last_addr_q  <= wr_addr_i;
      last_wr_q    <= wr_value_o;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Read port (copy B): the vector pipeline, or the host while idle.
  // ---------------------------------------------------------------------------------------
  logic             vec_rd_ok;
  logic             host_rd;
  logic             rd_en;
  logic [Aw-1:0]    rd_addr;
  logic [Width-1:0] rd_q;

  // AccDepth is a power of two in every configuration: "addr < AccDepth" is then "no bit set
  // above Aw" (no carry chain on the vlda issue path).
  localparam bit DepthPow2 = (AccDepth & (AccDepth - 1)) == 0;

  always_comb begin
    vec_rd_ok = DepthPow2 ? ((rd_addr_i >> Aw) == 32'd0) : (rd_addr_i < 32'(AccDepth));
    rd_err_o  = rd_valid_i && !vec_rd_ok;
    host_rd   = host_req_i && !host_we_i && (host_addr_i < 32'(AccDepth));
    rd_en     = (rd_valid_i && vec_rd_ok) || host_rd;
    rd_addr   = host_rd ? host_addr_i[Aw-1:0] : rd_addr_i[Aw-1:0];
  end

  always_ff @(posedge clk_i) begin
    if (rd_en) begin
      rd_q <= mem_b_q[rd_addr];
    end
  end

  assign rd_data_o    = rd_q;
  assign host_rdata_o = rd_q;

endmodule
