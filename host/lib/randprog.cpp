// Constrained-random programs (lpu/randprog.hpp).
//
// The generator keeps a model of the schedule it emits: the cycle `t_` at which the next
// instruction issues, the SRAM bank ports each stream occupies in each future cycle, the MXU /
// transpose windows of docs/isa.md "Timing model" and the last cycle with a pending effect.
// Asynchronous instructions wait (nop) until their windows are open and take banks whose ports
// are free for every row. Loops start from a barrier, and bodies with streams end with one,
// so every iteration sees the same schedule; inside loop bodies only one address register
// may post-increment (its range is checked for every trip) and no address register is
// reloaded. Address registers r1..r6 have known values; r7 holds loop counts; r8..r15 are
// scratch. Errors are provoked by a few targeted sequences (inject_error).
#include "lpu/randprog.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "lpu/error.hpp"

namespace lpu {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

constexpr int kFirstAddrReg = 1;
constexpr int kNumAddrRegs = 6;
constexpr int kCountReg = 7;
constexpr int kFirstScratch = 8;

bool is_valid_op(unsigned op) { return find_instr(static_cast<Op>(op)) != nullptr; }

class Gen {
 public:
  Gen(const Config& cfg, u64 seed, const RandProgOptions& opt)
      : cfg_(cfg), opt_(opt), rng_(seed * 0x9e3779b97f4a7c15ull + 0x1234567ull), L_(cfg.lanes) {
    for (auto& k : reg_known_) k = false;
  }

  RandomProgram make() {
    RandomProgram out;
    ErrorCode want = opt_.force_error;
    if (want == ErrorCode::none && chance(opt_.error_rate)) {
      const auto kinds = provocable_errors(cfg_);
      want = kinds[rnd(kinds.size())];
    }
    const unsigned n = static_cast<unsigned>(range(opt_.min_instrs, std::max(opt_.min_instrs, opt_.max_instrs)));
    const unsigned err_at = want == ErrorCode::none       ? ~0u
                            : want == ErrorCode::pc_overrun ? n
                                                            : static_cast<unsigned>(rnd(n));
    bool skip_halt = false;
    // Start with the address registers loaded: most accesses then need no li.
    for (int r = 0; r < kNumAddrRegs; ++r) {
      if (chance(0.7)) set_reg(kFirstAddrReg + r, data_addr());
    }
    for (unsigned i = 0; i < n; ++i) {
      if (i == err_at) {
        note_ += "error at item " + std::to_string(i) + ": ";
        skip_halt = inject_error(want);
        // A provoked stream error (a row out of range) comes cycles later: wait for it here,
        // so that nothing after it (outside the timing model) fails first.
        barrier();
        note_ += "; ";
      }
      item(0);
    }
    if (err_at == n) {
      note_ += "error at the end: ";
      skip_halt = inject_error(want);
    }
    if (!skip_halt) put(mk(Op::halt), 1);
    out.program.req = requirements_for(cfg_);
    out.program.code = code_;
    add_data(out.program);
    out.intended_error = want;
    out.note = note_.empty() ? "legal" : note_;
    return out;
  }

 private:
  // ---- randomness ------------------------------------------------------------------------
  u64 rnd(u64 n) { return n ? rng_() % n : 0; }
  i64 range(i64 lo, i64 hi) { return hi <= lo ? lo : lo + static_cast<i64>(rnd(static_cast<u64>(hi - lo + 1))); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }
  template <class T>
  T pick(std::initializer_list<T> v) {
    return *(v.begin() + rnd(v.size()));
  }

  i64 depth() const { return cfg_.bank_depth; }
  i64 data_words() const { return std::min<i64>(cfg_.bank_depth, 4 * 64); }
  // An SRAM word address, mostly inside the initialised data region.
  i64 data_addr() { return chance(0.8) ? range(0, data_words() - 1) : range(0, depth() - 1); }
  unsigned vreg() { return static_cast<unsigned>(rnd(cfg_.vregs)); }
  unsigned bank() { return static_cast<unsigned>(rnd(cfg_.banks)); }
  unsigned scratch() { return static_cast<unsigned>(kFirstScratch + rnd(16 - kFirstScratch)); }
  std::int64_t imm16() {
    switch (rnd(4)) {
      case 0: return range(-8, 8);
      case 1: return range(-200, 200);
      case 2: return range(-32768, 32767);
      default: return pick<i64>({0, 1, -1, 127, -128, 255, 32767, -32768});
    }
  }
  std::int64_t imm32() {
    switch (rnd(4)) {
      case 0: return range(-10, 10);
      case 1: return range(-100000, 100000);
      case 2: return static_cast<std::int32_t>(rng_());
      default: return pick<i64>({0, 1, -1, 0x7fffffff, -0x7fffffff - 1, 0x10000, 0xff});
    }
  }

  // ---- emission --------------------------------------------------------------------------
  static Instr mk(Op op, std::initializer_list<std::pair<Field, i64>> f = {}) {
    Instr in;
    in.op = op;
    for (const auto& [k, v] : f) in.set(k, v);
    return in;
  }
  void put(const Instr& in, u64 cost) { put_word(encode(in), cost); }
  void put_word(std::uint64_t w, u64 cost) {
    code_.push_back(w);
    advance(cost);
  }
  void advance(u64 cost) {
    t_ += cost;
    while (!ports_.empty() && ports_.begin()->first < t_) ports_.erase(ports_.begin());
  }
  void nop(u64 n) {
    while (n > 0) {
      const u64 k = std::min<u64>(n, 65536);
      put(mk(Op::nop, {{Field::count, static_cast<i64>(k - 1)}}), k);
      n -= k;
    }
  }
  void barrier() {
    const u64 d = std::max(t_, last_effect_);
    put(mk(Op::barrier), d - t_ + 1);
    ports_.clear();
  }

  // ---- bank-port model -------------------------------------------------------------------
  bool port_free(u64 c, unsigned b, bool write) const {
    const auto it = ports_.find(c);
    if (it == ports_.end()) return true;
    for (const auto& [ub, uw] : it->second) {
      if (ub == b && (!cfg_.sram_dual_port || uw == write)) return false;
    }
    return true;
  }
  void reserve(u64 c, unsigned b, bool write) { ports_[c].emplace_back(b, write); }
  // A bank whose port is free in cycles first..first+n-1 (plus, for vtr, the write rows).
  int free_bank(u64 first, u64 n, bool write) {
    std::vector<unsigned> order(cfg_.banks);
    for (unsigned i = 0; i < cfg_.banks; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng_);
    for (unsigned b : order) {
      bool ok = true;
      for (u64 i = 0; i < n && ok; ++i) ok = port_free(first + i, b, write);
      if (ok) return static_cast<int>(b);
    }
    return -1;
  }

  // ---- scalar registers ------------------------------------------------------------------
  void set_reg(int r, i64 v) {
    put(mk(Op::li, {{Field::rd, r}, {Field::imm32, v}}), 1);
    reg_known_[r] = true;
    reg_val_[r] = v;
  }
  bool usable_addr_reg(int r) const {
    return reg_known_[r] && !(in_loop_ && (r == varying_reg_ || loop_locked_[r]));
  }
  // A register and imm16 with R + imm16 = target (li when no register reaches it).
  bool reg_for_offset(i64 target, int& reg, i64& imm) {
    std::vector<int> cands;
    for (int r = kFirstAddrReg; r < kFirstAddrReg + kNumAddrRegs; ++r) {
      if (usable_addr_reg(r) && target - reg_val_[r] >= -32768 && target - reg_val_[r] <= 32767) cands.push_back(r);
    }
    if (chance(0.1)) cands.push_back(0);  // r0 + imm16
    if (!cands.empty()) {
      reg = cands[rnd(cands.size())];
      imm = target - (reg == 0 ? 0 : reg_val_[reg]);
      if (reg == 0 && (imm < -32768 || imm > 32767)) return false;
      return true;
    }
    if (in_loop_) return false;
    reg = static_cast<int>(kFirstAddrReg + rnd(kNumAddrRegs));
    set_reg(reg, target + range(-20, 20));
    imm = target - reg_val_[reg];
    return true;
  }
  // A register holding exactly `target` (li when none does). Fails inside loop bodies when no
  // stable register has the value.
  bool reg_exact(i64 target, int& reg, int avoid = -1) {
    for (int r = kFirstAddrReg; r < kFirstAddrReg + kNumAddrRegs; ++r) {
      if (usable_addr_reg(r) && reg_val_[r] == target) {
        reg = r;
        return true;
      }
    }
    if (target == 0 && chance(0.5)) {
      reg = 0;
      return true;
    }
    if (in_loop_) return false;
    do reg = static_cast<int>(kFirstAddrReg + rnd(kNumAddrRegs));
    while (reg == avoid);
    set_reg(reg, target);
    return true;
  }
  // Inside a loop body: a stable register value usable as a base for `n` rows of stride s
  // within [0, limit); outside: a fresh random base.
  bool stream_base(i64 n, i64 s, i64 limit, i64& base) {
    const i64 span = (n - 1) * s;
    const i64 lo = std::max<i64>(0, -span), hi = std::min<i64>(limit - 1, limit - 1 - span);
    if (lo > hi) return false;
    if (in_loop_) {
      std::vector<i64> vals;
      for (int r = kFirstAddrReg; r < kFirstAddrReg + kNumAddrRegs; ++r) {
        if (usable_addr_reg(r) && reg_val_[r] >= lo && reg_val_[r] <= hi) vals.push_back(reg_val_[r]);
      }
      if (lo == 0) vals.push_back(0);
      if (vals.empty()) return false;
      base = vals[rnd(vals.size())];
      return true;
    }
    base = (limit == depth() && chance(0.8)) ? std::clamp<i64>(range(0, data_words() - 1), lo, hi) : range(lo, hi);
    return true;
  }
  void post_inc_update(int reg, i64 inc) {
    if (reg != 0 && inc != 0) reg_val_[reg] += inc;
  }
  // Post-increment for an access through `reg`, keeping the register inside a sane range.
  i64 pick_inc(int reg) {
    if (reg == 0 || in_loop_ || !chance(0.4)) return 0;
    const i64 inc = pick<i64>({1, 1, 2, -1, 4, -3, 16, 127, -128});
    const i64 v = reg_val_[reg] + inc;
    return (v >= 0 && v < depth()) ? inc : 0;
  }

  // ---- items -----------------------------------------------------------------------------
  void item(int level) {
    struct W {
      int w;
      int kind;
    };
    const bool streams = opt_.streams;
    const W table[] = {{14, 0}, {24, 1}, {8, 2}, {6, 3}, {4, 4}, {3, 5}, {streams ? 6 : 0, 6},
                       {streams ? 5 : 0, 7}, {streams ? 4 : 0, 8}, {streams ? 3 : 0, 9}, {3, 10},
                       {2, 11}, {(opt_.loops && level < 2) ? (level ? 2 : 5) : 0, 12}};
    int total = 0;
    for (const auto& e : table) total += e.w;
    int r = static_cast<int>(rnd(static_cast<u64>(total)));
    int kind = 0;
    for (const auto& e : table) {
      if (r < e.w) {
        kind = e.kind;
        break;
      }
      r -= e.w;
    }
    switch (kind) {
      case 0: scalar(); break;
      case 1: valu(); break;
      case 2: vload(); break;
      case 3: vstore(); break;
      case 4: vlda(); break;
      case 5: vgather(); break;
      case 6: matmul(); break;
      case 7: mlw(); break;
      case 8: vtr(); break;
      case 9: lutld(); break;
      case 10: nop(chance(0.8) ? static_cast<u64>(range(1, 6)) : static_cast<u64>(range(7, 60))); break;
      case 11: barrier(); break;
      case 12: loop(level + 1); break;
      default: break;
    }
  }

  void scalar() {
    const unsigned rd = scratch();
    switch (rnd(6)) {
      case 0: put(mk(Op::li, {{Field::rd, rd}, {Field::imm32, imm32()}}), 1); break;
      case 1: put(mk(Op::addi, {{Field::rd, rd}, {Field::ra, static_cast<i64>(rnd(16))}, {Field::imm32, imm32()}}), 1); break;
      case 5:
        put(mk(Op::vext, {{Field::rd, rd}, {Field::ra, vreg()}, {Field::sh, static_cast<i64>(rnd(L_))}}), 1);
        break;
      default: {
        const Op op = pick<Op>({Op::add, Op::sub, Op::mul});
        put(mk(op, {{Field::rd, rd}, {Field::ra, static_cast<i64>(rnd(16))}, {Field::rb, static_cast<i64>(rnd(16))}}), 1);
      }
    }
  }

  void opb(Instr& in) {
    switch (rnd(3)) {
      case 0: in.set(Field::bmode, 0); in.set(Field::rb, vreg()); break;
      case 1: in.set(Field::bmode, 1); in.set(Field::rb, static_cast<i64>(rnd(16))); break;
      default: in.set(Field::bmode, 2); in.set(Field::imm16, imm16()); break;
    }
  }

  void valu() {
    static const Op ops[] = {Op::vadd, Op::vsub, Op::vmul, Op::vmin, Op::vmax, Op::vand, Op::vor,
                             Op::vxor, Op::vshl, Op::vsra, Op::vsrl, Op::vceq, Op::vclt, Op::vmov,
                             Op::vmulsh, Op::vrq, Op::vrelu, Op::vclamp, Op::vlut, Op::vredsum,
                             Op::vredmax, Op::vredmin, Op::vlid, Op::vrot, Op::vshift, Op::vbcast};
    const Op op = ops[rnd(sizeof(ops) / sizeof(ops[0]))];
    Instr in = mk(op, {{Field::rd, vreg()}});
    switch (op) {
      case Op::vmov: opb(in); break;
      case Op::vmulsh:
      case Op::vrq:
        in.set(Field::ra, vreg());
        opb(in);
        in.set(Field::sh, chance(0.7) ? range(0, 20) : range(0, 63));
        break;
      case Op::vrelu:
      case Op::vredsum:
      case Op::vredmax:
      case Op::vredmin: in.set(Field::ra, vreg()); break;
      case Op::vclamp:
        in.set(Field::ra, vreg());
        in.set(Field::imm16, imm16());
        in.set(Field::hi16, imm16());
        break;
      case Op::vlut: in.set(Field::ra, vreg()); in.set(Field::imm16, imm16()); break;
      case Op::vlid: break;
      case Op::vrot:
      case Op::vshift:
        in.set(Field::ra, vreg());
        in.set(Field::imm16, chance(0.8) ? range(-2 * static_cast<i64>(L_), 2 * static_cast<i64>(L_)) : imm16());
        break;
      case Op::vbcast: in.set(Field::ra, vreg()); in.set(Field::sh, static_cast<i64>(rnd(L_))); break;
      default: in.set(Field::ra, vreg()); opb(in); break;
    }
    put(in, 1);
  }

  // One SRAM access in the issue cycle (vld/vldu/vst/vstb), on a bank whose port is free.
  void sram_access(Op op) {
    const bool write = op == Op::vst || op == Op::vstb;
    int reg = 0;
    i64 imm = 0, inc = 0;
    if (in_loop_ && varying_reg_ >= 0 && !varying_used_ && chance(0.5)) {
      // The body's one post-incremented access: in range on every trip.
      const i64 s = varying_inc_, trips = loop_trips_;
      const i64 span = (trips - 1) * s;
      const i64 lo = std::max<i64>(0, -span), hi = std::min<i64>(depth() - 1, depth() - 1 - span);
      if (lo > hi) return;
      reg = varying_reg_;
      imm = range(lo, hi) - reg_val_[reg];
      if (imm < -32768 || imm > 32767) return;
      inc = s;
      varying_used_ = true;
    } else {
      if (!reg_for_offset(data_addr(), reg, imm)) return;
      inc = pick_inc(reg);
    }
    int b = free_bank(t_, 1, write);
    for (int tries = 0; b < 0 && tries < 3; ++tries) {
      nop(1);
      b = free_bank(t_, 1, write);
    }
    if (b < 0) return;
    Instr in = mk(op, {{Field::rd, vreg()}, {Field::ra, reg}, {Field::bank, b}, {Field::imm16, imm}, {Field::stride, inc}});
    if (op == Op::vstb) in.set(Field::sh, static_cast<i64>(rnd(4)));
    reserve(t_, static_cast<unsigned>(b), write);
    if (!write) last_effect_ = std::max(last_effect_, t_ + cfg_.vlat - 1);
    put(in, 1);
    if (reg != varying_reg_ || !in_loop_) post_inc_update(reg, inc);
  }
  void vload() {
    sram_access(chance(0.5) ? Op::vld : Op::vldu);
  }
  void vstore() { sram_access(chance(0.5) ? Op::vst : Op::vstb); }

  void vlda() {
    int reg = 0;
    i64 imm = 0;
    if (!reg_for_offset(range(0, cfg_.acc_depth - 1), reg, imm)) return;
    i64 inc = 0;
    if (reg != 0 && !in_loop_ && chance(0.3)) {
      inc = pick<i64>({1, 2, -1, 5});
      // keep the register within the accumulator range when it is used for ACC again
    }
    last_effect_ = std::max(last_effect_, t_ + cfg_.vlat - 1);
    put(mk(Op::vlda, {{Field::rd, vreg()}, {Field::ra, reg}, {Field::imm16, imm}, {Field::stride, inc}}), 1);
    post_inc_update(reg, inc);
  }

  void vgather() {
    // Index vector with known lanes: vlid (lane l holds l) or vmov of a small immediate.
    const unsigned vi = vreg();
    const bool lid = chance(0.5);
    const i64 k = range(0, 20);
    if (lid) put(mk(Op::vlid, {{Field::rd, vi}}), 1);
    else put(mk(Op::vmov, {{Field::rd, vi}, {Field::bmode, 2}, {Field::imm16, k}}), 1);
    nop(cfg_.vlat);  // the index is visible vlat cycles after it issued
    const unsigned lane = static_cast<unsigned>(rnd(L_));
    const i64 idx = lid ? lane : k;
    int reg = 0;
    i64 imm = 0;
    if (!reg_for_offset(std::min<i64>(data_addr(), depth() - 1 - idx), reg, imm)) return;
    imm -= idx;
    if (imm < -32768 || imm > 32767) return;
    const int b = free_bank(t_, 1, false);
    if (b < 0) return;
    reserve(t_, static_cast<unsigned>(b), false);
    last_effect_ = std::max(last_effect_, t_ + cfg_.vlat - 1);
    put(mk(Op::vgather, {{Field::rd, vreg()}, {Field::ra, reg}, {Field::bank, b}, {Field::imm16, imm},
                         {Field::rb, vi}, {Field::sh, lane}}),
        1);
  }

  // Waits (nop) until cycle `ready`; false when that is too far away to be worth it.
  bool wait_until(u64 ready, u64 max_wait = 80) {
    if (ready <= t_) return true;
    if (ready - t_ > max_wait) return false;
    nop(ready - t_);
    return true;
  }

  void matmul() {
    const Op op = chance(0.5) ? Op::mm : Op::mma;
    const unsigned buf = static_cast<unsigned>(rnd(2));
    const i64 n = chance(0.05) ? 0 : range(1, 2 * L_);
    const i64 s = pick<i64>({1, 1, 1, 2, 0, -1, 3});
    const i64 d = pick<i64>({1, 1, 1, 0, 2, -1});
    i64 a = 0, e = 0;
    if (!stream_base(std::max<i64>(n, 1), s, depth(), a)) return;
    if (!stream_base(std::max<i64>(n, 1), d, cfg_.acc_depth, e)) return;
    int ra = 0, rb = 0;
    if (!reg_exact(a, ra) || !reg_exact(e, rb, ra)) return;
    if (n > 0 && !wait_until(std::max(mm_free_, wready_[buf]))) return;
    int b = -1;
    for (int tries = 0; tries < 4; ++tries) {
      b = free_bank(t_ + 1, static_cast<u64>(n), false);
      if (b >= 0) break;
      nop(1);
    }
    if (b < 0) return;
    for (i64 i = 0; i < n; ++i) reserve(t_ + 1 + static_cast<u64>(i), static_cast<unsigned>(b), false);
    streams_ = true;
    if (n > 0) {
      mm_free_ = t_ + static_cast<u64>(n);
      wrel_[buf] = t_ + static_cast<u64>(n) + cfg_.wbuf_release;
      last_effect_ = std::max(last_effect_, t_ + static_cast<u64>(n) + cfg_.mxu_lat);
    }
    put(mk(op, {{Field::bank, b}, {Field::ra, ra}, {Field::rb, rb}, {Field::count, n}, {Field::sh, buf},
                {Field::stride, s}, {Field::dstride, d}}),
        1);
  }

  void mlw() {
    const unsigned buf = static_cast<unsigned>(rnd(2));
    const i64 s = pick<i64>({1, 1, 1, 2, 0, -1, 5});
    i64 a = 0;
    if (!stream_base(L_, s, depth(), a)) return;
    int ra = 0;
    if (!reg_exact(a, ra)) return;
    if (!wait_until(std::max(mlw_free_, wrel_[buf]))) return;
    int b = -1;
    for (int tries = 0; tries < 4 && b < 0; ++tries) {
      b = free_bank(t_ + 1, L_, false);
      if (b < 0) nop(1);
    }
    if (b < 0) return;
    for (unsigned k = 0; k < L_; ++k) reserve(t_ + 1 + k, static_cast<unsigned>(b), false);
    streams_ = true;
    mlw_free_ = t_ + cfg_.mlw_busy;
    wready_[buf] = t_ + cfg_.mlw_ready;
    last_effect_ = std::max(last_effect_, t_ + L_);
    put(mk(Op::mlw, {{Field::bank, b}, {Field::ra, ra}, {Field::sh, buf}, {Field::stride, s}}), 1);
  }

  void vtr() {
    i64 a = 0, c = 0;
    if (!stream_base(L_, 1, depth(), a) || !stream_base(L_, 1, depth(), c)) return;
    int ra = 0, rb = 0;
    if (!reg_exact(a, ra) || !reg_exact(c, rb, ra)) return;
    if (!wait_until(vtr_free_)) return;
    for (int tries = 0; tries < 4; ++tries) {
      const int s = free_bank(t_ + 1, L_, false);
      const int d = free_bank(t_ + cfg_.vtr_wr_start, L_, true);
      // The reads (t+1..t+L) and writes (from t+vtr_wr_start > t+L) of one vtr never overlap,
      // so source and destination may share a bank even when it is single-ported.
      if (s >= 0 && d >= 0) {
        for (unsigned k = 0; k < L_; ++k) reserve(t_ + 1 + k, static_cast<unsigned>(s), false);
        for (unsigned j = 0; j < L_; ++j) reserve(t_ + cfg_.vtr_wr_start + j, static_cast<unsigned>(d), true);
        streams_ = true;
        vtr_free_ = t_ + cfg_.vtr_busy;
        last_effect_ = std::max(last_effect_, t_ + cfg_.vtr_wr_start + L_ - 1);
        put(mk(Op::vtr, {{Field::rd, d}, {Field::rb, rb}, {Field::bank, s}, {Field::ra, ra}}), 1);
        return;
      }
      nop(1);
    }
  }

  void lutld() {
    const i64 per = L_ / 2;
    const i64 n = chance(0.1) ? 0 : range(1, 4);
    const i64 o = range(0, static_cast<i64>(cfg_.lut_depth) - std::max<i64>(n, 1) * per);
    i64 a = 0;
    if (!stream_base(std::max<i64>(n, 1), 1, depth(), a)) return;
    int ra = 0;
    if (!reg_exact(a, ra)) return;
    // Word i is read in cycle t+1+W*i; the issue slot is held W*n+1 cycles (docs/isa.md).
    const u64 w = cfg_.lutld_word_cycles;
    int b = -1;
    for (int tries = 0; tries < 4 && b < 0; ++tries) {
      // Free in t+1 .. t+1+W*(n-1): a superset of the read cycles.
      b = free_bank(t_ + 1, n > 0 ? w * static_cast<u64>(n - 1) + 1 : 0, false);
      if (b < 0) nop(1);
    }
    if (b < 0) return;
    for (i64 i = 0; i < n; ++i) reserve(t_ + 1 + w * static_cast<u64>(i), static_cast<unsigned>(b), false);
    put(mk(Op::lutld, {{Field::bank, b}, {Field::ra, ra}, {Field::count, n}, {Field::hi16, o}}),
        w * static_cast<u64>(n) + 1);
  }

  // A hardware loop at nesting `level` (1 or 2): barrier, loop, body, barrier.
  void loop(int level) {
    const bool outer_in_loop = in_loop_;
    // Fresh, stable address registers for the body (no li inside bodies).
    if (!outer_in_loop) {
      for (int r = kFirstAddrReg; r < kFirstAddrReg + kNumAddrRegs; ++r) {
        if (!reg_known_[r] || chance(0.3)) set_reg(r, data_addr());
      }
    }
    barrier();
    const i64 trips = chance(0.15) ? 0 : range(1, level == 1 ? 4 : 3);
    const bool by_reg = chance(0.3);
    if (by_reg) {
      put(mk(Op::li, {{Field::rd, kCountReg}, {Field::imm32, trips}}), 1);
    }
    const std::size_t at = code_.size();
    put(mk(Op::halt), 1);  // placeholder for the loop instruction

    // Body state.
    const auto saved_locked = loop_locked_;
    const int saved_vreg = varying_reg_;
    const i64 saved_inc = varying_inc_, saved_trips = loop_trips_;
    const bool saved_used = varying_used_;
    const auto known_before = reg_known_;
    const auto vals_before = reg_val_;
    if (outer_in_loop) {
      // Nested: the outer body's varying register stays untouched, nothing post-increments.
      if (varying_reg_ >= 0) loop_locked_[varying_reg_] = true;
      varying_reg_ = -1;
    } else {
      varying_reg_ = chance(0.6) ? static_cast<int>(kFirstAddrReg + rnd(kNumAddrRegs)) : -1;
      varying_inc_ = pick<i64>({1, 2, -1, 3, 16});
      varying_used_ = false;
      loop_trips_ = std::max<i64>(trips, 1);
    }
    in_loop_ = true;
    const unsigned items = static_cast<unsigned>(range(1, level == 1 ? 8 : 4));
    const bool streams_before = streams_;
    streams_ = false;
    for (unsigned i = 0; i < items; ++i) item(level);
    if (code_.size() == at + 1) scalar();  // items may emit nothing; len 0 is illegal
    // A body with streams ends with a barrier, so the next trip starts from idle units.
    if (streams_ || chance(0.2)) barrier();
    streams_ = streams_ || streams_before;
    const i64 len = static_cast<i64>(code_.size() - at - 1);
    const Instr lp = by_reg ? mk(Op::loop, {{Field::ra, kCountReg}, {Field::len, len}})
                            : mk(Op::loopi, {{Field::count, trips}, {Field::len, len}});
    code_[at] = encode(lp);
    in_loop_ = outer_in_loop;
    loop_locked_ = saved_locked;
    if (!outer_in_loop) {
      // Registers the body changed are known only if it ran exactly as modelled: forget them.
      for (int r = 0; r < 16; ++r) {
        if (known_before[r] != reg_known_[r] || vals_before[r] != reg_val_[r] || r == varying_reg_) {
          reg_known_[r] = false;
        }
      }
    }
    varying_reg_ = saved_vreg;
    varying_inc_ = saved_inc;
    loop_trips_ = saved_trips;
    varying_used_ = saved_used;
    // The body ran 0..N times: resynchronise the model after it.
    barrier();
    note_loops_++;
  }

  // ---- errors ----------------------------------------------------------------------------
  // Emits a sequence that raises `e`. Returns true when the program must end without halt.
  bool inject_error(ErrorCode e) {
    note_ += std::string(error_name(e));
    switch (e) {
      case ErrorCode::illegal_opcode: {
        unsigned op = 0;
        do op = static_cast<unsigned>(rnd(256));
        while (is_valid_op(op));
        const std::uint64_t low = chance(0.5) ? (rng_() & ((1ull << 56) - 1)) : 0;
        put_word((std::uint64_t{op} << 56) | low, 1);
        return false;
      }
      case ErrorCode::illegal_operand: illegal_operand(); return false;
      case ErrorCode::pc_overrun:
        // Injected after the last item: the program ends without halt, sometimes inside a
        // loop body that runs past the end.
        if (chance(0.5)) {
          barrier();
          put(mk(Op::loopi, {{Field::count, 2}, {Field::len, 5}}), 1);
          scalar();
        }
        return true;
      case ErrorCode::loop_depth: {
        barrier();
        const unsigned n = cfg_.loop_depth + 1;
        for (unsigned i = 0; i < n; ++i) {
          put(mk(Op::loopi, {{Field::count, 1}, {Field::len, static_cast<i64>(n - i)}}), 1);
        }
        scalar();
        return false;
      }
      case ErrorCode::sram_addr: {
        barrier();
        switch (rnd(3)) {
          case 0: {  // a vector access just outside the bank
            int reg = 0;
            i64 imm = 0;
            const i64 target = pick<i64>({depth(), depth() + 3, -1, -100});
            reg_for_offset(target, reg, imm);  // outside loops this always succeeds
            put(mk(chance(0.5) ? Op::vld : Op::vst, {{Field::rd, vreg()}, {Field::ra, reg}, {Field::bank, bank()},
                                                  {Field::imm16, imm}}),
                1);
            break;
          }
          case 1: {  // a matmul stream that walks off the end
            int ra = 0, rb = 0;
            reg_exact(depth() - 2, ra);
            reg_exact(0, rb, ra);
            put(mk(Op::mm, {{Field::bank, bank()}, {Field::ra, ra}, {Field::rb, rb}, {Field::count, 5}, {Field::stride, 1},
                            {Field::dstride, 1}}),
                1);
            break;
          }
          default: {  // a transpose whose output rows leave the bank
            int ra = 0, rb = 0;
            reg_exact(0, ra);
            reg_exact(depth() - static_cast<i64>(L_) / 2, rb, ra);
            put(mk(Op::vtr, {{Field::rd, bank()}, {Field::rb, rb}, {Field::bank, bank()}, {Field::ra, ra}}), 1);
            break;
          }
        }
        return false;
      }
      case ErrorCode::acc_addr: {
        barrier();
        if (chance(0.5)) {
          int reg = 0;
          i64 imm = 0;
          const i64 target = pick<i64>({static_cast<i64>(cfg_.acc_depth), -1, static_cast<i64>(cfg_.acc_depth) + 7});
          reg_for_offset(target, reg, imm);
          put(mk(Op::vlda, {{Field::rd, vreg()}, {Field::ra, reg}, {Field::imm16, imm}}), 1);
        } else {
          int ra = 0, rb = 0;
          reg_exact(0, ra);
          reg_exact(static_cast<i64>(cfg_.acc_depth) - 2, rb, ra);
          put(mk(Op::mma, {{Field::bank, bank()}, {Field::ra, ra}, {Field::rb, rb}, {Field::count, 4}, {Field::stride, 1},
                           {Field::dstride, 1}}),
              1);
        }
        return false;
      }
      case ErrorCode::lut_addr: {
        barrier();
        int ra = 0;
        reg_exact(0, ra);
        const i64 o = chance(0.5) ? static_cast<i64>(cfg_.lut_depth) - static_cast<i64>(L_) / 2 - static_cast<i64>(L_) / 2 + 1
                                  : -1;
        put(mk(Op::lutld, {{Field::bank, bank()}, {Field::ra, ra}, {Field::count, 3}, {Field::hi16, o}}),
            3 * u64{cfg_.lutld_word_cycles} + 1);
        return false;
      }
      case ErrorCode::bank_conflict: {
        barrier();
        int ra = 0, rb = 0;
        reg_exact(0, ra);
        reg_exact(0, rb);
        const unsigned b = bank();
        put(mk(Op::mm, {{Field::bank, b}, {Field::ra, ra}, {Field::rb, rb}, {Field::count, 4}, {Field::stride, 1},
                        {Field::dstride, 1}}),
            1);
        // The next cycle the stream reads row 0 of bank b: a vector read of that bank
        // (or, on single-ported banks, a store) collides with it.
        const Op op = cfg_.sram_dual_port ? Op::vld : pick<Op>({Op::vld, Op::vst});
        put(mk(op, {{Field::rd, vreg()}, {Field::ra, 0}, {Field::bank, b}, {Field::imm16, 3}}), 1);
        return false;
      }
      case ErrorCode::mxu_busy: {
        barrier();
        int ra = 0;
        reg_exact(0, ra);
        if (chance(0.5)) {
          put(mk(Op::mm, {{Field::bank, bank()}, {Field::ra, ra}, {Field::rb, ra}, {Field::count, 6}, {Field::stride, 1}}), 1);
          nop(static_cast<u64>(range(1, 4)));
          put(mk(Op::mma, {{Field::bank, bank()}, {Field::ra, ra}, {Field::rb, ra}, {Field::count, 2}, {Field::stride, 1}}), 1);
        } else {
          put(mk(Op::mlw, {{Field::bank, bank()}, {Field::ra, ra}, {Field::sh, 0}, {Field::stride, 1}}), 1);
          nop(static_cast<u64>(range(1, static_cast<i64>(cfg_.mlw_busy) - 2)));
          put(mk(Op::mlw, {{Field::bank, bank()}, {Field::ra, ra}, {Field::sh, 1}, {Field::stride, 1}}), 1);
        }
        return false;
      }
      case ErrorCode::wbuf_hazard: {
        barrier();
        int ra = 0;
        reg_exact(0, ra);
        const unsigned buf = static_cast<unsigned>(rnd(2));
        if (chance(0.5)) {
          put(mk(Op::mlw, {{Field::bank, bank()}, {Field::ra, ra}, {Field::sh, buf}, {Field::stride, 1}}), 1);
          nop(static_cast<u64>(range(0, static_cast<i64>(cfg_.mlw_ready) - 2)));  // the mm at most mlw_ready - 1 after
          put(mk(Op::mm, {{Field::bank, bank()}, {Field::ra, ra}, {Field::rb, ra}, {Field::count, 2}, {Field::sh, buf},
                          {Field::stride, 1}}),
              1);
        } else {
          put(mk(Op::mm, {{Field::bank, bank()}, {Field::ra, ra}, {Field::rb, ra}, {Field::count, 3}, {Field::sh, buf},
                          {Field::stride, 1}}),
              1);
          nop(static_cast<u64>(range(3, 3 + static_cast<i64>(cfg_.wbuf_release) - 2)));
          put(mk(Op::mlw, {{Field::bank, bank()}, {Field::ra, ra}, {Field::sh, buf}, {Field::stride, 1}}), 1);
        }
        return false;
      }
      case ErrorCode::sxu_busy: {
        barrier();
        int ra = 0;
        reg_exact(0, ra);
        const unsigned b1 = bank(), b2 = bank();
        put(mk(Op::vtr, {{Field::rd, b2}, {Field::rb, ra}, {Field::bank, b1}, {Field::ra, ra}}), 1);
        nop(static_cast<u64>(range(1, static_cast<i64>(cfg_.vtr_busy) - 2)));
        put(mk(Op::vtr, {{Field::rd, b1}, {Field::rb, ra}, {Field::bank, b2}, {Field::ra, ra}}), 1);
        return false;
      }
      case ErrorCode::link_down:
        put(mk(chance(0.5) ? Op::send : Op::recv, {{Field::sh, static_cast<i64>(rnd(cfg_.links))}, {Field::bank, bank()},
                                                    {Field::count, range(1, 4)}, {Field::stride, 1}}),
            1);
        return false;
      default:
        throw Error("random_program: cannot provoke error '" + std::string(error_name(e)) + "'");
    }
  }

  void illegal_operand() {
    std::vector<int> kinds = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    if (cfg_.banks < 16) kinds.push_back(9);
    if (cfg_.vregs < 16) kinds.push_back(10);
    switch (kinds[rnd(kinds.size())]) {
      case 0: {  // a nonzero reserved bit
        const auto& d = gen::kInstrs[rnd(gen::kInstrs.size())];
        const std::uint64_t free_bits = ~d.field_mask;
        if (!free_bits) return illegal_operand();
        unsigned bit = 0;
        do bit = static_cast<unsigned>(rnd(64));
        while (!((free_bits >> bit) & 1));
        put_word((std::uint64_t{static_cast<unsigned>(d.op)} << 56) | (1ull << bit), 1);
        return;
      }
      case 1: put_word(encode(mk(Op::vadd, {{Field::rd, 1}, {Field::ra, 2}})) | (3ull << 38), 1); return;
      case 2: put_word(encode(mk(Op::loopi, {{Field::count, 3}})), 1); return;  // len 0
      case 3: put(mk(Op::mlw, {{Field::sh, range(2, 63)}}), 1); return;
      case 4: put(mk(Op::vstb, {{Field::sh, range(4, 63)}}), 1); return;
      case 5: put(mk(Op::vext, {{Field::rd, 8}, {Field::sh, range(L_, 63)}}), 1); return;
      case 6: put(mk(Op::send, {{Field::sh, range(cfg_.links, 63)}}), 1); return;
      case 7: put(mk(Op::vmov, {{Field::rd, 1}, {Field::bmode, 0}, {Field::imm16, range(1, 100)}}), 1); return;
      case 8: put(mk(Op::vmul, {{Field::rd, 1}, {Field::bmode, 2}, {Field::rb, range(1, 15)}, {Field::imm16, 3}}), 1); return;
      case 9: put(mk(Op::vld, {{Field::rd, 1}, {Field::bank, range(cfg_.banks, 15)}}), 1); return;
      case 10: put(mk(Op::vadd, {{Field::rd, range(cfg_.vregs, 15)}, {Field::bmode, 2}}), 1); return;
      default: return;
    }
  }

  // ---- initial memory --------------------------------------------------------------------
  void add_data(Program& p) {
    for (unsigned b = 0; b < cfg_.banks; ++b) {
      if (!chance(0.85)) continue;
      Segment s;
      s.space = Space::sram;
      s.bank = b;
      s.addr = 0;
      s.bytes.resize(static_cast<std::size_t>(data_words()) * L_);
      fill(s.bytes);
      p.data.push_back(std::move(s));
    }
    if (chance(0.7)) {
      Segment s;
      s.space = Space::acc;
      s.addr = static_cast<std::uint32_t>(rnd(cfg_.acc_depth / 2));
      s.bytes.resize(static_cast<std::size_t>(range(1, 32)) * 4 * L_);
      for (auto& x : s.bytes) x = static_cast<std::uint8_t>(rng_());
      p.data.push_back(std::move(s));
    }
    if (chance(0.7)) {
      Segment s;
      s.space = Space::lut;
      s.addr = 0;
      s.bytes.resize(static_cast<std::size_t>(cfg_.lut_depth) * 2);
      for (auto& x : s.bytes) x = static_cast<std::uint8_t>(rng_());
      p.data.push_back(std::move(s));
    }
  }
  void fill(std::vector<std::uint8_t>& v) {
    const unsigned mode = static_cast<unsigned>(rnd(3));
    for (auto& x : v) {
      switch (mode) {
        case 0: x = static_cast<std::uint8_t>(rng_()); break;
        case 1: x = static_cast<std::uint8_t>(range(-4, 4)); break;
        default: x = static_cast<std::uint8_t>(pick<int>({0, 1, 127, 128, 255, 64, 200})); break;
      }
    }
  }

  const Config& cfg_;
  RandProgOptions opt_;
  std::mt19937_64 rng_;
  const unsigned L_;
  std::vector<std::uint64_t> code_;
  std::string note_;
  unsigned note_loops_ = 0;

  // Timing model.
  bool streams_ = false;  // a stream (mm, mlw, vtr) was issued since the flag was cleared
  u64 t_ = 0;
  std::map<u64, std::vector<std::pair<unsigned, bool>>> ports_;
  u64 mm_free_ = 0, mlw_free_ = 0, vtr_free_ = 0, last_effect_ = 0;
  std::array<u64, 2> wready_{}, wrel_{};

  // Scalar register knowledge.
  std::array<bool, 16> reg_known_{};
  std::array<i64, 16> reg_val_{};

  // Loop body state.
  bool in_loop_ = false;
  std::array<bool, 16> loop_locked_{};
  int varying_reg_ = -1;
  i64 varying_inc_ = 0;
  i64 loop_trips_ = 1;
  bool varying_used_ = false;
};

}  // namespace

std::vector<ErrorCode> provocable_errors(const Config& cfg) {
  (void)cfg;
  return {ErrorCode::illegal_opcode, ErrorCode::illegal_operand, ErrorCode::pc_overrun,   ErrorCode::loop_depth,
          ErrorCode::sram_addr,      ErrorCode::acc_addr,        ErrorCode::lut_addr,     ErrorCode::bank_conflict,
          ErrorCode::mxu_busy,       ErrorCode::wbuf_hazard,     ErrorCode::sxu_busy,     ErrorCode::link_down};
}

RandomProgram random_program(const Config& cfg, std::uint64_t seed, const RandProgOptions& opt) {
  if (opt.min_instrs == 0 || opt.max_instrs < opt.min_instrs) {
    throw Error("random_program: need 0 < min_instrs <= max_instrs");
  }
  return Gen(cfg, seed, opt).make();
}

}  // namespace lpu
