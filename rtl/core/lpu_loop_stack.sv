// Hardware loop stack of the sequencer (docs/sequencer.md "Hardware loops").
//
// Each entry holds the first and last pc of a loop body and the trips still to run
// (including the current one). `next_pc_o` is the pc that follows the completion of the
// instruction at `last` = `pc_i`, or `pc_i + skip_len_i` when `skip_i` (a loop instruction
// whose body is skipped completes at the body's last pc): the start of the innermost loop
// ending at `last` that has trips left, else `last + 1`. Loops ending at the same pc are
// resolved in one cycle: finished ones pop, the first with trips left branches. `adv_i`
// commits that decision (lpu_loop_resolve).
//
// The sequencer fetches one instruction ahead of the one it issues (docs/sequencer.md
// "Fetch pipeline"). `f_next_pc_o` is the same decision for the fetched instruction at
// `f_pc_i` (`f_skip_i`, `f_skip_len_i`), taken on the stack as it will be after this cycle
// if the issuing instruction completes now (`f_assume_i`; with it low, on the stack as it
// is): the pc the sequencer fetches next. `f_pc_i` is a register and `f_skip_len_i` comes
// from the instruction word just read from the imem.
module lpu_loop_stack #(
  parameter int unsigned LoopDepth = 4,
  localparam int unsigned SpW = $clog2(LoopDepth + 1)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clear_i,     // start of a run: empty the stack
  input  logic        push_i,      // push {start, end, trips}; trips != 0
  input  logic [15:0] push_start_i,
  input  logic [15:0] push_end_i,
  input  logic [31:0] push_trips_i,
  input  logic        adv_i,       // the instruction at `last` completes: commit next_pc_o
  input  logic [15:0] pc_i,        // pc of the completing instruction
  input  logic        skip_i,      // it is a loop instruction that skips its body ...
  input  logic [15:0] skip_len_i,  // ... of this many instructions: last = pc_i + skip_len_i
  output logic [15:0] next_pc_o,
  input  logic        f_assume_i,    // the fetched instruction: resolve it as if adv_i
  input  logic [15:0] f_pc_i,        // its pc
  input  logic        f_skip_i,      // it is a loop instruction that skips its body ...
  input  logic [15:0] f_skip_len_i,  // ... of this many instructions
  output logic [15:0] f_next_pc_o,   // the pc after it
  output logic        full_o
);

  logic [15:0] start_q [LoopDepth];
  logic [15:0] end_q   [LoopDepth];
  logic [31:0] trips_q [LoopDepth];
  logic [15:0] start_d [LoopDepth];
  logic [15:0] end_d   [LoopDepth];
  logic [31:0] trips_d [LoopDepth];
  logic [SpW-1:0] sp_q, sp_d;

  // Flat copies of the state for lpu_loop_resolve (entry k at bits [16k +: 16] / [32k +: 32]).
  logic [LoopDepth*16-1:0] start_qv, end_qv, start_nv, end_nv;
  logic [LoopDepth*32-1:0] trips_nv;
  // Trips > 1 of each entry as it is (gt1), as it is after a branch-back takes one (trips - 1
  // > 1: gt2), of the entry pushed now, and of the stack as it will be (more_nv): flags of
  // registers, formed beside the fetch decision instead of in it.
  logic [LoopDepth-1:0]    gt1, gt2, more_nv;
  logic                    push_gt1;
  logic [SpW-1:0]          sp_n;

  always_comb begin
    for (int unsigned i = 0; i < LoopDepth; i++) begin
      start_qv[16*i +: 16] = start_q[i];
      end_qv[16*i +: 16]   = end_q[i];
      gt1[i]               = trips_q[i] > 32'd1;
      gt2[i]               = trips_q[i] > 32'd2;
    end
  end
  assign push_gt1 = push_trips_i > 32'd1;

  // The decision for the instruction that completes (its own update of the stack).
  logic [SpW-1:0] sp_adv;
  logic           branch;
  logic [31:0]    branch_lvl;

  lpu_loop_resolve #(
    .LoopDepth (LoopDepth)
  ) u_now (
    .sp_i         (sp_q),
    .start_i      (start_qv),
    .end_i        (end_qv),
    .more_i       (gt1),
    .pc_i         (pc_i),
    .skip_i       (skip_i),
    .skip_len_i   (skip_len_i),
    .next_pc_o    (next_pc_o),
    .sp_adv_o     (sp_adv),
    .branch_o     (branch),
    .branch_lvl_o (branch_lvl)
  );

  // The stack after this cycle with the push, or with the advance taken (adv_i, or assumed
  // by f_assume_i): the state the fetched instruction is resolved on, and the registers'
  // next state when push_i or adv_i.
  always_comb begin
    sp_n = sp_q;
    more_nv = gt1;
    for (int unsigned i = 0; i < LoopDepth; i++) begin
      start_nv[16*i +: 16] = start_q[i];
      end_nv[16*i +: 16]   = end_q[i];
      trips_nv[32*i +: 32] = trips_q[i];
    end
    if (push_i) begin
      for (int unsigned i = 0; i < LoopDepth; i++) begin
        if (32'(sp_q) == i) begin
          start_nv[16*i +: 16] = push_start_i;
          end_nv[16*i +: 16]   = push_end_i;
          trips_nv[32*i +: 32] = push_trips_i;
          more_nv[i]           = push_gt1;
        end
      end
      sp_n = sp_q + SpW'(1);
    end else if (f_assume_i || adv_i) begin
      sp_n = sp_adv;
      for (int unsigned i = 0; i < LoopDepth; i++) begin
        if (branch && branch_lvl == i) begin
          trips_nv[32*i +: 32] = trips_q[i] - 32'd1;
          more_nv[i]           = gt2[i];
        end
      end
    end
  end

  logic [SpW-1:0] f_sp_adv_unused;
  logic           f_branch_unused;
  logic [31:0]    f_branch_lvl_unused;

  lpu_loop_resolve #(
    .LoopDepth (LoopDepth)
  ) u_fetch (
    .sp_i         (sp_n),
    .start_i      (start_nv),
    .end_i        (end_nv),
    .more_i       (more_nv),
    .pc_i         (f_pc_i),
    .skip_i       (f_skip_i),
    .skip_len_i   (f_skip_len_i),
    .next_pc_o    (f_next_pc_o),
    .sp_adv_o     (f_sp_adv_unused),
    .branch_o     (f_branch_unused),
    .branch_lvl_o (f_branch_lvl_unused)
  );

  // The registers follow the push or the advance (then the state with the advance taken is
  // the one above: f_assume_i or adv_i).
  always_comb begin
    sp_d = sp_q;
    for (int unsigned i = 0; i < LoopDepth; i++) begin
      start_d[i] = start_q[i];
      end_d[i]   = end_q[i];
      trips_d[i] = trips_q[i];
    end
    if (clear_i) begin
      sp_d = '0;
    end else if (push_i || adv_i) begin
      sp_d = sp_n;
      for (int unsigned i = 0; i < LoopDepth; i++) begin
        start_d[i] = start_nv[16*i +: 16];
        end_d[i]   = end_nv[16*i +: 16];
        trips_d[i] = trips_nv[32*i +: 32];
      end
    end
  end

  assign full_o = (32'(sp_q) == LoopDepth);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sp_q <= '0;
      for (int unsigned i = 0; i < LoopDepth; i++) begin
        start_q[i] <= '0;
        end_q[i]   <= '0;
        trips_q[i] <= '0;
      end
    end else begin
      sp_q <= sp_d;
      for (int unsigned i = 0; i < LoopDepth; i++) begin
        start_q[i] <= start_d[i];
        end_q[i]   <= end_d[i];
        trips_q[i] <= trips_d[i];
      end
    end
  end

endmodule
