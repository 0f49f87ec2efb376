// Golden-model benchmark: runs the 256x256x256 GEMM example (examples/gemm/gemm_256.s) on
// the base configuration and prints JSON lines (one metric per line):
//   {"name": "golden.cycles_per_s", "value": ...}           simulated cycles per second
//   {"name": "golden.gemm_256.mxu_utilization", "value": ...}  mxu_busy / cycles
//   {"name": "golden.gemm_256.cycles", "value": ...}
// Usage: lpu_bench_golden [REPEATS]   (default 3; the fastest run counts)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "example_util.hpp"
#include "lpu/error.hpp"
#include "lpu/npy.hpp"

int main(int argc, char** argv) {
  try {
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    const lpu::Config& cfg = lpu::config_by_name("base");
    auto ex = lpu::examples::run_example("gemm/gemm_256.s", cfg,
                                         {{"A", "gemm/gemm_256_a.npy"}, {"B", "gemm/gemm_256_b.npy"}});
    if (!ex.result.ok()) {
      std::fprintf(stderr, "lpu_bench_golden: gemm_256 failed: %s at pc %u, cycle %llu\n",
                   std::string(lpu::error_name(ex.result.error)).c_str(), ex.result.error_pc,
                   static_cast<unsigned long long>(ex.result.error_cycle));
      return 1;
    }
    double best = 1e30;
    lpu::RunResult r;
    for (int i = 0; i < repeats; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      r = ex.device->run();
      const auto t1 = std::chrono::steady_clock::now();
      best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
    }
    const double cycles = static_cast<double>(r.cycles);
    std::printf("{\"name\": \"golden.cycles_per_s\", \"value\": %.0f, \"unit\": \"cycles/s\"}\n", cycles / best);
    std::printf("{\"name\": \"golden.gemm_256.mxu_utilization\", \"value\": %.4f, \"unit\": \"ratio\"}\n",
                static_cast<double>(r.counter(lpu::gen::Counter::mxu_busy)) / cycles);
    std::printf("{\"name\": \"golden.gemm_256.cycles\", \"value\": %llu, \"unit\": \"cycles\"}\n", static_cast<unsigned long long>(r.cycles));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpu_bench_golden: %s\n", e.what());
    return 1;
  }
}
