// lpu cosim: constrained-random programs on the RTL core (Verilator) and on the golden model,
// compared cycle by cycle (verif/core/cosim.hpp). Built with the RTL models when
// LPU_BUILD_RTL is on (the lpu_core_sim library defines LPU_HAVE_CORE_SIM); otherwise the
// command explains that it is not available.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "command.hpp"
#include "lpu/config.hpp"
#include "lpu/error.hpp"
#include "lpu/randprog.hpp"
#include "options.hpp"

#ifdef LPU_HAVE_CORE_SIM
#include "cosim.hpp"
#endif

namespace {

int run_cosim(const std::vector<std::string>& args) {
  lpu::cli::Options opt(args, {
                                  {"config", 'c', lpu::cli::OptKind::value, "base or tiny"},
                                  {"seed", 's', lpu::cli::OptKind::value, "first seed"},
                                  {"count", 'n', lpu::cli::OptKind::value, "number of programs"},
                                  {"seconds", 0, lpu::cli::OptKind::value, "time budget"},
                                  {"save-dir", 'd', lpu::cli::OptKind::value, "where failing programs go"},
                                  {"error-rate", 0, lpu::cli::OptKind::value, "percent of error programs"},
                                  {"max-instrs", 0, lpu::cli::OptKind::value, "program size"},
                                  {"full-memcmp-every", 0, lpu::cli::OptKind::value, "full memory compare period"},
                                  {"keep-going", 'k', lpu::cli::OptKind::flag, "do not stop at the first failure"},
                                  {"verbose", 'v', lpu::cli::OptKind::flag, "one line per program"},
                              });
  opt.require_positionals(0, 0, "");
  const lpu::Config& cfg = lpu::config_by_name(opt.value_or("config", "base"));
  const std::uint64_t seed0 = opt.uint_or("seed", 1);
  const std::uint64_t count = opt.uint_or("count", 100);
  // 0: no time limit. Otherwise no program starts after this many seconds of wall time.
  const std::uint64_t budget_s = opt.uint_or("seconds", 0);
  const std::string save_dir = opt.value_or("save-dir", ".");
  lpu::RandProgOptions ropt;
  ropt.error_rate = static_cast<double>(opt.uint_or("error-rate", 20)) / 100.0;
  ropt.max_instrs = static_cast<unsigned>(opt.uint_or("max-instrs", ropt.max_instrs));
  if (ropt.max_instrs < ropt.min_instrs) ropt.min_instrs = ropt.max_instrs;
  if (ropt.max_instrs == 0) throw lpu::Error("--max-instrs must be at least 1");

#ifndef LPU_HAVE_CORE_SIM
  (void)cfg;
  (void)seed0;
  (void)count;
  (void)budget_s;
  (void)save_dir;
  throw lpu::Error("this lpu was built without the RTL models (configure with -DLPU_BUILD_RTL=ON)");
#else
  lpu::CosimOptions copt;
  const std::uint64_t full_every = opt.uint_or("full-memcmp-every", 10);
  lpu::CoreSim rtl(cfg);
  std::map<std::string, unsigned> outcomes;
  unsigned failures = 0;
  std::uint64_t cycles = 0, events = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const auto elapsed = [&t0] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  std::uint64_t ran = 0;
  bool out_of_time = false;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (budget_s != 0 && elapsed() >= static_cast<double>(budget_s)) {
      out_of_time = true;
      break;
    }
    ++ran;
    const std::uint64_t seed = seed0 + i;
    const auto rp = lpu::random_program(cfg, seed, ropt);
    copt.memories = (full_every != 0 && i % full_every == 0) ? lpu::MemCompare::full : lpu::MemCompare::touched;
    const auto rep = lpu::cosim_program(rtl, rp.program, copt);
    cycles += rep.golden.cycles;
    events += rep.trace_events;
    outcomes[std::string(lpu::error_name(rep.golden.error))]++;
    if (opt.flag("verbose")) {
      std::printf("seed %llu: %s, %zu instructions, %llu cycles, golden %s%s\n", static_cast<unsigned long long>(seed),
                  rep.ok ? "ok" : "MISMATCH", rp.program.code.size(), static_cast<unsigned long long>(rep.golden.cycles),
                  std::string(lpu::error_name(rep.golden.error)).c_str(),
                  rp.intended_error == rep.golden.error ? "" : " (not the intended error)");
    }
    if (rep.ok) continue;
    ++failures;
    std::filesystem::create_directories(save_dir);
    const std::string file = save_dir + "/cosim_" + std::string(cfg.name) + "_" + std::to_string(seed) + ".lpu";
    rp.program.save_file(file);
    std::fprintf(stderr, "lpu cosim: MISMATCH config %s seed %llu (%s)\n%s\nprogram saved to %s\n",
                 std::string(cfg.name).c_str(), static_cast<unsigned long long>(seed), rp.note.c_str(),
                 rep.mismatch.c_str(), file.c_str());
    if (!opt.flag("keep-going")) break;
  }
  const double secs = elapsed();
  std::printf("cosim %s: %llu programs from seed %llu, %u mismatching; %llu cycles, %llu trace events, %.1f s\n",
              std::string(cfg.name).c_str(), static_cast<unsigned long long>(ran),
              static_cast<unsigned long long>(seed0), failures, static_cast<unsigned long long>(cycles),
              static_cast<unsigned long long>(events), secs);
  if (out_of_time) {
    std::printf("  time budget of %llu s used up after %llu of %llu programs (next seed %llu)\n",
                static_cast<unsigned long long>(budget_s), static_cast<unsigned long long>(ran),
                static_cast<unsigned long long>(count), static_cast<unsigned long long>(seed0 + ran));
  }
  std::printf("  outcomes:");
  for (const auto& [k, v] : outcomes) std::printf(" %s=%u", k.c_str(), v);
  std::printf("\n");
  return failures ? 1 : 0;
#endif
}

}  // namespace

LPU_COMMAND(cosim, "co-simulate random programs on the RTL core and the golden model",
            "--config base|tiny [--seed S] [--count N] [--seconds T] [--save-dir D] [-k] [-v]\n"
            "\n"
            "Generates N constrained-random programs (seeds S, S+1, ...), runs each on the\n"
            "Verilator model of lpu_core and on the golden model, and demands identical write\n"
            "traces, run results, counters, registers and memories. On a mismatch it prints the\n"
            "first difference and saves the program to D/cosim_<config>_<seed>.lpu; the exit\n"
            "status is 1 when any program mismatched.\n"
            "\n"
            "  -c, --config NAME    base (default) or tiny\n"
            "  -s, --seed S         first seed (default 1)\n"
            "  -n, --count N        programs (default 100)\n"
            "      --seconds T      time budget: start no program after T seconds (default 0: no\n"
            "                       limit); the summary says how many ran\n"
            "  -d, --save-dir D     directory for failing programs (default .)\n"
            "      --error-rate P   percent of programs that provoke an error (default 20)\n"
            "      --max-instrs N   upper bound of the program size (default 160)\n"
            "      --full-memcmp-every N  read back all memories after every Nth program (default\n"
            "                       10; 0: never); the others compare the words they wrote\n"
            "  -k, --keep-going     continue after a mismatch\n"
            "  -v, --verbose        one line per program\n",
            run_cosim);
