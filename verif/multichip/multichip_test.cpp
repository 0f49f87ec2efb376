// Multi-chip tests (docs/verification.md "Multi-chip"): 2 and 4 lpu_top chips on their own
// clocks (up to +-1000 ppm apart), ring-wired by bit-level channels (MultiTopSim). Link-up
// within the documented bound; a cut link retrains and the traffic resumes; bit errors at
// 1e-5 never corrupt delivered data and are all counted; the split MLP on two chips gives
// the single-chip golden model's bits; a 4-chip ring program equals GoldenSystem.
//
// References are independent of the RTL: the words the test wrote (exchange), plain loops
// (ring), the golden model (MLP, ring), the channel model's own error count (counters).
#include "mc_util.hpp"

#include <chrono>

#include "lpu/golden.hpp"
#include "lpu/npy.hpp"

using namespace lpu;
using namespace lpu::mc;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct UpCase {
  const char* cfg;
  unsigned chips;
  std::vector<double> ppm;
  double delay_ns;
  std::vector<double> skew_ns;
  std::uint64_t seed;
};

// Every joined link of every chip comes up within the bound, once, and stays up.
void link_up_case(const UpCase& c) {
  const Config& cfg = config_by_name(c.cfg);
  SystemParams p;
  p.chips = c.chips;
  p.ppm = c.ppm;
  p.channel.delay_ns = c.delay_ns;
  p.channel.skew_ns = c.skew_ns;
  p.seed = c.seed;
  MultiTopSim s(cfg, p);
  double skew = 0;
  for (double k : c.skew_ns) skew = std::max(skew, k);
  std::uint64_t bound = 0;
  for (unsigned i = 0; i < s.chips(); ++i) {
    bound = std::max(bound, bringup_bound_cycles(s, i, c.delay_ns + skew));
  }
  const auto t0 = Clock::now();
  const bool up = s.run_until([&] { return s.all_links_up(); }, 3 * bound);
  const double secs = seconds_since(t0);
  INFO(s.describe());
  REQUIRE(up);
  std::uint64_t worst = 0;
  for (unsigned i = 0; i < s.chips(); ++i) {
    INFO("chip " << i);
    CHECK(s.cycles(i) <= bringup_bound_cycles(s, i, c.delay_ns + skew));
    worst = std::max(worst, s.cycles(i));
  }
  const double col = 10.0 * cfg.link_osr;
  std::printf("multichip %s x%u (delay %.0f ns, skew up to %.0f ns): all links up after %llu cycles "
              "= %.1f column times (bound %.1f); %.0f system cycles/s\n",
              c.cfg, c.chips, c.delay_ns, skew, static_cast<unsigned long long>(worst),
              worst / col, static_cast<double>(bringup_bound_cycles(s, 0, c.delay_ns + skew)) / col,
              static_cast<double>(s.cycles(0)) / secs);
  // It stays up: 100 more column times, no link goes down, each came up once.
  s.run_cycles(static_cast<std::uint64_t>(100 * col));
  for (unsigned i = 0; i < s.chips(); ++i) {
    for (unsigned k = 0; k < s.links(); ++k) {
      if (!s.joined(i, k)) continue;
      INFO("chip " << i << " link " << k);
      CHECK(s.link_up(i, k));
      CHECK(s.up_events(i, k) == 1);
      CHECK(s.down_events(i, k) == 0);
    }
  }
}

// Links up, start every chip, run to the end.
void start_all(System& sys) {
  INFO(sys.sim().describe());
  REQUIRE(sys.sim().run_until([&] { return sys.sim().all_links_up(); }, 200000));
  for (unsigned i = 0; i < sys.chips(); ++i) sys.dev(i).start();
}

std::vector<RunResult> finish_all(System& sys, std::uint64_t max_cycles) {
  MultiTopSim& s = sys.sim();
  const bool ended = s.run_until(
      [&] {
        for (unsigned i = 0; i < s.chips(); ++i) {
          if (s.chip(i).running()) return false;
        }
        return true;
      },
      max_cycles);
  if (!ended) {
    // Name how the chips that stopped ended (the others still wait).
    std::ostringstream os;
    for (unsigned i = 0; i < s.chips(); ++i) {
      if (s.chip(i).running()) continue;
      const auto st = sys.dev(i).status();
      os << "chip " << i << " stopped: "
         << error_name(static_cast<ErrorCode>(st.error_code)) << " at pc " << st.error_pc
         << " cycle " << st.error_cycle << "; ";
    }
    INFO(os.str());
    INFO(s.describe());
    REQUIRE(ended);
  }
  std::vector<RunResult> res;
  for (unsigned i = 0; i < s.chips(); ++i) {
    const auto st = sys.dev(i).status();
    RunResult r;
    r.error = static_cast<ErrorCode>(st.error_code);
    r.error_pc = st.error_pc;
    r.error_cycle = st.error_cycle;
    r.cycles = st.cycles;
    r.counters = sys.dev(i).counters();
    res.push_back(r);
  }
  return res;
}

void require_ok(const std::vector<RunResult>& res) {
  for (std::size_t i = 0; i < res.size(); ++i) {
    INFO("chip " << i << ": " << error_name(res[i].error) << " at pc " << res[i].error_pc
                 << " cycle " << res[i].error_cycle);
    REQUIRE(res[i].ok());
  }
}

// Two chips exchanging blocks x 64 words both ways (both links of the 2-chip ring carry
// data); the data each chip received must be exactly what the other was given.
struct Exchange {
  std::vector<Tensor> a;
  explicit Exchange(System& sys, unsigned blocks, std::uint64_t seed) {
    const Config& cfg = sys.sim().config();
    const Program prog = exchange_program(cfg, blocks);
    for (unsigned i = 0; i < 2; ++i) {
      sys.dev(i).load(prog);
      a.push_back(random_i8(blocks * 64, cfg.lanes, seed * 7 + i));
      sys.dev(i).write_tensor("A", a.back());
    }
  }
  void check(System& sys) {
    for (unsigned i = 0; i < 2; ++i) {
      INFO("chip " << i << " received from chip " << (1 - i));
      const auto got = sys.dev(i).read_tensor("B").as_int32();
      const auto want = a[1 - i].as_int32();
      REQUIRE(got.size() == want.size());
      std::size_t bad = 0, first = got.size();
      for (std::size_t k = 0; k < got.size(); ++k) {
        if (got[k] != want[k]) {
          ++bad;
          first = std::min(first, k);
        }
      }
      INFO("first difference at element " << first);
      CHECK(bad == 0);
    }
  }
};

// Every bit error the channel made on the direction into (chip, link) is counted by the
// receiver: code + disparity errors + sync losses (a retrain may swallow up to 16 more), as
// in verif/link/top; none is counted on a clean line. Frames are never dropped.
void check_counted(System& sys, unsigned chip, unsigned link, std::uint64_t* counted = nullptr) {
  MultiTopSim& s = sys.sim();
  const auto e = s.partner(chip, link);
  const std::uint64_t made = s.channel(e.chip, e.link).errors();
  const LinkStatus st = sys.link(chip, link);
  INFO("chip " << chip << " link " << link << ": channel made " << made << " bit errors; "
               << counters_text(st));
  REQUIRE(st.counters.size() == kLinkCounters);
  const std::uint64_t det = st.counters[kCodeErr] + st.counters[kDispErr] + st.counters[kSyncLoss];
  if (made > 0) {
    CHECK(det + 16ull * st.counters[kRetrains] >= made);
  } else {
    CHECK(det == 0);
    CHECK(st.counters[kCrcErr] + st.counters[kFrameErr] == 0);
  }
  CHECK(st.counters[kDrop] == 0);
  if (counted) *counted += det;
}

}  // namespace

TEST_CASE("2 and 4 chips: every link up within the documented bound (+-1000 ppm, delay, skew)",
          "[multichip]") {
  link_up_case({"tiny", 2, {1000, -1000}, 20, {}, 1});
  link_up_case({"tiny", 4, {-1000, 1000, -350, 700}, 20000, {}, 2});
  link_up_case({"base", 2, {-1000, 1000}, 20, {0, 15, 60, 120}, 3});
  link_up_case({"base", 4, {1000, -1000, 0, 500}, 4000, {40, 0, 700, 90}, 4});
}

TEST_CASE("a cut link goes down, retrains after it is restored, and the traffic resumes, also after bit slips",
          "[multichip]") {
  const Config& cfg = config_by_name("tiny");
  const unsigned L = cfg.lanes, n = cfg.link_tx_depth;
  SystemParams p;
  p.chips = 2;
  p.ppm = {1000, -1000};
  p.seed = 11;
  System sys(cfg, p);
  MultiTopSim& s = sys.sim();
  const std::uint64_t col = 10ull * cfg.link_osr;
  // Phase 1: words in flight when the line is cut. Chip 0 sends a TX buffer's worth on link 0
  // and halts; chip 1's recv on link 1 waits through the cut (send and recv check the link
  // only at issue, docs/isa.md "Links"), and gets every word once the link is back.
  std::ostringstream p0, p1;
  p0 << ".config tiny\n.input A, b0[0], shape=(" << n << ", " << L << ")\n"
     << "    send 0, b0[r0], " << n << "\n    halt\n";
  p1 << ".config tiny\n.output B, b1[0], shape=(" << n << ", " << L << ")\n"
     << "    recv 1, b1[r0], " << n << "\n    halt\n";
  sys.dev(0).load(assemble(p0.str(), "cut0.s", cfg));
  sys.dev(1).load(assemble(p1.str(), "cut1.s", cfg));
  const Tensor a = random_i8(n, L, 1111);
  sys.dev(0).write_tensor("A", a);
  start_all(sys);
  s.run_cycles(60 * col);  // the first frame is on the line
  // Cut chip 0 link 0 <-> chip 1 link 1 for longer than the training timeout (1024 column
  // times, docs/link.md "Training").
  s.cut(0, 0, true);
  REQUIRE(s.run_until([&] { return !s.link_up(0, 0) && !s.link_up(1, 1); }, 400 * col));
  s.run_cycles(1300 * col);
  CHECK(!s.link_up(0, 0));
  CHECK(s.chip(1).running());  // still waiting
  s.cut(0, 0, false);
  const std::uint64_t t_back = s.cycles(0);
  // Back within one training timeout plus the bring-up bound (docs/link.md).
  const std::uint64_t bound = 1024 * col + bringup_bound_cycles(s, 0, p.channel.delay_ns);
  REQUIRE(s.run_until([&] { return s.link_up(0, 0) && s.link_up(1, 1); }, bound));
  std::printf("multichip tiny x2: link back %llu cycles = %.1f column times after the cut ended "
              "(bound %.1f)\n",
              static_cast<unsigned long long>(s.cycles(0) - t_back),
              static_cast<double>(s.cycles(0) - t_back) / col, static_cast<double>(bound) / col);
  const auto res1 = finish_all(sys, n * 400 + 100000);
  require_ok(res1);
  CHECK(sys.dev(1).read_tensor("B").as_int32() == a.as_int32());
  CHECK(res1[1].counter(gen::Counter::link_rx) == n);
  // The other link never noticed.
  CHECK(s.down_events(1, 0) == 0);
  CHECK(s.down_events(0, 1) == 0);
  // Both ends of the cut link retrained; nothing was dropped.
  for (auto [c, k] : {std::pair<unsigned, unsigned>{0, 0}, {1, 1}}) {
    const LinkStatus st = sys.link(c, k);
    INFO("chip " << c << " link " << k << ": " << counters_text(st));
    REQUIRE(st.counters.size() == kLinkCounters);
    CHECK(st.up);
    CHECK(st.counters[kRetrains] >= 1);
    CHECK(st.counters[kLinkUp] >= 2);
    CHECK(st.counters[kDrop] == 0);
  }
  // Phase 2: bit slips on the same line while words are in flight (a repeated bit, then a
  // deleted one): loss of sync and retraining each time, every word still arrives once.
  const LinkStatus before = sys.link(1, 1);
  sys.dev(0).load(assemble(p0.str(), "cut0.s", cfg));
  sys.dev(1).load(assemble(p1.str(), "cut1.s", cfg));
  const Tensor a2 = random_i8(n, L, 2222);
  sys.dev(0).write_tensor("A", a2);
  start_all(sys);
  s.run_cycles(60 * col);
  s.channel(0, 0).slip(0, +1);
  s.run_cycles(60 * col);
  s.channel(0, 0).slip(0, -1);
  const auto res2 = finish_all(sys, n * 400 + 200000);
  require_ok(res2);
  CHECK(sys.dev(1).read_tensor("B").as_int32() == a2.as_int32());
  {
    const LinkStatus st = sys.link(1, 1);
    INFO("chip 1 link 1: " << counters_text(st));
    CHECK(st.counters[kSyncLoss] + st.counters[kRetrains] >
          before.counters[kSyncLoss] + before.counters[kRetrains]);
    CHECK(st.counters[kDrop] == 0);
  }
  // Phase 3: new traffic both ways on both links after the retraining.
  Exchange ex(sys, 3, 12);
  start_all(sys);
  const auto res3 = finish_all(sys, 3 * 64 * 400 + 100000);
  require_ok(res3);
  ex.check(sys);
}

TEST_CASE("bit errors at 1e-5: nothing corrupted is delivered and every error is counted",
          "[multichip]") {
  const Config& cfg = config_by_name("base");
  SystemParams p;
  p.chips = 2;
  p.ppm = {-700, 900};
  p.channel.ber = 1e-5;
  p.channel.seed = 5;
  p.seed = 12;
  System sys(cfg, p);
  const unsigned blocks = 16;  // 1024 words each way, 64 frames per direction
  Exchange ex(sys, blocks, 12);
  start_all(sys);
  const auto t0 = Clock::now();
  const auto res = finish_all(sys, blocks * 64 * 2000 + 500000);
  const double secs = seconds_since(t0);
  require_ok(res);
  ex.check(sys);
  MultiTopSim& s = sys.sim();
  std::uint64_t counted = 0, frames = 0;
  for (unsigned c = 0; c < 2; ++c) {
    for (unsigned k = 0; k < 2; ++k) {
      check_counted(sys, c, k, &counted);
      frames += sys.link(c, k).counters[kRxFrames];
    }
  }
  std::printf("multichip base x2 at BER 1e-5: %llu bits, %llu bit errors, %llu counted, %llu frames "
              "received, %llu cycles in %.1f s (%.0f system cycles/s)\n",
              static_cast<unsigned long long>(s.channel_bits()),
              static_cast<unsigned long long>(s.channel_errors()),
              static_cast<unsigned long long>(counted), static_cast<unsigned long long>(frames),
              static_cast<unsigned long long>(res[0].cycles), secs,
              static_cast<double>(res[0].cycles) / secs);
  CHECK(s.channel_errors() > 0);
}

TEST_CASE("the MLP split over two chips gives the single-chip golden model's bits",
          "[multichip]") {
  const Config& cfg = config_by_name("base");
  const std::string ex = LPU_MC_EXAMPLES_DIR;
  auto npy = [&](const char* f) { return read_npy(ex + "/mlp/" + f); };
  SystemParams p;
  p.chips = 2;
  p.ppm = {1000, -1000};
  p.channel.delay_ns = 50;
  p.seed = 13;
  System sys(cfg, p);
  sys.dev(0).load(assemble_file(std::string(LPU_MC_SPLIT_DIR) + "/mlp_chip0.s", cfg));
  sys.dev(1).load(assemble_file(std::string(LPU_MC_SPLIT_DIR) + "/mlp_chip1.s", cfg));
  sys.dev(0).write_tensor("X", npy("x.npy"));
  sys.dev(0).write_tensor("W1", npy("w1.npy"));
  sys.dev(0).write_tensor("B1", npy("b1.npy"));
  sys.dev(1).write_tensor("W2", npy("w2.npy"));
  sys.dev(1).write_tensor("B2", npy("b2.npy"));
  start_all(sys);
  const auto t0 = Clock::now();
  const auto res = finish_all(sys, 2000000);
  const double secs = seconds_since(t0);
  require_ok(res);

  // The single-chip program on the golden model.
  auto one = open_golden_device(cfg);
  one->load(assemble_file(ex + "/mlp/mlp.s", cfg));
  for (const char* t : {"X", "W1", "B1", "W2", "B2"}) {
    std::string f = t;
    for (auto& ch : f) ch = static_cast<char>(std::tolower(ch));
    one->write_tensor(t, npy((f + ".npy").c_str()));
  }
  REQUIRE(one->run().ok());
  const auto y_one = one->read_tensor("Y").as_int32();
  const auto h_one = one->read_tensor("H").as_int32();
  CHECK(sys.dev(1).read_tensor("Y").as_int32() == y_one);
  CHECK(sys.dev(1).read_tensor("H").as_int32() == h_one);
  CHECK(sys.dev(0).read_tensor("H").as_int32() == h_one);
  CHECK(res[0].counter(gen::Counter::link_tx) == 256);
  CHECK(res[1].counter(gen::Counter::link_rx) == 256);
  std::printf("multichip base x2 split MLP: chip 0 %llu cycles, chip 1 %llu cycles; %.1f s "
              "(%.0f system cycles/s)\n",
              static_cast<unsigned long long>(res[0].cycles),
              static_cast<unsigned long long>(res[1].cycles), secs,
              static_cast<double>(res[1].cycles) / secs);
}

TEST_CASE("a 4-chip ring program equals GoldenSystem and plain loops", "[multichip]") {
  const Config& cfg = config_by_name("tiny");
  const unsigned n = 16, chips = 4;
  // Chip 0 sends X forward; chip i adds 10*i to every element and passes it on; chip 0
  // receives the result from the last chip. Every chip keeps what it sent in Y.
  SystemProgram sp;
  for (unsigned i = 0; i < chips; ++i) {
    std::ostringstream s;
    s << ".config tiny\n";
    if (i == 0) {
      s << ".input X, b0[0], shape=(" << n << ", 4)\n"
        << ".output Y, b1[0], shape=(" << n << ", 4)\n"
        << "    send 0, b0[r0], " << n << "\n"
        << "    recv 1, b1[r0], " << n << "\n"
        << "    halt\n";
    } else {
      s << ".output Y, b1[0], shape=(" << n << ", 4)\n"
        << "    recv 1, b0[r0], " << n << "\n"
        << "    li r1, 0\n"
        << "    li r2, 0\n"
        << "loop " << n << " {\n"
        << "    vld v0, b0[r1], inc=1\n"
        << "    nop 8\n"
        << "    vadd v1, v0, " << 10 * i << "\n"
        << "    nop 8\n"
        << "    vst v1, b1[r2], inc=1\n"
        << "    nop 8\n"
        << "}\n"
        << "    send 0, b1[r0], " << n << "\n"
        << "    nop 64\n"
        << "    halt\n";
    }
    sp.chips.push_back(assemble(s.str(), "ring" + std::to_string(i) + ".s", cfg));
  }
  const Tensor x = random_i8(n, 4, 77, -60, 60);

  auto gold = open_golden_system(cfg, chips);
  gold->load(sp);
  gold->chip(0).write_tensor("X", x);
  const auto gres = gold->run();
  for (const auto& r : gres) REQUIRE(r.ok());

  SystemParams p;
  p.chips = chips;
  p.ppm = {-1000, 400, 1000, -300};
  p.channel.delay_ns = 100;
  p.seed = 14;
  System sys(cfg, p);
  for (unsigned i = 0; i < chips; ++i) sys.dev(i).load(sp.chips[i]);
  sys.dev(0).write_tensor("X", x);
  start_all(sys);
  const auto res = finish_all(sys, 400000);
  require_ok(res);
  std::printf("multichip tiny x4 ring: chip cycles %llu %llu %llu %llu (golden system %llu %llu %llu "
              "%llu)\n",
              static_cast<unsigned long long>(res[0].cycles), static_cast<unsigned long long>(res[1].cycles),
              static_cast<unsigned long long>(res[2].cycles), static_cast<unsigned long long>(res[3].cycles),
              static_cast<unsigned long long>(gres[0].cycles), static_cast<unsigned long long>(gres[1].cycles),
              static_cast<unsigned long long>(gres[2].cycles), static_cast<unsigned long long>(gres[3].cycles));
  for (unsigned i = 0; i < chips; ++i) {
    CHECK(res[i].counter(gen::Counter::link_tx) == n);
    CHECK(res[i].counter(gen::Counter::link_rx) == n);
  }

  const auto xv = x.as_int32();
  for (unsigned i = 0; i < chips; ++i) {
    INFO("chip " << i);
    const auto y = sys.dev(i).read_tensor("Y").as_int32();
    CHECK(y == gold->chip(i).read_tensor("Y").as_int32());
    // Plain loop: chip i's Y is X plus 10 * (1 + .. + i), chip 0's the full sum 60.
    const int add = i == 0 ? 60 : 5 * static_cast<int>(i * (i + 1));
    std::vector<std::int32_t> want(xv.size());
    for (std::size_t k = 0; k < xv.size(); ++k) want[k] = xv[k] + add;
    CHECK(y == want);
  }
}

// A send issued while its link retrains waits like a send waiting for TX room; it does not
// raise link_down, which means "no partner" (a link never up since reset, docs/isa.md
// "Links"): a cut or a loss of sync costs time, never the run (docs/link.md "Recovery policy
// and determinism").
TEST_CASE("a send issued while its link retrains waits for the link and the exchange completes",
          "[multichip]") {
  const Config& cfg = config_by_name("tiny");
  SystemParams p;
  p.chips = 2;
  p.ppm = {1000, -1000};
  p.seed = 15;
  System sys(cfg, p);
  MultiTopSim& s = sys.sim();
  const std::uint64_t col = 10ull * cfg.link_osr;
  Exchange ex(sys, 3, 15);
  start_all(sys);
  s.run_cycles(100 * col);
  // Chip 0's recv (from chip 1, on the other link) completes during the cut, and its next
  // send on the cut link issues while that link is down.
  s.cut(0, 0, true);
  s.run_cycles(1300 * col);
  CHECK(!s.link_up(0, 0));
  CHECK(s.chip(0).running());  // waiting, not stopped by link_down
  s.cut(0, 0, false);
  const auto res = finish_all(sys, 3 * 64 * 400 + 200000);
  require_ok(res);
  ex.check(sys);
  const LinkStatus st = sys.link(0, 0);
  INFO("chip 0 link 0: " << counters_text(st));
  CHECK(st.counters[kRetrains] >= 1);
  CHECK(st.counters[kDrop] == 0);
}
