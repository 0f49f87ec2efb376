// Internal to the host library: the operand table derived from the generated syntax strings,
// shared by the assembler and the disassembler so that both read the same table.
#pragma once

#include <string>
#include <vector>

#include "lpu/isa.hpp"

namespace lpu::asmx {

enum class Kind {
  sreg,     // rN in `field`
  vreg,     // vN in `field`
  opb,      // vN / rN / integer: bmode + rb / imm16
  mem,      // bK[rN+imm]: bank, ra, imm16
  bmem,     // bK[rN]: bank, ra
  dmem,     // bK[rN]: rd (bank), rb (address register)
  acc,      // acc[rN+imm]: ra, imm16
  accb,     // acc[rN]: rb
  integer,  // an integer in `field` (encoded value = written value + bias)
};

struct OperandSpec {
  std::string name;  // as in the syntax string: "vd", "mem", "inc", "lane", ...
  Kind kind;
  Field field;     // sreg/vreg/integer
  bool optional;   // written `name=value`, with a default
  long long def;   // default (optional operands)
  long long bias;  // integer: encoded = written + bias (nop cycles: -1)
};

// The operands of an instruction, in syntax order. Throws lpu::Error on a malformed table.
const std::vector<OperandSpec>& operand_specs(const gen::InstrDesc& d);

// True when an integer operand may be written by name (`count=16`).
inline bool nameable(const OperandSpec& s) { return s.kind == Kind::integer; }

}  // namespace lpu::asmx
