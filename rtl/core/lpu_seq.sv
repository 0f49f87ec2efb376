// The sequencer: instruction memory, fetch and issue, hardware loops, scalar registers,
// blocking instructions, the central operand check, the error latch and the performance
// counters. Specification: docs/sequencer.md.
module lpu_seq #(
  parameter int unsigned ImemDepth = 4096,
  parameter int unsigned Lanes     = 16,
  parameter int unsigned Banks     = 16,
  parameter int unsigned VRegs     = 16,
  parameter int unsigned SRegs     = 16,
  parameter int unsigned LoopDepth = 4,
  parameter int unsigned Links     = 2,
  parameter int unsigned LinkTxDepth = 64,  // the ISA's TX buffer (link_tx_depth)
  parameter int unsigned LutldW    = 1,     // cycles per lutld word (lutld_word_cycles)
  parameter int unsigned NumErr    = 1,
  localparam int unsigned ImemAw   = $clog2(ImemDepth)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // Host side (see lpu_core's host port); memory and length writes only while not running.
  input  logic                imem_req_i,
  input  logic                imem_we_i,
  input  logic [ImemAw-1:0]   imem_addr_i,
  input  logic [63:0]         imem_wdata_i,
  output logic [63:0]         imem_rdata_o,
  input  logic                len_we_i,
  input  logic [15:0]         len_wdata_i,
  output logic [15:0]         prog_len_o,
  input  logic                start_i,
  input  logic                abort_i,
  output logic [1:0]          status_o,       // the state (units, gating inside the core)
  output logic [1:0]          host_status_o,  // the state the host sees (STATUS, pins)
  output logic [7:0]          err_code_o,
  output logic [15:0]         err_pc_o,
  output logic [63:0]         err_cycle_o,
  input  logic [3:0]          cnt_sel_i,
  output logic [63:0]         cnt_rdata_o,
  input  logic [3:0]          sreg_sel_i,
  output logic [31:0]         sreg_rdata_o,
  // Issue bus.
  output logic                iss_valid_o,
  output logic [63:0]         iss_instr_o,
  output logic [15:0]         iss_pc_o,
  output logic [31:0]         iss_ra_val_o,
  output logic [31:0]         iss_rb_val_o,
  output logic [31:0]         iss_ea_o,       // R[ra] + sext(imm16), formed in the fetch stage
  output logic                stop_o,
  // From the units.
  input  logic                iss_reject_i,
  input  logic                pending_i,
  input  logic [31:0]         vext_val_i,
  input  logic [Links-1:0]    link_up_i,
  input  logic                send_busy_i,   // an earlier send reads after this cycle
  input  logic [Links*16-1:0] tx_free_i,     // free TX entries of link k (registered)
  input  logic [Links*2-1:0]  tx_infl_i,     // words on their way to link k, not in tx_free
  input  logic                recv_done_i,   // the recv writes its last word this cycle
  input  logic [NumErr-1:0]   err_i,
  input  logic [NumErr*8-1:0] err_code_i,
  input  logic [NumErr*16-1:0] err_pc_i,
  input  logic                ev_mxu_row_i,
  input  logic                ev_mxu_wrow_i,
  input  logic                ev_acc_wr_i,
  input  logic [3:0]          ev_sram_rd_i,
  input  logic [3:0]          ev_sram_wr_i,
  input  logic [3:0]          ev_link_tx_i,
  input  logic [3:0]          ev_link_rx_i
);

  typedef enum logic [1:0] {
    StIdle = 2'd0,
    StRun  = 2'd1,
    StDone = 2'd2,
    StErr  = 2'd3
  } state_e;

  state_e      state_q, state_d;
  logic [15:0] pc_q, pc_d;      // pc of the instruction in the issue stage (instr_q)
  logic [15:0] pc_f_q, pc_f_d;  // pc of the word at the imem output (instr_f)
  logic        pre_q, pre_d;    // the fetch cycle between a start and run cycle 0
  logic        abort_pre_q;     // an abort arrived in that cycle: raised in run cycle 0
  logic        first_q, first_d;  // the instruction at pc_q has not issued yet
  // nop/lutld: holding cycles still to go (a lutld holds LutldW*count: 16 bits and more).
  localparam int unsigned HoldW = 16 + $clog2(LutldW);
  logic [HoldW-1:0] hold_q, hold_d;
  logic [15:0] len_q, len_d;
  logic [7:0]  err_code_q, err_code_d;
  logic [15:0] err_pc_q, err_pc_d;
  logic [63:0] err_cycle_q, err_cycle_d;
  logic        stop_q;
  logic [63:0] cycle;  // number of the current run cycle (the cycles counter)

  logic running;
  assign running = (state_q == StRun);

  // ---------------------------------------------------------------------------------------
  // Instruction memory and the fetch stage. The word of pc_f_q, the instruction after the
  // one that issues (pc_q), is at the imem output (instr_f); when the issuing instruction
  // completes, it moves into the issue registers (instr_q, its operands ra_q and rb_q) and
  // the imem reads the pc after it (docs/sequencer.md "Fetch pipeline").
  // ---------------------------------------------------------------------------------------
  logic [ImemAw-1:0] imem_raddr;
  logic [63:0]       instr_f;   // the fetched word (imem output)
  logic [63:0]       instr;     // the issuing word (instr_q)
  logic [63:0]       instr_q;
  logic              start_ok;
  logic              err_pend;  // the cycle after an error cycle ("Errors" below)
  logic              fetch_adv; // the fetched word moves into the issue stage after this cycle

  assign start_ok = start_i && !running && !pre_q && !err_pend;

  // (Reading f_next in every cycle, as if the word moved, with a hold register for the word
  // that did not, took the completion off this address but measured worse in both
  // placements tried: docs/boards.md "The host's request registered".)
  always_comb begin
    if (running || pre_q) imem_raddr = pc_f_d[ImemAw-1:0];
    else if (start_ok)    imem_raddr = '0;
    else                  imem_raddr = imem_addr_i;
  end

  lpu_imem #(
    .Depth (ImemDepth),
    .Width (64)
  ) u_imem (
    .clk_i   (clk_i),
    .we_i    (imem_req_i && imem_we_i && !running && !pre_q),
    .waddr_i (imem_addr_i),
    .wdata_i (imem_wdata_i),
    .raddr_i (imem_raddr),
    .rdata_o (instr_f)
  );

  assign imem_rdata_o = instr_f;
  assign instr        = instr_q;

  // ---------------------------------------------------------------------------------------
  // Decode.
  // ---------------------------------------------------------------------------------------
  logic [7:0]  op;
  logic [3:0]  f_rd, f_ra;
  logic [31:0] f_stride, f_imm32;
  logic [15:0] f_count, f_len;
  logic [2:0]  unit;

  assign op       = instr[lpu_isa_pkg::F_OP_LSB +: lpu_isa_pkg::F_OP_W];
  assign f_rd     = instr[lpu_isa_pkg::F_RD_LSB +: lpu_isa_pkg::F_RD_W];
  assign f_ra     = instr[lpu_isa_pkg::F_RA_LSB +: lpu_isa_pkg::F_RA_W];
  assign f_stride = 32'($signed(instr[lpu_isa_pkg::F_STRIDE_LSB +: lpu_isa_pkg::F_STRIDE_W]));
  assign f_imm32  = instr[lpu_isa_pkg::F_IMM32_LSB +: lpu_isa_pkg::F_IMM32_W];
  assign f_count  = instr[lpu_isa_pkg::F_COUNT_LSB +: lpu_isa_pkg::F_COUNT_W];
  assign f_len    = 16'(instr[lpu_isa_pkg::F_LEN_LSB +: lpu_isa_pkg::F_LEN_W]);
  assign unit     = lpu_isa_pkg::op_unit(op);

  // Scalar register file (r0 reads as zero). The fetch stage reads the operands of the
  // fetched word, with this cycle's write (if the issuing instruction writes) passed through:
  // they are the values the registers hold when that word issues, since an instruction that
  // holds the issue slot writes nothing after its first cycle. The issue stage uses them
  // from ra_q/rb_q.
  logic [31:0] sreg_q [SRegs];
  logic [31:0] sreg_d [SRegs];
  logic [SRegs-1:0] sreg_z_q, sreg_z_d;  // register i holds 0 (for the loop-skip decision)
  logic        ra_f_zero;                // ra_f_val == 0, from the flags
  logic [31:0] ra_val, rb_val, ra_q, rb_q;
  logic [31:0] ra_f_val, rb_f_val;  // R[ra], R[rb] of instr_f after this cycle's write
  logic [31:0] ea_f, ea_q;          // R[ra] + sext(imm16) of instr_f; of instr_q
  logic        byp_we;              // the issuing instruction writes sreg_wa (if it issues)
  logic        sreg_we;             // ... and it issues
  logic [3:0]  sreg_wa;
  logic [31:0] sreg_wv;
  logic        byp_zero;            // sreg_wv == 0

  // The host's register read shares fetch read port A while the chip is not running; in
  // lpu_top its select comes from lpu_host_if's request register. (A multiplexer of its own
  // for the host, tried while the select still came from the host interface's address
  // arithmetic, measured worse in both placements tried: docs/boards.md "Fetch stage
  // (measured)".)
  logic [3:0] ra_f_idx, rb_f_idx;
  assign ra_f_idx = (running || pre_q) ? instr_f[lpu_isa_pkg::F_RA_LSB +: lpu_isa_pkg::F_RA_W]
                                       : sreg_sel_i;
  assign rb_f_idx = instr_f[lpu_isa_pkg::F_RB_LSB +: lpu_isa_pkg::F_RB_W];
  assign ra_f_val = (ra_f_idx == 4'd0) ? 32'd0 :
                    (byp_we && sreg_wa == ra_f_idx) ? sreg_wv : sreg_q[ra_f_idx];
  assign rb_f_val = (rb_f_idx == 4'd0) ? 32'd0 :
                    (byp_we && sreg_wa == rb_f_idx) ? sreg_wv : sreg_q[rb_f_idx];
  // R[ra] == 0 for the fetched loop's trip count, from the flags (the register file's zero
  // flags, or that of this cycle's write), not from ra_f_val: it is on the fetch loop.
  assign ra_f_zero = (ra_f_idx == 4'd0) ? 1'b1 :
                     (byp_we && sreg_wa == ra_f_idx) ? byp_zero : sreg_z_q[ra_f_idx];
  assign ra_val   = ra_q;
  assign rb_val   = rb_q;
  // The effective address R[ra] + sext(imm16) of the vector unit's accesses, formed a cycle
  // ahead so that the issue cycle starts its range and bank checks from a register
  // (docs/sequencer.md "Fetch pipeline"). Every word gets it; only the accesses use it.
  assign ea_f = ra_f_val + 32'($signed(instr_f[lpu_isa_pkg::F_IMM16_LSB +: lpu_isa_pkg::F_IMM16_W]));

  // ---------------------------------------------------------------------------------------
  // Issue checks.
  // ---------------------------------------------------------------------------------------
  logic        is_loop, loop_skip, link_bad, send_bad, send_wait, overrun;
  logic [31:0] trips;
  logic [7:0]  seq_err;
  logic        loop_full;

  // The operand check is a function of the word alone: made in the fetch stage and
  // registered with the word (chk_err_q), so that the issue decision starts from a register.
  // (Left on instr_q, synthesis turns its opcode table into a ROM, merges instr_q into the
  // ROM's address and maps it to a block RAM, whose slow output then starts the issue path.)
  logic [7:0] chk_err_f, chk_err_q;

  lpu_opcheck #(
    .Lanes (Lanes),
    .Banks (Banks),
    .VRegs (VRegs),
    .Links (Links)
  ) u_opcheck (
    .instr_i (instr_f),
    .err_o   (chk_err_f)
  );

  // The word's part in the slot and completion decisions (which opcode class, which link,
  // whether the count is zero, the count plus the words a send may find in flight) is
  // decoded in the fetch stage as well and registered with the word: the path from the
  // issue registers through the send's room check and the completion to the imem's read
  // address then starts from these bits and the links' registered state.
  logic [15:0]      cnt_fd;
  logic             is_send_f, is_sr_f, is_drain_f, is_counted_f, is_recv_f;
  logic             is_loop_q, skip_q;
  logic             cnt_nz_f, cnt_big_f;
  logic [Links-1:0] lsel_f;
  logic [16:0]      cnt_p1_f, cnt_p2_f;
  logic             is_send_q, is_sr_q, is_drain_q, is_counted_q, is_recv_q;
  logic             cnt_nz_q, cnt_big_q;
  logic [Links-1:0] lsel_q;
  logic [16:0]      cnt_p1_q, cnt_p2_q;

  assign overrun   = (pc_q >= len_q);
  assign is_loop   = is_loop_q;
  assign trips     = (op == lpu_isa_pkg::OP_LOOPI) ? 32'(f_count) : ra_val;
  assign loop_skip = skip_q;  // is_loop && trips == 0, decided in the fetch stage (skip_f)

  // A link that has been up since reset has a partner (docs/sequencer.md "Issue and blocking
  // instructions"): the flag is set while link_up_i is high and cleared only by rst_ni (the
  // host's RESET pulses it).
  logic [Links-1:0] was_up_q, was_up_d;
  assign was_up_d = was_up_q | link_up_i;

  // send/recv (docs/isa.md "Links"), in this order: a link never up since reset (link_down);
  // a send of more words than the TX buffer holds or while an earlier send still reads
  // (link_busy); a send of n > 0 words on a link that is not up now (retraining) or with
  // fewer free TX entries than words waits (no issue, a stall cycle). A recv on a retraining
  // link issues and holds the slot until its words arrive.
  // The room check: count words fit when tx_free - infl >= count, that is, for count > 0,
  // when tx_free >= count + infl (count + 1 and count + 2 come from the fetch stage).
  logic [16:0] need;
  always_comb begin
    link_bad  = is_sr_q;
    send_wait = 1'b0;
    need      = 17'(f_count);
    for (int unsigned k = 0; k < Links; k++) begin
      if (lsel_q[k]) begin
        if (link_up_i[k] || was_up_q[k]) link_bad = 1'b0;
        unique case (tx_infl_i[2*k +: 2])
          2'd0:    need = 17'(f_count);
          2'd1:    need = cnt_p1_q;
          default: need = cnt_p2_q;
        endcase
        if (cnt_nz_q && (!link_up_i[k] || 17'(tx_free_i[16*k +: 16]) < need)) begin
          send_wait = is_send_q;
        end
      end
    end
  end

  assign send_bad = is_send_q && (cnt_big_q || send_busy_i);

  always_comb begin
    if (overrun)                          seq_err = lpu_isa_pkg::ERR_PC_OVERRUN;
    else if (chk_err_q != lpu_isa_pkg::ERR_NONE) seq_err = chk_err_q;
    else if (is_loop && !loop_skip && loop_full) seq_err = lpu_isa_pkg::ERR_LOOP_DEPTH;
    else if (link_bad)                    seq_err = lpu_isa_pkg::ERR_LINK_DOWN;
    else if (send_bad)                    seq_err = lpu_isa_pkg::ERR_LINK_BUSY;
    else                                  seq_err = lpu_isa_pkg::ERR_NONE;
  end

  logic issue;       // the instruction at pc_q issues this cycle
  logic issue_done;  // ... and no unit rejected it
  logic waiting;     // ... or it is a send waiting for TX room or the link (a stall cycle)
  // The next pc, the holding cycles and the loop stack follow `slot`: the instruction leaves
  // its first cycle unless it waits. It differs from `issue` only in a cycle in which the
  // instruction fails its checks; that cycle raises the error and stops the run, so what
  // these registers hold afterwards is never used (a start resets them). The issue checks
  // (the operand ranges and the error code) thus stay off the path from the completion to
  // the imem's read address.
  logic slot;
  assign slot       = running && first_q && !send_wait;
  assign issue      = slot && (seq_err == lpu_isa_pkg::ERR_NONE);
  assign waiting    = running && first_q && (seq_err == lpu_isa_pkg::ERR_NONE) && send_wait;
  assign issue_done = issue && !iss_reject_i;

  assign iss_valid_o  = issue;
  assign iss_instr_o  = instr;
  assign iss_pc_o     = pc_q;
  assign iss_ra_val_o = ra_val;
  assign iss_rb_val_o = rb_val;
  assign iss_ea_o     = ea_q;

  // ---------------------------------------------------------------------------------------
  // Completion: when does the instruction at pc_q release the issue slot?
  // ---------------------------------------------------------------------------------------
  logic        complete;     // the slot is free after this cycle
  logic        hold_start;   // first cycle of a multi-cycle nop/lutld
  logic        is_drain;     // barrier or halt
  logic        is_counted;   // nop, lutld: hold for count extra cycles
  logic        is_recv;      // recv: hold until its last word is written

  assign is_drain   = is_drain_q;
  assign is_counted = is_counted_q;
  assign is_recv    = is_recv_q;

  always_comb begin
    complete   = 1'b0;
    hold_start = 1'b0;
    if (running) begin
      if (first_q) begin
        if (slot) begin
          if (is_drain)                           complete = !pending_i;
          else if (is_counted && cnt_nz_q)        hold_start = 1'b1;
          else if (is_recv && cnt_nz_q)           complete = 1'b0;
          else                                    complete = 1'b1;
        end
      end else begin
        if (is_drain)     complete = !pending_i;
        else if (is_recv) complete = recv_done_i;
        else              complete = (hold_q == HoldW'(1));
      end
    end
  end

  // Loop stack.
  logic        ls_push, ls_adv, ls_full;
  logic [15:0] ls_next_pc_unused;  // the issuing instruction's successor: already fetched

  // The fetched instruction's own loop decision: a loop instruction with trips pushes
  // (next pc + 1), one without skips its body (resolved by the stack like any completion).
  logic [7:0]  op_f;
  logic        is_loop_f, skip_f;
  logic [15:0] len_f, f_next, ls_f_next;
  assign op_f      = instr_f[lpu_isa_pkg::F_OP_LSB +: lpu_isa_pkg::F_OP_W];
  assign len_f     = 16'(instr_f[lpu_isa_pkg::F_LEN_LSB +: lpu_isa_pkg::F_LEN_W]);
  assign is_loop_f = (op_f == lpu_isa_pkg::OP_LOOPI) || (op_f == lpu_isa_pkg::OP_LOOP);
  assign skip_f    = is_loop_f &&
                     ((op_f == lpu_isa_pkg::OP_LOOPI)
                          ? (instr_f[lpu_isa_pkg::F_COUNT_LSB +: lpu_isa_pkg::F_COUNT_W] == '0)
                          : ra_f_zero);
  assign f_next    = (is_loop_f && !skip_f) ? pc_f_q + 16'd1 : ls_f_next;

  // The fetched word's decode for the issue stage (registered with it: "Issue checks").
  assign cnt_fd       = instr_f[lpu_isa_pkg::F_COUNT_LSB +: lpu_isa_pkg::F_COUNT_W];
  assign is_send_f    = (op_f == lpu_isa_pkg::OP_SEND);
  assign is_recv_f    = (op_f == lpu_isa_pkg::OP_RECV);
  assign is_sr_f      = is_send_f || is_recv_f;
  assign is_drain_f   = (op_f == lpu_isa_pkg::OP_BARRIER) || (op_f == lpu_isa_pkg::OP_HALT);
  assign is_counted_f = (op_f == lpu_isa_pkg::OP_NOP) || (op_f == lpu_isa_pkg::OP_LUTLD);
  assign cnt_nz_f     = (cnt_fd != 16'd0);
  assign cnt_big_f    = (32'(cnt_fd) > LinkTxDepth);
  assign cnt_p1_f     = 17'(cnt_fd) + 17'd1;
  assign cnt_p2_f     = 17'(cnt_fd) + 17'd2;
  always_comb begin
    for (int unsigned k = 0; k < Links; k++) begin
      lsel_f[k] = (32'(instr_f[lpu_isa_pkg::F_SH_LSB +: lpu_isa_pkg::F_SH_W]) == k);
    end
  end


  // No push onto a full stack: that loop instruction raises loop_depth instead.
  assign ls_push    = slot && is_loop && !loop_skip && !ls_full;
  assign ls_adv     = complete && !ls_push;
  assign loop_full  = ls_full;

  lpu_loop_stack #(
    .LoopDepth (LoopDepth)
  ) u_loops (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (start_ok),
    .push_i       (ls_push),
    .push_start_i (pc_q + 16'd1),
    .push_end_i   (pc_q + f_len),
    .push_trips_i (trips),
    .adv_i        (ls_adv && running),
    // A skipped body counts as completed at its last instruction, so an enclosing loop
    // that ends at the same pc still branches back.
    .pc_i         (pc_q),
    .skip_i       (loop_skip),
    .skip_len_i   (f_len),
    .next_pc_o    (ls_next_pc_unused),
    // The fetched instruction, resolved as if the issuing one completes now.
    .f_assume_i   (running),
    .f_pc_i       (pc_f_q),
    .f_skip_i     (skip_f),
    .f_skip_len_i (len_f),
    .f_next_pc_o  (ls_f_next),
    .full_o       (ls_full)
  );

  // ---------------------------------------------------------------------------------------
  // Errors: the lowest code raised this cycle wins; among equal codes the earlier candidate
  // in the order (own checks, err_i[0], err_i[1], ..., abort). Code 8'hff never wins.
  // A balanced tournament (log2 of the candidate count compare levels) rather than a scan
  // that compares each candidate with the best so far: same winner, a much shorter path.
  //
  // The chip stops on the OR of the candidates (err_any, in the error cycle c); the
  // candidates are registered and the tournament picks the code and pc in c+1 (err_pend),
  // off the issue path. In c+1 host_status_o still says running and a start is ignored, so
  // the host never sees the error state without its code and pc.
  // ---------------------------------------------------------------------------------------
  localparam int unsigned NumCand = NumErr + 2;
  localparam int unsigned CandPow = 1 << $clog2(NumCand);

  logic        err_any;
  logic [7:0]  err_sel_code;
  logic [15:0] err_sel_pc;

  logic [CandPow-1:0]      cand_v;
  logic [CandPow-1:0][7:0] cand_code;
  logic [CandPow-1:0][15:0] cand_pc;
  // The masked candidates of the previous cycle; err_pend: one of them was valid.
  logic [CandPow-1:0]       cand_v_q;
  logic [CandPow-1:0][7:0]  cand_code_q;
  logic [CandPow-1:0][15:0] cand_pc_q;
  logic [CandPow-1:0]       sel_v;
  logic [CandPow-1:0][7:0]  sel_code;
  logic [CandPow-1:0][15:0] sel_pc;

  always_comb begin
    cand_v    = '0;
    cand_code = '1;
    cand_pc   = '0;
    cand_v[0]    = first_q && seq_err != lpu_isa_pkg::ERR_NONE;
    cand_code[0] = seq_err;
    cand_pc[0]   = pc_q;
    for (int unsigned k = 0; k < NumErr; k++) begin
      cand_v[k+1]    = err_i[k];
      cand_code[k+1] = err_code_i[8*k +: 8];
      cand_pc[k+1]   = err_pc_i[16*k +: 16];
    end
    cand_v[NumErr+1]    = abort_i || abort_pre_q;
    cand_code[NumErr+1] = lpu_isa_pkg::ERR_ABORTED;
    cand_pc[NumErr+1]   = pc_q;
    for (int unsigned k = 0; k < CandPow; k++) begin
      if (!running || cand_code[k] == 8'hff) cand_v[k] = 1'b0;
    end
    err_any = |cand_v;
  end

  always_comb begin
    sel_v    = cand_v_q;
    sel_code = cand_code_q;
    sel_pc   = cand_pc_q;
    // Pairwise rounds, in place: entry k*2*step takes the better of itself and its right
    // neighbour at distance step (the left one on a tie: it is earlier in the order).
    for (int unsigned step = 1; step < CandPow; step = step * 2) begin
      for (int unsigned k = 0; k + step < CandPow; k = k + 2 * step) begin
        if (sel_v[k+step] && (!sel_v[k] || sel_code[k+step] < sel_code[k])) begin
          sel_v[k]    = 1'b1;
          sel_code[k] = sel_code[k+step];
          sel_pc[k]   = sel_pc[k+step];
        end
      end
    end
    err_sel_code = sel_code[0];
    err_sel_pc   = sel_pc[0];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) cand_v_q <= '0;
    else         cand_v_q <= cand_v;
  end
  assign err_pend = |cand_v_q;

  // Datapath copies, qualified by cand_v_q.
  always_ff @(posedge clk_i) begin
    cand_code_q <= cand_code;
    cand_pc_q   <= cand_pc;
  end

  // ---------------------------------------------------------------------------------------
  // Scalar register writes (end of the issue cycle). A post-increment by 0 writes nothing.
  // ---------------------------------------------------------------------------------------
  // addi, add, sub and the post-increment all add something to R[ra]: one shared adder.
  logic [31:0] add_b, add_sum;
  logic        add_cin;

  always_comb begin
    add_b   = f_imm32;                    // addi
    add_cin = 1'b0;
    case (op)
      lpu_isa_pkg::OP_ADD: add_b = rb_val;
      lpu_isa_pkg::OP_SUB: begin
        add_b   = ~rb_val;                // ra - rb = ra + ~rb + 1
        add_cin = 1'b1;
      end
      lpu_isa_pkg::OP_VLD, lpu_isa_pkg::OP_VLDU, lpu_isa_pkg::OP_VLDA,
      lpu_isa_pkg::OP_VST, lpu_isa_pkg::OP_VSTB: add_b = f_stride;
      default: ;
    endcase
  end

  assign add_sum = ra_val + add_b + 32'(add_cin);

  // byp_we: the opcode writes (in its first cycle, checks aside: an instruction that fails
  // them stops the run, so the fetch stage's operands are never used); sreg_we: it issues.
  always_comb begin
    byp_we  = 1'b0;
    sreg_wa = f_rd;
    sreg_wv = add_sum;
    if (running && first_q) begin
      case (op)
        lpu_isa_pkg::OP_LI:   begin byp_we = 1'b1; sreg_wv = f_imm32;         end
        lpu_isa_pkg::OP_ADDI,
        lpu_isa_pkg::OP_ADD,
        lpu_isa_pkg::OP_SUB:  byp_we = 1'b1;
        lpu_isa_pkg::OP_MUL:  begin byp_we = 1'b1; sreg_wv = ra_val * rb_val; end
        lpu_isa_pkg::OP_VEXT: begin byp_we = 1'b1; sreg_wv = vext_val_i;      end
        lpu_isa_pkg::OP_VLD, lpu_isa_pkg::OP_VLDU, lpu_isa_pkg::OP_VLDA,
        lpu_isa_pkg::OP_VST, lpu_isa_pkg::OP_VSTB: begin
          byp_we  = (f_stride != 32'd0);  // an increment of 0 writes nothing
          sreg_wa = f_ra;
        end
        default: ;
      endcase
    end
    if (sreg_wa == 4'd0) byp_we = 1'b0;  // r0 stays zero
    sreg_we = byp_we && issue;
  end

  // Whether the value written now is zero, formed beside the value rather than from it: the
  // fetch stage's loop-skip decision needs it within the cycle, on the way to the imem's
  // read address (the fetch loop), where the adder's carry chain or the multiplier would not
  // fit.
  //   a + b + cin == 0 (mod 2^32)  <=>  a ^ b == {(a | b)[30:0], cin}: bit i of the sum is
  //     zero exactly when the carry into it equals a_i ^ b_i, and then the carry out of it
  //     is a_i | b_i;
  //   the low 32 bits of a * b are zero  <=>  tz(a) + tz(b) >= 32 (tz: trailing zeros, 32
  //     for 0), since a * b = 2^(tz(a) + tz(b)) x an odd number.
  logic        add_zero, mul_zero;
  logic [5:0]  tz_a, tz_b;

  assign add_zero = ((ra_val ^ add_b) == {ra_val[30:0] | add_b[30:0], add_cin});

  always_comb begin
    tz_a = 6'd32;
    tz_b = 6'd32;
    for (int i = 31; i >= 0; i--) begin
      if (ra_val[i]) tz_a = 6'(i);
      if (rb_val[i]) tz_b = 6'(i);
    end
  end
  assign mul_zero = (7'(tz_a) + 7'(tz_b)) >= 7'd32;

  always_comb begin
    case (op)
      lpu_isa_pkg::OP_LI:   byp_zero = (f_imm32 == 32'd0);
      lpu_isa_pkg::OP_MUL:  byp_zero = mul_zero;
      lpu_isa_pkg::OP_VEXT: byp_zero = (vext_val_i == 32'd0);
      default:              byp_zero = add_zero;  // addi, add, sub, the post-increments
    endcase
  end

  always_comb begin
    for (int unsigned i = 0; i < SRegs; i++) begin
      sreg_d[i]   = sreg_q[i];
      sreg_z_d[i] = sreg_z_q[i];
      if (sreg_we && 32'(sreg_wa) == i) begin
        sreg_d[i]   = sreg_wv;
        sreg_z_d[i] = byp_zero;
      end
    end
  end

  assign sreg_rdata_o = ra_f_val;  // meaningful while not running

  // ---------------------------------------------------------------------------------------
  // Next state.
  // ---------------------------------------------------------------------------------------
  // The fetched word moves into the issue stage at the end of the fetch cycle after a start
  // and whenever the issuing instruction completes; the imem then reads the pc after it.
  assign fetch_adv = pre_q || complete;

  always_comb begin
    if (start_ok)       pc_f_d = 16'd0;
    else if (fetch_adv) pc_f_d = f_next;
    else                pc_f_d = pc_f_q;
  end

  always_comb begin
    state_d     = state_q;
    pre_d       = 1'b0;
    pc_d        = pc_q;
    first_d     = first_q;
    hold_d      = hold_q;
    len_d       = len_q;
    err_code_d  = err_code_q;
    err_pc_d    = err_pc_q;
    err_cycle_d = err_cycle_q;
    if (err_pend) begin
      // The cycle after the error cycle (the chip has stopped): the winner's code and pc.
      err_code_d = err_sel_code;
      err_pc_d   = err_sel_pc;
    end
    if (!running) begin
      if (len_we_i) len_d = len_wdata_i;
      if (start_ok) begin
        pre_d      = 1'b1;
        err_code_d = lpu_isa_pkg::ERR_NONE;
        err_pc_d   = 16'd0;
        err_cycle_d = 64'd0;
      end
      if (pre_q) begin
        state_d = StRun;
        pc_d    = pc_f_q;
        first_d = 1'b1;
        hold_d  = '0;
      end
    end else begin
      if (hold_start) begin
        first_d = 1'b0;
        hold_d  = (op == lpu_isa_pkg::OP_LUTLD) ? HoldW'(f_count) * HoldW'(LutldW)
                                                : HoldW'(f_count);
      end else if (first_q && slot && (is_drain || is_recv) && !complete) begin
        first_d = 1'b0;
      end else if (!first_q && !complete && !is_drain && !is_recv) begin
        hold_d = hold_q - HoldW'(1);
      end
      if (complete) begin
        first_d = 1'b1;
        pc_d    = pc_f_q;
        if (op == lpu_isa_pkg::OP_HALT) state_d = StDone;
      end
      if (err_any) begin
        state_d     = StErr;
        err_cycle_d = cycle;
      end
    end
  end

  // ---------------------------------------------------------------------------------------
  // Performance counters.
  // ---------------------------------------------------------------------------------------
  logic [lpu_isa_pkg::NUM_COUNTERS*4-1:0] cnt_inc;

  always_comb begin
    cnt_inc = '0;
    cnt_inc[4*lpu_isa_pkg::CNT_CYCLES +: 4]       = 4'd1;
    cnt_inc[4*lpu_isa_pkg::CNT_INSTRS +: 4]       = {3'd0, issue_done};
    cnt_inc[4*lpu_isa_pkg::CNT_STALL_CYCLES +: 4] = {3'd0, !first_q || waiting};
    cnt_inc[4*lpu_isa_pkg::CNT_MXU_BUSY +: 4]     = {3'd0, ev_mxu_row_i};
    cnt_inc[4*lpu_isa_pkg::CNT_MXU_WLOAD +: 4]    = {3'd0, ev_mxu_wrow_i};
    cnt_inc[4*lpu_isa_pkg::CNT_VXU_OPS +: 4]      =
        {3'd0, issue_done && unit == 3'(lpu_isa_pkg::UNIT_VXU)};
    cnt_inc[4*lpu_isa_pkg::CNT_SXU_OPS +: 4]      =
        {3'd0, issue_done && unit == 3'(lpu_isa_pkg::UNIT_SXU)};
    cnt_inc[4*lpu_isa_pkg::CNT_SRAM_READS +: 4]   = ev_sram_rd_i;
    cnt_inc[4*lpu_isa_pkg::CNT_SRAM_WRITES +: 4]  = ev_sram_wr_i;
    cnt_inc[4*lpu_isa_pkg::CNT_ACC_WRITES +: 4]   = {3'd0, ev_acc_wr_i};
    cnt_inc[4*lpu_isa_pkg::CNT_LINK_TX +: 4]      = ev_link_tx_i;
    cnt_inc[4*lpu_isa_pkg::CNT_LINK_RX +: 4]      = ev_link_rx_i;
  end

  lpu_perf_counters #(
    .NumCnt (lpu_isa_pkg::NUM_COUNTERS)
  ) u_counters (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (start_ok),
    .en_i     (running),
    .inc_i    (cnt_inc),
    .sel_i    (cnt_sel_i),
    .rdata_o  (cnt_rdata_o),
    .cycles_o (cycle)
  );

  // ---------------------------------------------------------------------------------------
  // Registers.
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      pre_q       <= 1'b0;
      abort_pre_q <= 1'b0;
      pc_q        <= '0;
      pc_f_q      <= '0;
      first_q     <= 1'b1;
      hold_q      <= '0;
      len_q       <= '0;
      err_code_q  <= lpu_isa_pkg::ERR_NONE;
      err_pc_q    <= '0;
      err_cycle_q <= '0;
      stop_q      <= 1'b1;
      was_up_q    <= '0;
      for (int unsigned i = 0; i < SRegs; i++) sreg_q[i] <= '0;
      sreg_z_q    <= '1;
    end else begin
      state_q     <= state_d;
      pre_q       <= pre_d;
      abort_pre_q <= pre_q && abort_i;
      pc_q        <= pc_d;
      pc_f_q      <= pc_f_d;
      first_q     <= first_d;
      hold_q      <= hold_d;
      len_q       <= len_d;
      err_code_q  <= err_code_d;
      err_pc_q    <= err_pc_d;
      err_cycle_q <= err_cycle_d;
      stop_q      <= (state_d != StRun);
      was_up_q    <= was_up_d;
      for (int unsigned i = 0; i < SRegs; i++) sreg_q[i] <= sreg_d[i];
      sreg_z_q    <= sreg_z_d;
    end
  end

  // The issue stage's word and operands (datapath: loaded before the run's first cycle).
  always_ff @(posedge clk_i) begin
    if (fetch_adv) begin
      instr_q   <= instr_f;
      ra_q      <= ra_f_val;
      rb_q      <= rb_f_val;
      ea_q      <= ea_f;
      chk_err_q <= chk_err_f;
      is_send_q    <= is_send_f;
      is_sr_q      <= is_sr_f;
      is_drain_q   <= is_drain_f;
      is_counted_q <= is_counted_f;
      is_recv_q    <= is_recv_f;
      is_loop_q    <= is_loop_f;
      skip_q       <= skip_f;
      cnt_nz_q     <= cnt_nz_f;
      cnt_big_q    <= cnt_big_f;
      lsel_q       <= lsel_f;
      cnt_p1_q     <= cnt_p1_f;
      cnt_p2_q     <= cnt_p2_f;
    end
  end

  assign stop_o      = stop_q;
  assign status_o      = state_q;
  assign host_status_o = (err_pend || pre_q) ? StRun : state_q;
  assign prog_len_o  = len_q;
  assign err_code_o  = err_code_q;
  assign err_pc_o    = err_pc_q;
  assign err_cycle_o = err_cycle_q;

endmodule
