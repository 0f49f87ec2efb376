// Golden model: MXU results (mm/mma with strides, both buffers, both configurations) against
// plain triple loops, vtr on tiny, and the trace stream.
#include <catch2/catch.hpp>

#include <map>

#include "golden_test_util.hpp"

using namespace lpu;
using namespace lpu::test;

namespace {

// y_i[j] = sum_k x_i[k] * W[k][j]
std::vector<std::int32_t> ref_rows(const std::vector<std::int8_t>& x, const std::vector<std::int8_t>& w, unsigned n,
                                   unsigned L) {
  std::vector<std::int32_t> y(static_cast<std::size_t>(n) * L, 0);
  for (unsigned i = 0; i < n; ++i) {
    for (unsigned j = 0; j < L; ++j) {
      std::int32_t s = 0;
      for (unsigned k = 0; k < L; ++k) s += static_cast<std::int32_t>(x[i * L + k]) * w[k * L + j];
      y[i * L + j] = s;
    }
  }
  return y;
}

}  // namespace

TEST_CASE("golden mxu: mm and mma with strides and both buffers", "[golden]") {
  for (const auto* cfgp : {&base(), &tiny()}) {
    const Config& cfg = *cfgp;
    const unsigned L = cfg.lanes;
    GoldenModel m(cfg);
    Rng rng(L);
    const unsigned n = 12;
    std::vector<std::int8_t> w0(L * L), w1(L * L), x(2 * n * L);
    for (auto& v : w0) v = rng.i8();
    for (auto& v : w1) v = rng.i8();
    for (auto& v : x) v = rng.i8();
    w0[0] = -128;
    x[0] = -128;  // the extreme product
    // Weights in bank 1: W0 rows at 0, 2, 4, ... (stride 2), W1 rows at 100.. (stride 1).
    for (unsigned k = 0; k < L; ++k) {
      put_words(m, 1, 2 * k, std::vector<std::int8_t>(w0.begin() + k * L, w0.begin() + (k + 1) * L));
    }
    put_words(m, 1, 100, w1);
    put_words(m, 0, 0, x);  // 2n activation rows
    const unsigned mlw_ready = cfg.mlw_ready;
    // r1 = 100; mlw buf0 stride 2 @1; mlw buf1 @(1+mlw_busy); mm buf0 over even rows
    // (stride 2) into entries 40 + 2i (dstride 2); mma buf1 over rows 0..n-1 into entries
    // 40 + 2i; mm buf1 over rows n..2n-1 with dstride -1 into entries 200 - i.
    std::vector<std::uint64_t> code = {li(1, 100), mlw(1, 0, 0, 2), nop(cfg.mlw_busy - 1), mlw(1, 1, 1, 1),
                                       nop(mlw_ready), li(2, 40), li(3, 200), li(4, n),
                                       mm(0, 0, 2, n, 0, 2, 2), mma(0, 0, 2, n, 1, 1, 2), mm(0, 4, 3, n, 1, 1, -1),
                                       halt()};
    // The mma issues right after the mm (t + n later would be required): put nops between.
    code.insert(code.begin() + 9, nop(n));
    code.insert(code.begin() + 11, nop(n));
    m.load_code(code);
    const auto r = m.run();
    INFO(cfg.name);
    REQUIRE(r.ok());
    std::vector<std::int8_t> xeven(n * L), xfirst(x.begin(), x.begin() + n * L), xsecond(x.begin() + n * L, x.end());
    for (unsigned i = 0; i < n; ++i) std::copy(x.begin() + 2 * i * L, x.begin() + (2 * i + 1) * L, xeven.begin() + i * L);
    const auto y0 = ref_rows(xeven, w0, n, L);
    const auto y1 = ref_rows(xfirst, w1, n, L);
    const auto y2 = ref_rows(xsecond, w1, n, L);
    const auto acc_a = get_acc(m, 40, 2 * n);
    for (unsigned i = 0; i < n; ++i) {
      for (unsigned j = 0; j < L; ++j) REQUIRE(acc_a[2 * i * L + j] == y0[i * L + j] + y1[i * L + j]);
    }
    for (unsigned i = 0; i < n; ++i) {
      const auto e = get_acc(m, 200 - i, 1);
      for (unsigned j = 0; j < L; ++j) REQUIRE(e[j] == y2[i * L + j]);
    }
    CHECK(r.counter(gen::Counter::mxu_busy) == 3 * n);
    CHECK(r.counter(gen::Counter::acc_writes) == 3 * n);
    CHECK(r.counter(gen::Counter::mxu_wload) == 2 * L);
  }
}

TEST_CASE("golden mxu: vtr on tiny (single-ported banks)", "[golden]") {
  GoldenModel m(tiny());
  std::vector<std::int8_t> blk(16);
  for (unsigned i = 0; i < 16; ++i) blk[i] = static_cast<std::int8_t>(i * 9 - 60);
  put_words(m, 0, 8, blk);
  m.load_code({li(1, 8), li(2, 3), vtr(1, 2, 0, 1), halt()});
  const auto r = m.run();
  REQUIRE(r.ok());
  // vtr @2: writes at the end of 2 + 6 + j, last at 11: 12 cycles.
  CHECK(r.cycles == 12);
  const auto out = get_words(m, 1, 3, 16);
  for (unsigned j = 0; j < 4; ++j) {
    for (unsigned k = 0; k < 4; ++k) CHECK(out[j * 4 + k] == blk[k * 4 + j]);
  }
  // In-place on one single-ported bank: the read of the second transpose and the writes of
  // the first collide (see docs/sxu.md).
  m.load_code({li(1, 8), li(2, 20), vtr(0, 2, 0, 1), nop(3), vtr(0, 1, 0, 2), halt()});
  CHECK(m.run().error == ErrorCode::bank_conflict);
}

TEST_CASE("golden trace: issues and every write", "[golden]") {
  GoldenModel m(base());
  std::vector<TraceEvent> ev;
  m.set_trace([&](const TraceEvent& e) { ev.push_back(e); });
  std::vector<std::int8_t> wt(256, 0);
  for (unsigned k = 0; k < 16; ++k) wt[k * 16 + k] = 1;
  put_words(m, 1, 0, wt);
  put_words(m, 0, 0, std::vector<std::int8_t>(16, 3));
  put_words(m, 2, 0, std::vector<std::int8_t>(16, 1));
  // li @0, vmov @1 (v2 at the end of 4), vst v0 @2 (post-inc r1), mlw @3, nop 17 @4..20,
  // mm @21 (ACC[0] at the end of 57), lutld @22..24 (base: 2 cycles per word; word 0 read
  // in 23, LUT 0..7 at the end of 23), halt @25.
  m.load_code({li(1, 5), vmovi(2, -7), vst(0, 2, 1, 0, 1), mlw(1, 0, 0), nop(17), mm(0, 0, 0, 1, 0),
               lutld(2, 0, 1, 0), halt()});
  const auto r = m.run();
  REQUIRE(r.ok());
  CHECK(r.cycles == 58);
  std::map<TraceEvent::Kind, unsigned> count;
  for (const auto& e : ev) ++count[e.kind];
  CHECK(count[TraceEvent::Kind::issue] == r.counter(gen::Counter::instrs));
  CHECK(count[TraceEvent::Kind::sreg_write] == 2);  // li, post-increment
  CHECK(count[TraceEvent::Kind::vreg_write] == 1);
  CHECK(count[TraceEvent::Kind::sram_write] == 1);
  CHECK(count[TraceEvent::Kind::acc_write] == 1);
  CHECK(count[TraceEvent::Kind::lut_write] == 8);
  for (const auto& e : ev) {
    switch (e.kind) {
      case TraceEvent::Kind::vreg_write:
        CHECK(e.cycle == 4);
        CHECK(e.pc == 1);
        CHECK(e.addr == 2);
        CHECK(e.data == std::vector<std::int32_t>(16, -7));
        break;
      case TraceEvent::Kind::sram_write:
        CHECK(e.cycle == 2);
        CHECK(e.bank == 2);
        CHECK(e.addr == 5);
        CHECK(e.data == std::vector<std::int32_t>(16, 0));
        break;
      case TraceEvent::Kind::acc_write:
        CHECK(e.cycle == 57);
        CHECK(e.pc == 5);
        CHECK(e.data == std::vector<std::int32_t>(16, 3));
        break;
      case TraceEvent::Kind::lut_write:
        CHECK(e.cycle == 23);
        CHECK(e.data == std::vector<std::int32_t>{0x0101});
        break;
      case TraceEvent::Kind::sreg_write:
        CHECK(e.addr == 1);
        CHECK((e.cycle == 0 || e.cycle == 2));
        CHECK(e.data[0] == (e.cycle == 0 ? 5 : 6));
        break;
      case TraceEvent::Kind::issue: break;
    }
  }
  // Issue events are in cycle order with the issuing pc.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> issues;
  for (const auto& e : ev) {
    if (e.kind == TraceEvent::Kind::issue) issues.emplace_back(e.cycle, e.pc);
  }
  const std::vector<std::pair<std::uint64_t, std::uint32_t>> want = {{0, 0}, {1, 1}, {2, 2}, {3, 3},
                                                                      {4, 4}, {21, 5}, {22, 6}, {25, 7}};
  CHECK(issues == want);
}
