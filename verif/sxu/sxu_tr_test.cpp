// lpu_sxu_tr (vtr) against the spec: random transpose schedules compared cycle by cycle with a
// reference written from docs/isa.md "Switch-unit transpose", plus directed tests with
// hand-written expectations. Built once per configuration (LPU_VTOP, LPU_P_<Name>).
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include LPU_VTOP_HEADER
#include "encode.hpp"
#include "lpu/gen/isa_gen.hpp"
#include "sim_harness.hpp"
#include "vl_bits.hpp"

using lpu::gen::Op;
using lpu::verif::Ins;
using lpu::verif::vl_get;
using lpu::verif::vl_set;
using Model = LPU_VTOP;

namespace {

const lpu::gen::ConfigDesc& config() {
  static const lpu::gen::ConfigDesc cfg = [] {
    for (auto c : lpu::gen::kConfigs) {
      if (c.lanes == LPU_P_Lanes) {
        c.vtr_busy = LPU_P_VtrBusy;
        c.vtr_wr_start = LPU_P_VtrWrStart;
        return c;
      }
    }
    throw std::runtime_error("no configuration with " + std::to_string(LPU_P_Lanes) + " lanes");
  }();
  return cfg;
}

using Mem = std::vector<std::vector<std::uint8_t>>;  // [bank][addr * lanes + lane]

struct Vtr {
  unsigned src_bank = 0, dst_bank = 0;
  std::int32_t src = 0, dst = 0;  // R[ra], R[rb]
  std::uint16_t pc = 0;
};

Ins vtr_ins(const Vtr& v) {
  Ins in;
  in.op = Op::vtr;
  in.rd = v.dst_bank;
  in.bank = v.src_bank;
  in.ra = 3;
  in.rb = 4;
  return in;
}

// What the unit does in one cycle.
struct Act {
  bool iss_err = false;
  bool rd = false;
  unsigned rd_bank = 0;
  std::int32_t rd_addr = 0;
  std::uint16_t rd_pc = 0;
  bool wr = false;
  unsigned wr_bank = 0;
  std::int32_t wr_addr = 0;
  std::uint16_t wr_pc = 0;
  std::vector<std::uint8_t> wr_data;
  bool pending = false;
};

// Reference: row k read in t+1+k (state at the start of that cycle), output row j written at
// the end of t+vtr_wr_start+j; a vtr before t_prev+vtr_busy is rejected.
class TrRef {
 public:
  explicit TrRef(const lpu::gen::ConfigDesc& cfg) : cfg_(cfg), L_(cfg.lanes) {}
  Mem& mem() { return mem_; }
  void init(const Mem& m) { mem_ = m; }

  // Asked before cycle(c): effects after c of transposes issued before c.
  bool pending(std::uint64_t c) const {
    for (const auto& s : streams_) {
      if (s.t + cfg_.vtr_wr_start + L_ - 1 > c) return true;
    }
    return false;
  }

  Act cycle(std::uint64_t c, const std::optional<Vtr>& iss) {
    Act a;
    a.wr_data.assign(L_, 0);
    for (auto& s : streams_) {
      if (c >= s.t + 1 && c <= s.t + L_) {
        const unsigned k = static_cast<unsigned>(c - s.t - 1);
        a.rd = true;
        a.rd_bank = s.v.src_bank;
        a.rd_addr = static_cast<std::int32_t>(static_cast<std::uint32_t>(s.v.src) + k);
        a.rd_pc = s.v.pc;
        s.rows[k] = read(s.v.src_bank, a.rd_addr);
      }
    }
    for (auto& s : streams_) {
      if (c >= s.t + cfg_.vtr_wr_start && c < s.t + cfg_.vtr_wr_start + L_) {
        const unsigned j = static_cast<unsigned>(c - s.t - cfg_.vtr_wr_start);
        a.wr = true;
        a.wr_bank = s.v.dst_bank;
        a.wr_addr = static_cast<std::int32_t>(static_cast<std::uint32_t>(s.v.dst) + j);
        a.wr_pc = s.v.pc;
        for (unsigned l = 0; l < L_; ++l) a.wr_data[l] = s.rows[l][j];  // column j
      }
    }
    if (iss) {
      if (last_ && c < *last_ + cfg_.vtr_busy) {
        a.iss_err = true;
      } else {
        last_ = c;
        streams_.push_back({c, *iss, std::vector<std::vector<std::uint8_t>>(L_)});
      }
    }
    if (a.wr) write(a.wr_bank, a.wr_addr, a.wr_data);  // end of cycle
    while (!streams_.empty() && streams_.front().t + cfg_.vtr_wr_start + L_ - 1 <= c) streams_.pop_front();
    return a;
  }

  void stop() {
    streams_.clear();
    last_.reset();
  }

 private:
  struct Stream {
    std::uint64_t t;
    Vtr v;
    std::vector<std::vector<std::uint8_t>> rows;
  };
  bool ok(unsigned b, std::int32_t a) const { return b < cfg_.banks && a >= 0 && a < static_cast<std::int32_t>(cfg_.bank_depth); }
  std::vector<std::uint8_t> read(unsigned b, std::int32_t a) const {
    if (!ok(b, a)) return std::vector<std::uint8_t>(L_, 0);
    return {mem_[b].begin() + static_cast<long>(a) * L_, mem_[b].begin() + (static_cast<long>(a) + 1) * L_};
  }
  void write(unsigned b, std::int32_t a, const std::vector<std::uint8_t>& d) {
    if (!ok(b, a)) return;
    std::copy(d.begin(), d.end(), mem_[b].begin() + static_cast<long>(a) * L_);
  }

  const lpu::gen::ConfigDesc& cfg_;
  unsigned L_;
  Mem mem_;
  std::deque<Stream> streams_;
  std::optional<std::uint64_t> last_;
};

// The DUT with a C++ SRAM on its two ports (read data the next cycle, writes at the end of
// the cycle, out-of-range requests suppressed).
class Bench {
 public:
  Bench(const lpu::gen::ConfigDesc& cfg, const std::string& name)
      : cfg_(cfg), L_(cfg.lanes), h_(name),
        mem_(cfg.banks, std::vector<std::uint8_t>(std::size_t{cfg.bank_depth} * cfg.lanes, 0)) {
    h_.dut().stop_i = 0;
    h_.dut().iss_valid_i = 0;
    h_.reset();
  }
  lpu::verif::Harness<Model>& h() { return h_; }
  Mem& mem() { return mem_; }
  void set_stop(bool s) { h_.dut().stop_i = s; }

  Act cycle(const std::optional<Ins>& in, std::uint16_t pc, std::int32_t ra, std::int32_t rb) {
    auto& d = h_.dut();
    d.iss_valid_i = in.has_value();
    d.iss_instr_i = in ? lpu::verif::encode(*in) : 0;
    d.iss_pc_i = pc;
    d.iss_ra_val_i = static_cast<std::uint32_t>(ra);
    d.iss_rb_val_i = static_cast<std::uint32_t>(rb);
    h_.eval();
    Act a;
    a.iss_err = d.iss_err_o;
    a.rd = d.sram_rd_req_o;
    a.rd_bank = d.sram_rd_bank_o;
    a.rd_addr = static_cast<std::int32_t>(d.sram_rd_addr_o);
    a.rd_pc = d.sram_rd_pc_o;
    a.wr = d.sram_wr_req_o;
    a.wr_bank = d.sram_wr_bank_o;
    a.wr_addr = static_cast<std::int32_t>(d.sram_wr_addr_o);
    a.wr_pc = d.sram_wr_pc_o;
    a.pending = d.pending_o;
    a.wr_data.resize(L_);
    for (unsigned l = 0; l < L_; ++l) a.wr_data[l] = static_cast<std::uint8_t>(vl_get(d.sram_wr_data_o, 8 * l, 8));
    std::vector<std::uint8_t> rd(L_, 0xa5);
    if (a.rd && ok(a.rd_bank, a.rd_addr)) {
      for (unsigned l = 0; l < L_; ++l) rd[l] = mem_[a.rd_bank][static_cast<std::size_t>(a.rd_addr) * L_ + l];
    }
    if (a.wr && ok(a.wr_bank, a.wr_addr)) {
      for (unsigned l = 0; l < L_; ++l) mem_[a.wr_bank][static_cast<std::size_t>(a.wr_addr) * L_ + l] = a.wr_data[l];
    }
    h_.step();
    for (unsigned l = 0; l < L_; ++l) vl_set(d.sram_rd_data_i, 8 * l, 8, rd[l]);
    d.iss_valid_i = 0;
    return a;
  }

 private:
  bool ok(unsigned b, std::int32_t a) const { return b < cfg_.banks && a >= 0 && a < static_cast<std::int32_t>(cfg_.bank_depth); }
  const lpu::gen::ConfigDesc& cfg_;
  unsigned L_;
  lpu::verif::Harness<Model> h_;
  Mem mem_;
};

class Pair {
 public:
  explicit Pair(const std::string& name) : cfg_(config()), b_(cfg_, name), ref_(cfg_) {
    auto& rng = b_.h().rng();
    for (auto& bank : b_.mem()) {
      for (auto& x : bank) x = static_cast<std::uint8_t>(rng());
    }
    ref_.init(b_.mem());
  }
  const lpu::gen::ConfigDesc& cfg() const { return cfg_; }
  std::mt19937_64& rng() { return b_.h().rng(); }
  Bench& bench() { return b_; }
  TrRef& ref() { return ref_; }
  std::uint64_t now() const { return c_; }

  // One cycle: an optional vtr (or a foreign instruction the unit must ignore).
  Act step(const std::optional<Vtr>& v, const std::optional<Ins>& foreign = std::nullopt) {
    const bool want_pending = ref_.pending(c_);
    const Act e = ref_.cycle(c_, v);
    std::optional<Ins> in = foreign;
    if (v) in = vtr_ins(*v);
    const Act s = b_.cycle(in, v ? v->pc : 0, v ? v->src : 0, v ? v->dst : 0);
    auto& h = b_.h();
    const std::string at = "cycle " + std::to_string(c_);
    h.check(s.iss_err == e.iss_err, at + " iss_err_o", e.iss_err, s.iss_err);
    h.check(s.pending == want_pending, at + " pending_o", want_pending, s.pending);
    h.check(s.rd == e.rd, at + " sram_rd_req_o", e.rd, s.rd);
    if (e.rd) {
      h.check(s.rd_bank == e.rd_bank, at + " sram_rd_bank_o", e.rd_bank, s.rd_bank);
      h.check(s.rd_addr == e.rd_addr, at + " sram_rd_addr_o", e.rd_addr, s.rd_addr);
      h.check(s.rd_pc == e.rd_pc, at + " sram_rd_pc_o", e.rd_pc, s.rd_pc);
    }
    h.check(s.wr == e.wr, at + " sram_wr_req_o", e.wr, s.wr);
    if (e.wr) {
      h.check(s.wr_bank == e.wr_bank, at + " sram_wr_bank_o", e.wr_bank, s.wr_bank);
      h.check(s.wr_addr == e.wr_addr, at + " sram_wr_addr_o", e.wr_addr, s.wr_addr);
      h.check(s.wr_pc == e.wr_pc, at + " sram_wr_pc_o", e.wr_pc, s.wr_pc);
      for (unsigned l = 0; l < cfg_.lanes; ++l) {
        h.check(s.wr_data[l] == e.wr_data[l], at + " sram_wr_data_o byte " + std::to_string(l),
                int{e.wr_data[l]}, int{s.wr_data[l]});
      }
    }
    ++c_;
    return s;
  }

  void drain() {
    for (unsigned i = 0; i < cfg_.vtr_wr_start + cfg_.lanes + 1; ++i) step(std::nullopt);
    REQUIRE_FALSE(ref_.pending(c_));
    REQUIRE(b_.mem() == ref_.mem());
  }

  Vtr random_vtr(std::uint16_t pc) {
    auto& rng = b_.h().rng();
    const std::int32_t top = static_cast<std::int32_t>(cfg_.bank_depth - cfg_.lanes);
    Vtr v;
    v.src_bank = static_cast<unsigned>(rng() % cfg_.banks);
    v.dst_bank = static_cast<unsigned>(rng() % cfg_.banks);
    v.src = static_cast<std::int32_t>(rng() % 64);  // a small window: sources and destinations overlap
    v.dst = static_cast<std::int32_t>(rng() % 64);
    if (rng() % 4 == 0) v.src = static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(top + 1));
    if (rng() % 4 == 0) v.dst = top;
    v.pc = static_cast<std::uint16_t>(rng());
    return v;
  }

 private:
  const lpu::gen::ConfigDesc& cfg_;
  Bench b_;
  TrRef ref_;
  std::uint64_t c_ = 0;
};

}  // namespace

TEST_CASE("sxu_tr: one transpose, hand-written expectation and exact write cycles", "[sxu]") {
  Pair p("sxu_tr_single");
  const auto& cfg = p.cfg();
  const unsigned L = cfg.lanes;
  // Input rows at bank 1, words 10..10+L-1: byte c of row r = 16*r + c + 1.
  for (unsigned r = 0; r < L; ++r) {
    for (unsigned c = 0; c < L; ++c) {
      p.bench().mem()[1][(10 + r) * L + c] = static_cast<std::uint8_t>(16 * r + c + 1);
      p.ref().mem()[1][(10 + r) * L + c] = static_cast<std::uint8_t>(16 * r + c + 1);
    }
  }
  Vtr v;
  v.src_bank = 1;
  v.src = 10;
  v.dst_bank = cfg.banks - 1;
  v.dst = 100;
  v.pc = 0x42;
  const std::uint64_t t = p.now();
  p.step(v);
  std::vector<std::uint64_t> write_cycles;
  for (unsigned i = 0; i < cfg.vtr_wr_start + L + 2; ++i) {
    const std::uint64_t c = p.now();
    const Act a = p.step(std::nullopt);
    if (a.wr) {
      write_cycles.push_back(c - t);
      const unsigned j = static_cast<unsigned>(write_cycles.size() - 1);
      CHECK(a.wr_addr == static_cast<std::int32_t>(100 + j));
      for (unsigned l = 0; l < L; ++l) CHECK(a.wr_data[l] == static_cast<std::uint8_t>(16 * l + j + 1));
    }
  }
  REQUIRE(write_cycles.size() == L);
  for (unsigned j = 0; j < L; ++j) CHECK(write_cycles[j] == cfg.vtr_wr_start + j);
  p.drain();
}

TEST_CASE("sxu_tr: busy check and back-to-back transposes at vtr_busy", "[sxu]") {
  Pair p("sxu_tr_busy");
  const auto& cfg = p.cfg();
  Vtr v = p.random_vtr(1);
  p.step(v);                                                  // t
  for (unsigned d = 1; d < cfg.vtr_busy; ++d) {
    Vtr w = p.random_vtr(static_cast<std::uint16_t>(d + 1));
    const Act a = p.step(w);                                  // t+d < t+busy: rejected
    CHECK(a.iss_err);
  }
  // Exactly at t+busy, five times in a row: each overlaps the previous one's drain.
  for (int n = 0; n < 5; ++n) {
    Vtr w = p.random_vtr(static_cast<std::uint16_t>(100 + n));
    const Act a = p.step(w);
    CHECK_FALSE(a.iss_err);
    for (unsigned d = 1; d < cfg.vtr_busy; ++d) p.step(std::nullopt);
  }
  p.drain();
}

TEST_CASE("sxu_tr: random schedules, overlapping regions, foreign instructions", "[sxu]") {
  Pair p("sxu_tr_random");
  auto& rng = p.rng();
  const Op foreign[] = {Op::vld, Op::vst, Op::vadd, Op::mm, Op::mlw, Op::lutld, Op::li, Op::send};
  for (int n = 0; n < 3000; ++n) {
    const unsigned r = static_cast<unsigned>(rng() % 100);
    if (r < 25) {
      p.step(p.random_vtr(static_cast<std::uint16_t>(n)));
    } else if (r < 35) {
      Ins in;
      in.op = foreign[rng() % (sizeof(foreign) / sizeof(foreign[0]))];
      in.rd = static_cast<unsigned>(rng() % 8);
      in.bank = static_cast<unsigned>(rng() % p.cfg().banks);
      p.step(std::nullopt, in);
    } else {
      p.step(std::nullopt);
    }
  }
  p.drain();
}

TEST_CASE("sxu_tr: stop drops a running transpose", "[sxu]") {
  Pair p("sxu_tr_stop");
  const auto& cfg = p.cfg();
  p.step(p.random_vtr(7));
  for (unsigned i = 0; i < cfg.vtr_wr_start + 1; ++i) p.step(std::nullopt);  // two rows written
  p.bench().set_stop(true);
  p.ref().stop();
  for (int i = 0; i < 3; ++i) {
    const Act a = p.bench().cycle(std::nullopt, 0, 0, 0);
    CHECK_FALSE(a.wr);
    CHECK_FALSE(a.rd);
    CHECK_FALSE(a.pending);
  }
  p.bench().set_stop(false);
  // After the stop the unit is idle and accepts a vtr at once.
  const Act a = p.step(p.random_vtr(8));
  CHECK_FALSE(a.iss_err);
  p.drain();
}
