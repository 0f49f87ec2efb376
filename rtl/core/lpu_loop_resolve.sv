// The decision of the sequencer's loop stack for one completing instruction
// (docs/sequencer.md "Hardware loops"): combinational, on a stack state given as flat
// vectors (entry k: start/end bits [16k +: 16]; bit k of `more_i`: its trips still to run
// are more than 1; entries below `sp_i` are live).
//
// The instruction completes at `last` = `pc_i`, or `pc_i + skip_len_i` when `skip_i` (a loop
// instruction whose body is skipped). From the top of the stack: an entry that ends at
// `last` with trips > 1 sends the pc back to its start and loses a trip (`branch_o`,
// `branch_lvl_o`); one with trips = 1 pops (`sp_adv_o` below it) and the entry below is
// looked at the same way; anything else leaves `last + 1`.
//
// The comparisons use the distances `end - pc_i` against 0 or `skip_len_i`, so no adder sits
// between `skip_len_i` (an instruction word field) and the comparators. The trip counts come
// in as their `> 1` flags, which the stack forms beside its registers: no trip count's
// decrement or comparison sits on the path through this decision.
//
// lpu_loop_stack uses it twice: for the instruction that issues now (its own update) and for
// the one the sequencer fetches behind it (the imem's next read address).
module lpu_loop_resolve #(
  parameter int unsigned LoopDepth = 4,
  localparam int unsigned SpW = $clog2(LoopDepth + 1)
) (
  input  logic [SpW-1:0]          sp_i,
  input  logic [LoopDepth*16-1:0] start_i,
  input  logic [LoopDepth*16-1:0] end_i,
  input  logic [LoopDepth-1:0]    more_i,
  input  logic [15:0]             pc_i,
  input  logic                    skip_i,
  input  logic [15:0]             skip_len_i,
  output logic [15:0]             next_pc_o,
  output logic [SpW-1:0]          sp_adv_o,
  output logic                    branch_o,
  output logic [31:0]             branch_lvl_o
);

  // Entry k ends at `last`. Both comparisons are formed and `skip_i` selects between them,
  // as it selects the fall-through pc below, so that it comes in after the compares and the
  // adder rather than in front of them (for the fetched instruction, `skip_i` is decoded
  // from the word just read: docs/sequencer.md "The fetch loop").
  logic [LoopDepth-1:0] at_last;
  logic [15:0]          to_end, pc_p1, pc_skip;

  always_comb begin
    for (int unsigned k = 0; k < LoopDepth; k++) begin
      to_end     = end_i[16*k +: 16] - pc_i;
      at_last[k] = skip_i ? (to_end == skip_len_i) : (to_end == 16'd0);
    end
  end

  assign pc_p1   = pc_i + 16'd1;
  assign pc_skip = pc_p1 + skip_len_i;

  always_comb begin
    logic going;
    going        = 1'b1;
    sp_adv_o     = sp_i;
    branch_o     = 1'b0;
    branch_lvl_o = 32'd0;
    next_pc_o    = skip_i ? pc_skip : pc_p1;
    for (int unsigned k = 0; k < LoopDepth; k++) begin
      if (going && (LoopDepth - 1 - k) < 32'(sp_i)) begin
        if (at_last[LoopDepth-1-k]) begin
          if (more_i[LoopDepth-1-k]) begin
            branch_o     = 1'b1;
            branch_lvl_o = LoopDepth - 1 - k;
            next_pc_o    = start_i[16*(LoopDepth-1-k) +: 16];
            going        = 1'b0;
          end else begin
            sp_adv_o = SpW'(LoopDepth - 1 - k);  // this loop is done: pop it
          end
        end else begin
          going = 1'b0;
        end
      end
    end
  end

endmodule
