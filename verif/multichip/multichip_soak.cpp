// Multi-chip soak (ctest label "soak", docs/verification.md "Multi-chip"): two base chips at
// +-1000 ppm exchange data over both links of their ring at a bit-error rate of 1e-5, round
// after round, until the links have received LPU_MC_SOAK_FRAMES data frames in total (all
// directions; default 10^6) or LPU_SOAK_SECONDS of wall time (default 600, as make soak passes
// it) are used up; the summary says how far it got. Every round: the received words are exactly the words the
// partner was given, every bit error the channels made is counted by the receivers, nothing
// is dropped. The seed comes from LPU_MC_SOAK_SEED (else LPU_SOAK_SEED, else 1): a failure
// names it, and the same seed repeats the same run bit for bit.
#include "mc_util.hpp"

#include <chrono>
#include <cstdlib>

using namespace lpu;
using namespace lpu::mc;

namespace {

std::uint64_t env_u64(const char* name, std::uint64_t dflt) {
  const char* v = std::getenv(name);
  if (!v || !*v) return dflt;
  return std::strtoull(v, nullptr, 10);
}

}  // namespace

TEST_CASE("two chips exchange data at BER 1e-5: nothing corrupted, every error counted",
          "[multichip][soak]") {
  const std::uint64_t target = env_u64("LPU_MC_SOAK_FRAMES", 1000000);
  const double budget_s = static_cast<double>(env_u64("LPU_SOAK_SECONDS", 600));
  const std::uint64_t seed = env_u64("LPU_MC_SOAK_SEED", env_u64("LPU_SOAK_SEED", 1));
  const Config& cfg = config_by_name("base");
  SystemParams p;
  p.chips = 2;
  p.ppm = {1000, -1000};
  p.channel.ber = 1e-5;
  p.channel.delay_ns = 30;
  p.channel.skew_ns = {0, 20, 5, 45};
  p.channel.seed = seed;
  p.seed = seed;
  System sys(cfg, p);
  MultiTopSim& s = sys.sim();
  const unsigned blocks = static_cast<unsigned>(cfg.bank_depth / 64);  // all of b0 / b1
  const Program prog = exchange_program(cfg, blocks);
  for (unsigned i = 0; i < 2; ++i) sys.dev(i).load(prog);
  INFO("seed " << seed << " (LPU_MC_SOAK_SEED)");
  REQUIRE(s.run_until([&] { return s.all_links_up(); }, 200000));

  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t frames = 0, rounds = 0, cycles = 0;
  double secs = 0;
  while (frames < target && secs < budget_s) {
    std::vector<Tensor> a;
    for (unsigned i = 0; i < 2; ++i) {
      a.push_back(random_i8(blocks * 64, cfg.lanes, seed * 1000003 + rounds * 2 + i));
      sys.dev(i).write_tensor("A", a.back());
    }
    for (unsigned i = 0; i < 2; ++i) sys.dev(i).start();
    const std::uint64_t c0 = s.cycles(0);
    const bool ended = s.run_until(
        [&] { return !s.chip(0).running() && !s.chip(1).running(); },
        blocks * 64 * 4000 + 1000000);
    INFO("round " << rounds << ": " << s.describe());
    REQUIRE(ended);
    cycles += s.cycles(0) - c0;
    for (unsigned i = 0; i < 2; ++i) {
      const auto st = sys.dev(i).status();
      INFO("chip " << i << " error " << static_cast<unsigned>(st.error_code) << " at pc " << st.error_pc);
      REQUIRE(st.error_code == 0);
      const auto got = sys.dev(i).read_tensor("B").as_int32();
      REQUIRE(got == a[1 - i].as_int32());
    }
    frames = 0;
    std::uint64_t counted = 0;
    for (unsigned c = 0; c < 2; ++c) {
      for (unsigned k = 0; k < 2; ++k) {
        const auto e = s.partner(c, k);
        const std::uint64_t made = s.channel(e.chip, e.link).errors();
        const LinkStatus st = sys.link(c, k);
        INFO("chip " << c << " link " << k << ": channel made " << made << "; " << counters_text(st));
        const std::uint64_t det = st.counters[kCodeErr] + st.counters[kDispErr] + st.counters[kSyncLoss];
        REQUIRE(det + 16ull * st.counters[kRetrains] >= made);
        REQUIRE(st.counters[kDrop] == 0);
        frames += st.counters[kRxFrames];
        counted += det;
      }
    }
    ++rounds;
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("soak round %llu: %llu frames, %llu bit errors made, %llu counted, %llu cycles, "
                "%.0f s (%.1f frames/s)\n",
                static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(frames),
                static_cast<unsigned long long>(s.channel_errors()),
                static_cast<unsigned long long>(counted), static_cast<unsigned long long>(cycles),
                secs, frames / secs);
    std::fflush(stdout);
  }
  std::printf("soak summary (seed %llu): %llu of %llu frames in %.0f s, %llu rounds, %llu bit errors "
              "made, all counted; %.1f frames/s, so 10^6 frames take %.1f h\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(frames),
              static_cast<unsigned long long>(target), secs, static_cast<unsigned long long>(rounds),
              static_cast<unsigned long long>(s.channel_errors()), frames / secs,
              1e6 / (frames / secs) / 3600.0);
  CHECK(s.channel_errors() > 0);
}
