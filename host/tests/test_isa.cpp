// Instruction encoding: encode/decode round trips against an independent bit-packing loop,
// unused bits, unknown opcodes and the operand check.
#include <catch2/catch.hpp>
#include <random>
#include <set>

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

// The expected word, packed by hand from the field table: opcode in [63:56], each used field
// at its lsb, two's complement truncated to its width.
std::uint64_t pack(const Instr& in, const lpu::gen::InstrDesc& d) {
  std::uint64_t w = static_cast<std::uint64_t>(in.op) << 56;
  for (unsigned i = 0; i < d.num_fields; ++i) {
    const auto& fd = lpu::gen::kFields[static_cast<unsigned>(d.fields[i])];
    const std::uint64_t mask = (1ull << fd.width) - 1;
    w |= (static_cast<std::uint64_t>(in.get(d.fields[i])) & mask) << fd.lsb;
  }
  return w;
}

Instr make(Op op, std::initializer_list<std::pair<Field, std::int64_t>> fields) {
  Instr in;
  in.op = op;
  for (const auto& [f, v] : fields) in.set(f, v);
  return in;
}

}  // namespace

TEST_CASE("isa: every opcode round-trips with random legal fields", "[isa]") {
  std::mt19937_64 rng(1234);
  for (const auto& d : lpu::gen::kInstrs) {
    INFO("instruction " << d.name);
    for (int iter = 0; iter < 200; ++iter) {
      Instr in;
      in.op = d.op;
      for (unsigned i = 0; i < d.num_fields; ++i)
        in.set(d.fields[i], random_field(rng, d.fields[i]));
      const std::uint64_t w = lpu::encode(in);
      REQUIRE(w == pack(in, d));
      const auto back = lpu::decode(w);
      REQUIRE(back.has_value());
      REQUIRE(back->op == in.op);
      for (unsigned f = 0; f < lpu::kNumFields; ++f) REQUIRE(back->f[f] == in.f[f]);
    }
  }
}

TEST_CASE("isa: field extremes encode at the right bits", "[isa]") {
  // li r15, -1: rd = 0xF at [55:52], imm32 = 0xFFFFFFFF at [31:0], opcode 0x08.
  CHECK(lpu::encode(make(Op::li, {{Field::rd, 15}, {Field::imm32, -1}})) == 0x08F00000FFFFFFFFull);
  // mm b3[r2], acc[r1], count=0xFFFF, buf=1, stride=-1, dstride=-128
  CHECK(lpu::encode(make(Op::mm, {{Field::bank, 3},
                                  {Field::ra, 2},
                                  {Field::rb, 1},
                                  {Field::count, 0xFFFF},
                                  {Field::sh, 1},
                                  {Field::stride, -1},
                                  {Field::dstride, -128}})) == 0x41021301FF80FFFFull);
  CHECK(lpu::encode(make(Op::halt, {})) == 0);
  CHECK(lpu::encode(
            make(Op::vclamp,
                 {{Field::rd, 1}, {Field::ra, 2}, {Field::imm16, -32768}, {Field::hi16, 32767}})) ==
        0x311200007FFF8000ull);
}

TEST_CASE("isa: unused bits make a word undecodable", "[isa]") {
  std::mt19937_64 rng(99);
  for (const auto& d : lpu::gen::kInstrs) {
    INFO("instruction " << d.name);
    Instr in;
    in.op = d.op;
    for (unsigned i = 0; i < d.num_fields; ++i) in.set(d.fields[i], random_field(rng, d.fields[i]));
    const std::uint64_t w = lpu::encode(in);
    // The used-bit mask, computed from the field table rather than taken from field_mask.
    std::uint64_t used = 0xFF00000000000000ull;
    for (unsigned i = 0; i < d.num_fields; ++i) {
      const auto& fd = lpu::gen::kFields[static_cast<unsigned>(d.fields[i])];
      used |= ((1ull << fd.width) - 1) << fd.lsb;
    }
    CHECK(used == d.field_mask);
    for (unsigned b = 0; b < 56; ++b) {
      if (used & (1ull << b)) continue;
      CHECK_FALSE(lpu::decode(w | (1ull << b)).has_value());
    }
  }
}

TEST_CASE("isa: unknown opcodes do not decode", "[isa]") {
  std::set<unsigned> known;
  for (const auto& d : lpu::gen::kInstrs) known.insert(static_cast<unsigned>(d.op));
  for (unsigned op = 0; op < 256; ++op) {
    const std::uint64_t w = static_cast<std::uint64_t>(op) << 56;
    CHECK(lpu::decode(w).has_value() == (known.count(op) == 1));
  }
  CHECK(lpu::find_instr(static_cast<Op>(0x07)) == nullptr);
  CHECK(lpu::find_instr("bogus") == nullptr);
  REQUIRE(lpu::find_instr("mm") != nullptr);
  CHECK(lpu::find_instr("mm")->op == Op::mm);
}

TEST_CASE("isa: encode rejects values that do not fit and fields an opcode does not use", "[isa]") {
  CHECK_THROWS_AS(lpu::encode(make(Op::li, {{Field::rd, 16}})), lpu::Error);
  CHECK_THROWS_AS(lpu::encode(make(Op::li, {{Field::imm32, std::int64_t{1} << 31}})), lpu::Error);
  CHECK_THROWS_AS(lpu::encode(make(Op::vld, {{Field::stride, 128}})), lpu::Error);
  CHECK_THROWS_AS(lpu::encode(make(Op::vld, {{Field::stride, -129}})), lpu::Error);
  CHECK_THROWS_AS(lpu::encode(make(Op::loopi, {{Field::count, -1}})), lpu::Error);
  CHECK_THROWS_AS(lpu::encode(make(Op::loopi, {{Field::len, 4096}})), lpu::Error);
  CHECK_THROWS_AS(lpu::encode(make(Op::halt, {{Field::rd, 1}})), lpu::Error);
  CHECK_THROWS_AS(lpu::encode(make(Op::vrelu, {{Field::imm16, 1}})), lpu::Error);
  CHECK_NOTHROW(lpu::encode(make(Op::vld, {{Field::stride, -128}})));
  CHECK_NOTHROW(lpu::encode(make(Op::loopi, {{Field::len, 4095}})));
}

TEST_CASE("isa: check_operands applies the configuration's ranges", "[isa]") {
  const auto& tiny = lpu::config_by_name("tiny");
  const auto& base = lpu::config_by_name("base");
  const auto ok = lpu::ErrorCode::none;
  const auto bad = lpu::ErrorCode::illegal_operand;
  auto check = [](const Instr& in, const lpu::Config& c) { return lpu::check_operands(in, c); };

  // Vector registers: tiny has 8, base 16.
  const Instr vrelu8 = make(Op::vrelu, {{Field::rd, 8}, {Field::ra, 0}});
  CHECK(check(vrelu8, tiny) == bad);
  CHECK(check(vrelu8, base) == ok);
  CHECK(check(make(Op::vrelu, {{Field::rd, 7}, {Field::ra, 7}}), tiny) == ok);
  CHECK(check(make(Op::vrelu, {{Field::rd, 0}, {Field::ra, 9}}), tiny) == bad);
  CHECK(check(make(Op::vst, {{Field::rd, 8}}), tiny) == bad);  // vs sits in rd
  // Scalar registers are not configuration-dependent: r15 everywhere.
  CHECK(check(make(Op::add, {{Field::rd, 15}, {Field::ra, 15}, {Field::rb, 15}}), tiny) == ok);
  // Banks.
  CHECK(check(make(Op::vld, {{Field::bank, 2}}), tiny) == bad);
  CHECK(check(make(Op::vld, {{Field::bank, 1}}), tiny) == ok);
  CHECK(check(make(Op::vld, {{Field::bank, 7}}), base) == ok);
  CHECK(check(make(Op::vld, {{Field::bank, 8}}), base) == bad);
  CHECK(check(make(Op::vtr, {{Field::rd, 2}, {Field::bank, 0}}), tiny) ==
        bad);  // destination bank in rd
  CHECK(check(make(Op::vtr, {{Field::rd, 1}, {Field::bank, 1}}), tiny) == ok);
  // Lanes, slices, buffers, links.
  CHECK(check(make(Op::vext, {{Field::sh, 4}}), tiny) == bad);
  CHECK(check(make(Op::vext, {{Field::sh, 15}}), base) == ok);
  CHECK(check(make(Op::vbcast, {{Field::sh, 16}}), base) == bad);
  CHECK(check(make(Op::vgather, {{Field::sh, 3}, {Field::rb, 7}}), tiny) == ok);
  CHECK(check(make(Op::vgather, {{Field::sh, 3}, {Field::rb, 8}}), tiny) == bad);
  CHECK(check(make(Op::vstb, {{Field::sh, 3}}), base) == ok);
  CHECK(check(make(Op::vstb, {{Field::sh, 4}}), base) == bad);
  CHECK(check(make(Op::mlw, {{Field::sh, 1}}), base) == ok);
  CHECK(check(make(Op::mlw, {{Field::sh, 2}}), base) == bad);
  CHECK(check(make(Op::mma, {{Field::sh, 2}}), base) == bad);
  CHECK(check(make(Op::send, {{Field::sh, 2}}), tiny) == bad);
  CHECK(check(make(Op::send, {{Field::sh, 1}}), base) == ok);
  CHECK(check(make(Op::recv, {{Field::sh, 2}}), base) == bad);
  // Loops need a body.
  CHECK(check(make(Op::loopi, {{Field::count, 3}, {Field::len, 0}}), base) == bad);
  CHECK(check(make(Op::loop, {{Field::ra, 3}, {Field::len, 1}}), base) == ok);
  // Operand B: the unused half must be zero, bmode 3 is reserved.
  CHECK(check(make(Op::vadd, {{Field::bmode, 3}}), base) == bad);
  CHECK(check(make(Op::vadd, {{Field::bmode, 0}, {Field::imm16, 1}}), base) == bad);
  CHECK(check(make(Op::vadd, {{Field::bmode, 1}, {Field::imm16, 1}}), base) == bad);
  CHECK(check(make(Op::vadd, {{Field::bmode, 2}, {Field::rb, 1}}), base) == bad);
  CHECK(check(make(Op::vadd, {{Field::bmode, 2}, {Field::imm16, -7}}), base) == ok);
  CHECK(check(make(Op::vadd, {{Field::bmode, 1}, {Field::rb, 15}}), tiny) == ok);   // scalar rb
  CHECK(check(make(Op::vadd, {{Field::bmode, 0}, {Field::rb, 15}}), tiny) == bad);  // vector rb
  CHECK(check(make(Op::vmov, {{Field::rd, 1}, {Field::bmode, 0}, {Field::rb, 2}}), tiny) == ok);
  // Unknown opcode.
  Instr unk;
  unk.op = static_cast<Op>(0x07);
  CHECK(check(unk, base) == lpu::ErrorCode::illegal_opcode);
}
