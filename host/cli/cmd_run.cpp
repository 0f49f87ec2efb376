// lpu run: run a .lpu program on a device, move tensors in and out as .npy files, report
// the cycle count (and the performance counters). Long transfers show their progress on a
// terminal (docs/cli.md).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>

#include "command.hpp"
#include "lpu/config.hpp"
#include "lpu/device.hpp"
#include "lpu/disassembler.hpp"
#include "lpu/error.hpp"
#include "lpu/npy.hpp"
#include "lpu/program.hpp"
#include "lpu/system_device.hpp"
#include "lpu/system_program.hpp"
#include "open_device.hpp"
#include "options.hpp"

namespace {

// Transfers from this size on show progress (when stderr is a terminal).
constexpr std::uint64_t kProgressMinBytes = 32 * 1024;
constexpr std::chrono::milliseconds kProgressRedraw{100};

std::string human_bytes(double b) {
  char buf[32];
  if (b < 1024) {
    std::snprintf(buf, sizeof buf, "%.0f B", b);
  } else if (b < 1024.0 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1024.0 * 1024));
  }
  return buf;
}

// One progress line on stderr, redrawn in place ("\r" + erase to end of line) at most every
// kProgressRedraw, ended by a summary line. Only on a terminal: CI logs never see it.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}

  // A callback for Device::set_progress, labelled for the transfer about to start.
  lpu::Device::ProgressFn callback(std::string label) {
    if (!enabled_) return {};
    return [this, label = std::move(label)](std::uint64_t done, std::uint64_t total) {
      update(label, done, total);
    };
  }

 private:
  using Clock = std::chrono::steady_clock;

  void update(const std::string& label, std::uint64_t done, std::uint64_t total) {
    if (total < kProgressMinBytes) return;
    const auto now = Clock::now();
    if (done == 0) {
      t0_ = last_ = now;
      return;
    }
    const double secs = std::chrono::duration<double>(now - t0_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
    if (done < total) {
      if (now - last_ < kProgressRedraw) return;
      last_ = now;
      std::fprintf(stderr, "\r%s: %s / %s (%d%%), %s/s\033[K", label.c_str(),
                   human_bytes(static_cast<double>(done)).c_str(),
                   human_bytes(static_cast<double>(total)).c_str(),
                   static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)),
                   human_bytes(rate).c_str());
    } else if (secs >= 0.01) {
      std::fprintf(stderr, "\r%s: %s in %.2f s, %s/s\033[K\n", label.c_str(),
                   human_bytes(static_cast<double>(total)).c_str(), secs, human_bytes(rate).c_str());
    } else {  // too quick for a meaningful rate
      std::fprintf(stderr, "\r%s: %s done\033[K\n", label.c_str(),
                   human_bytes(static_cast<double>(total)).c_str());
    }
    std::fflush(stderr);
  }

  bool enabled_;
  Clock::time_point t0_, last_;
};

// Runs one step on the device; an lpu::Error that does not name the device yet gets
// "device URI: " in front, so every message says which device failed.
template <typename F>
auto on_device(const std::string& uri, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const lpu::Error& e) {
    const std::string msg = e.what();
    // Already named: "tcp://h:p: ...", "device 'foo': ...", "sim:config=tiny: ...", "usb ...".
    const std::string scheme = uri.substr(0, uri.find(':'));
    if (msg.find(uri) != std::string::npos || msg.rfind("device", 0) == 0 ||
        msg.rfind(scheme, 0) == 0) {
      throw;
    }
    throw lpu::Error("device " + uri + ": " + msg);
  }
}

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
  throw lpu::Error(file + ": no configuration has " + std::to_string(p.req.lanes) +
                   " lanes (was it assembled for another ISA version? assemble it again, or "
                   "give --config)");
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

// "chipK.NAME" names chip K's tensor; a plain NAME must belong to exactly one chip.
std::pair<unsigned, std::string> system_tensor(const lpu::SystemProgram& sp, const std::string& name, bool input) {
  if (name.rfind("chip", 0) == 0) {
    const auto dot = name.find('.');
    const std::string num = name.substr(4, dot == std::string::npos ? 0 : dot - 4);
    if (dot != std::string::npos && !num.empty() && num.size() <= 2 &&
        num.find_first_not_of("0123456789") == std::string::npos) {
      const unsigned k = static_cast<unsigned>(std::stoul(num));
      if (k >= sp.chips.size()) {
        throw lpu::Error("tensor " + name + ": chip " + num + " does not exist (the program has " +
                         std::to_string(sp.chips.size()) + " chips)");
      }
      return {k, name.substr(dot + 1)};
    }
  }
  std::vector<unsigned> owners;
  for (unsigned k = 0; k < sp.chips.size(); ++k) {
    const lpu::Symbol* s = sp.chips[k].find_symbol(name);
    if (s && (input ? s->kind != lpu::SymKind::output : s->kind != lpu::SymKind::input)) owners.push_back(k);
  }
  if (owners.size() == 1) return {owners[0], name};
  if (owners.empty()) {
    throw lpu::Error(std::string("tensor ") + name + ": no chip has an " + (input ? "input" : "output") +
                     " of that name (`lpu bundle --list` shows the chips)");
  }
  throw lpu::Error("tensor " + name + ": " + std::to_string(owners.size()) +
                   " chips have it; name one as chipK." + name);
}

// A multi-chip program (docs/program-format.md "Multi-chip programs") on a multi-chip device
// (docs/cli.md "Multi-chip devices"): the golden model's system (the default), the simulated
// chips joined by link models (sim:chips=N) or a multi-chip sim-server (tcp://HOST:PORT).
int run_system(const lpu::cli::Options& opt, const lpu::SystemProgram& sp, const std::string& file) {
  const unsigned n = static_cast<unsigned>(sp.chips.size());
  const std::string uri = opt.value_or("device", "golden");
  const bool system_uri = uri == "golden" || uri.rfind("golden:", 0) == 0 || uri.rfind("golden-frames:", 0) == 0 ||
                          uri == "sim" || uri.rfind("sim:", 0) == 0 || uri.rfind("tcp://", 0) == 0;
  if (!system_uri) {
    throw lpu::Error(file + " is a program for " + std::to_string(n) + (n == 1 ? " chip" : " chips") + "; device " + uri +
                     " is one chip. Multi-chip programs run on golden[:chips=N], sim:chips=N or "
                     "tcp://HOST:PORT[,chips=N] (a multi-chip sim-server); docs/cli.md \"Multi-chip devices\"");
  }
  const lpu::Config& cfg = pick_config(opt, sp.chips[0], file);
  auto sys = on_device(uri, [&] { return LPU_OPEN_SYSTEM(uri, cfg, n); });
  if (sys->chips() != n) {
    throw lpu::Error(file + " is a program for " + std::to_string(n) + (n == 1 ? " chip" : " chips") + "; device " + sys->name() +
                     " has " + std::to_string(sys->chips()) +
                     (sys->chips() < n ? ": not enough chips" : ": its ring joins other links than the program's") +
                     " (give chips=" + std::to_string(n) + ")");
  }
  on_device(uri, [&] {
    try {
      sys->load(sp);
    } catch (const lpu::Error& e) {
      throw lpu::Error("loading " + file + ": " + e.what());
    }
  });
  for (const auto& b : opt.values("input")) {
    const auto [name, path] = split_binding(b, "input");
    try {
      const auto [chip, sym] = system_tensor(sp, name, true);
      const lpu::Tensor t = lpu::read_npy(path);
      on_device(uri, [&] { sys->chip(chip).write_tensor(sym, t); });
    } catch (const lpu::Error& e) {
      throw lpu::Error("--input " + b + ": " + e.what());
    }
  }
  const std::uint64_t max_cycles = opt.uint_or("max-cycles", 1ull << 34);
  const auto res = on_device(uri, [&] { return sys->run(max_cycles); });
  // The chips that failed, those with their own error first (a device aborts the others).
  std::string failed;
  for (const bool own : {true, false}) {
    for (unsigned k = 0; k < n; ++k) {
      if (res[k].ok() || (res[k].error != lpu::ErrorCode::aborted) != own) continue;
      if (opt.flag("perf")) print_perf(res[k], cfg);
      failed += (failed.empty() ? "chip " : "; chip ") + std::to_string(k) + " failed: " +
                describe_error(res[k], sp.chips[k]);
    }
  }
  if (!failed.empty()) {
    throw lpu::Error(file + " on device " + sys->name() + ": " + failed +
                     " (a program error: see docs/isa.md \"Errors\")");
  }
  for (const auto& b : opt.values("output")) {
    const auto [name, path] = split_binding(b, "output");
    try {
      const auto [chip, sym] = system_tensor(sp, name, false);
      lpu::write_npy(path, on_device(uri, [&] { return sys->chip(chip).read_tensor(sym); }));
    } catch (const lpu::Error& e) {
      throw lpu::Error("--output " + b + ": " + e.what());
    }
  }
  std::uint64_t longest = 0;
  for (unsigned k = 0; k < n; ++k) {
    std::printf("chip %u: cycles: %llu\n", k, static_cast<unsigned long long>(res[k].cycles));
    if (opt.flag("perf")) print_perf(res[k], cfg);
    longest = std::max(longest, res[k].cycles);
  }
  std::printf("cycles: %llu\n", static_cast<unsigned long long>(longest));
  if (opt.flag("expect-cycles")) {
    for (unsigned k = 0; k < n; ++k) {
      const auto want = sp.chips[k].predicted_cycles;
      if (want == 0) throw lpu::Error(file + ": --expect-cycles: chip " + std::to_string(k) + " has no predicted_cycles");
      if (want != res[k].cycles) {
        throw lpu::Error(file + ": --expect-cycles: chip " + std::to_string(k) + " ran " +
                         std::to_string(res[k].cycles) + " cycles, predicted " + std::to_string(want));
      }
    }
  }
  return 0;
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
  const lpu::SystemProgram sp = lpu::SystemProgram::load_file(file);
  if (sp.chips.size() > 1 || opt.value_or("device", "").find("chips=") != std::string::npos) {
    return run_system(opt, sp, file);
  }
  const lpu::Program& p = sp.chips[0];
  const lpu::Config& cfg = pick_config(opt, p, file);
  const std::string uri = opt.value_or("device", lpu::cli::kDefaultDevice);
  ProgressLine progress(::isatty(STDERR_FILENO) == 1);
  auto dev = on_device(uri, [&] { return LPU_OPEN_DEVICE(uri, cfg); });
  const lpu::Config& dcfg = dev->config();
  if (dcfg.lanes != p.req.lanes) {
    const lpu::Config* pc = lpu::config_by_lanes(p.req.lanes);
    const std::string pname = pc ? std::string(pc->name) : std::to_string(p.req.lanes) + " lanes";
    const std::string fix = opt.has("config")
                                ? "drop --config " + opt.value_or("config", "")
                                : "run it on a " + pname + " device (e.g. --device sim:config=" +
                                      pname + ")";
    throw lpu::Error(file + " is for configuration '" + pname + "', device " + uri + " is '" +
                     std::string(dcfg.name) + "': " + fix + ", or assemble it for " +
                     std::string(dcfg.name) + " (.config " + std::string(dcfg.name) + ")");
  }
  on_device(uri, [&] {
    dev->set_progress(progress.callback("load " + file));
    try {
      dev->load(p);
    } catch (const lpu::Error& e) {
      throw lpu::Error("loading " + file + ": " + e.what());
    }
  });
  for (const auto& b : opt.values("input")) {
    const auto [name, path] = split_binding(b, "input");
    lpu::Tensor t;
    try {
      t = lpu::read_npy(path);
    } catch (const lpu::Error& e) {
      throw lpu::Error("--input " + b + ": " + e.what());
    }
    on_device(uri, [&] {
      dev->set_progress(progress.callback("input " + name));
      try {
        dev->write_tensor(name, t);
      } catch (const lpu::Error& e) {
        throw lpu::Error("--input " + b + ": " + e.what());
      }
    });
  }
  const std::uint64_t max_cycles = opt.uint_or("max-cycles", 1ull << 34);
  const lpu::RunResult r = on_device(uri, [&] { return dev->run(max_cycles); });
  if (!r.ok()) {
    if (opt.flag("perf")) print_perf(r, cfg);
    throw lpu::Error(file + ": run failed on device " + uri + ": " + describe_error(r, p) +
                     " (a program error, not a device failure: see docs/isa.md \"Errors\"; "
                     "`lpu disasm " + file + "` shows the code)");
  }
  for (const auto& b : opt.values("output")) {
    const auto [name, path] = split_binding(b, "output");
    const lpu::Tensor t = on_device(uri, [&] {
      dev->set_progress(progress.callback("output " + name));
      try {
        return dev->read_tensor(name);
      } catch (const lpu::Error& e) {
        throw lpu::Error("--output " + b + ": " + e.what());
      }
    });
    try {
      lpu::write_npy(path, t);
    } catch (const lpu::Error& e) {
      throw lpu::Error("--output " + b + ": " + e.what());
    }
  }
  dev->set_progress({});
  std::printf("cycles: %llu\n", static_cast<unsigned long long>(r.cycles));
  if (opt.flag("perf")) print_perf(r, cfg);
  if (opt.flag("expect-cycles")) {
    if (p.predicted_cycles == 0) {
      throw lpu::Error(file + ": --expect-cycles: the program has no predicted_cycles (assemble "
                       "it with a prediction, or drop --expect-cycles)");
    }
    if (p.predicted_cycles != r.cycles) {
      throw lpu::Error(file + ": --expect-cycles: ran " + std::to_string(r.cycles) +
                       " cycles on device " + uri + ", predicted " +
                       std::to_string(p.predicted_cycles) +
                       " (the device is not cycle-exact with the golden model: report it with "
                       "the program)");
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
            "cycle, and exits with status 1. On a terminal, transfers of 32 KiB or more show\n"
            "their progress on stderr (never when stderr is a file or a pipe).\n"
            "\n"
            "options:\n"
            "  -d, --device URI        device to run on (default: sim when built with the RTL,\n"
            "                          else golden; also golden, golden-frames,\n"
            "                          sim[:config=C][,uart=1], tcp://HOST:PORT,\n"
            "                          usb[:VID:PID[:SERIAL]]; docs/cli.md \"Device URIs\").\n"
            "                          A multi-chip program (lpu bundle) runs on golden (its\n"
            "                          default), golden:chips=N, sim[:chips=N][,config=C],\n"
            "                          tcp://HOST:PORT[,chips=N] (docs/cli.md \"Multi-chip devices\")\n"
            "  -c, --config NAME       configuration (default: the one with the program's lanes)\n"
            "  -i, --input NAME=FILE   write FILE.npy into input tensor NAME (repeatable)\n"
            "  -o, --output NAME=FILE  read tensor NAME into FILE.npy after the run (repeatable)\n"
            "  -p, --perf              print every performance counter and the MXU utilisation\n"
            "      --expect-cycles     exit 1 unless the cycle count equals the container's\n"
            "                          predicted_cycles\n"
            "      --max-cycles N      give up after N cycles (default 2^34)\n",
            run_run)
