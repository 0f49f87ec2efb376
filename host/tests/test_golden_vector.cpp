// Golden model: per-instruction semantics of the vector pipeline, the switch-unit lane
// operations, loads/stores and the scalar unit, against references written here from
// docs/isa.md "Arithmetic details" (128-bit products, floor divisions: not the model's code).
#include <catch2/catch.hpp>

#include <cmath>

#include "golden_test_util.hpp"

using namespace lpu;
using namespace lpu::test;

namespace {

std::vector<std::uint8_t> acc_bytes(const std::vector<std::int32_t>& v) {
  std::vector<std::uint8_t> b;
  for (auto x : v) {
    const auto u = static_cast<std::uint32_t>(x);
    for (unsigned s = 0; s < 32; s += 8) b.push_back(static_cast<std::uint8_t>(u >> s));
  }
  return b;
}

// Random int32 lanes with the edge values mixed in.
std::vector<std::int32_t> rand_vec(Rng& rng, unsigned L, int kind) {
  static const std::int32_t edges[] = {0, 1, -1, INT32_MAX, INT32_MIN, 127, -128, 128, -129, 255, 31, 32, 33, -32};
  std::vector<std::int32_t> v(L);
  for (unsigned l = 0; l < L; ++l) {
    const auto pick = rng.next() % 4;
    if (kind == 0 && pick == 0) {
      v[l] = edges[rng.next() % (sizeof(edges) / sizeof(edges[0]))];
    } else if (pick == 1) {
      v[l] = rng.range(-300, 300);
    } else {
      v[l] = rng.i32();
    }
  }
  return v;
}

std::int64_t floor_div_pow2(__int128 p, unsigned sh) {
  const __int128 d = static_cast<__int128>(1) << sh;
  __int128 q = p / d;
  if ((p % d) != 0 && p < 0) q -= 1;
  return static_cast<std::int64_t>(q);
}

std::int64_t ref_round_shift(std::int64_t p, unsigned sh) {
  if (sh == 0) return p;
  return floor_div_pow2(static_cast<__int128>(p) + (static_cast<__int128>(1) << (sh - 1)), sh);
}

std::int32_t ref_binop(Op op, std::int32_t a, std::int32_t b, unsigned sh) {
  const auto ua = static_cast<std::uint32_t>(a), ub = static_cast<std::uint32_t>(b);
  const unsigned s = ub % 32;
  switch (op) {
    case Op::vadd: return static_cast<std::int32_t>(ua + ub);
    case Op::vsub: return static_cast<std::int32_t>(ua - ub);
    case Op::vmul: return static_cast<std::int32_t>(ua * ub);
    case Op::vmin: return a < b ? a : b;
    case Op::vmax: return a > b ? a : b;
    case Op::vand: return static_cast<std::int32_t>(ua & ub);
    case Op::vor: return static_cast<std::int32_t>(ua | ub);
    case Op::vxor: return static_cast<std::int32_t>(ua ^ ub);
    case Op::vshl: return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(ua) << s));
    case Op::vsra: return static_cast<std::int32_t>(std::floor(static_cast<double>(a) / std::ldexp(1.0, static_cast<int>(s))));
    case Op::vsrl: return static_cast<std::int32_t>(ua / (std::uint64_t{1} << s));
    case Op::vceq: return a == b;
    case Op::vclt: return a < b;
    case Op::vmulsh: {
      const std::int64_t r = ref_round_shift(static_cast<std::int64_t>(a) * b, sh);
      return static_cast<std::int32_t>(std::max<std::int64_t>(INT32_MIN, std::min<std::int64_t>(INT32_MAX, r)));
    }
    case Op::vrq: {
      const std::int64_t r = ref_round_shift(static_cast<std::int64_t>(a) * b, sh);
      return static_cast<std::int32_t>(std::max<std::int64_t>(-128, std::min<std::int64_t>(127, r)));
    }
    default: FAIL("no reference for op"); return 0;
  }
}

// Loads a (ACC 0) into v1, b (ACC 1) into v2, s into r5, runs `op_word` (result in v3) and
// returns v3.
std::vector<std::int32_t> run_op(GoldenModel& m, const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b,
                                 std::int32_t s, std::uint64_t op_word) {
  auto bytes = acc_bytes(a);
  const auto bb = acc_bytes(b);
  bytes.insert(bytes.end(), bb.begin(), bb.end());
  m.write_mem(Space::acc, 0, 0, bytes);
  // vlda @0, @1 (lands at the end of 4), li @2, nop 2 @3..4, op @5, halt drains.
  m.load_code({vlda(1, 0, 0), vlda(2, 0, 1), li(5, s), nop(2), op_word, halt()});
  const auto r = m.run();
  REQUIRE(r.ok());
  std::vector<std::int32_t> out(m.config().lanes);
  for (unsigned l = 0; l < out.size(); ++l) out[l] = m.vreg(3, l);
  return out;
}

}  // namespace

TEST_CASE("golden vector: binary operations, all operand-B modes", "[golden]") {
  const Op ops[] = {Op::vadd, Op::vsub, Op::vmul, Op::vmin, Op::vmax, Op::vand, Op::vor, Op::vxor, Op::vshl,
                    Op::vsra, Op::vsrl, Op::vceq, Op::vclt, Op::vmulsh, Op::vrq};
  const unsigned shs[] = {0, 1, 7, 16, 31, 32, 47, 63};
  for (const auto* cfgp : {&base(), &tiny()}) {
    GoldenModel m(*cfgp);
    const unsigned L = cfgp->lanes;
    Rng rng(7);
    for (const Op op : ops) {
      const bool has_sh = op == Op::vmulsh || op == Op::vrq;
      for (int trial = 0; trial < 12; ++trial) {
        const auto a = rand_vec(rng, L, trial % 3);
        auto b = rand_vec(rng, L, (trial + 1) % 3);
        if (trial == 0) b = a;  // equal operands for vceq
        const unsigned sh = has_sh ? shs[trial % 8] : 0;
        const std::int32_t s = trial % 2 ? rng.i32() : rng.range(-40, 40);
        const std::int32_t imm = rng.range(-32768, 32767);
        for (unsigned mode = 0; mode < 3; ++mode) {
          const std::uint64_t w = I(op, {{F::rd, 3},
                                         {F::ra, 1},
                                         {F::rb, mode == 0 ? 2 : (mode == 1 ? 5 : 0)},
                                         {F::bmode, mode},
                                         {F::imm16, mode == 2 ? imm : 0},
                                         {F::sh, sh}});
          const auto got = run_op(m, a, b, s, w);
          for (unsigned l = 0; l < L; ++l) {
            const std::int32_t bv = mode == 0 ? b[l] : (mode == 1 ? s : imm);
            INFO(find_instr(op)->name << " mode " << mode << " sh " << sh << " a " << a[l] << " b " << bv);
            REQUIRE(got[l] == ref_binop(op, a[l], bv, sh));
          }
        }
      }
    }
  }
}

TEST_CASE("golden vector: round_shift rounds half up without overflow", "[golden]") {
  GoldenModel m(base());
  const unsigned L = 16;
  // Hand-worked: 5*1 >> 1 = 2.5 -> 3; -5 >> 1 = -2.5 -> -2; 3 >> 1 = 1.5 -> 2; -3 -> -1;
  // (-2^31)*(-2^31) = 2^62, sh 63 -> 0.5 -> 1; INT32_MIN*INT32_MAX sh 62 -> -0.99.. -> -1.
  std::vector<std::int32_t> a(L, 0), b(L, 1);
  a[0] = 5; a[1] = -5; a[2] = 3; a[3] = -3;
  auto got = run_op(m, a, b, 0, I(Op::vmulsh, {{F::rd, 3}, {F::ra, 1}, {F::rb, 2}, {F::sh, 1}}));
  CHECK(got[0] == 3);
  CHECK(got[1] == -2);
  CHECK(got[2] == 2);
  CHECK(got[3] == -1);
  a[0] = INT32_MIN; b[0] = INT32_MIN;
  a[1] = INT32_MIN; b[1] = INT32_MAX;
  got = run_op(m, a, b, 0, I(Op::vmulsh, {{F::rd, 3}, {F::ra, 1}, {F::rb, 2}, {F::sh, 63}}));
  CHECK(got[0] == 1);
  CHECK(got[1] == 0);  // -(2^62 - 2^31) / 2^63 + 0.5 -> floor(0.49..) = 0
  got = run_op(m, a, b, 0, I(Op::vmulsh, {{F::rd, 3}, {F::ra, 1}, {F::rb, 2}, {F::sh, 0}}));
  CHECK(got[0] == INT32_MAX);  // 2^62 saturates
  CHECK(got[1] == INT32_MIN);
  // vrq: 1000 * 3 >> 4 = 187.5 -> 188 -> 127; -1000*3 >> 4 = -187.5 -> -187 -> -128; 40*3>>4 = 7.5 -> 8
  std::vector<std::int32_t> c(L, 0);
  c[0] = 1000; c[1] = -1000; c[2] = 40;
  got = run_op(m, c, c, 3, I(Op::vrq, {{F::rd, 3}, {F::ra, 1}, {F::rb, 5}, {F::bmode, 1}, {F::sh, 4}}));
  CHECK(got[0] == 127);
  CHECK(got[1] == -128);
  CHECK(got[2] == 8);
}

TEST_CASE("golden vector: unary and lane operations", "[golden]") {
  for (const auto* cfgp : {&base(), &tiny()}) {
    GoldenModel m(*cfgp);
    const unsigned L = cfgp->lanes;
    Rng rng(11);
    const auto a = rand_vec(rng, L, 0);
    const auto b = rand_vec(rng, L, 1);
    auto un = [&](Op op, std::initializer_list<std::pair<Field, std::int64_t>> extra) {
      Instr in;
      in.op = op;
      in.set(F::rd, 3);
      for (const auto& f : extra) in.set(f.first, f.second);
      return run_op(m, a, b, 77, encode(in));
    };
    auto got = un(Op::vrelu, {{F::ra, 1}});
    for (unsigned l = 0; l < L; ++l) CHECK(got[l] == (a[l] > 0 ? a[l] : 0));
    got = un(Op::vclamp, {{F::ra, 1}, {F::imm16, -100}, {F::hi16, 50}});
    for (unsigned l = 0; l < L; ++l) CHECK(got[l] == (a[l] < -100 ? -100 : (a[l] > 50 ? 50 : a[l])));
    got = un(Op::vclamp, {{F::ra, 1}, {F::imm16, 10}, {F::hi16, -10}});  // lo > hi: hi wins
    for (unsigned l = 0; l < L; ++l) CHECK(got[l] == -10);
    got = un(Op::vmov, {{F::rb, 2}, {F::bmode, 0}});
    CHECK(got == b);
    got = un(Op::vmov, {{F::rb, 5}, {F::bmode, 1}});
    CHECK(got == std::vector<std::int32_t>(L, 77));
    got = un(Op::vmov, {{F::bmode, 2}, {F::imm16, -32768}});
    CHECK(got == std::vector<std::int32_t>(L, -32768));
    std::int64_t sum = 0;
    std::int32_t mx = a[0], mn = a[0];
    for (auto x : a) {
      sum += x;
      mx = std::max(mx, x);
      mn = std::min(mn, x);
    }
    got = un(Op::vredsum, {{F::ra, 1}});
    CHECK(got == std::vector<std::int32_t>(L, static_cast<std::int32_t>(static_cast<std::uint32_t>(sum))));
    got = un(Op::vredmax, {{F::ra, 1}});
    CHECK(got == std::vector<std::int32_t>(L, mx));
    got = un(Op::vredmin, {{F::ra, 1}});
    CHECK(got == std::vector<std::int32_t>(L, mn));
    got = un(Op::vlid, {});
    for (unsigned l = 0; l < L; ++l) CHECK(got[l] == static_cast<std::int32_t>(l));
    for (const std::int64_t r : {-17, -1, 0, 1, 3, 16, 33, 32767, -32768}) {
      got = un(Op::vrot, {{F::ra, 1}, {F::imm16, r}});
      const std::int64_t n = L;
      for (unsigned l = 0; l < L; ++l) {
        std::int64_t src = (static_cast<std::int64_t>(l) + r) % n;
        if (src < 0) src += n;
        CHECK(got[l] == a[static_cast<std::size_t>(src)]);
      }
    }
    for (const std::int64_t s : {-16, -3, -1, 0, 2, 3, 15, 16, 100}) {
      got = un(Op::vshift, {{F::ra, 1}, {F::imm16, s}});
      for (unsigned l = 0; l < L; ++l) {
        const std::int64_t src = static_cast<std::int64_t>(l) + s;
        CHECK(got[l] == (src >= 0 && src < static_cast<std::int64_t>(L) ? a[static_cast<std::size_t>(src)] : 0));
      }
    }
    got = un(Op::vbcast, {{F::ra, 1}, {F::sh, L - 1}});
    CHECK(got == std::vector<std::int32_t>(L, a[L - 1]));
    // vext reads a lane into a scalar register.
    m.load_code({vlda(1, 0, 0), nop(3), vext(4, 1, L / 2), halt()});
    REQUIRE(m.run().ok());
    CHECK(m.sreg(4) == a[L / 2]);
  }
}

TEST_CASE("golden vector: vlut clamps its index", "[golden]") {
  GoldenModel m(base());
  const unsigned depth = base().lut_depth;
  std::vector<std::uint8_t> lut(depth * 2);
  auto lut_val = [](unsigned i) { return static_cast<std::int16_t>(i * 37 - 20000); };
  for (unsigned i = 0; i < depth; ++i) {
    const auto u = static_cast<std::uint16_t>(lut_val(i));
    lut[2 * i] = static_cast<std::uint8_t>(u);
    lut[2 * i + 1] = static_cast<std::uint8_t>(u >> 8);
  }
  m.write_mem(Space::lut, 0, 0, lut);
  std::vector<std::int32_t> a = {0, 1, -1, 5, 1023, 1024, 2000, INT32_MIN, INT32_MAX, 500, -100, 99, 7, 8, 9, 10};
  for (const std::int64_t off : {0, 100, -100, 32767, -32768}) {
    const auto got = run_op(m, a, a, 0, I(Op::vlut, {{F::rd, 3}, {F::ra, 1}, {F::imm16, off}}));
    for (unsigned l = 0; l < 16; ++l) {
      std::int64_t i = static_cast<std::int64_t>(a[l]) + off;
      i = i < 0 ? 0 : (i > depth - 1 ? depth - 1 : i);
      CHECK(got[l] == lut_val(static_cast<unsigned>(i)));
    }
  }
}

TEST_CASE("golden vector: loads, stores, gather", "[golden]") {
  for (const auto* cfgp : {&base(), &tiny()}) {
    GoldenModel m(*cfgp);
    const unsigned L = cfgp->lanes;
    Rng rng(3);
    std::vector<std::int8_t> words(8 * L);
    for (auto& b : words) b = rng.i8();
    words[1] = -128;
    words[2] = 127;
    words[3] = -1;
    put_words(m, 1, 20, words);
    // vld / vldu of word 20+2; vgather with index vector v4 = lanes of ACC 2.
    std::vector<std::int32_t> idx(L);
    for (unsigned l = 0; l < L; ++l) idx[l] = static_cast<std::int32_t>((l * 3) % 8);
    m.write_mem(Space::acc, 0, 2, acc_bytes(idx));
    const unsigned lane = L - 2;
    m.load_code({li(1, 20), vlda(4, 0, 2), vld(1, 1, 1, 2), I(Op::vldu, {{F::rd, 2}, {F::bank, 1}, {F::ra, 1}, {F::imm16, 0}}),
                 nop(2), I(Op::vgather, {{F::rd, 3}, {F::bank, 1}, {F::ra, 1}, {F::imm16, 1}, {F::rb, 4}, {F::sh, lane}}),
                 halt()});
    REQUIRE(m.run().ok());
    const std::size_t g = static_cast<std::size_t>(1 + idx[lane]);  // word 20 + 1 + idx[lane]
    for (unsigned l = 0; l < L; ++l) {
      CHECK(m.vreg(1, l) == words[2 * L + l]);
      CHECK(m.vreg(2, l) == static_cast<std::int32_t>(static_cast<std::uint8_t>(words[l])));
      CHECK(m.vreg(3, l) == words[g * L + l]);
    }
    // vst saturates; vstb stores byte slices.
    const auto v = rand_vec(rng, L, 0);
    m.write_mem(Space::acc, 0, 0, acc_bytes(v));
    std::vector<std::uint64_t> code = {vlda(1, 0, 0), li(2, 100), nop(2), vst(1, 0, 2, 0, 1)};
    for (unsigned s = 0; s < 4; ++s) {
      code.push_back(I(Op::vstb, {{F::rd, 1}, {F::bank, 0}, {F::ra, 2}, {F::imm16, 0}, {F::stride, 1}, {F::sh, s}}));
    }
    code.push_back(halt());
    m.load_code(code);
    const auto r = m.run();
    REQUIRE(r.ok());
    CHECK(m.sreg(2) == 105);
    CHECK(r.counter(gen::Counter::sram_writes) == 5);
    const auto out = get_words(m, 0, 100, 5 * L);
    for (unsigned l = 0; l < L; ++l) {
      const std::int32_t sat = v[l] < -128 ? -128 : (v[l] > 127 ? 127 : v[l]);
      CHECK(out[l] == sat);
      const auto u = static_cast<std::uint32_t>(v[l]);
      for (unsigned s = 0; s < 4; ++s) {
        CHECK(static_cast<std::uint8_t>(out[(1 + s) * L + l]) == ((u >> (8 * s)) & 0xFF));
      }
    }
  }
}
