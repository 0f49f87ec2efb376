// Asynchronous Lanes x Lanes int8 block transpose, SRAM to SRAM (vtr; docs/sxu.md).
//
// vtr bD[rb], bS[ra] issued at t: input row k is requested from SRAM[S][R[ra]+k] at t+1+k
// (data at t+2+k); output row j (input column j) is written to SRAM[D][R[rb]+j] at the end
// of t+VtrWrStart+j. A vtr issued before t+VtrBusy is rejected (sxu_busy).
//
// Block buffer. Lanes banks of Lanes bytes (one write port, one asynchronous read port
// each: distributed RAM). Buffer cell (r, c) lives in bank (r + c) mod Lanes at address r,
// so any buffer row and any buffer column touch every bank exactly once: a row or a column
// is written or read in one cycle, with a rotation of the data by the row/column number.
// Consecutive transposes overlap (the next one fills while this one drains), so the fill
// direction alternates: a block filled into buffer rows is drained by buffer columns, and
// the next block fills exactly the columns being freed (the write lands at the end of the
// cycle in which the column is read) and is drained by rows. That needs VtrWrStart =
// Lanes + 2 (drain starts the cycle after the last row arrives) and VtrBusy >= Lanes.
//
// Control registers are reset; the buffer is a memory and is not.
module lpu_sxu_tr #(
  parameter int unsigned Lanes      = lpu_isa_pkg::CFG_BASE_LANES,
  parameter int unsigned VtrBusy    = lpu_isa_pkg::CFG_BASE_VTR_BUSY,
  parameter int unsigned VtrWrStart = lpu_isa_pkg::CFG_BASE_VTR_WR_START
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               stop_i,
  // Issue bus.
  input  logic               iss_valid_i,
  input  logic [63:0]        iss_instr_i,
  input  logic [15:0]        iss_pc_i,
  input  logic [31:0]        iss_ra_val_i,
  input  logic [31:0]        iss_rb_val_i,
  output logic               iss_err_o,       // sxu_busy: the vtr on the bus is rejected
  // SRAM read port: input rows.
  output logic               sram_rd_req_o,
  output logic [3:0]         sram_rd_bank_o,
  output logic [31:0]        sram_rd_addr_o,
  output logic [15:0]        sram_rd_pc_o,
  input  logic [Lanes*8-1:0] sram_rd_data_i,
  // SRAM write port: output rows.
  output logic               sram_wr_req_o,
  output logic [3:0]         sram_wr_bank_o,
  output logic [31:0]        sram_wr_addr_o,
  output logic [Lanes*8-1:0] sram_wr_data_o,
  output logic [15:0]        sram_wr_pc_o,
  // Effects scheduled after this cycle.
  output logic               pending_o
);

  localparam int unsigned Lw = $clog2(Lanes);
  localparam int unsigned Bw = $clog2(VtrBusy + 1);
  localparam logic [Lw-1:0] LAST = Lw'(Lanes - 1);

  // ---------------------------------------------------------------------------------------
  // Issue and busy check
  // ---------------------------------------------------------------------------------------
  logic [7:0]  op;
  logic [3:0]  f_rd, f_bank;
  logic        is_vtr, accept;
  logic [Bw-1:0] busy_d, busy_q;   // cycles until the next vtr may issue
  logic        dir_d, dir_q;       // fill direction of the next vtr (0 rows, 1 columns)

  assign op     = iss_instr_i[lpu_isa_pkg::F_OP_LSB +: lpu_isa_pkg::F_OP_W];
  assign f_rd   = iss_instr_i[lpu_isa_pkg::F_RD_LSB +: lpu_isa_pkg::F_RD_W];
  assign f_bank = iss_instr_i[lpu_isa_pkg::F_BANK_LSB +: lpu_isa_pkg::F_BANK_W];
  assign is_vtr = iss_valid_i && !stop_i && (op == lpu_isa_pkg::OP_VTR);
  assign iss_err_o = is_vtr && (busy_q != '0);
  assign accept    = is_vtr && (busy_q == '0);

  always_comb begin
    busy_d = (busy_q != '0) ? busy_q - Bw'(1) : '0;
    dir_d  = dir_q;
    if (accept) begin
      busy_d = Bw'(VtrBusy - 1);
      dir_d  = !dir_q;
    end
    if (stop_i) busy_d = '0;
  end

  // ---------------------------------------------------------------------------------------
  // Fill: request row k at t+1+k; the row arrives the next cycle
  // ---------------------------------------------------------------------------------------
  logic          f_act_d, f_act_q;
  logic [Lw-1:0] f_k_d, f_k_q;
  logic [31:0]   f_addr_d, f_addr_q;
  logic [3:0]    f_bank_d, f_bank_q;
  logic          f_dir_d, f_dir_q;
  logic [3:0]    f_dbank_d, f_dbank_q;
  logic [31:0]   f_daddr_d, f_daddr_q;
  logic [15:0]   f_pc_d, f_pc_q;

  always_comb begin
    f_act_d   = f_act_q;
    f_k_d     = f_k_q;
    f_addr_d  = f_addr_q;
    f_bank_d  = f_bank_q;
    f_dir_d   = f_dir_q;
    f_dbank_d = f_dbank_q;
    f_daddr_d = f_daddr_q;
    f_pc_d    = f_pc_q;
    if (f_act_q) begin
      f_act_d  = (f_k_q != LAST);
      f_k_d    = f_k_q + Lw'(1);
      f_addr_d = f_addr_q + 32'd1;
    end
    if (accept) begin
      f_act_d   = 1'b1;
      f_k_d     = '0;
      f_addr_d  = iss_ra_val_i;
      f_bank_d  = f_bank;
      f_dir_d   = dir_q;
      f_dbank_d = f_rd;
      f_daddr_d = iss_rb_val_i;
      f_pc_d    = iss_pc_i;
    end
    if (stop_i) f_act_d = 1'b0;
  end

  assign sram_rd_req_o  = f_act_q && !stop_i;
  assign sram_rd_bank_o = f_bank_q;
  assign sram_rd_addr_o = f_addr_q;
  assign sram_rd_pc_o   = f_pc_q;

  // Arriving row: which row, where it goes, and the block's destination.
  logic          a_valid_q;
  logic [Lw-1:0] a_k_q;
  logic          a_dir_q;
  logic [3:0]    a_dbank_q;
  logic [31:0]   a_daddr_q;
  logic [15:0]   a_pc_q;
  logic          a_write;
  assign a_write = a_valid_q && !stop_i;

  // ---------------------------------------------------------------------------------------
  // Drain: output row j written at the end of t+VtrWrStart+j
  // ---------------------------------------------------------------------------------------
  logic          d_act_d, d_act_q;
  logic [Lw-1:0] d_j_d, d_j_q;
  logic          d_dir_d, d_dir_q;
  logic [3:0]    d_bank_d, d_bank_q;
  logic [31:0]   d_addr_d, d_addr_q;
  logic [15:0]   d_pc_d, d_pc_q;

  always_comb begin
    d_act_d  = d_act_q;
    d_j_d    = d_j_q;
    d_dir_d  = d_dir_q;
    d_bank_d = d_bank_q;
    d_addr_d = d_addr_q;
    d_pc_d   = d_pc_q;
    if (d_act_q) begin
      d_act_d  = (d_j_q != LAST);
      d_j_d    = d_j_q + Lw'(1);
      d_addr_d = d_addr_q + 32'd1;
    end
    if (a_write && a_k_q == LAST) begin  // last row is in: drain from the next cycle
      d_act_d  = 1'b1;
      d_j_d    = '0;
      d_dir_d  = a_dir_q;
      d_bank_d = a_dbank_q;
      d_addr_d = a_daddr_q;
      d_pc_d   = a_pc_q;
    end
    if (stop_i) d_act_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q    <= '0;
      dir_q     <= 1'b0;
      f_act_q   <= 1'b0;
      f_k_q     <= '0;
      f_addr_q  <= 32'd0;
      f_bank_q  <= 4'd0;
      f_dir_q   <= 1'b0;
      f_dbank_q <= 4'd0;
      f_daddr_q <= 32'd0;
      f_pc_q    <= 16'd0;
      a_valid_q <= 1'b0;
      a_k_q     <= '0;
      a_dir_q   <= 1'b0;
      a_dbank_q <= 4'd0;
      a_daddr_q <= 32'd0;
      a_pc_q    <= 16'd0;
      d_act_q   <= 1'b0;
      d_j_q     <= '0;
      d_dir_q   <= 1'b0;
      d_bank_q  <= 4'd0;
      d_addr_q  <= 32'd0;
      d_pc_q    <= 16'd0;
    end else begin
      busy_q    <= busy_d;
      dir_q     <= dir_d;
      f_act_q   <= f_act_d;
      f_k_q     <= f_k_d;
      f_addr_q  <= f_addr_d;
      f_bank_q  <= f_bank_d;
      f_dir_q   <= f_dir_d;
      f_dbank_q <= f_dbank_d;
      f_daddr_q <= f_daddr_d;
      f_pc_q    <= f_pc_d;
      a_valid_q <= f_act_q && !stop_i;
      a_k_q     <= f_k_q;
      a_dir_q   <= f_dir_q;
      a_dbank_q <= f_dbank_q;
      a_daddr_q <= f_daddr_q;
      a_pc_q    <= f_pc_q;
      d_act_q   <= d_act_d;
      d_j_q     <= d_j_d;
      d_dir_q   <= d_dir_d;
      d_bank_q  <= d_bank_d;
      d_addr_q  <= d_addr_d;
      d_pc_q    <= d_pc_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Block buffer: cell (r, c) in bank (r + c) mod Lanes at address r
  // ---------------------------------------------------------------------------------------
  // Writing input row k into buffer row k (a_dir 0) or buffer column k (a_dir 1): bank b
  // takes input byte (b - k) mod Lanes, at address k (row) or (b - k) mod Lanes (column).
  // Reading output row j (input column j): from a row-filled block, buffer column j (bank b
  // at address (b - j) mod Lanes); from a column-filled block, buffer row j (address j).
  // Output byte l comes from bank (l + j) mod Lanes.
  logic [Lanes*8-1:0] bank_rdata;
  logic [Lanes*8-1:0] wr_rot;  // byte b: input byte (b - a_k_q) mod Lanes, for bank b
  logic [Lanes*8-1:0] rd_rot;  // byte l: bank (l + d_j_q) mod Lanes, output byte l

  // The two byte rotations. More than 4 lanes: each in two indexed steps, first by the
  // multiple of 4 in the amount, then by the rest (a 4:1 multiplexer per bit in each step),
  // which abc9 maps to far fewer ECP5 LUTs than one 16:1 step (as lpu_vxu_lane).
  if (Lanes > 4) begin : gen_rot_two
    logic [Lw-1:0]      k_fine, k_coarse, j_fine, j_coarse;
    logic [Lanes*8-1:0] wr_coarse, rd_coarse;
    assign k_fine   = a_k_q & Lw'(3);
    assign k_coarse = a_k_q & ~Lw'(3);
    assign j_fine   = d_j_q & Lw'(3);
    assign j_coarse = d_j_q & ~Lw'(3);
    for (genvar l = 0; l < Lanes; l++) begin : gen_byte
      logic [Lw-1:0] wc, wf, rc, rf;
      assign wc                  = Lw'(l) - k_coarse;
      assign wr_coarse[l*8 +: 8] = sram_rd_data_i[8*wc +: 8];
      assign wf                  = Lw'(l) - k_fine;
      assign wr_rot[l*8 +: 8]    = wr_coarse[8*wf +: 8];
      assign rc                  = Lw'(l) + j_coarse;
      assign rd_coarse[l*8 +: 8] = bank_rdata[8*rc +: 8];
      assign rf                  = Lw'(l) + j_fine;
      assign rd_rot[l*8 +: 8]    = rd_coarse[8*rf +: 8];
    end
  end else begin : gen_rot_one
    for (genvar l = 0; l < Lanes; l++) begin : gen_byte
      logic [Lw-1:0] ws, rs;
      assign ws               = Lw'(l) - a_k_q;
      assign wr_rot[l*8 +: 8] = sram_rd_data_i[8*ws +: 8];
      assign rs               = Lw'(l) + d_j_q;
      assign rd_rot[l*8 +: 8] = bank_rdata[8*rs +: 8];
    end
  end

  for (genvar b = 0; b < Lanes; b++) begin : gen_bank
    logic [7:0]    mem [Lanes];
    logic [Lw-1:0] wsrc, waddr, rsrc, raddr;
    assign wsrc  = Lw'(b) - a_k_q;
    assign waddr = a_dir_q ? wsrc : a_k_q;
    assign rsrc  = Lw'(b) - d_j_q;
    assign raddr = d_dir_q ? d_j_q : rsrc;
    always_ff @(posedge clk_i) begin
      if (a_write) mem[waddr] <= wr_rot[8*b +: 8];
    end
    assign bank_rdata[b*8 +: 8] = mem[raddr];
  end

  assign sram_wr_data_o = rd_rot;

  assign sram_wr_req_o  = d_act_q && !stop_i;
  assign sram_wr_bank_o = d_bank_q;
  assign sram_wr_addr_o = d_addr_q;
  assign sram_wr_pc_o   = d_pc_q;

  // Nothing is pending while stopped: the in-flight work is being dropped.
  assign pending_o = !stop_i && (f_act_q || a_valid_q || (d_act_q && d_j_q != LAST));

  // Fields other than op, rd and bank are not used (ra/rb arrive as values).
  logic unused_instr;
  assign unused_instr = ^iss_instr_i;

`ifndef SYNTHESIS
  initial begin
    if ((1 << Lw) != Lanes || Lanes < 2) $fatal(1, "lpu_sxu_tr: Lanes must be a power of two >= 2");
    if (VtrWrStart != Lanes + 2) $fatal(1, "lpu_sxu_tr: VtrWrStart must be Lanes + 2");
    if (VtrBusy < Lanes) $fatal(1, "lpu_sxu_tr: VtrBusy must be >= Lanes");
  end
`endif

endmodule
