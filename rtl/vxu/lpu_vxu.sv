// The vector pipeline (docs/vxu.md): vector registers, element-wise ALU, multiplier with
// requantisation, lookup table, reductions, lane operations (vrot, vshift, vbcast), loads,
// stores, gather, the lane read of vext and the table load lutld.
//
// A fixed-latency pipeline without flow control. An instruction issued in cycle t reads its
// registers and requests SRAM/ACC data in t (stage 0), computes in t+1 .. t+3 (stages 1-3)
// and writes V[vd] at the end of t+Vlat-1. Stores write SRAM at the end of t. Every
// register-writing instruction has the same latency, so write-backs stay in program order.
//
//   stage 0 (t)   decode, register read, operand B, SRAM/ACC request, store, vext value
//   stage 1 (t+1) SRAM/ACC data registered, ALU and lane ops, partial products (multiplies
//                 and shifts), table index + read, reduction part 1
//   stage 2 (t+2) product sum + coarse shift, table data, reduction part 2, loads
//                 (sign/zero extension of the registered data)
//   stage 3 (t+3) rounding/saturation; write-back (after Vlat-4 delay stages if Vlat > 4)
//
// Only the valid bits and control state are reset; the wide datapath registers are
// qualified by them.
module lpu_vxu #(
  parameter int unsigned Lanes    = lpu_isa_pkg::CFG_BASE_LANES,
  parameter int unsigned VRegs    = lpu_isa_pkg::CFG_BASE_VREGS,
  parameter int unsigned LutDepth = lpu_isa_pkg::CFG_BASE_LUT_DEPTH,
  parameter int unsigned Vlat     = lpu_isa_pkg::CFG_BASE_VLAT,
  // Memory ports per lookup-table copy: 2 with true dual-port block RAM (ECP5), else 1.
  parameter int unsigned LutPorts = 2,
  // Cycles per lutld word (lutld_word_cycles of the configuration).
  parameter int unsigned LutldW   = lpu_isa_pkg::CFG_BASE_LUTLD_WORD_CYCLES,
  // Implementation choice: 2 double-pumps the multipliers on clk2x_i (lpu_vxu_mul).
  parameter int unsigned DspPump  = 1,
  localparam int unsigned LutAw = $clog2(LutDepth)
) (
  input  logic                clk_i,
  input  logic                clk2x_i,  // DspPump = 2: twice clk_i, rising edges aligned
  input  logic                rst_ni,
  input  logic                stop_i,
  // Issue bus.
  input  logic                iss_valid_i,
  input  logic [63:0]         iss_instr_i,
  input  logic [15:0]         iss_pc_i,
  input  logic [31:0]         iss_ra_val_i,
  input  logic [31:0]         iss_rb_val_i,
  input  logic [31:0]         iss_ea_i,  // R[ra] + sext(imm16), from the sequencer's fetch stage
  // vext: V[ra][sh] of the instruction on the issue bus.
  output logic [31:0]         vext_val_o,
  // SRAM read port (vld, vldu, vgather, lutld).
  output logic                sram_rd_req_o,
  output logic [3:0]          sram_rd_bank_o,
  output logic [31:0]         sram_rd_addr_o,
  output logic [15:0]         sram_rd_pc_o,
  input  logic                sram_rd_err_i,
  input  logic [Lanes*8-1:0]  sram_rd_data_i,
  // SRAM write port (vst, vstb).
  output logic                sram_wr_req_o,
  output logic [3:0]          sram_wr_bank_o,
  output logic [31:0]         sram_wr_addr_o,
  output logic [Lanes*8-1:0]  sram_wr_data_o,
  output logic [15:0]         sram_wr_pc_o,
  // Accumulator read port (vlda).
  output logic                acc_rd_req_o,
  output logic [31:0]         acc_rd_addr_o,
  output logic [15:0]         acc_rd_pc_o,
  input  logic [Lanes*32-1:0] acc_rd_data_i,
  // lut_addr error of a lutld word.
  output logic                err_o,
  output logic [7:0]          err_code_o,
  output logic [15:0]         err_pc_o,
  // Effects scheduled after this cycle.
  output logic                pending_o,
  // Host table port (idle only).
  input  logic                host_lut_we_i,
  input  logic                host_lut_re_i,
  input  logic [LutAw-1:0]    host_lut_addr_i,
  input  logic [15:0]         host_lut_wdata_i,
  output logic [15:0]         host_lut_rdata_o
);

  localparam int unsigned Lw    = $clog2(Lanes);
  localparam int unsigned Vw    = $clog2(VRegs);
  localparam int unsigned Half  = Lanes / 2;
  localparam int unsigned W     = Lanes * 32;
  localparam int unsigned Extra = Vlat - 4;  // delay stages after stage 3

  // ---------------------------------------------------------------------------------------
  // Stage 0: decode
  // ---------------------------------------------------------------------------------------
  logic [7:0]  op;
  logic [3:0]  f_rd, f_ra, f_rb, f_bank;
  logic [1:0]  f_bmode;
  logic [5:0]  f_sh;
  logic [15:0] f_imm16, f_hi16;
  assign op      = iss_instr_i[lpu_isa_pkg::F_OP_LSB +: lpu_isa_pkg::F_OP_W];
  assign f_rd    = iss_instr_i[lpu_isa_pkg::F_RD_LSB +: lpu_isa_pkg::F_RD_W];
  assign f_ra    = iss_instr_i[lpu_isa_pkg::F_RA_LSB +: lpu_isa_pkg::F_RA_W];
  assign f_rb    = iss_instr_i[lpu_isa_pkg::F_RB_LSB +: lpu_isa_pkg::F_RB_W];
  assign f_bank  = iss_instr_i[lpu_isa_pkg::F_BANK_LSB +: lpu_isa_pkg::F_BANK_W];
  assign f_bmode = iss_instr_i[lpu_isa_pkg::F_BMODE_LSB +: lpu_isa_pkg::F_BMODE_W];
  assign f_sh    = iss_instr_i[lpu_isa_pkg::F_SH_LSB +: lpu_isa_pkg::F_SH_W];
  assign f_imm16 = iss_instr_i[lpu_isa_pkg::F_IMM16_LSB +: lpu_isa_pkg::F_IMM16_W];
  assign f_hi16  = iss_instr_i[lpu_isa_pkg::F_HI16_LSB +: lpu_isa_pkg::F_HI16_W];

  logic        issue;
  logic        c_wr, c_store, c_sram_ld, c_gather, c_acc, c_lutld;
  assign issue = iss_valid_i && !stop_i;

  always_comb begin
    c_wr      = 1'b0;
    c_store   = 1'b0;
    c_sram_ld = 1'b0;
    c_gather  = 1'b0;
    c_acc     = 1'b0;
    c_lutld   = 1'b0;
    case (op)
      lpu_isa_pkg::OP_VLD,
      lpu_isa_pkg::OP_VLDU: begin
        c_wr      = 1'b1;
        c_sram_ld = 1'b1;
      end
      lpu_isa_pkg::OP_VGATHER: begin
        c_wr      = 1'b1;
        c_sram_ld = 1'b1;
        c_gather  = 1'b1;
      end
      lpu_isa_pkg::OP_VLDA: begin
        c_wr  = 1'b1;
        c_acc = 1'b1;
      end
      lpu_isa_pkg::OP_VST,
      lpu_isa_pkg::OP_VSTB: c_store = 1'b1;
      lpu_isa_pkg::OP_LUTLD: c_lutld = 1'b1;
      lpu_isa_pkg::OP_VADD, lpu_isa_pkg::OP_VSUB, lpu_isa_pkg::OP_VMUL,
      lpu_isa_pkg::OP_VMIN, lpu_isa_pkg::OP_VMAX, lpu_isa_pkg::OP_VAND,
      lpu_isa_pkg::OP_VOR, lpu_isa_pkg::OP_VXOR, lpu_isa_pkg::OP_VSHL,
      lpu_isa_pkg::OP_VSRA, lpu_isa_pkg::OP_VSRL, lpu_isa_pkg::OP_VCEQ,
      lpu_isa_pkg::OP_VCLT, lpu_isa_pkg::OP_VMOV, lpu_isa_pkg::OP_VMULSH,
      lpu_isa_pkg::OP_VRQ, lpu_isa_pkg::OP_VRELU, lpu_isa_pkg::OP_VCLAMP,
      lpu_isa_pkg::OP_VLUT, lpu_isa_pkg::OP_VREDSUM, lpu_isa_pkg::OP_VREDMAX,
      lpu_isa_pkg::OP_VREDMIN, lpu_isa_pkg::OP_VLID, lpu_isa_pkg::OP_VROT,
      lpu_isa_pkg::OP_VSHIFT, lpu_isa_pkg::OP_VBCAST: c_wr = 1'b1;
      default: ;
    endcase
  end

  // ---------------------------------------------------------------------------------------
  // Stage 0: register read, operand B, memory requests, vext
  // ---------------------------------------------------------------------------------------
  logic          rf_we;
  logic [Vw-1:0] rf_waddr;
  logic [W-1:0]  rf_wdata;
  logic [W-1:0]  va, vb;          // raw register-file data
  logic          va_ok, vb_ok;    // low: the register was never written (reads as zero)

  lpu_vregfile #(
    .VRegs(VRegs),
    .Width(W)
  ) u_vregfile (
    .clk_i,
    .rst_ni,
    .we_i     (rf_we),
    .waddr_i  (rf_waddr),
    .wdata_i  (rf_wdata),
    .raddr_a_i(c_store ? f_rd[Vw-1:0] : f_ra[Vw-1:0]),  // stores read vs from rd
    .rdata_a_o (va),
    .rvalid_a_o(va_ok),
    .raddr_b_i (f_rb[Vw-1:0]),
    .rdata_b_o (vb),
    .rvalid_b_o(vb_ok)
  );

  // Operand B; vclamp takes its lower bound sext(imm16) through it, vlut its index offset
  // sext(imm16) (the ALU's adder then forms the index). opb_zero: B is a never-written
  // vector register (applied as the stage-1 register's synchronous reset).
  logic [31:0]  imm_sext;
  logic [W-1:0] opb, opb_s0;
  logic         opb_zero;
  assign imm_sext = 32'(signed'(f_imm16));
  assign opb_s0   = opb_zero ? '0 : opb;

  always_comb begin
    opb      = vb;
    opb_zero = !vb_ok;
    if (op == lpu_isa_pkg::OP_VCLAMP || op == lpu_isa_pkg::OP_VLUT || f_bmode == 2'd2) begin
      opb      = {Lanes{imm_sext}};
      opb_zero = 1'b0;
    end else if (f_bmode == 2'd1) begin
      opb      = {Lanes{iss_rb_val_i}};
      opb_zero = 1'b0;
    end
  end

  // Lane selected by sh: vext's (and vbcast's) V[ra][sh], vgather's V[rb][sh].
  logic [Lw-1:0] sh_lane;
  logic [31:0]   gather_off, lane_a;
  assign sh_lane    = f_sh[Lw-1:0];
  assign gather_off = vb_ok ? vb[32*sh_lane +: 32] : 32'h0;
  assign lane_a     = va_ok ? va[32*sh_lane +: 32] : 32'h0;
  assign vext_val_o = lane_a;

  // Effective address R[ra] + sext(imm16) (+ V[rb][sh] for vgather), wrapping, signed. The
  // sequencer forms R[ra] + sext(imm16) a cycle ahead (iss_ea_i), so only vgather's lane
  // offset is added in the issue cycle.
  logic [31:0] ea;
  assign ea = iss_ea_i + (c_gather ? gather_off : 32'h0);

  // Stores: vst saturates each lane to int8, vstb takes byte slice sh[1:0].
  for (genvar l = 0; l < Lanes; l++) begin : gen_store
    logic [31:0] v;
    logic [7:0]  sat, slice;
    assign v     = va_ok ? va[l*32 +: 32] : 32'h0;
    // v > 127: non-negative with a bit above bit 6; v < -128: negative, not all ones above.
    assign sat   = (!v[31] && v[30:7] != '0) ? 8'h7f :
                   (v[31] && v[30:7] != '1)  ? 8'h80 : v[7:0];
    assign slice = v[8*f_sh[1:0] +: 8];
    assign sram_wr_data_o[l*8 +: 8] = (op == lpu_isa_pkg::OP_VSTB) ? slice : sat;
  end

  assign sram_wr_req_o  = issue && c_store;
  assign sram_wr_bank_o = f_bank;
  assign sram_wr_addr_o = ea;
  assign sram_wr_pc_o   = iss_pc_i;

  assign acc_rd_req_o  = issue && c_acc;
  assign acc_rd_addr_o = ea;
  assign acc_rd_pc_o   = iss_pc_i;

  // ---------------------------------------------------------------------------------------
  // lutld: word i requested at t+1+W*i (W = LutldW), written to the table over the W cycles
  // from the arrival of its data (t+2+W*i .. t+1+W*(i+1)).
  // ---------------------------------------------------------------------------------------
  localparam int unsigned Pw = (LutldW > 1) ? $clog2(LutldW) : 1;
  logic               lut_act_d, lut_act_q;
  logic [Pw-1:0]      lut_ph_d, lut_ph_q;       // cycle within a word; 0: the request cycle
  logic [15:0]        lut_left_d, lut_left_q;
  logic [31:0]        lut_addr_d, lut_addr_q;
  logic signed [31:0] lut_base_d, lut_base_q;   // first entry of the next word
  logic [3:0]         lut_bank_d, lut_bank_q;
  logic [15:0]        lut_pc_d, lut_pc_q;
  logic               lw_valid_d, lw_valid_q;   // write the arriving word this cycle
  logic [LutAw-1:0]   lw_base_d, lw_base_q;
  logic               lut_req;
  // lut_base_q lies in the table (its word fits): computed from lut_base_d and registered
  // with it, so the check is off the request path.
  logic               lut_range_ok_q, lut_range_ok_d;

  assign lut_req        = lut_act_q && lut_ph_q == '0 && !stop_i;
  assign lut_range_ok_d = (lut_base_d >= 32'sd0) &&
                          (lut_base_d <= signed'(32'(LutDepth - Half)));

  always_comb begin
    lut_act_d  = lut_act_q;
    lut_ph_d   = lut_ph_q;
    lut_left_d = lut_left_q;
    lut_addr_d = lut_addr_q;
    lut_base_d = lut_base_q;
    lut_bank_d = lut_bank_q;
    lut_pc_d   = lut_pc_q;
    if (lut_act_q && lut_ph_q == '0) begin  // a request cycle
      lut_left_d = lut_left_q - 16'd1;
      lut_act_d  = (lut_left_q != 16'd1);
      lut_addr_d = lut_addr_q + 32'd1;
      lut_base_d = lut_base_q + signed'(32'(Half));
    end
    // The next request comes W cycles after this one.
    if (LutldW > 1 && lut_act_q) begin
      lut_ph_d = (32'(lut_ph_q) == LutldW - 1) ? '0 : lut_ph_q + Pw'(1);
    end
    if (issue && c_lutld && f_imm16 != 16'd0) begin  // count is the imm16 field
      lut_act_d  = 1'b1;
      lut_ph_d   = '0;
      lut_left_d = f_imm16;
      lut_addr_d = iss_ra_val_i;
      lut_base_d = 32'(signed'(f_hi16));
      lut_bank_d = f_bank;
      lut_pc_d   = iss_pc_i;
    end
    if (stop_i) lut_act_d = 1'b0;
  end

  // The table write of word i completes (all W cycles of it) even if another unit's error in
  // its read cycle, or in a later one, raises stop_i; it is dropped if the word itself raised
  // an error.
  assign lw_valid_d = lut_req && lut_range_ok_q && !sram_rd_err_i;
  assign lw_base_d  = lut_base_q[LutAw-1:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lut_act_q  <= 1'b0;
      lut_ph_q   <= '0;
      lut_left_q <= 16'd0;
      lut_addr_q <= 32'd0;
      lut_base_q <= 32'sd0;
      lut_bank_q <= 4'd0;
      lut_pc_q   <= 16'd0;
      lw_valid_q <= 1'b0;
      lw_base_q  <= '0;
      lut_range_ok_q <= 1'b1;  // lut_base_q = 0 is in range
    end else begin
      lut_act_q  <= lut_act_d;
      lut_ph_q   <= lut_ph_d;
      lut_left_q <= lut_left_d;
      lut_addr_q <= lut_addr_d;
      lut_base_q <= lut_base_d;
      lut_bank_q <= lut_bank_d;
      lut_pc_q   <= lut_pc_d;
      lw_valid_q <= lw_valid_d;
      lw_base_q  <= lw_base_d;
      lut_range_ok_q <= lut_range_ok_d;
    end
  end

  assign err_o      = lut_req && !lut_range_ok_q;
  assign err_code_o = lpu_isa_pkg::ERR_LUT_ADDR;
  assign err_pc_o   = lut_pc_q;

  // SRAM read port: the lutld stream (requests in its request cycles, nothing between), or a
  // load in its issue cycle (never both: the sequencer issues nothing while a lutld streams).
  always_comb begin
    if (lut_act_q) begin
      sram_rd_req_o  = lut_req;
      sram_rd_bank_o = lut_bank_q;
      sram_rd_addr_o = lut_addr_q;
      sram_rd_pc_o   = lut_pc_q;
    end else begin
      sram_rd_req_o  = issue && c_sram_ld;
      sram_rd_bank_o = f_bank;
      sram_rd_addr_o = ea;
      sram_rd_pc_o   = iss_pc_i;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Pipeline registers
  // ---------------------------------------------------------------------------------------
  logic          v1_q, v2_q, v3_q;
  logic [7:0]    op1_q, op2_q, op3_q;
  logic [Vw-1:0] vd1_q, vd2_q, vd3_q;
  logic [W-1:0]  a1_q, b1_q;
  logic [31:0]   bcast1_q;
  logic [15:0]   imm1_q, hi1_q;
  logic [W-1:0]  res2_d, res2_q, res3_d, res3_q;
  // Load data as they arrive in stage 1, registered unchanged and selected in stage 2: the
  // paths from the SRAM and accumulator block RAMs end in these flip-flops rather than in
  // the ALU's result select.
  logic [Lanes*8-1:0] ld_sram2_q;
  logic [W-1:0]       ld_acc2_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v1_q  <= 1'b0;
      v2_q  <= 1'b0;
      v3_q  <= 1'b0;
      op1_q <= 8'h0;
      op2_q <= 8'h0;
      op3_q <= 8'h0;
      vd1_q <= '0;
      vd2_q <= '0;
      vd3_q <= '0;
    end else begin
      v1_q  <= issue && c_wr;
      v2_q  <= v1_q && !stop_i;
      v3_q  <= v2_q && !stop_i;
      op1_q <= op;
      op2_q <= op1_q;
      op3_q <= op2_q;
      vd1_q <= f_rd[Vw-1:0];
      vd2_q <= vd1_q;
      vd3_q <= vd2_q;
    end
  end

  // Datapath registers (no reset: qualified by v*_q). A never-written register reads as
  // zero through the synchronous clear of a1_q / b1_q (free in FPGA flip-flops).
  always_ff @(posedge clk_i) begin
    a1_q   <= va_ok ? va : '0;
    b1_q   <= opb_s0;
    bcast1_q <= lane_a;
    imm1_q <= f_imm16;
    hi1_q  <= f_hi16;
    res2_q <= res2_d;
    res3_q <= res3_d;
    ld_sram2_q <= sram_rd_data_i;
    ld_acc2_q  <= acc_rd_data_i;
  end

  // ---------------------------------------------------------------------------------------
  // Stage 1: ALU, lane ops; multiplier, reduction and table inputs
  // ---------------------------------------------------------------------------------------
  logic [Lanes*33-1:0] alu_sum;  // per lane a + b in 33 bits; for vlut a + sext(imm16)

  lpu_vxu_alu #(
    .Lanes(Lanes)
  ) u_alu (
    .op_i       (op1_q),
    .a_i        (a1_q),
    .b_i        (b1_q),
    .imm16_i    (imm1_q),
    .hi16_i     (hi1_q),
    .bcast_i    (bcast1_q),
    .res_o      (res2_d),
    .sum_o      (alu_sum)
  );

  logic [W-1:0] mul_res;  // stage 3
  lpu_vxu_mul #(
    .Lanes  (Lanes),
    .DspPump(DspPump)
  ) u_mul (
    .clk_i,
    .clk2x_i,
    .rst_ni,
    .a_i  (a1_q),
    .b_i  (opb_s0),  // operand B, the shift and the opcode in stage 0: the multiplier
    .sh_i (f_sh),    // registers its operand b' and the lanes' shifts itself
    .op_i (op),
    .res_o(mul_res)
  );

  logic [W-1:0] red_res;  // stage 2
  lpu_vxu_red #(
    .Lanes(Lanes)
  ) u_red (
    .clk_i,
    .op_i (op1_q),
    .a_i  (a1_q),
    .res_o(red_res)
  );

  // vlut index: clamp(a + sext(imm16), 0, LutDepth-1), the sum in 33 bits from the ALU's
  // adder (operand B of a vlut is sext(imm16), see stage 0).
  logic [Lanes*LutAw-1:0] lut_idx;
  for (genvar l = 0; l < Lanes; l++) begin : gen_lut_idx
    logic [32:0] sum;
    assign sum = alu_sum[l*33 +: 33];
    always_comb begin
      if (sum[32])                    lut_idx[l*LutAw +: LutAw] = '0;           // negative
      else if (sum[31:LutAw] != '0)   lut_idx[l*LutAw +: LutAw] = '1;           // >= LutDepth
      else                            lut_idx[l*LutAw +: LutAw] = sum[LutAw-1:0];
    end
  end

  logic [Lanes*16-1:0] lut_data;  // stage 2
  lpu_vxu_lut #(
    .Lanes     (Lanes),
    .LutDepth  (LutDepth),
    .LutPorts  (LutPorts),
    .WordCycles(LutldW)
  ) u_lut (
    .clk_i,
    .rst_ni,
    .rd_idx_i    (lut_idx),
    .rd_data_o   (lut_data),
    .wr_en_i     (lw_valid_q),
    .wr_base_i   (lw_base_q),
    .wr_data_i   (sram_rd_data_i),
    .host_we_i   (host_lut_we_i),
    .host_re_i   (host_lut_re_i),
    .host_addr_i (host_lut_addr_i),
    .host_wdata_i(host_lut_wdata_i),
    .host_rdata_o(host_lut_rdata_o)
  );

  // ---------------------------------------------------------------------------------------
  // Stage 2: select reduction / table / load / ALU result
  // ---------------------------------------------------------------------------------------
  logic [W-1:0] lut_sext, ld_sext, ld_zext;
  for (genvar l = 0; l < Lanes; l++) begin : gen_stage2_ext
    assign lut_sext[l*32 +: 32] = 32'(signed'(lut_data[l*16 +: 16]));
    assign ld_sext[l*32 +: 32]  = 32'(signed'(ld_sram2_q[l*8 +: 8]));
    assign ld_zext[l*32 +: 32]  = 32'(ld_sram2_q[l*8 +: 8]);
  end

  always_comb begin
    case (op2_q)
      lpu_isa_pkg::OP_VREDSUM,
      lpu_isa_pkg::OP_VREDMAX,
      lpu_isa_pkg::OP_VREDMIN: res3_d = red_res;
      lpu_isa_pkg::OP_VLUT:    res3_d = lut_sext;
      lpu_isa_pkg::OP_VLD,
      lpu_isa_pkg::OP_VGATHER: res3_d = ld_sext;
      lpu_isa_pkg::OP_VLDU:    res3_d = ld_zext;
      lpu_isa_pkg::OP_VLDA:    res3_d = ld_acc2_q;
      default:                 res3_d = res2_q;
    endcase
  end

  // ---------------------------------------------------------------------------------------
  // Stage 3: multiplier result; write-back at the end of t+Vlat-1
  // ---------------------------------------------------------------------------------------
  logic          wb3_valid;
  logic [W-1:0]  wb3_data;
  assign wb3_valid = v3_q && !stop_i;
  always_comb begin
    case (op3_q)
      lpu_isa_pkg::OP_VMUL,
      lpu_isa_pkg::OP_VMULSH,
      lpu_isa_pkg::OP_VRQ,
      lpu_isa_pkg::OP_VSHL,
      lpu_isa_pkg::OP_VSRA,
      lpu_isa_pkg::OP_VSRL: wb3_data = mul_res;
      default:             wb3_data = res3_q;
    endcase
  end

  logic pipe_pending;
  if (Extra == 0) begin : gen_wb_direct
    assign rf_we        = wb3_valid;
    assign rf_waddr     = vd3_q;
    assign rf_wdata     = wb3_data;
    assign pipe_pending = v1_q || v2_q;
  end else begin : gen_wb_delay
    // Vlat > 4: the finished result waits in Extra delay stages.
    logic [Extra-1:0]    dv_q;
    logic [Extra*Vw-1:0] dvd_q;
    logic [Extra*W-1:0]  ddata_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        dv_q  <= '0;
        dvd_q <= '0;
      end else begin
        for (int unsigned k = 0; k < Extra; k++) begin
          dv_q[k]            <= ((k == 0) ? wb3_valid : dv_q[k-1]) && !stop_i;
          dvd_q[k*Vw +: Vw]  <= (k == 0) ? vd3_q : dvd_q[(k-1)*Vw +: Vw];
        end
      end
    end
    always_ff @(posedge clk_i) begin
      for (int unsigned k = 0; k < Extra; k++) begin
        ddata_q[k*W +: W] <= (k == 0) ? wb3_data : ddata_q[(k-1)*W +: W];
      end
    end
    assign rf_we        = dv_q[Extra-1] && !stop_i;
    assign rf_waddr     = dvd_q[(Extra-1)*Vw +: Vw];
    assign rf_wdata     = ddata_q[(Extra-1)*W +: W];
    // Every delay stage but the last (which writes in this cycle) is pending.
    always_comb begin
      pipe_pending = v1_q || v2_q || v3_q;
      for (int unsigned k = 0; k + 1 < Extra; k++) pipe_pending = pipe_pending || dv_q[k];
    end
  end

  // Nothing is pending while stopped: the in-flight work is being dropped.
  // A lutld read is scheduled after this cycle unless this is its last request cycle.
  assign pending_o = !stop_i &&
                     (pipe_pending || (lut_act_q && (lut_left_q != 16'd1 || lut_ph_q != '0)));

  // Fields this unit does not use (stride, dstride: the sequencer's post-increment) and
  // register-number bits above the configuration's register count.
  logic unused_instr;
  assign unused_instr = ^{iss_instr_i, f_rd, f_ra, f_rb, f_sh};

`ifndef SYNTHESIS
  initial begin
    if (Vlat < 4) $fatal(1, "lpu_vxu: Vlat must be >= 4");
    if ((1 << Lw) != Lanes || Lanes < 2) $fatal(1, "lpu_vxu: Lanes must be a power of two >= 2");
    if ((1 << LutAw) != LutDepth) $fatal(1, "lpu_vxu: LutDepth must be a power of two");
    if ((1 << Vw) != VRegs) $fatal(1, "lpu_vxu: VRegs must be a power of two");
    if (LutPorts < 1 || LutPorts > 2 || (Half % LutPorts) != 0)
      $fatal(1, "lpu_vxu: LutPorts must be 1 or 2 and divide Lanes/2");
    if (LutldW < 1 || (Half % (LutPorts * LutldW)) != 0)
      $fatal(1, "lpu_vxu: LutPorts*LutldW must divide Lanes/2");
  end
`endif

endmodule
