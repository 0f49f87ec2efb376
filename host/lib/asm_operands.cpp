// The operand table: every instruction's syntax string (isa/lpu_isa.toml) parsed once.
#include "asm_operands.hpp"

#include <map>
#include <mutex>

#include "lpu/error.hpp"

namespace lpu::asmx {

namespace {

OperandSpec spec_for(const std::string& name, const gen::InstrDesc& d) {
  struct Entry {
    const char* name;
    Kind kind;
    Field field;
    long long bias;
  };
  static const Entry kTable[] = {
      {"rd", Kind::sreg, Field::rd, 0},
      {"ra", Kind::sreg, Field::ra, 0},
      {"rb", Kind::sreg, Field::rb, 0},
      {"vd", Kind::vreg, Field::rd, 0},
      {"vs", Kind::vreg, Field::rd, 0},
      {"va", Kind::vreg, Field::ra, 0},
      {"vb", Kind::vreg, Field::rb, 0},
      {"opb", Kind::opb, Field::rb, 0},
      {"mem", Kind::mem, Field::bank, 0},
      {"bmem", Kind::bmem, Field::bank, 0},
      {"dmem", Kind::dmem, Field::rd, 0},
      {"acc", Kind::acc, Field::ra, 0},
      {"accb", Kind::accb, Field::rb, 0},
      {"imm32", Kind::integer, Field::imm32, 0},
      {"imm16", Kind::integer, Field::imm16, 0},
      {"hi16", Kind::integer, Field::hi16, 0},
      {"count", Kind::integer, Field::count, 0},
      {"len", Kind::integer, Field::len, 0},
      {"sh", Kind::integer, Field::sh, 0},
      {"lane", Kind::integer, Field::sh, 0},
      {"slice", Kind::integer, Field::sh, 0},
      {"link", Kind::integer, Field::sh, 0},
      {"buf", Kind::integer, Field::sh, 0},
      {"inc", Kind::integer, Field::stride, 0},
      {"stride", Kind::integer, Field::stride, 0},
      {"dstride", Kind::integer, Field::dstride, 0},
      {"cycles", Kind::integer, Field::count, -1},
  };
  for (const auto& e : kTable) {
    if (name == e.name) return {name, e.kind, e.field, false, 0, e.bias};
  }
  throw Error("internal: instruction '" + std::string(d.name) + "' has unknown operand kind '" +
              name + "'");
}

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(' ');
  if (a == std::string::npos) return "";
  const auto b = s.find_last_not_of(' ');
  return s.substr(a, b - a + 1);
}

std::vector<OperandSpec> build(const gen::InstrDesc& d) {
  std::vector<OperandSpec> out;
  const std::string syn(d.syntax);
  std::size_t start = 0;
  while (start < syn.size()) {
    std::size_t comma = syn.find(',', start);
    if (comma == std::string::npos) comma = syn.size();
    const std::string item = trim(syn.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string::npos) {
      out.push_back(spec_for(item, d));
    } else {
      OperandSpec s = spec_for(trim(item.substr(0, eq)), d);
      s.optional = true;
      s.def = std::stoll(trim(item.substr(eq + 1)));
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace

const std::vector<OperandSpec>& operand_specs(const gen::InstrDesc& d) {
  static std::once_flag once;
  static std::map<Op, std::vector<OperandSpec>> table;
  std::call_once(once, [] {
    for (const auto& desc : gen::kInstrs) table[desc.op] = build(desc);
  });
  return table.at(d.op);
}

}  // namespace lpu::asmx
