// Instruction encode/decode. An Instr holds the opcode and every field's value (signed fields
// sign-extended); fields an opcode does not use are zero.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lpu/config.hpp"
#include "lpu/gen/isa_gen.hpp"

namespace lpu {

using gen::ErrorCode;
using gen::Field;
using gen::Op;
using gen::Unit;

inline constexpr unsigned kNumFields = static_cast<unsigned>(gen::kFields.size());

struct Instr {
  Op op = Op::halt;
  std::array<std::int64_t, kNumFields> f{};  // indexed by Field

  std::int64_t get(Field fld) const { return f[static_cast<unsigned>(fld)]; }
  void set(Field fld, std::int64_t v) { f[static_cast<unsigned>(fld)] = v; }
};

// Descriptor of an opcode, or nullptr when the opcode is not in the ISA.
const gen::InstrDesc* find_instr(Op op);
const gen::InstrDesc* find_instr(std::string_view mnemonic);
const gen::FieldDesc& field_desc(Field fld);

// True when `v` fits the field (range of its signed/unsigned width).
bool field_fits(Field fld, std::int64_t v);

// Encodes; throws lpu::Error when a used field does not fit or an unused field is nonzero.
std::uint64_t encode(const Instr& in);

// Decodes a word. Returns nullopt for an unknown opcode or nonzero unused bits
// (the chip raises illegal_opcode / illegal_operand for those).
std::optional<Instr> decode(std::uint64_t word);

// Checks field values against a configuration (register, bank, lane, buffer, link ranges,
// loop len != 0, ...). Returns ErrorCode::none or illegal_operand. The golden model and the
// RTL apply exactly this check at issue.
ErrorCode check_operands(const Instr& in, const Config& cfg);

std::string_view error_name(ErrorCode e);
std::string_view unit_name(Unit u);

}  // namespace lpu
