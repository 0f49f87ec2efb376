// Internal to the compiler: the static list scheduler (docs/compiler.md "Scheduling").
//
// The program is a timeline of issue cycles. Instructions are placed one at a time, in
// list order (the order of the lowered ops), each into the earliest issue cycle that
// satisfies every rule of docs/isa.md "Timing model": one instruction per cycle, the
// documented latencies (vlat, slat, mxu_lat), the MXU windows (mlw_busy, mlw_ready,
// wbuf_release, stream lengths), the bank ports of every cycle in which any unit touches
// SRAM, and the data dependencies of every SRAM word, ACC entry and register (read after
// write, write after read, write after write, in list order). A later instruction may land
// in an earlier free cycle (backfilling), which is what overlaps weight loads, matmul
// streams and vector work. Empty cycles become `nop`s; the cycle count follows exactly.
//
// Vector work is placed as chains (the instructions of one row of one op); vector
// registers are allocated per chain from the live intervals of its values, and a chain
// whose values find no free register is rolled back (journal) and retried later. Scalar
// registers hold the MXU stream addresses; each is loaded by an `li` placed in a free cycle
// before its stream.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/isa.hpp"

namespace lpu::compiler::detail {

inline constexpr std::int64_t kNever = -1;
inline constexpr std::int64_t kOpen = std::numeric_limits<std::int64_t>::max();

// One vector-pipeline instruction of a chain. Register fields of `in` are filled from the
// values' registers when the program is emitted.
struct VOp {
  enum class Mem { none, sram_read, sram_write, acc_read };
  Instr in;
  int dst = -1;    // value written (result register rd)
  int src_a = -1;  // value read as ra
  int src_b = -1;  // value read as rb (bmode 0)
  int src_s = -1;  // value stored (rd of vst)
  Mem mem = Mem::none;
  std::uint32_t bank = 0;
  std::uint32_t addr = 0;  // SRAM word or ACC entry
  // An address stream (Scheduler::open_stream), or -1: the address is the immediate.
  int stream = -1;
  // Words the access may touch from `addr`: 1 = exactly addr; more = a run-time address
  // somewhere in [addr, addr + range) (dependencies cover the whole range); 0 = constant data
  // (never written: only the bank port is booked).
  std::uint32_t range = 1;
  int sreg_r = -1;  // a reserved scalar register read at issue (run-time address)
  int sreg_w = -1;  // a reserved scalar register written at the end of issue (vext, addi)
};

// A block transpose: L rows from (src_bank, src_addr) to (dst_bank, dst_addr). With a
// reserved register (sreg_src/sreg_dst >= 0) the address is the register's run-time value,
// somewhere in [addr, addr + range); else the address is loaded by an li.
struct VtrOp {
  std::uint32_t src_bank = 0, src_addr = 0, src_range = 0;
  std::uint32_t dst_bank = 0, dst_addr = 0, dst_range = 0;
  int sreg_src = -1, sreg_dst = -1;
};

// An MXU stream: mlw (L weight rows) or mm/mma (count activation rows into ACC).
struct MxuOp {
  Op op = Op::mlw;
  std::uint32_t bank = 0;
  std::uint32_t addr = 0;          // first SRAM word
  std::uint32_t count = 0;         // rows (mlw: lanes)
  std::uint32_t tracked_rows = 0;  // rows holding tensor data (the rest read zero-weighted padding)
  std::uint32_t acc = 0;           // mm/mma: first ACC entry
  unsigned buf = 0;
};

// A hardware-loop region (docs/compiler.md "Loop regions"): `li`s for its scalar
// registers, a `loopi`, then `trips` iterations of a body of `period` cycles in which every
// instruction issues at a fixed offset. Registers are virtual (indices into the region's
// own), mapped to free physical registers for the whole region. Memory effects of iteration
// k use addr + k * step (and + i for the rows of a stream).
struct RegionOp {
  enum class Kind { scalar, vector, mlw, mm, vlda, vst };
  Instr in;
  std::int64_t off = 0;
  Kind kind = Kind::scalar;
  int vd = -1, va = -1, vb = -1, vs = -1;  // vector registers: written, ra, rb, stored (rd)
  int sd = -1, sa = -1, sb = -1;           // scalar registers: written (rd), ra, rb
  std::uint32_t bank = 0;
  std::int64_t addr = 0, step = 0;  // SRAM word (mlw: constant weights, not tracked)
  std::int64_t acc = 0, acc_step = 0;
  std::uint32_t count = 0;  // mm rows
  unsigned buf = 0;
};
struct Region {
  std::vector<RegionOp> body;
  std::int64_t period = 0;
  std::uint32_t trips = 0;
  unsigned nvregs = 0;
  std::vector<std::int64_t> sinit;  // initial value of each virtual scalar register
  std::int64_t lb = 0;
};

class Scheduler {
 public:
  explicit Scheduler(const Config& cfg);

  // A vector value (one register's worth, written once). `open` values (op constants)
  // keep their register until release().
  int new_value(bool open = false);
  void release(int value);

  // Places a chain (in order; each op after its operands are ready and not before `lb`).
  // Chains of one `tmpl` (>= 0) prefer the registers the previous one used, so that a run
  // of them repeats word for word and loop rolling can fold it.
  void place_chain(const std::vector<VOp>& ops, std::int64_t lb = 0, int tmpl = -1);
  // An address stream: a scalar register loaded with `first` by an `li` placed in a free
  // cycle at or after `lb`, read (and post-incremented by one) by each access that names
  // the stream, in list order and in increasing cycles. Returns -1 when no register is free
  // (the accesses then use immediate addresses). close_stream() frees the register after
  // the last access.
  int open_stream(std::uint32_t first, std::int64_t lb);
  void close_stream(int stream);
  // Places an MXU stream (mlw and mm/mma each in list order) and the `li`s it needs.
  void place_mxu(const MxuOp& m);
  // Places a loop region at the earliest cycle where all of it fits; false (nothing placed)
  // when no registers are free for it within a window.
  bool place_region(const Region& r);
  // Takes scalar register r out of address allocation (run-time values: vext, addi).
  void reserve_sreg(unsigned r);
  // Places a vtr (any free cycle at least vtr_busy from every other vtr).
  void place_vtr(const VtrOp& v);
  // Places a send of `count` consecutive words on `link` (sends in list order); returns its
  // issue cycle.
  std::int64_t place_send(std::uint32_t bank, std::uint32_t addr, std::uint32_t count,
                          unsigned link);
  // Places a recv of `count` words into consecutive words from (bank, addr) (recvs in list
  // order): word i can be written from cycle avail[i] on (the link model). The recv holds
  // the issue slot until its last write; returns that cycle.
  std::int64_t place_recv(std::uint32_t bank, std::uint32_t addr, std::uint32_t count,
                          unsigned link, const std::vector<std::int64_t>& avail);

  // The program: instructions and nops, then halt. Its exact cycle count.
  std::vector<std::uint64_t> emit() const;
  std::uint64_t cycles() const;
  static constexpr std::size_t kLastSlotIndex = 1;
  std::uint64_t mxu_rows() const { return mxu_rows_; }
  // Earliest cycle that sees the last write (so far) of an ACC entry / SRAM word.
  std::int64_t acc_ready(std::uint32_t entry) const { return a_write_[entry] + 1; }
  std::int64_t word_ready(std::uint32_t bank, std::uint32_t addr) const {
    return w_write_[word(bank, addr)] + 1;
  }

 private:
  struct Placed {
    Instr in;
    int dst = -1, src_a = -1, src_b = -1, src_s = -1;
    int stream = -1;
  };
  struct Interval {
    std::int64_t w,
        l;      // the register holds the value from the end of cycle w until cycle l reads it
    int value;  // vector value, or -1 (scalar)
    std::int64_t sval;  // scalar: the value held
  };

  // Journal of the mutations of a chain placement (undone when register allocation fails).
  void set(std::vector<std::int64_t>& v, std::size_t i, std::int64_t x);
  void rollback();
  void commit();

  void ensure(std::int64_t c);
  bool slot_free(std::int64_t c) const;
  std::int64_t words(std::int64_t from, std::int64_t to) const;  // emitted words of [from, to)
  // Latest write / read cycle over words [addr, addr + n) of a bank.
  std::int64_t max_write(std::uint32_t bank, std::uint32_t addr, std::uint32_t n) const;
  std::int64_t max_read(std::uint32_t bank, std::uint32_t addr, std::uint32_t n) const;
  bool port_free(std::int64_t c, std::uint32_t bank, bool write) const;
  void take_port(std::int64_t c, std::uint32_t bank, bool write);
  std::size_t word(std::uint32_t bank, std::uint32_t addr) const;
  void put(std::int64_t c, const Placed& p);
  void effect(std::int64_t c);

  static bool disjoint(std::int64_t w1, std::int64_t l1, std::int64_t w2, std::int64_t l2) {
    return l1 <= w2 || l2 <= w1;
  }
  bool reg_free(const std::vector<Interval>& ivs, std::int64_t w, std::int64_t l,
                int skip = -1) const;

  // Scalar registers for MXU addresses: a plan for holding value `v` in cycle t.
  struct SregPlan {
    bool ok = false;
    unsigned reg = 0;
    std::int64_t slot = -1;  // li cycle, or -1 when an interval is extended / r0 is used
    int extend = -1;         // interval index to extend
  };
  SregPlan plan_sreg(std::int64_t v, std::int64_t t, std::int64_t busy_slot,
                     unsigned busy_reg) const;
  void apply_sreg(const SregPlan& p, std::int64_t v, std::int64_t t);

  const Config& cfg_;
  const unsigned L_;
  std::vector<Placed> pool_;
  std::vector<std::int64_t> slot_;     // per cycle: pool index or -1
  std::vector<std::int64_t> rd_mask_;  // per cycle: banks read
  std::vector<std::int64_t> wr_mask_;  // per cycle: banks written
  std::vector<std::int64_t> w_write_;  // per SRAM word: cycle of the last write
  std::vector<std::int64_t> w_read_;   // per SRAM word: last cycle read
  std::vector<std::int64_t> a_write_;  // per ACC entry
  std::vector<std::int64_t> a_read_;
  std::vector<std::int64_t> v_write_;  // per value: write cycle
  std::vector<std::int64_t> v_read_;   // per value: last read cycle
  std::vector<std::int64_t> v_reg_;    // per value: register, -1 before allocation
  std::vector<std::int64_t> v_open_;   // per value: 1 while open
  std::vector<std::vector<Interval>> vregs_;
  std::vector<std::vector<Interval>> sregs_;
  std::vector<std::int64_t> misc_;     // [0] last_effect, [1] last used slot
  std::vector<std::int64_t> st_next_;  // per stream: the address of its next access
  std::vector<std::int64_t> st_last_;  // per stream: cycle of its last access (or its li)
  std::vector<std::int64_t> st_reg_;   // per stream: scalar register
  std::vector<std::int64_t> s_write_;  // per reserved scalar register: last write cycle
  std::vector<std::int64_t> s_read_;   // per reserved scalar register: last read cycle
  std::vector<std::int64_t> vtr_times_;
  std::int64_t send_free_ = 0, send_last_ = -1, recv_last_ = -1;
  struct LoopAt {
    std::int64_t loopi, body, period;
    std::uint32_t trips;
  };
  std::vector<LoopAt> loops_;
  std::map<std::pair<int, int>, unsigned> hint_;  // (template, op) -> register last used
  bool journaling_ = false;
  struct Undo {
    std::vector<std::int64_t>* v;  // nullptr: pop an interval of vreg `i`
    std::size_t i;
    std::int64_t old;
  };
  std::vector<Undo> journal_;

  // MXU unit state (in issue order).
  std::int64_t mlw_free_ = 0, mm_free_ = 0;
  std::int64_t wbuf_ready_[2] = {0, 0};
  std::int64_t wbuf_release_[2] = {0, 0};
  std::uint64_t mxu_rows_ = 0;
};

}  // namespace lpu::compiler::detail
