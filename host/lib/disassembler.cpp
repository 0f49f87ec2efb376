// The LPU disassembler. Output re-assembles to identical container bytes: every optional
// operand is written out, loops use the loopi/loop mnemonics, and words the assembler would
// not accept as instructions (undecodable, illegal on the program's configuration, or loops
// whose body is not properly nested) are written as `.word`.
#include "lpu/disassembler.hpp"

#include <cstdio>
#include <sstream>

#include "asm_operands.hpp"
#include "lpu/error.hpp"
#include "lpu/isa.hpp"

namespace lpu {

namespace {

std::string hex_word(std::uint64_t w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(w));
  return buf;
}

std::string reg(char prefix, std::int64_t n) { return std::string(1, prefix) + std::to_string(n); }

std::string with_offset(const std::string& base, std::int64_t r, std::int64_t imm) {
  std::string s = base + "[r" + std::to_string(r);
  if (imm > 0) s += "+" + std::to_string(imm);
  if (imm < 0) s += "-" + std::to_string(-imm);
  return s + "]";
}

// The assembler can write every field combination except operand B's unused parts.
bool representable(const Instr& in, const std::vector<asmx::OperandSpec>& specs) {
  for (const auto& s : specs) {
    if (s.kind != asmx::Kind::opb) continue;
    const auto mode = in.get(Field::bmode);
    if (mode == 3) return false;
    if (mode != 2 && in.get(Field::imm16) != 0) return false;
    if (mode == 2 && in.get(Field::rb) != 0) return false;
  }
  return true;
}

std::string format(const Instr& in, const gen::InstrDesc& d,
                   const std::vector<asmx::OperandSpec>& specs) {
  std::string out(d.name);
  bool first = true;
  for (const auto& s : specs) {
    std::string text;
    switch (s.kind) {
      case asmx::Kind::sreg:
        text = reg('r', in.get(s.field));
        break;
      case asmx::Kind::vreg:
        text = reg('v', in.get(s.field));
        break;
      case asmx::Kind::opb: {
        const auto mode = in.get(Field::bmode);
        text = mode == 0   ? reg('v', in.get(Field::rb))
               : mode == 1 ? reg('r', in.get(Field::rb))
                           : std::to_string(in.get(Field::imm16));
        break;
      }
      case asmx::Kind::mem:
        text = with_offset(reg('b', in.get(Field::bank)), in.get(Field::ra), in.get(Field::imm16));
        break;
      case asmx::Kind::bmem:
        text = reg('b', in.get(Field::bank)) + "[r" + std::to_string(in.get(Field::ra)) + "]";
        break;
      case asmx::Kind::dmem:
        text = reg('b', in.get(Field::rd)) + "[r" + std::to_string(in.get(Field::rb)) + "]";
        break;
      case asmx::Kind::acc:
        text = with_offset("acc", in.get(Field::ra), in.get(Field::imm16));
        break;
      case asmx::Kind::accb:
        text = "acc[r" + std::to_string(in.get(Field::rb)) + "]";
        break;
      case asmx::Kind::integer:
        text = std::to_string(in.get(s.field) - s.bias);
        break;
    }
    if (s.optional) text = s.name + "=" + text;
    out += first ? " " : ", ";
    out += text;
    first = false;
  }
  return out;
}

std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out;
}

std::string location(Space s, std::uint32_t bank, std::uint32_t addr) {
  if (s == Space::sram) return "b" + std::to_string(bank) + "[" + std::to_string(addr) + "]";
  return std::string(space_name(s)) + "[" + std::to_string(addr) + "]";
}

void data_block(std::ostringstream& os, const Segment& seg) {
  os << ".data " << location(seg.space, seg.bank, seg.addr) << " {\n";
  const auto& b = seg.bytes;
  if (seg.space == Space::sram) {
    char buf[8];
    for (std::size_t i = 0; i < b.size(); i += 16) {
      os << "   ";
      for (std::size_t k = i; k < b.size() && k < i + 16; ++k) {
        std::snprintf(buf, sizeof buf, " 0x%02x", b[k]);
        os << buf << (k + 1 < b.size() && k + 1 < i + 16 ? "," : "");
      }
      os << "\n";
    }
  } else {
    const std::size_t esize = seg.space == Space::acc ? 4 : 2;
    const std::size_t per_line = seg.space == Space::acc ? 8 : 16;
    const std::size_t n = b.size() / esize;
    for (std::size_t i = 0; i < n; i += per_line) {
      os << "   ";
      for (std::size_t k = i; k < n && k < i + per_line; ++k) {
        std::int64_t v;
        if (esize == 4) {
          std::uint32_t u = 0;
          for (int j = 0; j < 4; ++j) u |= std::uint32_t{b[4 * k + j]} << (8 * j);
          v = static_cast<std::int32_t>(u);
        } else {
          v = static_cast<std::int16_t>(static_cast<std::uint16_t>(b[2 * k] | (b[2 * k + 1] << 8)));
        }
        os << " " << v << (k + 1 < n && k + 1 < i + per_line ? "," : "");
      }
      os << "\n";
    }
  }
  os << "}\n";
}

}  // namespace

std::string disassemble_word(std::uint64_t word) {
  const auto in = decode(word);
  if (!in) return ".word " + hex_word(word);
  const auto* d = find_instr(in->op);
  const auto& specs = asmx::operand_specs(*d);
  if (!representable(*in, specs)) return ".word " + hex_word(word);
  return format(*in, *d, specs);
}

std::string disassemble(const Program& p) {
  const Config* cfg = config_by_lanes(p.req.lanes);
  if (!cfg)
    throw Error("disassemble: no configuration has " + std::to_string(p.req.lanes) + " lanes");
  std::ostringstream os;
  os << "; LPU program, " << p.code.size() << " instructions\n";
  os << ".config " << cfg->name << "\n";
  const Requirements full = requirements_for(*cfg);
  if (p.req.banks != full.banks || p.req.bank_depth != full.bank_depth ||
      p.req.acc_depth != full.acc_depth || p.req.lut_depth != full.lut_depth) {
    os << ".requires banks=" << p.req.banks << ", bank_depth=" << p.req.bank_depth
       << ", acc_depth=" << p.req.acc_depth << ", lut_depth=" << p.req.lut_depth << "\n";
  }
  if (p.predicted_cycles != 0) os << ".predicted_cycles " << p.predicted_cycles << "\n";
  std::size_t start = 0;
  while (start < p.meta.size()) {
    std::size_t nl = p.meta.find('\n', start);
    if (nl == std::string::npos) nl = p.meta.size();
    os << ".meta \"" << escape(p.meta.substr(start, nl - start)) << "\"\n";
    start = nl + 1;
  }
  for (const auto& seg : p.data) data_block(os, seg);
  for (const auto& s : p.symbols) {
    os << (s.kind == SymKind::input    ? ".input "
           : s.kind == SymKind::output ? ".output "
                                       : ".inout ")
       << s.name << ", " << location(s.space, s.bank, s.addr) << ", shape=(";
    for (std::size_t i = 0; i < s.shape.size(); ++i) os << (i ? ", " : "") << s.shape[i];
    os << "), dtype=" << dtype_name(s.dtype)
       << ", layout=" << (s.layout == Layout::tiled ? "tiled" : "linear") << "\n";
  }
  if (!p.code.empty()) os << "\n";

  // Mirrors the assembler's loop-nesting check so that every loop written as a mnemonic
  // is one the assembler accepts.
  std::vector<std::size_t> ends;
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    while (!ends.empty() && ends.back() < i) ends.pop_back();
    const std::uint64_t w = p.code[i];
    std::string text;
    const auto in = decode(w);
    const gen::InstrDesc* d = in ? find_instr(in->op) : nullptr;
    bool ok = in && representable(*in, asmx::operand_specs(*d)) &&
              check_operands(*in, *cfg) == ErrorCode::none;
    if (ok && (in->op == Op::loopi || in->op == Op::loop)) {
      const std::size_t end = i + static_cast<std::size_t>(in->get(Field::len));
      if (end >= p.code.size() || (!ends.empty() && end > ends.back())) {
        ok = false;
      } else {
        ends.push_back(end);
      }
    }
    text = ok ? format(*in, *d, asmx::operand_specs(*d)) : ".word " + hex_word(w);
    // Loop bodies are indented by nesting depth (the loop instruction itself is not).
    const std::size_t depth =
        ends.size() - (ok && (in->op == Op::loopi || in->op == Op::loop) ? 1 : 0);
    const std::string indent(4 + 2 * depth, ' ');
    os << indent << text;
    const std::size_t used = indent.size() + text.size();
    const std::size_t pad = used < 48 ? 48 - used : 1;
    os << std::string(pad, ' ') << "; " << i << "\n";
  }
  return os.str();
}

}  // namespace lpu
