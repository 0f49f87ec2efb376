// lpu_link_dl soak (make soak, ctest label "soak"): at least 10^6 data frames through channels
// that flag, silently corrupt (data bits and K flags) and drop columns, and cut the link, with
// both directions loaded. Every word must arrive exactly once, in order and bit-exact (zero
// undetected corruption), and the receivers must count errors.
//
// Line bit-error rates per segment: 1e-4 (about 3% of the small frames hit) and 1e-5 (the
// rate of issue 5's system soak). LPU_SOAK_SECONDS (set by scripts/soak.sh), if given, is the
// time budget: segments go on until it is spent and at least 10^6 frames have passed; without
// it the test stops at 10^6 frames.
#include "dl_models.hpp"
#include "dl_pair.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>

using namespace lpu::verif;
using namespace lpu::verif::link;

namespace {

struct Totals {
  std::uint64_t frames = 0, words = 0, errors = 0, events = 0, cycles = 0, cuts = 0;
};

// One segment: `words` words each way at line bit-error rate `ber`.
template <class T>
void segment(unsigned period, double ber, std::uint64_t words, std::uint64_t seed, Totals& t) {
  // An event per column with probability (bits per column) * ber: half of them flagged by the
  // PHY, 40% silent, 10% dropped columns.
  const double p = 10.0 * T::link_lanes * ber;
  PairConfig c;
  c.lanes = T::lanes;
  c.link_lanes = T::link_lanes;
  c.period = period;
  c.delay = 4 + static_cast<unsigned>(seed % 13);
  c.phase_ab = 0;
  c.phase_ba = static_cast<unsigned>(seed % period);
  c.err_ab = ChannelErrors{0.5 * p, 0.4 * p, 0.1 * p};
  c.err_ba = c.err_ab;
  c.cut_rate = 1.0 / 2'000'000;
  c.cut_down = 300;
  DlPair<typename T::Model> pr(c, std::string("soak.") + T::id, seed);
  pr.a().words = words;
  pr.b().words = words;
  pr.b().burst_max = 3 * T::frame_words;
  pr.b().gap_max = 8;
  pr.run_until_done(words * 400, 200);
  const DlCounters ca = pr.counters_a(), cb = pr.counters_b();
  const ChannelStats& sab = pr.ab().stats();
  const ChannelStats& sba = pr.ba().stats();
  const std::uint64_t ev = sab.flagged + sab.silent + sab.dropped + sba.flagged + sba.silent +
                           sba.dropped;
  INFO("a: " << ca.str() << "\nb: " << cb.str());
  REQUIRE(pr.mismatches() == 0);
  REQUIRE(pr.a().delivered == words);
  REQUIRE(pr.b().delivered == words);
  if (ev > 0) REQUIRE(ca.errors() + cb.errors() > 0);
  REQUIRE(ca.drop + cb.drop == 0);  // credit flow control: an expected frame always fits
  t.frames += ca.rx_frames + cb.rx_frames;
  t.words += 2 * words;
  t.errors += ca.errors() + cb.errors();
  t.events += ev;
  t.cycles += pr.now();
  t.cuts += pr.cuts();
  std::printf("soak %s seed %llu ber %.0e: %llu frames, %llu error events, %llu counted "
              "(crc %llu frame %llu), replays %llu, timeouts %llu, cuts %llu, 0 undetected\n",
              T::id, static_cast<unsigned long long>(seed), ber,
              static_cast<unsigned long long>(ca.rx_frames + cb.rx_frames),
              static_cast<unsigned long long>(ev),
              static_cast<unsigned long long>(ca.errors() + cb.errors()),
              static_cast<unsigned long long>(ca.crc_err + cb.crc_err),
              static_cast<unsigned long long>(ca.frame_err + cb.frame_err),
              static_cast<unsigned long long>(ca.replays + cb.replays),
              static_cast<unsigned long long>(ca.timeouts + cb.timeouts),
              static_cast<unsigned long long>(pr.cuts()));
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("soak: 10^6 frames through errors and cuts, zero undetected corruption", "[soak]") {
  const std::uint64_t budget_s = env_u64("LPU_SOAK_SECONDS", 0);
  const std::uint64_t min_frames = 1'000'000;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  Totals t;
  std::uint64_t seed = env_u64("LPU_SEED", 1) * 1000;
  for (unsigned k = 0;; ++k) {
    const bool enough = t.frames >= min_frames;
    if (enough && (budget_s == 0 || elapsed() >= static_cast<double>(budget_s))) break;
    if (budget_s != 0 && elapsed() >= static_cast<double>(budget_s)) break;
    const double ber = (k % 2 == 0) ? 1e-4 : 1e-5;
    if (k % 3 == 2) {
      segment<T_w8l1>(2, ber, 60'000, ++seed, t);
    } else {
      segment<T_w4l3>(3, ber, 200'000, ++seed, t);
    }
  }
  std::printf("soak total: %llu frames, %llu words, %llu error events, %llu errors counted, "
              "%llu cuts, %llu cycles, %.0f s, 0 undetected\n",
              static_cast<unsigned long long>(t.frames), static_cast<unsigned long long>(t.words),
              static_cast<unsigned long long>(t.events), static_cast<unsigned long long>(t.errors),
              static_cast<unsigned long long>(t.cuts), static_cast<unsigned long long>(t.cycles),
              elapsed());
  CHECK(t.errors > 0);
  if (budget_s == 0 || t.frames >= min_frames) {
    CHECK(t.frames >= min_frames);
  } else {
    WARN("LPU_SOAK_SECONDS=" << budget_s << " ran out after " << t.frames << " frames");
  }
}
