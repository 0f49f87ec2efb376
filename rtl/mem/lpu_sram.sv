// The LPU's SRAM: Banks banks behind NumRd fixed read ports and NumWr fixed write ports
// (docs/sram.md). No arbitration: out-of-range and conflicting requests are suppressed and
// flagged per port, combinationally in the request cycle; the core turns the flags into
// sram_addr / bank_conflict. Read data returns the cycle after the request.
//
// Fixed-latency datapath: no valid/ready handshake.
module lpu_sram #(
  parameter int unsigned Lanes    = 16,
  parameter int unsigned Banks    = 16,
  parameter int unsigned Depth    = 1024,
  parameter bit          DualPort = 1'b1,
  parameter int unsigned NumRd    = 5,
  parameter int unsigned NumWr    = 3
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic                     stop_i,

  input  logic [NumRd-1:0]         rd_valid_i,
  input  logic [NumRd*4-1:0]       rd_bank_i,
  input  logic [NumRd*32-1:0]      rd_addr_i,
  output logic [NumRd*Lanes*8-1:0] rd_data_o,
  output logic [NumRd-1:0]         rd_valid_o,
  output logic [NumRd-1:0]         rd_err_addr_o,
  output logic [NumRd-1:0]         rd_err_conf_o,

  input  logic [NumWr-1:0]         wr_valid_i,
  input  logic [NumWr*4-1:0]       wr_bank_i,
  input  logic [NumWr*32-1:0]      wr_addr_i,
  input  logic [NumWr*Lanes*8-1:0] wr_data_i,
  output logic [NumWr-1:0]         wr_err_addr_o,
  output logic [NumWr-1:0]         wr_err_conf_o,

  output logic [3:0]               num_rd_o,
  output logic [3:0]               num_wr_o
);

  localparam int unsigned Width = Lanes * 8;
  localparam int unsigned Aw    = $clog2(Depth);
  localparam int unsigned Bw    = (Banks > 1) ? $clog2(Banks) : 1;

  // ---------------------------------------------------------------------------------------
  // Per-port range check: the address is a two's-complement value; read as unsigned, every
  // negative address is >= Depth. A bank beyond Banks cannot pass the central operand
  // check, but is treated as out of range rather than aliased.
  // ---------------------------------------------------------------------------------------
  logic [NumRd-1:0] rd_req, rd_inrange;
  logic [NumWr-1:0] wr_req, wr_inrange;

  // With power-of-two sizes (both configurations) "x < size" is "no bit set above log2(size)":
  // a few LUT levels instead of a carry chain on the request path.
  localparam bit DepthPow2 = (Depth & (Depth - 1)) == 0;
  localparam bit BanksPow2 = (Banks & (Banks - 1)) == 0;

  function automatic logic addr_ok(input logic [31:0] addr);
    if (DepthPow2) addr_ok = (addr >> Aw) == 32'd0;
    else           addr_ok = addr < 32'(Depth);
  endfunction

  function automatic logic bank_ok(input logic [3:0] bank);
    if (BanksPow2) bank_ok = (32'(bank) >> $clog2(Banks)) == 32'd0;
    else           bank_ok = 32'(bank) < 32'(Banks);
  endfunction

  always_comb begin
    for (int unsigned p = 0; p < NumRd; p++) begin
      rd_req[p]     = rd_valid_i[p] & ~stop_i;
      rd_inrange[p] = addr_ok(rd_addr_i[p*32 +: 32]) && bank_ok(rd_bank_i[p*4 +: 4]);
    end
    for (int unsigned p = 0; p < NumWr; p++) begin
      wr_req[p]     = wr_valid_i[p] & ~stop_i;
      wr_inrange[p] = addr_ok(wr_addr_i[p*32 +: 32]) && bank_ok(wr_bank_i[p*4 +: 4]);
    end
  end

  // ---------------------------------------------------------------------------------------
  // Per-bank hit vectors, conflict detection and the one-hot request select.
  // ---------------------------------------------------------------------------------------
  logic [Banks-1:0][NumRd-1:0] rd_hit;
  logic [Banks-1:0][NumWr-1:0] wr_hit;
  logic [Banks-1:0]            rd_conf, wr_conf;  // the bank's reads / writes are flagged
  logic [Banks-1:0]            bank_rd_en, bank_wr_en;
  logic [Banks-1:0][Aw-1:0]    bank_rd_addr, bank_wr_addr;
  logic [Banks-1:0][Width-1:0] bank_wr_data, bank_rd_data;

  // "Two or more of these bits are set" without counting: some bit is set together with an
  // earlier one (an OR of pairwise ANDs, a few LUT levels).
  function automatic logic two_or_more(input logic [NumRd+NumWr-1:0] v, input int unsigned n);
    logic seen, two;
    seen = 1'b0;
    two  = 1'b0;
    for (int unsigned i = 0; i < NumRd + NumWr; i++) begin
      if (i < n) begin
        two  = two | (seen & v[i]);
        seen = seen | v[i];
      end
    end
    two_or_more = two;
  endfunction

  always_comb begin
    for (int unsigned b = 0; b < Banks; b++) begin
      bank_rd_addr[b] = '0;
      bank_wr_addr[b] = '0;
      bank_wr_data[b] = '0;
      for (int unsigned p = 0; p < NumRd; p++) begin
        rd_hit[b][p] = rd_req[p] && rd_inrange[p] && (32'(rd_bank_i[p*4 +: 4]) == b);
        // At most one hit is used (a second one is a conflict), so an OR is a mux.
        bank_rd_addr[b] |= rd_hit[b][p] ? rd_addr_i[p*32 +: Aw] : '0;
      end
      for (int unsigned p = 0; p < NumWr; p++) begin
        wr_hit[b][p] = wr_req[p] && wr_inrange[p] && (32'(wr_bank_i[p*4 +: 4]) == b);
        bank_wr_addr[b] |= wr_hit[b][p] ? wr_addr_i[p*32 +: Aw] : '0;
        bank_wr_data[b] |= wr_hit[b][p] ? wr_data_i[p*Width +: Width] : '0;
      end
      if (DualPort) begin
        rd_conf[b] = two_or_more((NumRd+NumWr)'(rd_hit[b]), NumRd);
        wr_conf[b] = two_or_more((NumRd+NumWr)'(wr_hit[b]), NumWr);
      end else begin
        rd_conf[b] = two_or_more({wr_hit[b], rd_hit[b]}, NumRd + NumWr);
        wr_conf[b] = rd_conf[b];
      end
      bank_rd_en[b] = (rd_hit[b] != '0) && !rd_conf[b];
      bank_wr_en[b] = (wr_hit[b] != '0) && !wr_conf[b];
    end
  end

  // ---------------------------------------------------------------------------------------
  // Per-port flags and the performed-access counts.
  // ---------------------------------------------------------------------------------------
  logic [NumRd-1:0] rd_done;

  always_comb begin
    num_rd_o = '0;
    num_wr_o = '0;
    for (int unsigned p = 0; p < NumRd; p++) begin
      rd_err_addr_o[p] = rd_req[p] && !rd_inrange[p];
      rd_err_conf_o[p] = 1'b0;
      for (int unsigned b = 0; b < Banks; b++) begin
        rd_err_conf_o[p] |= rd_hit[b][p] && rd_conf[b];
      end
      rd_done[p] = rd_req[p] && !rd_err_addr_o[p] && !rd_err_conf_o[p];
      num_rd_o  += 4'(rd_done[p]);
    end
    for (int unsigned p = 0; p < NumWr; p++) begin
      wr_err_addr_o[p] = wr_req[p] && !wr_inrange[p];
      wr_err_conf_o[p] = 1'b0;
      for (int unsigned b = 0; b < Banks; b++) begin
        wr_err_conf_o[p] |= wr_hit[b][p] && wr_conf[b];
      end
      num_wr_o += 4'(wr_req[p] && !wr_err_addr_o[p] && !wr_err_conf_o[p]);
    end
  end

  // ---------------------------------------------------------------------------------------
  // The banks.
  // ---------------------------------------------------------------------------------------
  for (genvar b = 0; b < Banks; b++) begin : gen_bank
    lpu_sram_bank #(
      .Lanes   (Lanes),
      .Depth   (Depth),
      .DualPort(DualPort)
    ) u_bank (
      .clk_i    (clk_i),
      .rd_en_i  (bank_rd_en[b]),
      .rd_addr_i(bank_rd_addr[b]),
      .rd_data_o(bank_rd_data[b]),
      .wr_en_i  (bank_wr_en[b]),
      .wr_addr_i(bank_wr_addr[b]),
      .wr_data_i(bank_wr_data[b])
    );
  end

  // ---------------------------------------------------------------------------------------
  // Read return: each port remembers which bank served it. With more than two banks it keeps
  // a one-hot bank vector (the request's bank index decoded before the register), so that
  // the return path is an AND-OR of the banks' data: on ECP5 about 11 LUT4 per bit where a
  // 16:1 mux on a bank index maps to ~14. With one or two banks the index is kept (a 2:1 mux
  // is one LUT either way, and the index needs no decoder).
  // The register follows rd_bank_i every cycle, as an index register would; a bank index
  // beyond Banks selects no bank (such a read is an address error, never valid).
  // ---------------------------------------------------------------------------------------
  localparam bit          OneHotSel = Banks > 2;
  localparam int unsigned SelW      = OneHotSel ? Banks : Bw;

  logic [NumRd-1:0]           rd_valid_q;
  logic [NumRd-1:0][SelW-1:0] rd_sel_q, rd_sel_d;

  always_comb begin
    for (int unsigned p = 0; p < NumRd; p++) begin
      rd_sel_d[p] = SelW'(rd_bank_i[p*4 +: Bw]);
      if (OneHotSel) begin
        for (int unsigned b = 0; b < SelW; b++) begin
          rd_sel_d[p][b] = rd_bank_i[p*4 +: Bw] == Bw'(b);
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_valid_q <= '0;
      rd_sel_q   <= {NumRd{SelW'(OneHotSel)}};  // bank 0 (one-hot bit 0, or index 0)
    end else begin
      rd_valid_q <= rd_done;
      rd_sel_q   <= rd_sel_d;
    end
  end

  always_comb begin
    for (int unsigned p = 0; p < NumRd; p++) begin
      if (OneHotSel) begin
        rd_data_o[p*Width +: Width] = '0;
        for (int unsigned b = 0; b < Banks; b++) begin
          rd_data_o[p*Width +: Width] |= rd_sel_q[p][b] ? bank_rd_data[b] : '0;
        end
      end else begin
        rd_data_o[p*Width +: Width] = bank_rd_data[rd_sel_q[p][Bw-1:0]];
      end
    end
  end
  assign rd_valid_o = rd_valid_q;

endmodule
