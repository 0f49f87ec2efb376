// The central operand check, applied by the sequencer to every instruction at issue. It is
// exactly lpu::decode + lpu::check_operands (host/lib/isa.cpp) for one configuration:
//   unknown opcode                               -> ERR_ILLEGAL_OPCODE
//   a set bit outside op_mask(op)                -> ERR_ILLEGAL_OPERAND
//   vector register >= VRegs, bank >= Banks,
//   lane >= Lanes, slice > 3, buf > 1,
//   link >= Links, len == 0, bad operand B form  -> ERR_ILLEGAL_OPERAND
// The operand classes below follow the assembler syntax of each opcode in isa/lpu_isa.toml
// (vd/vs, va, vb, bank, dmem, lane, slice, buf, link, len, opb); verif/core/opcheck_test
// compares this module with lpu::check_operands over random and structured words.
module lpu_opcheck #(
  parameter int unsigned Lanes = 16,
  parameter int unsigned Banks = 16,
  parameter int unsigned VRegs = 16,
  parameter int unsigned Links = 2
) (
  input  logic [63:0] instr_i,
  output logic [7:0]  err_o
);

  logic [7:0]  op;
  logic [31:0] rd, ra, rb, bank, bmode, sh, len;
  logic [15:0] imm16;

  assign op    = instr_i[lpu_isa_pkg::F_OP_LSB +: lpu_isa_pkg::F_OP_W];
  assign rd    = 32'(instr_i[lpu_isa_pkg::F_RD_LSB +: lpu_isa_pkg::F_RD_W]);
  assign ra    = 32'(instr_i[lpu_isa_pkg::F_RA_LSB +: lpu_isa_pkg::F_RA_W]);
  assign rb    = 32'(instr_i[lpu_isa_pkg::F_RB_LSB +: lpu_isa_pkg::F_RB_W]);
  assign bank  = 32'(instr_i[lpu_isa_pkg::F_BANK_LSB +: lpu_isa_pkg::F_BANK_W]);
  assign bmode = 32'(instr_i[lpu_isa_pkg::F_BMODE_LSB +: lpu_isa_pkg::F_BMODE_W]);
  assign sh    = 32'(instr_i[lpu_isa_pkg::F_SH_LSB +: lpu_isa_pkg::F_SH_W]);
  assign len   = 32'(instr_i[lpu_isa_pkg::F_LEN_LSB +: lpu_isa_pkg::F_LEN_W]);
  assign imm16 = instr_i[lpu_isa_pkg::F_IMM16_LSB +: lpu_isa_pkg::F_IMM16_W];

  // Operand classes of the opcode.
  logic c_vd, c_va, c_vb, c_bank, c_dmem, c_lane, c_slice, c_buf, c_link, c_len, c_opb;

  always_comb begin
    c_vd    = 1'b0;
    c_va    = 1'b0;
    c_vb    = 1'b0;
    c_bank  = 1'b0;
    c_dmem  = 1'b0;
    c_lane  = 1'b0;
    c_slice = 1'b0;
    c_buf   = 1'b0;
    c_link  = 1'b0;
    c_len   = 1'b0;
    c_opb   = 1'b0;
    case (op)
      lpu_isa_pkg::OP_LOOPI,
      lpu_isa_pkg::OP_LOOP: c_len = 1'b1;
      lpu_isa_pkg::OP_VEXT: begin
        c_va   = 1'b1;
        c_lane = 1'b1;
      end
      lpu_isa_pkg::OP_VLD,
      lpu_isa_pkg::OP_VLDU,
      lpu_isa_pkg::OP_VST: begin
        c_vd   = 1'b1;
        c_bank = 1'b1;
      end
      lpu_isa_pkg::OP_VLDA: c_vd = 1'b1;
      lpu_isa_pkg::OP_VSTB: begin
        c_vd    = 1'b1;
        c_bank  = 1'b1;
        c_slice = 1'b1;
      end
      lpu_isa_pkg::OP_VGATHER: begin
        c_vd   = 1'b1;
        c_bank = 1'b1;
        c_vb   = 1'b1;
        c_lane = 1'b1;
      end
      lpu_isa_pkg::OP_VADD, lpu_isa_pkg::OP_VSUB, lpu_isa_pkg::OP_VMUL,
      lpu_isa_pkg::OP_VMIN, lpu_isa_pkg::OP_VMAX, lpu_isa_pkg::OP_VAND,
      lpu_isa_pkg::OP_VOR, lpu_isa_pkg::OP_VXOR, lpu_isa_pkg::OP_VSHL,
      lpu_isa_pkg::OP_VSRA, lpu_isa_pkg::OP_VSRL, lpu_isa_pkg::OP_VCEQ,
      lpu_isa_pkg::OP_VCLT, lpu_isa_pkg::OP_VMULSH, lpu_isa_pkg::OP_VRQ: begin
        c_vd  = 1'b1;
        c_va  = 1'b1;
        c_opb = 1'b1;
      end
      lpu_isa_pkg::OP_VMOV: begin
        c_vd  = 1'b1;
        c_opb = 1'b1;
      end
      lpu_isa_pkg::OP_VRELU, lpu_isa_pkg::OP_VCLAMP, lpu_isa_pkg::OP_VLUT,
      lpu_isa_pkg::OP_VREDSUM, lpu_isa_pkg::OP_VREDMAX, lpu_isa_pkg::OP_VREDMIN,
      lpu_isa_pkg::OP_VROT, lpu_isa_pkg::OP_VSHIFT: begin
        c_vd = 1'b1;
        c_va = 1'b1;
      end
      lpu_isa_pkg::OP_VBCAST: begin
        c_vd   = 1'b1;
        c_va   = 1'b1;
        c_lane = 1'b1;
      end
      lpu_isa_pkg::OP_VLID: c_vd = 1'b1;
      lpu_isa_pkg::OP_VTR: begin
        c_bank = 1'b1;
        c_dmem = 1'b1;
      end
      lpu_isa_pkg::OP_MLW, lpu_isa_pkg::OP_MM, lpu_isa_pkg::OP_MMA: begin
        c_bank = 1'b1;
        c_buf  = 1'b1;
      end
      lpu_isa_pkg::OP_LUTLD: c_bank = 1'b1;
      lpu_isa_pkg::OP_SEND, lpu_isa_pkg::OP_RECV: begin
        c_bank = 1'b1;
        c_link = 1'b1;
      end
      default: ;
    endcase
  end

  logic bad_bits, bad_range, bad_opb;

  assign bad_bits = |(instr_i & ~lpu_isa_pkg::op_mask(op));

  assign bad_range = (c_vd && rd >= VRegs) || (c_va && ra >= VRegs) || (c_vb && rb >= VRegs) ||
                     (c_bank && bank >= Banks) || (c_dmem && rd >= Banks) ||
                     (c_lane && sh >= Lanes) || (c_slice && sh > 32'd3) ||
                     (c_buf && sh > 32'd1) || (c_link && sh >= Links) ||
                     (c_len && len == 32'd0);

  always_comb begin
    bad_opb = 1'b0;
    if (c_opb) begin
      case (bmode)
        32'd0:   bad_opb = (imm16 != 16'd0) || (rb >= VRegs);
        32'd1:   bad_opb = (imm16 != 16'd0);
        32'd2:   bad_opb = (rb != 32'd0);
        default: bad_opb = 1'b1;
      endcase
    end
  end

  always_comb begin
    err_o = lpu_isa_pkg::ERR_NONE;
    if (!lpu_isa_pkg::op_valid(op)) begin
      err_o = lpu_isa_pkg::ERR_ILLEGAL_OPCODE;
    end else if (bad_bits || bad_range || bad_opb) begin
      err_o = lpu_isa_pkg::ERR_ILLEGAL_OPERAND;
    end
  end

endmodule
