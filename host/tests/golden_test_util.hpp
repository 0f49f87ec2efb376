// Helpers for the golden-model tests: build instruction words with lpu::encode and run small
// programs. Expected values in the tests are worked out by hand or by plain loops in the
// tests, never taken from the model.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/golden.hpp"
#include "lpu/error.hpp"
#include "lpu/isa.hpp"

namespace lpu::test {

using F = Field;

// One instruction: I(Op::addi, {{F::rd, 1}, {F::ra, 1}, {F::imm32, 5}}).
inline std::uint64_t I(Op op, std::initializer_list<std::pair<Field, std::int64_t>> fields = {}) {
  Instr in;
  in.op = op;
  for (const auto& f : fields) in.set(f.first, f.second);
  return encode(in);
}

// Common shapes.
inline std::uint64_t halt() { return I(Op::halt); }
inline std::uint64_t nop(unsigned cycles = 1) { return I(Op::nop, {{F::count, cycles - 1}}); }
inline std::uint64_t barrier() { return I(Op::barrier); }
inline std::uint64_t li(unsigned rd, std::int64_t v) { return I(Op::li, {{F::rd, rd}, {F::imm32, v}}); }
inline std::uint64_t addi(unsigned rd, unsigned ra, std::int64_t v) {
  return I(Op::addi, {{F::rd, rd}, {F::ra, ra}, {F::imm32, v}});
}
inline std::uint64_t loopi(unsigned n, unsigned len) { return I(Op::loopi, {{F::count, n}, {F::len, len}}); }
inline std::uint64_t vext(unsigned rd, unsigned va, unsigned lane) {
  return I(Op::vext, {{F::rd, rd}, {F::ra, va}, {F::sh, lane}});
}
// vmov vd, #imm (bmode 2)
inline std::uint64_t vmovi(unsigned vd, std::int64_t imm) {
  return I(Op::vmov, {{F::rd, vd}, {F::bmode, 2}, {F::imm16, imm}});
}
// Binary vector op with a vector operand B.
inline std::uint64_t vop(Op op, unsigned vd, unsigned va, unsigned vb) {
  return I(op, {{F::rd, vd}, {F::ra, va}, {F::rb, vb}, {F::bmode, 0}});
}
inline std::uint64_t vld(unsigned vd, unsigned bank, unsigned ra, std::int64_t imm = 0, std::int64_t inc = 0) {
  return I(Op::vld, {{F::rd, vd}, {F::bank, bank}, {F::ra, ra}, {F::imm16, imm}, {F::stride, inc}});
}
inline std::uint64_t vst(unsigned vs, unsigned bank, unsigned ra, std::int64_t imm = 0, std::int64_t inc = 0) {
  return I(Op::vst, {{F::rd, vs}, {F::bank, bank}, {F::ra, ra}, {F::imm16, imm}, {F::stride, inc}});
}
inline std::uint64_t vlda(unsigned vd, unsigned ra, std::int64_t imm = 0, std::int64_t inc = 0) {
  return I(Op::vlda, {{F::rd, vd}, {F::ra, ra}, {F::imm16, imm}, {F::stride, inc}});
}
inline std::uint64_t mlw(unsigned bank, unsigned ra, unsigned buf = 0, std::int64_t stride = 1) {
  return I(Op::mlw, {{F::bank, bank}, {F::ra, ra}, {F::sh, buf}, {F::stride, stride}});
}
inline std::uint64_t mm(unsigned bank, unsigned ra, unsigned rb, unsigned count, unsigned buf = 0,
                        std::int64_t stride = 1, std::int64_t dstride = 1, bool accumulate = false) {
  return I(accumulate ? Op::mma : Op::mm, {{F::bank, bank},
                                           {F::ra, ra},
                                           {F::rb, rb},
                                           {F::count, count},
                                           {F::sh, buf},
                                           {F::stride, stride},
                                           {F::dstride, dstride}});
}
inline std::uint64_t mma(unsigned bank, unsigned ra, unsigned rb, unsigned count, unsigned buf = 0,
                         std::int64_t stride = 1, std::int64_t dstride = 1) {
  return mm(bank, ra, rb, count, buf, stride, dstride, true);
}
inline std::uint64_t vtr(unsigned dbank, unsigned rb, unsigned sbank, unsigned ra) {
  return I(Op::vtr, {{F::rd, dbank}, {F::rb, rb}, {F::bank, sbank}, {F::ra, ra}});
}
inline std::uint64_t lutld(unsigned bank, unsigned ra, unsigned count, std::int64_t offset) {
  return I(Op::lutld, {{F::bank, bank}, {F::ra, ra}, {F::count, count}, {F::hi16, offset}});
}

inline const Config& base() { return config_by_name("base"); }
inline const Config& tiny() { return config_by_name("tiny"); }

// Writes `rows` SRAM words (row-major bytes, lanes each) from (bank, addr).
inline void put_words(GoldenModel& m, unsigned bank, unsigned addr, const std::vector<std::int8_t>& bytes) {
  m.write_mem(Space::sram, bank, addr, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}
inline std::vector<std::int8_t> get_words(const GoldenModel& m, unsigned bank, unsigned addr, std::size_t nbytes) {
  const auto b = m.read_mem(Space::sram, bank, addr, nbytes);
  return std::vector<std::int8_t>(b.begin(), b.end());
}
inline std::vector<std::int32_t> get_acc(const GoldenModel& m, unsigned entry, unsigned n) {
  const unsigned L = m.config().lanes;
  const auto b = m.read_mem(Space::acc, 0, entry, static_cast<std::size_t>(n) * L * 4);
  std::vector<std::int32_t> out(static_cast<std::size_t>(n) * L);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::int32_t>(static_cast<std::uint32_t>(b[4 * i]) | (static_cast<std::uint32_t>(b[4 * i + 1]) << 8) |
                                       (static_cast<std::uint32_t>(b[4 * i + 2]) << 16) |
                                       (static_cast<std::uint32_t>(b[4 * i + 3]) << 24));
  }
  return out;
}

// Deterministic pseudo-random numbers (xorshift), independent of the model.
struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  std::int32_t i32() { return static_cast<std::int32_t>(static_cast<std::uint32_t>(next() >> 11)); }
  std::int8_t i8() { return static_cast<std::int8_t>(next() >> 33); }
  std::int32_t range(std::int32_t lo, std::int32_t hi) {
    return lo + static_cast<std::int32_t>((next() >> 20) % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

inline std::uint64_t counter(const RunResult& r, gen::Counter c) { return r.counter(c); }

}  // namespace lpu::test
