// lpu_sram against a plain C++ model of docs/sram.md: random read/write traffic on every port,
// read-first order, range and bank-conflict flags (dual- and single-ported banks), the
// performed-access counts, stop_i, and the registered read return.
//
// Built once per configuration (verif/mem/CMakeLists.txt); the parameters arrive as
// LPU_P_<Name>.
#include LPU_VTOP_HEADER

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <sstream>
#include <vector>

#include "sim_harness.hpp"
#include "vl_bits.hpp"

namespace {

using lpu::verif::Harness;
using lpu::verif::vl_get;
using lpu::verif::vl_set;
using Model = LPU_VTOP;

constexpr unsigned kLanes = LPU_P_Lanes;
constexpr unsigned kBanks = LPU_P_Banks;
constexpr unsigned kDepth = LPU_P_Depth;
constexpr bool kDual = LPU_P_DualPort != 0;
constexpr unsigned kRd = 5;
constexpr unsigned kWr = 3;

using Word = std::vector<std::uint8_t>;

struct Req {
  bool valid = false;
  unsigned bank = 0;
  std::uint32_t addr = 0;
  Word data;  // writes only
};

// What the reference expects of one port in one cycle.
struct Expect {
  bool err_addr = false;
  bool err_conf = false;
  bool done = false;
};

std::string word_str(const Word& w) {
  std::ostringstream os;
  os << std::hex;
  for (std::size_t i = w.size(); i-- > 0;) os << (w[i] < 16 ? "0" : "") << unsigned(w[i]);
  return os.str();
}

// The reference rules, written from the spec independently of the RTL's structure.
void reference_flags(const std::array<Req, kRd>& rd, const std::array<Req, kWr>& wr, bool stop,
                     std::array<Expect, kRd>& er, std::array<Expect, kWr>& ew) {
  er = {};
  ew = {};
  if (stop) return;
  auto in_range = [](const Req& r) {
    const auto a = static_cast<std::int32_t>(r.addr);
    return a >= 0 && static_cast<std::uint32_t>(a) < kDepth && r.bank < kBanks;
  };
  std::vector<unsigned> n_rd(16, 0), n_wr(16, 0);
  for (unsigned p = 0; p < kRd; ++p) {
    if (!rd[p].valid) continue;
    if (!in_range(rd[p])) er[p].err_addr = true;
    else ++n_rd[rd[p].bank];
  }
  for (unsigned p = 0; p < kWr; ++p) {
    if (!wr[p].valid) continue;
    if (!in_range(wr[p])) ew[p].err_addr = true;
    else ++n_wr[wr[p].bank];
  }
  for (unsigned p = 0; p < kRd; ++p) {
    if (!rd[p].valid || er[p].err_addr) continue;
    const unsigned b = rd[p].bank;
    er[p].err_conf = kDual ? n_rd[b] > 1 : n_rd[b] + n_wr[b] > 1;
    er[p].done = !er[p].err_conf;
  }
  for (unsigned p = 0; p < kWr; ++p) {
    if (!wr[p].valid || ew[p].err_addr) continue;
    const unsigned b = wr[p].bank;
    ew[p].err_conf = kDual ? n_wr[b] > 1 : n_rd[b] + n_wr[b] > 1;
    ew[p].done = !ew[p].err_conf;
  }
}

class SramBench {
 public:
  SramBench() : h_("sram"), mem_(kBanks * kDepth), known_(kBanks * kDepth, false) {
    h_.reset();
    idle_inputs();
    h_.eval();
  }

  Harness<Model>& h() { return h_; }

  // Drives one cycle, checks the combinational flags and counts now and the read data next
  // cycle (in the following call or in finish()).
  void cycle(const std::array<Req, kRd>& rd, const std::array<Req, kWr>& wr, bool stop = false) {
    auto& d = h_.dut();
    for (unsigned p = 0; p < kRd; ++p) {
      vl_set(d.rd_valid_i, p, 1, rd[p].valid);
      vl_set(d.rd_bank_i, p * 4, 4, rd[p].bank);
      vl_set(d.rd_addr_i, p * 32, 32, rd[p].addr);
    }
    for (unsigned p = 0; p < kWr; ++p) {
      vl_set(d.wr_valid_i, p, 1, wr[p].valid);
      vl_set(d.wr_bank_i, p * 4, 4, wr[p].bank);
      vl_set(d.wr_addr_i, p * 32, 32, wr[p].addr);
      for (unsigned l = 0; l < kLanes; ++l) {
        vl_set(d.wr_data_i, (p * kLanes + l) * 8, 8, wr[p].valid ? wr[p].data.at(l) : 0);
      }
    }
    d.stop_i = stop;
    h_.eval();

    check_read_return();

    std::array<Expect, kRd> er;
    std::array<Expect, kWr> ew;
    reference_flags(rd, wr, stop, er, ew);
    unsigned n_rd = 0, n_wr = 0;
    for (unsigned p = 0; p < kRd; ++p) {
      const std::string port = "rd port " + std::to_string(p);
      h_.check(vl_get(d.rd_err_addr_o, p, 1) == er[p].err_addr, port + " rd_err_addr_o",
               er[p].err_addr, vl_get(d.rd_err_addr_o, p, 1));
      h_.check(vl_get(d.rd_err_conf_o, p, 1) == er[p].err_conf, port + " rd_err_conf_o",
               er[p].err_conf, vl_get(d.rd_err_conf_o, p, 1));
      n_rd += er[p].done;
      // Read-first: the data is the model before this cycle's writes.
      pending_[p].reset();
      if (er[p].done) {
        const unsigned idx = rd[p].bank * kDepth + rd[p].addr;
        pending_[p] = known_[idx] ? std::optional<Word>(mem_[idx]) : std::optional<Word>(Word{});
      }
    }
    for (unsigned p = 0; p < kWr; ++p) {
      const std::string port = "wr port " + std::to_string(p);
      h_.check(vl_get(d.wr_err_addr_o, p, 1) == ew[p].err_addr, port + " wr_err_addr_o",
               ew[p].err_addr, vl_get(d.wr_err_addr_o, p, 1));
      h_.check(vl_get(d.wr_err_conf_o, p, 1) == ew[p].err_conf, port + " wr_err_conf_o",
               ew[p].err_conf, vl_get(d.wr_err_conf_o, p, 1));
      n_wr += ew[p].done;
    }
    h_.check(d.num_rd_o == n_rd, "num_rd_o", n_rd, unsigned(d.num_rd_o));
    h_.check(d.num_wr_o == n_wr, "num_wr_o", n_wr, unsigned(d.num_wr_o));
    reads_ += n_rd;
    writes_ += n_wr;
    conflicts_ += count_conf(er, ew);
    addr_errs_ += count_addr(er, ew);

    for (unsigned p = 0; p < kWr; ++p) {
      if (!ew[p].done) continue;
      const unsigned idx = wr[p].bank * kDepth + wr[p].addr;
      mem_[idx] = wr[p].data;
      known_[idx] = true;
    }
    h_.step();
  }

  void idle() { cycle({}, {}); }

  // Checks the read data of the last cycle.
  void finish() {
    idle_inputs();
    h_.eval();
    check_read_return();
  }

  // Makes words [0, n) of every bank known (one write per bank per cycle).
  void preload(unsigned n) {
    for (unsigned a = 0; a < n; ++a) {
      for (unsigned b0 = 0; b0 < kBanks; b0 += kWr) {
        std::array<Req, kWr> wr{};
        for (unsigned p = 0; p < kWr && b0 + p < kBanks; ++p) {
          wr[p] = Req{true, b0 + p, a, random_word()};
        }
        cycle({}, wr);
      }
    }
  }

  Word random_word() {
    Word w(kLanes);
    for (auto& x : w) x = static_cast<std::uint8_t>(h_.rng()());
    return w;
  }

  unsigned reads() const { return reads_; }
  unsigned writes() const { return writes_; }
  unsigned conflicts() const { return conflicts_; }
  unsigned addr_errs() const { return addr_errs_; }

 private:
  static unsigned count_conf(const std::array<Expect, kRd>& er, const std::array<Expect, kWr>& ew) {
    unsigned n = 0;
    for (auto& e : er) n += e.err_conf;
    for (auto& e : ew) n += e.err_conf;
    return n;
  }
  static unsigned count_addr(const std::array<Expect, kRd>& er, const std::array<Expect, kWr>& ew) {
    unsigned n = 0;
    for (auto& e : er) n += e.err_addr;
    for (auto& e : ew) n += e.err_addr;
    return n;
  }

  void idle_inputs() {
    auto& d = h_.dut();
    for (unsigned p = 0; p < kRd; ++p) vl_set(d.rd_valid_i, p, 1, 0);
    for (unsigned p = 0; p < kWr; ++p) vl_set(d.wr_valid_i, p, 1, 0);
    d.stop_i = 0;
  }

  void check_read_return() {
    auto& d = h_.dut();
    for (unsigned p = 0; p < kRd; ++p) {
      const bool want_valid = pending_[p].has_value();
      h_.check(vl_get(d.rd_valid_o, p, 1) == want_valid,
               "rd port " + std::to_string(p) + " rd_valid_o", want_valid,
               vl_get(d.rd_valid_o, p, 1));
      if (!want_valid || pending_[p]->empty()) continue;  // empty: word never written
      Word got(kLanes);
      for (unsigned l = 0; l < kLanes; ++l) {
        got[l] = static_cast<std::uint8_t>(vl_get(d.rd_data_o, (p * kLanes + l) * 8, 8));
      }
      h_.check(got == *pending_[p], "rd port " + std::to_string(p) + " rd_data_o",
               word_str(*pending_[p]), word_str(got));
    }
  }

  Harness<Model> h_;
  std::vector<Word> mem_;
  std::vector<bool> known_;
  std::array<std::optional<Word>, kRd> pending_{};
  unsigned reads_ = 0, writes_ = 0, conflicts_ = 0, addr_errs_ = 0;
};

// A random address: mostly inside a small window (so reads hit written words and ports
// collide), sometimes at the edges or out of range.
std::uint32_t random_addr(std::mt19937_64& rng, unsigned window) {
  switch (rng() % 16) {
    case 0: return static_cast<std::uint32_t>(-1 - static_cast<std::int64_t>(rng() % 4));
    case 1: return kDepth + static_cast<std::uint32_t>(rng() % 4);
    case 2: return 0x80000000u | static_cast<std::uint32_t>(rng());  // large negative
    case 3: return static_cast<std::uint32_t>(rng() % 0x7fffffffu) | 0x40000000u;  // large positive
    case 4: return kDepth - 1;
    default: return static_cast<std::uint32_t>(rng() % window);
  }
}

}  // namespace

TEST_CASE("random traffic on every port matches the array model", "[sram]") {
  SramBench tb;
  auto& rng = tb.h().rng();
  constexpr unsigned kWindow = 8;
  tb.preload(kWindow);
  // Restrict most traffic to a few banks so that conflicts are frequent but not universal.
  const unsigned hot_banks = kBanks < 3 ? kBanks : 3;
  for (unsigned c = 0; c < 20000; ++c) {
    std::array<Req, kRd> rd{};
    std::array<Req, kWr> wr{};
    const unsigned density = rng() % 4;  // 0: sparse .. 3: busy
    for (unsigned p = 0; p < kRd; ++p) {
      if (rng() % 8 >= 2 + density) continue;
      rd[p].valid = true;
      rd[p].bank = (rng() % 4 == 0) ? rng() % 16 : rng() % hot_banks;
      rd[p].addr = random_addr(rng, kWindow);
    }
    for (unsigned p = 0; p < kWr; ++p) {
      if (rng() % 8 >= 1 + density) continue;
      wr[p].valid = true;
      wr[p].bank = (rng() % 4 == 0) ? rng() % 16 : rng() % hot_banks;
      wr[p].addr = random_addr(rng, kWindow);
      wr[p].data = tb.random_word();
    }
    tb.cycle(rd, wr, rng() % 64 == 0);
  }
  tb.finish();
  INFO("reads " << tb.reads() << " writes " << tb.writes() << " conflicts " << tb.conflicts()
                << " addr errors " << tb.addr_errs());
  // The stimulus must actually exercise every outcome.
  CHECK(tb.reads() > 1000);
  CHECK(tb.writes() > 1000);
  CHECK(tb.conflicts() > 100);
  CHECK(tb.addr_errs() > 100);
}

TEST_CASE("a read sees the word as at the start of its cycle", "[sram]") {
  SramBench tb;
  const Word a = tb.random_word();
  const Word b = tb.random_word();
  tb.cycle({}, {Req{true, 0, 5, a}});
  // Read and write of the same word of one bank in one cycle: the read returns the old word
  // on dual-ported banks; on single-ported banks it is a conflict (both suppressed).
  std::array<Req, kRd> rd{};
  rd[2] = Req{true, 0, 5, {}};
  tb.cycle(rd, {Req{true, 0, 5, b}});
  tb.cycle(rd, {});  // the next cycle sees the write (dual) or the old word (single: suppressed)
  tb.idle();
  tb.finish();
  CHECK(tb.conflicts() == (kDual ? 0u : 2u));
}

TEST_CASE("edges of the address space and of the bank range", "[sram]") {
  SramBench tb;
  for (unsigned b = 0; b < 16; ++b) {
    std::array<Req, kWr> wr{};
    wr[0] = Req{true, b, 0, tb.random_word()};
    wr[1] = Req{true, b, kDepth - 1, tb.random_word()};  // same bank: conflict when dual
    tb.cycle({}, wr);
    wr[1].valid = false;
    tb.cycle({}, wr);
    wr[0].addr = kDepth - 1;
    tb.cycle({}, wr);
    for (std::uint32_t a : {0u, kDepth - 1, kDepth, 0xffffffffu, 0x80000000u, 0x7fffffffu}) {
      std::array<Req, kRd> rd{};
      rd[static_cast<unsigned>(a % kRd)] = Req{true, b, a, {}};
      tb.cycle(rd, {});
    }
  }
  tb.finish();
  CHECK(tb.addr_errs() >= 4 * kBanks);
}

TEST_CASE("stop_i suppresses every access and every flag", "[sram]") {
  SramBench tb;
  const Word a = tb.random_word();
  tb.cycle({}, {Req{true, 1 % kBanks, 3, a}});
  std::array<Req, kRd> rd{};
  for (unsigned p = 0; p < kRd; ++p) rd[p] = Req{true, 1 % kBanks, 3, {}};
  std::array<Req, kWr> wr{};
  for (unsigned p = 0; p < kWr; ++p) wr[p] = Req{true, 1 % kBanks, 3 + p, tb.random_word()};
  tb.cycle(rd, wr, true);
  rd = {};
  rd[0] = Req{true, 1 % kBanks, 3, {}};
  tb.cycle(rd, {});  // still the word written before the stop
  tb.finish();
  CHECK(tb.writes() == 1);
}
