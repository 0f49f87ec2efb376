// The disassembler: disassemble -> assemble gives identical container bytes on random
// programs (legal instructions, loops, data, tensors, META), and on arbitrary words.
#include <catch2/catch.hpp>
#include <random>

#include "lpu/assembler.hpp"
#include "lpu/disassembler.hpp"
#include "lpu/error.hpp"
#include "lpu/isa.hpp"

using lpu::Field;
using lpu::Instr;
using lpu::Op;

namespace {

std::int64_t random_field(std::mt19937_64& rng, Field f) {
  const auto& d = lpu::gen::kFields[static_cast<unsigned>(f)];
  const std::uint64_t raw = rng() & ((1ull << d.width) - 1);
  if (d.is_signed && (raw >> (d.width - 1)) & 1)
    return static_cast<std::int64_t>(raw) - (std::int64_t{1} << d.width);
  return static_cast<std::int64_t>(raw);
}

bool has_opb(const lpu::gen::InstrDesc& d) {
  return d.syntax.find("opb") != std::string_view::npos;
}

// A random instruction that check_operands accepts on `cfg` (not a loop).
Instr random_instr(std::mt19937_64& rng, const lpu::Config& cfg) {
  for (;;) {
    const auto& d = lpu::gen::kInstrs[rng() % lpu::gen::kInstrs.size()];
    if (d.op == Op::loopi || d.op == Op::loop) continue;
    Instr in;
    in.op = d.op;
    for (unsigned i = 0; i < d.num_fields; ++i) {
      std::int64_t v = random_field(rng, d.fields[i]);
      // Keep small-range fields mostly legal so that few draws are rejected.
      if (d.fields[i] == Field::sh && rng() % 2) v = static_cast<std::int64_t>(rng() % 2);
      if (d.fields[i] == Field::bank) v = static_cast<std::int64_t>(rng() % cfg.banks);
      if (d.fields[i] == Field::rd || d.fields[i] == Field::ra || d.fields[i] == Field::rb) {
        v = static_cast<std::int64_t>(rng() % std::min(cfg.vregs, cfg.banks));
      }
      in.set(d.fields[i], v);
    }
    if (has_opb(d)) {
      const auto mode = static_cast<std::int64_t>(rng() % 3);
      in.set(Field::bmode, mode);
      if (mode == 2) {
        in.set(Field::rb, 0);
      } else {
        in.set(Field::imm16, 0);
      }
    }
    if (lpu::check_operands(in, cfg) == lpu::ErrorCode::none) return in;
  }
}

// Random structured code: straight-line instructions and properly nested loops.
void random_block(std::mt19937_64& rng, const lpu::Config& cfg, std::vector<std::uint64_t>& code,
                  int n, int depth) {
  for (int i = 0; i < n; ++i) {
    if (depth < 4 && rng() % 8 == 0) {
      const std::size_t at = code.size();
      code.push_back(0);
      random_block(rng, cfg, code, 1 + static_cast<int>(rng() % 6), depth + 1);
      Instr loop;
      const auto len = static_cast<std::int64_t>(code.size() - at - 1);
      if (rng() % 2) {
        loop.op = Op::loopi;
        loop.set(Field::count, static_cast<std::int64_t>(rng() % 65536));
      } else {
        loop.op = Op::loop;
        loop.set(Field::ra, static_cast<std::int64_t>(rng() % 16));
      }
      loop.set(Field::len, len);
      code[at] = lpu::encode(loop);
    } else {
      code.push_back(lpu::encode(random_instr(rng, cfg)));
    }
  }
}

std::string random_name(std::mt19937_64& rng, int i) {
  static const std::string first = "abcXYZ_";
  static const std::string rest = "abcdefxyz_.0123456789";
  std::string s(1, first[rng() % first.size()]);
  const std::size_t n = rng() % 12;
  for (std::size_t k = 0; k < n; ++k) s += rest[rng() % rest.size()];
  return s + "_" + std::to_string(i);  // unique
}

lpu::Program random_program(std::mt19937_64& rng) {
  const lpu::Config& cfg = lpu::gen::kConfigs[rng() % lpu::gen::kConfigs.size()];
  lpu::Program p;
  p.req = lpu::requirements_for(cfg);
  if (rng() % 4 == 0) p.req.acc_depth = static_cast<std::uint32_t>(rng() % (cfg.acc_depth + 1));
  random_block(rng, cfg, p.code, static_cast<int>(rng() % 40), 0);
  if (rng() % 3) p.predicted_cycles = rng() % 5 == 0 ? rng() : rng() % 100000;

  // Data: non-overlapping segments placed in increasing order per space.
  std::size_t next_sram = 0, next_acc = 0, next_lut = 0;
  const int nseg = static_cast<int>(rng() % 5);
  for (int i = 0; i < nseg; ++i) {
    lpu::Segment s;
    s.space = static_cast<lpu::Space>(rng() % 3);
    const std::size_t unit = s.space == lpu::Space::sram  ? cfg.lanes
                             : s.space == lpu::Space::acc ? 4 * cfg.lanes
                                                          : 2;
    const std::size_t depth = s.space == lpu::Space::sram  ? p.req.bank_depth
                              : s.space == lpu::Space::acc ? p.req.acc_depth
                                                           : p.req.lut_depth;
    const std::size_t banks = s.space == lpu::Space::sram ? p.req.banks : 1;
    std::size_t& next = s.space == lpu::Space::sram  ? next_sram
                        : s.space == lpu::Space::acc ? next_acc
                                                     : next_lut;
    const std::size_t start = next + rng() % 300;
    const std::size_t units = 1 + rng() % 5;
    if (start + units > banks * depth) continue;
    s.bank = static_cast<std::uint32_t>(start / depth);
    s.addr = static_cast<std::uint32_t>(start % depth);
    for (std::size_t k = 0; k < units * unit; ++k)
      s.bytes.push_back(static_cast<std::uint8_t>(rng()));
    next = start + units;
    p.data.push_back(s);
  }
  // Tensors.
  const int nsym = static_cast<int>(rng() % 5);
  for (int i = 0; i < nsym; ++i) {
    lpu::Symbol s;
    s.name = random_name(rng, i);
    s.kind = static_cast<lpu::SymKind>(rng() % 3);
    if (rng() % 3 == 0) {
      s.layout = lpu::Layout::tiled;
      s.shape = {static_cast<std::uint32_t>(1 + rng() % 20),
                 static_cast<std::uint32_t>(cfg.lanes * (1 + rng() % 3))};
      s.bank = static_cast<std::uint32_t>(rng() % cfg.banks);
      s.addr = static_cast<std::uint32_t>(rng() % 100);
    } else {
      s.space = static_cast<lpu::Space>(rng() % 2);
      s.dtype = static_cast<lpu::DType>(rng() % 2);
      const std::size_t rank = 1 + rng() % 4;
      for (std::size_t k = 0; k < rank; ++k)
        s.shape.push_back(static_cast<std::uint32_t>(1 + rng() % 4));
      s.bank = s.space == lpu::Space::sram ? static_cast<std::uint32_t>(rng() % cfg.banks) : 0;
      s.addr =
          static_cast<std::uint32_t>(rng() % (s.space == lpu::Space::sram ? cfg.bank_depth : 8));
      if (s.space == lpu::Space::acc && p.req.acc_depth < 16) continue;
    }
    p.symbols.push_back(s);
  }
  // META with characters that need escaping.
  static const std::vector<std::string> vals = {
      "x", "a b", "q\"uote", "back\\slash", "tab\there", "caf\xc3\xa9", "=", ";#"};
  const int nmeta = static_cast<int>(rng() % 3);
  for (int i = 0; i < nmeta; ++i)
    p.meta += "k" + std::to_string(i) + "=" + vals[rng() % vals.size()] + "\n";
  return p;
}

}  // namespace

TEST_CASE("disasm: random legal programs re-assemble to identical bytes", "[disasm]") {
  std::mt19937_64 rng(2024);
  int programs = 0;
  for (int iter = 0; iter < 400; ++iter) {
    lpu::Program p = random_program(rng);
    std::vector<std::uint8_t> bytes;
    try {
      bytes = p.serialize();
    } catch (const lpu::Error&) {
      continue;  // a random tensor that does not fit; the generator is loose on purpose
    }
    ++programs;
    const std::string text = lpu::disassemble(p);
    INFO(text);
    // The other configuration as the default proves that .config is honoured.
    const auto& other =
        p.req.lanes == 4 ? lpu::config_by_name("base") : lpu::config_by_name("tiny");
    const lpu::Program q = lpu::assemble(text, "d.s", other);
    REQUIRE(q.serialize() == bytes);
    // Legal instructions never fall back to .word.
    REQUIRE(text.find(".word") == std::string::npos);
  }
  CHECK(programs > 300);
}

TEST_CASE("disasm: arbitrary words round-trip through .word", "[disasm]") {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 200; ++iter) {
    lpu::Program p;
    const auto& cfg = lpu::gen::kConfigs[iter % lpu::gen::kConfigs.size()];
    p.req = lpu::requirements_for(cfg);
    for (int i = 0; i < 50; ++i) {
      std::uint64_t w = rng();
      switch (rng() % 4) {
        case 0:
          break;  // anything
        case 1:
          w = (w & 0x00FFFFFFFFFFFFFFull) |
              (std::uint64_t{
                   static_cast<unsigned>(lpu::gen::kInstrs[rng() % lpu::gen::kInstrs.size()].op)}
               << 56);
          break;
        case 2: {  // a decodable word with random fields (may be illegal on cfg, or a bad loop)
          const auto& d = lpu::gen::kInstrs[rng() % lpu::gen::kInstrs.size()];
          w &= d.field_mask;
          w = (w & 0x00FFFFFFFFFFFFFFull) | (std::uint64_t{static_cast<unsigned>(d.op)} << 56);
          break;
        }
        default:
          w = lpu::encode(random_instr(rng, cfg));
          break;
      }
      p.code.push_back(w);
    }
    const auto bytes = p.serialize();
    const std::string text = lpu::disassemble(p);
    INFO(text);
    REQUIRE(lpu::assemble(text, "d.s", cfg).serialize() == bytes);
  }
}

TEST_CASE("disasm: single words", "[disasm]") {
  auto enc = [](Op op, std::initializer_list<std::pair<Field, std::int64_t>> fields) {
    Instr in;
    in.op = op;
    for (const auto& [f, v] : fields) in.set(f, v);
    return lpu::encode(in);
  };
  CHECK(lpu::disassemble_word(0) == "halt");
  CHECK(lpu::disassemble_word(enc(Op::nop, {{Field::count, 16}})) == "nop cycles=17");
  CHECK(lpu::disassemble_word(
            enc(Op::vld, {{Field::rd, 1}, {Field::ra, 2}, {Field::bank, 3}, {Field::imm16, -4}})) ==
        "vld v1, b3[r2-4], inc=0");
  CHECK(lpu::disassemble_word(enc(
            Op::vadd, {{Field::rd, 1}, {Field::ra, 2}, {Field::bmode, 2}, {Field::imm16, 9}})) ==
        "vadd v1, v2, 9");
  CHECK(lpu::disassemble_word(
            enc(Op::vadd, {{Field::rd, 1}, {Field::ra, 2}, {Field::bmode, 1}, {Field::rb, 9}})) ==
        "vadd v1, v2, r9");
  CHECK(lpu::disassemble_word(enc(Op::mm, {{Field::bank, 1},
                                           {Field::ra, 2},
                                           {Field::rb, 3},
                                           {Field::count, 4},
                                           {Field::sh, 1},
                                           {Field::stride, 2},
                                           {Field::dstride, -1}})) ==
        "mm b1[r2], acc[r3], 4, buf=1, stride=2, dstride=-1");
  CHECK(lpu::disassemble_word(
            enc(Op::vtr, {{Field::rd, 7}, {Field::rb, 6}, {Field::bank, 2}, {Field::ra, 5}})) ==
        "vtr b7[r6], b2[r5]");
  CHECK(lpu::disassemble_word(enc(Op::vlda, {{Field::rd, 1}, {Field::ra, 2}, {Field::imm16, 8}})) ==
        "vlda v1, acc[r2+8], inc=0");
  CHECK(lpu::disassemble_word(
            enc(Op::send, {{Field::sh, 1}, {Field::bank, 2}, {Field::ra, 3}, {Field::count, 5}})) ==
        "send 1, b2[r3], 5, stride=0");
  CHECK(lpu::disassemble_word(0x0700000000000000ull) == ".word 0x0700000000000000");
  CHECK(lpu::disassemble_word(0x0000000000000001ull) ==
        ".word 0x0000000000000001");  // halt with a stray bit
  CHECK(lpu::disassemble_word(enc(Op::vadd, {{Field::bmode, 3}})) == ".word 0x200000c000000000");
}
