// Internal to the host library: the golden model's state and cycle engine (docs/isa.md).
//
// Owner: GoldenModel holds one Engine. golden.cpp has the public API (load, memory access,
// run), golden_step.cpp the cycle engine (issue, streams, checks, writes in cycle order),
// golden_exec.cpp the per-instruction datapath (what an instruction computes).
//
// Cycle structure (one call of step() per cycle c), mirroring "Memory order within a cycle":
//   1. gather   every access of cycle c: stream rows (mm, mlw, vtr, lutld), the vtr write,
//               the ACC write due in c, and the issuing instruction's SRAM/ACC access;
//               issue-time checks (operands, busy windows, hazards, loop depth, links).
//   2. check    address ranges and bank ports; the error of the cycle is the lowest code,
//               attributed to the lowest-numbered source (Src) raising it.
//   3. read     all reads see the state at the start of c; streams advance; the issuing
//               instruction computes its results and schedules its delayed writes.
//   4. write    all writes of c take effect (SRAM, ACC, vector/scalar registers, LUT,
//               weight buffers), except the ones suppressed by their own error.
// Delayed writes live in two rings indexed by cycle: vector write-backs (vlat) and ACC
// writes (mxu_lat), so a cycle never scans anything.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "lpu/golden.hpp"

namespace lpu::golden_detail {

// Error sources in attribution order (lowest wins a tie on the error code). Ports as in
// docs/architecture.md "SRAM ports".
enum Src : std::uint8_t {
  kSrcIssue = 0,  // the instruction issuing this cycle (vector read port 2 / write port 0)
  kSrcLutld,      // lutld word reads (read port 2)
  kSrcMm,         // mm/mma activation rows (read port 0)
  kSrcMlw,        // mlw weight rows (read port 1)
  kSrcVtrRead,    // vtr rows in (read port 3)
  kSrcVtrWrite,   // vtr rows out (write port 1)
  kSrcAccWrite,   // mm/mma accumulator writes
  kSrcSend,       // send word reads
  kSrcRecv,       // recv word writes
  kNumSrc
};

// A pre-decoded instruction word (decode + check_operands happen once, at load).
struct DInstr {
  Op op = Op::halt;
  Unit unit = Unit::ctrl;
  ErrorCode err = ErrorCode::none;  // illegal_opcode / illegal_operand, raised at issue
  std::uint8_t rd = 0, ra = 0, rb = 0, bank = 0, bmode = 0, sh = 0;
  std::int32_t stride = 0, dstride = 0, hi16 = 0, imm16 = 0, imm32 = 0;
  std::uint32_t len = 0, count = 0;
};

// One SRAM request of the cycle. Addresses are formed modulo 2^32 (as the hardware's
// 32-bit adders do) and are valid when, read as unsigned, they are below bank_depth.
struct SramAccess {
  std::uint8_t src;
  bool write;
  std::uint32_t bank;
  std::uint32_t addr;
  std::uint32_t pc;
  bool bad;  // suppressed: out of range or bank conflict
};

struct MmStream {
  std::uint32_t rows_left = 0;  // rows still to read, from cycle `next`
  std::uint64_t next = 0;
  std::uint32_t pc = 0;
  std::uint32_t bank = 0;
  unsigned buf = 0;
  bool accumulate = false;
  std::uint32_t addr = 0;      // next activation row
  std::int32_t stride = 0;
  std::uint32_t acc_addr = 0;  // ACC entry of the next row
  std::int32_t dstride = 0;
};

struct MlwStream {
  std::uint32_t rows_left = 0;
  std::uint64_t next = 0;
  std::uint32_t pc = 0;
  std::uint32_t bank = 0;
  unsigned buf = 0;
  unsigned k = 0;  // next weight row
  std::uint32_t addr = 0;
  std::int32_t stride = 0;
};

struct VtrRead {
  std::uint32_t rows_left = 0;
  std::uint64_t next = 0;
  std::uint64_t issue = 0;
  std::uint32_t pc = 0;
  std::uint32_t src_bank = 0, dst_bank = 0;
  unsigned k = 0;
  std::uint32_t src_addr = 0, dst_addr = 0;
  std::vector<std::int8_t> block;  // L x L, row k = input row k
};

struct VtrWrite {
  std::uint64_t first = 0;  // cycle of output row 0
  std::uint32_t pc = 0;
  std::uint32_t bank = 0;
  unsigned rows_done = 0;
  std::uint32_t addr = 0;
  std::vector<std::int8_t> rows;  // L x L, row j = output row j (column j of the input)
};

struct LutldStream {
  std::uint32_t rows_left = 0;
  std::uint64_t next = 0;
  std::uint32_t pc = 0;
  std::uint32_t bank = 0;
  std::uint32_t addr = 0;
  std::int64_t entry = 0;  // first LUT entry of word i
};

struct LoopEntry {
  std::uint32_t start = 0, end = 0;
  std::uint32_t remaining = 0;
};

// One direction of a chip-to-chip link in the nominal, error-free model (docs/isa.md
// "Links"). The sending chip appends words to `tx` (its TX buffer); a word leaves it in a
// cycle d (at most one every link_word_cycles, only while the receiver's RX buffer has room)
// and can be taken by the receiving chip's recv from cycle d + link_word_cycles +
// link_latency. `wire` holds the words that left `tx` and were not yet taken: the RX
// buffer's occupancy, counted from departure (credit-based flow control).
struct LinkChannel {
  struct Word {
    std::vector<std::int8_t> data;
    std::uint64_t t = 0;  // tx: cycle it entered (end of); wire: first cycle it can be taken
  };
  unsigned word_cycles = 1, latency = 0, tx_depth = 1, rx_depth = 1;
  std::deque<Word> tx, wire;
  std::uint64_t next_depart = 0;

  void clear() {
    tx.clear();
    wire.clear();
    next_depart = 0;
  }
  std::size_t tx_free() const { return tx_depth - tx.size(); }
  bool empty() const { return tx.empty() && wire.empty(); }
  // Start of cycle c: the head of the TX buffer departs when the line and the RX buffer allow.
  bool depart(std::uint64_t c) {
    if (tx.empty() || tx.front().t >= c || c < next_depart || wire.size() >= rx_depth) return false;
    Word w = std::move(tx.front());
    tx.pop_front();
    w.t = c + word_cycles + latency;
    wire.push_back(std::move(w));
    next_depart = c + word_cycles;
    return true;
  }
  bool can_take(std::uint64_t c) const { return !wire.empty() && wire.front().t <= c; }
};

// A chip's end of a link: the channel it sends on and the one it receives from (both null:
// no partner, send and recv raise link_down).
struct LinkPort {
  LinkChannel* tx = nullptr;
  LinkChannel* rx = nullptr;
  bool up() const { return tx != nullptr && rx != nullptr; }
};

struct SendStream {
  std::uint32_t rows_left = 0;
  std::uint64_t next = 0;
  std::uint32_t pc = 0;
  std::uint32_t bank = 0;
  std::uint32_t addr = 0;
  std::int32_t stride = 0;
  unsigned link = 0;
};

struct RecvStream {
  std::uint32_t rows_left = 0;
  std::uint64_t next = 0;  // earliest cycle of the next word's write
  std::uint32_t pc = 0;
  std::uint32_t bank = 0;
  std::uint32_t addr = 0;
  std::int32_t stride = 0;
  unsigned link = 0;
};

struct Engine {
  explicit Engine(const Config& c);

  const Config& cfg;
  const unsigned L;

  // Program and memories.
  std::vector<DInstr> code;
  std::vector<std::int8_t> sram;   // banks * bank_depth * L
  std::vector<std::int32_t> acc;   // acc_depth * L
  std::vector<std::int16_t> lut;   // lut_depth
  std::vector<std::int16_t> wbuf;  // 2 * L * L as k-pairs: [buf][k/2][j][k%2] = W[buf][k][j]

  // Registers.
  std::array<std::int32_t, 16> sregs{};
  std::vector<std::int32_t> vregs;  // vregs * L

  // Run state.
  std::uint64_t cycle = 0;
  std::uint32_t pc = 0;
  std::uint64_t hold_until = 0;  // issue slot held through this cycle (nop, lutld, barrier, halt)
  bool holding = false;
  bool halting = false;
  std::vector<LoopEntry> loops;
  std::array<std::uint64_t, gen::kNumCounters> counters{};
  std::uint64_t last_effect = 0;  // last cycle with a scheduled effect (drain target)
  bool any_effect = false;

  // MXU windows (cycles from which the next issue is legal).
  std::uint64_t mm_free = 0, mlw_free = 0, vtr_free = 0;
  std::array<std::uint64_t, 2> wbuf_ready{};    // mm using buf b may issue from here
  std::array<std::uint64_t, 2> wbuf_release{};  // mlw into buf b may issue from here

  MmStream mm;
  MlwStream mlw;
  VtrRead vtr_rd;
  std::vector<VtrWrite> vtr_wr;  // pending output blocks, oldest first (at most 2)
  LutldStream lutld;
  std::vector<LinkPort> links;
  std::uint64_t send_free = 0;           // the next send (on any link) may issue from here
  SendStream send;                       // one send reads at a time (halt/barrier drain it)
  RecvStream recv;                       // recv holds the issue slot: at most one
  bool issue_wait = false;               // this cycle's issue waits (send: TX buffer space)
  bool skip_idle = true;                 // run(): skip idle held cycles (off in a system)

  // Delayed writes, rings indexed by cycle & mask.
  struct VregWb {
    bool valid = false;
    std::uint8_t reg = 0;
    std::uint32_t pc = 0;
  };
  std::vector<VregWb> vwb;
  std::vector<std::int32_t> vwb_data;  // ring * L
  unsigned vwb_mask = 0;
  unsigned vwb_count = 0;

  struct AccWb {
    bool valid = false;
    bool accumulate = false;
    bool product_due = false;  // the row's product is still to be formed (mm_delay)
    std::uint8_t buf = 0;      // its weight buffer
    std::uint32_t pc = 0;
    std::uint32_t addr = 0;
  };
  std::vector<AccWb> awb;
  std::vector<std::int32_t> awb_data;  // ring * L
  std::vector<std::int8_t> awb_x;      // ring * L: the activation row, until its product is formed
  // Cycles from an activation row's read to the cycle whose weight buffer it multiplies:
  // lanes - mlw_ready when an mm may issue before its mlw's last row is read, else 0
  // (docs/isa.md "Timing model": the mm sees the whole loaded buffer).
  unsigned mm_delay = 0;
  unsigned awb_mask = 0;
  unsigned awb_count = 0;

  // Per-cycle scratch (no allocation while running).
  std::array<SramAccess, 8> acc_list{};
  unsigned n_acc = 0;
  std::vector<std::int32_t> tmp_b;

  // Error of the current cycle.
  ErrorCode err = ErrorCode::none;
  std::uint8_t err_src = kNumSrc;
  std::uint32_t err_pc = 0;

  std::function<void(const TraceEvent&)> trace;

  // golden.cpp
  void clear_memories();
  void clear_registers();
  void clear_run_state();
  std::int8_t* word(std::uint32_t bank, std::uint32_t addr) {
    return &sram[(static_cast<std::size_t>(bank) * cfg.bank_depth + static_cast<std::size_t>(addr)) * L];
  }
  std::int32_t* vreg(unsigned r) { return &vregs[static_cast<std::size_t>(r) * L]; }

  // golden_step.cpp
  RunResult run(std::uint64_t max_cycles);
  // One clock cycle of a run started with clear_run_state(); true when the run ended (halt
  // drained or an error), with `res` filled in.
  bool step(RunResult& res);
  // Waiting for link data: recv holds the issue slot and its next word is not there.
  bool recv_waiting() const { return recv.rows_left != 0 && !links[recv.link].rx->can_take(cycle); }
  void raise(ErrorCode code, std::uint8_t src, std::uint32_t pc) {
    if (err == ErrorCode::none || code < err || (code == err && src < err_src)) {
      err = code;
      err_src = src;
      err_pc = pc;
    }
  }
  unsigned add_access(std::uint8_t src, bool write, std::uint32_t bank, std::uint32_t addr, std::uint32_t pc) {
    acc_list[n_acc] = SramAccess{src, write, bank, addr, pc, false};
    return n_acc++;
  }
  void note_effect(std::uint64_t c) {
    if (!any_effect || c > last_effect) last_effect = c;
    any_effect = true;
  }
  bool pending() const {
    return mm.rows_left || mlw.rows_left || vtr_rd.rows_left || !vtr_wr.empty() || lutld.rows_left ||
           vwb_count || awb_count || send.rows_left || recv.rows_left;
  }

  // golden_exec.cpp: the issuing instruction.
  // Issue checks of instruction `d` at `pc` in this cycle: the central operand check, loop
  // depth, links, and the units' rejections (busy windows, weight-buffer hazards). Returns
  // false when one fails: the instruction then does not issue and has no effect at all.
  bool issue_check(const DInstr& d, std::uint32_t pc);
  // The SRAM request (index into acc_list, or -1) and ACC read check of an issuing
  // instruction. An access error suppresses only that access.
  void issue_access(const DInstr& d, std::uint32_t pc, int& sram_idx, bool& acc_bad);
  // Reads, computes and schedules the effects of an issuing instruction.
  void issue_execute(const DInstr& d, std::uint32_t pc, int sram_idx, bool acc_bad);
  // The write phase's part of the issuing instruction (scalar result, post-increment, store).
  struct IssueWrites {
    bool sreg = false;
    std::uint8_t sreg_idx = 0;
    std::int32_t sreg_val = 0;
    bool post = false;
    std::uint8_t post_idx = 0;
    std::int32_t post_val = 0;
    bool store = false;
    int store_idx = -1;
    std::vector<std::int8_t> store_data;
  } iw;

  void emit(TraceEvent::Kind k, std::uint32_t pc, std::uint32_t bank, std::uint32_t addr,
            const std::int32_t* data, unsigned n);
  void emit8(std::uint32_t pc, std::uint32_t bank, std::uint32_t addr, const std::int8_t* data);
};

// Arithmetic of docs/isa.md "Arithmetic details".
inline std::int64_t round_shift(std::int64_t p, unsigned sh) {
  if (sh == 0) return p;
  // (p + 2^(sh-1)) >> sh without forming the 65-bit sum: floor(p / 2^sh) plus one when the
  // dropped bits are at least half.
  const std::int64_t q = p >> sh;  // arithmetic (C++20 guarantees; g++/clang always)
  const std::uint64_t frac = static_cast<std::uint64_t>(p) & ((std::uint64_t{1} << sh) - 1);
  return q + (frac >= (std::uint64_t{1} << (sh - 1)) ? 1 : 0);
}
inline std::int32_t saturate_int8(std::int64_t x) {
  return static_cast<std::int32_t>(x < -128 ? -128 : (x > 127 ? 127 : x));
}
inline std::int32_t saturate_int32(std::int64_t x) {
  return static_cast<std::int32_t>(x < INT32_MIN ? INT32_MIN : (x > INT32_MAX ? INT32_MAX : x));
}
inline std::int32_t wrap32(std::int64_t x) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(x)));
}

}  // namespace lpu::golden_detail

namespace lpu {
// GoldenModel's state is one Engine (golden.cpp; GoldenSystem reaches it as a friend).
struct GoldenModel::Impl : golden_detail::Engine {
  using Engine::Engine;
};
}  // namespace lpu
