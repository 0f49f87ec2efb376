// Reference model of the vector pipeline for the unit bench, written from docs/isa.md
// ("Timing model", "Arithmetic details") and the instruction table, not from the RTL.
// Cycle-level: an instruction issued in cycle t reads registers and memories as they are at
// the start of t; vector results land at the end of t + vlat - 1; stores at the end of t;
// lutld word i is read and (architecturally) written to the table in cycle t+1+W*i, W =
// lutld_word_cycles; the sequencer holds the issue slot through t+W*n.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "encode.hpp"
#include "lpu/gen/isa_gen.hpp"

namespace lpu::verif {

// ---- arithmetic, straight from the spec ----------------------------------------------------
inline std::int32_t wrap32(std::int64_t x) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(x)); }
inline std::int64_t sat(__int128 x, std::int64_t lo, std::int64_t hi) {
  return static_cast<std::int64_t>(x < lo ? lo : (x > hi ? hi : x));
}
inline std::int32_t saturate_int32(__int128 x) { return static_cast<std::int32_t>(sat(x, INT32_MIN, INT32_MAX)); }
inline std::int32_t saturate_int8(__int128 x) { return static_cast<std::int32_t>(sat(x, -128, 127)); }
// (p + 2^(sh-1)) >> sh in 65+ bits, arithmetic; sh = 0 gives p.
inline __int128 round_shift(std::int64_t p, unsigned sh) {
  if (sh == 0) return p;
  const __int128 sum = static_cast<__int128>(p) + (static_cast<__int128>(1) << (sh - 1));
  return sum >> sh;  // arithmetic on signed __int128 (GCC)
}

// ---- what the unit must do in one cycle ---------------------------------------------------
struct Expect {
  bool rd_req = false;
  unsigned rd_bank = 0;
  std::int32_t rd_addr = 0;
  std::uint16_t rd_pc = 0;
  bool wr_req = false;
  unsigned wr_bank = 0;
  std::int32_t wr_addr = 0;
  std::vector<std::uint8_t> wr_data;
  std::uint16_t wr_pc = 0;
  bool acc_req = false;
  std::int32_t acc_addr = 0;
  std::uint16_t acc_pc = 0;
  bool vext = false;
  std::int32_t vext_val = 0;
  bool lut_err = false;
  std::uint16_t lut_err_pc = 0;
  bool sram_err = false;  // the read or write went out of range (the SRAM raises sram_addr)
};

struct Issue {
  Ins in;
  std::int32_t ra_val = 0;
  std::int32_t rb_val = 0;
  std::uint16_t pc = 0;
};

class VxuRef {
 public:
  explicit VxuRef(const gen::ConfigDesc& cfg)
      : cfg_(cfg), L_(cfg.lanes),
        v_(cfg.vregs, std::vector<std::int32_t>(cfg.lanes, 0)),
        lut_(cfg.lut_depth, 0),
        sram_(cfg.banks, std::vector<std::uint8_t>(std::size_t{cfg.bank_depth} * cfg.lanes, 0)),
        acc_(std::size_t{cfg.acc_depth} * cfg.lanes, 0) {}

  std::vector<std::vector<std::uint8_t>>& sram() { return sram_; }
  std::vector<std::int32_t>& acc() { return acc_; }
  std::vector<std::int16_t>& lut() { return lut_; }
  std::int32_t vreg(unsigned r, unsigned l) const { return v_[r][l]; }
  // The sequencer holds the issue slot for a lutld in cycle c.
  bool lutld_busy(std::uint64_t c) const { return lut_holding_ && c <= lut_hold_until_; }

  // One cycle: the instruction issued in it (if any), then the end-of-cycle writes.
  Expect cycle(std::uint64_t c, const std::optional<Issue>& iss) {
    Expect e;
    if (lut_left_ > 0 && c == lut_next_) lutld_word(e);
    if (iss) issue(c, *iss, e);
    // End of cycle: stores (already applied in issue), table writes, register write-backs.
    while (!wq_.empty() && wq_.front().cycle == c) {
      v_[wq_.front().vd] = wq_.front().val;
      wq_.pop_front();
    }
    return e;
  }

  // The unit's pending_o in cycle c, asked before cycle(c): effects after c of the
  // instructions issued before c (write-backs after c, lutld reads after c).
  bool pending(std::uint64_t c) const {
    for (const auto& w : wq_) {
      if (w.cycle > c) return true;
    }
    return lut_left_ > 1 || (lut_left_ == 1 && lut_next_ > c);
  }

  // The chip stopped from cycle c on: nothing scheduled happens.
  void stop() {
    wq_.clear();
    lut_left_ = 0;
    lut_holding_ = false;
  }

 private:
  struct Wb {
    std::uint64_t cycle;
    unsigned vd;
    std::vector<std::int32_t> val;
  };

  bool in_sram(std::int64_t a) const { return a >= 0 && a < static_cast<std::int64_t>(cfg_.bank_depth); }
  std::int32_t sram_byte_s(unsigned b, std::int64_t a, unsigned l) const {
    return static_cast<std::int8_t>(sram_[b][static_cast<std::size_t>(a) * L_ + l]);
  }

  void lutld_word(Expect& e) {
    e.rd_req = true;
    e.rd_bank = lut_bank_;
    e.rd_addr = lut_addr_;
    e.rd_pc = lut_pc_;
    const std::int64_t first = lut_base_;
    const std::int64_t last = first + L_ / 2 - 1;
    const bool range_ok = first >= 0 && last < static_cast<std::int64_t>(cfg_.lut_depth);
    const bool sram_ok = in_sram(lut_addr_);
    if (!range_ok) {
      e.lut_err = true;
      e.lut_err_pc = lut_pc_;
    }
    if (!sram_ok) e.sram_err = true;
    if (range_ok && sram_ok) {
      for (unsigned k = 0; k < L_ / 2; ++k) {
        const auto lo = sram_[lut_bank_][static_cast<std::size_t>(lut_addr_) * L_ + 2 * k];
        const auto hi = sram_[lut_bank_][static_cast<std::size_t>(lut_addr_) * L_ + 2 * k + 1];
        lut_[static_cast<std::size_t>(first + k)] = static_cast<std::int16_t>(lo | (hi << 8));
      }
    }
    lut_addr_ = wrap32(std::int64_t{lut_addr_} + 1);
    lut_base_ += L_ / 2;
    lut_next_ += cfg_.lutld_word_cycles;
    --lut_left_;
  }

  std::vector<std::int32_t> operand_b(const Issue& is) const {
    switch (is.in.bmode) {
      case 1: return std::vector<std::int32_t>(L_, is.rb_val);
      case 2: return std::vector<std::int32_t>(L_, static_cast<std::int16_t>(is.in.imm16));
      default:  // a foreign opcode's rb may not name a vector register
        return is.in.rb < v_.size() ? v_[is.in.rb] : std::vector<std::int32_t>(L_, 0);
    }
  }

  void issue(std::uint64_t c, const Issue& is, Expect& e) {
    using gen::Op;
    const Ins& in = is.in;
    const std::int32_t imm = static_cast<std::int16_t>(in.imm16);
    const std::int32_t hi = static_cast<std::int16_t>(in.hi16);
    const std::int64_t ea = wrap32(std::int64_t{is.ra_val} + imm);
    const auto& a = v_[in.ra];
    std::vector<std::int32_t> r(L_, 0);
    bool writes = true;
    switch (in.op) {
      case Op::vld:
      case Op::vldu:
      case Op::vgather: {
        std::int64_t addr = ea;
        if (in.op == Op::vgather) addr = wrap32(ea + v_[in.rb][in.sh]);
        e.rd_req = true;
        e.rd_bank = in.bank;
        e.rd_addr = static_cast<std::int32_t>(addr);
        e.rd_pc = is.pc;
        if (!in_sram(addr)) { e.sram_err = true; break; }
        for (unsigned l = 0; l < L_; ++l) {
          const std::int32_t s = sram_byte_s(in.bank, addr, l);
          r[l] = (in.op == Op::vldu) ? (s & 0xff) : s;
        }
        break;
      }
      case Op::vlda:
        e.acc_req = true;
        e.acc_addr = static_cast<std::int32_t>(ea);
        e.acc_pc = is.pc;
        if (ea < 0 || ea >= static_cast<std::int64_t>(cfg_.acc_depth)) { e.sram_err = true; break; }
        for (unsigned l = 0; l < L_; ++l) r[l] = acc_[static_cast<std::size_t>(ea) * L_ + l];
        break;
      case Op::vst:
      case Op::vstb: {
        writes = false;
        e.wr_req = true;
        e.wr_bank = in.bank;
        e.wr_addr = static_cast<std::int32_t>(ea);
        e.wr_pc = is.pc;
        e.wr_data.assign(L_, 0);
        const auto& s = v_[in.rd];
        for (unsigned l = 0; l < L_; ++l) {
          e.wr_data[l] = (in.op == Op::vst)
                             ? static_cast<std::uint8_t>(saturate_int8(s[l]))
                             : static_cast<std::uint8_t>(static_cast<std::uint32_t>(s[l]) >> (8 * in.sh));
        }
        if (!in_sram(ea)) { e.sram_err = true; break; }
        for (unsigned l = 0; l < L_; ++l) sram_[in.bank][static_cast<std::size_t>(ea) * L_ + l] = e.wr_data[l];
        break;
      }
      case Op::vext:
        writes = false;
        e.vext = true;
        e.vext_val = a[in.sh];
        break;
      case Op::lutld:
        writes = false;
        lut_left_ = static_cast<std::uint16_t>(in.imm16);
        lut_next_ = c + 1;
        lut_holding_ = true;
        lut_hold_until_ = c + std::uint64_t{cfg_.lutld_word_cycles} * lut_left_;
        lut_addr_ = is.ra_val;
        lut_base_ = hi;
        lut_bank_ = in.bank;
        lut_pc_ = is.pc;
        break;
      default:
        if (!alu(in, is, a, r, imm, hi)) writes = false;
        break;
    }
    if (writes) {
      // The write-back cycle is t + vlat - 1; insert in order (all have the same latency).
      wq_.push_back({c + cfg_.vlat - 1, in.rd, r});
    }
  }

  // Element-wise, lane, multiply, table and reduction ops. False for opcodes the unit ignores.
  bool alu(const Ins& in, const Issue& is, const std::vector<std::int32_t>& a,
           std::vector<std::int32_t>& r, std::int32_t imm, std::int32_t hi) const {
    using gen::Op;
    const auto b = operand_b(is);
    const std::int64_t L = L_;
    for (unsigned l = 0; l < L_; ++l) {
      const std::int64_t x = a[l], y = b[l];
      const std::uint32_t ux = static_cast<std::uint32_t>(a[l]);
      const unsigned s = static_cast<std::uint32_t>(b[l]) & 31u;
      switch (in.op) {
        case Op::vadd: r[l] = wrap32(x + y); break;
        case Op::vsub: r[l] = wrap32(x - y); break;
        case Op::vmul: r[l] = wrap32(static_cast<std::int64_t>(static_cast<std::uint64_t>(x) * static_cast<std::uint64_t>(y))); break;
        case Op::vmin: r[l] = static_cast<std::int32_t>(std::min(x, y)); break;
        case Op::vmax: r[l] = static_cast<std::int32_t>(std::max(x, y)); break;
        case Op::vand: r[l] = a[l] & b[l]; break;
        case Op::vor: r[l] = a[l] | b[l]; break;
        case Op::vxor: r[l] = a[l] ^ b[l]; break;
        case Op::vshl: r[l] = static_cast<std::int32_t>(ux << s); break;
        case Op::vsra: r[l] = static_cast<std::int32_t>(x >> s); break;
        case Op::vsrl: r[l] = static_cast<std::int32_t>(ux >> s); break;
        case Op::vceq: r[l] = (x == y) ? 1 : 0; break;
        case Op::vclt: r[l] = (x < y) ? 1 : 0; break;
        case Op::vmov: r[l] = b[l]; break;
        case Op::vmulsh: r[l] = saturate_int32(round_shift(x * y, in.sh)); break;
        case Op::vrq: r[l] = saturate_int8(round_shift(x * y, in.sh)); break;
        case Op::vrelu: r[l] = static_cast<std::int32_t>(std::max<std::int64_t>(x, 0)); break;
        case Op::vclamp: r[l] = static_cast<std::int32_t>(std::min<std::int64_t>(std::max<std::int64_t>(x, imm), hi)); break;
        case Op::vlut: {
          const std::int64_t idx = std::clamp<std::int64_t>(x + imm, 0, cfg_.lut_depth - 1);
          r[l] = lut_[static_cast<std::size_t>(idx)];
          break;
        }
        case Op::vredsum: {
          std::int64_t acc = 0;
          for (auto v : a) acc = wrap32(acc + v);
          r[l] = static_cast<std::int32_t>(acc);
          break;
        }
        case Op::vredmax: r[l] = *std::max_element(a.begin(), a.end()); break;
        case Op::vredmin: r[l] = *std::min_element(a.begin(), a.end()); break;
        case Op::vlid: r[l] = static_cast<std::int32_t>(l); break;
        case Op::vrot: {
          const std::int64_t m = ((l + std::int64_t{imm}) % L + L) % L;
          r[l] = a[static_cast<std::size_t>(m)];
          break;
        }
        case Op::vshift: {
          const std::int64_t src = l + std::int64_t{imm};
          r[l] = (src >= 0 && src < L) ? a[static_cast<std::size_t>(src)] : 0;
          break;
        }
        case Op::vbcast: r[l] = a[in.sh]; break;
        default: return false;
      }
    }
    return true;
  }

  const gen::ConfigDesc& cfg_;
  unsigned L_;
  std::vector<std::vector<std::int32_t>> v_;
  std::vector<std::int16_t> lut_;
  std::vector<std::vector<std::uint8_t>> sram_;
  std::vector<std::int32_t> acc_;
  std::deque<Wb> wq_;
  // lutld stream
  std::uint16_t lut_left_ = 0;
  std::uint64_t lut_next_ = 0;        // cycle of the next word's read
  bool lut_holding_ = false;
  std::uint64_t lut_hold_until_ = 0;  // the issue slot is held through this cycle
  std::int32_t lut_addr_ = 0;
  std::int64_t lut_base_ = 0;
  unsigned lut_bank_ = 0;
  std::uint16_t lut_pc_ = 0;
};

}  // namespace lpu::verif
