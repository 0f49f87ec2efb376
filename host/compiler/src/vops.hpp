// Internal to the compiler: builders of the vector-pipeline instructions the lowering
// places as chains (schedule.hpp VOp).
#pragma once

#include <cstdint>

#include "lpu/error.hpp"
#include "schedule.hpp"

namespace lpu::compiler::detail::vops {

inline VOp vop(Op op) {
  VOp v;
  v.in.op = op;
  return v;
}
// An SRAM access at bank:addr (the immediate, or address stream `stream`).
inline VOp sram_op(Op op, VOp::Mem mem, std::uint32_t bank, std::uint32_t addr, int stream = -1) {
  VOp v = vop(op);
  v.stream = stream;
  v.in.set(Field::bank, bank);
  v.in.set(Field::imm16, addr);
  v.mem = mem;
  v.bank = bank;
  v.addr = addr;
  return v;
}
inline VOp vld(int dst, std::uint32_t bank, std::uint32_t addr, int stream = -1,
               bool unsigned_load = false) {
  VOp v = sram_op(unsigned_load ? Op::vldu : Op::vld, VOp::Mem::sram_read, bank, addr, stream);
  v.dst = dst;
  return v;
}
inline VOp vst(int src, std::uint32_t bank, std::uint32_t addr, int stream = -1) {
  VOp v = sram_op(Op::vst, VOp::Mem::sram_write, bank, addr, stream);
  v.src_s = src;
  return v;
}
inline VOp vlda(int dst, std::uint32_t entry, int stream = -1) {
  VOp v = vop(Op::vlda);
  v.stream = stream;
  v.dst = dst;
  v.in.set(Field::imm16, entry);
  v.mem = VOp::Mem::acc_read;
  v.addr = entry;
  return v;
}
// vd = op(va) (vrelu, vredsum, vredmax); the base of the forms below.
inline VOp v1(Op op, int dst, int a) {
  VOp v = vop(op);
  v.dst = dst;
  v.src_a = a;
  return v;
}
// vd = va OP vb (bmode 0).
inline VOp vv(Op op, int dst, int a, int b, unsigned sh = 0) {
  VOp v = v1(op, dst, a);
  v.src_b = b;
  v.in.set(Field::bmode, 0);
  if (sh) v.in.set(Field::sh, sh);
  return v;
}
// vd = va OP imm16 (bmode 2).
inline VOp vi(Op op, int dst, int a, std::int32_t imm, unsigned sh = 0) {
  if (imm < -32768 || imm > 32767) throw Error("internal: immediate operand out of range");
  VOp v = v1(op, dst, a);
  v.in.set(Field::bmode, 2);
  v.in.set(Field::imm16, imm);
  if (sh) v.in.set(Field::sh, sh);
  return v;
}
// vd = sext(LUT[clamp(va + imm, ...)]).
inline VOp vlut(int dst, int a, std::int32_t imm) {
  VOp v = v1(Op::vlut, dst, a);
  v.in.set(Field::imm16, imm);
  return v;
}
// vd[l] = va[lane].
inline VOp vbcast(int dst, int a, unsigned lane) {
  VOp v = v1(Op::vbcast, dst, a);
  v.in.set(Field::sh, lane);
  return v;
}
// rd = va[lane] (a reserved scalar register).
inline VOp vext(unsigned rd, int a, unsigned lane) {
  VOp v = v1(Op::vext, -1, a);
  v.in.set(Field::rd, rd);
  v.in.set(Field::sh, lane);
  v.sreg_w = static_cast<int>(rd);
  return v;
}
// rd = ra + imm (reserved scalar registers).
inline VOp addi(unsigned rd, unsigned ra, std::int32_t imm) {
  VOp v = vop(Op::addi);
  v.in.set(Field::rd, rd);
  v.in.set(Field::ra, ra);
  v.in.set(Field::imm32, imm);
  v.sreg_w = static_cast<int>(rd);
  v.sreg_r = static_cast<int>(ra);
  return v;
}
// vd = SRAM[bank][imm + vb[lane]] (a constant table: no dependency, bank port only).
inline VOp vgather(int dst, std::uint32_t bank, std::uint32_t addr, int idx, unsigned lane) {
  VOp v = sram_op(Op::vgather, VOp::Mem::sram_read, bank, addr);
  v.dst = dst;
  v.src_b = idx;
  v.in.set(Field::sh, lane);
  v.range = 0;
  return v;
}

}  // namespace lpu::compiler::detail::vops
