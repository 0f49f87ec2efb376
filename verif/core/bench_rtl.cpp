// lpu_bench_rtl: the RTL core (Verilator model of lpu_core, lpu::CoreSim) on the GEMM
// examples, against the golden model. JSON lines, one metric each:
//
//   rtl.base.cycles_per_s                    simulated clock cycles per second of CPU time of
//                                            lpu_core base running gemm_256 (one thread, no
//                                            tracing; the fastest of the repeats counts). CPU
//                                            time, not wall time: on a shared machine the wall
//                                            clock measures the neighbours.
//   rtl.base.cycles_per_s_wall               the same per wall-clock second
//   rtl.<cfg>.<gemm>.mxu_utilization         mxu_busy / cycles, counters read from the RTL
//   rtl.<cfg>.<gemm>.cycles_predicted        the golden model's cycle count
//   rtl.<cfg>.<gemm>.cycles_measured         the RTL's cycle count
//   rtl.tiny.cycles_per_s[_wall]             the same speed figures for tiny (gemm_32)
//
// <cfg>.<gemm> is base.gemm_256 and tiny.gemm_32. The run fails (exit 1) when the RTL ends
// in an error, or its outputs, cycles or counters differ from the golden model's: a figure
// from a wrong run is worth nothing.
//
// Usage: lpu_bench_rtl [MIN_SECONDS]   (default 2: base repeats gemm_256 until this much wall
// time has been spent, at least twice)
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "core_sim.hpp"
#include "lpu/assembler.hpp"
#include "lpu/error.hpp"
#include "lpu/golden.hpp"
#include "lpu/npy.hpp"
#include "lpu/program.hpp"

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void emit(const std::string& name, double value, const char* unit) {
  std::printf("{\"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

std::string example(const std::string& rel) { return std::string(LPU_EXAMPLES_DIR) + "/" + rel; }

const lpu::Symbol& symbol(const lpu::Program& p, const std::string& name) {
  for (const auto& s : p.symbols) {
    if (s.name == name) return s;
  }
  throw lpu::Error("bench: the program has no symbol '" + name + "'");
}

// Writes tensor `t` to symbol `name` of `p` on any model with write_mem (CoreSim, GoldenModel).
template <class M>
void write_tensor(M& m, const lpu::Program& p, const lpu::Config& cfg, const std::string& name, const lpu::Tensor& t) {
  const auto& s = symbol(p, name);
  if (t.bytes.size() != s.bytes()) throw lpu::Error("bench: " + name + " has the wrong size");
  for (const auto& pc : lpu::symbol_pieces(s, cfg)) {
    const auto first = t.bytes.begin() + static_cast<std::ptrdiff_t>(pc.offset);
    m.write_mem(pc.space, pc.bank, pc.addr, std::vector<std::uint8_t>(first, first + static_cast<std::ptrdiff_t>(pc.size)));
  }
}

template <class M>
std::vector<std::uint8_t> read_symbol(M& m, const lpu::Program& p, const lpu::Config& cfg, const std::string& name) {
  const auto& s = symbol(p, name);
  std::vector<std::uint8_t> out(s.bytes());
  for (const auto& pc : lpu::symbol_pieces(s, cfg)) {
    const auto b = m.read_mem(pc.space, pc.bank, pc.addr, pc.size);
    std::copy(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(pc.size), out.begin() + static_cast<std::ptrdiff_t>(pc.offset));
  }
  return out;
}

struct Gemm {
  const char* config;
  const char* name;  // examples/gemm/<name>.s, <name>_a.npy, <name>_b.npy
};

// One GEMM on the golden model and on the RTL (repeated for the speed figure); emits the
// figures and throws lpu::Error when the RTL disagrees with the golden model.
void bench_gemm(const Gemm& g, double min_seconds) {
  const lpu::Config& cfg = lpu::config_by_name(g.config);
  const std::string stem = std::string("gemm/") + g.name;
  const lpu::Program prog = lpu::assemble_file(example(stem + ".s"), cfg);
  const std::map<std::string, lpu::Tensor> inputs = {{"A", lpu::read_npy(example(stem + "_a.npy"))},
                                                     {"B", lpu::read_npy(example(stem + "_b.npy"))}};

  lpu::GoldenModel gold(cfg);
  gold.load(prog);
  for (const auto& [n, t] : inputs) write_tensor(gold, prog, cfg, n, t);
  const lpu::RunResult want = gold.run();
  if (!want.ok()) throw lpu::Error(stem + ": the golden model stopped with " + std::string(lpu::error_name(want.error)));
  const auto want_c = read_symbol(gold, prog, cfg, "C");

  lpu::CoreSim rtl(cfg);
  double best = 1e30, best_wall = 1e30;
  double spent = 0;
  lpu::RunResult got;
  for (int rep = 0; rep < 2 || spent < min_seconds; ++rep) {
    rtl.reset();
    rtl.load(prog);
    for (const auto& [n, t] : inputs) write_tensor(rtl, prog, cfg, n, t);
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    got = rtl.run();
    const double cpu = cpu_seconds() - c0;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, cpu);
    best_wall = std::min(best_wall, wall);
    spent += wall;
    if (!got.ok()) throw lpu::Error(stem + ": the RTL stopped with " + std::string(lpu::error_name(got.error)));
    if (rep == 0 && read_symbol(rtl, prog, cfg, "C") != want_c) {
      throw lpu::Error(stem + ": the RTL's output C differs from the golden model's");
    }
    if (rep > 1000) break;
  }
  if (got.counters != want.counters) throw lpu::Error(stem + ": the RTL's counters differ from the golden model's");

  const std::string key = std::string("rtl.") + g.config;
  emit(key + ".cycles_per_s", static_cast<double>(got.cycles) / best, "cycles/s");
  emit(key + ".cycles_per_s_wall", static_cast<double>(got.cycles) / best_wall, "cycles/s");
  emit(key + "." + g.name + ".mxu_utilization",
       static_cast<double>(got.counter(lpu::gen::Counter::mxu_busy)) / static_cast<double>(got.cycles), "ratio");
  emit(key + "." + g.name + ".cycles_predicted", static_cast<double>(want.cycles), "cycles");
  emit(key + "." + g.name + ".cycles_measured", static_cast<double>(got.cycles), "cycles");
  if (got.cycles != want.cycles) {
    throw lpu::Error(stem + ": measured " + std::to_string(got.cycles) + " cycles, predicted " +
                     std::to_string(want.cycles));
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const double min_seconds = argc > 1 ? std::max(0.0, std::atof(argv[1])) : 2.0;
    bench_gemm({"base", "gemm_256"}, min_seconds);
    bench_gemm({"tiny", "gemm_32"}, min_seconds / 4);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpu_bench_rtl: %s\n", e.what());
    return 1;
  }
  return 0;
}
