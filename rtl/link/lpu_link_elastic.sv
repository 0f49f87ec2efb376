// Elastic buffer with SKP add/drop, all lanes of a link (docs/link.md "Clock compensation
// and deskew").
//
// Each lane has a FIFO of Depth symbols ({err, k, data}), written by its receive lane at the
// far chip's symbol rate. The read side runs on the local symbol clock (pre_tick_i, tick_i:
// one column time = 10*Osr local cycles) and reads all lanes in lockstep once the deskew
// controller has lined them up (run_i), so the difference in rates (+-1000 ppm per chip)
// shows up as a slowly drifting fill level. Let L be the smallest level over the lanes:
//   - after run_i rises, reading starts once L >= Target (FILL);
//   - at the cycle before a tick, a SKP column at the heads (SKP on every lane without a
//     symbol error) is dropped when L >= Target + 2;
//   - at a tick, a SKP column at the heads is read twice (a SKP added) when L < Target,
//     at most once per SKP column;
//   - otherwise every tick pops one column (col_valid_o/col_o, registered).
// SKP columns come every SkipInterval + 1 columns, so up to 1/(SkipInterval+1) of relative
// frequency offset is absorbed (0.39 % at the default 256). A write to a full FIFO
// (overflow_o) or a tick with an empty one (underflow_o) is an error: the training FSM
// retrains. Before run_i the deskew controller pops lanes one by one (discard_i).
// hiwater_o: the highest level of any lane seen while reading (since clear_i).
module lpu_link_elastic #(
  parameter int unsigned LinkLanes = 1,
  parameter int unsigned Depth     = 16,
  parameter int unsigned Target    = 2
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic                     clear_i,
  input  logic [LinkLanes-1:0]     wr_valid_i,
  input  logic [LinkLanes*10-1:0]  wr_sym_i,
  input  logic [LinkLanes-1:0]     discard_i,
  input  logic                     run_i,
  input  logic                     pre_tick_i,
  input  logic                     tick_i,
  output logic [LinkLanes*10-1:0]  head_o,
  output logic [LinkLanes-1:0]     head_valid_o,
  output logic [LinkLanes*$clog2(Depth+1)-1:0] level_o,
  output logic                     reading_o,
  output logic                     col_valid_o,
  output logic [LinkLanes*10-1:0]  col_o,
  output logic                     skip_add_o,
  output logic                     skip_drop_o,
  output logic                     overflow_o,
  output logic                     underflow_o,
  output logic [$clog2(Depth+1)-1:0] hiwater_o
);

  localparam int unsigned LvlW = $clog2(Depth + 1);
  localparam int unsigned AW   = (Depth > 1) ? $clog2(Depth) : 1;
  localparam logic [9:0]  SkpSym = {1'b0, 1'b1, lpu_link_pkg::K28_0};

  typedef enum logic [1:0] {RsIdle, RsFill, RsRun} rd_state_e;
  rd_state_e rs_q, rs_d;

  logic [LinkLanes-1:0]      pop, full, ovf;
  logic [LinkLanes*LvlW-1:0] lvl;     // fill level of lane l at [l*LvlW +: LvlW]

  // ---- per-lane FIFOs -------------------------------------------------------------------------
  for (genvar l = 0; l < LinkLanes; l++) begin : gen_lane
    logic [9:0]  mem_q [Depth];
    logic [AW:0] wptr_q, wptr_d, rptr_q, rptr_d;
    logic        we;

    assign lvl[l*LvlW +: LvlW] = LvlW'(wptr_q - rptr_q);
    assign full[l] = (lvl[l*LvlW +: LvlW] == LvlW'(Depth));
    assign ovf[l]  = wr_valid_i[l] && full[l];
    assign we      = wr_valid_i[l] && !full[l];

    always_comb begin
      wptr_d  = wptr_q;
      rptr_d  = rptr_q;
      if (we) wptr_d = wptr_q + 1'b1;
      if (pop[l] && (lvl[l*LvlW +: LvlW] != '0)) rptr_d = rptr_q + 1'b1;
      if (clear_i) begin
        wptr_d = '0;
        rptr_d = '0;
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wptr_q <= '0;
        rptr_q <= '0;
      end else begin
        wptr_q <= wptr_d;
        rptr_q <= rptr_d;
      end
    end

    // Storage: no reset needed, the pointers say what is valid.
    always_ff @(posedge clk_i) begin
      if (we) mem_q[wptr_q[AW-1:0]] <= wr_sym_i[l*10 +: 10];
    end

    assign head_o[l*10 +: 10]     = mem_q[rptr_q[AW-1:0]];
    assign head_valid_o[l] = (lvl[l*LvlW +: LvlW] != '0);
  end

  assign level_o = lvl;

  // ---- lockstep read side -----------------------------------------------------------------------
  logic [LvlW-1:0] min_lvl, max_lvl;
  logic            all_valid, is_skp, any_skp;
  logic            added_q, added_d;
  logic            col_valid_d, add_d, drop_d, ovf_d, udf_d;
  logic [LinkLanes*10-1:0] col_q, col_d;
  logic [LvlW-1:0] hiw_q, hiw_d;

  always_comb begin
    min_lvl   = lvl[0 +: LvlW];
    max_lvl   = lvl[0 +: LvlW];
    all_valid = 1'b1;
    is_skp    = 1'b1;
    any_skp   = 1'b0;
    for (int unsigned l = 0; l < LinkLanes; l++) begin
      if (lvl[l*LvlW +: LvlW] < min_lvl) min_lvl = lvl[l*LvlW +: LvlW];
      if (lvl[l*LvlW +: LvlW] > max_lvl) max_lvl = lvl[l*LvlW +: LvlW];
      if (lvl[l*LvlW +: LvlW] == '0) all_valid = 1'b0;
      // A lane with a symbol error does not veto a SKP column (else one bit error costs
      // a compensation opportunity).
      if (head_o[l*10 +: 10] == SkpSym) any_skp = 1'b1;
      else if (!head_o[l*10 + 9]) is_skp = 1'b0;
    end
    is_skp = is_skp && any_skp && all_valid;

    rs_d        = rs_q;
    added_d     = added_q;
    col_valid_d = 1'b0;
    col_d       = col_q;
    add_d       = 1'b0;
    drop_d      = 1'b0;
    udf_d       = 1'b0;
    ovf_d       = (rs_q != RsIdle) && (ovf != '0);
    hiw_d       = hiw_q;
    pop         = discard_i;
    case (rs_q)
      RsIdle: begin
        if (run_i) rs_d = RsFill;
      end
      RsFill: begin
        pop = '0;
        if (min_lvl >= LvlW'(Target)) rs_d = RsRun;
      end
      RsRun: begin
        pop = '0;
        if (max_lvl > hiw_q) hiw_d = max_lvl;
        if (pre_tick_i && is_skp && (min_lvl >= LvlW'(Target + 2))) begin
          pop    = '1;
          drop_d = 1'b1;
        end else if (tick_i) begin
          if (!all_valid) begin
            udf_d = 1'b1;
          end else if (is_skp && (min_lvl < LvlW'(Target)) && !added_q) begin
            add_d   = 1'b1;
            added_d = 1'b1;
          end else begin
            pop         = '1;
            added_d     = 1'b0;
            col_valid_d = 1'b1;
            col_d       = head_o;
          end
        end
      end
      default: rs_d = RsIdle;
    endcase
    if (clear_i) begin
      rs_d    = RsIdle;
      added_d = 1'b0;
      hiw_d   = '0;
    end
  end

  logic col_valid_q, add_q, drop_q, ovf_q, udf_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rs_q        <= RsIdle;
      added_q     <= 1'b0;
      col_valid_q <= 1'b0;
      col_q       <= '0;
      add_q       <= 1'b0;
      drop_q      <= 1'b0;
      ovf_q       <= 1'b0;
      udf_q       <= 1'b0;
      hiw_q       <= '0;
    end else begin
      rs_q        <= rs_d;
      added_q     <= added_d;
      col_valid_q <= col_valid_d;
      col_q       <= col_d;
      add_q       <= add_d;
      drop_q      <= drop_d;
      ovf_q       <= ovf_d;
      udf_q       <= udf_d;
      hiw_q       <= hiw_d;
    end
  end

  assign reading_o   = (rs_q == RsRun);
  assign col_valid_o = col_valid_q;
  assign col_o       = col_q;
  assign skip_add_o  = add_q;
  assign skip_drop_o = drop_q;
  assign overflow_o  = ovf_q;
  assign underflow_o = udf_q;
  assign hiwater_o   = hiw_q;

`ifndef SYNTHESIS
  initial begin
    if (Depth < 4 || (Depth & (Depth - 1)) != 0) $fatal(1, "lpu_link_elastic: Depth must be a power of 2, >= 4");
    if (Target < 1 || Target + 3 > Depth) $fatal(1, "lpu_link_elastic: need 1 <= Target <= Depth - 3");
    if (LinkLanes < 1 || LinkLanes > 4) $fatal(1, "lpu_link_elastic: LinkLanes must be 1..4");
  end
`endif

endmodule
