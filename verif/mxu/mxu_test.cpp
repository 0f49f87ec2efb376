// lpu_mxu against plain C++: GEMM loops, the issue rules of docs/isa.md and the exact cycle
// of every SRAM read and accumulator write (docs/mxu.md). Built once per configuration
// (verif/mxu/CMakeLists.txt); every check runs in every cycle through MxuBench.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "mxu_bench.hpp"

namespace {

using namespace lpu::verif::mxu;
using lpu::gen::ErrorCode;
using Kind = Instr::Kind;

constexpr unsigned L = kLanes;
constexpr std::uint8_t kBusy = static_cast<std::uint8_t>(ErrorCode::mxu_busy);
constexpr std::uint8_t kHazard = static_cast<std::uint8_t>(ErrorCode::wbuf_hazard);

Instr mlw(unsigned bank, std::int32_t ra, unsigned buf, int stride = 1) {
  Instr in;
  in.kind = Kind::mlw;
  in.bank = bank;
  in.ra_val = ra;
  in.buf = buf;
  in.stride = stride;
  in.pc = static_cast<std::uint16_t>(0x100 + ra);
  return in;
}

Instr mm(Kind k, unsigned bank, std::int32_t ra, std::int32_t rb, unsigned count, unsigned buf,
         int stride = 1, int dstride = 1) {
  Instr in;
  in.kind = k;
  in.bank = bank;
  in.ra_val = ra;
  in.rb_val = rb;
  in.count = count;
  in.buf = buf;
  in.stride = stride;
  in.dstride = dstride;
  in.pc = static_cast<std::uint16_t>(0x200 + rb);
  return in;
}

// Idles (with checks) until cycle t.
void run_until(MxuBench& tb, std::uint64_t t) {
  while (tb.now() < t) tb.cycle();
}

// Issues `in` at the first cycle it is legal under the spec's windows.
void issue_when_legal(MxuBench& tb, const Instr& in) {
  auto& s = tb.spec();
  std::uint64_t t = tb.now();
  if (in.kind == Kind::mlw) t = std::max({t, s.mlw_free_at(), s.mlw_ok_at(in.buf)});
  else t = std::max({t, s.mm_free_at(), s.mm_ok_at(in.buf)});
  run_until(tb, t);
  const auto err = tb.cycle(in);
  tb.h().check(err == 0, "iss_err_o of a legal issue", 0, int(err));
}

std::int32_t wrap_add(std::int32_t a, std::int64_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}

}  // namespace

TEST_CASE("the generated timing constants are the ones the RTL was built with", "[mxu]") {
  // Both the SV package (parameters) and the C++ header come from isa/lpu_isa.toml.
  bool found = false;
  for (const auto& c : lpu::gen::kConfigs) {
    if (c.lanes != L || c.acc_depth != kAccDepth) continue;
    found = true;
    CHECK(c.mxu_lat == kMxuLat);
    CHECK(c.mlw_busy == kMlwBusy);
    CHECK(c.mlw_ready == kMlwReady);
    CHECK(c.wbuf_release == kWbufRelease);
  }
  if (!found) WARN("lanes " << L << " is not a named configuration: constants not cross-checked");
  // The latency the test holds the RTL to.
  CHECK(kMxuLat >= 2 * L + 1);
}

TEST_CASE("reset: nothing pending, both weight buffers zero", "[mxu]") {
  MxuBench tb;
  tb.host_fill([](unsigned e) { Row r; r.fill(static_cast<std::int32_t>(0x01010101u * (e + 1))); return r; });
  for (unsigned b = 0; b < 2; ++b) {
    tb.cycle(mm(Kind::mm, 3, 0, static_cast<std::int32_t>(b), 1, b));
  }
  tb.drain();
  for (unsigned b = 0; b < 2; ++b) {
    const Row r = tb.vlda_read(b);
    for (unsigned j = 0; j < L; ++j) CHECK(r[j] == 0);
  }
  CHECK(tb.host_read(5) == tb.acc(5));
}

TEST_CASE("GEMM tiles of random sizes and strides match plain loops", "[mxu]") {
  MxuBench tb;
  auto& rng = tb.h().rng();
  tb.host_fill([&](unsigned) { Row r; for (auto& x : r) x = static_cast<std::int32_t>(rng()); return r; });
  const int strides[] = {1, 2, 3, -1, -2, 5, 17, -7};
  const int dstrides[] = {1, 2, -1, 3};
  for (int trial = 0; trial < 12; ++trial) {
    const int sa = strides[rng() % 8], sw = strides[rng() % 8], d = dstrides[rng() % 4];
    // M rows, all of whose outputs fit in the accumulators.
    const unsigned max_m = std::min(3 * L, (kAccDepth - 1) / static_cast<unsigned>(std::abs(d)) + 1);
    const unsigned M = 1 + static_cast<unsigned>(rng() % max_m);
    const unsigned T = 1 + static_cast<unsigned>(rng() % 3);  // K = T * L
    const unsigned a_bank = rng() % 16, w_bank = (a_bank + 1 + rng() % 15) % 16;
    const bool extreme = trial % 4 == 3;
    // Operands: A tile t row m at a_base[t] + m*sa; W tile t row k at w_base[t] + k*sw.
    std::vector<std::vector<W>> A(T, std::vector<W>(M)), B(T, std::vector<W>(L));
    std::vector<std::int32_t> a_base(T), w_base(T);
    for (unsigned t = 0; t < T; ++t) {
      a_base[t] = static_cast<std::int32_t>(1000 * (t + 1) + rng() % 100);
      w_base[t] = static_cast<std::int32_t>(5000 * (t + 1) + rng() % 100);
      for (unsigned m = 0; m < M; ++m) {
        A[t][m] = tb.sram().random_word(extreme);
        tb.sram().set(a_bank, static_cast<std::uint32_t>(a_base[t] + static_cast<int>(m) * sa), A[t][m]);
      }
      for (unsigned k = 0; k < L; ++k) {
        B[t][k] = tb.sram().random_word(extreme);
        tb.sram().set(w_bank, static_cast<std::uint32_t>(w_base[t] + static_cast<int>(k) * sw), B[t][k]);
      }
    }
    // Output rows at rb + m*d, all inside the accumulators.
    const std::int32_t span = static_cast<std::int32_t>(M - 1) * std::abs(d);
    const std::int32_t rb = (d > 0 ? 0 : span) + static_cast<std::int32_t>(rng() % (kAccDepth - span));
    // Double-buffered schedule: load tile t+1 while tile t computes.
    issue_when_legal(tb, mlw(w_bank, w_base[0], 0, sw));
    for (unsigned t = 0; t < T; ++t) {
      if (t + 1 < T) issue_when_legal(tb, mlw(w_bank, w_base[t + 1], (t + 1) % 2, sw));
      issue_when_legal(tb, mm(t == 0 ? Kind::mm : Kind::mma, a_bank, a_base[t], rb, M, t % 2, sa, d));
    }
    tb.drain();
    for (unsigned m = 0; m < M; ++m) {
      const unsigned e = static_cast<unsigned>(rb + static_cast<int>(m) * d);
      const Row got = tb.vlda_read(e);
      for (unsigned j = 0; j < L; ++j) {
        std::int64_t s = 0;
        for (unsigned t = 0; t < T; ++t)
          for (unsigned k = 0; k < L; ++k) s += std::int64_t{A[t][m][k]} * std::int64_t{B[t][k][j]};
        INFO("trial " << trial << " M " << M << " T " << T << " row " << m << " col " << j);
        REQUIRE(got[j] == wrap_add(0, s));
      }
    }
  }
}

TEST_CASE("back-to-back streams switch buffers with no bubble, at the exact cycles", "[mxu]") {
  MxuBench tb;
  tb.host_fill([](unsigned e) { Row r; r.fill(static_cast<std::int32_t>(e)); return r; });
  const std::uint64_t t0 = tb.now() + 2;
  run_until(tb, t0);
  REQUIRE(tb.cycle(mlw(1, 0, 0)) == 0);
  run_until(tb, t0 + kMlwBusy);
  REQUIRE(tb.cycle(mlw(1, 100, 1, -1)) == 0);
  const std::uint64_t t1 = t0 + kMlwBusy + kMlwReady;
  const unsigned n1 = L + 3, n2 = 5, n3 = 4;
  run_until(tb, t1);
  REQUIRE(tb.cycle(mm(Kind::mm, 2, 0, 0, n1, 0)) == 0);
  run_until(tb, t1 + n1);
  REQUIRE(tb.cycle(mm(Kind::mm, 3, 7, static_cast<std::int32_t>(kAccDepth / 2), n2, 1, 2)) == 0);
  run_until(tb, t1 + n1 + n2);
  REQUIRE(tb.cycle(mm(Kind::mma, 2, 0, 0, n3, 0, 1, 0)) == 0);
  tb.drain();
  // Hand-computed: row i of the whole sequence is written at the end of t1+1+i+MxuLat.
  std::vector<std::uint64_t> want;
  for (unsigned i = 0; i < n1 + n2 + n3; ++i) want.push_back(t1 + 1 + i + kMxuLat);
  CHECK(tb.wr_cycles() == want);
}

TEST_CASE("accumulate chains to one entry see the previous row's write", "[mxu]") {
  MxuBench tb;
  auto& rng = tb.h().rng();
  tb.host_fill([&](unsigned) { Row r; for (auto& x : r) x = static_cast<std::int32_t>(rng()); return r; });
  const unsigned e = 7 % kAccDepth;
  const Row before = tb.acc(e);
  issue_when_legal(tb, mlw(4, 0, 1));
  const auto W1 = tb.spec().weights(1);
  // Two back-to-back mma streams, every row into entry e (dstride 0), then one more after a gap.
  const unsigned n1 = 3 * L, n2 = 2;
  issue_when_legal(tb, mm(Kind::mma, 5, 0, static_cast<std::int32_t>(e), n1, 1, 1, 0));
  run_until(tb, tb.now() + n1 - 1);
  REQUIRE(tb.cycle(mm(Kind::mma, 5, static_cast<std::int32_t>(n1), static_cast<std::int32_t>(e), n2, 1, 1, 0)) == 0);
  run_until(tb, tb.now() + 3);
  issue_when_legal(tb, mm(Kind::mma, 5, 500, static_cast<std::int32_t>(e), 1, 1));
  tb.drain();
  // Plain loops over the same SRAM words.
  Row want = before;
  auto add_row = [&](std::uint32_t addr) {
    const W& x = tb.sram().get(5, addr);
    for (unsigned j = 0; j < L; ++j) {
      std::int64_t s = 0;
      for (unsigned k = 0; k < L; ++k) s += std::int64_t{x[k]} * std::int64_t{W1[k][j]};
      want[j] = wrap_add(want[j], s);
    }
  };
  for (unsigned i = 0; i < n1 + n2; ++i) add_row(i);
  add_row(500);
  CHECK(tb.vlda_read(e) == want);
}

TEST_CASE("extreme values: -128 and 127 everywhere, int32 accumulation wraps", "[mxu]") {
  MxuBench tb;
  // Accumulators just below the int32 limits so that accumulation wraps.
  tb.host_fill([](unsigned e) {
    Row r;
    r.fill(e % 2 ? std::int32_t{0x7fff0000} : std::int32_t(0x80010000u));
    return r;
  });
  W neg, pos, mix;
  neg.fill(-128);
  pos.fill(127);
  for (unsigned l = 0; l < L; ++l) mix[l] = (l % 2) ? std::int8_t{127} : std::int8_t{-128};
  for (unsigned k = 0; k < L; ++k) {
    tb.sram().set(0, k, neg);        // W0 = all -128
    tb.sram().set(0, 100 + k, k % 2 ? pos : neg);
  }
  for (unsigned i = 0; i < 8; ++i) tb.sram().set(1, i, i % 3 == 0 ? neg : (i % 3 == 1 ? pos : mix));
  issue_when_legal(tb, mlw(0, 0, 0));
  issue_when_legal(tb, mlw(0, 100, 1));
  issue_when_legal(tb, mm(Kind::mm, 1, 0, 0, 8, 0));           // overwrite entries 0..7
  issue_when_legal(tb, mm(Kind::mma, 1, 0, 8, 8, 1));          // accumulate onto 8..15
  for (int rep = 0; rep < 3; ++rep) issue_when_legal(tb, mm(Kind::mma, 1, 0, 0, 8, 0));
  tb.drain();
  for (unsigned e = 0; e < 16; ++e) {
    const Row got = tb.vlda_read(e);
    const unsigned i = e % 8;
    const W& x = i % 3 == 0 ? neg : (i % 3 == 1 ? pos : mix);
    for (unsigned j = 0; j < L; ++j) {
      std::int64_t s = 0;
      for (unsigned k = 0; k < L; ++k) {
        const std::int64_t w = e < 8 ? -128 : (k % 2 ? 127 : -128);
        s += std::int64_t{x[k]} * w;
      }
      const std::int32_t want = e < 8 ? wrap_add(0, 4 * s)
                                      : wrap_add(e % 2 ? std::int32_t{0x7fff0000} : std::int32_t(0x80010000u), s);
      INFO("entry " << e << " col " << j);
      REQUIRE(got[j] == want);
    }
  }
  // all -128 x all -128: L * 16384 per output, exact.
  CHECK(tb.vlda_read(0)[0] == static_cast<std::int32_t>(4 * L * 16384));
}

TEST_CASE("every hazard error code at the exact cycle", "[mxu]") {
  MxuBench tb;
  tb.host_fill([](unsigned) { Row r; r.fill(0); return r; });

  SECTION("mlw_busy: the next mlw may issue mlw_busy cycles later") {
    const std::uint64_t t = tb.now();
    REQUIRE(tb.cycle(mlw(0, 0, 0)) == 0);
    run_until(tb, t + kMlwBusy - 1);
    CHECK(tb.cycle(mlw(0, 50, 1)) == kBusy);
    CHECK(tb.cycle(mlw(0, 50, 1)) == 0);  // t + mlw_busy
  }
  SECTION("mlw_ready: an mm on the loaded buffer may issue mlw_ready cycles later") {
    const std::uint64_t t = tb.now();
    REQUIRE(tb.cycle(mlw(0, 0, 1)) == 0);
    run_until(tb, t + kMlwReady - 1);
    CHECK(tb.cycle(mm(Kind::mm, 1, 0, 0, 6, 1)) == kHazard);
    CHECK(tb.cycle(mm(Kind::mma, 1, 0, 0, 6, 1)) == 0);  // t + mlw_ready
    CHECK(tb.cycle(mm(Kind::mm, 1, 0, 0, 6, 0)) == kBusy);  // the other buffer: still busy
  }
  SECTION("mm busy: the next stream may issue count cycles later; count = 0 is a no-op") {
    const std::uint64_t t = tb.now();
    REQUIRE(tb.cycle(mm(Kind::mm, 1, 0, 0, 6, 0)) == 0);  // buffer 0: reset weights, ready
    run_until(tb, t + 4);
    CHECK(tb.cycle(mm(Kind::mm, 1, 10, 10, 0, 0)) == 0);  // count 0 while busy: nothing
    CHECK(tb.cycle(mm(Kind::mma, 1, 10, 10, 3, 0)) == kBusy);  // t + 5
    CHECK(tb.cycle(mm(Kind::mma, 1, 10, 10, 3, 0)) == 0);  // t + 6
  }
  SECTION("busy and a buffer hazard together: mxu_busy, the lower code") {
    const std::uint64_t t = tb.now();
    REQUIRE(tb.cycle(mlw(0, 0, 1)) == 0);
    REQUIRE(tb.cycle(mm(Kind::mm, 1, 0, 0, 8, 0)) == 0);
    CHECK(tb.cycle(mm(Kind::mm, 1, 0, 0, 8, 1)) == kBusy);  // busy, and buffer 1 not ready
    run_until(tb, t + 1 + 8);
    if (tb.now() < t + kMlwReady) CHECK(tb.cycle(mm(Kind::mm, 1, 0, 0, 8, 1)) == kHazard);
    run_until(tb, std::max<std::uint64_t>(tb.now(), t + kMlwReady));
    CHECK(tb.cycle(mm(Kind::mm, 1, 0, 0, 8, 1)) == 0);
  }
  SECTION("wbuf_release: an mlw may reload a buffer wbuf_release cycles after its last mm") {
    const std::uint64_t t = tb.now();
    REQUIRE(tb.cycle(mm(Kind::mm, 1, 0, 0, 6, 0)) == 0);
    const std::uint64_t rel = t + 6 + kWbufRelease;
    CHECK(tb.cycle(mlw(2, 0, 1)) == 0);  // the other buffer is free at once
    run_until(tb, rel - 1);
    CHECK(tb.cycle(mlw(2, 0, 0)) == kHazard);
    CHECK(tb.cycle(mlw(2, 0, 0)) == 0);  // rel
  }
  SECTION("mlw busy and a release hazard together: mxu_busy; a rejected mlw opens no window") {
    const std::uint64_t t = tb.now();
    REQUIRE(tb.cycle(mm(Kind::mm, 1, 0, 0, 2, 1)) == 0);   // buffer 1 in use until t+2+release
    REQUIRE(tb.cycle(mlw(2, 0, 0)) == 0);                  // t+1: mlw busy until t+1+mlw_busy
    REQUIRE(tb.now() == t + 2);
    CHECK(tb.cycle(mlw(2, 0, 1)) == kBusy);                // t+2: both apply
    // The rejected mlw did not make buffer 1 "loading": an mm on it is fine.
    CHECK(tb.cycle(mm(Kind::mm, 1, 0, 0, 2, 1)) == 0);
  }
  SECTION("instructions of other units are ignored") {
    Instr other;
    CHECK(tb.cycle(other) == 0);
    CHECK(!tb.h().dut().pending_o);
  }
  tb.drain();
}

TEST_CASE("random programs against the spec model, every cycle", "[mxu]") {
  MxuBench tb;
  auto& rng = tb.h().rng();
  tb.host_fill([&](unsigned) { Row r; for (auto& x : r) x = static_cast<std::int32_t>(rng()); return r; });
  unsigned n_busy = 0, n_hazard = 0, n_ok = 0;
  const unsigned issues = L >= 16 ? 5000 : 10000;
  for (unsigned n = 0; n < issues; ++n) {
    // Aim at the edges of the windows (one cycle early or exactly on time) or anywhere.
    auto& s = tb.spec();
    const unsigned b = rng() & 1u;
    std::vector<std::uint64_t> cand = {tb.now() + rng() % 4, s.mm_free_at(), s.mlw_free_at(),
                                       s.mm_ok_at(b), s.mlw_ok_at(b)};
    std::uint64_t t = cand[rng() % cand.size()];
    if (t > 0 && rng() % 2) --t;
    t = std::max(t, tb.now());
    while (tb.now() < t) {
      // Vector reads of the accumulators on the side, sometimes out of range.
      std::optional<std::int32_t> vlda;
      if (rng() % 3 == 0) {
        vlda = rng() % 8 == 0 ? static_cast<std::int32_t>(rng() % 2 ? kAccDepth + rng() % 3 : -1 - rng() % 3)
                              : static_cast<std::int32_t>(rng() % kAccDepth);
      }
      tb.cycle(std::nullopt, vlda);
    }
    Instr in;
    const unsigned r = rng() % 20;
    in.kind = r < 6 ? Kind::mlw : r < 12 ? Kind::mm : r < 19 ? Kind::mma : Kind::other;
    in.bank = rng() % 16;
    in.ra = 1 + rng() % 15;
    in.rb = 1 + rng() % 15;
    in.buf = b;
    switch (rng() % 8) {
      case 0: in.ra_val = -1 - static_cast<std::int32_t>(rng() % 4); break;
      case 1: in.ra_val = static_cast<std::int32_t>(rng()); break;
      default: in.ra_val = static_cast<std::int32_t>(rng() % 64);
    }
    in.stride = rng() % 6 == 0 ? static_cast<std::int8_t>(rng()) : static_cast<int>(rng() % 7) - 3;
    const unsigned rc = rng() % 20;
    in.count = rc == 0 ? 0 : rc < 5 ? 1 + rng() % (4 * L) : 1 + rng() % (L + 2);
    switch (rng() % 10) {
      case 0: in.rb_val = static_cast<std::int32_t>(kAccDepth - rng() % 4); break;  // runs off the end
      case 1: in.rb_val = -static_cast<std::int32_t>(rng() % 3); break;
      case 2: case 3: case 4: in.rb_val = static_cast<std::int32_t>(rng() % 8); break;
      default: in.rb_val = static_cast<std::int32_t>(rng() % kAccDepth);
    }
    in.dstride = rng() % 4 == 0 ? 0 : (rng() % 8 == 0 ? static_cast<std::int8_t>(rng()) : static_cast<int>(rng() % 5) - 2);
    in.pc = static_cast<std::uint16_t>(rng());
    const auto err = tb.cycle(in);
    if (err == kBusy) ++n_busy;
    else if (err == kHazard) ++n_hazard;
    else ++n_ok;
  }
  tb.drain();
  INFO("accepted " << n_ok << " mxu_busy " << n_busy << " wbuf_hazard " << n_hazard << " acc writes "
                   << tb.acc_writes() << " acc_addr errors " << tb.acc_errors());
  CHECK(n_busy > issues / 20);
  CHECK(n_hazard > issues / 20);
  CHECK(n_ok > issues / 4);
  CHECK(tb.acc_writes() > issues);
  CHECK(tb.acc_errors() > 10);
}

TEST_CASE("vlda reads the accumulators as at the start of the cycle", "[mxu]") {
  MxuBench tb;
  tb.host_fill([](unsigned e) { Row r; r.fill(static_cast<std::int32_t>(1000 + e)); return r; });
  W one;
  one.fill(1);
  for (unsigned k = 0; k < L; ++k) tb.sram().set(0, k, one);
  tb.sram().set(1, 0, one);
  issue_when_legal(tb, mlw(0, 0, 0));
  issue_when_legal(tb, mm(Kind::mm, 1, 0, 3, 1, 0));
  const std::uint64_t wr = tb.now() - 1 + 1 + kMxuLat;  // issued at now-1: write at the end of t+1+MxuLat
  run_until(tb, wr);
  // Read in the write cycle: the old value; in the next cycle: the new one (L * 1 * 1 = L).
  tb.cycle(std::nullopt, 3);
  tb.h().eval();
  Row got = tb.out_row(tb.h().dut().acc_rd_data_o);
  CHECK(got[0] == 1003);
  got = tb.vlda_read(3);
  CHECK(got[0] == static_cast<std::int32_t>(L));
  CHECK(tb.wr_cycles() == std::vector<std::uint64_t>{wr});
}

TEST_CASE("stop_i freezes the unit, clear_i drops in-flight work, loaded weights stay", "[mxu]") {
  MxuBench tb;
  tb.host_fill([](unsigned) { Row r; r.fill(0); return r; });
  for (unsigned k = 0; k < L; ++k) tb.sram().set(6, k, tb.sram().random_word());
  const std::uint64_t t_w = tb.now();
  REQUIRE(tb.cycle(mlw(6, 0, 1)) == 0);
  const auto W1 = tb.spec().weights(1);
  REQUIRE(tb.cycle(mm(Kind::mm, 2, 0, 0, L, 0)) == 0);  // buffer 0 (zero weights), in flight
  // The mlw reads its last row at t_w + L; from the next cycle on the chip is stopped, and
  // that row must still land in buffer 1.
  const std::uint64_t t_stop = t_w + L + 1;
  run_until(tb, t_stop);
  tb.set_checking(false);
  auto& d = tb.h().dut();
  for (int i = 0; i < 8; ++i) {
    tb.cycle(mlw(6, 0, 0), std::nullopt, true);  // an issue while stopped is ignored
    tb.h().eval();
    CHECK(!d.act_rd_valid_o);
    CHECK(!d.w_rd_valid_o);
    CHECK(!d.acc_wr_o);
    CHECK(!d.acc_wr_err_o);
    CHECK(d.iss_err_o == 0);
    CHECK(d.pending_o);  // frozen, still holding the mm's rows
  }
  tb.cycle(std::nullopt, std::nullopt, false, true);  // clear
  for (unsigned i = 0; i < kMxuLat + 2 * L; ++i) {
    tb.cycle();
    tb.h().eval();
    CHECK(!d.pending_o);
    CHECK(!d.act_rd_valid_o);
    CHECK(!d.w_rd_valid_o);
    CHECK(!d.acc_wr_o);
    CHECK(!d.acc_wr_err_o);
  }
  // A new run: buffer 1 holds the weights loaded before the stop.
  tb.reset_spec_after_clear();
  tb.set_checking(true);
  REQUIRE(tb.cycle(mm(Kind::mm, 7, 0, 20, 4, 1)) == 0);
  tb.drain();
  for (unsigned i = 0; i < 4; ++i) {
    const Row got = tb.vlda_read(20 + i);
    CHECK(got == MxuSpec<L>::gemm_row(tb.sram().get(7, i), W1));
  }
}
