// lpu_link end to end (docs/link.md): two chips' links, each on its own clock (up to +-1000
// ppm), joined by the bit-level channel model. The reference is the list of words each
// core's source made: every word must come out of the other core exactly once, in order and
// bit-exact (top_pair.hpp checks each delivery); the counters are checked against what the
// channel did; bounds and rates are those docs/link.md states.
#include "top_models.hpp"
#include "top_pair.hpp"
#include "top_scenarios.hpp"

#include <catch2/catch.hpp>

#include <cstdio>

using namespace lpu::verif::link;
using namespace lpu::verif::link::top;

namespace {

// Clean traffic after bring-up: no error of any kind is counted.
template <class T>
void require_clean(End<T>& e) {
  INFO(e.name() << " counters:" << e.counters());
  for (unsigned i : {kRetrains, kCodeErr, kDispErr, kEbErr, kDeskewErr, kTsMismatch, kSyncLoss,
                     kTxNaks, kRxNaks, kReplays, kTimeouts, kAckErr, kCrcErr, kFrameErr,
                     kSeqErr, kDup, kDrop}) {
    CHECK(e.cnt(i) == 0);
  }
  CHECK(e.cnt(kLinkUp) == 1);
}

template <class T>
void clean_both_ways(const Scenario& sc, std::uint64_t words) {
  const Shape s = shape_of(T::id);
  Pair<T> p(s, config(s, sc, 10));
  INFO(sc.name);
  const std::uint64_t cols = bring_up(p, sc);
  std::printf("link_top %s [%s]: link up after %llu column times (bound %llu)\n", T::id, sc.name,
              static_cast<unsigned long long>(cols),
              static_cast<unsigned long long>(bringup_bound(sc)));
  p.a().words = words;  // saturated
  p.b().words = words / 2;
  p.b().burst_max = 3 * s.frame_words / 2 + 1;  // messages, as `send` gives them
  p.b().gap_max = 40 * s.column_cycles();
  p.a().rx_ready_p = 0.6;
  REQUIRE(drain(p, words * 400 + 20000));
  INFO(p.status());
  CHECK(p.mismatches() == 0);
  CHECK(p.b().delivered == words);
  CHECK(p.a().delivered == words / 2);
  require_clean(p.a());
  require_clean(p.b());
  // Frames: the saturated side fills them (all full but the last few).
  CHECK(p.a().cnt(kTxFrames) == p.b().cnt(kRxFrames));
  CHECK(p.b().cnt(kTxFrames) == p.a().cnt(kRxFrames));
  CHECK(p.a().cnt(kTxFrames) <= words / s.frame_words + 4);
}

}  // namespace

TEST_CASE("base: link up within the bound and words both ways exactly once", "[link_top]") {
  clean_both_ways<T_base>(kScenarios[1], 600);
  clean_both_ways<T_base>(kScenarios[2], 300);
}

TEST_CASE("tiny: link up within the bound and words both ways exactly once", "[link_top]") {
  clean_both_ways<T_tiny>(kScenarios[3], 600);
  clean_both_ways<T_tiny>(kScenarios[0], 200);
}

TEST_CASE("random bit errors: no corrupted word delivered and every error counted", "[link_top]") {
  {
    const ErrorRun r = bit_errors<T_base>(kScenarios[1], 1e-4, 1'000'000, 20);
    CHECK(r.dl_errors > 0);
    CHECK(r.replays > 0);
  }
  {
    const ErrorRun r = bit_errors<T_tiny>(kScenarios[3], 1e-4, 2'000'000, 21);
    CHECK(r.dl_errors > 0);
    CHECK(r.replays > 0);
  }
  // The rate of issue 5's soak, briefly (a handful of errors; make soak runs it long).
  bit_errors<T_base>(kScenarios[2], 1e-5, 2'000'000, 22);
}

TEST_CASE("error bursts and bit slips and cuts: exact delivery after retraining", "[link_top]") {
  impairments<T_base>(kScenarios[1], 1, 30);
  impairments<T_tiny>(kScenarios[3], 1, 31);
}

TEST_CASE("slow reader with saturated traffic: every word once, no drop, no replay",
          "[link_top]") {
  slow_reader<T_base>(kScenarios[1], 0.0, false, 12, 50);
  slow_reader<T_tiny>(kScenarios[3], 0.0, false, 6, 51);
}

TEST_CASE("slow reader under bit errors and a cut: credits survive, nothing dropped",
          "[link_top]") {
  const SlowRun rb = slow_reader<T_base>(kScenarios[2], 1e-4, true, 12, 52);
  CHECK(rb.dl_errors > 0);
  const SlowRun rt = slow_reader<T_tiny>(kScenarios[1], 1e-4, true, 6, 53);
  CHECK(rt.dl_errors > 0);
}

TEST_CASE("nominal latency and sustained rate against the ISA model", "[link_top]") {
  for (const bool tiny : {false, true}) {
    const Figures f = tiny ? measure<T_tiny>(20, 3000, 40) : measure<T_base>(20, 1500, 41);
    const Shape s = shape_of(tiny ? "tiny" : "base");
    print_figures(s, f);
    // docs/link.md "Recovery policy and determinism": one word, idle link, no errors.
    const LatencyBound b = latency_bound(s);
    CHECK(f.lat_min >= b.lo);
    CHECK(f.lat_max <= b.hi);
    for (unsigned k = 0; k < 2; ++k) {
      const LatencyBound m = latency_bound(s, f.msg_words[k]);
      INFO("message of " << f.msg_words[k] << " words");
      CHECK(f.msg_min[k] >= m.lo);
      CHECK(f.msg_max[k] <= m.hi);
    }
    // docs/link.md "Framing": sustained words per cycle = full frames and SKP overhead.
    CHECK(f.words_per_cycle > 0.99 * s.words_per_cycle());
    CHECK(f.words_per_cycle < 1.01 * s.words_per_cycle());
    CHECK(f.words_per_cycle_bidir > 0.99 * s.words_per_cycle_bidir());
    CHECK(f.words_per_cycle_bidir < 1.01 * s.words_per_cycle_bidir());
  }
}
