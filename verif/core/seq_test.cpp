// lpu_seq on its own (base parameters, two external error inputs): fetch and issue timing,
// hardware loops, blocking instructions, scalar registers, post-increments, every sequencer
// error, error priority, abort, counters and restart. Every expectation is computed by hand
// from docs/isa.md and written out below; the units are modelled by per-cycle stimulus.
#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include LPU_VTOP_HEADER
#include "lpu/config.hpp"
#include "lpu/isa.hpp"
#include "sim_harness.hpp"

namespace {

using lpu::Field;
using lpu::Instr;
using lpu::Op;

// Instruction builder on top of lpu::encode (host/lib/isa.cpp).
std::uint64_t I(Op op, std::initializer_list<std::pair<Field, std::int64_t>> fields = {}) {
  Instr in;
  in.op = op;
  for (const auto& [f, v] : fields) in.set(f, v);
  return lpu::encode(in);
}
std::uint64_t li(int rd, std::int32_t v) { return I(Op::li, {{Field::rd, rd}, {Field::imm32, v}}); }
std::uint64_t addi(int rd, int ra, std::int32_t v) {
  return I(Op::addi, {{Field::rd, rd}, {Field::ra, ra}, {Field::imm32, v}});
}
std::uint64_t rrr(Op op, int rd, int ra, int rb) {
  return I(op, {{Field::rd, rd}, {Field::ra, ra}, {Field::rb, rb}});
}
std::uint64_t loopi(unsigned n, unsigned len) { return I(Op::loopi, {{Field::count, n}, {Field::len, len}}); }
std::uint64_t loopr(int ra, unsigned len) { return I(Op::loop, {{Field::ra, ra}, {Field::len, len}}); }
std::uint64_t nop(unsigned cycles) { return I(Op::nop, {{Field::count, cycles - 1}}); }
std::uint64_t halt() { return I(Op::halt); }
std::uint64_t barrier() { return I(Op::barrier); }

enum Status { kIdle = 0, kRunning = 1, kDone = 2, kError = 3 };

// Per-cycle view of the sequencer's environment. The stimulus function sets the unit
// inputs for run cycle `c` (pending, errors, events, vext value, reject).
struct Env {
  bool pending = false;
  bool reject = false;
  std::uint32_t vext = 0;
  unsigned err_mask = 0;
  std::uint8_t err_code[2] = {0, 0};
  std::uint16_t err_pc[2] = {0, 0};
  bool abort = false;
  unsigned sram_rd = 0, sram_wr = 0;
  bool mxu_row = false, mxu_wrow = false, acc_wr = false;
  // The links and the link port (lpu_link_port): links up, an earlier send still reading, free
  // TX entries per link and the words on their way to it (0-2; a send issued now has room
  // for max(tx_free - tx_infl, 0) words), the recv's last write.
  unsigned link_up = 0;
  bool send_busy = false;
  std::uint16_t tx_free[2] = {0, 0};
  std::uint8_t tx_infl[2] = {0, 0};
  bool recv_done = false;
  unsigned link_tx = 0, link_rx = 0;
};

struct Issue {
  std::uint64_t cycle;
  std::uint16_t pc;
  bool operator==(const Issue& o) const { return cycle == o.cycle && pc == o.pc; }
};

struct Outcome {
  std::vector<Issue> issues;
  unsigned status = 0;
  unsigned err_code = 0, err_pc = 0;
  std::uint64_t err_cycle = 0;
  std::uint64_t cnt[lpu::gen::kNumCounters] = {};
  std::uint32_t sreg[16] = {};
  std::vector<bool> stop;  // stop_o per run cycle
  std::uint64_t cycles() const { return cnt[0]; }
  std::uint64_t counter(lpu::gen::Counter c) const { return cnt[static_cast<unsigned>(c)]; }
};

class SeqBench {
 public:
  SeqBench() : h_("seq") {
    // The harness randomises every input at construction: drive all of them first.
    auto& d = dut();
    d.imem_req_i = 0;
    d.imem_we_i = 0;
    d.imem_addr_i = 0;
    d.imem_wdata_i = 0;
    d.len_we_i = 0;
    d.len_wdata_i = 0;
    d.start_i = 0;
    d.cnt_sel_i = 0;
    d.sreg_sel_i = 0;
    apply(Env{});
    h_.reset();
  }

  LPU_VTOP& dut() { return h_.dut(); }
  void step() { h_.step(); }

  void load(const std::vector<std::uint64_t>& code, int len = -1) {
    auto& d = dut();
    for (std::size_t i = 0; i < code.size(); ++i) {
      d.imem_req_i = 1;
      d.imem_we_i = 1;
      d.imem_addr_i = static_cast<std::uint32_t>(i);
      d.imem_wdata_i = code[i];
      h_.step();
    }
    d.imem_req_i = 0;
    d.imem_we_i = 0;
    d.len_we_i = 1;
    d.len_wdata_i = static_cast<std::uint16_t>(len < 0 ? code.size() : static_cast<std::size_t>(len));
    h_.step();
    d.len_we_i = 0;
  }

  Outcome run(const std::function<void(std::uint64_t, Env&)>& stim = nullptr,
              std::uint64_t max_cycles = 10000) {
    auto& d = dut();
    d.start_i = 1;
    h_.eval();
    h_.step();
    d.start_i = 0;
    // The fetch cycle between the start and run cycle 0 (docs/sequencer.md "Fetch pipeline"):
    // the chip is still stopped, the host already sees it running.
    h_.eval();
    if (!d.stop_o || d.host_status_o != kRunning || d.iss_valid_o) {
      h_.fail("fetch cycle after start: expected stop_o high, host status running, no issue");
    }
    h_.step();
    Outcome o;
    std::uint64_t c = 0;
    for (; c < max_cycles; ++c) {
      Env e;
      if (stim) stim(c, e);
      apply(e);
      h_.eval();
      o.stop.push_back(d.stop_o);
      if (d.iss_valid_o) {
        o.issues.push_back({c, d.iss_pc_o});
        // The fetch stage's effective address: R[ra] + sext(imm16) of the issuing word, with
        // R[ra] as the issue bus shows it (checked against the programs' values below).
        const auto ea = static_cast<std::uint32_t>(
            d.iss_ra_val_o + static_cast<std::uint32_t>(
                                 static_cast<std::int16_t>(d.iss_instr_o & 0xffffu)));
        if (d.iss_ea_o != ea) {
          h_.fail("cycle " + std::to_string(c) + ", pc " + std::to_string(d.iss_pc_o) +
                  ": iss_ea_o " + std::to_string(d.iss_ea_o) + ", expected R[ra] + imm16 = " +
                  std::to_string(ea));
        }
      }
      if (d.iss_valid_o && stim) {
        // Units that react to the issue in the same cycle (vext value, rejects).
        Env e2 = e;
        stim(c | (1ull << 63), e2);
        apply(e2);
        h_.eval();
      }
      h_.step();
      if (d.host_status_o != kRunning) break;
    }
    if (c == max_cycles) h_.fail("run did not finish");
    apply(Env{});
    h_.eval();
    o.status = d.host_status_o;
    o.err_code = d.err_code_o;
    o.err_pc = d.err_pc_o;
    o.err_cycle = d.err_cycle_o;
    for (unsigned i = 0; i < lpu::gen::kNumCounters; ++i) {
      d.cnt_sel_i = i;
      h_.eval();
      o.cnt[i] = d.cnt_rdata_o;
    }
    for (unsigned i = 0; i < 16; ++i) {
      d.sreg_sel_i = i;
      h_.eval();
      o.sreg[i] = d.sreg_rdata_o;
    }
    o.stop.push_back(d.stop_o);
    return o;
  }

 private:
  void apply(const Env& e) {
    auto& d = dut();
    d.pending_i = e.pending;
    d.iss_reject_i = e.reject;
    d.vext_val_i = e.vext;
    d.err_i = e.err_mask;
    d.err_code_i = static_cast<std::uint16_t>(e.err_code[0] | (e.err_code[1] << 8));
    d.err_pc_i = static_cast<std::uint32_t>(e.err_pc[0] | (std::uint32_t{e.err_pc[1]} << 16));
    d.abort_i = e.abort;
    d.ev_sram_rd_i = e.sram_rd;
    d.ev_sram_wr_i = e.sram_wr;
    d.ev_mxu_row_i = e.mxu_row;
    d.ev_mxu_wrow_i = e.mxu_wrow;
    d.ev_acc_wr_i = e.acc_wr;
    d.ev_link_tx_i = e.link_tx;
    d.ev_link_rx_i = e.link_rx;
    d.link_up_i = e.link_up;
    d.send_busy_i = e.send_busy;
    d.tx_free_i = static_cast<std::uint32_t>(e.tx_free[0] | (std::uint32_t{e.tx_free[1]} << 16));
    d.tx_infl_i = static_cast<std::uint8_t>((e.tx_infl[0] & 3) | ((e.tx_infl[1] & 3) << 2));
    d.recv_done_i = e.recv_done;
  }

  lpu::verif::Harness<LPU_VTOP> h_;
};

std::vector<Issue> seq(std::initializer_list<std::uint16_t> pcs, std::uint64_t first = 0) {
  std::vector<Issue> v;
  std::uint64_t c = first;
  for (auto pc : pcs) v.push_back({c++, pc});
  return v;
}

std::string show(const std::vector<Issue>& v) {
  std::ostringstream os;
  for (const auto& i : v) os << "(" << i.cycle << ":" << i.pc << ")";
  return os.str();
}

#define CHECK_ISSUES(got, want) \
  do {                          \
    INFO("got  " << show(got)); \
    INFO("want " << show(want)); \
    CHECK((got) == (want));     \
  } while (0)

using C = lpu::gen::Counter;
constexpr unsigned kIllegalOpcode = 1, kIllegalOperand = 2, kPcOverrun = 3, kLoopDepth = 4,
                   kSramAddr = 5, kBankConflict = 8, kMxuBusy = 9, kLinkBusy = 12, kLinkDown = 13,
                   kAborted = 15;

}  // namespace

TEST_CASE("straight-line scalar code issues one per cycle from cycle 0", "[seq]") {
  SeqBench b;
  b.load({li(1, 7), addi(2, 1, -3), rrr(Op::add, 3, 1, 2), rrr(Op::sub, 4, 2, 1),
          rrr(Op::mul, 5, 1, 2), li(0, 99), halt()});
  const auto o = b.run();
  CHECK_ISSUES(o.issues, seq({0, 1, 2, 3, 4, 5, 6}));
  CHECK(o.status == kDone);
  CHECK(o.err_code == 0);
  CHECK(o.cycles() == 7);
  CHECK(o.counter(C::instrs) == 7);
  CHECK(o.counter(C::stall_cycles) == 0);
  CHECK(o.sreg[0] == 0);
  CHECK(o.sreg[1] == 7);
  CHECK(o.sreg[2] == 4);
  CHECK(o.sreg[3] == 11);
  CHECK(o.sreg[4] == static_cast<std::uint32_t>(-3));
  CHECK(o.sreg[5] == 28);
  CHECK_FALSE(o.stop.front());  // units run from cycle 0
  CHECK(o.stop.back());         // and are stopped after the run
}

TEST_CASE("issue bus carries R[ra] and R[rb] before this cycle's write", "[seq]") {
  SeqBench b;
  b.load({li(1, 5), li(2, 9), rrr(Op::add, 1, 1, 2), halt()});
  std::vector<std::pair<std::uint32_t, std::uint32_t>> seen;
  auto& d = b.dut();
  b.run([&](std::uint64_t c, Env&) {
    if ((c >> 63) && d.iss_pc_o == 2) seen.emplace_back(d.iss_ra_val_o, d.iss_rb_val_o);
  });
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].first == 5);
  CHECK(seen[0].second == 9);
}

TEST_CASE("nop n holds the issue slot n cycles", "[seq]") {
  SeqBench b;
  b.load({nop(3), li(1, 1), nop(1), halt()});
  const auto o = b.run();
  CHECK_ISSUES(o.issues, (std::vector<Issue>{{0, 0}, {3, 1}, {4, 2}, {5, 3}}));
  CHECK(o.cycles() == 6);
  CHECK(o.counter(C::stall_cycles) == 2);
  CHECK(o.counter(C::instrs) == 4);
}

TEST_CASE("zero-overhead loops", "[seq][loop]") {
  SECTION("simple") {
    SeqBench b;
    b.load({loopi(3, 2), addi(1, 1, 1), addi(2, 2, 2), halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 1, 2, 1, 2, 1, 2, 3}));
    CHECK(o.sreg[1] == 3);
    CHECK(o.sreg[2] == 6);
    CHECK(o.cycles() == 8);
    CHECK(o.counter(C::instrs) == 8);
  }
  SECTION("nested") {
    SeqBench b;
    b.load({loopi(2, 4), addi(3, 3, 1), loopi(3, 1), addi(1, 1, 1), addi(2, 2, 1), halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 1, 2, 3, 3, 3, 4, 1, 2, 3, 3, 3, 4, 5}));
    CHECK(o.sreg[1] == 6);
    CHECK(o.sreg[2] == 2);
    CHECK(o.sreg[3] == 2);
    CHECK(o.cycles() == 14);
  }
  SECTION("inner and outer share their last instruction") {
    SeqBench b;
    b.load({loopi(2, 3), addi(2, 2, 1), loopi(3, 1), addi(1, 1, 1), halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 1, 2, 3, 3, 3, 1, 2, 3, 3, 3, 4}));
    CHECK(o.sreg[1] == 6);
    CHECK(o.sreg[2] == 2);
  }
  SECTION("four levels deep, all ending together") {
    SeqBench b;
    b.load({loopi(2, 5), loopi(2, 4), loopi(2, 3), loopi(2, 2), addi(1, 1, 1), addi(2, 2, 1), halt()});
    const auto o = b.run();
    CHECK(o.status == kDone);
    CHECK(o.sreg[1] == 16);
    CHECK(o.sreg[2] == 16);
    // pc 4,5 run 16 times; loopi at pc 3 issues 8 times, pc 2 4 times, pc 1 twice, pc 0 once.
    CHECK(o.counter(C::instrs) == 16 * 2 + 8 + 4 + 2 + 1 + 1);
    CHECK(o.cycles() == o.counter(C::instrs));
  }
  SECTION("zero trips skip the body") {
    SeqBench b;
    b.load({loopi(0, 2), addi(1, 1, 1), addi(1, 1, 1), addi(2, 2, 1), halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 3, 4}));
    CHECK(o.sreg[1] == 0);
    CHECK(o.sreg[2] == 1);
    CHECK(o.cycles() == 3);
  }
  SECTION("a skipped body that ends an enclosing body still branches back") {
    SeqBench b;
    b.load({loopi(2, 3), addi(2, 2, 1), loopi(0, 1), addi(1, 1, 1), halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 1, 2, 1, 2, 4}));
    CHECK(o.sreg[1] == 0);
    CHECK(o.sreg[2] == 2);
  }
  SECTION("trip count from a register, and r0 gives zero trips") {
    SeqBench b;
    b.load({li(4, 2), loopr(4, 1), addi(1, 1, 5), loopr(0, 1), addi(1, 1, 100), halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 1, 2, 2, 3, 5}));
    CHECK(o.sreg[1] == 10);
  }
  SECTION("trip count written by the instruction just before the loop (li, mul, vext)") {
    // The loop's trip count is read while the instruction before it issues; that
    // instruction's write must be seen. Zero trips skip the body, others run it.
    SeqBench b;
    b.load({li(4, 0), loopr(4, 1), addi(1, 1, 5),                       // 0-2: skip
            li(2, 2), li(3, 0), rrr(Op::mul, 4, 2, 3), loopr(4, 1),      // 3-6: 2*0: skip
            addi(1, 1, 7),                                               // 7
            I(Op::vext, {{Field::rd, 6}, {Field::ra, 1}, {Field::sh, 0}}),  // 8: r6 = 3
            loopr(6, 1), addi(1, 1, 10),                                 // 9-10: 3 trips
            rrr(Op::mul, 7, 2, 2), loopr(7, 1), addi(1, 1, 100),         // 11-13: 4 trips
            halt()});                                                    // 14
    const auto o = b.run([&](std::uint64_t c, Env& e) {
      if ((c >> 63) && b.dut().iss_pc_o == 8) e.vext = 3;
    });
    CHECK_ISSUES(o.issues, seq({0, 1, 3, 4, 5, 6, 8, 9, 10, 10, 10, 11, 12, 13, 13, 13, 13, 14}));
    CHECK(o.sreg[1] == 430);
    CHECK(o.sreg[4] == 0);
    CHECK(o.sreg[6] == 3);
    CHECK(o.sreg[7] == 4);
  }
  SECTION("zero trips from every kind of write just before the loop") {
    // addi, add and sub to zero, a post-increment to zero, a product whose low 32 bits are
    // zero with both factors nonzero (2^16 x 2^16); then an addi to 1 (one trip) and a product
    // that wraps to 3 (three trips).
    auto vld = [](int ra, std::int32_t stride) {
      return I(Op::vld, {{Field::rd, 1}, {Field::ra, ra}, {Field::bank, 0}, {Field::stride, stride}});
    };
    SeqBench b;
    b.load({li(2, 5), addi(3, 2, -5), loopr(3, 1), addi(1, 1, 1),        // 0-3: skip
            li(4, -5), rrr(Op::add, 3, 2, 4), loopr(3, 1), addi(1, 1, 2),  // 4-7: skip
            rrr(Op::sub, 3, 2, 2), loopr(3, 1), addi(1, 1, 4),           // 8-10: skip
            li(5, -16), vld(5, 16), loopr(5, 1), addi(1, 1, 8),          // 11-14: skip
            li(6, 65536), rrr(Op::mul, 3, 6, 6), loopr(3, 1), addi(1, 1, 16),  // 15-18: skip
            addi(3, 2, -4), loopr(3, 1), addi(1, 1, 32),                 // 19-21: once
            li(7, -1), li(8, -3), rrr(Op::mul, 3, 7, 8), loopr(3, 1),    // 22-25: (-1)(-3) = 3
            addi(1, 1, 64),                                              // 26
            halt()});                                                    // 27
    const auto o = b.run();
    std::vector<Issue> want;
    std::uint64_t c = 0;
    for (std::uint16_t pc : {0, 1, 2, 4, 5, 6, 8, 9, 11, 12, 13, 15, 16, 17, 19, 20, 21, 22, 23, 24, 25,
                             26, 26, 26, 27}) {
      want.push_back({c++, pc});
    }
    CHECK_ISSUES(o.issues, want);
    CHECK(o.sreg[1] == 32 + 3 * 64);
    CHECK(o.sreg[3] == 3);
    CHECK(o.sreg[5] == 0);
  }
  SECTION("a multi-cycle instruction ends a body") {
    SeqBench b;
    b.load({loopi(2, 1), nop(2), halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, (std::vector<Issue>{{0, 0}, {1, 1}, {3, 1}, {5, 2}}));
    CHECK(o.cycles() == 6);
    CHECK(o.counter(C::stall_cycles) == 2);
  }
  SECTION("the stack is empty again at the next run") {
    SeqBench b;
    b.load({loopi(1, 5), loopi(1, 4), loopi(1, 3), loopi(1, 2), addi(1, 1, 1), li(2, 0), halt()});
    CHECK(b.run().status == kDone);
    const auto o = b.run();  // would overflow if entries leaked
    CHECK(o.status == kDone);
    CHECK(o.sreg[1] == 2);
  }
}

TEST_CASE("barrier and halt hold until nothing is pending", "[seq]") {
  SECTION("barrier") {
    SeqBench b;
    b.load({li(1, 1), barrier(), li(2, 2), halt()});
    // A unit has effects up to cycle 5: pending in cycles 1..4, low from 5.
    const auto o = b.run([](std::uint64_t c, Env& e) { e.pending = (c & 0xffff) >= 1 && (c & 0xffff) <= 4; });
    CHECK_ISSUES(o.issues, (std::vector<Issue>{{0, 0}, {1, 1}, {6, 2}, {7, 3}}));
    CHECK(o.cycles() == 8);
    CHECK(o.counter(C::stall_cycles) == 4);
    CHECK(o.counter(C::instrs) == 4);
  }
  SECTION("barrier with nothing pending costs one cycle") {
    SeqBench b;
    b.load({barrier(), halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 1}));
    CHECK(o.cycles() == 2);
    CHECK(o.counter(C::stall_cycles) == 0);
  }
  SECTION("halt drains: cycles = d + 1") {
    SeqBench b;
    b.load({halt()});
    const auto o = b.run([](std::uint64_t c, Env& e) { e.pending = (c & 0xffff) <= 2; });
    CHECK_ISSUES(o.issues, seq({0}));
    CHECK(o.status == kDone);
    CHECK(o.cycles() == 4);
    CHECK(o.counter(C::stall_cycles) == 3);
    CHECK(o.counter(C::instrs) == 1);
  }
}

TEST_CASE("lutld holds LutldW*count+1 cycles", "[seq]") {
  // Built with base's lutld_word_cycles (verif/core/CMakeLists.txt): two cycles per word.
  constexpr unsigned W = LPU_P_LutldW;
  static_assert(W == 2, "seq is built with base's lutld_word_cycles");
  SeqBench b;
  const auto lutld = [](unsigned n) {
    return I(Op::lutld, {{Field::bank, 1}, {Field::count, n}, {Field::hi16, 0}});
  };
  b.load({lutld(3), li(1, 1), lutld(0), halt()});
  const auto o = b.run();
  // lutld @0 holds 0..6, li @7, lutld count 0 @8 (one cycle), halt @9.
  CHECK_ISSUES(o.issues, (std::vector<Issue>{{0, 0}, {7, 1}, {8, 2}, {9, 3}}));
  CHECK(o.cycles() == 10);
  CHECK(o.counter(C::stall_cycles) == 6);
  // A hold longer than 16 bits: count 40000 holds 80001 cycles.
  b.load({lutld(40000), halt()});
  const auto o2 = b.run(nullptr, 100000);
  CHECK_ISSUES(o2.issues, (std::vector<Issue>{{0, 0}, {80001, 1}}));
  CHECK(o2.counter(C::stall_cycles) == 80000);
}

TEST_CASE("post-increment of loads and stores, vext, unit counters", "[seq]") {
  SeqBench b;
  const auto mem = [](Op op, int v, int ra, int inc) {
    return I(op, {{Field::rd, v}, {Field::ra, ra}, {Field::bank, 0}, {Field::stride, inc}});
  };
  b.load({li(3, 10), mem(Op::vld, 1, 3, 4), mem(Op::vst, 1, 3, -2),
          I(Op::vlda, {{Field::rd, 2}, {Field::ra, 0}, {Field::stride, 5}}), mem(Op::vldu, 1, 3, 0),
          mem(Op::vstb, 1, 3, 1), mem(Op::vld, 1, 0, 7),
          I(Op::vext, {{Field::rd, 5}, {Field::ra, 1}, {Field::sh, 2}}),
          I(Op::vrot, {{Field::rd, 2}, {Field::ra, 1}, {Field::imm16, 1}}), halt()});
  auto& d = b.dut();
  const auto o = b.run([&](std::uint64_t c, Env& e) {
    if ((c >> 63) && d.iss_pc_o == 7) e.vext = 0xdeadbeef;
  });
  CHECK(o.status == kDone);
  CHECK(o.sreg[3] == 10 + 4 - 2 + 1);
  CHECK(o.sreg[0] == 0);
  CHECK(o.sreg[5] == 0xdeadbeef);
  CHECK(o.counter(C::vxu_ops) == 6);
  CHECK(o.counter(C::sxu_ops) == 1);
  CHECK(o.counter(C::instrs) == 10);
}

TEST_CASE("event counters add the units' events of run cycles", "[seq]") {
  SeqBench b;
  b.load({nop(5), halt()});
  const auto o = b.run([](std::uint64_t c, Env& e) {
    c &= 0xffff;
    e.sram_rd = 3;
    e.sram_wr = (c == 2) ? 2 : 0;
    e.mxu_row = c >= 1;
    e.mxu_wrow = c == 4;
    e.acc_wr = c < 2;
  });
  CHECK(o.cycles() == 6);
  CHECK(o.counter(C::sram_reads) == 18);
  CHECK(o.counter(C::sram_writes) == 2);
  CHECK(o.counter(C::mxu_busy) == 5);
  CHECK(o.counter(C::mxu_wload) == 1);
  CHECK(o.counter(C::acc_writes) == 2);
  CHECK(o.counter(C::link_tx) == 0);
}

TEST_CASE("sequencer errors", "[seq][error]") {
  SECTION("illegal opcode") {
    SeqBench b;
    b.load({li(1, 1), li(2, 2), 0x0700000000000000ull, halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 1}));
    CHECK(o.status == kError);
    CHECK(o.err_code == kIllegalOpcode);
    CHECK(o.err_pc == 2);
    CHECK(o.err_cycle == 2);
    CHECK(o.cycles() == 3);
    CHECK(o.counter(C::instrs) == 2);
    CHECK(o.stop.back());
  }
  SECTION("a start in the cycle after the error cycle is ignored; the host then sees the error") {
    SeqBench b;
    b.load({li(1, 1), 0x0700000000000000ull, halt()});
    auto& d = b.dut();
    d.start_i = 1;
    b.step();
    d.start_i = 0;
    b.step();                              // the fetch cycle before run cycle 0
    unsigned n = 0;
    while (d.status_o == kRunning && n < 100) {
      b.step();
      ++n;
    }
    REQUIRE(d.status_o == kError);         // the units stopped: this is the cycle after the error
    CHECK(d.host_status_o == kRunning);    // the host still sees the run
    d.start_i = 1;                         // a start now must not begin a new run
    b.step();
    d.start_i = 0;
    b.step();
    CHECK(d.status_o == kError);
    CHECK(d.host_status_o == kError);
    CHECK(d.err_code_o == kIllegalOpcode);
    CHECK(d.err_pc_o == 1);
  }
  SECTION("illegal operand: reserved bit, bmode 3, len 0, link out of range") {
    for (std::uint64_t w : std::vector<std::uint64_t>{halt() | 1, I(Op::vadd) | (3ull << 38), 0x0300000000000005ull,
                            I(Op::send) | (2ull << 32)}) {
      SeqBench b;
      b.load({nop(2), w, halt()});
      const auto o = b.run();
      CHECK(o.err_code == kIllegalOperand);
      CHECK(o.err_pc == 1);
      CHECK(o.err_cycle == 2);
      CHECK(o.cycles() == 3);
    }
  }
  SECTION("pc_overrun") {
    SeqBench b;
    b.load({li(1, 1), li(2, 2), halt()}, 2);  // the halt is beyond the program length
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 1}));
    CHECK(o.err_code == kPcOverrun);
    CHECK(o.err_pc == 2);
    CHECK(o.err_cycle == 2);
    CHECK(o.cycles() == 3);
    CHECK(o.sreg[2] == 2);
  }
  SECTION("empty program overruns in cycle 0") {
    SeqBench b;
    b.load({}, 0);
    const auto o = b.run();
    CHECK(o.issues.empty());
    CHECK(o.err_code == kPcOverrun);
    CHECK(o.err_pc == 0);
    CHECK(o.cycles() == 1);
  }
  SECTION("loop_depth") {
    SeqBench b;
    b.load({loopi(1, 6), loopi(1, 5), loopi(1, 4), loopi(1, 3), loopi(1, 2), nop(1), halt()});
    const auto o = b.run();
    CHECK_ISSUES(o.issues, seq({0, 1, 2, 3}));
    CHECK(o.err_code == kLoopDepth);
    CHECK(o.err_pc == 4);
    CHECK(o.cycles() == 5);
  }
  SECTION("a zero-trip loop on a full stack pushes nothing") {
    SeqBench b;
    b.load({loopi(1, 6), loopi(1, 5), loopi(1, 4), loopi(1, 3), loopi(0, 1), nop(1), halt()});
    const auto o = b.run();
    CHECK(o.status == kDone);
  }
  SECTION("link_down: no link is up") {
    SeqBench b;
    b.load({li(1, 1), I(Op::send, {{Field::sh, 1}, {Field::count, 4}}), halt()});
    const auto o = b.run();
    CHECK(o.err_code == kLinkDown);
    CHECK(o.err_pc == 1);
    CHECK(o.cycles() == 2);
  }
  SECTION("external errors: lowest code wins, then lowest index, own check first") {
    SeqBench b;
    b.load({nop(10), halt()});
    auto o = b.run([](std::uint64_t c, Env& e) {
      if ((c & 0xffff) == 3) {
        e.err_mask = 3;
        e.err_code[0] = kBankConflict;
        e.err_pc[0] = 77;
        e.err_code[1] = kSramAddr;
        e.err_pc[1] = 99;
      }
    });
    CHECK(o.err_code == kSramAddr);
    CHECK(o.err_pc == 99);
    CHECK(o.err_cycle == 3);
    CHECK(o.cycles() == 4);
    CHECK(o.counter(C::stall_cycles) == 3);

    o = b.run([](std::uint64_t c, Env& e) {
      if ((c & 0xffff) == 5) {
        e.err_mask = 3;
        e.err_code[0] = kSramAddr;
        e.err_pc[0] = 77;
        e.err_code[1] = kSramAddr;
        e.err_pc[1] = 99;
      }
    });
    CHECK(o.err_code == kSramAddr);
    CHECK(o.err_pc == 77);
    CHECK(o.cycles() == 6);

    SeqBench b2;
    b2.load({li(1, 1), 0x0700000000000000ull});
    o = b2.run([](std::uint64_t c, Env& e) {
      if ((c & 0xffff) == 1) {
        e.err_mask = 1;
        e.err_code[0] = kIllegalOpcode;
        e.err_pc[0] = 55;
      }
    });
    CHECK(o.err_code == kIllegalOpcode);
    CHECK(o.err_pc == 1);
  }
  SECTION("a rejected issue is not counted and ends the run") {
    SeqBench b;
    b.load({li(1, 1), I(Op::mm, {{Field::count, 4}}), li(2, 2), halt()});
    auto& d = b.dut();
    const auto o = b.run([&](std::uint64_t c, Env& e) {
      if ((c >> 63) && d.iss_pc_o == 1) {
        e.reject = true;
        e.err_mask = 1;
        e.err_code[0] = kMxuBusy;
        e.err_pc[0] = 1;
      }
    });
    CHECK(o.err_code == kMxuBusy);
    CHECK(o.err_pc == 1);
    CHECK(o.counter(C::instrs) == 1);
    CHECK(o.cycles() == 2);
    CHECK(o.sreg[2] == 0);
  }
  SECTION("abort") {
    SeqBench b;
    b.load({li(1, 1), nop(100), halt()});
    const auto o = b.run([](std::uint64_t c, Env& e) { e.abort = (c & 0xffff) == 7; });
    CHECK(o.err_code == kAborted);
    CHECK(o.err_pc == 1);
    CHECK(o.err_cycle == 7);
    CHECK(o.cycles() == 8);
  }
  SECTION("an abort in the fetch cycle after the start is the error of cycle 0") {
    // As an abort in any cycle: that cycle's issue completes (li), nothing after it.
    SeqBench b;
    b.load({li(1, 1), halt()});
    auto& d = b.dut();
    d.start_i = 1;
    b.step();
    d.start_i = 0;
    d.abort_i = 1;                         // the fetch cycle: the host already sees a run
    b.step();
    d.abort_i = 0;
    unsigned n = 0, issues = 0;
    while (d.host_status_o == kRunning && n < 10) {
      if (d.iss_valid_o) {
        CHECK(n == 0);
        CHECK(d.iss_pc_o == 0);
        ++issues;
      }
      b.step();
      ++n;
    }
    CHECK(issues == 1);
    CHECK(d.host_status_o == kError);
    CHECK(d.err_code_o == kAborted);
    CHECK(d.err_pc_o == 0);
    CHECK(d.err_cycle_o == 0);
    d.sreg_sel_i = 1;
    b.step();
    CHECK(d.sreg_rdata_o == 1);
  }
  SECTION("restart after an error clears the latch and the counters") {
    SeqBench b;
    b.load({li(1, 1), 0x0700000000000000ull});
    auto o = b.run();
    CHECK(o.status == kError);
    b.load({addi(1, 1, 1), halt()});
    o = b.run();
    CHECK(o.status == kDone);
    CHECK(o.err_code == 0);
    CHECK(o.err_cycle == 0);
    CHECK(o.cycles() == 2);
    CHECK(o.sreg[1] == 2);  // scalar registers persist between runs
  }
}

TEST_CASE("host reads back the instruction memory", "[seq]") {
  SeqBench b;
  const std::vector<std::uint64_t> code = {li(1, 0x12345678), nop(7), halt()};
  b.load(code);
  auto& d = b.dut();
  for (std::size_t i = 0; i < code.size(); ++i) {
    d.imem_req_i = 1;
    d.imem_we_i = 0;
    d.imem_addr_i = static_cast<std::uint32_t>(i);
    b.step();
    d.eval();
    CHECK(d.imem_rdata_o == code[i]);
  }
  d.imem_req_i = 0;
}

// ---- send / recv (docs/isa.md "Links"): the sequencer's side of the checks and holds --------
namespace {

std::uint64_t send(unsigned link, unsigned count) {
  return I(Op::send, {{Field::sh, link}, {Field::count, count}});
}
std::uint64_t recv(unsigned link, unsigned count) {
  return I(Op::recv, {{Field::sh, link}, {Field::count, count}});
}

}  // namespace

TEST_CASE("send: link_down, then link_busy, then a wait for TX room", "[seq][link]") {
  SECTION("a send with room issues in one cycle") {
    SeqBench b;
    b.load({send(1, 4), li(1, 1), halt()});
    const auto o = b.run([](std::uint64_t, Env& e) {
      e.link_up = 2;
      e.tx_free[1] = 4;
    });
    CHECK_ISSUES(o.issues, seq({0, 1, 2}));
    CHECK(o.status == kDone);
    CHECK(o.counter(C::stall_cycles) == 0);
    CHECK(o.counter(C::instrs) == 3);
  }
  SECTION("link 1 down, link 0 up: link_down") {
    SeqBench b;
    b.load({li(1, 1), send(1, 4), halt()});
    const auto o = b.run([](std::uint64_t, Env& e) {
      e.link_up = 1;
      e.send_busy = true;  // link_down comes first
      e.tx_free[0] = e.tx_free[1] = 100;
    });
    CHECK(o.err_code == kLinkDown);
    CHECK(o.err_pc == 1);
    CHECK(o.cycles() == 2);
  }
  SECTION("more words than link_tx_depth: link_busy") {
    SeqBench b;
    b.load({send(0, lpu::config_by_name("base").link_tx_depth + 1), halt()});
    const auto o = b.run([](std::uint64_t, Env& e) {
      e.link_up = 3;
      e.tx_free[0] = 1000;
    });
    CHECK(o.err_code == kLinkBusy);
    CHECK(o.err_pc == 0);
    CHECK(o.cycles() == 1);
    CHECK(o.counter(C::instrs) == 0);
  }
  SECTION("an earlier send still reading: link_busy, before the room wait") {
    SeqBench b;
    b.load({li(1, 1), send(0, 2), halt()});
    const auto o = b.run([](std::uint64_t c, Env& e) {
      e.link_up = 3;
      e.send_busy = (c & 0xffff) == 1;
      e.tx_free[0] = 0;
    });
    CHECK(o.err_code == kLinkBusy);
    CHECK(o.err_pc == 1);
    CHECK(o.cycles() == 2);
  }
  SECTION("fewer free entries than words: the send waits, counting stall cycles") {
    SeqBench b;
    b.load({li(1, 1), send(0, 8), li(2, 2), halt()});
    const auto o = b.run([](std::uint64_t c, Env& e) {
      e.link_up = 3;
      e.tx_free[0] = (c & 0xffff) >= 5 ? 8 : 7;  // room from cycle 5
      e.tx_free[1] = 100;                      // another link's room does not help
    });
    CHECK_ISSUES(o.issues, (std::vector<Issue>{{0, 0}, {5, 1}, {6, 2}, {7, 3}}));
    CHECK(o.status == kDone);
    CHECK(o.counter(C::stall_cycles) == 4);
    CHECK(o.counter(C::instrs) == 4);
    CHECK(o.cycles() == 8);
  }
  SECTION("words on their way to the link count against its free entries") {
    // Every combination of free entries, words in flight (0-2) and count near the boundary,
    // on either link; the other link has room to spare. Expected: the send waits while
    // max(free - infl, 0) < count (docs/isa.md "Links"), until cycle 3, from which on the
    // link has room for any count here.
    for (unsigned link = 0; link < 2; ++link) {
      for (unsigned free = 0; free <= 6; ++free) {
        for (unsigned infl = 0; infl <= 2; ++infl) {
          for (unsigned count = 0; count <= 6; ++count) {
            CAPTURE(link, free, infl, count);
            const unsigned room = free > infl ? free - infl : 0;
            const bool waits = count > 0 && room < count;
            SeqBench b;
            b.load({send(link, count), halt()});
            const auto o = b.run([&](std::uint64_t c, Env& e) {
              e.link_up = 3;
              const bool late = (c & 0xffff) >= 3;
              e.tx_free[link] = static_cast<std::uint16_t>(late ? 100 : free);
              e.tx_infl[link] = static_cast<std::uint8_t>(late ? 0 : infl);
              e.tx_free[1 - link] = 100;
            });
            CHECK(o.status == kDone);
            REQUIRE(!o.issues.empty());
            CHECK(o.issues.front() == Issue{waits ? 3u : 0u, 0});
            CHECK(o.counter(C::stall_cycles) == (waits ? 3u : 0u));
          }
        }
      }
    }
  }
  SECTION("count 0 needs no room and issues") {
    SeqBench b;
    b.load({send(0, 0), halt()});
    const auto o = b.run([](std::uint64_t, Env& e) { e.link_up = 1; });
    CHECK_ISSUES(o.issues, seq({0, 1}));
    CHECK(o.status == kDone);
  }
  SECTION("halt waits for pending (the send's reads)") {
    SeqBench b;
    b.load({send(0, 3), halt()});
    const auto o = b.run([](std::uint64_t c, Env& e) {
      e.link_up = 1;
      e.tx_free[0] = 3;
      e.pending = (c & 0xffff) >= 1 && (c & 0xffff) < 3;  // reads in 1..3: pending in 1, 2
    });
    CHECK(o.status == kDone);
    CHECK(o.cycles() == 4);
  }
}

TEST_CASE("recv holds the issue slot until its last write", "[seq][link]") {
  SECTION("last write in cycle 9: the next instruction issues in 10") {
    SeqBench b;
    b.load({recv(1, 3), li(1, 5), halt()});
    const auto o = b.run([](std::uint64_t c, Env& e) {
      e.link_up = 2;
      e.recv_done = (c & 0xffff) == 9;
      if ((c & 0xffff) == 4 || (c & 0xffff) == 7 || (c & 0xffff) == 9) e.link_rx = 1;
    });
    CHECK_ISSUES(o.issues, (std::vector<Issue>{{0, 0}, {10, 1}, {11, 2}}));
    CHECK(o.status == kDone);
    CHECK(o.counter(C::stall_cycles) == 9);
    CHECK(o.counter(C::link_rx) == 3);
    CHECK(o.sreg[1] == 5);
    CHECK(o.cycles() == 12);
  }
  SECTION("count 0 holds only its issue cycle") {
    SeqBench b;
    b.load({recv(0, 0), halt()});
    const auto o = b.run([](std::uint64_t, Env& e) { e.link_up = 1; });
    CHECK_ISSUES(o.issues, seq({0, 1}));
    CHECK(o.counter(C::stall_cycles) == 0);
  }
  SECTION("recv on a link that is down: link_down") {
    SeqBench b;
    b.load({recv(0, 2), halt()});
    const auto o = b.run([](std::uint64_t, Env& e) { e.link_up = 2; });
    CHECK(o.err_code == kLinkDown);
    CHECK(o.err_pc == 0);
  }
}
