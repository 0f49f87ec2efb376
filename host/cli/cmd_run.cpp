// lpu run: run a .lpu program on a device, move tensors in and out as .npy files, report
// the cycle count (and the performance counters).
#include <cstdio>
#include <iostream>
#include <string>

#include "command.hpp"
#include "lpu/config.hpp"
#include "lpu/device.hpp"
#include "lpu/disassembler.hpp"
#include "lpu/error.hpp"
#include "lpu/npy.hpp"
#include "lpu/program.hpp"
#include "options.hpp"

// With the driver library (driver/) linked in, every URI it knows (tcp://, usb, ...) opens
// through it; otherwise only the in-process devices of lpu::open_device exist.
#if __has_include("lpu/driver/frame_device.hpp")
#include "lpu/driver/frame_device.hpp"
#define LPU_OPEN_DEVICE ::lpu::driver::open_device
#else
#define LPU_OPEN_DEVICE ::lpu::open_device
#endif

namespace {

// "NAME=FILE" of --input / --output.
std::pair<std::string, std::string> split_binding(const std::string& s, const char* opt) {
  const auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
    throw lpu::Error(std::string("--") + opt + " '" + s + "': expected NAME=FILE.npy");
  }
  return {s.substr(0, eq), s.substr(eq + 1)};
}

const lpu::Config& pick_config(const lpu::cli::Options& opt, const lpu::Program& p, const std::string& file) {
  if (opt.has("config")) return lpu::config_by_name(opt.value_or("config", ""));
  if (const auto* c = lpu::config_by_lanes(p.req.lanes)) return *c;
  throw lpu::Error(file + ": no configuration has " + std::to_string(p.req.lanes) + " lanes");
}

std::string describe_error(const lpu::RunResult& r, const lpu::Program& p) {
  std::string where = "pc " + std::to_string(r.error_pc);
  if (r.error_pc < p.code.size()) {
    where += " (" + lpu::disassemble_word(p.code[r.error_pc]) + ")";
  } else {
    where += " (outside the program of " + std::to_string(p.code.size()) + " instructions)";
  }
  return std::string(lpu::error_name(r.error)) + " at " + where + " in cycle " + std::to_string(r.error_cycle);
}

void print_perf(const lpu::RunResult& r, const lpu::Config& cfg) {
  for (unsigned i = 0; i < lpu::gen::kNumCounters; ++i) {
    std::printf("  %-14s %llu\n", std::string(lpu::gen::kCounterNames[i]).c_str(),
                static_cast<unsigned long long>(r.counters[i]));
  }
  const double cycles = static_cast<double>(r.counter(lpu::gen::Counter::cycles));
  const double busy = static_cast<double>(r.counter(lpu::gen::Counter::mxu_busy));
  std::printf("  %-14s %.4f (%llu of %llu cycles; %u MACs per busy cycle)\n", "mxu_utilization",
              cycles > 0 ? busy / cycles : 0.0, static_cast<unsigned long long>(busy),
              static_cast<unsigned long long>(cycles), cfg.lanes * cfg.lanes);
}

int run_run(const std::vector<std::string>& args) {
  using lpu::cli::OptKind;
  const lpu::cli::Options opt(args, {
                                        {"device", 'd', OptKind::value, "device URI"},
                                        {"config", 'c', OptKind::value, "configuration"},
                                        {"input", 'i', OptKind::repeated, "NAME=FILE.npy"},
                                        {"output", 'o', OptKind::repeated, "NAME=FILE.npy"},
                                        {"perf", 'p', OptKind::flag, "print all counters"},
                                        {"expect-cycles", 0, OptKind::flag, "check predicted_cycles"},
                                        {"max-cycles", 0, OptKind::value, "cycle limit"},
                                    });
  opt.require_positionals(1, 1, "program (FILE.lpu)");
  const std::string file = opt.positional(0);
  const lpu::Program p = lpu::Program::load_file(file);
  const lpu::Config& cfg = pick_config(opt, p, file);
  auto dev = LPU_OPEN_DEVICE(opt.value_or("device", "golden"), cfg);
  dev->load(p);
  for (const auto& b : opt.values("input")) {
    const auto [name, path] = split_binding(b, "input");
    try {
      dev->write_tensor(name, lpu::read_npy(path));
    } catch (const lpu::Error& e) {
      throw lpu::Error("--input " + b + ": " + e.what());
    }
  }
  const std::uint64_t max_cycles = opt.uint_or("max-cycles", 1ull << 34);
  const lpu::RunResult r = dev->run(max_cycles);
  if (!r.ok()) {
    if (opt.flag("perf")) print_perf(r, cfg);
    throw lpu::Error(file + ": run failed: " + describe_error(r, p));
  }
  for (const auto& b : opt.values("output")) {
    const auto [name, path] = split_binding(b, "output");
    try {
      lpu::write_npy(path, dev->read_tensor(name));
    } catch (const lpu::Error& e) {
      throw lpu::Error("--output " + b + ": " + e.what());
    }
  }
  std::printf("cycles: %llu\n", static_cast<unsigned long long>(r.cycles));
  if (opt.flag("perf")) print_perf(r, cfg);
  if (opt.flag("expect-cycles")) {
    if (p.predicted_cycles == 0) throw lpu::Error(file + ": --expect-cycles: the program has no predicted_cycles");
    if (p.predicted_cycles != r.cycles) {
      throw lpu::Error(file + ": --expect-cycles: ran " + std::to_string(r.cycles) + " cycles, predicted " +
                       std::to_string(p.predicted_cycles));
    }
  }
  return 0;
}

}  // namespace

LPU_COMMAND(run, "run a .lpu program on a device and report its cycle count",
            "FILE.lpu [--device golden] [--config C] [--input NAME=FILE.npy]... [--output NAME=FILE.npy]...\n"
            "         [--perf] [--expect-cycles] [--max-cycles N]\n"
            "\n"
            "Loads the program (code and initial data), writes each --input tensor by symbol name,\n"
            "runs from pc 0 to halt and writes each --output tensor. Prints `cycles: N`.\n"
            "A run that stops with an LPU error prints the error, its pc, the instruction and the\n"
            "cycle, and exits with status 1.\n"
            "\n"
            "options:\n"
            "  -d, --device URI        device to run on (default: golden; also golden-frames,\n"
            "                          tcp://HOST:PORT, usb when the driver is built)\n"
            "  -c, --config NAME       configuration (default: the one with the program's lanes)\n"
            "  -i, --input NAME=FILE   write FILE.npy into input tensor NAME (repeatable)\n"
            "  -o, --output NAME=FILE  read tensor NAME into FILE.npy after the run (repeatable)\n"
            "  -p, --perf              print every performance counter and the MXU utilisation\n"
            "      --expect-cycles     exit 1 unless the cycle count equals the container's\n"
            "                          predicted_cycles\n"
            "      --max-cycles N      give up after N cycles (default 2^34)\n",
            run_run)
