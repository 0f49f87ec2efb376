// Golden model: every error code with its cycle and pc, bank-port conflicts, and the error
// semantics (docs/isa.md "Errors": erroring accesses suppressed, the rest of the cycle
// completes, nothing after; lowest code wins; cycles = c + 1).
#include <catch2/catch.hpp>

#include "golden_test_util.hpp"

using namespace lpu;
using namespace lpu::test;
using C = gen::Counter;

namespace {

RunResult run(GoldenModel& m, const std::vector<std::uint64_t>& code) {
  m.load_code(code);
  return m.run(1u << 20);
}

void check_error(const RunResult& r, ErrorCode code, std::uint32_t pc, std::uint64_t cycle) {
  INFO("got " << error_name(r.error) << " pc " << r.error_pc << " cycle " << r.error_cycle);
  CHECK(r.error == code);
  CHECK(r.error_pc == pc);
  CHECK(r.error_cycle == cycle);
  CHECK(r.cycles == cycle + 1);
  CHECK(r.counter(C::cycles) == cycle + 1);
}

}  // namespace

TEST_CASE("golden errors: illegal_opcode", "[golden]") {
  GoldenModel m(base());
  const auto r = run(m, {0xFFull << 56, halt()});
  check_error(r, ErrorCode::illegal_opcode, 0, 0);
  CHECK(r.counter(C::instrs) == 0);
  CHECK(r.counter(C::stall_cycles) == 0);
}

TEST_CASE("golden errors: illegal_operand", "[golden]") {
  GoldenModel m(base());
  // A nonzero unused bit.
  check_error(run(m, {li(1, 1), halt() | 1}), ErrorCode::illegal_operand, 1, 1);
  // buf = 2.
  check_error(run(m, {mlw(0, 0, 2)}), ErrorCode::illegal_operand, 0, 0);
  // loop len 0.
  check_error(run(m, {nop(2), I(Op::loopi, {{F::count, 3}, {F::len, 0}})}), ErrorCode::illegal_operand, 1, 2);
  // tiny has 8 vector registers and 2 banks.
  GoldenModel t(tiny());
  check_error(run(t, {vmovi(8, 1)}), ErrorCode::illegal_operand, 0, 0);
  check_error(run(t, {li(1, 0), vld(0, 2, 1)}), ErrorCode::illegal_operand, 1, 1);
  // The instruction before the bad one completed.
  CHECK(t.sreg(1) == 0);
}

TEST_CASE("golden errors: pc_overrun", "[golden]") {
  GoldenModel m(base());
  auto r = run(m, {li(1, 1)});
  check_error(r, ErrorCode::pc_overrun, 1, 1);
  CHECK(r.counter(C::instrs) == 1);
  CHECK(m.sreg(1) == 1);
  // After a 3-cycle nop.
  r = run(m, {nop(3)});
  check_error(r, ErrorCode::pc_overrun, 1, 3);
  CHECK(r.counter(C::stall_cycles) == 2);
  // Empty program.
  check_error(run(m, {}), ErrorCode::pc_overrun, 0, 0);
  // A loop body running past the end: loopi @0, li @1, pc 2 does not exist.
  check_error(run(m, {loopi(2, 3), li(1, 1)}), ErrorCode::pc_overrun, 2, 2);
}

TEST_CASE("golden errors: loop_depth", "[golden]") {
  GoldenModel m(base());
  // Five nested loops on a 4-deep stack: the fifth push (pc 4, cycle 4) fails.
  check_error(run(m, {loopi(1, 6), loopi(1, 5), loopi(1, 4), loopi(1, 3), loopi(1, 2), nop(), nop(), halt()}),
              ErrorCode::loop_depth, 4, 4);
  // A fifth loop with 0 trips pushes nothing: fine. All four loops end at pc 5 (the skipped
  // body) and pop in one cycle; halt at 5.
  const auto r = run(m, {loopi(1, 5), loopi(1, 4), loopi(1, 3), loopi(1, 2), loopi(0, 1), nop(), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 6);
}

TEST_CASE("golden errors: sram_addr on vector accesses", "[golden]") {
  GoldenModel m(base());
  // Out of range above (base: 2048 words per bank); the post-increment of the failing vld
  // still happens.
  auto r = run(m, {li(1, 2048), vld(0, 0, 1, 0, 1), halt()});
  check_error(r, ErrorCode::sram_addr, 1, 1);
  CHECK(m.sreg(1) == 2049);
  CHECK(r.counter(C::instrs) == 2);  // it issued; its access failed
  CHECK(r.counter(C::sram_reads) == 0);
  // Negative.
  check_error(run(m, {li(1, -1), vst(0, 3, 1), halt()}), ErrorCode::sram_addr, 1, 1);
  check_error(run(m, {vld(0, 3, 0, -1), halt()}), ErrorCode::sram_addr, 0, 0);
  // tiny: 16384 words per bank.
  GoldenModel t(tiny());
  check_error(run(t, {vld(0, 1, 0, 16383), li(1, 16384), vld(0, 1, 1), halt()}), ErrorCode::sram_addr, 2, 2);
}

TEST_CASE("golden errors: vgather addresses wrap at 32 bits", "[golden]") {
  GoldenModel m(base());
  std::vector<std::uint8_t> idx(16 * 4, 0);
  // ACC[0] lane 0 = 0x7fffffff, lane 1 = 2024
  idx[0] = 0xff; idx[1] = 0xff; idx[2] = 0xff; idx[3] = 0x7f;
  idx[4] = 0xe8; idx[5] = 0x07;
  m.write_mem(Space::acc, 0, 0, idx);
  std::vector<std::int8_t> w(16, 42);
  put_words(m, 4, 0, w);
  // r1 = 0x7fffffff; address = r1 + 2 + v1[0] = 2^32 -> 0 (mod 2^32): valid, reads word 0.
  auto r = run(m, {li(1, 0x7fffffff), vlda(1, 0), nop(3),
                   I(Op::vgather, {{F::rd, 2}, {F::bank, 4}, {F::ra, 1}, {F::imm16, 2}, {F::rb, 1}, {F::sh, 0}}),
                   halt()});
  REQUIRE(r.ok());
  CHECK(m.vreg(2, 5) == 42);
  // Lane 1 as index: 2024 + 24 = 2048 is out of range.
  r = run(m, {vlda(1, 0), nop(3),
              I(Op::vgather, {{F::rd, 2}, {F::bank, 4}, {F::ra, 0}, {F::imm16, 24}, {F::rb, 1}, {F::sh, 1}}), halt()});
  check_error(r, ErrorCode::sram_addr, 2, 4);
}

TEST_CASE("golden errors: sram_addr in a stream stops at that row", "[golden]") {
  GoldenModel m(base());
  // li @0; mm @1 reads rows 2046 @2, 2047 @3, 2048 @4 (error); the two good rows were read,
  // their ACC writes (due at 37, 38) never happen.
  const auto r = run(m, {li(1, 2046), mm(0, 1, 0, 3), halt()});
  check_error(r, ErrorCode::sram_addr, 1, 4);
  CHECK(r.counter(C::mxu_busy) == 2);
  CHECK(r.counter(C::acc_writes) == 0);
  CHECK(r.counter(C::stall_cycles) == 2);  // halt @2 held 3 and 4
  // li @0; mlw @1 with stride 100 reads rows 948, 1048, ..., 1948 @2..12; row 11 (2048) @13
  // fails.
  const auto r2 = run(m, {li(1, 948), mlw(2, 1, 0, 100), halt()});
  check_error(r2, ErrorCode::sram_addr, 1, 13);
  CHECK(r2.counter(C::mxu_wload) == 11);
}

TEST_CASE("golden errors: acc_addr", "[golden]") {
  GoldenModel m(base());
  std::vector<std::int8_t> wt(16 * 16, 0), x(3 * 16);
  for (unsigned k = 0; k < 16; ++k) wt[k * 16 + k] = 1;
  for (unsigned i = 0; i < x.size(); ++i) x[i] = static_cast<std::int8_t>(i);
  put_words(m, 1, 0, wt);
  put_words(m, 0, 0, x);
  m.write_mem(Space::acc, 0, 510, std::vector<std::uint8_t>(2 * 16 * 4, 0x55));
  // mlw @0, nop 16 @1..16, li @17, mm @18 rows @19..21 written at the end of 54, 55, 56:
  // entries 510, 511 fine, 512 raises acc_addr at 56.
  const auto r = run(m, {mlw(1, 0, 0), nop(16), li(2, 510), mm(0, 0, 2, 3), halt()});
  check_error(r, ErrorCode::acc_addr, 3, 56);
  CHECK(r.counter(C::acc_writes) == 2);
  const auto acc = get_acc(m, 510, 2);
  for (unsigned i = 0; i < 32; ++i) CHECK(acc[i] == static_cast<std::int32_t>(i));
  // vlda out of range; its post-increment still happens.
  const auto r2 = run(m, {li(1, 512), vlda(0, 1, 0, 2), halt()});
  check_error(r2, ErrorCode::acc_addr, 1, 1);
  CHECK(m.sreg(1) == 514);
  check_error(run(m, {vlda(0, 0, -1), halt()}), ErrorCode::acc_addr, 0, 0);
}

TEST_CASE("golden errors: lut_addr", "[golden]") {
  GoldenModel m(base());
  std::vector<std::int8_t> w(2 * 16);
  for (unsigned i = 0; i < w.size(); ++i) w[i] = static_cast<std::int8_t>(i + 1);
  put_words(m, 0, 0, w);
  // lutld @1 (base: 2 cycles per word): word 0 @2 -> entries 1016..1023 (fine), word 1 @4
  // -> 1024.. (error).
  auto r = run(m, {li(1, 0), lutld(0, 1, 2, 1016), halt()});
  check_error(r, ErrorCode::lut_addr, 1, 4);
  const auto lut = m.read_mem(Space::lut, 0, 1016, 16);
  for (unsigned i = 0; i < 16; ++i) CHECK(static_cast<std::int8_t>(lut[i]) == w[i]);
  // A word with any entry out of range writes none of them.
  GoldenModel m2(base());
  put_words(m2, 0, 0, w);
  r = run(m2, {lutld(0, 0, 1, -1), halt()});
  check_error(r, ErrorCode::lut_addr, 0, 1);
  const auto lut2 = m2.read_mem(Space::lut, 0, 0, 16);
  for (auto b : lut2) CHECK(b == 0);
}

TEST_CASE("golden errors: bank conflicts", "[golden]") {
  SECTION("two reads of one bank (dual-ported base)") {
    GoldenModel m(base());
    // mm @1 reads bank 0 in 2..9; vld of bank 0 @2 conflicts: both reads suppressed, the
    // issuing vld is charged.
    const auto r = run(m, {li(1, 0), mm(0, 1, 0, 8), vld(0, 0, 0, 100), halt()});
    check_error(r, ErrorCode::bank_conflict, 2, 2);
    CHECK(r.counter(C::mxu_busy) == 0);
    CHECK(r.counter(C::sram_reads) == 0);
    // Another bank is fine.
    CHECK(run(m, {li(1, 0), mm(0, 1, 0, 8), vld(0, 1, 0, 100), halt()}).ok());
  }
  SECTION("a read and a write of one bank: fine on base, a conflict on tiny") {
    GoldenModel m(base());
    put_words(m, 0, 100, std::vector<std::int8_t>(16, 9));
    auto r = run(m, {li(1, 0), mm(0, 1, 0, 8), vst(0, 0, 0, 100), halt()});
    REQUIRE(r.ok());
    CHECK(get_words(m, 0, 100, 16) == std::vector<std::int8_t>(16, 0));
    GoldenModel t(tiny());
    r = run(t, {li(1, 0), mm(0, 1, 0, 8), vst(0, 0, 0, 100), halt()});
    check_error(r, ErrorCode::bank_conflict, 2, 2);
    CHECK(r.counter(C::sram_writes) == 0);
  }
  SECTION("two writes of one bank") {
    GoldenModel m(base());
    put_words(m, 3, 100, std::vector<std::int8_t>(16, 9));
    // vtr @2 writes bank 3 row 0 at the end of 20; vst to bank 3 @20 conflicts.
    const auto r = run(m, {li(1, 0), li(2, 100), vtr(3, 2, 2, 1), nop(17), vst(0, 3, 0, 500), halt()});
    check_error(r, ErrorCode::bank_conflict, 4, 20);
    CHECK(get_words(m, 3, 100, 16) == std::vector<std::int8_t>(16, 9));
    CHECK(r.counter(C::sram_writes) == 0);
  }
  SECTION("an out-of-range request takes no port") {
    GoldenModel m(base());
    // mm reads bank 0 @2; the vld of bank 0 @2 is out of range: only sram_addr, the mm row
    // completes.
    const auto r = run(m, {li(1, 4000), mm(0, 0, 0, 8), vld(0, 0, 1), halt()});
    check_error(r, ErrorCode::sram_addr, 2, 2);
    CHECK(r.counter(C::mxu_busy) == 1);
    CHECK(r.counter(C::sram_reads) == 1);
  }
  SECTION("streams conflicting with each other") {
    GoldenModel m(base());
    // mlw @0 reads bank 1 @1..16; mm @1 reads bank 1 @2..: conflict at 2, charged to the mm
    // (activation port before weight port).
    const auto r = run(m, {mlw(1, 0, 0), mm(1, 0, 0, 4, 1), halt()});
    check_error(r, ErrorCode::bank_conflict, 1, 2);
    CHECK(r.counter(C::mxu_wload) == 1);
  }
}

TEST_CASE("golden errors: the rest of the error cycle completes, nothing after", "[golden]") {
  GoldenModel m(base());
  put_words(m, 1, 7, std::vector<std::int8_t>(16, 5));
  // li @0; vmov v3 @1 (lands at the end of 4); mm @2 rows 2047 @3, 2048 @4 -> sram_addr at 4;
  // vmov v2 @3 (would land at 6: never); vst of v0 (zeros) to bank 1 word 7 @4 completes.
  const auto r = run(m, {li(1, 2047), vmovi(3, 4), mm(0, 1, 0, 2), vmovi(2, 9), vst(0, 1, 0, 7), halt()});
  check_error(r, ErrorCode::sram_addr, 2, 4);
  CHECK(m.vreg(3, 0) == 4);
  CHECK(m.vreg(2, 0) == 0);
  CHECK(get_words(m, 1, 7, 16) == std::vector<std::int8_t>(16, 0));
  CHECK(r.counter(C::instrs) == 5);
  CHECK(r.counter(C::sram_writes) == 1);
}

TEST_CASE("golden errors: the lowest code of the cycle is reported", "[golden]") {
  GoldenModel m(base());
  // mm row 2048 @3 raises sram_addr (5); the word issuing @3 is an illegal opcode (1).
  const auto r = run(m, {li(1, 2047), mm(0, 1, 0, 2), nop(), 0xFEull << 56, halt()});
  check_error(r, ErrorCode::illegal_opcode, 3, 3);
  // Without it, the sram_addr of the stream.
  const auto r2 = run(m, {li(1, 2047), mm(0, 1, 0, 2), nop(), nop(), halt()});
  check_error(r2, ErrorCode::sram_addr, 1, 3);
}
