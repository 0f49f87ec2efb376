// Instruction words for the unit benches, built from the generated field table
// (isa/lpu_isa.toml), independent of the RTL. Only the fields an opcode uses are set.
#pragma once

#include <cstdint>

#include "lpu/gen/isa_gen.hpp"

namespace lpu::verif {

struct Ins {
  gen::Op op = gen::Op::nop;
  unsigned rd = 0, ra = 0, rb = 0, bank = 0, bmode = 0, sh = 0;
  int imm16 = 0;   // also count (unsigned 16 bits) of lutld
  int hi16 = 0;
  int stride = 0;
};

inline std::uint64_t put_field(std::uint64_t w, gen::Field f, std::int64_t v) {
  const auto& d = gen::kFields[static_cast<unsigned>(f)];
  const std::uint64_t mask = (d.width == 64) ? ~0ull : ((1ull << d.width) - 1);
  return w | ((static_cast<std::uint64_t>(v) & mask) << d.lsb);
}

inline std::uint64_t encode(const Ins& in) {
  using gen::Field;
  std::uint64_t w = put_field(0, Field::op, static_cast<std::int64_t>(in.op));
  w = put_field(w, Field::rd, in.rd);
  w = put_field(w, Field::ra, in.ra);
  w = put_field(w, Field::rb, in.rb);
  w = put_field(w, Field::bank, in.bank);
  w = put_field(w, Field::bmode, in.bmode);
  w = put_field(w, Field::sh, in.sh);
  w = put_field(w, Field::imm16, in.imm16);
  if (in.hi16 != 0) w = put_field(w, Field::hi16, in.hi16);
  if (in.stride != 0) w = put_field(w, Field::stride, in.stride);
  return w;
}

}  // namespace lpu::verif
