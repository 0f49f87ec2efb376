// lpu_bench_link_top: the chip-to-chip link's figures end to end (make bench; docs/link.md
// "Recovery policy and determinism", "Framing"), measured on two lpu_link models (PHY + data
// link layer, each configuration's shape) joined by the bit-level channel model, 0 ppm, no
// channel delay, random clock phase.
//
//   link.latency_cycles            one word on an idle link, core write (tx accepted) to
//                                  far-end core read (rx delivered), config base, mean of 40
//   link.latency_cycles_min/_max   the smallest and largest of those
//   link.latency_cycles_tiny[_min/_max]   the same for config tiny
//   link.cycles_per_word[_tiny]    sustained, one direction loaded (ISA: link_word_cycles)
//   link.cycles_per_word[_tiny]_bidir     both directions loaded (ACK frames share the line)
//   link.message_cycles[_tiny]     a message of 4 frames' worth of words written back to back
//                                  (one `send`), first word written to last word read
//   link.message_cycles[_tiny]_one_error  the same with one line bit error in its first frame
//                                  (replay)
//   link.goodput_ratio[_tiny][_bidir]     delivered payload bits / raw line bits (8b/10b caps
//                                  it at 0.8), from the sustained rates
//   link.e2e_bit_errors            bit errors injected at BER 1e-4 (both directions, base)
//   link.e2e_undetected_errors     words delivered corrupted, lost or twice in that run: 0
#include "top_models.hpp"
#include "top_pair.hpp"
#include "top_scenarios.hpp"

#include <cstdio>
#include <exception>
#include <string>

using namespace lpu::verif::link;
using namespace lpu::verif::link::top;

namespace {

void emit(const std::string& name, double value, const char* unit) {
  std::printf("{\"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n", name.c_str(), value,
              unit);
  std::fflush(stdout);
}

double goodput(const Shape& s, double words_per_cycle) {
  return words_per_cycle * s.lanes * 8 / (double(s.link_lanes) / s.osr);  // line bits/cycle
}

template <class T>
void figures(const std::string& suffix, std::uint64_t words, std::uint64_t seed) {
  const Shape s = shape_of(T::id);
  const Figures f = measure<T>(40, words, seed);
  emit("link.latency_cycles" + suffix, f.lat_mean, "cycles");
  emit("link.latency_cycles" + suffix + "_min", f.lat_min, "cycles");
  emit("link.latency_cycles" + suffix + "_max", f.lat_max, "cycles");
  emit("link.cycles_per_word" + suffix, 1.0 / f.words_per_cycle, "cycles");
  emit("link.cycles_per_word" + suffix + "_bidir", 1.0 / f.words_per_cycle_bidir, "cycles");
  emit("link.message_cycles" + suffix, f.msg_lat[1], "cycles");
  emit("link.message_cycles" + suffix + "_one_error", f.msg_err_lat, "cycles");
  emit("link.goodput_ratio" + suffix, goodput(s, f.words_per_cycle), "ratio");
  emit("link.goodput_ratio" + suffix + "_bidir", goodput(s, f.words_per_cycle_bidir), "ratio");
}

}  // namespace

int main() {
  try {
    figures<T_base>("", 3000, 1);
    figures<T_tiny>("_tiny", 3000, 2);
    // bit_errors throws if a word is delivered corrupted, lost or twice, or an error is not
    // counted: reaching the emit means 0.
    const ErrorRun r = bit_errors<T_base>(kScenarios[1], 1e-4, 2'000'000, 3);
    emit("link.e2e_bit_errors", double(r.bit_errors), "errors");
    emit("link.e2e_undetected_errors", 0.0, "words");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpu_bench_link_top: %s\n", e.what());
    return 1;
  }
  return 0;
}
