// Whole programs through frames on lpu_top (the `sim` device's models, lpu_top_sim): write the
// code and the data, RUN, poll STATUS, read the results and the counters; compare with the
// golden model run directly (cycles, counters, errors) and with plain C++ loops (outputs).
// Over the side door (base) and over the bit-accurate UART (tiny at 12 Mbaud, both-edge
// sampling; base at 3 Mbaud). Also: BUSY while running, live STATUS/COUNTERS, ABORT, RESET.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "lpu/assembler.hpp"
#include "lpu/config.hpp"
#include "lpu/golden.hpp"
#include "lpu/link_status.hpp"
#include "lpu/protocol.hpp"
#include "top_sim.hpp"
#include "vec_mm_program.hpp"

namespace {

using lpu::proto::Cmd;
using lpu::proto::Frame;
using lpu::proto::MemSpace;

// A minimal host: one request, wait for its response (decoded by the protocol's decoder).
class Host {
 public:
  explicit Host(lpu::sim::TopSim& sim) : sim_(sim) {}

  Frame call(Cmd cmd, const std::vector<std::uint8_t>& payload, std::uint64_t max_cycles = 0) {
    Frame req;
    req.cmd = static_cast<std::uint8_t>(cmd);
    req.seq = seq_++;
    req.payload = payload;
    const auto bytes = lpu::proto::encode_frame(req);
    const std::uint64_t per_byte = sim_.uart() ? 10ull * sim_.clks_per_bit() + 2 : 2;
    if (max_cycles == 0) max_cycles = (bytes.size() + 4200) * per_byte + 20000;
    const std::uint64_t t0 = sim_.cycle();
    sim_.send(bytes);
    const std::uint64_t chunk = sim_.uart() ? 64 : 16;
    while (sim_.cycle() - t0 < max_cycles) {
      sim_.step(chunk);
      auto& rx = sim_.received();
      if (rx.empty()) continue;
      std::vector<std::uint8_t> got(rx.begin(), rx.end());
      rx.clear();
      for (auto& ev : dec_.feed(got.data(), got.size())) {
        REQUIRE(ev.kind == lpu::proto::FrameDecoder::Event::Kind::frame);
        REQUIRE(ev.frame.cmd == (req.cmd | 0x80));
        REQUIRE(ev.frame.seq == req.seq);
        last_cycles = sim_.cycle() - t0;
        return ev.frame;
      }
    }
    FAIL(std::string(lpu::proto::cmd_name(req.cmd)) << ": no response within " << max_cycles
                                                    << " cycles");
    return {};
  }

  std::vector<std::uint8_t> ok(Cmd cmd, const std::vector<std::uint8_t>& payload = {}) {
    const Frame r = call(cmd, payload);
    if (r.status != 0) {
      FAIL(lpu::proto::describe_error(r.cmd & 0x7f, static_cast<lpu::proto::Status>(r.status),
                                      lpu::proto::ErrorPayload::decode(r.payload)));
    }
    return r.payload;
  }

  void write(MemSpace s, std::uint32_t bank, std::uint32_t addr, const std::vector<std::uint8_t>& d,
             std::size_t chunk = 4096) {
    const std::size_t unit = lpu::proto::mem_unit_bytes(s, sim_.config());
    for (std::size_t off = 0; off < d.size(); off += chunk) {
      lpu::proto::MemRequest m;
      m.space = s;
      m.bank = static_cast<std::uint8_t>(bank);
      m.addr = addr + static_cast<std::uint32_t>(off / unit);
      m.data.assign(d.begin() + static_cast<long>(off),
                    d.begin() + static_cast<long>(std::min(d.size(), off + chunk)));
      ok(Cmd::write_mem, m.encode_write());
    }
  }

  std::vector<std::uint8_t> read(MemSpace s, std::uint32_t bank, std::uint32_t addr, std::size_t n) {
    const std::size_t unit = lpu::proto::mem_unit_bytes(s, sim_.config());
    std::vector<std::uint8_t> out;
    for (std::size_t off = 0; off < n; off += 4096) {
      lpu::proto::MemRequest m;
      m.space = s;
      m.bank = static_cast<std::uint8_t>(bank);
      m.addr = addr + static_cast<std::uint32_t>(off / unit);
      m.nbytes = static_cast<std::uint32_t>(std::min<std::size_t>(4096, n - off));
      const auto d = ok(Cmd::read_mem, m.encode_read());
      REQUIRE(d.size() == m.nbytes);
      out.insert(out.end(), d.begin(), d.end());
    }
    return out;
  }

  void load_code(const std::vector<std::uint64_t>& code) {
    std::vector<std::uint8_t> b;
    for (auto w : code) lpu::proto::put_u64(b, w);
    write(MemSpace::imem, 0, 0, b);
    std::vector<std::uint8_t> n;
    lpu::proto::put_u32(n, static_cast<std::uint32_t>(code.size()));
    ok(Cmd::set_program_len, n);
  }

  lpu::proto::StatusPayload status() { return lpu::proto::StatusPayload::decode(ok(Cmd::status)); }

  // RUN, then STATUS until the chip is not running.
  lpu::proto::StatusPayload run() {
    ok(Cmd::run);
    for (int i = 0; i < 100000; ++i) {
      const auto st = status();
      if (st.state != lpu::proto::ChipState::running) return st;
      sim_.step(sim_.uart() ? 2000 : 5000);
    }
    FAIL("the run did not end");
    return {};
  }

  std::uint64_t last_cycles = 0;

 private:
  lpu::sim::TopSim& sim_;
  lpu::proto::FrameDecoder dec_;
  std::uint8_t seq_ = 0;
};

std::vector<std::uint8_t> random_bytes(std::size_t n, std::mt19937& rng) {
  std::vector<std::uint8_t> v(n);
  for (auto& x : v) x = static_cast<std::uint8_t>(rng());
  return v;
}

// The program end to end: through frames on `sim` and directly on the golden model.
void program_end_to_end(lpu::sim::TopSim& sim, unsigned rows, unsigned seed) {
  const lpu::Config& cfg = sim.config();
  const unsigned L = cfg.lanes;
  const lpu::Program p = lpu::assemble(lpu::test::vec_mm_program(cfg, rows, rows, 8, false), "e2e.s", cfg);
  std::mt19937 rng(seed);
  const auto a = random_bytes(rows * L, rng), b = random_bytes(rows * L, rng);
  const auto x = random_bytes(8 * L, rng), w = random_bytes(L * L, rng);

  // Plain-loop reference of the outputs.
  std::vector<std::uint8_t> y_ref(rows * L);
  for (std::size_t i = 0; i < y_ref.size(); ++i) {
    const int s = static_cast<std::int8_t>(a[i]) + static_cast<std::int8_t>(b[i]);
    y_ref[i] = static_cast<std::uint8_t>(static_cast<std::int8_t>(s < -128 ? -128 : s > 127 ? 127 : s));
  }
  std::vector<std::uint8_t> z_ref;
  for (unsigned i = 0; i < 8; ++i) {
    for (unsigned j = 0; j < L; ++j) {
      std::int32_t acc = 0;
      for (unsigned k = 0; k < L; ++k)
        acc += static_cast<std::int8_t>(x[i * L + k]) * static_cast<std::int8_t>(w[k * L + j]);
      lpu::proto::put_u32(z_ref, static_cast<std::uint32_t>(acc));
    }
  }

  // Golden model, directly.
  lpu::GoldenModel gm(cfg);
  gm.load_code(p.code);
  gm.write_mem(lpu::Space::sram, 0, 0, a);
  gm.write_mem(lpu::Space::sram, 1, 0, b);
  gm.write_mem(lpu::Space::sram, 0, 64, x);
  gm.write_mem(lpu::Space::sram, 1, 128, w);
  const lpu::RunResult want = gm.run();
  REQUIRE(want.ok());
  REQUIRE(gm.read_mem(lpu::Space::sram, 1, rows, y_ref.size()) == y_ref);

  // Through frames.
  Host h(sim);
  const auto info = lpu::proto::InfoPayload::decode(h.ok(Cmd::info));
  CHECK(&info.check_config() == &cfg);
  CHECK(info.clock_hz == sim.params().clk_hz);
  h.load_code(p.code);
  h.write(MemSpace::sram, 0, 0, a);
  h.write(MemSpace::sram, 1, 0, b);
  h.write(MemSpace::sram, 0, 64, x);
  h.write(MemSpace::sram, 1, 128, w);
  CHECK(h.read(MemSpace::imem, 0, 0, p.code.size() * 8).size() == p.code.size() * 8);
  const auto st = h.run();
  CHECK(st.state == lpu::proto::ChipState::done);
  CHECK(st.error_code == 0);
  CHECK(st.cycles == want.cycles);
  CHECK(st.program_len == p.code.size());
  CHECK(st.runs == 1);
  CHECK(lpu::proto::decode_counters(h.ok(Cmd::counters)) == want.counters);
  CHECK(h.read(MemSpace::sram, 1, rows, y_ref.size()) == y_ref);
  CHECK(h.read(MemSpace::acc, 0, 0, z_ref.size()) == z_ref);
}

}  // namespace

TEST_CASE("e2e: a program through frames on base (side door) matches the golden model", "[e2e]") {
  auto sim = lpu::sim::TopSim::open(lpu::config_by_name("base"));
  program_end_to_end(*sim, 64, 11);
}

TEST_CASE("e2e: a program through frames on tiny over the bit-accurate 12 Mbaud UART", "[e2e]") {
  auto sim = lpu::sim::TopSim::open(lpu::config_by_name("tiny"));
  REQUIRE(sim->params().ddr);
  REQUIRE(sim->clks_per_bit() == 2);
  sim->set_uart(true);
  sim->set_line_skew(-8000, 0.37);  // the host's bit clock 0.8 % slow, edges between clock edges
  program_end_to_end(*sim, 32, 12);
  CHECK(sim->framing_errors() == 0);
}

TEST_CASE("e2e: base over the bit-accurate 3 Mbaud UART", "[e2e]") {
  auto sim = lpu::sim::TopSim::open(lpu::config_by_name("base"));
  sim->set_uart(true);
  sim->set_line_skew(5000, 0.5);
  Host h(*sim);
  const auto info = lpu::proto::InfoPayload::decode(h.ok(Cmd::info));
  CHECK(info.lanes == 16);
  CHECK((info.features & lpu::proto::kFeatEmulated) != 0);
  std::mt19937 rng(5);
  const auto d = random_bytes(512, rng);
  h.write(MemSpace::sram, 3, 990, d);
  CHECK(h.read(MemSpace::sram, 3, 990, d.size()) == d);
  // A damaged request gets BAD_CRC over the UART too.
  Frame f;
  f.cmd = static_cast<std::uint8_t>(Cmd::status);
  f.seq = 200;
  auto bytes = lpu::proto::encode_frame(f);
  bytes.back() ^= 0x10;
  sim->send(bytes);
  REQUIRE(sim->run_until_idle(100 * 10 * sim->clks_per_bit()));
  std::vector<std::uint8_t> got(sim->received().begin(), sim->received().end());
  lpu::proto::FrameDecoder dec;
  const auto evs = dec.feed(got.data(), got.size());
  REQUIRE(evs.size() == 1);
  CHECK(evs[0].frame.status == static_cast<std::uint8_t>(lpu::proto::Status::bad_crc));
  CHECK(evs[0].frame.seq == 200);
  CHECK(sim->framing_errors() == 0);
}

TEST_CASE("e2e: BUSY while running, live STATUS and COUNTERS, ABORT, errors, RESET", "[e2e]") {
  const lpu::Config& cfg = lpu::config_by_name("base");
  auto sim = lpu::sim::TopSim::open(cfg);
  Host h(*sim);
  const auto longp = lpu::assemble("loop 1000 {\n  nop 65536\n}\nhalt\n", "long.s", cfg);
  h.load_code(longp.code);
  h.ok(Cmd::run);
  auto st = h.status();
  REQUIRE(st.state == lpu::proto::ChipState::running);
  CHECK(st.error_code == 0);
  CHECK(st.runs == 1);
  // The LED pins follow the state (running_o, done_o, error_o).
  auto pins = [&](bool running, bool done, bool error) {
    CHECK(sim->out().running == running);
    CHECK(sim->out().done == done);
    CHECK(sim->out().error == error);
  };
  pins(true, false, false);
  const std::uint64_t c1 = st.cycles;
  // Memory, program length and RUN are refused with BUSY (command, cmd, state running).
  auto busy = [&](Cmd c, const std::vector<std::uint8_t>& p) {
    const Frame r = h.call(c, p);
    CHECK(r.status == static_cast<std::uint8_t>(lpu::proto::Status::busy));
    const auto e = lpu::proto::ErrorPayload::decode(r.payload);
    CHECK(e.field == lpu::proto::ErrField::command);
    CHECK(e.value == static_cast<std::uint32_t>(c));
    CHECK(e.limit == 1);
  };
  lpu::proto::MemRequest m;
  m.data.assign(16, 1);
  busy(Cmd::write_mem, m.encode_write());
  m.nbytes = 16;
  busy(Cmd::read_mem, m.encode_read());
  busy(Cmd::set_program_len, {1, 0, 0, 0});
  busy(Cmd::run, {});
  // Counters are live; INFO is answered.
  const auto cnt = lpu::proto::decode_counters(h.ok(Cmd::counters));
  CHECK(cnt[0] > c1);
  CHECK(lpu::proto::InfoPayload::decode(h.ok(Cmd::info)).lanes == cfg.lanes);
  // LINK_STATUS is answered while running (the links are down: nothing is connected).
  const auto links = lpu::proto::decode_link_status(h.ok(Cmd::link_status));
  REQUIRE(links.size() == cfg.links);
  for (const auto& l : links) CHECK_FALSE(l.up);
  CHECK(lpu::proto::StatusPayload::decode(h.ok(Cmd::status)).state ==
        lpu::proto::ChipState::running);
  h.ok(Cmd::abort);
  st = h.status();
  CHECK(st.state == lpu::proto::ChipState::error);
  CHECK(st.error_code == static_cast<std::uint8_t>(lpu::ErrorCode::aborted));
  pins(false, true, true);
  CHECK(st.error_cycle < 1000ull * 65536);
  CHECK(st.error_cycle > c1);

  // A program error: code, pc and cycle as the golden model says.
  const auto errp = lpu::assemble("li r1, 5000\nnop 3\nvld v1, b3[r1]\nhalt\n", "err.s", cfg);
  lpu::GoldenModel gm(cfg);
  gm.load_code(errp.code);
  const auto want = gm.run();
  REQUIRE(want.error == lpu::ErrorCode::sram_addr);
  h.load_code(errp.code);
  st = h.run();
  CHECK(st.state == lpu::proto::ChipState::error);
  CHECK(st.error_code == static_cast<std::uint8_t>(want.error));
  CHECK(st.error_pc == want.error_pc);
  CHECK(st.error_cycle == want.error_cycle);
  CHECK(st.cycles == want.cycles);
  CHECK(st.runs == 2);
  // An empty program stops at once with pc_overrun.
  h.ok(Cmd::set_program_len, {0, 0, 0, 0});
  st = h.run();
  CHECK(st.error_code == static_cast<std::uint8_t>(lpu::ErrorCode::pc_overrun));
  pins(false, true, true);
  // A run that halts: done without error.
  h.load_code(lpu::assemble("nop 5\nhalt\n", "ok.s", cfg).code);
  st = h.run();
  CHECK(st.state == lpu::proto::ChipState::done);
  pins(false, true, false);

  // RESET: idle, no program, no runs, no error.
  h.ok(Cmd::reset);
  st = h.status();
  CHECK(st.state == lpu::proto::ChipState::idle);
  CHECK(st.program_len == 0);
  CHECK(st.runs == 0);
  CHECK(st.error_code == 0);
  CHECK(st.cycles == 0);
  pins(false, false, false);
}

TEST_CASE("e2e: LINK_STATUS of a lone chip: every link down, never up, counters only grow",
          "[e2e]") {
  for (const char* name : {"tiny", "base"}) {
    const lpu::Config& cfg = lpu::config_by_name(name);
    INFO(name);
    auto sim = lpu::sim::TopSim::open(cfg);
    Host h(*sim);
    const auto info = lpu::proto::InfoPayload::decode(h.ok(Cmd::info));
    CHECK(info.proto_minor == 1);
    CHECK((info.features & lpu::proto::kFeatLinkStatus) != 0);
    const auto a = lpu::proto::decode_link_status(h.ok(Cmd::link_status));
    // Past a training timeout (1024 column times of 10 * link_osr cycles) and then some.
    sim->step(3ull * 1024 * 10 * cfg.link_osr);
    const auto b = lpu::proto::decode_link_status(h.ok(Cmd::link_status));
    REQUIRE(a.size() == cfg.links);
    REQUIRE(b.size() == cfg.links);
    const auto& names = lpu::link_counter_names();
    for (unsigned k = 0; k < cfg.links; ++k) {
      INFO("link " << k);
      for (const auto* l : {&a[k], &b[k]}) {
        CHECK_FALSE(l->up);
        CHECK(l->state != lpu::kLinkStateUp);
        CHECK(l->counters[lpu::kLinkCntLinkUp] == 0);  // never came up
        CHECK(l->counters[17] == 0);                   // rx_frames
        CHECK(l->counters[22] == 0);                   // drop
      }
      for (unsigned i = 0; i < lpu::kLinkCounters; ++i) {
        INFO(names[i]);
        CHECK(b[k].counters[i] >= a[k].counters[i]);
      }
      CHECK(b[k].counters[0] > a[k].counters[0]);  // retrains: the training timed out
    }
  }
}
