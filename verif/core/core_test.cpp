// The whole core (CoreSim over the Verilator models of lpu_core) on directed programs whose
// results are computed here with plain C++ loops and hand-derived cycle counts, the host port,
// and a short co-simulation against the golden model. Both configurations.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core_sim.hpp"
#include "cosim.hpp"
#include "lpu/config.hpp"
#include "lpu/error.hpp"
#include "lpu/isa.hpp"
#include "lpu/randprog.hpp"

namespace {

using lpu::Field;
using lpu::Op;

std::uint64_t I(Op op, std::initializer_list<std::pair<Field, std::int64_t>> fields = {}) {
  lpu::Instr in;
  in.op = op;
  for (const auto& [f, v] : fields) in.set(f, v);
  return lpu::encode(in);
}
std::uint64_t li(int rd, std::int32_t v) { return I(Op::li, {{Field::rd, rd}, {Field::imm32, v}}); }
std::uint64_t nop(unsigned n) { return I(Op::nop, {{Field::count, n - 1}}); }
std::uint64_t halt() { return I(Op::halt); }

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

const char* const kConfigs[] = {"base", "tiny"};

}  // namespace

TEST_CASE("host port: memories read back what was written, ranges are enforced", "[core]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    lpu::CoreSim sim(cfg);
    std::mt19937_64 rng(7);
    const unsigned L = cfg.lanes;
    // Last word of the last bank and a few others, ACC and LUT entries.
    const std::uint32_t lastb = cfg.banks - 1, lasta = cfg.bank_depth - 1;
    const auto w = random_bytes(rng, 3 * L);
    sim.write_mem(lpu::Space::sram, lastb, lasta - 2, w);
    CHECK(sim.read_mem(lpu::Space::sram, lastb, lasta - 2, 3 * L) == w);
    const auto a = random_bytes(rng, 2 * 4 * L);
    sim.write_mem(lpu::Space::acc, 0, cfg.acc_depth - 2, a);
    CHECK(sim.read_mem(lpu::Space::acc, 0, cfg.acc_depth - 2, a.size()) == a);
    const auto t = random_bytes(rng, 2 * 5);
    sim.write_mem(lpu::Space::lut, 0, 17, t);
    CHECK(sim.read_mem(lpu::Space::lut, 0, 17, t.size()) == t);
    // A partial word keeps its other bytes.
    sim.write_mem(lpu::Space::sram, 0, 5, {1, 2, 3});
    const auto wd = sim.read_mem(lpu::Space::sram, 0, 5, L);
    CHECK(wd[0] == 1);
    CHECK(wd[2] == 3);
    CHECK(wd[3] == 0);
    // A fresh chip reads zero everywhere.
    sim.reset();
    CHECK(sim.read_mem(lpu::Space::sram, lastb, lasta, L) == std::vector<std::uint8_t>(L, 0));
    CHECK_THROWS_AS(sim.read_mem(lpu::Space::sram, cfg.banks, 0, L), lpu::Error);
    CHECK_THROWS_AS(sim.write_mem(lpu::Space::acc, 0, cfg.acc_depth, std::vector<std::uint8_t>(4 * L)), lpu::Error);
  }
}

TEST_CASE("vector load, add, store: results and cycles", "[core]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    const unsigned L = cfg.lanes;
    lpu::CoreSim sim(cfg);
    std::mt19937_64 rng(11);
    const auto x = random_bytes(rng, L), y = random_bytes(rng, L);
    sim.write_mem(lpu::Space::sram, 0, 10, x);
    sim.write_mem(lpu::Space::sram, 1, 20, y);
    // cycle 0 li r1; 1 vld v1; 2 vld v2 (r1 post-incremented by 3); 3..5 nop so v2 is visible
    // at 6 (vlat = 4 after cycle 2); 6 vadd v3; 7..9 nop; 10 vst; 11 halt.
    sim.load_code({li(1, 10), I(Op::vld, {{Field::rd, 1}, {Field::ra, 1}, {Field::bank, 0}, {Field::stride, 3}}),
                   I(Op::vld, {{Field::rd, 2}, {Field::ra, 1}, {Field::bank, 1}, {Field::imm16, 7}}), nop(3),
                   I(Op::vadd, {{Field::rd, 3}, {Field::ra, 1}, {Field::rb, 2}}), nop(3),
                   I(Op::vst, {{Field::rd, 3}, {Field::ra, 0}, {Field::bank, 2 % cfg.banks}, {Field::imm16, 30}}), halt()});
    REQUIRE(cfg.vlat == 4);
    const auto r = sim.run();
    CHECK(r.error == lpu::ErrorCode::none);
    CHECK(r.cycles == 12);
    CHECK(r.counter(lpu::gen::Counter::instrs) == 8);
    CHECK(r.counter(lpu::gen::Counter::stall_cycles) == 4);
    CHECK(r.counter(lpu::gen::Counter::sram_reads) == 2);
    CHECK(r.counter(lpu::gen::Counter::sram_writes) == 1);
    CHECK(r.counter(lpu::gen::Counter::vxu_ops) == 4);
    CHECK(sim.sreg(1) == 13);
    const auto out = sim.read_mem(lpu::Space::sram, 2 % cfg.banks, 30, L);
    for (unsigned l = 0; l < L; ++l) {
      const int s = static_cast<std::int8_t>(x[l]) + static_cast<std::int8_t>(y[l]);
      const int sat = s < -128 ? -128 : (s > 127 ? 127 : s);
      CHECK(static_cast<std::int8_t>(out[l]) == sat);
      CHECK(sim.vreg(3, l) == s);
    }
  }
}

TEST_CASE("matmul tile: mlw + mm against a plain C++ product, exact cycles", "[core]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    const unsigned L = cfg.lanes;
    const unsigned n = L + 3;  // activation rows
    lpu::CoreSim sim(cfg);
    std::mt19937_64 rng(5);
    const auto W = random_bytes(rng, L * L);  // row k, byte j = W[k][j]
    const auto X = random_bytes(rng, n * L);  // row i, byte k = x_i[k]
    sim.write_mem(lpu::Space::sram, 1, 0, W);
    sim.write_mem(lpu::Space::sram, 0, 0, X);
    // 0 li; 1 mlw; 2..mlw_ready nop; mm at 1 + mlw_ready; halt next; last ACC write at
    // t_mm + n + mxu_lat.
    sim.load_code({li(3, 4), I(Op::mlw, {{Field::bank, 1}, {Field::stride, 1}}), nop(cfg.mlw_ready - 1),
                   I(Op::mm, {{Field::bank, 0}, {Field::rb, 3}, {Field::count, n}, {Field::stride, 1}, {Field::dstride, 1}}),
                   halt()});
    const auto r = sim.run();
    CHECK(r.error == lpu::ErrorCode::none);
    const std::uint64_t t_mm = 1 + cfg.mlw_ready;
    CHECK(r.cycles == t_mm + n + cfg.mxu_lat + 1);
    CHECK(r.counter(lpu::gen::Counter::mxu_busy) == n);
    CHECK(r.counter(lpu::gen::Counter::mxu_wload) == L);
    CHECK(r.counter(lpu::gen::Counter::acc_writes) == n);
    const auto acc = sim.read_mem(lpu::Space::acc, 0, 4, n * 4 * L);
    for (unsigned i = 0; i < n; ++i) {
      for (unsigned j = 0; j < L; ++j) {
        std::int32_t want = 0;
        for (unsigned k = 0; k < L; ++k) want += static_cast<std::int8_t>(X[i * L + k]) * static_cast<std::int8_t>(W[k * L + j]);
        const std::size_t o = (i * L + j) * 4;
        const auto got = static_cast<std::int32_t>(acc[o] | (acc[o + 1] << 8) | (acc[o + 2] << 16) |
                                                   (static_cast<std::uint32_t>(acc[o + 3]) << 24));
        INFO(name << " row " << i << " col " << j);
        CHECK(got == want);
      }
    }
  }
}

TEST_CASE("lutld with an odd offset, several words, vlut in the first allowed cycle", "[core]") {
  // docs/isa.md "Lookup-table load": word i read at t+1+W*i, LUT[o + i*L/2 + e] =
  // int16(bytes 2e, 2e+1 of word i); the next instruction issues at t+W*n+1 (W = 2 on base,
  // 1 on tiny) and a vlut there sees every word.
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    const unsigned L = cfg.lanes, half = L / 2, n = 3;
    const unsigned W = std::string(name) == "base" ? 2 : 1;
    REQUIRE(cfg.lutld_word_cycles == W);
    lpu::CoreSim sim(cfg);
    std::mt19937_64 rng(23);
    const auto words = random_bytes(rng, n * L);
    const auto table = random_bytes(rng, 2 * cfg.lut_depth);
    sim.write_mem(lpu::Space::sram, 1, 40, words);
    sim.write_mem(lpu::Space::lut, 0, 0, table);
    const int o = 7;
    // 0 li r1; 1 vlid v3; 2 lutld (holds 2 .. 2+W*n); 3+W*n vlut v4 = LUT[v3 + o - 1];
    // halt at 4+W*n drains to the vlut's write-back at 3+W*n+3.
    sim.load_code({li(1, 40), I(Op::vlid, {{Field::rd, 3}}),
                   I(Op::lutld, {{Field::bank, 1}, {Field::ra, 1}, {Field::count, n}, {Field::hi16, o}}),
                   I(Op::vlut, {{Field::rd, 4}, {Field::ra, 3}, {Field::imm16, o - 1}}), halt()});
    const auto r = sim.run();
    CHECK(r.error == lpu::ErrorCode::none);
    CHECK(r.cycles == 3 + W * n + 3 + 1);
    CHECK(r.counter(lpu::gen::Counter::stall_cycles) == W * n + 2);
    CHECK(r.counter(lpu::gen::Counter::sram_reads) == n);
    auto entry = [&](unsigned k) -> std::int32_t {  // the table after the load
      const std::uint8_t* b = &table[2 * k];
      if (k >= static_cast<unsigned>(o) && k < o + n * half) {
        const unsigned j = k - static_cast<unsigned>(o);
        b = &words[(j / half) * L + 2 * (j % half)];
      }
      return static_cast<std::int16_t>(static_cast<std::uint16_t>(b[0] | (b[1] << 8)));
    };
    for (unsigned l = 0; l < L; ++l) CHECK(sim.vreg(4, l) == entry(l + o - 1));
    const auto t = sim.read_mem(lpu::Space::lut, 0, 0, 2 * cfg.lut_depth);
    for (unsigned k = 0; k < cfg.lut_depth; ++k) {
      CHECK(static_cast<std::int16_t>(static_cast<std::uint16_t>(t[2 * k] | (t[2 * k + 1] << 8))) == entry(k));
    }
  }
}

TEST_CASE("errors reach the latch with code, pc and cycle", "[core][error]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    lpu::CoreSim sim(cfg);
    SECTION("sram_addr of a load") {
      sim.load_code({li(1, static_cast<std::int32_t>(cfg.bank_depth)), nop(2),
                     I(Op::vld, {{Field::rd, 1}, {Field::ra, 1}, {Field::bank, 0}}), halt()});
      const auto r = sim.run();
      CHECK(r.error == lpu::ErrorCode::sram_addr);
      CHECK(r.error_pc == 2);
      CHECK(r.error_cycle == 3);
      CHECK(r.cycles == 4);
    }
    SECTION("acc_addr of an mm row, charged to the mm") {
      const unsigned n = 3;
      sim.load_code({li(2, static_cast<std::int32_t>(cfg.acc_depth) - 1),
                     I(Op::mm, {{Field::bank, 0}, {Field::rb, 2}, {Field::count, n}, {Field::stride, 1}, {Field::dstride, 1}}),
                     halt()});
      const auto r = sim.run();
      CHECK(r.error == lpu::ErrorCode::acc_addr);
      CHECK(r.error_pc == 1);
      CHECK(r.error_cycle == 1 + 1 + 1 + cfg.mxu_lat);  // row 1 is the first out of range
      CHECK(r.counter(lpu::gen::Counter::acc_writes) == 1);
    }
    SECTION("mxu_busy at issue") {
      sim.load_code({I(Op::mm, {{Field::bank, 0}, {Field::count, 5}, {Field::stride, 1}}), nop(2),
                     I(Op::mma, {{Field::bank, 1}, {Field::count, 1}}), halt()});
      const auto r = sim.run();
      CHECK(r.error == lpu::ErrorCode::mxu_busy);
      CHECK(r.error_pc == 2);
      CHECK(r.error_cycle == 3);
      CHECK(r.counter(lpu::gen::Counter::instrs) == 2);
    }
    SECTION("link_down") {
      sim.load_code({I(Op::send, {{Field::count, 1}}), halt()});
      const auto r = sim.run();
      CHECK(r.error == lpu::ErrorCode::link_down);
      CHECK(r.cycles == 1);
    }
    SECTION("abort") {
      sim.load_code({nop(1000), halt()});
      sim.start();
      CHECK(sim.advance(10));
      sim.abort();
      CHECK_FALSE(sim.running());
      const auto r = sim.result();
      CHECK(r.error == lpu::ErrorCode::aborted);
      CHECK(r.error_pc == 0);
      CHECK(r.error_cycle == 10);
      CHECK(r.cycles == 11);
    }
  }
}

TEST_CASE("co-simulation smoke test against the golden model", "[core][cosim]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    lpu::CoreSim sim(cfg);
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
      const auto rp = lpu::random_program(cfg, seed);
      const auto rep = lpu::cosim_program(sim, rp.program);
      INFO(name << " seed " << seed << ": " << rep.mismatch);
      CHECK(rep.ok);
      CHECK(rep.trace_events > 0);
    }
  }
}

TEST_CASE("co-simulation reports a difference and where it is", "[core][cosim]") {
  // The checker itself must be able to fail: inject faults into the RTL side only.
  const auto& cfg = lpu::config_by_name("tiny");
  lpu::CoreSim sim(cfg);
  lpu::Program p;
  p.req = lpu::requirements_for(cfg);
  // Load word 3 of bank 0 (initialised to 5s), add 1, store it to word 9; halt.
  p.code = {I(Op::vld, {{Field::rd, 1}, {Field::bank, 0}, {Field::imm16, 3}}), nop(4),
            I(Op::vadd, {{Field::rd, 2}, {Field::ra, 1}, {Field::bmode, 2}, {Field::imm16, 1}}), nop(4),
            I(Op::vst, {{Field::rd, 2}, {Field::bank, 1}, {Field::imm16, 9}}), halt()};
  lpu::Segment seg;
  seg.space = lpu::Space::sram;
  seg.addr = 3;
  seg.bytes.assign(cfg.lanes, 5);
  p.data.push_back(seg);

  REQUIRE(lpu::cosim_program(sim, p).ok);

  lpu::CosimOptions changed_data;
  changed_data.rtl_fault = [&](lpu::CoreSim& s) { s.write_mem(lpu::Space::sram, 0, 3, std::vector<std::uint8_t>(cfg.lanes, 6)); };
  auto rep = lpu::cosim_program(sim, p, changed_data);
  CHECK_FALSE(rep.ok);
  INFO(rep.mismatch);
  CHECK(rep.mismatch.find("vreg_write v1") != std::string::npos);
  CHECK(rep.mismatch.find("cycle 3") != std::string::npos);  // write-back of the vld at 0

  lpu::CosimOptions changed_code;
  changed_code.rtl_fault = [&](lpu::CoreSim& s) {
    auto code = p.code;
    code[4] = I(Op::vst, {{Field::rd, 2}, {Field::bank, 1}, {Field::imm16, 10}});
    s.load_code(code);
  };
  rep = lpu::cosim_program(sim, p, changed_code);
  CHECK_FALSE(rep.ok);
  CHECK(rep.mismatch.find("sram_write bank 1 addr") != std::string::npos);

  lpu::CosimOptions stray_word;  // a word the program never touches: only a memory compare sees it
  stray_word.rtl_fault = [&](lpu::CoreSim& s) { s.write_mem(lpu::Space::sram, 1, 100, std::vector<std::uint8_t>(cfg.lanes, 1)); };
  stray_word.memories = lpu::MemCompare::full;
  rep = lpu::cosim_program(sim, p, stray_word);
  CHECK_FALSE(rep.ok);
  CHECK(rep.mismatch.find("final sram differs at bank 1 addr 100") != std::string::npos);
  stray_word.memories = lpu::MemCompare::touched;
  CHECK(lpu::cosim_program(sim, p, stray_word).ok);
}
