// lpu_bench_link: the chip-to-chip link's data link layer figures (make bench; docs/link.md
// "Framing", "Recovery policy and determinism"), measured on two lpu_link_dl models joined
// by the symbol-level channel at the real PHY's column rate (10 * Osr core cycles a column),
// for the data link layer's own test shapes (FrameWords 32 on 16 lanes / 4 link lanes). The
// figures of the whole link in the configurations' shapes (link.goodput_ratio,
// link.latency_cycles) come from lpu_bench_link_top (verif/link/top/).
//
//   link.dl_goodput_ratio        payload bits delivered / raw line bits (10 line bits per
//                                symbol, every lane, every cycle of the measurement window),
//                                one direction saturated, Lanes 16 on LinkLanes 4,
//                                times the PHY's clock-compensation factor
//   link.dl_goodput_ratio_bidir  the same with both directions saturated (ACK frames share
//                                the line with data)
//   link.dl_goodput_ratio_tiny   Lanes 4 on LinkLanes 2, FrameWords 128; and _bidir
//   link.dl_latency_cycles       a one-word message, core write to far-end core read, no
//                                errors, column tick aligned (Lanes 16 on LinkLanes 4); the PHY
//                                pipeline term D is the one below
//   link.dl_latency_cycles_max   the same with the longest wait for a column tick
//   link.dl_latency_cycles_tiny  Lanes 4 on LinkLanes 2
//   link.undetected_errors       words delivered that differ from the words sent, in an
//                                error-injection run (flagged, silent and K-flip corruption,
//                                dropped columns, cuts): must be 0
//   link.injection_frames        data frames delivered in that run
//   link.injection_errors        errors the receivers counted in that run
//
// PHY terms (docs/link.md "Clock compensation and deskew"): the PHY sends one SKP column
// after every SkipInterval columns (the goodput is multiplied by SkipInterval /
// (SkipInterval + 1)), and its pipeline adds D cycles between the end of a column on the line
// and col_rx_valid at the far end (not included in the latency figures).
#include "dl_models.hpp"
#include "dl_pair.hpp"

#include <cstdio>
#include <exception>
#include <string>

using namespace lpu::verif;
using namespace lpu::verif::link;

namespace {

// PHY figures until the benchmark runs on the PHY itself (docs/link.md): lpu_link_phy's
// default SkipInterval (CMakeLists.txt reads it from the PHY's source; 0: unknown, no
// overhead counted), and the PHY pipeline beyond the line time, D, left out (0) here: the
// latency figures are the data link layer's part of the documented formula.
constexpr unsigned kSkipInterval = LPU_DL_PHY_SKIP_INTERVAL;
constexpr unsigned kPhyDelay = 0;

void emit(const std::string& name, double value, const char* unit) {
  std::printf("{\"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n", name.c_str(), value,
              unit);
  std::fflush(stdout);
}

double skip_factor() {
  return kSkipInterval == 0 ? 1.0 : double(kSkipInterval) / double(kSkipInterval + 1);
}

template <class T>
double goodput(bool bidir, std::uint64_t words) {
  const unsigned period = 10 * T::osr;
  PairConfig c;
  c.lanes = T::lanes;
  c.link_lanes = T::link_lanes;
  c.period = period;
  c.delay = kPhyDelay;
  c.phase_ba = period / 2;
  DlPair<typename T::Model> p(c, std::string("bench.") + T::id, 1);
  p.a().words = words;
  p.b().words = bidir ? words : 0;
  p.b().record_times = true;
  p.run_until_done(words * T::lanes * period * 4 + 1'000'000);
  // Window: from the delivery of the first frame's last word to the last word, so that the
  // start-up (first frame on the line) does not count.
  const auto& d = p.b().deliver_cycle;
  const std::uint64_t i0 = T::frame_words - 1;
  const std::uint64_t cycles = d.back() - d[i0];
  const double payload_bits = double(d.size() - 1 - i0) * T::lanes * 8;
  const double line_bits = double(cycles) * T::link_lanes / T::osr;  // 1 bit / Osr cycles
  return payload_bits / line_bits * skip_factor();
}

template <class T>
std::uint64_t latency_one_word(unsigned wait) {
  const unsigned period = 10 * T::osr;
  PairConfig c;
  c.lanes = T::lanes;
  c.link_lanes = T::link_lanes;
  c.period = period;
  c.delay = kPhyDelay;
  DlPair<typename T::Model> p(c, std::string("bench.") + T::id, 2);
  p.a().record_times = true;
  p.b().record_times = true;
  p.run(400);
  while ((p.now() + T::link_lanes + 1) % period != (period - wait) % period) p.cycle();
  p.a().words = 1;
  p.run_until_done(1'000'000);
  return p.b().deliver_cycle[0] - p.a().accept_cycle[0];
}

// Returns the number of undetected corruptions (words delivered that differ from the words
// sent), which must be 0.
std::uint64_t injection() {
  std::uint64_t frames = 0, errors = 0, undetected = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    PairConfig c;
    c.lanes = T_w4l3::lanes;
    c.link_lanes = T_w4l3::link_lanes;
    c.period = 3;
    c.delay = 5;
    c.phase_ba = 1;
    c.err_ab = ChannelErrors{0.004, 0.004, 0.001};
    c.err_ba = c.err_ab;
    c.cut_rate = 1.0 / 300'000;
    DlPair<T_w4l3::Model> p(c, "bench.inject", seed);
    p.set_fail_fast(false);
    p.a().words = 60'000;
    p.b().words = 60'000;
    p.run_until_done(50'000'000, 100);
    const DlCounters ca = p.counters_a(), cb = p.counters_b();
    frames += ca.rx_frames + cb.rx_frames;
    errors += ca.errors() + cb.errors();
    undetected += p.mismatches();
  }
  emit("link.undetected_errors", double(undetected), "words");
  emit("link.injection_frames", double(frames), "frames");
  emit("link.injection_errors", double(errors), "errors");
  return undetected;
}

}  // namespace

int main() {
  try {
    emit("link.dl_goodput_ratio", goodput<T_w16l4>(false, 2000), "ratio");
    emit("link.dl_goodput_ratio_bidir", goodput<T_w16l4>(true, 2000), "ratio");
    emit("link.dl_goodput_ratio_tiny", goodput<T_w4l2>(false, 8000), "ratio");
    emit("link.dl_goodput_ratio_tiny_bidir", goodput<T_w4l2>(true, 8000), "ratio");
    emit("link.dl_latency_cycles", double(latency_one_word<T_w16l4>(0)), "cycles");
    emit("link.dl_latency_cycles_max", double(latency_one_word<T_w16l4>(10 * T_w16l4::osr - 1)),
         "cycles");
    emit("link.dl_latency_cycles_tiny", double(latency_one_word<T_w4l2>(0)), "cycles");
    if (injection() != 0) {
      std::fprintf(stderr, "lpu_bench_link: corrupted words were delivered\n");
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpu_bench_link: %s\n", e.what());
    return 1;
  }
  return 0;
}
