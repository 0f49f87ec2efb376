// Matrix unit (docs/mxu.md): decodes mlw / mm / mma from the issue bus, runs the weight and
// activation streams against SRAM read ports 1 and 0, the Lanes x Lanes systolic array and
// the accumulator memory. Every effect happens at a fixed cycle after issue:
//   mm/mma row i: SRAM read at t+1+i, ACC write at the end of t+1+i+MxuLat (exactly);
//   mlw row k:    SRAM read at t+1+k, shifted into the weight buffer at the end of t+2+k.
// Illegal schedules are rejected at issue with iss_err_o (mxu_busy, wbuf_hazard); ACC
// addresses are checked at the write cycle (acc_addr), SRAM addresses by lpu_sram.
//
// Fixed-latency datapath: no valid/ready anywhere.
module lpu_mxu #(
  parameter int unsigned Lanes       = 16,
  parameter int unsigned AccDepth    = 512,
  parameter int unsigned MxuLat      = 35,
  parameter int unsigned MlwBusy     = 16,
  parameter int unsigned MlwReady    = 14,
  parameter int unsigned WbufRelease = 17,
  // Implementation choice, not architecture: how many PEs (the first ones in row-major order)
  // use DSP multipliers; the rest use LUTs. Set by the core to fit the device (docs/mxu.md).
  parameter int unsigned DspPes      = Lanes * Lanes,
  // Implementation choice: 2 shares each DSP multiplier between two PEs on clk2x_i
  // (lpu_mxu_array, docs/mxu.md "Double-pumped DSP PEs"); 1 leaves clk2x_i unused.
  parameter int unsigned DspPump     = 1
) (
  input  logic                  clk_i,
  input  logic                  clk2x_i,   // 2x clk_i, rising edges aligned (DspPump = 2)
  input  logic                  rst_ni,
  input  logic                  stop_i,
  input  logic                  clear_i,

  // Issue bus.
  input  logic                  iss_valid_i,
  input  logic [63:0]           iss_instr_i,
  input  logic [15:0]           iss_pc_i,
  input  logic [31:0]           iss_ra_val_i,
  input  logic [31:0]           iss_rb_val_i,
  output logic [7:0]            iss_err_o,

  // SRAM read port 0: activations.
  output logic                  act_rd_valid_o,
  output logic [3:0]            act_rd_bank_o,
  output logic [31:0]           act_rd_addr_o,
  output logic [15:0]           act_rd_pc_o,
  input  logic [Lanes*8-1:0]    act_rd_data_i,

  // SRAM read port 1: weights.
  output logic                  w_rd_valid_o,
  output logic [3:0]            w_rd_bank_o,
  output logic [31:0]           w_rd_addr_o,
  output logic [15:0]           w_rd_pc_o,
  input  logic [Lanes*8-1:0]    w_rd_data_i,

  // Accumulator writes (events, errors, trace).
  output logic                  acc_wr_o,
  output logic                  acc_wr_err_o,
  output logic [15:0]           acc_wr_pc_o,
  output logic [15:0]           acc_wr_addr_o,
  output logic [Lanes*32-1:0]   acc_wr_data_o,

  // Accumulator read port of the vector pipeline (vlda).
  input  logic                  acc_rd_valid_i,
  input  logic [31:0]           acc_rd_addr_i,
  output logic                  acc_rd_err_o,
  output logic [Lanes*32-1:0]   acc_rd_data_o,

  // Host access to the accumulators, only while idle.
  input  logic                  host_acc_req_i,
  input  logic                  host_acc_we_i,
  input  logic [31:0]           host_acc_addr_i,
  input  logic [Lanes*32-1:0]   host_acc_wdata_i,
  output logic [Lanes*32-1:0]   host_acc_rdata_o,

  output logic                  pending_o
);

  localparam int unsigned AccAw = $clog2(AccDepth);
  localparam int unsigned StepW = $clog2(Lanes);
  // Activation input stages after the capture register, so that the array result of row i
  // is ready exactly in its write cycle: 1 (capture) + Pad + (2L - 1) (array) = MxuLat - 1.
  localparam int unsigned Pad = MxuLat - 2 * Lanes - 1;
  localparam int unsigned BusyW = $clog2(MlwBusy + 1);
  localparam int unsigned RdyW = $clog2(MlwReady + 1);
  localparam int unsigned RelW = $clog2(65536 + WbufRelease);

  localparam logic [StepW-1:0] LastStep = StepW'(Lanes - 1);

  // =======================================================================================
  // Issue: decode and hazard checks (combinational in the issue cycle).
  // =======================================================================================
  logic [7:0]  iss_op;
  logic [3:0]  iss_bank;
  logic        iss_buf;
  logic [7:0]  iss_stride, iss_dstride;
  logic [15:0] iss_count;
  logic        is_mlw, is_mm, is_mma;

  assign iss_op      = iss_instr_i[lpu_isa_pkg::F_OP_LSB +: 8];
  assign iss_bank    = iss_instr_i[lpu_isa_pkg::F_BANK_LSB +: 4];
  assign iss_buf     = iss_instr_i[lpu_isa_pkg::F_SH_LSB];
  assign iss_stride  = iss_instr_i[lpu_isa_pkg::F_STRIDE_LSB +: 8];
  assign iss_dstride = iss_instr_i[lpu_isa_pkg::F_DSTRIDE_LSB +: 8];
  assign iss_count   = iss_instr_i[lpu_isa_pkg::F_COUNT_LSB +: 16];

  // Hazard state (registers below).
  logic [15:0]          mm_rows_q, mm_rows_d;     // activation rows still to read, incl. this cycle
  logic [BusyW-1:0]     mlw_busy_q, mlw_busy_d;   // cycles until the next mlw may issue
  logic [1:0][RdyW-1:0] rdy_q, rdy_d;             // per buffer: cycles until an mm may use it
  logic [1:0][RelW-1:0] rel_q, rel_d;             // per buffer: cycles until an mlw may load it

  logic accept_mlw, accept_mm;

  always_comb begin
    is_mlw = iss_valid_i && !stop_i && (iss_op == lpu_isa_pkg::OP_MLW);
    is_mma = iss_op == lpu_isa_pkg::OP_MMA;
    // mm/mma with count = 0 is a complete no-op: no read, no write, no check, no window.
    is_mm  = iss_valid_i && !stop_i && (iss_op == lpu_isa_pkg::OP_MM || is_mma) &&
             (iss_count != 16'd0);

    iss_err_o = lpu_isa_pkg::ERR_NONE;
    if (is_mlw) begin
      if (mlw_busy_q != '0) begin
        iss_err_o = lpu_isa_pkg::ERR_MXU_BUSY;
      end else if (rel_q[iss_buf] != '0) begin
        iss_err_o = lpu_isa_pkg::ERR_WBUF_HAZARD;
      end
    end
    if (is_mm) begin
      // The previous stream may still read its last row in this cycle.
      if (mm_rows_q > 16'd1) begin
        iss_err_o = lpu_isa_pkg::ERR_MXU_BUSY;
      end else if (rdy_q[iss_buf] != '0) begin
        iss_err_o = lpu_isa_pkg::ERR_WBUF_HAZARD;
      end
    end
    accept_mlw = is_mlw && (iss_err_o == lpu_isa_pkg::ERR_NONE) && !clear_i;
    accept_mm  = is_mm && (iss_err_o == lpu_isa_pkg::ERR_NONE) && !clear_i;
  end

  // Hazard windows.
  always_comb begin
    mlw_busy_d = mlw_busy_q;
    rdy_d      = rdy_q;
    rel_d      = rel_q;
    if (clear_i) begin
      mlw_busy_d = '0;
      rdy_d      = '0;
      rel_d      = '0;
    end else if (!stop_i) begin
      mlw_busy_d = (mlw_busy_q != '0) ? mlw_busy_q - 1'b1 : '0;
      for (int unsigned b = 0; b < 2; b++) begin
        rdy_d[b] = (rdy_q[b] != '0) ? rdy_q[b] - 1'b1 : '0;
        rel_d[b] = (rel_q[b] != '0) ? rel_q[b] - 1'b1 : '0;
      end
      if (accept_mlw) begin
        mlw_busy_d       = BusyW'(MlwBusy - 1);
        rdy_d[iss_buf]   = RdyW'(MlwReady - 1);
      end
      if (accept_mm) begin
        rel_d[iss_buf] = RelW'(iss_count) + RelW'(WbufRelease - 1);
      end
    end
  end

  // =======================================================================================
  // Activation stream (mm / mma).
  // =======================================================================================
  logic [31:0] mm_addr_q, mm_addr_d;
  logic [31:0] mm_acc_q, mm_acc_d;
  logic [7:0]  mm_stride_q, mm_stride_d, mm_dstride_q, mm_dstride_d;
  logic [3:0]  mm_bank_q, mm_bank_d;
  logic        mm_buf_q, mm_buf_d;
  logic        mm_accum_q, mm_accum_d;
  logic [15:0] mm_pc_q, mm_pc_d;
  logic        mm_read;

  always_comb begin
    mm_read      = (mm_rows_q != 16'd0) && !stop_i;
    mm_rows_d    = mm_rows_q;
    mm_addr_d    = mm_addr_q;
    mm_acc_d     = mm_acc_q;
    mm_stride_d  = mm_stride_q;
    mm_dstride_d = mm_dstride_q;
    mm_bank_d    = mm_bank_q;
    mm_buf_d     = mm_buf_q;
    mm_accum_d   = mm_accum_q;
    mm_pc_d      = mm_pc_q;
    if (clear_i) begin
      mm_rows_d = '0;
    end else begin
      if (mm_read) begin
        mm_rows_d = mm_rows_q - 16'd1;
        mm_addr_d = mm_addr_q + {{24{mm_stride_q[7]}}, mm_stride_q};
        mm_acc_d  = mm_acc_q + {{24{mm_dstride_q[7]}}, mm_dstride_q};
      end
      if (accept_mm) begin
        mm_rows_d    = iss_count;
        mm_addr_d    = iss_ra_val_i;
        mm_acc_d     = iss_rb_val_i;
        mm_stride_d  = iss_stride;
        mm_dstride_d = iss_dstride;
        mm_bank_d    = iss_bank;
        mm_buf_d     = iss_buf;
        mm_accum_d   = is_mma;
        mm_pc_d      = iss_pc_i;
      end
    end
  end

  assign act_rd_valid_o = mm_read;
  assign act_rd_bank_o  = mm_bank_q;
  assign act_rd_addr_o  = mm_addr_q;
  assign act_rd_pc_o    = mm_pc_q;

  // ---------------------------------------------------------------------------------------
  // Row tags: one per activation row read, delayed MxuLat cycles to the row's write cycle.
  // Entry k of each array belongs to the row read k+1 cycles ago. One plain packed array per
  // field (Yosys 0.70 mis-elaborates element selects of packed arrays of structs).
  // ---------------------------------------------------------------------------------------
  logic [MxuLat-1:0]             tag_valid_q, tag_valid_d;
  logic [MxuLat-1:0]             tag_accum_q, tag_accum_d;
  logic [MxuLat-1:0]             tag_ok_q, tag_ok_d;       // ACC entry in range
  logic [MxuLat-1:0][AccAw-1:0]  tag_idx_q, tag_idx_d;
  logic [MxuLat-1:0][15:0]       tag_pc_q, tag_pc_d;
  logic                          tag_ok_in;

  always_comb begin
    tag_ok_in = mm_acc_q < 32'(AccDepth);

    tag_valid_d = tag_valid_q;
    tag_accum_d = tag_accum_q;
    tag_ok_d    = tag_ok_q;
    tag_idx_d   = tag_idx_q;
    tag_pc_d    = tag_pc_q;
    if (!stop_i) begin
      tag_valid_d[0] = mm_read;
      tag_accum_d[0] = mm_accum_q;
      tag_ok_d[0]    = tag_ok_in;
      tag_idx_d[0]   = mm_acc_q[AccAw-1:0];
      tag_pc_d[0]    = mm_pc_q;
      for (int unsigned k = 1; k < MxuLat; k++) begin
        tag_valid_d[k] = tag_valid_q[k-1];
        tag_accum_d[k] = tag_accum_q[k-1];
        tag_ok_d[k]    = tag_ok_q[k-1];
        tag_idx_d[k]   = tag_idx_q[k-1];
        tag_pc_d[k]    = tag_pc_q[k-1];
      end
    end
    if (clear_i) begin
      tag_valid_d = '0;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Activation input pipeline: capture the SRAM data (with the row's buffer bit), then Pad
  // more stages, into the array.
  // ---------------------------------------------------------------------------------------
  logic                           sel_rd_q, sel_rd_d;  // buffer of the row read last cycle
  logic [Pad:0][Lanes*8:0]        in_q, in_d;          // {sel, data}

  always_comb begin
    sel_rd_d = sel_rd_q;
    in_d     = in_q;
    if (!stop_i) begin
      sel_rd_d = mm_buf_q;
      in_d[0]  = {sel_rd_q, act_rd_data_i};
      for (int unsigned k = 1; k <= Pad; k++) begin
        in_d[k] = in_q[k-1];
      end
    end
  end

  // =======================================================================================
  // Weight stream (mlw).
  // =======================================================================================
  logic              w_active_q, w_active_d;
  logic [StepW-1:0]  w_step_q, w_step_d;
  logic [31:0]       w_addr_q, w_addr_d;
  logic [7:0]        w_stride_q, w_stride_d;
  logic [3:0]        w_bank_q, w_bank_d;
  logic              w_buf_q, w_buf_d;
  logic [15:0]       w_pc_q, w_pc_d;
  logic              w_read;
  // The row read last cycle lands in its buffer this cycle (not frozen by stop_i).
  logic              wl_valid_q, wl_valid_d;
  logic              wl_buf_q;
  logic [StepW-1:0]  wl_step_q;

  always_comb begin
    w_read     = w_active_q && !stop_i;
    w_active_d = w_active_q;
    w_step_d   = w_step_q;
    w_addr_d   = w_addr_q;
    w_stride_d = w_stride_q;
    w_bank_d   = w_bank_q;
    w_buf_d    = w_buf_q;
    w_pc_d     = w_pc_q;
    if (clear_i) begin
      w_active_d = 1'b0;
    end else begin
      if (w_read) begin
        w_step_d = w_step_q + 1'b1;
        w_addr_d = w_addr_q + {{24{w_stride_q[7]}}, w_stride_q};
        if (w_step_q == LastStep) begin
          w_active_d = 1'b0;
        end
      end
      if (accept_mlw) begin
        w_active_d = 1'b1;
        w_step_d   = '0;
        w_addr_d   = iss_ra_val_i;
        w_stride_d = iss_stride;
        w_bank_d   = iss_bank;
        w_buf_d    = iss_buf;
        w_pc_d     = iss_pc_i;
      end
    end
    wl_valid_d = w_read && !clear_i;
  end

  assign w_rd_valid_o = w_read;
  assign w_rd_bank_o  = w_bank_q;
  assign w_rd_addr_o  = w_addr_q;
  assign w_rd_pc_o    = w_pc_q;

  // =======================================================================================
  // Array and accumulators.
  // =======================================================================================
  logic [Lanes*32-1:0] y;

  lpu_mxu_array #(
    .Lanes  (Lanes),
    .DspPes (DspPes),
    .DspPump(DspPump)
  ) u_array (
    .clk_i     (clk_i),
    .clk2x_i   (clk2x_i),
    .rst_ni    (rst_ni),
    .en_i      (!stop_i),
    .a_i       (in_q[Pad][Lanes*8-1:0]),
    .sel_i     (in_q[Pad][Lanes*8]),
    .y_o       (y),
    .wld_en_i  (wl_valid_q),
    .wld_buf_i (wl_buf_q),
    .wld_step_i(wl_step_q),
    .wld_row_i (w_rd_data_i)
  );

  // The read-modify-write stage (one cycle before the write) and the write stage.
  localparam int unsigned Rmw = MxuLat - 2;
  localparam int unsigned Wr  = MxuLat - 1;
  logic acc_wr, acc_rmw;

  always_comb begin
    acc_rmw      = tag_valid_q[Rmw] && tag_ok_q[Rmw] && tag_accum_q[Rmw] && !stop_i;
    acc_wr       = tag_valid_q[Wr] && tag_ok_q[Wr] && !stop_i;
    acc_wr_err_o = tag_valid_q[Wr] && !tag_ok_q[Wr] && !stop_i;
  end

  lpu_mxu_acc #(
    .Lanes   (Lanes),
    .AccDepth(AccDepth)
  ) u_acc (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .rmw_en_i    (acc_rmw),
    .rmw_addr_i  (tag_idx_q[Rmw]),
    .wr_en_i     (acc_wr),
    .wr_accum_i  (tag_accum_q[Wr]),
    .wr_addr_i   (tag_idx_q[Wr]),
    .wr_data_i   (y),
    .wr_value_o  (acc_wr_data_o),
    .rd_valid_i  (acc_rd_valid_i && !stop_i),
    .rd_addr_i   (acc_rd_addr_i),
    .rd_err_o    (acc_rd_err_o),
    .rd_data_o   (acc_rd_data_o),
    .host_req_i  (host_acc_req_i),
    .host_we_i   (host_acc_we_i),
    .host_addr_i (host_acc_addr_i),
    .host_wdata_i(host_acc_wdata_i),
    .host_rdata_o(host_acc_rdata_o)
  );

  assign acc_wr_o      = acc_wr;
  assign acc_wr_pc_o   = tag_pc_q[Wr];
  assign acc_wr_addr_o = 16'(tag_idx_q[Wr]);

  // Effects after this cycle: rows still to read (a row read now writes later), rows in
  // flight before their write stage, weight rows still to read after this cycle.
  always_comb begin
    pending_o = (mm_rows_q != 16'd0) || (w_active_q && (w_step_q != LastStep));
    pending_o |= |tag_valid_q[Rmw:0];
  end

  // =======================================================================================
  // Registers.
  // =======================================================================================
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mm_rows_q    <= '0;
      mlw_busy_q   <= '0;
      rdy_q        <= '0;
      rel_q        <= '0;
      mm_addr_q    <= '0;
      mm_acc_q     <= '0;
      mm_stride_q  <= '0;
      mm_dstride_q <= '0;
      mm_bank_q    <= '0;
      mm_buf_q     <= 1'b0;
      mm_accum_q   <= 1'b0;
      mm_pc_q      <= '0;
      tag_valid_q  <= '0;
      tag_accum_q  <= '0;
      tag_ok_q     <= '0;
      tag_idx_q    <= '0;
      tag_pc_q     <= '0;
      sel_rd_q     <= 1'b0;
      in_q         <= '0;
      w_active_q   <= 1'b0;
      w_step_q     <= '0;
      w_addr_q     <= '0;
      w_stride_q   <= '0;
      w_bank_q     <= '0;
      w_buf_q      <= 1'b0;
      w_pc_q       <= '0;
      wl_valid_q   <= 1'b0;
      wl_buf_q     <= 1'b0;
      wl_step_q    <= '0;
    end else begin
      mm_rows_q    <= mm_rows_d;
      mlw_busy_q   <= mlw_busy_d;
      rdy_q        <= rdy_d;
      rel_q        <= rel_d;
      mm_addr_q    <= mm_addr_d;
      mm_acc_q     <= mm_acc_d;
      mm_stride_q  <= mm_stride_d;
      mm_dstride_q <= mm_dstride_d;
      mm_bank_q    <= mm_bank_d;
      mm_buf_q     <= mm_buf_d;
      mm_accum_q   <= mm_accum_d;
      mm_pc_q      <= mm_pc_d;
      tag_valid_q  <= tag_valid_d;
      tag_accum_q  <= tag_accum_d;
      tag_ok_q     <= tag_ok_d;
      tag_idx_q    <= tag_idx_d;
      tag_pc_q     <= tag_pc_d;
      sel_rd_q     <= sel_rd_d;
      in_q         <= in_d;
      w_active_q   <= w_active_d;
      w_step_q     <= w_step_d;
      w_addr_q     <= w_addr_d;
      w_stride_q   <= w_stride_d;
      w_bank_q     <= w_bank_d;
      w_buf_q      <= w_buf_d;
      w_pc_q       <= w_pc_d;
      wl_valid_q   <= wl_valid_d;
      wl_buf_q     <= w_buf_q;
      wl_step_q    <= w_step_q;
    end
  end

  // Fields of the issue bus the MXU does not use.
  logic unused_bits;
  assign unused_bits = ^{iss_instr_i[55:44], iss_instr_i[39:33]};

`ifndef SYNTHESIS
  // Elaboration checks: the pipeline above is correct only for these (docs/mxu.md).
  initial begin : p_param_check
    if (Lanes < 2) $fatal(1, "lpu_mxu: Lanes must be >= 2");
    if (AccDepth > 65536) $fatal(1, "lpu_mxu: AccDepth must be <= 65536");
    if (MxuLat < 2 * Lanes + 1) $fatal(1, "lpu_mxu: MxuLat must be >= 2*Lanes+1");
    if (MlwBusy < Lanes) $fatal(1, "lpu_mxu: MlwBusy must be >= Lanes");
    if (MlwReady + Pad < Lanes) $fatal(1, "lpu_mxu: MlwReady too small");
    if (WbufRelease < Lanes - 1 + Pad) $fatal(1, "lpu_mxu: WbufRelease too small");
  end

  // A row's read-modify-write read happens in the cycle before its write.
  AccRmwBeforeWrite_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    acc_rmw && !clear_i |=> (acc_wr || stop_i) && tag_accum_q[Wr] &&
                            tag_idx_q[Wr] == $past(tag_idx_q[Rmw]));
  // One weight stream at a time: an accepted mlw never cuts the previous one short.
  MlwNoOverlap_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    accept_mlw |-> !w_active_q || (w_step_q == LastStep));
  // One activation stream at a time.
  MmNoOverlap_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    accept_mm |-> mm_rows_q <= 16'd1);
`endif

endmodule
