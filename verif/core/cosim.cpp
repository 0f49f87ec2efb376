// Co-simulation of the RTL core against the golden model (cosim.hpp).
#include "cosim.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "lpu/disassembler.hpp"
#include "lpu/error.hpp"

namespace lpu {

namespace {

const char* kind_name(TraceEvent::Kind k) {
  switch (k) {
    case TraceEvent::Kind::issue: return "issue";
    case TraceEvent::Kind::sram_write: return "sram_write";
    case TraceEvent::Kind::acc_write: return "acc_write";
    case TraceEvent::Kind::vreg_write: return "vreg_write";
    case TraceEvent::Kind::sreg_write: return "sreg_write";
    case TraceEvent::Kind::lut_write: return "lut_write";
  }
  return "?";
}

// Canonical order inside a cycle, so that the two models' emission orders do not matter.
bool before(const TraceEvent& a, const TraceEvent& b) {
  return std::tie(a.cycle, a.kind, a.bank, a.addr, a.pc) < std::tie(b.cycle, b.kind, b.bank, b.addr, b.pc);
}

bool same(const TraceEvent& a, const TraceEvent& b) {
  return a.cycle == b.cycle && a.kind == b.kind && a.pc == b.pc && a.bank == b.bank && a.addr == b.addr &&
         a.data == b.data;
}

std::string instr_at(const Program& p, std::uint32_t pc) {
  if (pc >= p.code.size()) return "(beyond the program)";
  return disassemble_word(p.code[pc]);
}

std::string data_str(const std::vector<std::int32_t>& d) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < d.size(); ++i) os << (i ? " " : "") << d[i];
  os << "]";
  return os.str();
}

std::string event_str(const TraceEvent& e, const Program& p) {
  std::ostringstream os;
  os << "cycle " << e.cycle << " " << kind_name(e.kind);
  switch (e.kind) {
    case TraceEvent::Kind::sram_write: os << " bank " << e.bank << " addr " << e.addr; break;
    case TraceEvent::Kind::acc_write: os << " entry " << e.addr; break;
    case TraceEvent::Kind::vreg_write: os << " v" << e.addr; break;
    case TraceEvent::Kind::sreg_write: os << " r" << e.addr; break;
    case TraceEvent::Kind::lut_write: os << " entry " << e.addr; break;
    case TraceEvent::Kind::issue: break;
  }
  os << " by pc " << e.pc << " (" << instr_at(p, e.pc) << ")";
  if (!e.data.empty()) os << " data " << data_str(e.data);
  return os.str();
}

std::string result_str(const RunResult& r) {
  std::ostringstream os;
  os << "error " << error_name(r.error);
  if (r.error != ErrorCode::none) os << " at pc " << r.error_pc << " cycle " << r.error_cycle;
  os << ", cycles " << r.cycles;
  return os.str();
}

// First difference between the sorted traces, or empty.
std::string diff_traces(std::vector<TraceEvent>& g, std::vector<TraceEvent>& r, const Program& p) {
  std::stable_sort(g.begin(), g.end(), before);
  std::stable_sort(r.begin(), r.end(), before);
  const std::size_t n = std::min(g.size(), r.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (!same(g[i], r[i])) {
      std::ostringstream os;
      os << "trace differs at event " << i << ":\n  golden: " << event_str(g[i], p) << "\n  rtl:    " << event_str(r[i], p);
      return os.str();
    }
  }
  if (g.size() != r.size()) {
    std::ostringstream os;
    os << "trace lengths differ (golden " << g.size() << ", rtl " << r.size() << " events); first extra: ";
    os << (g.size() > n ? "golden " + event_str(g[n], p) : "rtl " + event_str(r[n], p));
    return os.str();
  }
  return {};
}

std::string diff_results(const RunResult& g, const RunResult& r, const Program& p) {
  std::ostringstream os;
  if (g.error != r.error || g.error_pc != r.error_pc || g.error_cycle != r.error_cycle || g.cycles != r.cycles) {
    os << "run result differs: golden " << result_str(g) << "; rtl " << result_str(r);
    if (g.error != ErrorCode::none) os << "\n  golden error pc " << g.error_pc << ": " << instr_at(p, g.error_pc);
    if (r.error != ErrorCode::none) os << "\n  rtl error pc " << r.error_pc << ": " << instr_at(p, r.error_pc);
    return os.str();
  }
  for (unsigned i = 0; i < gen::kNumCounters; ++i) {
    if (g.counters[i] != r.counters[i]) {
      os << "counter " << gen::kCounterNames[i] << " differs: golden " << g.counters[i] << ", rtl " << r.counters[i];
      return os.str();
    }
  }
  return {};
}

// Compares units [first, first+n) of bank b of space s.
std::string diff_range(CoreSim& rtl, const GoldenModel& g, Space s, const Config& cfg, std::uint32_t b,
                       std::uint32_t first, std::size_t n) {
  const std::size_t unit = unit_bytes(s, cfg);
  const auto want = g.read_mem(s, b, first, n * unit);
  const auto got = rtl.read_mem(s, b, first, n * unit);
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] != got[i]) {
      std::ostringstream os;
      os << "final " << space_name(s) << " differs at bank " << b << " addr " << first + i / unit << " byte "
         << i % unit << ": golden " << unsigned(want[i]) << ", rtl " << unsigned(got[i]);
      return os.str();
    }
  }
  return {};
}

std::string diff_memory_full(CoreSim& rtl, const GoldenModel& g, Space s, const Config& cfg) {
  const std::size_t depth = space_depth(s, cfg);
  for (std::uint32_t b = 0; b < space_banks(s, cfg); ++b) {
    auto m = diff_range(rtl, g, s, cfg, b, 0, depth);
    if (!m.empty()) return m;
  }
  return {};
}

// Units written by the golden trace, compared run by run. (A write the RTL made elsewhere
// shows in the trace comparison; one misplaced inside the memory needs the full compare.)
std::string diff_memory_touched(CoreSim& rtl, const GoldenModel& g, const std::vector<TraceEvent>& gt,
                                const Config& cfg) {
  std::set<std::tuple<Space, std::uint32_t, std::uint32_t>> units;
  for (const auto& e : gt) {
    if (e.kind == TraceEvent::Kind::sram_write) units.emplace(Space::sram, e.bank, e.addr);
    if (e.kind == TraceEvent::Kind::acc_write) units.emplace(Space::acc, 0, e.addr);
    if (e.kind == TraceEvent::Kind::lut_write) units.emplace(Space::lut, 0, e.addr);
  }
  // Runs of consecutive units in one bank: one read_mem each.
  auto it = units.begin();
  while (it != units.end()) {
    const auto [s, b, a] = *it;
    std::uint32_t n = 1;
    auto next = std::next(it);
    while (next != units.end() && std::get<0>(*next) == s && std::get<1>(*next) == b && std::get<2>(*next) == a + n) {
      ++n;
      ++next;
    }
    auto m = diff_range(rtl, g, s, cfg, b, a, n);
    if (!m.empty()) return m;
    it = next;
  }
  return {};
}

}  // namespace

CosimReport cosim_program(CoreSim& rtl, const Program& p, const CosimOptions& opt) {
  CosimReport rep;
  const Config& cfg = rtl.config();
  std::vector<TraceEvent> gt, rt;

  GoldenModel g(cfg);
  g.load(p);
  g.set_trace([&](const TraceEvent& e) { gt.push_back(e); });
  try {
    rep.golden = g.run(opt.max_cycles);
  } catch (const Error& e) {
    rep.mismatch = std::string("golden model: ") + e.what();
    return rep;
  }

  rtl.reset();
  rtl.load(p);
  if (opt.rtl_fault) opt.rtl_fault(rtl);
  rtl.set_trace([&](const TraceEvent& e) { rt.push_back(e); });
  try {
    rep.rtl = rtl.run(opt.max_cycles);
  } catch (const Error& e) {
    rtl.set_trace(nullptr);
    rep.mismatch = std::string("rtl: ") + e.what() + " (golden: " + result_str(rep.golden) + ")";
    return rep;
  }
  rtl.set_trace(nullptr);
  rep.trace_events = gt.size();

  rep.mismatch = diff_traces(gt, rt, p);
  if (rep.mismatch.empty()) rep.mismatch = diff_results(rep.golden, rep.rtl, p);
  for (unsigned i = 0; rep.mismatch.empty() && i < cfg.sregs; ++i) {
    if (g.sreg(i) != rtl.sreg(i)) {
      rep.mismatch = "final r" + std::to_string(i) + " differs: golden " + std::to_string(g.sreg(i)) + ", rtl " +
                     std::to_string(rtl.sreg(i));
    }
  }
  for (unsigned i = 0; rep.mismatch.empty() && i < cfg.vregs; ++i) {
    for (unsigned l = 0; l < cfg.lanes; ++l) {
      if (g.vreg(i, l) != rtl.vreg(i, l)) {
        rep.mismatch = "final v" + std::to_string(i) + " lane " + std::to_string(l) + " differs: golden " +
                       std::to_string(g.vreg(i, l)) + ", rtl " + std::to_string(rtl.vreg(i, l));
        break;
      }
    }
  }
  if (rep.mismatch.empty() && opt.memories == MemCompare::full) {
    for (Space s : {Space::sram, Space::acc, Space::lut}) {
      rep.mismatch = diff_memory_full(rtl, g, s, cfg);
      if (!rep.mismatch.empty()) break;
    }
  }
  if (rep.mismatch.empty() && opt.memories == MemCompare::touched) {
    rep.mismatch = diff_memory_touched(rtl, g, gt, cfg);
  }
  rep.rtl_clock_cycles = rtl.clock_cycles();
  rep.ok = rep.mismatch.empty();
  return rep;
}

}  // namespace lpu
