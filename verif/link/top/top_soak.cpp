// lpu_link end to end, long runs (make soak, ctest label "soak"): both configurations' links
// at a line bit-error rate of 1e-5 with both directions loaded and the two clocks up to 2000
// ppm apart, and repeated error bursts, bit slips and cuts. Every word must arrive exactly
// once, in order and bit-exact, and every bit error must be counted (top_scenarios.hpp); a
// slow reader under errors and cuts must never cause a dropped frame (credit flow control).
//
// LPU_SOAK_SECONDS (set by scripts/soak.sh), if given, is the time budget of each test case:
// segments go on until it is spent (at least the minimum below); without it each test case
// runs its minimum (about a minute).
#include "top_models.hpp"
#include "top_pair.hpp"
#include "top_scenarios.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace lpu::verif::link;
using namespace lpu::verif::link::top;

namespace {

std::uint64_t env_u64(const char* name, std::uint64_t dflt) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::strtoull(v, nullptr, 0) : dflt;
}

class Budget {
 public:
  Budget() : seconds_(env_u64("LPU_SOAK_SECONDS", 0)), start_(std::chrono::steady_clock::now()) {}
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  // Go on while the minimum is not reached or, with a budget, until it is spent.
  bool more(unsigned done, unsigned min) const {
    if (done < min) return true;
    return seconds_ != 0 && elapsed() < static_cast<double>(seconds_);
  }

 private:
  std::uint64_t seconds_;
  std::chrono::steady_clock::time_point start_;
};

// +-1000 ppm both ways round, with delay and skew.
const Scenario kSoak[] = {
    {"+1000/-1000 ppm", 1000, -1000, 5.0, 2.0, 0},
    {"-1000/+1000 ppm", -1000, 1000, 2.5, 1.0, 0},
};

}  // namespace

TEST_CASE("soak: BER 1e-5 both ways at +-1000 ppm with zero corrupted words", "[soak]") {
  const Budget budget;
  ErrorRun total;
  std::uint64_t seed = env_u64("LPU_SEED", 1) * 1000;
  unsigned k = 0;
  for (; budget.more(k, 8); ++k) {
    const Scenario& sc = kSoak[(k / 2) % 2];
    const ErrorRun r = (k % 2 == 0) ? bit_errors<T_base>(sc, 1e-5, 4'000'000, ++seed)
                                    : bit_errors<T_tiny>(sc, 1e-5, 4'000'000, ++seed);
    total.bits += r.bits;
    total.bit_errors += r.bit_errors;
    total.phy_detected += r.phy_detected;
    total.retrains += r.retrains;
    total.dl_errors += r.dl_errors;
    total.replays += r.replays;
    total.frames += r.frames;
    total.words += r.words;
  }
  std::printf("link_top soak total: %u segments, %llu line bits, %llu bit errors, PHY counted "
              "%llu, DL counted %llu bad frames, %llu replays, %llu retrains, %llu frames and "
              "%llu words delivered, 0 corrupted, %.0f s\n",
              k, static_cast<unsigned long long>(total.bits),
              static_cast<unsigned long long>(total.bit_errors),
              static_cast<unsigned long long>(total.phy_detected),
              static_cast<unsigned long long>(total.dl_errors),
              static_cast<unsigned long long>(total.replays),
              static_cast<unsigned long long>(total.retrains),
              static_cast<unsigned long long>(total.frames),
              static_cast<unsigned long long>(total.words), budget.elapsed());
  CHECK(total.bit_errors > 100);
  CHECK(total.dl_errors > 0);
  CHECK(total.replays > 0);
}

TEST_CASE("soak: repeated error bursts and bit slips and cuts", "[soak]") {
  const Budget budget;
  std::uint64_t seed = env_u64("LPU_SEED", 1) * 1000 + 500;
  unsigned k = 0, events = 0;
  for (; budget.more(k, 4); ++k) {
    const Scenario& sc = kSoak[(k / 2) % 2];
    const ImpairRun r = (k % 2 == 0) ? impairments<T_base>(sc, 6, ++seed)
                                     : impairments<T_tiny>(sc, 6, ++seed);
    events += r.events;
  }
  std::printf("link_top soak impairments: %u runs, %u events, 0 corrupted, %.0f s\n", k, events,
              budget.elapsed());
  CHECK(events >= 4 * 30);
}

TEST_CASE("soak: slow reader under BER 1e-5 and cuts, nothing dropped", "[soak]") {
  const Budget budget;
  std::uint64_t seed = env_u64("LPU_SEED", 1) * 1000 + 700;
  unsigned k = 0;
  std::uint64_t words = 0, replays = 0;
  for (; budget.more(k, 4); ++k) {
    const Scenario& sc = kSoak[(k / 2) % 2];
    const SlowRun r = (k % 2 == 0) ? slow_reader<T_base>(sc, 1e-5, true, 36, ++seed)
                                   : slow_reader<T_tiny>(sc, 1e-5, true, 18, ++seed);
    words += r.words;
    replays += r.replays;
  }
  std::printf("link_top soak slow reader: %u runs, %llu words to the slow reader, %llu replays, "
              "0 dropped, 0 corrupted, %.0f s\n",
              k, static_cast<unsigned long long>(words),
              static_cast<unsigned long long>(replays), budget.elapsed());
  CHECK(words > 0);
}
