// Formal properties of lpu_loop_stack (verif/formal/lpu_loop_stack.sby, docs/verification.md
// "Formal"), against a reference stack written from docs/sequencer.md "Hardware loops".
//
// Reference: a push stores {start, end, trips} on top. When the instruction at last_pc
// (pc_i, or pc_i + skip_len_i when skip_i: a loop instruction that skips its body) completes
// (adv), the stack is looked at from the top: an entry that ends at last_pc with
// trips > 1 sends the pc back to its start and loses a trip; one with trips = 1 is popped and
// the entry below is looked at the same way; anything else leaves pc + 1. next_pc_o is that
// decision for the current last_pc in every cycle (adv or not). f_next_pc_o, the same
// decision for the fetched instruction on the stack as it will be, must equal next_pc_o a
// cycle later for that instruction whenever the stack moved to that state.
//
// Interface contract (assumed, what lpu_seq guarantees): trips of a push are not 0 (loopi 0
// skips the body), no push onto a full stack (lpu_seq raises loop_depth instead and does not
// issue the loop), and push and adv are not raised together (a loop instruction's completion
// is its push). Reset and clear are free at any time.
module lpu_loop_stack_props #(
  parameter int unsigned LoopDepth = 3,
  parameter bit          CheckFetch = 1'b1,  // the f_next_pc_o check (off in the BMC task)
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

  // The fetched instruction's decision, checked against the stack's own decision a cycle
  // later, which is proven equal to the reference below: when this cycle pushes or
  // completes (the stack moves to the state f_next_pc_o was taken on), or nothing moves and
  // no completion is assumed (the state stays), and the next cycle's instruction is the
  // fetched one, next_pc_o then equals f_next_pc_o now. These are the cycles in which
  // lpu_seq uses f_next_pc_o (it moves the fetched instruction into the issue stage).
  logic        f_past_ok;  // the cycle before was out of reset and a move as above
  logic [15:0] f_pc_q, f_skip_len_q, f_next_q;
  logic        f_skip_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_past_ok <= 1'b0;
    end else begin
      f_past_ok <= !clear_i && (push_i || adv_i || !f_assume_i);
    end
  end

  always_ff @(posedge clk_i) begin
    f_pc_q       <= f_pc_i;
    f_skip_q     <= f_skip_i;
    f_skip_len_q <= f_skip_len_i;
    f_next_q     <= f_next_pc;
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
    // The fetched instruction's decision (above).
    if (CheckFetch && f_past_ok && pc_i == f_pc_q && skip_i == f_skip_q &&
        skip_len_i == f_skip_len_q) begin
      assert (next_pc == f_next_q);
    end
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
    // The fetched instruction's decision is checked in a cycle in which it branches back.
    cover (rst_ni && f_past_ok && pc_i == f_pc_q && skip_i == f_skip_q && skip_len_i == f_skip_len_q
           && next_pc != pc_i + 16'd1 && !skip_i);
  end

endmodule
