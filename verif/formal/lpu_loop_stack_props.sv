// Formal properties of lpu_loop_stack (verif/formal/lpu_loop_stack.sby, docs/verification.md
// "Formal"), against a reference stack written from docs/sequencer.md "Hardware loops".
//
// Reference: a push stores {start, end, trips} on top. When the instruction at last_pc
// (pc_i, or pc_i + skip_len_i when skip_i: a loop instruction that skips its body) completes
// (adv), the stack is looked at from the top: an entry that ends at last_pc with
// trips > 1 sends the pc back to its start and loses a trip; one with trips = 1 is popped and
// the entry below is looked at the same way; anything else leaves pc + 1. next_pc_o is that
// decision for the current last_pc in every cycle (adv or not). f_next_pc_o is the same
// decision for the fetched instruction (f_pc_i, f_skip_i, f_skip_len_i), taken on the
// reference as it is after this cycle's push, or after an advance when adv_i or f_assume_i.
//
// Interface contract (assumed, what lpu_seq guarantees): trips of a push are not 0 (loopi 0
// skips the body), no push onto a full stack (lpu_seq raises loop_depth instead and does not
// issue the loop), and push and adv are not raised together (a loop instruction's completion
// is its push). Reset and clear are free at any time.
module lpu_loop_stack_props #(
  parameter int unsigned LoopDepth = 3,
  localparam int unsigned SpW = $clog2(LoopDepth + 1)
) (
  input logic        clk_i,
  input logic        rst_ni,
  input logic        clear_i,
  input logic        push_i,
  input logic [15:0] push_start_i,
  input logic [15:0] push_end_i,
  input logic [31:0] push_trips_i,
  input logic        adv_i,
  input logic [15:0] pc_i,
  input logic        skip_i,
  input logic [15:0] skip_len_i,
  input logic        f_assume_i,
  input logic [15:0] f_pc_i,
  input logic        f_skip_i,
  input logic [15:0] f_skip_len_i
);

  logic [15:0] last_pc;
  assign last_pc = skip_i ? pc_i + skip_len_i : pc_i;

  logic [15:0] next_pc, f_next_pc;
  logic        full;

  lpu_loop_stack #(
    .LoopDepth (LoopDepth)
  ) u_dut (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (clear_i),
    .push_i       (push_i),
    .push_start_i (push_start_i),
    .push_end_i   (push_end_i),
    .push_trips_i (push_trips_i),
    .adv_i        (adv_i),
    .pc_i         (pc_i),
    .skip_i       (skip_i),
    .skip_len_i   (skip_len_i),
    .next_pc_o    (next_pc),
    .f_assume_i   (f_assume_i),
    .f_pc_i       (f_pc_i),
    .f_skip_i     (f_skip_i),
    .f_skip_len_i (f_skip_len_i),
    .f_next_pc_o  (f_next_pc),
    .full_o       (full)
  );

  initial assume (!rst_ni);

  // The state of u_dut, driven by `connect -set` in the .sby script after `flatten` (Yosys
  // has no hierarchical references or bind): the refinement map that makes the reference
  // equivalence k-inductive. Entry k is bits [16k +: 16] (start, end) / [32k +: 32] (trips).
  (* keep *) logic [SpW-1:0]          dut_sp;
  (* keep *) logic [LoopDepth*16-1:0] dut_start;
  (* keep *) logic [LoopDepth*16-1:0] dut_end;
  (* keep *) logic [LoopDepth*32-1:0] dut_trips;

  // ---------------------------------------------------------------------------------------
  // Reference stack: entry k valid for k < ref_n_q.
  // ---------------------------------------------------------------------------------------
  logic [15:0] ref_start_q [LoopDepth];
  logic [15:0] ref_end_q   [LoopDepth];
  logic [31:0] ref_trips_q [LoopDepth];
  logic [7:0]  ref_n_q;

  // The decision for last_pc: how many entries remain, whether to branch and to which
  // entry; the walk stops at the first entry that does not end at last_pc or branches.
  logic [7:0]  walk_n;
  logic        walk_branch;
  logic [7:0]  walk_lvl;
  logic [15:0] ref_next;

  always_comb begin
    logic stop;
    stop        = 1'b0;
    walk_n      = ref_n_q;
    walk_branch = 1'b0;
    walk_lvl    = 8'd0;
    ref_next    = last_pc + 16'd1;
    for (int d = 0; d < LoopDepth; d++) begin  // d-th entry from the top
      if (!stop && walk_n != 8'd0) begin
        if (ref_end_q[walk_n - 8'd1] != last_pc) begin
          stop = 1'b1;
        end else if (ref_trips_q[walk_n - 8'd1] == 32'd1) begin
          walk_n = walk_n - 8'd1;  // last trip done: pop, look at the one below
        end else begin
          stop        = 1'b1;
          walk_branch = 1'b1;
          walk_lvl    = walk_n - 8'd1;
          ref_next    = ref_start_q[walk_n - 8'd1];
        end
      end
    end
  end

  // The reference after this cycle (push, or the advance taken or assumed; no clear), and
  // the walk of the fetched instruction on it.
  logic [15:0] nx_start [LoopDepth];
  logic [15:0] nx_end   [LoopDepth];
  logic [31:0] nx_trips [LoopDepth];
  logic [7:0]  nx_n;
  logic [15:0] f_last, f_ref_next;

  always_comb begin
    for (int k = 0; k < LoopDepth; k++) begin
      nx_start[k] = ref_start_q[k];
      nx_end[k]   = ref_end_q[k];
      nx_trips[k] = ref_trips_q[k];
    end
    nx_n = ref_n_q;
    if (push_i) begin
      for (int k = 0; k < LoopDepth; k++) begin
        if (k == 32'(ref_n_q)) begin
          nx_start[k] = push_start_i;
          nx_end[k]   = push_end_i;
          nx_trips[k] = push_trips_i;
        end
      end
      nx_n = ref_n_q + 8'd1;
    end else if (adv_i || f_assume_i) begin
      nx_n = walk_n;
      for (int k = 0; k < LoopDepth; k++) begin
        if (walk_branch && k == 32'(walk_lvl)) nx_trips[k] = ref_trips_q[k] - 32'd1;
      end
    end
  end

  assign f_last = f_skip_i ? f_pc_i + f_skip_len_i : f_pc_i;

  always_comb begin
    logic       stop;
    logic [7:0] n;
    stop       = 1'b0;
    n          = nx_n;
    f_ref_next = f_last + 16'd1;
    for (int d = 0; d < LoopDepth; d++) begin
      if (!stop && n != 8'd0) begin
        if (nx_end[n - 8'd1] != f_last) begin
          stop = 1'b1;
        end else if (nx_trips[n - 8'd1] == 32'd1) begin
          n = n - 8'd1;
        end else begin
          stop       = 1'b1;
          f_ref_next = nx_start[n - 8'd1];
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ref_n_q <= 8'd0;
    end else if (clear_i) begin
      ref_n_q <= 8'd0;
    end else if (push_i) begin
      ref_start_q[ref_n_q] <= push_start_i;
      ref_end_q[ref_n_q]   <= push_end_i;
      ref_trips_q[ref_n_q] <= push_trips_i;
      ref_n_q              <= ref_n_q + 8'd1;
    end else if (adv_i) begin
      ref_n_q <= walk_n;
      if (walk_branch) ref_trips_q[walk_lvl] <= ref_trips_q[walk_lvl] - 32'd1;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Contract and properties.
  // ---------------------------------------------------------------------------------------
  always_comb begin
    if (push_i) begin
      assume (!full);               // lpu_seq: loop_depth error instead of a push
      assume (push_trips_i != 32'd0);
      assume (!adv_i);
    end
  end

  always_comb begin
    assert (ref_n_q <= 8'(LoopDepth));            // never deeper than LoopDepth
    assert (full == (ref_n_q == 8'(LoopDepth)));  // full exactly at LoopDepth entries
    assert (next_pc == ref_next);                 // loop back / pop / fall through
    assert (f_next_pc == f_ref_next);             // the same for the fetched instruction
    // Refinement map: the stack pointer and every live entry equal the reference's.
    assert (32'(dut_sp) == 32'(ref_n_q));
    for (int k = 0; k < LoopDepth; k++) begin
      if (k < 32'(ref_n_q)) begin
        assert (dut_start[16*k +: 16] == ref_start_q[k]);
        assert (dut_end[16*k +: 16] == ref_end_q[k]);
        assert (dut_trips[32*k +: 32] == ref_trips_q[k]);
        assert (ref_trips_q[k] != 32'd0);
      end
    end
  end

  // Reachability (cover task): a full stack, and two loops ending at one pc finishing in one
  // cycle (a double pop).
  always_comb begin
    cover (rst_ni && full);
    cover (rst_ni && adv_i && !clear_i && walk_n + 8'd2 <= ref_n_q && walk_branch);
    // The fetched instruction branches back on a stack that this cycle's completion changed.
    cover (rst_ni && adv_i && !clear_i && walk_branch && f_next_pc != f_last + 16'd1);
  end

endmodule
