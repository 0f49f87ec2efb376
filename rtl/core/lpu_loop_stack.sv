// Hardware loop stack of the sequencer (docs/sequencer.md "Hardware loops").
//
// Each entry holds the first and last pc of a loop body and the trips still to run
// (including the current one). `next_pc_o` is the pc that follows the completion of the
// instruction at `last` = `pc_i`, or `pc_i + skip_len_i` when `skip_i` (a loop instruction
// whose body is skipped completes at the body's last pc): the start of the innermost loop
// ending at `last` that has trips left, else `last + 1`. Loops ending at the same pc are
// resolved in one cycle: finished ones pop, the first with trips left branches. `adv_i`
// commits that decision.
//
// Timing: `pc_i` and the stack are registers, while `skip_i` and `skip_len_i` come from the
// instruction word just read from the imem, and `next_pc_o` is the imem's next read address
// (the sequencer's fetch loop). So the comparisons are made on register-only distances
// `end - pc_i`, against 0 or `skip_len_i`: no adder between the instruction word and the
// comparators.
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
  output logic        full_o
);

  logic [15:0] start_q [LoopDepth];
  logic [15:0] end_q   [LoopDepth];
  logic [31:0] trips_q [LoopDepth];
  logic [15:0] start_d [LoopDepth];
  logic [15:0] end_d   [LoopDepth];
  logic [31:0] trips_d [LoopDepth];
  logic [SpW-1:0] sp_q, sp_d;

  // Resolution of the loops ending at `last`, innermost first.
  logic [SpW-1:0] sp_adv;
  logic           branch;
  logic [31:0]    branch_lvl;

  // Entry k ends at `last`: its distance from pc_i (registers only) is 0, or skip_len_i.
  logic [LoopDepth-1:0] at_last;
  logic [15:0]          pc_inc;

  always_comb begin
    for (int unsigned k = 0; k < LoopDepth; k++) begin
      at_last[k] = ((end_q[k] - pc_i) == (skip_i ? skip_len_i : 16'd0));
    end
  end
  assign pc_inc = pc_i + 16'd1;

  always_comb begin
    logic going;
    going      = 1'b1;
    sp_adv     = sp_q;
    branch     = 1'b0;
    branch_lvl = 32'd0;
    next_pc_o  = pc_inc + (skip_i ? skip_len_i : 16'd0);
    for (int unsigned k = 0; k < LoopDepth; k++) begin
      if (going && (LoopDepth - 1 - k) < 32'(sp_q)) begin
        if (at_last[LoopDepth-1-k]) begin
          if (trips_q[LoopDepth-1-k] > 32'd1) begin
            branch     = 1'b1;
            branch_lvl = LoopDepth - 1 - k;
            next_pc_o  = start_q[LoopDepth-1-k];
            going      = 1'b0;
          end else begin
            sp_adv = SpW'(LoopDepth - 1 - k);  // this loop is done: pop it
          end
        end else begin
          going = 1'b0;
        end
      end
    end
  end

  always_comb begin
    sp_d = sp_q;
    for (int unsigned i = 0; i < LoopDepth; i++) begin
      start_d[i] = start_q[i];
      end_d[i]   = end_q[i];
      trips_d[i] = trips_q[i];
    end
    if (clear_i) begin
      sp_d = '0;
    end else if (push_i) begin
      for (int unsigned i = 0; i < LoopDepth; i++) begin
        if (32'(sp_q) == i) begin
          start_d[i] = push_start_i;
          end_d[i]   = push_end_i;
          trips_d[i] = push_trips_i;
        end
      end
      sp_d = sp_q + SpW'(1);
    end else if (adv_i) begin
      sp_d = sp_adv;
      for (int unsigned i = 0; i < LoopDepth; i++) begin
        if (branch && branch_lvl == i) trips_d[i] = trips_q[i] - 32'd1;
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
