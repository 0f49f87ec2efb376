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
inline VOp vld(int dst, std::uint32_t bank, std::uint32_t addr, int stream = -1,
               bool unsigned_load = false) {
  VOp v = vop(unsigned_load ? Op::vldu : Op::vld);
  v.stream = stream;
  v.dst = dst;
  v.in.set(Field::bank, bank);
  v.in.set(Field::imm16, addr);
  v.mem = VOp::Mem::sram_read;
  v.bank = bank;
  v.addr = addr;
  return v;
}
inline VOp vst(int src, std::uint32_t bank, std::uint32_t addr, int stream = -1) {
  VOp v = vop(Op::vst);
  v.stream = stream;
  v.src_s = src;
  v.in.set(Field::bank, bank);
  v.in.set(Field::imm16, addr);
  v.mem = VOp::Mem::sram_write;
  v.bank = bank;
  v.addr = addr;
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
// vd = va OP vb (bmode 0).
inline VOp vv(Op op, int dst, int a, int b, unsigned sh = 0) {
  VOp v = vop(op);
  v.dst = dst;
  v.src_a = a;
  v.src_b = b;
  v.in.set(Field::bmode, 0);
  if (sh) v.in.set(Field::sh, sh);
  return v;
}
// vd = va OP imm16 (bmode 2).
inline VOp vi(Op op, int dst, int a, std::int32_t imm, unsigned sh = 0) {
  if (imm < -32768 || imm > 32767) throw Error("internal: immediate operand out of range");
  VOp v = vop(op);
  v.dst = dst;
  v.src_a = a;
  v.in.set(Field::bmode, 2);
  v.in.set(Field::imm16, imm);
  if (sh) v.in.set(Field::sh, sh);
  return v;
}
// vd = op(va) (vrelu, vredsum, vredmax).
inline VOp v1(Op op, int dst, int a) {
  VOp v = vop(op);
  v.dst = dst;
  v.src_a = a;
  return v;
}
// vd = sext(LUT[clamp(va + imm, ...)]).
inline VOp vlut(int dst, int a, std::int32_t imm) {
  VOp v = vop(Op::vlut);
  v.dst = dst;
  v.src_a = a;
  v.in.set(Field::imm16, imm);
  return v;
}
// vd[l] = va[lane].
inline VOp vbcast(int dst, int a, unsigned lane) {
  VOp v = vop(Op::vbcast);
  v.dst = dst;
  v.src_a = a;
  v.in.set(Field::sh, lane);
  return v;
}
// rd = va[lane] (a reserved scalar register).
inline VOp vext(unsigned rd, int a, unsigned lane) {
  VOp v = vop(Op::vext);
  v.src_a = a;
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
  VOp v = vop(Op::vgather);
  v.dst = dst;
  v.src_b = idx;
  v.in.set(Field::bank, bank);
  v.in.set(Field::imm16, addr);
  v.in.set(Field::sh, lane);
  v.mem = VOp::Mem::sram_read;
  v.bank = bank;
  v.addr = addr;
  v.range = 0;
  return v;
}

}  // namespace lpu::compiler::detail::vops
