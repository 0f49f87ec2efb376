// CoreSim: lpu_core's Verilator models behind the GoldenModel API (core_sim.hpp).
#include "core_sim.hpp"

#include <verilated.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <type_traits>

#include "Vcore_base.h"
#include "Vcore_base___024root.h"
#include "Vcore_tiny.h"
#include "Vcore_tiny___024root.h"
#include "Vcore_tiny_nolinks.h"
#include "Vcore_tiny_nolinks___024root.h"
#include "lpu/error.hpp"
#include "rtl_coverage.hpp"
#if VM_COVERAGE
#include "Vcore_base__Syms.h"
#include "Vcore_tiny__Syms.h"
#include "Vcore_tiny_nolinks__Syms.h"
#endif

namespace lpu {

namespace {

// Host port spaces and CTRL registers (docs/core.md).
enum HostSpace : unsigned {
  kSpSram = 0, kSpAcc = 1, kSpLut = 2, kSpImem = 3, kSpCtrl = 4, kSpCnt = 5, kSpSreg = 6, kSpLink = 7
};
enum CtrlReg : unsigned { kCmd = 0, kProgLen = 1, kErrCode = 2, kErrPc = 3, kErrCycle = 4, kCfgId = 5 };
enum Status : unsigned { kIdle = 0, kRunning = 1, kDone = 2, kError = 3 };

constexpr unsigned kMaxLanes = 64;

// Byte-wise access to Verilator ports and signals of any width (integers or VlWide).
template <class T>
std::uint8_t get_byte(const T& v, unsigned i) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i));
  } else {
    return static_cast<std::uint8_t>(v[i / 4] >> (8 * (i % 4)));
  }
}
template <class T>
std::uint64_t get_bits(const T& v, unsigned lsb, unsigned width) {
  std::uint64_t r = 0;
  for (unsigned i = 0; i < width; ++i) {
    bool b;
    if constexpr (std::is_integral_v<T>) {
      b = (static_cast<std::uint64_t>(v) >> (lsb + i)) & 1u;
    } else {
      b = (v[(lsb + i) / 32] >> ((lsb + i) % 32)) & 1u;
    }
    if (b) r |= std::uint64_t{1} << i;
  }
  return r;
}
template <class T>
void set_bytes(T& port, const std::uint8_t* bytes, std::size_t n, std::size_t port_bytes) {
  if constexpr (std::is_integral_v<T>) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n && i < 8; ++i) v |= std::uint64_t{bytes[i]} << (8 * i);
    port = static_cast<T>(v);
  } else {
    for (std::size_t w = 0; w < port_bytes / 4; ++w) port[w] = 0;
    for (std::size_t i = 0; i < n && i < port_bytes; ++i) port[i / 4] |= std::uint32_t{bytes[i]} << (8 * (i % 4));
  }
}

}  // namespace

// What the trace needs from one cycle of the model.
struct Probe {
  bool issue = false;
  std::uint16_t pc = 0;
  std::uint8_t op = 0;
  struct Wr {
    bool v = false;
    unsigned bank = 0;
    std::uint32_t addr = 0;
    std::uint16_t pc = 0;
    std::array<std::int32_t, kMaxLanes> data{};
  } wr[3];  // write ports 0 (vector pipeline), 1 (transpose), 2 (recv)
  bool acc = false;
  std::uint16_t acc_pc = 0;
  std::uint32_t acc_addr = 0;
  std::array<std::int32_t, kMaxLanes> acc_data{};
  bool vreg = false;
  unsigned vreg_idx = 0;
  std::array<std::int32_t, kMaxLanes> vreg_data{};
  bool sreg = false;
  unsigned sreg_idx = 0;
  std::int32_t sreg_val = 0;
  bool lut = false;
  std::uint32_t lut_base = 0;
  std::array<std::int32_t, kMaxLanes / 2> lut_vals{};
};

struct HostReq {
  bool we = false;
  unsigned space = 0;
  unsigned bank = 0;
  std::uint32_t addr = 0;
  std::vector<std::uint8_t> wdata;  // right-aligned, up to lanes*4 bytes
};

struct HostRsp {
  bool err = false;
  std::vector<std::uint8_t> rdata;  // lanes*4 bytes
};

struct CoreSim::Backend {
  virtual ~Backend() = default;
  virtual void set_req(const HostReq* r) = 0;  // inputs for the next clock edge (nullptr: idle)
  virtual void tick() = 0;
  virtual HostRsp rsp() const = 0;             // response of the previous cycle's request
  virtual bool running() const = 0;
  virtual void probe(Probe& p, unsigned lanes) const = 0;
  virtual void probe_lut(Probe& p, unsigned lanes) const = 0;
  virtual std::int32_t vreg(unsigned i, unsigned lane) const = 0;
  virtual std::uint64_t cycles() const = 0;
  virtual void set_loopback(bool on) = 0;
  virtual bool links_up() const = 0;

  // Run bookkeeping (shared by both models).
  bool run_active = false;
  std::uint64_t run_cycle = 0;
  bool abort_pending = false;
  std::vector<std::uint16_t> issue_pc_ring;  // pc issued in cycle c at [c % size]
  std::vector<bool> issue_ring_valid;
  std::uint16_t last_lutld_pc = 0;
};

namespace {

template <class V>
class ModelBackend final : public CoreSim::Backend {
 public:
  ModelBackend(unsigned lanes, unsigned links, unsigned link_lanes)
      : lanes_(lanes), links_(links), link_lanes_(link_lanes) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(0);  // memories start at zero, like the golden model
    ctx_->commandArgs(0, static_cast<const char**>(nullptr));
    m_ = std::make_unique<V>(ctx_.get(), "core");
    m_->clk_i = 0;
    m_->rst_ni = 1;
    m_->host_req_i = 0;
    m_->link_rx_i = 0;
    m_->eval();
    m_->rst_ni = 0;
    m_->eval();
    for (int i = 0; i < 4; ++i) tick();
    m_->rst_ni = 1;
    m_->eval();
  }
  ~ModelBackend() override {
    m_->final();
    // make coverage: keep this model's counts (a no-op in normal builds).
    verif::coverage_retire(*m_, std::is_same_v<V, Vcore_base>   ? "core_base"
                                : std::is_same_v<V, Vcore_tiny> ? "core_tiny"
                                                                : "core_tiny_nolinks");
  }

  // Inputs change between clock edges: settle the combinational logic before the next edge.
  void set_req(const HostReq* r) override {
    if (!r) {
      if (!req_active_) return;
      req_active_ = false;
      m_->host_req_i = 0;
      m_->host_we_i = 0;
      m_->eval();
      return;
    }
    req_active_ = true;
    m_->host_req_i = 1;
    m_->host_we_i = r->we;
    m_->host_space_i = static_cast<std::uint8_t>(r->space);
    m_->host_bank_i = static_cast<std::uint8_t>(r->bank);
    m_->host_addr_i = r->addr;
    set_bytes(m_->host_wdata_i, r->wdata.data(), r->wdata.size(), lanes_ * 4);
    m_->eval();
  }

  void tick() override {
    if (loopback_) {
      // Link 0 lanes [0, ll), link 1 lanes [ll, 2*ll): each link hears the other.
      const std::uint64_t tx = m_->link_tx_o;
      const std::uint64_t mask = (std::uint64_t{1} << link_lanes_) - 1;
      m_->link_rx_i = static_cast<std::uint8_t>(((tx >> link_lanes_) & mask) | ((tx & mask) << link_lanes_));
    }
    m_->clk_i = 1;
    ctx_->timeInc(5);
    m_->eval();
    m_->clk_i = 0;
    ctx_->timeInc(5);
    m_->eval();
    ++cycles_;
  }

  HostRsp rsp() const override {
    HostRsp r;
    if (!m_->host_rvalid_o) throw Error("core sim: host port gave no response");
    r.err = m_->host_err_o;
    r.rdata.resize(lanes_ * 4);
    for (unsigned i = 0; i < lanes_ * 4; ++i) r.rdata[i] = get_byte(m_->host_rdata_o, i);
    return r;
  }

  bool running() const override { return m_->running_o; }

  void probe(Probe& p, unsigned L) const override {
    const auto* r = m_->rootp;
    p.issue = r->lpu_core__DOT__iss_valid && !r->lpu_core__DOT__iss_reject;
    p.pc = r->lpu_core__DOT__iss_pc;
    p.op = static_cast<std::uint8_t>(r->lpu_core__DOT__iss_instr >> 56);
    // SRAM write ports 0 (vector pipeline), 1 (transpose) and 2 (recv): performed writes only.
    const unsigned pcs[3] = {r->lpu_core__DOT__vxu_wr_pc, r->lpu_core__DOT__tr_wr_pc, r->lpu_core__DOT__lnk_wr_pc};
    for (unsigned w = 0; w < 3; ++w) {
      auto& o = p.wr[w];
      o.v = ((r->lpu_core__DOT__wr_valid >> w) & 1) && !((r->lpu_core__DOT__wr_err_addr >> w) & 1) &&
            !((r->lpu_core__DOT__wr_err_conf >> w) & 1) && !r->lpu_core__DOT__stop;
      if (!o.v) continue;
      o.bank = static_cast<unsigned>(get_bits(r->lpu_core__DOT__wr_bank, 4 * w, 4));
      o.addr = static_cast<std::uint32_t>(get_bits(r->lpu_core__DOT__wr_addr, 32 * w, 32));
      o.pc = static_cast<std::uint16_t>(pcs[w]);
      for (unsigned l = 0; l < L; ++l) {
        o.data[l] = static_cast<std::int8_t>(get_byte(r->lpu_core__DOT__wr_data, w * L + l));
      }
    }
    p.acc = r->lpu_core__DOT__acc_wr && !r->lpu_core__DOT__stop;
    if (p.acc) {
      p.acc_pc = r->lpu_core__DOT__acc_wr_pc;
      p.acc_addr = r->lpu_core__DOT__trace_acc_wr_addr;
      for (unsigned l = 0; l < L; ++l) {
        p.acc_data[l] = static_cast<std::int32_t>(get_bits(r->lpu_core__DOT__trace_acc_wr_data, 32 * l, 32));
      }
    }
    p.vreg = r->lpu_core__DOT__u_vxu__DOT__u_vregfile__DOT__we_i;
    if (p.vreg) {
      p.vreg_idx = r->lpu_core__DOT__u_vxu__DOT__u_vregfile__DOT__waddr_i;
      for (unsigned l = 0; l < L; ++l) {
        p.vreg_data[l] =
            static_cast<std::int32_t>(get_bits(r->lpu_core__DOT__u_vxu__DOT__u_vregfile__DOT__wdata_i, 32 * l, 32));
      }
    }
    p.sreg = r->lpu_core__DOT__u_seq__DOT__sreg_we;
    p.sreg_idx = r->lpu_core__DOT__u_seq__DOT__sreg_wa;
    p.sreg_val = static_cast<std::int32_t>(r->lpu_core__DOT__u_seq__DOT__sreg_wv);
    probe_lut(p, L);
  }

  void probe_lut(Probe& p, unsigned L) const override {
    const auto* r = m_->rootp;
    p.lut = r->lpu_core__DOT__u_vxu__DOT__u_lut__DOT__wr_en_i;
    if (!p.lut) return;
    p.lut_base = r->lpu_core__DOT__u_vxu__DOT__u_lut__DOT__wr_base_i;
    for (unsigned e = 0; e < L / 2; ++e) {
      const auto lo = get_byte(r->lpu_core__DOT__u_vxu__DOT__u_lut__DOT__wr_data_i, 2 * e);
      const auto hi = get_byte(r->lpu_core__DOT__u_vxu__DOT__u_lut__DOT__wr_data_i, 2 * e + 1);
      p.lut_vals[e] = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
    }
  }

  std::int32_t vreg(unsigned i, unsigned lane) const override {
    const auto* r = m_->rootp;
    if (!((r->lpu_core__DOT__u_vxu__DOT__u_vregfile__DOT__valid_q >> i) & 1)) return 0;
    return static_cast<std::int32_t>(get_bits(r->lpu_core__DOT__u_vxu__DOT__u_vregfile__DOT__mem_a[i], 32 * lane, 32));
  }

  std::uint64_t cycles() const override { return cycles_; }

  void set_loopback(bool on) override {
    loopback_ = on;
    if (!on) {
      m_->link_rx_i = 0;
      m_->eval();
    }
  }
  bool links_up() const override {
    return static_cast<unsigned>(m_->link_up_o) == (1u << links_) - 1;
  }

 private:
  unsigned lanes_;
  unsigned links_;
  unsigned link_lanes_;
  bool loopback_ = false;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> m_;
  std::uint64_t cycles_ = 0;
  bool req_active_ = false;
};

std::unique_ptr<CoreSim::Backend> make_backend(const Config& cfg, CoreSim::Links links) {
  if (links == CoreSim::Links::none) {
    if (cfg.name == "tiny") {
      return std::make_unique<ModelBackend<Vcore_tiny_nolinks>>(cfg.lanes, cfg.links, cfg.link_lanes);
    }
    throw Error("core sim: no RTL model without links for configuration '" + std::string(cfg.name) +
                "' (built: tiny)");
  }
  if (cfg.name == "base") return std::make_unique<ModelBackend<Vcore_base>>(cfg.lanes, cfg.links, cfg.link_lanes);
  if (cfg.name == "tiny") return std::make_unique<ModelBackend<Vcore_tiny>>(cfg.lanes, cfg.links, cfg.link_lanes);
  throw Error("core sim: no RTL model for configuration '" + std::string(cfg.name) + "' (built: base, tiny)");
}

// One host transaction per cycle, back to back; the response of request i arrives after
// the clock edge that took it.
std::vector<HostRsp> transact(CoreSim::Backend& be, const std::vector<HostReq>& reqs) {
  std::vector<HostRsp> out;
  out.reserve(reqs.size());
  for (const auto& r : reqs) {
    be.set_req(&r);
    be.tick();
    out.push_back(be.rsp());
  }
  be.set_req(nullptr);
  return out;
}

HostRsp one(CoreSim::Backend& be, bool we, unsigned space, std::uint32_t addr, std::uint64_t wdata = 0) {
  HostReq r;
  r.we = we;
  r.space = space;
  r.addr = addr;
  if (we) {
    r.wdata.resize(8);
    for (unsigned i = 0; i < 8; ++i) r.wdata[i] = static_cast<std::uint8_t>(wdata >> (8 * i));
  }
  return transact(be, {r}).front();
}

std::uint64_t u64_of(const HostRsp& r) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < 8 && i < r.rdata.size(); ++i) v |= std::uint64_t{r.rdata[i]} << (8 * i);
  return v;
}

unsigned host_space(Space s) {
  switch (s) {
    case Space::sram: return kSpSram;
    case Space::acc: return kSpAcc;
    case Space::lut: return kSpLut;
  }
  return kSpSram;
}

}  // namespace

bool core_sim_supports(const Config& cfg) { return cfg.name == "base" || cfg.name == "tiny"; }

CoreSim::CoreSim(const Config& cfg, Links links) : cfg_(cfg), links_(links), be_(make_backend(cfg, links)) {}
CoreSim::~CoreSim() = default;

const Config& CoreSim::config() const { return cfg_; }

void CoreSim::reset() { be_ = make_backend(cfg_, links_); }

void CoreSim::load_code(const std::vector<std::uint64_t>& code) {
  if (running()) throw Error("core sim: load while a run is in progress");
  if (code.size() > cfg_.imem_depth) {
    throw Error("core sim: code has " + std::to_string(code.size()) + " instructions, more than imem_depth " +
                std::to_string(cfg_.imem_depth) + " of configuration '" + std::string(cfg_.name) + "'");
  }
  std::vector<HostReq> reqs;
  reqs.reserve(code.size() + 1);
  for (std::size_t i = 0; i < code.size(); ++i) {
    HostReq r;
    r.we = true;
    r.space = kSpImem;
    r.addr = static_cast<std::uint32_t>(i);
    r.wdata.resize(8);
    for (unsigned b = 0; b < 8; ++b) r.wdata[b] = static_cast<std::uint8_t>(code[i] >> (8 * b));
    reqs.push_back(std::move(r));
  }
  HostReq len;
  len.we = true;
  len.space = kSpCtrl;
  len.addr = kProgLen;
  len.wdata = {static_cast<std::uint8_t>(code.size()), static_cast<std::uint8_t>(code.size() >> 8)};
  reqs.push_back(len);
  const auto rsps = transact(*be_, reqs);
  for (std::size_t i = 0; i < rsps.size(); ++i) {
    if (rsps[i].err) throw Error("core sim: host port refused code word " + std::to_string(i));
  }
}

void CoreSim::load(const Program& p) {
  p.check_fits(cfg_);
  load_code(p.code);
  for (const auto& seg : p.data) {
    for (const auto& piece : segment_pieces(seg, cfg_)) {
      write_mem(piece.space, piece.bank, piece.addr,
                std::vector<std::uint8_t>(seg.bytes.begin() + static_cast<std::ptrdiff_t>(piece.offset),
                                          seg.bytes.begin() + static_cast<std::ptrdiff_t>(piece.offset + piece.size)));
    }
  }
}

namespace {

// The memory units (words/entries) a byte range covers, as (bank, addr) in flat order.
struct UnitRange {
  std::size_t first;  // flat unit index
  std::size_t count;
  std::size_t skip;   // bytes of the first unit before the range
};

UnitRange unit_range(const Config& cfg, Space s, std::uint32_t bank, std::uint32_t addr, std::size_t nbytes,
                     const char* what) {
  const std::size_t unit = unit_bytes(s, cfg);
  const std::size_t depth = space_depth(s, cfg);
  const std::size_t banks = space_banks(s, cfg);
  const std::string where = std::string(what) + " " + std::string(space_name(s)) + " bank " + std::to_string(bank) +
                            " addr " + std::to_string(addr) + " (" + std::to_string(nbytes) + " bytes)";
  if (bank >= banks) throw Error("core sim: " + where + ": bank out of range (" + std::to_string(banks) + ")");
  if (addr >= depth) throw Error("core sim: " + where + ": address out of range (" + std::to_string(depth) + ")");
  const std::size_t off = (static_cast<std::size_t>(bank) * depth + addr) * unit;
  if (nbytes > banks * depth * unit - off) throw Error("core sim: " + where + ": runs past the end of " + std::string(space_name(s)));
  UnitRange r;
  r.first = off / unit;
  r.skip = 0;
  r.count = (nbytes + unit - 1) / unit;
  return r;
}

}  // namespace

void CoreSim::write_mem(Space s, std::uint32_t bank, std::uint32_t addr, const std::vector<std::uint8_t>& bytes) {
  if (running()) throw Error("core sim: memory write while a run is in progress");
  if (bytes.empty()) return;
  const std::size_t unit = unit_bytes(s, cfg_);
  const std::size_t depth = space_depth(s, cfg_);
  const UnitRange ur = unit_range(cfg_, s, bank, addr, bytes.size(), "write");
  // A trailing partial unit keeps its other bytes: read it first.
  std::vector<std::uint8_t> tail;
  const std::size_t rem = bytes.size() % unit;
  if (rem) {
    const std::size_t g = ur.first + ur.count - 1;
    tail = read_mem(s, static_cast<std::uint32_t>(g / depth), static_cast<std::uint32_t>(g % depth), unit);
  }
  std::vector<HostReq> reqs(ur.count);
  for (std::size_t u = 0; u < ur.count; ++u) {
    const std::size_t g = ur.first + u;
    HostReq& r = reqs[u];
    r.we = true;
    r.space = host_space(s);
    r.bank = static_cast<unsigned>(g / depth);
    r.addr = static_cast<std::uint32_t>(g % depth);
    const std::size_t from = u * unit;
    const std::size_t n = std::min(unit, bytes.size() - from);
    r.wdata.assign(bytes.begin() + static_cast<std::ptrdiff_t>(from), bytes.begin() + static_cast<std::ptrdiff_t>(from + n));
    if (n < unit) {
      r.wdata.resize(unit);
      std::copy(tail.begin() + static_cast<std::ptrdiff_t>(n), tail.end(), r.wdata.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }
  const auto rsps = transact(*be_, reqs);
  for (std::size_t u = 0; u < rsps.size(); ++u) {
    if (rsps[u].err) {
      throw Error("core sim: host port refused a write of " + std::string(space_name(s)) + " unit " +
                  std::to_string(ur.first + u));
    }
  }
}

std::vector<std::uint8_t> CoreSim::read_mem(Space s, std::uint32_t bank, std::uint32_t addr, std::size_t nbytes) {
  if (running()) throw Error("core sim: memory read while a run is in progress");
  std::vector<std::uint8_t> out;
  if (nbytes == 0) return out;
  const std::size_t unit = unit_bytes(s, cfg_);
  const std::size_t depth = space_depth(s, cfg_);
  const UnitRange ur = unit_range(cfg_, s, bank, addr, nbytes, "read");
  std::vector<HostReq> reqs(ur.count);
  for (std::size_t u = 0; u < ur.count; ++u) {
    const std::size_t g = ur.first + u;
    reqs[u].space = host_space(s);
    reqs[u].bank = static_cast<unsigned>(g / depth);
    reqs[u].addr = static_cast<std::uint32_t>(g % depth);
  }
  const auto rsps = transact(*be_, reqs);
  out.reserve(ur.count * unit);
  for (std::size_t u = 0; u < rsps.size(); ++u) {
    if (rsps[u].err) {
      throw Error("core sim: host port refused a read of " + std::string(space_name(s)) + " unit " +
                  std::to_string(ur.first + u));
    }
    out.insert(out.end(), rsps[u].rdata.begin(), rsps[u].rdata.begin() + static_cast<std::ptrdiff_t>(unit));
  }
  out.resize(nbytes);
  return out;
}

void CoreSim::set_trace(std::function<void(const TraceEvent&)> fn) { trace_ = std::move(fn); }

bool CoreSim::running() const { return be_->run_active; }

void CoreSim::start() {
  if (be_->run_active) throw Error("core sim: start while a run is in progress");
  if (one(*be_, true, kSpCtrl, kCmd, 1).err) throw Error("core sim: start refused");
  // The fetch cycle between the start and run cycle 0 (docs/sequencer.md "Fetch pipeline").
  be_->tick();
  be_->run_active = true;
  be_->run_cycle = 0;
  be_->abort_pending = false;
  const std::size_t ring = 64;
  be_->issue_pc_ring.assign(ring, 0);
  be_->issue_ring_valid.assign(ring, false);
}

void CoreSim::abort() {
  if (!be_->run_active) return;
  be_->abort_pending = true;
  // The abort is the error of this cycle; the host sees the run end one cycle later, when
  // the error's code and pc are latched (docs/sequencer.md "Errors").
  for (int i = 0; i < 4 && advance(1); ++i) {
  }
  if (be_->run_active) throw Error("core sim: the run did not end after an abort");
}

bool CoreSim::advance(std::uint64_t n) {
  Backend& be = *be_;
  if (!be.run_active) return false;
  const bool tracing = static_cast<bool>(trace_);
  const unsigned L = cfg_.lanes;
  Probe p;
  auto emit = [&](TraceEvent::Kind k, std::uint64_t c, std::uint32_t pc, std::uint32_t bank, std::uint32_t addr,
                  const std::int32_t* data, unsigned nd) {
    trace_(TraceEvent{k, c, pc, bank, addr, std::vector<std::int32_t>(data, data + nd)});
  };
  auto emit_lut = [&](std::uint64_t c) {
    for (unsigned e = 0; e < L / 2; ++e) {
      emit(TraceEvent::Kind::lut_write, c, be.last_lutld_pc, 0, p.lut_base + e, &p.lut_vals[e], 1);
    }
  };
  for (std::uint64_t k = 0; k < n; ++k) {
    HostReq abort_req;
    if (be.abort_pending) {
      abort_req.we = true;
      abort_req.space = kSpCtrl;
      abort_req.addr = kCmd;
      abort_req.wdata = {2};
      be.set_req(&abort_req);
      be.abort_pending = false;
    }
    if (tracing) {
      const std::uint64_t c = be.run_cycle;
      be.probe(p, L);
      const std::size_t ring = be.issue_pc_ring.size();
      // The physical LUT write of a lutld word lands one cycle after its architectural cycle.
      if (p.lut && c > 0) emit_lut(c - 1);
      if (p.issue) {
        emit(TraceEvent::Kind::issue, c, p.pc, 0, p.pc, nullptr, 0);
        if (p.op == static_cast<std::uint8_t>(Op::lutld)) be.last_lutld_pc = p.pc;
      }
      be.issue_pc_ring[c % ring] = p.pc;
      be.issue_ring_valid[c % ring] = p.issue;
      for (const auto& w : p.wr) {
        if (w.v) emit(TraceEvent::Kind::sram_write, c, w.pc, w.bank, w.addr, w.data.data(), L);
      }
      if (p.acc) emit(TraceEvent::Kind::acc_write, c, p.acc_pc, 0, p.acc_addr, p.acc_data.data(), L);
      if (p.vreg) {
        // Every vector write-back belongs to the instruction issued vlat-1 cycles earlier.
        const std::uint64_t t = c + 1 - cfg_.vlat;
        const std::uint32_t pc = (c + 1 >= cfg_.vlat) ? be.issue_pc_ring[t % ring] : 0;
        emit(TraceEvent::Kind::vreg_write, c, pc, 0, p.vreg_idx, p.vreg_data.data(), L);
      }
      if (p.sreg) emit(TraceEvent::Kind::sreg_write, c, p.pc, 0, p.sreg_idx, &p.sreg_val, 1);
    }
    be.tick();
    be.set_req(nullptr);
    ++be.run_cycle;
    if (!be.running()) {
      be.run_active = false;
      if (tracing) {
        // A lutld word read in the last run cycle is written in the cycle after it.
        Probe q;
        be.probe_lut(q, L);
        if (q.lut) {
          p = q;
          emit_lut(be.run_cycle - 1);
        }
      }
      return false;
    }
  }
  return true;
}

RunResult CoreSim::result() {
  if (be_->run_active) throw Error("core sim: result while a run is in progress");
  RunResult r;
  std::vector<HostReq> reqs;
  auto rd = [&](unsigned space, std::uint32_t addr) {
    HostReq q;
    q.space = space;
    q.addr = addr;
    reqs.push_back(q);
  };
  rd(kSpCtrl, kCmd);
  rd(kSpCtrl, kErrCode);
  rd(kSpCtrl, kErrPc);
  rd(kSpCtrl, kErrCycle);
  for (unsigned i = 0; i < gen::kNumCounters; ++i) rd(kSpCnt, i);
  const auto rsps = transact(*be_, reqs);
  for (const auto& x : rsps) {
    if (x.err) throw Error("core sim: host port refused a status read");
  }
  const auto status = u64_of(rsps[0]);
  if (status != kDone && status != kError) throw Error("core sim: run ended with status " + std::to_string(status));
  r.error = static_cast<ErrorCode>(u64_of(rsps[1]));
  r.error_pc = static_cast<std::uint32_t>(u64_of(rsps[2]));
  r.error_cycle = u64_of(rsps[3]);
  for (unsigned i = 0; i < gen::kNumCounters; ++i) r.counters[i] = u64_of(rsps[4 + i]);
  r.cycles = r.counters[static_cast<unsigned>(gen::Counter::cycles)];
  if ((status == kError) != (r.error != ErrorCode::none)) {
    throw Error("core sim: status " + std::to_string(status) + " disagrees with error code " +
                std::to_string(static_cast<unsigned>(r.error)));
  }
  return r;
}

RunResult CoreSim::run(std::uint64_t max_cycles) {
  start();
  const std::uint64_t chunk = 4096;
  while (be_->run_cycle < max_cycles) {
    if (!advance(std::min(chunk, max_cycles - be_->run_cycle))) return result();
  }
  throw Error("core sim: the run did not finish within " + std::to_string(max_cycles) + " cycles");
}

std::int32_t CoreSim::sreg(unsigned i) {
  if (i >= cfg_.sregs) throw Error("core sim: scalar register r" + std::to_string(i) + " does not exist");
  const auto r = one(*be_, false, kSpSreg, i);
  if (r.err) throw Error("core sim: host port refused reading r" + std::to_string(i));
  return static_cast<std::int32_t>(u64_of(r));
}

std::int32_t CoreSim::vreg(unsigned i, unsigned lane) const {
  if (i >= cfg_.vregs || lane >= cfg_.lanes) {
    throw Error("core sim: vector register v" + std::to_string(i) + " lane " + std::to_string(lane) + " does not exist");
  }
  return be_->vreg(i, lane);
}

std::uint64_t CoreSim::clock_cycles() const { return be_->cycles(); }

void CoreSim::set_link_loopback(bool on) { be_->set_loopback(on); }

bool CoreSim::wait_links_up(std::uint64_t max_cycles) {
  if (running()) throw Error("core sim: wait_links_up while a run is in progress");
  for (std::uint64_t c = 0; c < max_cycles && !be_->links_up(); ++c) be_->tick();
  return be_->links_up();
}

std::uint32_t CoreSim::link_reg(std::uint32_t addr) {
  const auto r = one(*be_, false, kSpLink, addr);
  if (r.err) throw Error("core sim: host port refused reading link status address " + std::to_string(addr));
  return static_cast<std::uint32_t>(u64_of(r));
}

}  // namespace lpu
