// Golden model: issue costs, loops, latencies, drains and busy windows (docs/isa.md
// "Timing model"). Every expected cycle is worked out by hand in the comments; the base
// configuration has vlat 4, mxu_lat 35, mlw_busy 16, mlw_ready 14, wbuf_release 17,
// vtr_busy 16, vtr_wr_start 18.
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

}  // namespace

TEST_CASE("golden: timing constants are the ones these tests assume", "[golden]") {
  const auto& b = base();
  REQUIRE(b.vlat == 4);
  REQUIRE(b.mxu_lat == 35);
  REQUIRE(b.mlw_busy == 16);
  REQUIRE(b.mlw_ready == 14);
  REQUIRE(b.wbuf_release == 17);
  REQUIRE(b.vtr_busy == 16);
  REQUIRE(b.vtr_wr_start == 18);
  REQUIRE(b.lanes == 16);
  REQUIRE(b.loop_depth == 4);
}

TEST_CASE("golden: halt alone takes one cycle", "[golden]") {
  GoldenModel m(base());
  const auto r = run(m, {halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 1);
  CHECK(r.counter(C::cycles) == 1);
  CHECK(r.counter(C::instrs) == 1);
  CHECK(r.counter(C::stall_cycles) == 0);
}

TEST_CASE("golden: nop n holds the slot n cycles", "[golden]") {
  GoldenModel m(base());
  // nop 5 in cycles 0..4, halt in 5.
  const auto r = run(m, {nop(5), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 6);
  CHECK(r.counter(C::instrs) == 2);
  CHECK(r.counter(C::stall_cycles) == 4);
  // nop 1 is a single cycle.
  const auto r1 = run(m, {nop(1), nop(1), halt()});
  CHECK(r1.cycles == 3);
  CHECK(r1.counter(C::stall_cycles) == 0);
}

TEST_CASE("golden: zero-overhead loop", "[golden]") {
  GoldenModel m(base());
  // loopi at 0, body (2 instrs x 3 trips) in 1..6, halt in 7.
  const auto r = run(m, {loopi(3, 2), li(1, 1), addi(2, 2, 1), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 8);
  CHECK(r.counter(C::instrs) == 8);
  CHECK(m.sreg(2) == 3);
}

TEST_CASE("golden: loop count 0 skips the body", "[golden]") {
  GoldenModel m(base());
  // loopi at 0, addi r2 at 1, halt at 2.
  const auto r = run(m, {loopi(0, 2), addi(1, 1, 1), addi(1, 1, 1), addi(2, 2, 1), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 3);
  CHECK(m.sreg(1) == 0);
  CHECK(m.sreg(2) == 1);
}

TEST_CASE("golden: nested loops sharing their last instruction", "[golden]") {
  GoldenModel m(base());
  // 0 outer(2, end 2); per outer trip: inner loopi (1 cycle) + 3 addi; then halt.
  // cycles: 1 + 2 * 4 = 9 issues before halt at cycle 9.
  const auto r = run(m, {loopi(2, 2), loopi(3, 1), addi(1, 1, 1), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 10);
  CHECK(r.counter(C::instrs) == 10);
  CHECK(m.sreg(1) == 6);
}

TEST_CASE("golden: a skipped body that ends an enclosing loop still loops back", "[golden]") {
  GoldenModel m(base());
  // outer body = pc 1..3; pc 2 skips pc 3, which is the outer loop's last instruction.
  // per trip: addi r1, loopi 0 -> 2 cycles; 3 trips in 1..6; halt at 7.
  const auto r = run(m, {loopi(3, 3), addi(1, 1, 1), loopi(0, 1), addi(2, 2, 1), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 8);
  CHECK(m.sreg(1) == 3);
  CHECK(m.sreg(2) == 0);
}

TEST_CASE("golden: loop with a register trip count", "[golden]") {
  GoldenModel m(base());
  // li 0, loop 1, 4 x addi 2..5, halt 6.
  const auto r = run(m, {li(3, 4), I(Op::loop, {{F::ra, 3}, {F::len, 1}}), addi(1, 1, 2), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 7);
  CHECK(m.sreg(1) == 8);
  // A zero register skips.
  GoldenModel m2(base());
  const auto r2 = run(m2, {I(Op::loop, {{F::ra, 3}, {F::len, 1}}), addi(1, 1, 2), halt()});
  CHECK(r2.cycles == 2);
  CHECK(m2.sreg(1) == 0);
}

TEST_CASE("golden: scalar results are visible to the next instruction", "[golden]") {
  GoldenModel m(base());
  const auto r = run(m, {li(1, 7), addi(2, 1, 1), li(0, 5), li(3, 0x7fffffff), addi(3, 3, 1), li(4, 65536),
                         I(Op::mul, {{F::rd, 5}, {F::ra, 4}, {F::rb, 4}}),
                         I(Op::sub, {{F::rd, 6}, {F::ra, 0}, {F::rb, 1}}),
                         I(Op::add, {{F::rd, 7}, {F::ra, 1}, {F::rb, 2}}), halt()});
  REQUIRE(r.ok());
  CHECK(m.sreg(2) == 8);
  CHECK(m.sreg(0) == 0);
  CHECK(m.sreg(3) == INT32_MIN);
  CHECK(m.sreg(5) == 0);  // 2^32 wraps
  CHECK(m.sreg(6) == -7);
  CHECK(m.sreg(7) == 15);
  CHECK(r.cycles == 10);
}

TEST_CASE("golden: vector results land at the end of t + vlat - 1", "[golden]") {
  GoldenModel m(base());
  // vmov at 0 writes at the end of 3. vext at 1 and 3 see 0, at 4 sees 5.
  // halt at 5: nothing pending after 3, so d = 5.
  const auto r = run(m, {vmovi(1, 5), vext(1, 1, 0), nop(1), vext(2, 1, 0), vext(3, 1, 0), halt()});
  REQUIRE(r.ok());
  CHECK(m.sreg(1) == 0);
  CHECK(m.sreg(2) == 0);
  CHECK(m.sreg(3) == 5);
  CHECK(r.cycles == 6);
}

TEST_CASE("golden: halt and barrier drain the vector pipeline", "[golden]") {
  GoldenModel m(base());
  // vmov at 0 lands at the end of 3; halt at 1 holds through d = 3.
  auto r = run(m, {vmovi(1, 5), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 4);
  CHECK(r.counter(C::stall_cycles) == 2);
  CHECK(m.vreg(1, 0) == 5);
  // barrier at 1 holds through 3, vext issues at 4 and sees the value; halt at 5.
  GoldenModel m2(base());
  r = run(m2, {vmovi(1, 6), barrier(), vext(1, 1, 3), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 6);
  CHECK(r.counter(C::stall_cycles) == 2);
  CHECK(r.counter(C::instrs) == 4);
  CHECK(m2.sreg(1) == 6);
}

TEST_CASE("golden: post-increment happens at the end of the issue cycle", "[golden]") {
  GoldenModel m(base());
  std::vector<std::int8_t> w(16 * 16);
  for (unsigned i = 0; i < w.size(); ++i) w[i] = static_cast<std::int8_t>(i / 16 + 1);  // word a holds a+1
  put_words(m, 0, 0, w);
  // li r1,10 @0; vld v0 from 10+2 (=13 per byte), r1 -> 13 @1; addi r2 = r1 @2 sees 13;
  // vld v1 from r0+5 with inc: r0 stays 0.
  const auto r = run(m, {li(1, 10), vld(0, 0, 1, 2, 3), addi(2, 1, 0), vld(1, 0, 0, 5, 3), halt()});
  REQUIRE(r.ok());
  CHECK(m.sreg(1) == 13);
  CHECK(m.sreg(2) == 13);
  CHECK(m.sreg(0) == 0);
  CHECK(m.vreg(0, 0) == 13);
  CHECK(m.vreg(1, 7) == 6);
  CHECK(r.counter(C::vxu_ops) == 2);
  CHECK(r.counter(C::sram_reads) == 2);
}

TEST_CASE("golden: the isa.md 16x16 tile example", "[golden]") {
  GoldenModel m(base());
  // li x3 (0..2), mlw at 3 (rows 4..19), nop 13 (4..16), mm at 17 = 3 + mlw_ready (rows
  // 18..33, ACC writes at the end of 17+1+i+35 = 53..68), halt at 18 drains through 68.
  auto r = run(m, {li(1, 0), li(2, 0), li(3, 0), mlw(1, 2, 0), nop(13), mm(0, 1, 3, 16, 0), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 69);
  CHECK(r.counter(C::instrs) == 7);
  CHECK(r.counter(C::stall_cycles) == 12 + 50);
  CHECK(r.counter(C::mxu_busy) == 16);
  CHECK(r.counter(C::mxu_wload) == 16);
  CHECK(r.counter(C::sram_reads) == 32);
  CHECK(r.counter(C::acc_writes) == 16);
  CHECK(r.counter(C::sram_writes) == 0);
  // One cycle less of nop is a wbuf_hazard at the mm (cycle 16, pc 5).
  r = run(m, {li(1, 0), li(2, 0), li(3, 0), mlw(1, 2, 0), nop(12), mm(0, 1, 3, 16, 0), halt()});
  CHECK(r.error == ErrorCode::wbuf_hazard);
  CHECK(r.error_cycle == 16);
  CHECK(r.error_pc == 5);
}

TEST_CASE("golden: an ACC write is visible one cycle after t+1+i+mxu_lat", "[golden]") {
  GoldenModel m(base());
  std::vector<std::int8_t> wt(16 * 16, 0), x(16, 0);
  for (unsigned k = 0; k < 16; ++k) wt[k * 16 + k] = 1;  // identity weights
  for (unsigned k = 0; k < 16; ++k) x[k] = static_cast<std::int8_t>(k + 1);
  put_words(m, 1, 0, wt);
  put_words(m, 0, 0, x);
  std::vector<std::uint8_t> old(16 * 4, 0);
  old[0] = 0xd2;  // ACC[0][0] = 1234
  old[1] = 0x04;
  m.write_mem(Space::acc, 0, 0, old);
  // mlw @0; nop 17 @1..17; mm @18 (row 0 read 19, written at the end of 54); nop 35 @19..53;
  // vlda @54 sees the old value, vlda @55 the new one; halt @56 drains to 58 (vlda write).
  const auto r = run(m, {mlw(1, 0, 0), nop(17), mm(0, 0, 0, 1, 0), nop(35), vlda(1, 0), vlda(2, 0), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 59);
  CHECK(m.vreg(1, 0) == 1234);
  CHECK(m.vreg(1, 1) == 0);
  for (unsigned j = 0; j < 16; ++j) CHECK(m.vreg(2, j) == static_cast<std::int32_t>(j + 1));
}

TEST_CASE("golden: an mm at mlw_ready sees the whole new buffer, an mlw at wbuf_release spares the mm",
          "[golden]") {
  for (const Config* cp : {&base(), &tiny()}) {
    const Config& cfg = *cp;
    INFO(cfg.name);
    const unsigned L = cfg.lanes;
    GoldenModel m(cfg);
    // Bank 1: W0 = all ones (words 0..L-1), W1 = diag(1..L) (words L..2L-1), W2 = all twos
    // (words 2L..3L-1). Bank 0: four activation rows x_i[k] = i*L + k + 1.
    std::vector<std::int8_t> w(3 * L * L, 0), x(4 * L, 0);
    for (unsigned k = 0; k < L; ++k) {
      for (unsigned j = 0; j < L; ++j) {
        w[k * L + j] = 1;
        w[(L + k) * L + j] = static_cast<std::int8_t>(k == j ? k + 1 : 0);
        w[(2 * L + k) * L + j] = 2;
      }
    }
    for (unsigned i = 0; i < 4 * L; ++i) x[i] = static_cast<std::int8_t>(i + 1);
    put_words(m, 1, 0, w);
    put_words(m, 0, 0, x);
    // li x4 @0..3; mlw W0 -> buf 0 @4; the mlw of W1 into buf 0 at 4 + mlw_busy; the mm
    // exactly mlw_ready later, while W1's last rows are still being read (mlw_ready < L); the
    // mlw of W2 into buf 0 exactly wbuf_release after the mm's last row, while the mm's rows
    // are still in the array.
    const unsigned t_w1 = 4 + cfg.mlw_busy;
    const unsigned t_mm = t_w1 + cfg.mlw_ready;
    const unsigned t_w2 = t_mm + 4 + cfg.wbuf_release;
    REQUIRE(cfg.mlw_ready < L);  // what this test is about: the mm issues before the load ends
    const auto r = run(m, {li(1, 0), li(2, L), li(3, 2 * L), li(4, 0), mlw(1, 1, 0), nop(t_w1 - 5), mlw(1, 2, 0),
                           nop(t_mm - t_w1 - 1), mm(0, 4, 4, 4, 0), nop(t_w2 - t_mm - 1), mlw(1, 3, 0), halt()});
    REQUIRE(r.ok());
    CHECK(r.cycles == t_mm + 4 + cfg.mxu_lat + 1);  // the last ACC write ends the run
    // y_i[j] = sum_k x_i[k] * W1[k][j] = x_i[j] * (j + 1): neither W0's rows nor W2's.
    const auto acc = get_acc(m, 0, 4);
    for (unsigned i = 0; i < 4; ++i) {
      for (unsigned j = 0; j < L; ++j) {
        INFO("row " << i << " column " << j);
        CHECK(acc[i * L + j] == static_cast<std::int32_t>((i * L + j + 1) * (j + 1)));
      }
    }
    // Buffer 0 now holds W2 (weights stay between runs): y[j] = 2 * sum_k x_0[k].
    const auto r2 = run(m, {li(4, 8), mm(0, 0, 4, 1, 0), halt()});
    REQUIRE(r2.ok());
    const auto acc2 = get_acc(m, 8, 1);
    for (unsigned j = 0; j < L; ++j) CHECK(acc2[j] == static_cast<std::int32_t>(L * (L + 1)));
  }
}

TEST_CASE("golden: mma accumulates with forwarding of the previous cycle's write", "[golden]") {
  GoldenModel m(base());
  std::vector<std::int8_t> wt(16 * 16, 0), x(3 * 16, 0);
  for (unsigned k = 0; k < 16; ++k) wt[k * 16 + k] = 2;  // W = 2 I
  for (unsigned i = 0; i < 3; ++i) {
    for (unsigned k = 0; k < 16; ++k) x[i * 16 + k] = static_cast<std::int8_t>((i + 1) * 10 + k);
  }
  put_words(m, 1, 0, wt);
  put_words(m, 0, 0, x);
  std::vector<std::uint8_t> init(2 * 16 * 4, 0);
  init[0] = 100;           // ACC[0][0] = 100
  init[16 * 4 + 0] = 7;    // ACC[1][0] = 7
  m.write_mem(Space::acc, 0, 0, init);
  // pcs: mlw 0 @0; nop 1 @1..17; li 2 @18; li 3 @19; mma 4 @20 (ready at 14): rows 0..2 into
  // entry 0 (dstride 0), written at the end of 56, 57, 58, each adding to the previous;
  // nop 5 @21..22; mm 6 @23 (stream free at 20+3): row 2 into entry 1 at 59; mma 7 @24:
  // row 0 into entry 1 at 60, seeing the mm write of the previous cycle; halt 8 @25.
  const auto r = run(m, {mlw(1, 0, 0), nop(17), li(2, 2), li(3, 1), mma(0, 0, 0, 3, 0, 1, 0), nop(2),
                         mm(0, 2, 3, 1, 0), mma(0, 0, 3, 1, 0), halt()});
  REQUIRE(r.ok());
  const auto acc = get_acc(m, 0, 2);
  for (unsigned j = 0; j < 16; ++j) {
    const std::int32_t sum = 2 * ((10 + static_cast<std::int32_t>(j)) + (20 + static_cast<std::int32_t>(j)) +
                                  (30 + static_cast<std::int32_t>(j)));
    CHECK(acc[j] == (j == 0 ? 100 : 0) + sum);
    // entry 1: mm overwrote it with 2*x_2, then mma added 2*x_0.
    CHECK(acc[16 + j] == 2 * (30 + static_cast<std::int32_t>(j)) + 2 * (10 + static_cast<std::int32_t>(j)));
  }
  // last ACC write: mma @24, row 0 at the end of 24+1+35 = 60: 61 cycles.
  CHECK(r.cycles == 61);
  CHECK(r.counter(C::acc_writes) == 5);
}

TEST_CASE("golden: MXU busy windows and weight-buffer hazards", "[golden]") {
  SECTION("mm before mlw_ready is a wbuf_hazard, at mlw_ready it issues") {
    GoldenModel m(base());
    // mlw @0; nop 12 @1..12; mm @13 < 0+14.
    auto r = run(m, {mlw(1, 0, 0), nop(12), mm(0, 0, 0, 1, 0), halt()});
    CHECK(r.error == ErrorCode::wbuf_hazard);
    CHECK(r.error_cycle == 13);
    CHECK(r.error_pc == 2);
    CHECK(r.cycles == 14);
    CHECK(r.counter(C::instrs) == 2);  // the rejected mm did not issue
    r = run(m, {mlw(1, 0, 0), nop(13), mm(0, 0, 0, 1, 0), halt()});
    CHECK(r.ok());
    // Using the other buffer is fine at once (it holds whatever it held).
    r = run(m, {mlw(1, 0, 0), mm(0, 0, 0, 1, 1), halt()});
    CHECK(r.ok());
  }
  SECTION("mlw before mlw_busy is mxu_busy") {
    GoldenModel m(base());
    auto r = run(m, {mlw(1, 0, 0), nop(14), mlw(1, 0, 1), halt()});  // second at 15 < 16
    CHECK(r.error == ErrorCode::mxu_busy);
    CHECK(r.error_cycle == 15);
    CHECK(r.error_pc == 2);
    r = run(m, {mlw(1, 0, 0), nop(15), mlw(1, 0, 1), halt()});  // at 16
    CHECK(r.ok());
  }
  SECTION("mlw into a buffer an mm still uses is a wbuf_hazard until t+n+wbuf_release") {
    GoldenModel m(base());
    // mlw @0, nop 16 @1..16, mm buf0 count 4 @17 -> release at 17+4+17 = 38.
    // nop 19 @18..36 -> mlw @37: hazard. nop 20 -> mlw @38: fine.
    auto r = run(m, {mlw(1, 0, 0), nop(16), mm(0, 0, 0, 4, 0), nop(19), mlw(1, 0, 0), halt()});
    CHECK(r.error == ErrorCode::wbuf_hazard);
    CHECK(r.error_cycle == 37);
    CHECK(r.error_pc == 4);
    r = run(m, {mlw(1, 0, 0), nop(16), mm(0, 0, 0, 4, 0), nop(20), mlw(1, 0, 0), halt()});
    CHECK(r.ok());
    // The other buffer may load during the mm.
    r = run(m, {mlw(1, 0, 0), nop(16), mm(0, 0, 0, 4, 0), mlw(1, 0, 1), halt()});
    CHECK(r.ok());
  }
  SECTION("mm while the previous stream reads is mxu_busy; back to back is fine") {
    GoldenModel m(base());
    // mm count 4 @17; nop 2 @18,19; mm @20 < 21.
    auto r = run(m, {mlw(1, 0, 0), nop(16), mm(0, 0, 0, 4, 0), nop(2), mm(0, 0, 0, 4, 0), halt()});
    CHECK(r.error == ErrorCode::mxu_busy);
    CHECK(r.error_cycle == 20);
    CHECK(r.error_pc == 4);
    r = run(m, {mlw(1, 0, 0), nop(16), mm(0, 0, 0, 4, 0), nop(3), mm(0, 0, 0, 4, 0), halt()});
    REQUIRE(r.ok());
    // second mm @21, last row written at the end of 21+4+35 = 60.
    CHECK(r.cycles == 61);
    CHECK(r.counter(C::mxu_busy) == 8);
  }
  SECTION("both windows violated: the lower code, mxu_busy, is reported") {
    GoldenModel m(base());
    auto r = run(m, {mlw(1, 0, 0), nop(16), mm(0, 0, 0, 4, 0), mlw(1, 0, 0), halt()});
    // second mlw @18: mlw_busy window ended at 16, release of buf 0 at 38 -> wbuf_hazard.
    CHECK(r.error == ErrorCode::wbuf_hazard);
    r = run(m, {mlw(1, 0, 0), nop(16), mm(0, 0, 0, 4, 0), mlw(1, 0, 1), mlw(1, 0, 0), halt()});
    // third mlw @19: busy (18+16) and hazard (38): mxu_busy wins.
    CHECK(r.error == ErrorCode::mxu_busy);
    CHECK(r.error_cycle == 19);
    CHECK(r.error_pc == 4);
  }
  SECTION("mm with count 0 is a complete no-op") {
    GoldenModel m(base());
    // Right after an mlw into buf 0 an mm on buf 0 would be a hazard; with count 0 it is not,
    // and it opens no window for the next mm.
    auto r = run(m, {mlw(1, 0, 0), mm(0, 0, 0, 0, 0), nop(13), mm(0, 0, 0, 2, 0), mm(0, 0, 0, 0, 0), halt()});
    REQUIRE(r.ok());
    CHECK(r.counter(C::mxu_busy) == 2);
    CHECK(r.counter(C::instrs) == 6);
  }
}

TEST_CASE("golden: vtr timing, result and busy window", "[golden]") {
  GoldenModel m(base());
  std::vector<std::int8_t> blk(16 * 16);
  for (unsigned k = 0; k < 16; ++k) {
    for (unsigned j = 0; j < 16; ++j) blk[k * 16 + j] = static_cast<std::int8_t>(k * 16 + j - 100);
  }
  put_words(m, 2, 0, blk);
  // li @0, li @1, vtr @2: reads 3..18, writes row j at the end of 20+j (20..35).
  // halt @3 drains through 35: 36 cycles.
  auto r = run(m, {li(1, 0), li(2, 100), vtr(3, 2, 2, 1), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 36);
  CHECK(r.counter(C::sxu_ops) == 1);
  CHECK(r.counter(C::sram_reads) == 16);
  CHECK(r.counter(C::sram_writes) == 16);
  const auto out = get_words(m, 3, 100, 16 * 16);
  for (unsigned j = 0; j < 16; ++j) {
    for (unsigned k = 0; k < 16; ++k) CHECK(out[j * 16 + k] == blk[k * 16 + j]);
  }
  // Output row 0 lands at the end of 20: a vld at 20 sees the old word, at 21 the new one.
  GoldenModel m2(base());
  put_words(m2, 2, 0, blk);
  // li @0, li @1, vtr @2, nop 17 @3..19, vld @20, vld @21, halt.
  r = run(m2, {li(1, 0), li(2, 100), vtr(3, 2, 2, 1), nop(17), vld(1, 3, 2), vld(2, 3, 2), halt()});
  REQUIRE(r.ok());
  CHECK(m2.vreg(1, 1) == 0);
  CHECK(m2.vreg(2, 1) == blk[1 * 16 + 0]);
  // sxu_busy: a second vtr at 2+15 is rejected, at 2+16 it issues.
  r = run(m2, {li(1, 0), li(2, 100), vtr(3, 2, 2, 1), nop(14), vtr(4, 2, 2, 1), halt()});
  CHECK(r.error == ErrorCode::sxu_busy);
  CHECK(r.error_cycle == 17);
  CHECK(r.error_pc == 4);
  r = run(m2, {li(1, 0), li(2, 100), vtr(3, 2, 2, 1), nop(15), vtr(4, 2, 2, 1), halt()});
  REQUIRE(r.ok());
  // second vtr @18 writes its last row at the end of 18+18+15 = 51.
  CHECK(r.cycles == 52);
  const auto out2 = get_words(m2, 4, 100, 16 * 16);
  CHECK(out2 == out);
}

TEST_CASE("golden: lutld holds the issue slot lutld_word_cycles*count+1 cycles", "[golden]") {
  GoldenModel m(base());
  REQUIRE(base().lutld_word_cycles == 2);
  std::vector<std::int8_t> w(3 * 16);
  for (unsigned i = 0; i < w.size(); ++i) w[i] = static_cast<std::int8_t>(i * 7 + 1);
  put_words(m, 5, 40, w);
  // li @0, lutld @1 holds 1..7 (words read @2, @4, @6), halt @8.
  const auto r = run(m, {li(1, 40), lutld(5, 1, 3, 10), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 9);
  CHECK(r.counter(C::instrs) == 3);
  CHECK(r.counter(C::stall_cycles) == 6);
  CHECK(r.counter(C::sram_reads) == 3);
  const auto lut = m.read_mem(Space::lut, 0, 10, 24 * 2);
  // LUT[10 + i*8 + e] = int16(bytes 2e, 2e+1 of word i): the bytes land in order.
  for (unsigned i = 0; i < 48; ++i) CHECK(static_cast<std::int8_t>(lut[i]) == w[i]);

  // tiny (one cycle per word): lutld @1 holds 1..4, halt @5.
  GoldenModel t(tiny());
  REQUIRE(tiny().lutld_word_cycles == 1);
  put_words(t, 1, 40, std::vector<std::int8_t>(w.begin(), w.begin() + 12));
  const auto rt = run(t, {li(1, 40), lutld(1, 1, 3, 10), halt()});
  REQUIRE(rt.ok());
  CHECK(rt.cycles == 6);
  CHECK(rt.counter(C::stall_cycles) == 3);
  const auto lt = t.read_mem(Space::lut, 0, 10, 6 * 2);
  for (unsigned i = 0; i < 12; ++i) CHECK(static_cast<std::int8_t>(lt[i]) == w[i]);
}

TEST_CASE("golden: base lutld: a vlut in the first allowed cycle sees the last word", "[golden]") {
  GoldenModel m(base());
  std::vector<std::int8_t> w(2 * 16);
  for (unsigned i = 0; i < w.size(); ++i) w[i] = static_cast<std::int8_t>(i + 1);
  put_words(m, 3, 0, w);
  // lutld @0 holds 0..4 (words read @1, @3), vlut @5 reads LUT[15] = word 1, entry 7 =
  // int16(bytes 30, 31) = 31 | 32 << 8; halt @6 drains to 8 (vlat 4): 9 cycles.
  const auto r = run(m, {lutld(3, 0, 2, 0), I(Op::vlut, {{F::rd, 1}, {F::ra, 0}, {F::imm16, 15}}), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 9);
  CHECK(r.counter(C::stall_cycles) == 4 + 2);
  for (unsigned l = 0; l < 16; ++l) CHECK(m.vreg(1, l) == (31 | (32 << 8)));
}

TEST_CASE("golden: send and recv raise link_down at issue", "[golden]") {
  GoldenModel m(base());
  auto r = run(m, {li(1, 0), I(Op::send, {{F::sh, 0}, {F::bank, 0}, {F::ra, 1}, {F::count, 4}, {F::stride, 1}}), halt()});
  CHECK(r.error == ErrorCode::link_down);
  CHECK(r.error_pc == 1);
  CHECK(r.error_cycle == 1);
  CHECK(r.cycles == 2);
  CHECK(r.counter(C::instrs) == 1);
  r = run(m, {I(Op::recv, {{F::sh, 1}, {F::bank, 0}, {F::ra, 1}, {F::count, 4}, {F::stride, 1}}), halt()});
  CHECK(r.error == ErrorCode::link_down);
  CHECK(r.error_cycle == 0);
}

TEST_CASE("golden: idle-skipping is exact for long nops and drains", "[golden]") {
  GoldenModel m(base());
  // nop 65536 @0..65535, vmov @65536, halt @65537 drains to 65539.
  const auto r = run(m, {nop(65536), vmovi(2, -3), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 65540);
  CHECK(r.counter(C::stall_cycles) == 65535 + 2);
  CHECK(m.vreg(2, 15) == -3);
}

TEST_CASE("golden: runs keep registers and memories, restart pc and counters", "[golden]") {
  GoldenModel m(base());
  auto r = run(m, {addi(1, 1, 5), vmovi(3, 9), halt()});
  REQUIRE(r.ok());
  CHECK(m.sreg(1) == 5);
  r = m.run();
  REQUIRE(r.ok());
  CHECK(m.sreg(1) == 10);
  CHECK(r.counter(C::instrs) == 3);
  CHECK(m.vreg(3, 0) == 9);
  m.reset();
  CHECK(m.sreg(1) == 0);
  CHECK(m.vreg(3, 0) == 0);
}

TEST_CASE("golden: max_cycles stops a run that does not end", "[golden]") {
  GoldenModel m(base());
  m.load_code({loopi(1000, 1), nop(1000), halt()});
  CHECK_THROWS_AS(m.run(5000), Error);
  m.load_code({loopi(1000, 1), nop(1000), halt()});
  // 1 + 1000*1000 + halt
  CHECK(m.run(1'000'002).cycles == 1'000'002);
}

TEST_CASE("golden: tiny MXU timing (mxu_lat 11, mlw_ready 2)", "[golden]") {
  const auto& t = tiny();
  REQUIRE(t.mxu_lat == 11);
  REQUIRE(t.mlw_ready == 2);
  REQUIRE(t.wbuf_release == 5);
  GoldenModel m(t);
  // li @0, mlw @1 (rows 2..5), nop 1 @2, mm count 4 @3 = 1 + mlw_ready (rows 4..7, ACC
  // writes at the end of 3+1+i+11 = 15..18), halt @4 drains through 18.
  auto r = run(m, {li(1, 0), mlw(1, 1, 0), nop(1), mm(0, 1, 1, 4, 0), halt()});
  REQUIRE(r.ok());
  CHECK(r.cycles == 19);
  // Directly after the mlw (cycle 2) the mm is a wbuf_hazard.
  r = run(m, {li(1, 0), mlw(1, 1, 0), mm(0, 1, 1, 4, 0), halt()});
  CHECK(r.error == ErrorCode::wbuf_hazard);
  CHECK(r.error_cycle == 2);
}
