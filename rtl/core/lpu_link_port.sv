// The core's end of the chip-to-chip links (docs/isa.md "Links", docs/core.md "Links"): the
// send stream (SRAM read port 4 into a link's TX interface), the recv stream (a link's RX
// interface into SRAM write port 2), and what the sequencer needs to issue them.
//
// send, issued in cycle t: word i is read from SRAM[bank][R[ra] + i*stride] in cycle t+1+i;
// the SRAM returns it in the next cycle, which hands it to the link (tx_valid_o): the link's
// retry buffer is the ISA's TX buffer. A read the SRAM suppressed (sram_addr, bank_conflict)
// hands nothing on (the chip stops in that cycle anyway).
// recv, issued in cycle t: from t+1 on, in every cycle in which the link offers a word
// (rx_valid_i), that word is taken (rx_ready_o) and written to SRAM[bank][R[ra] + i*stride]
// at the end of the cycle; recv_done_o marks the cycle of the last write.
//
// The sequencer decides the issue (lpu_seq: link_down, link_busy, the wait for TX room);
// this module only reports send_busy_o and tx_infl_o for it.
module lpu_link_port #(
  parameter int unsigned  Lanes = 16,
  parameter int unsigned  Links = 2,
  localparam int unsigned WordW = Lanes * 8
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   clear_i,      // a run starts: no stream is left
  input  logic                   run_i,        // the chip is running (streams advance)
  // Issue bus.
  input  logic                   iss_valid_i,
  input  logic [63:0]            iss_instr_i,
  input  logic [15:0]            iss_pc_i,
  input  logic [31:0]            iss_ra_val_i,
  // To the sequencer.
  output logic                   send_busy_o,  // the send stream reads after this cycle
  output logic [Links*2-1:0]     tx_infl_o,    // words on their way to link k's TX buffer (0-2)
  output logic                   recv_done_o,  // the recv writes its last word this cycle
  // SRAM read port (send).
  output logic                   rd_valid_o,
  output logic [3:0]             rd_bank_o,
  output logic [31:0]            rd_addr_o,
  output logic [15:0]            rd_pc_o,
  input  logic                   rd_ok_i,      // this cycle's read is performed
  input  logic [WordW-1:0]       rd_data_i,    // the previous cycle's read
  // SRAM write port (recv).
  output logic                   wr_valid_o,
  output logic [3:0]             wr_bank_o,
  output logic [31:0]            wr_addr_o,
  output logic [WordW-1:0]       wr_data_o,
  output logic [15:0]            wr_pc_o,
  // The links' word interfaces (lpu_link).
  output logic [Links-1:0]       tx_valid_o,
  output logic [WordW-1:0]       tx_word_o,
  input  logic [Links-1:0]       rx_valid_i,
  input  logic [Links*WordW-1:0] rx_word_i,
  output logic [Links-1:0]       rx_ready_o
);

  localparam int unsigned LinkW = (Links > 1) ? $clog2(Links) : 1;

  // Decode of the issuing instruction.
  logic [7:0]       op;
  logic [LinkW-1:0] f_link;
  logic [3:0]       f_bank;
  logic [15:0]      f_count;
  logic [31:0]      f_stride;
  logic             iss_send, iss_recv;

  assign op       = iss_instr_i[lpu_isa_pkg::F_OP_LSB +: lpu_isa_pkg::F_OP_W];
  assign f_link   = LinkW'(iss_instr_i[lpu_isa_pkg::F_SH_LSB +: lpu_isa_pkg::F_SH_W]);
  assign f_bank   = iss_instr_i[lpu_isa_pkg::F_BANK_LSB +: lpu_isa_pkg::F_BANK_W];
  assign f_count  = iss_instr_i[lpu_isa_pkg::F_COUNT_LSB +: lpu_isa_pkg::F_COUNT_W];
  assign f_stride = 32'($signed(iss_instr_i[lpu_isa_pkg::F_STRIDE_LSB +: lpu_isa_pkg::F_STRIDE_W]));
  // Only op, sh, bank, stride and count matter here.
  logic unused_instr;
  assign unused_instr = ^iss_instr_i;
  assign iss_send = iss_valid_i && (op == lpu_isa_pkg::OP_SEND);
  assign iss_recv = iss_valid_i && (op == lpu_isa_pkg::OP_RECV);

  // ---------------------------------------------------------------------------------------
  // Send: one read per cycle while words are left; the word goes to the link a cycle later.
  // ---------------------------------------------------------------------------------------
  logic [15:0]      s_cnt_q, s_cnt_d;     // reads left, this cycle's included
  logic [LinkW-1:0] s_link_q, s_link_d;
  logic [3:0]       s_bank_q, s_bank_d;
  logic [31:0]      s_addr_q, s_addr_d;
  logic [31:0]      s_stride_q, s_stride_d;
  logic [15:0]      s_pc_q, s_pc_d;
  logic             push_q;               // the previous cycle's read goes to the link now
  logic [LinkW-1:0] push_link_q;

  assign rd_valid_o  = run_i && (s_cnt_q != 16'd0);
  assign rd_bank_o   = s_bank_q;
  assign rd_addr_o   = s_addr_q;
  assign rd_pc_o     = s_pc_q;
  assign send_busy_o = (s_cnt_q > 16'd1);

  always_comb begin
    s_cnt_d    = s_cnt_q;
    s_link_d   = s_link_q;
    s_bank_d   = s_bank_q;
    s_addr_d   = s_addr_q;
    s_stride_d = s_stride_q;
    s_pc_d     = s_pc_q;
    if (rd_valid_o) begin
      s_cnt_d  = s_cnt_q - 16'd1;
      s_addr_d = s_addr_q + s_stride_q;
    end
    // A send issues only when the previous one reads its last word this cycle at the latest.
    if (iss_send) begin
      s_cnt_d    = f_count;
      s_link_d   = f_link;
      s_bank_d   = f_bank;
      s_addr_d   = iss_ra_val_i;
      s_stride_d = f_stride;
      s_pc_d     = iss_pc_i;
    end
    if (clear_i) s_cnt_d = 16'd0;
  end

  always_comb begin
    tx_valid_o = '0;
    for (int unsigned k = 0; k < Links; k++) begin
      tx_valid_o[k] = push_q && (32'(push_link_q) == k);
    end
  end
  assign tx_word_o = rd_data_i;

  // Words on their way to link k's TX buffer, not yet in the link's free count (its state
  // before this cycle's hand-over): the word handed over now and the word read
  // now. A send issued now has room for tx_free - infl words; the sequencer compares its
  // count + infl with tx_free (one compare of registers, off the subtraction).
  always_comb begin
    for (int unsigned k = 0; k < Links; k++) begin
      tx_infl_o[2*k +: 2] = 2'(push_q && (32'(push_link_q) == k)) +
                            2'((s_cnt_q != 16'd0) && (32'(s_link_q) == k));
    end
  end

  // ---------------------------------------------------------------------------------------
  // Recv: take a word whenever the link offers one, write it at the end of the cycle.
  // ---------------------------------------------------------------------------------------
  logic [15:0]      r_cnt_q, r_cnt_d;     // words still to write
  logic [LinkW-1:0] r_link_q, r_link_d;
  logic [3:0]       r_bank_q, r_bank_d;
  logic [31:0]      r_addr_q, r_addr_d;
  logic [31:0]      r_stride_q, r_stride_d;
  logic [15:0]      r_pc_q, r_pc_d;
  logic             r_active, take;

  assign r_active = run_i && (r_cnt_q != 16'd0);

  always_comb begin
    rx_ready_o = '0;
    take       = 1'b0;
    wr_data_o  = '0;
    for (int unsigned k = 0; k < Links; k++) begin
      if (32'(r_link_q) == k) begin
        rx_ready_o[k] = r_active;
        take          = r_active && rx_valid_i[k];
        wr_data_o     = rx_word_i[WordW*k +: WordW];
      end
    end
  end

  assign wr_valid_o  = take;
  assign wr_bank_o   = r_bank_q;
  assign wr_addr_o   = r_addr_q;
  assign wr_pc_o     = r_pc_q;
  assign recv_done_o = take && (r_cnt_q == 16'd1);

  always_comb begin
    r_cnt_d    = r_cnt_q;
    r_link_d   = r_link_q;
    r_bank_d   = r_bank_q;
    r_addr_d   = r_addr_q;
    r_stride_d = r_stride_q;
    r_pc_d     = r_pc_q;
    if (take) begin
      r_cnt_d  = r_cnt_q - 16'd1;
      r_addr_d = r_addr_q + r_stride_q;
    end
    // recv holds the issue slot until its last write: no recv issues while one is active.
    if (iss_recv) begin
      r_cnt_d    = f_count;
      r_link_d   = f_link;
      r_bank_d   = f_bank;
      r_addr_d   = iss_ra_val_i;
      r_stride_d = f_stride;
      r_pc_d     = iss_pc_i;
    end
    if (clear_i) r_cnt_d = 16'd0;
  end

  // ---------------------------------------------------------------------------------------
  // Registers.
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s_cnt_q     <= '0;
      s_link_q    <= '0;
      s_bank_q    <= '0;
      s_addr_q    <= '0;
      s_stride_q  <= '0;
      s_pc_q      <= '0;
      push_q      <= 1'b0;
      push_link_q <= '0;
      r_cnt_q     <= '0;
      r_link_q    <= '0;
      r_bank_q    <= '0;
      r_addr_q    <= '0;
      r_stride_q  <= '0;
      r_pc_q      <= '0;
    end else begin
      s_cnt_q     <= s_cnt_d;
      s_link_q    <= s_link_d;
      s_bank_q    <= s_bank_d;
      s_addr_q    <= s_addr_d;
      s_stride_q  <= s_stride_d;
      s_pc_q      <= s_pc_d;
      // The word read in this cycle reaches the link even if the run ends with this cycle.
      push_q      <= rd_valid_o && rd_ok_i;
      push_link_q <= s_link_q;
      r_cnt_q     <= r_cnt_d;
      r_link_q    <= r_link_d;
      r_bank_q    <= r_bank_d;
      r_addr_q    <= r_addr_d;
      r_stride_q  <= r_stride_d;
      r_pc_q      <= r_pc_d;
    end
  end

endmodule
