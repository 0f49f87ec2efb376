// The lookup table: LutDepth x int16, read by every lane in parallel (vlut) and written
// Lanes/2 consecutive entries per lutld word over WordCycles cycles, or one entry per cycle
// (host port).
//
// Organisation. The table is replicated once per LutPorts lanes (a copy); port p of copy c
// serves lane c*LutPorts + p. Each copy is split into NB = Lanes/(2*LutPorts*WordCycles)
// banks interleaved by entry: entry k lives in bank k mod NB at row k div NB. A lutld word
// covers entries base .. base+Lanes/2-1, i.e. exactly LutPorts*WordCycles entries in every
// bank whatever base is; each cycle every port of every bank writes one of them, so the
// word is written in WordCycles cycles. Each bank is a RAM with LutPorts read/write ports
// sharing their address (true dual-port block RAM on ECP5 for LutPorts = 2, a simple block
// RAM on iCE40 for LutPorts = 1). Reads are synchronous: the address is taken at the end of
// the cycle (stage t+1 of a vlut), the data appear the next cycle (stage t+2).
//
// Write schedule of a word (wr_en_i in cycle d, docs/vxu.md "lutld"): in cycle d+s
// (s < WordCycles), port p of bank j writes the word's entry e = e0(j) + (s*LutPorts + p)*NB,
// e0(j) = (j - base) mod NB being the word's first entry in bank j. Cycle d uses wr_base_i
// and wr_data_i; the later cycles use a registered copy of them.
//
// Writes and reads never meet: lutld stalls the sequencer until its last write is done, the
// host port is used only while idle (and not in the WordCycles-1 cycles after a word's
// wr_en_i). When a write is in progress, every port writes and no lane reads. The table is
// a memory and is not reset.
module lpu_vxu_lut #(
  parameter int unsigned Lanes      = lpu_isa_pkg::CFG_BASE_LANES,
  parameter int unsigned LutDepth   = lpu_isa_pkg::CFG_BASE_LUT_DEPTH,
  parameter int unsigned LutPorts   = 2,
  parameter int unsigned WordCycles = lpu_isa_pkg::CFG_BASE_LUTLD_WORD_CYCLES,
  localparam int unsigned Aw = $clog2(LutDepth)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // vlut: clamped entry index per lane (stage t+1); data the next cycle.
  input  logic [Lanes*Aw-1:0] rd_idx_i,
  output logic [Lanes*16-1:0] rd_data_o,
  // lutld: write entries wr_base_i + e = int16(bytes 2e, 2e+1) for e < Lanes/2, in this
  // cycle and the WordCycles-1 following ones. The caller guarantees
  // wr_base_i + Lanes/2 - 1 < LutDepth and at least WordCycles cycles between two wr_en_i.
  input  logic                wr_en_i,
  input  logic [Aw-1:0]       wr_base_i,
  input  logic [Lanes*8-1:0]  wr_data_i,
  // host port (idle only): one entry; read data the next cycle.
  input  logic                host_we_i,
  input  logic                host_re_i,
  input  logic [Aw-1:0]       host_addr_i,
  input  logic [15:0]         host_wdata_i,
  output logic [15:0]         host_rdata_o
);

  localparam int unsigned Half   = Lanes / 2;                       // entries per lutld word
  localparam int unsigned NB     = Half / (LutPorts * WordCycles);  // banks per copy
  localparam int unsigned Copies = Lanes / LutPorts;
  localparam int unsigned Depth  = LutDepth / NB;                   // rows per bank
  localparam int unsigned Bsh    = $clog2(NB);                      // NB is a power of two
  localparam int unsigned Bw     = (NB > 1) ? Bsh : 1;
  localparam int unsigned Rw     = Aw - Bsh;
  localparam int unsigned Sw     = (WordCycles > 1) ? $clog2(WordCycles) : 1;
  localparam logic [Aw-1:0] BankMask = Aw'(NB - 1);

  // Bank of an entry, and its row.
  function automatic logic [Bw-1:0] bank_of(input logic [Aw-1:0] k);
    bank_of = Bw'(k & BankMask);
  endfunction
  function automatic logic [Rw-1:0] row_of(input logic [Aw-1:0] k);
    row_of = Rw'(k >> Bsh);
  endfunction

  // The word being written and the cycle of its write (wr_step: s above).
  logic                wr_act;
  logic [Sw-1:0]       wr_step;
  logic [Aw-1:0]       wr_base;
  logic [Lanes*8-1:0]  wr_data;

  if (WordCycles > 1) begin : gen_multi
    // Cycles 1 .. WordCycles-1 of a word: its base and data registered in cycle 0.
    logic [Sw-1:0]      step_q, step_d;
    logic [Aw-1:0]      base_q;
    logic [Lanes*8-1:0] data_q;
    always_comb begin
      step_d = '0;
      if (wr_en_i)              step_d = Sw'(1);
      else if (step_q != '0 && 32'(step_q) != WordCycles - 1) step_d = step_q + Sw'(1);
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) step_q <= '0;
      else         step_q <= step_d;
    end
    // Datapath copy, qualified by step_q.
    always_ff @(posedge clk_i) begin
      if (wr_en_i) begin
        base_q <= wr_base_i;
        data_q <= wr_data_i;
      end
    end
    assign wr_act  = wr_en_i || (step_q != '0);
    assign wr_step = step_q;
    assign wr_base = (step_q != '0) ? base_q : wr_base_i;
    assign wr_data = (step_q != '0) ? data_q : wr_data_i;
  end else begin : gen_single
    logic unused_rst;
    assign unused_rst = rst_ni;
    assign wr_act  = wr_en_i;
    assign wr_step = '0;
    assign wr_base = wr_base_i;
    assign wr_data = wr_data_i;
  end

  // Per bank and port: the write address and data, identical in every copy.
  logic [NB*LutPorts*Rw-1:0] wr_row;
  logic [NB*LutPorts*16-1:0] wr_val;
  logic                      any_we;
  assign any_we = wr_act | host_we_i;

  for (genvar j = 0; j < NB; j++) begin : gen_wr_bank
    for (genvar p = 0; p < LutPorts; p++) begin : gen_wr_port
      // Entry of the lutld word that lands in bank j through port p in this cycle.
      logic [Aw-1:0] e, k;
      assign e = ((Aw'(j) - wr_base) & BankMask) +
                 Aw'((32'(wr_step) * LutPorts + p) * NB);
      assign k = wr_base + e;
      always_comb begin
        if (wr_act) begin
          wr_row[(j*LutPorts+p)*Rw +: Rw] = row_of(k);
          wr_val[(j*LutPorts+p)*16 +: 16] = wr_data[16*e +: 16];
        end else begin
          wr_row[(j*LutPorts+p)*Rw +: Rw] = row_of(host_addr_i);
          wr_val[(j*LutPorts+p)*16 +: 16] = host_wdata_i;
        end
      end
    end
  end

  // Write enable of bank j, port p: a lutld writes every port of every bank; the host
  // writes port 0 of the bank holding its entry.
  logic [Bw-1:0] host_bank;
  assign host_bank = bank_of(host_addr_i);

  for (genvar c = 0; c < Copies; c++) begin : gen_copy
    // Per port of this copy: read index and the read data of every bank.
    logic [LutPorts*Aw-1:0]    ridx;
    logic [LutPorts*NB*16-1:0] rdata;

    for (genvar p = 0; p < LutPorts; p++) begin : gen_port
      localparam int unsigned Lane = c * LutPorts + p;
      if (Lane == 0) begin : gen_host_rd
        // Lane 0's port also serves the host's reads.
        assign ridx[p*Aw +: Aw] = host_re_i ? host_addr_i : rd_idx_i[0 +: Aw];
      end else begin : gen_lane_rd
        assign ridx[p*Aw +: Aw] = rd_idx_i[Lane*Aw +: Aw];
      end
      if (NB > 1) begin : gen_sel
        logic [Bw-1:0] sel_q;  // bank of the last read
        always_ff @(posedge clk_i) begin
          sel_q <= bank_of(ridx[p*Aw +: Aw]);
        end
        assign rd_data_o[Lane*16 +: 16] = rdata[(p*NB + 32'(sel_q))*16 +: 16];
      end else begin : gen_nosel
        assign rd_data_o[Lane*16 +: 16] = rdata[p*16 +: 16];
      end
    end

    for (genvar j = 0; j < NB; j++) begin : gen_bank
      // no_rw_check: a read and a write never meet (see the header), so read/write
      // collisions are don't-care; without it Yosys cannot map two read/write ports onto a
      // true dual-port block RAM.
      (* no_rw_check *)
      logic [15:0]            mem [Depth];
      logic [LutPorts*Rw-1:0] addr;
      logic [LutPorts-1:0]    we;
      logic [LutPorts*16-1:0] rdata_q;
      for (genvar p = 0; p < LutPorts; p++) begin : gen_addr
        assign we[p] = wr_act || (host_we_i && p == 0 && host_bank == Bw'(j));
        assign addr[p*Rw +: Rw] = any_we ? wr_row[(j*LutPorts+p)*Rw +: Rw]
                                         : row_of(ridx[p*Aw +: Aw]);
        assign rdata[(p*NB+j)*16 +: 16] = rdata_q[p*16 +: 16];
      end
      // One process per port, each reading or writing at its own address (the shape of a
      // true dual-port block RAM; the ports never read and write the same cycle).
      for (genvar p = 0; p < LutPorts; p++) begin : gen_mem_port
        always_ff @(posedge clk_i) begin
          if (we[p]) mem[addr[p*Rw +: Rw]] <= wr_val[(j*LutPorts+p)*16 +: 16];
          rdata_q[p*16 +: 16] <= mem[addr[p*Rw +: Rw]];
        end
      end
    end
  end

  assign host_rdata_o = rd_data_o[0 +: 16];

`ifndef SYNTHESIS
  initial begin
    if (WordCycles < 1 || (Half % (LutPorts * WordCycles)) != 0)
      $fatal(1, "lpu_vxu_lut: LutPorts*WordCycles must divide Lanes/2");
  end
`endif

endmodule
