// make bench: the multi-chip Verilator system (MultiTopSim, docs/verification.md
// "Multi-chip"): bring-up time of all links of 2- and 4-chip rings of each configuration at
// +-1000 ppm, and the simulation speed (chip 0's cycles per second of wall time and of CPU
// time, idle links after bring-up; a loaded link costs about the same).
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>

#include "lpu/config.hpp"
#include "lpu/error.hpp"
#include "multi_top_sim.hpp"

namespace {

void emit(const std::string& name, double value, const char* unit) {
  std::printf("{\"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n", name.c_str(), value, unit);
}

void bench(const char* cfg_name, unsigned chips) {
  const lpu::Config& cfg = lpu::config_by_name(cfg_name);
  lpu::sim::SystemParams p;
  p.chips = chips;
  p.ppm.clear();
  for (unsigned i = 0; i < chips; ++i) p.ppm.push_back(i % 2 ? -1000.0 : 1000.0 - 300.0 * i);
  lpu::sim::MultiTopSim s(cfg, p);
  const std::uint64_t col = 10ull * cfg.link_osr;
  if (!s.run_until([&] { return s.all_links_up(); }, 1000 * col)) {
    throw lpu::Error(std::string("bench: links not up: ") + s.describe());
  }
  const std::string tag = std::string(cfg_name) + "_x" + std::to_string(chips);
  emit("multichip.bringup_columns." + tag, static_cast<double>(s.cycles(0)) / col, "column times");
  const std::uint64_t n = cfg.name == "base" ? 20000 / chips : 100000 / chips;
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  s.run_cycles(n);
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  emit("multichip.sim_cycles_per_s." + tag, static_cast<double>(n) / secs, "cycles/s");
  // Per second of this process's CPU time: what a machine with a free core would see.
  emit("multichip.sim_cycles_per_cpu_s." + tag, static_cast<double>(n) / cpu, "cycles/s");
}

}  // namespace

int main() {
  try {
    for (const char* c : {"tiny", "base"}) {
      for (unsigned n : {2u, 4u}) bench(c, n);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpu_bench_multichip: %s\n", e.what());
    return 1;
  }
  return 0;
}
