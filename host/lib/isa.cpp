// Instruction encode/decode and the operand check shared by the golden model and the RTL spec.
#include "lpu/isa.hpp"

#include <string>

#include "lpu/error.hpp"

namespace lpu {

namespace {

std::uint64_t field_mask(const gen::FieldDesc& d) {
  const std::uint64_t ones = d.width >= 64 ? ~0ull : ((1ull << d.width) - 1);
  return ones << d.lsb;
}

std::int64_t extract(std::uint64_t word, const gen::FieldDesc& d) {
  const std::uint64_t raw = (word & field_mask(d)) >> d.lsb;
  if (d.is_signed && d.width < 64 && (raw >> (d.width - 1)) & 1) {
    return static_cast<std::int64_t>(raw | (~0ull << d.width));
  }
  return static_cast<std::int64_t>(raw);
}

bool uses(const gen::InstrDesc& d, Field fld) {
  for (unsigned i = 0; i < d.num_fields; ++i) {
    if (d.fields[i] == fld) return true;
  }
  return false;
}

}  // namespace

const gen::InstrDesc* find_instr(Op op) {
  for (const auto& d : gen::kInstrs) {
    if (d.op == op) return &d;
  }
  return nullptr;
}

const gen::InstrDesc* find_instr(std::string_view mnemonic) {
  for (const auto& d : gen::kInstrs) {
    if (d.name == mnemonic) return &d;
  }
  return nullptr;
}

const gen::FieldDesc& field_desc(Field fld) { return gen::kFields[static_cast<unsigned>(fld)]; }

bool field_fits(Field fld, std::int64_t v) {
  const auto& d = field_desc(fld);
  if (d.is_signed) {
    const std::int64_t lo = -(std::int64_t{1} << (d.width - 1));
    const std::int64_t hi = (std::int64_t{1} << (d.width - 1)) - 1;
    return v >= lo && v <= hi;
  }
  return v >= 0 && (d.width >= 63 || v < (std::int64_t{1} << d.width));
}

std::uint64_t encode(const Instr& in) {
  const auto* d = find_instr(in.op);
  if (!d) throw Error("encode: unknown opcode " + std::to_string(static_cast<unsigned>(in.op)));
  std::uint64_t word = static_cast<std::uint64_t>(in.op) << field_desc(Field::op).lsb;
  for (unsigned i = 1; i < kNumFields; ++i) {
    const auto fld = static_cast<Field>(i);
    const std::int64_t v = in.get(fld);
    if (!uses(*d, fld)) {
      if (v != 0) {
        throw Error("encode: " + std::string(d->name) + " does not use field " +
                    std::string(field_desc(fld).name));
      }
      continue;
    }
    if (!field_fits(fld, v)) {
      throw Error("encode: " + std::string(d->name) + ": value " + std::to_string(v) +
                  " does not fit field " + std::string(field_desc(fld).name));
    }
    word |= (static_cast<std::uint64_t>(v) << field_desc(fld).lsb) & field_mask(field_desc(fld));
  }
  return word;
}

std::optional<Instr> decode(std::uint64_t word) {
  const auto op = static_cast<Op>(extract(word, field_desc(Field::op)));
  const auto* d = find_instr(op);
  if (!d) return std::nullopt;
  if (word & ~d->field_mask) return std::nullopt;
  Instr in;
  in.op = op;
  for (unsigned i = 0; i < d->num_fields; ++i) {
    in.set(d->fields[i], extract(word, field_desc(d->fields[i])));
  }
  return in;
}

ErrorCode check_operands(const Instr& in, const Config& cfg) {
  const auto* d = find_instr(in.op);
  if (!d) return ErrorCode::illegal_opcode;
  const auto bad = ErrorCode::illegal_operand;
  const std::string_view syn = d->syntax;
  auto has = [&](std::string_view tok) {
    // whole-token match inside the syntax string
    for (std::size_t pos = syn.find(tok); pos != std::string_view::npos; pos = syn.find(tok, pos + 1)) {
      const bool left = pos == 0 || syn[pos - 1] == ' ' || syn[pos - 1] == ',';
      const std::size_t end = pos + tok.size();
      const bool right = end == syn.size() || syn[end] == ',' || syn[end] == '=' || syn[end] == ' ';
      if (left && right) return true;
    }
    return false;
  };
  auto vreg_ok = [&](Field f) { return in.get(f) < static_cast<std::int64_t>(cfg.vregs); };
  if ((has("vd") || has("vs")) && !vreg_ok(Field::rd)) return bad;
  if (has("va") && !vreg_ok(Field::ra)) return bad;
  if (has("vb") && !vreg_ok(Field::rb)) return bad;
  if (uses(*d, Field::bank) && in.get(Field::bank) >= static_cast<std::int64_t>(cfg.banks)) return bad;
  if (has("dmem") && in.get(Field::rd) >= static_cast<std::int64_t>(cfg.banks)) return bad;
  if (has("lane") && in.get(Field::sh) >= static_cast<std::int64_t>(cfg.lanes)) return bad;
  if (has("slice") && in.get(Field::sh) > 3) return bad;
  if (has("buf=0") && in.get(Field::sh) > 1) return bad;
  if (has("link") && in.get(Field::sh) >= static_cast<std::int64_t>(cfg.links)) return bad;
  if (has("len") && in.get(Field::len) == 0) return bad;
  if (has("opb")) {
    const auto mode = in.get(Field::bmode);
    if (mode == 3) return bad;
    if (mode == 0 && (in.get(Field::imm16) != 0 || !vreg_ok(Field::rb))) return bad;
    if (mode == 1 && in.get(Field::imm16) != 0) return bad;
    if (mode == 2 && in.get(Field::rb) != 0) return bad;
  }
  return ErrorCode::none;
}

std::string_view error_name(ErrorCode e) {
  for (const auto& d : gen::kErrors) {
    if (d.code == e) return d.name;
  }
  return "unknown_error";
}

std::string_view unit_name(Unit u) { return gen::kUnitNames[static_cast<unsigned>(u)]; }

}  // namespace lpu
