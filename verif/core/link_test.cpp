// send and recv on the RTL (docs/isa.md "Links", docs/core.md "Links"): CoreSim with its link
// 0 TX pins wired to its own link 1 RX pins and back (set_link_loopback) runs programs that
// send SRAM words out of one link and receive them on the other. References:
//  * plain C++: the words a recv must have written, computed here from the source data;
//  * the golden model: a ring of two identical chips running the same program (chip 0's link
//    0 feeds chip 1's link 1, whose identical send feeds chip 0's link 1 in the same cycles):
//    chip 0 sees exactly what a chip wired to itself sees. Everything before the first
//    instruction whose timing depends on the link (a recv, a send that waits for TX room) is
//    compared cycle by cycle; after it the same events must happen in any timing, and the
//    final memories and counters (but cycles and stall_cycles) must be equal.
// Both configurations.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core_sim.hpp"
#include "lpu/config.hpp"
#include "lpu/golden.hpp"
#include "lpu/golden_system.hpp"
#include "lpu/isa.hpp"

namespace {

using lpu::Field;
using lpu::Op;
using lpu::TraceEvent;
using C = lpu::gen::Counter;

std::uint64_t I(Op op, std::initializer_list<std::pair<Field, std::int64_t>> fields = {}) {
  lpu::Instr in;
  in.op = op;
  for (const auto& [f, v] : fields) in.set(f, v);
  return lpu::encode(in);
}
std::uint64_t li(int rd, std::int32_t v) { return I(Op::li, {{Field::rd, rd}, {Field::imm32, v}}); }
std::uint64_t nop(unsigned n) { return I(Op::nop, {{Field::count, n - 1}}); }
std::uint64_t halt() { return I(Op::halt); }
std::uint64_t barrier() { return I(Op::barrier); }
std::uint64_t send(unsigned link, unsigned bank, int ra, unsigned n, int stride = 1) {
  return I(Op::send, {{Field::sh, link}, {Field::bank, bank}, {Field::ra, ra}, {Field::count, n}, {Field::stride, stride}});
}
std::uint64_t recv(unsigned link, unsigned bank, int ra, unsigned n, int stride = 1) {
  return I(Op::recv, {{Field::sh, link}, {Field::bank, bank}, {Field::ra, ra}, {Field::count, n}, {Field::stride, stride}});
}

const char* const kConfigs[] = {"base", "tiny"};
constexpr std::uint32_t kWords = 512;  // words compared at the start of every bank
constexpr std::uint64_t kBringUp = 200000;
constexpr std::uint64_t kMaxCycles = 2000000;

struct Result {
  lpu::RunResult run;
  std::vector<TraceEvent> trace;
  std::vector<std::vector<std::uint8_t>> banks;  // first kWords words of every bank
};

// The source data: banks 0 (and 2.. where they exist) random in their first kWords words,
// bank 1 a fixed pattern (so a recv's writes show).
std::vector<std::vector<std::uint8_t>> initial_data(const lpu::Config& cfg, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<std::uint8_t>> d(std::min(cfg.banks, 4u), std::vector<std::uint8_t>(kWords * cfg.lanes));
  for (unsigned b = 0; b < d.size(); ++b) {
    for (std::size_t i = 0; i < d[b].size(); ++i) {
      d[b][i] = b == 1 ? static_cast<std::uint8_t>(0xa5 ^ i) : static_cast<std::uint8_t>(rng());
    }
  }
  return d;
}

template <class Chip>
void load(Chip& chip, const lpu::Config& cfg, const std::vector<std::uint64_t>& code, unsigned seed) {
  const auto d = initial_data(cfg, seed);
  for (unsigned b = 0; b < d.size(); ++b) chip.write_mem(lpu::Space::sram, b, 0, d[b]);
  chip.load_code(code);
}

template <class Chip>
std::vector<std::vector<std::uint8_t>> read_banks(Chip& chip, const lpu::Config& cfg) {
  std::vector<std::vector<std::uint8_t>> out;
  for (unsigned b = 0; b < std::min(cfg.banks, 4u); ++b) out.push_back(chip.read_mem(lpu::Space::sram, b, 0, kWords * cfg.lanes));
  return out;
}

// The RTL: one chip, links looped back (or not), links up before the run.
Result run_rtl(const lpu::Config& cfg, const std::vector<std::uint64_t>& code, bool loopback = true,
               unsigned seed = 1) {
  lpu::CoreSim sim(cfg);
  if (loopback) {
    sim.set_link_loopback(true);
    REQUIRE(sim.wait_links_up(kBringUp));
  }
  load(sim, cfg, code, seed);
  Result r;
  sim.set_trace([&](const TraceEvent& e) { r.trace.push_back(e); });
  r.run = sim.run(kMaxCycles);
  sim.set_trace(nullptr);
  r.banks = read_banks(sim, cfg);
  // Credit flow control: no link ever dropped a frame for lack of receive-buffer room
  // (status counter 22, docs/link.md "Status counters").
  for (unsigned k = 0; k < cfg.links && loopback; ++k) {
    INFO("link " << k << " frames dropped");
    CHECK(sim.link_reg(k * 32 + 1 + 22) == 0);
  }
  return r;
}

// The golden model: chip 0 of a ring of two identical chips (partner = true), or a chip with
// no partner.
Result run_golden(const lpu::Config& cfg, const std::vector<std::uint64_t>& code, bool partner = true,
                  unsigned seed = 1) {
  Result r;
  if (!partner) {
    lpu::GoldenModel g(cfg);
    load(g, cfg, code, seed);
    g.set_trace([&](const TraceEvent& e) { r.trace.push_back(e); });
    r.run = g.run(kMaxCycles);
    r.banks = read_banks(g, cfg);
    return r;
  }
  lpu::GoldenSystem sys(cfg, 2);
  for (unsigned i = 0; i < 2; ++i) load(sys.chip(i), cfg, code, seed);
  sys.chip(0).set_trace([&](const TraceEvent& e) { r.trace.push_back(e); });
  r.run = sys.run(kMaxCycles).at(0);
  r.banks = read_banks(sys.chip(0), cfg);
  return r;
}

std::string show(const TraceEvent& e) {
  return "kind " + std::to_string(static_cast<int>(e.kind)) + " cycle " + std::to_string(e.cycle) + " pc " +
         std::to_string(e.pc) + " bank " + std::to_string(e.bank) + " addr " + std::to_string(e.addr);
}

auto key(const TraceEvent& e) { return std::tie(e.kind, e.pc, e.bank, e.addr, e.data); }

// The cycle in which the instruction at sync_pc first issued (either model), or "never".
std::uint64_t sync_cycle(const Result& a, const Result& b, std::uint32_t sync_pc) {
  std::uint64_t t = std::numeric_limits<std::uint64_t>::max();
  for (const Result* r : {&a, &b}) {
    for (const auto& e : r->trace) {
      if (e.kind == TraceEvent::Kind::issue && e.pc == sync_pc) {
        t = std::min(t, e.cycle);
        break;
      }
    }
  }
  return t;
}

// RTL against golden: exact before the issue of sync_pc (the first link-timed instruction; a
// pc past the end: the whole run is exact), the same events and final state after it.
void compare(const Result& rtl, const Result& gold, std::uint32_t sync_pc) {
  const std::uint64_t t = sync_cycle(rtl, gold, sync_pc);
  const bool exact = t == std::numeric_limits<std::uint64_t>::max();
  std::vector<const TraceEvent*> ra, ga;
  std::vector<TraceEvent> rb, gb;
  for (const auto& e : rtl.trace) (e.cycle < t ? ra.push_back(&e) : rb.push_back(e));
  for (const auto& e : gold.trace) (e.cycle < t ? ga.push_back(&e) : gb.push_back(e));
  INFO("exact up to cycle " << t);
  REQUIRE(ra.size() == ga.size());
  for (std::size_t i = 0; i < ra.size(); ++i) {
    INFO("event " << i << ": rtl " << show(*ra[i]) << ", golden " << show(*ga[i]));
    REQUIRE(ra[i]->cycle == ga[i]->cycle);
    REQUIRE(key(*ra[i]) == key(*ga[i]));
  }
  auto by_key = [](const TraceEvent& x, const TraceEvent& y) { return key(x) < key(y); };
  std::sort(rb.begin(), rb.end(), by_key);
  std::sort(gb.begin(), gb.end(), by_key);
  REQUIRE(rb.size() == gb.size());
  for (std::size_t i = 0; i < rb.size(); ++i) {
    INFO("event after the sync point: rtl " << show(rb[i]) << ", golden " << show(gb[i]));
    REQUIRE(key(rb[i]) == key(gb[i]));
  }
  CHECK(rtl.run.error == gold.run.error);
  CHECK(rtl.run.error_pc == gold.run.error_pc);
  for (unsigned c = 0; c < lpu::gen::kNumCounters; ++c) {
    if (!exact && (c == static_cast<unsigned>(C::cycles) || c == static_cast<unsigned>(C::stall_cycles))) continue;
    INFO("counter " << c);
    CHECK(rtl.run.counters[c] == gold.run.counters[c]);
  }
  if (exact) CHECK(rtl.run.error_cycle == gold.run.error_cycle);
  CHECK(rtl.banks == gold.banks);
}

// Plain C++: word i of SRAM[db][da + i*ds] must be word i of SRAM[sb][sa + i*ss] of the
// initial data.
void check_moved(const lpu::Config& cfg, const Result& r, unsigned sb, std::uint32_t sa, int ss, unsigned db,
                 std::uint32_t da, int ds, unsigned n, unsigned seed = 1) {
  const auto init = initial_data(cfg, seed);
  const unsigned L = cfg.lanes;
  for (unsigned i = 0; i < n; ++i) {
    const auto s = static_cast<std::uint32_t>(static_cast<std::int64_t>(sa) + static_cast<std::int64_t>(i) * ss);
    const auto d = static_cast<std::uint32_t>(static_cast<std::int64_t>(da) + static_cast<std::int64_t>(i) * ds);
    INFO("word " << i << ": from bank " << sb << " addr " << s << " to bank " << db << " addr " << d);
    REQUIRE(s < kWords);
    REQUIRE(d < kWords);
    CHECK(std::equal(init[sb].begin() + s * L, init[sb].begin() + (s + 1) * L, r.banks[db].begin() + d * L));
  }
}

}  // namespace

TEST_CASE("send on link 0, recv on link 1: counts and strides", "[core][link]") {
  struct Shape {
    unsigned n;
    std::uint32_t sa;
    int ss;
    std::uint32_t da;
    int ds;
  };
  const Shape shapes[] = {{1, 5, 1, 7, 1}, {5, 10, 2, 100, 3}, {16, 40, -1, 200, -2}, {64, 64, 1, 300, 1}};
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    for (const auto& s : shapes) {
      if (s.n > cfg.link_tx_depth) continue;
      INFO(name << ": n " << s.n << " from " << s.sa << " stride " << s.ss << " to " << s.da << " stride " << s.ds);
      const std::vector<std::uint64_t> code = {li(1, static_cast<std::int32_t>(s.sa)),
                                               li(2, static_cast<std::int32_t>(s.da)),
                                               send(0, 0, 1, s.n, s.ss),
                                               li(3, 9),
                                               recv(1, 1, 2, s.n, s.ds),
                                               li(4, 1),
                                               halt()};
      const auto rtl = run_rtl(cfg, code);
      const auto gold = run_golden(cfg, code);
      REQUIRE(rtl.run.ok());
      check_moved(cfg, rtl, 0, s.sa, s.ss, 1, s.da, s.ds, s.n);
      compare(rtl, gold, 4);
      CHECK(rtl.run.counter(C::link_tx) == s.n);
      CHECK(rtl.run.counter(C::link_rx) == s.n);
      CHECK(rtl.run.counter(C::instrs) == code.size());
    }
  }
}

TEST_CASE("both ways at once: link 0 -> 1 and link 1 -> 0", "[core][link]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    INFO(name);
    // The second send may issue in the cycle of the first one's last read (t + n).
    const std::vector<std::uint64_t> code = {li(1, 0),      li(2, 50),      li(3, 400),    li(5, 450),
                                             send(0, 0, 1, 12), nop(11),     send(1, 0, 2, 20, 2),
                                             recv(1, 1, 3, 12), recv(0, 1, 5, 20), halt()};
    const auto rtl = run_rtl(cfg, code);
    const auto gold = run_golden(cfg, code);
    REQUIRE(rtl.run.ok());
    check_moved(cfg, rtl, 0, 0, 1, 1, 400, 1, 12);
    check_moved(cfg, rtl, 0, 50, 2, 1, 450, 1, 20);
    compare(rtl, gold, 7);
  }
}

TEST_CASE("count 0: send and recv do nothing, timing exact", "[core][link]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    INFO(name);
    const std::vector<std::uint64_t> code = {send(0, 0, 0, 0), send(1, 0, 0, 0), recv(1, 1, 0, 0), li(1, 3),
                                             recv(0, 1, 0, 0), halt()};
    const auto rtl = run_rtl(cfg, code);
    const auto gold = run_golden(cfg, code);
    REQUIRE(rtl.run.ok());
    compare(rtl, gold, 1000);  // no word moves: the whole run is exact
    CHECK(rtl.run.cycles == code.size());
  }
}

TEST_CASE("halt and barrier wait for a send's reads", "[core][link]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    INFO(name);
    const std::vector<std::uint64_t> code = {li(1, 3), send(0, 0, 1, 10), barrier(), send(1, 0, 1, 7, 3), halt()};
    const auto rtl = run_rtl(cfg, code);
    const auto gold = run_golden(cfg, code);
    REQUIRE(rtl.run.ok());
    compare(rtl, gold, 1000);  // no recv: exact
    // send at 1 reads in 2..11; the barrier holds through 11; send at 12 reads 13..19; halt
    // at 13 holds through 19.
    CHECK(rtl.run.cycles == 20);
    CHECK(rtl.run.counter(C::link_tx) == 17);
  }
}

TEST_CASE("send issue checks: link_busy, link_down", "[core][link]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    INFO(name);
    SECTION("an earlier send still reading") {
      const std::vector<std::uint64_t> code = {send(0, 0, 0, 4), nop(2), send(1, 0, 0, 4), halt()};
      const auto rtl = run_rtl(cfg, code);
      const auto gold = run_golden(cfg, code);
      CHECK(rtl.run.error == lpu::ErrorCode::link_busy);
      CHECK(rtl.run.error_pc == 2);
      CHECK(rtl.run.error_cycle == 3);
      compare(rtl, gold, 1000);
    }
    SECTION("more words than link_tx_depth") {
      const std::vector<std::uint64_t> code = {li(1, 0), send(0, 0, 1, cfg.link_tx_depth + 1), halt()};
      const auto rtl = run_rtl(cfg, code);
      const auto gold = run_golden(cfg, code);
      CHECK(rtl.run.error == lpu::ErrorCode::link_busy);
      CHECK(rtl.run.error_pc == 1);
      compare(rtl, gold, 1000);
    }
    SECTION("no partner: link_down for send and recv (golden: a chip alone)") {
      for (const auto instr : {send(0, 0, 0, 4), recv(1, 1, 0, 4), send(1, 0, 0, 0)}) {
        const std::vector<std::uint64_t> code = {li(1, 0), instr, halt()};
        const auto rtl = run_rtl(cfg, code, false);
        const auto gold = run_golden(cfg, code, false);
        CHECK(rtl.run.error == lpu::ErrorCode::link_down);
        CHECK(rtl.run.error_pc == 1);
        compare(rtl, gold, 1000);
      }
    }
  }
}

TEST_CASE("a send waits for TX buffer room, counting stall cycles", "[core][link]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    INFO(name);
    const unsigned n = cfg.link_tx_depth;
    // Two full sends before the recv: the second waits until the first has left the TX
    // buffer (golden: the line takes a word every link_word_cycles; hardware: the retry
    // buffer frees a word when the partner acknowledges it). More before the recv could
    // deadlock: TX buffer and partner RX buffer hold 2n words.
    const std::vector<std::uint64_t> code = {li(1, 0),         li(3, 0), send(0, 0, 1, n), nop(n),
                                             send(0, 0, 1, n, 2), recv(1, 1, 3, 2 * n), halt()};
    const auto rtl = run_rtl(cfg, code);
    const auto gold = run_golden(cfg, code);
    REQUIRE(rtl.run.ok());
    check_moved(cfg, rtl, 0, 0, 1, 1, 0, 1, n);
    check_moved(cfg, rtl, 0, 0, 2, 1, n, 1, n);
    compare(rtl, gold, 4);
    CHECK(gold.run.counter(C::stall_cycles) > 2 * n);
    // The RTL waits where its retry buffer is link_tx_depth words (base; tiny's holds more).
    if (cfg.name == std::string("base")) CHECK(rtl.run.counter(C::stall_cycles) > 2 * n);
  }
}

TEST_CASE("recv into a bank another unit reads", "[core][link]") {
  // An mm stream reads bank 1 while the recv writes into it (rows past the stream's; the
  // recv's words are compared through the trace). Base: dual-port banks, no conflict. Tiny:
  // one port, the first recv write collides with an mm row read: bank_conflict, charged to
  // the mm (the earlier source in docs/core.md "Error routing").
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    INFO(name);
    const bool dual = cfg.sram_dual_port != 0;
    const std::uint32_t dst = dual ? 900 : 2000;
    const unsigned rows = dual ? 800 : 1500;
    const std::vector<std::uint64_t> code = {
        li(1, 8), li(2, static_cast<std::int32_t>(dst)), li(3, 0), send(0, 0, 1, 6),
        I(Op::mm, {{Field::bank, 1}, {Field::ra, 3}, {Field::rb, 0}, {Field::count, rows}, {Field::stride, 1},
                   {Field::dstride, 0}}),
        recv(1, 1, 2, 6), halt()};
    auto rtl = run_rtl(cfg, code);
    auto gold = run_golden(cfg, code);
    if (dual) {
      REQUIRE(rtl.run.ok());
      compare(rtl, gold, 5);
      CHECK(rtl.run.counter(C::link_rx) == 6);
      CHECK(rtl.run.counter(C::mxu_busy) == rows);
    } else {
      CHECK(rtl.run.error == lpu::ErrorCode::bank_conflict);
      CHECK(gold.run.error == lpu::ErrorCode::bank_conflict);
      CHECK(rtl.run.error_pc == 4);
      CHECK(gold.run.error_pc == 4);
    }
  }
}

TEST_CASE("recv into an address out of range: sram_addr at the recv", "[core][link]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    INFO(name);
    const std::vector<std::uint64_t> code = {li(1, 0), li(2, static_cast<std::int32_t>(cfg.bank_depth - 2)),
                                             send(0, 0, 1, 4), recv(1, 1, 2, 4), halt()};
    const auto rtl = run_rtl(cfg, code);
    const auto gold = run_golden(cfg, code);
    CHECK(rtl.run.error == lpu::ErrorCode::sram_addr);
    CHECK(rtl.run.error_pc == 3);
    CHECK(gold.run.error == lpu::ErrorCode::sram_addr);
    CHECK(gold.run.error_pc == 3);
    CHECK(rtl.run.counter(C::link_rx) == 2);
    CHECK(gold.run.counter(C::link_rx) == 2);
  }
}

TEST_CASE("link status on the host port (SpLink)", "[core][link]") {
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    INFO(name);
    lpu::CoreSim sim(cfg);
    // Not connected: down, state not ST_UP (4).
    for (unsigned k = 0; k < cfg.links; ++k) CHECK((sim.link_reg(k * 32) & 0x8u) == 0);
    sim.set_link_loopback(true);
    REQUIRE(sim.wait_links_up(kBringUp));
    for (unsigned k = 0; k < cfg.links; ++k) {
      CHECK(sim.link_reg(k * 32) == (0x8u | 4u));   // up, ST_UP
      CHECK(sim.link_reg(k * 32 + 1 + 9) >= 1);     // counter 9: link-ups
      CHECK(sim.link_reg(k * 32 + 1 + 23) == 0);    // past the counters
      CHECK(sim.link_reg(k * 32 + 31) == 0);
    }
    CHECK(sim.link_reg(cfg.links * 32) == 0);       // no such link
    // One word out of link 0: link 0 counts a data frame sent (counter 10), link 1 one
    // received (counter 17), once the line has carried it.
    sim.load_code({send(0, 0, 0, 1), halt()});
    REQUIRE(sim.run(1000).ok());
    std::uint32_t sent = 0, got = 0;
    for (int i = 0; i < 20000 && got == 0; ++i) {
      sent = sim.link_reg(0 * 32 + 1 + 10);
      got = sim.link_reg(1 * 32 + 1 + 17);
    }
    CHECK(sent >= 1);
    CHECK(got >= 1);
    CHECK(sim.link_reg(1 * 32 + 1 + 22) == 0);  // nothing dropped
  }
}

namespace {

// Loopback off (RX pins held at 0): both links lose sync and go down; they keep retraining
// (docs/link.md "Training") until the loopback returns. Polled outside a run.
void break_links(lpu::CoreSim& sim, const lpu::Config& cfg) {
  sim.set_link_loopback(false);
  bool down = false;
  for (int i = 0; i < 20000 && !down; ++i) {
    down = true;
    for (unsigned k = 0; k < cfg.links; ++k) down = down && (sim.link_reg(k * 32) & 0x8u) == 0;
  }
  REQUIRE(down);
}

// Runs the started run to its end (the loopback restored meanwhile by the caller).
lpu::RunResult finish(lpu::CoreSim& sim) {
  for (std::uint64_t c = 0; c < kMaxCycles && sim.advance(4096); c += 4096) {
  }
  REQUIRE_FALSE(sim.running());
  return sim.result();
}

std::size_t issues_at(const std::vector<TraceEvent>& trace, std::uint32_t pc) {
  return static_cast<std::size_t>(std::count_if(trace.begin(), trace.end(), [&](const TraceEvent& e) {
    return e.kind == TraceEvent::Kind::issue && e.pc == pc;
  }));
}

std::size_t writes_at(const std::vector<TraceEvent>& trace, std::uint32_t pc) {
  return static_cast<std::size_t>(std::count_if(trace.begin(), trace.end(), [&](const TraceEvent& e) {
    return e.kind == TraceEvent::Kind::sram_write && e.pc == pc;
  }));
}

}  // namespace

// A link that has been up since reset has a partner: while it retrains (here: the loopback
// is cut, the PHY loses sync) send and recv wait instead of raising link_down (docs/isa.md
// "Links"); once the loopback returns the link retrains, the link layer replays what was
// lost, and every word arrives intact (reference: the initial data, plain C++).
TEST_CASE("send and recv on a retraining link wait and the data arrive intact", "[core][link]") {
  constexpr std::uint64_t kWait = 3000;  // cycles run while the links are down
  for (const char* name : kConfigs) {
    const auto& cfg = lpu::config_by_name(name);
    const unsigned n = std::min(16u, cfg.link_tx_depth);
    INFO(name);
    lpu::CoreSim sim(cfg);
    sim.set_link_loopback(true);
    REQUIRE(sim.wait_links_up(kBringUp));
    std::vector<TraceEvent> trace;
    SECTION("a send waits (stall cycles) until the link is up again") {
      // A send of 0 words never waits; the send of n words does.
      const std::vector<std::uint64_t> code = {li(1, 20),        li(2, 100),       send(0, 0, 1, 0),
                                               send(0, 0, 1, n), recv(1, 1, 2, n), halt()};
      load(sim, cfg, code, 1);
      break_links(sim, cfg);
      sim.set_trace([&](const TraceEvent& e) { trace.push_back(e); });
      sim.start();
      REQUIRE(sim.advance(kWait));  // still running: no link_down
      CHECK(issues_at(trace, 2) == 1);
      CHECK(issues_at(trace, 3) == 0);  // the send has not issued
      sim.set_link_loopback(true);
      const auto r = finish(sim);
      sim.set_trace(nullptr);
      REQUIRE(r.ok());
      CHECK(issues_at(trace, 3) == 1);
      CHECK(writes_at(trace, 4) == n);
      CHECK(r.counter(C::instrs) == code.size());
      CHECK(r.counter(C::stall_cycles) >= kWait);
      CHECK(r.counter(C::link_tx) == n);
      CHECK(r.counter(C::link_rx) == n);
      Result res;
      res.banks = read_banks(sim, cfg);
      check_moved(cfg, res, 0, 20, 1, 1, 100, 1, n);
    }
    SECTION("a recv issues and holds the slot; the lost words are replayed") {
      // Run 1 sends n words and ends while they are still on the line; the cut loses them.
      load(sim, cfg, {li(1, 30), send(0, 0, 1, n, 2), halt()}, 1);
      REQUIRE(sim.run(kMaxCycles).ok());
      break_links(sim, cfg);
      // Run 2 receives them while the links are down.
      const std::vector<std::uint64_t> code = {li(2, 200), recv(1, 1, 2, n, -1), halt()};
      sim.load_code(code);
      sim.set_trace([&](const TraceEvent& e) { trace.push_back(e); });
      sim.start();
      REQUIRE(sim.advance(kWait));  // still running: no link_down
      CHECK(issues_at(trace, 1) == 1);  // the recv has issued
      CHECK(writes_at(trace, 1) < n);   // and waits for (some of) its words
      sim.set_link_loopback(true);
      const auto r = finish(sim);
      sim.set_trace(nullptr);
      REQUIRE(r.ok());
      CHECK(writes_at(trace, 1) == n);
      CHECK(r.counter(C::link_rx) == n);
      CHECK(r.counter(C::stall_cycles) >= kWait);
      Result res;
      res.banks = read_banks(sim, cfg);
      check_moved(cfg, res, 0, 30, 2, 1, 200, -1, n);
      for (unsigned k = 0; k < cfg.links; ++k) {
        INFO("link " << k);
        CHECK(sim.link_reg(k * 32 + 1 + 0) >= 1);  // counter 0: retrains
      }
    }
  }
}
