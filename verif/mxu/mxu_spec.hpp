// A plain C++ model of the MXU as docs/isa.md ("MXU", "Errors") specifies it, independent of
// the RTL's structure: it tells, per cycle, which SRAM rows must be read, which accumulator
// rows must be written (and with what), and which issue must be rejected with which code.
// Results are plain GEMM loops over int8 values with wrapping int32 sums.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <utility>

#include "lpu/gen/isa_gen.hpp"

namespace lpu::verif::mxu {

template <unsigned L>
using Word = std::array<std::int8_t, L>;  // one SRAM word, byte l = lane l
template <unsigned L>
using AccRow = std::array<std::int32_t, L>;

// The SRAM as the MXU test sees it: every (bank, address) holds a word, created at random on
// first use (biased towards -128, 127, -1, 0, 1) unless stored explicitly.
template <unsigned L>
class SramModel {
 public:
  explicit SramModel(std::uint64_t seed) : rng_(seed) {}

  const Word<L>& get(unsigned bank, std::uint32_t addr) {
    auto key = std::make_pair(bank, addr);
    auto it = mem_.find(key);
    if (it == mem_.end()) it = mem_.emplace(key, random_word()).first;
    return it->second;
  }
  void set(unsigned bank, std::uint32_t addr, const Word<L>& w) { mem_[{bank, addr}] = w; }

  // Generator of fresh values; `extreme` restricts them to -128 and 127.
  Word<L> random_word(bool extreme = false) {
    static constexpr std::int8_t kEdge[] = {-128, 127, -1, 0, 1};
    Word<L> w{};
    for (auto& b : w) {
      if (extreme) b = (rng_() & 1u) ? std::int8_t{-128} : std::int8_t{127};
      else if (rng_() % 3 == 0) b = kEdge[rng_() % 5];
      else b = static_cast<std::int8_t>(rng_());
    }
    return w;
  }

 private:
  std::mt19937_64 rng_;
  std::map<std::pair<unsigned, std::uint32_t>, Word<L>> mem_;
};

struct Instr {
  enum class Kind { mlw, mm, mma, other } kind = Kind::other;
  unsigned bank = 0;
  std::int32_t ra_val = 0;  // R[ra]
  std::int32_t rb_val = 0;  // R[rb]
  unsigned ra = 1, rb = 2;  // register numbers (encoded only)
  unsigned count = 0;
  unsigned buf = 0;
  int stride = 1;
  int dstride = 1;
  std::uint16_t pc = 0;
};

// The 64-bit encoding, from the generated field table (not from the RTL's package).
inline std::uint64_t encode(const Instr& in) {
  using gen::Field;
  auto put = [](Field f, std::int64_t v) {
    const auto& d = gen::kFields[static_cast<unsigned>(f)];
    const std::uint64_t mask = (std::uint64_t{1} << d.width) - 1;
    return (static_cast<std::uint64_t>(v) & mask) << d.lsb;
  };
  std::uint64_t w = 0;
  switch (in.kind) {
    case Instr::Kind::mlw:
      w = put(Field::op, static_cast<unsigned>(gen::Op::mlw)) | put(Field::bank, in.bank) |
          put(Field::ra, in.ra) | put(Field::sh, in.buf) | put(Field::stride, in.stride);
      break;
    case Instr::Kind::mm:
    case Instr::Kind::mma:
      w = put(Field::op, static_cast<unsigned>(in.kind == Instr::Kind::mm ? gen::Op::mm
                                                                           : gen::Op::mma)) |
          put(Field::bank, in.bank) | put(Field::ra, in.ra) | put(Field::rb, in.rb) |
          put(Field::count, in.count) | put(Field::sh, in.buf) | put(Field::stride, in.stride) |
          put(Field::dstride, in.dstride);
      break;
    case Instr::Kind::other:  // a vector add: not the MXU's
      w = put(Field::op, static_cast<unsigned>(gen::Op::vadd)) | put(Field::rd, 1) |
          put(Field::ra, 2) | put(Field::rb, 3);
      break;
  }
  return w;
}

struct ReadEv {
  unsigned bank;
  std::uint32_t addr;
  std::uint16_t pc;
};

template <unsigned L>
struct WriteEv {
  bool ok;             // entry in range (else: acc_addr, write suppressed)
  std::uint32_t addr;  // entry as computed
  bool accum;
  AccRow<L> y;
  std::uint16_t pc;
};

template <unsigned L>
class MxuSpec {
 public:
  struct Timing {
    unsigned acc_depth, mxu_lat, mlw_busy, mlw_ready, wbuf_release;
  };

  MxuSpec(SramModel<L>& sram, Timing tm) : sram_(&sram), tm_(tm) {
    for (auto& b : w_) for (auto& r : b) r.fill(0);  // reset clears both buffers
  }

  // The instruction issues at cycle t; returns the error code the MXU must raise (0: none)
  // and schedules its effects when accepted.
  std::uint8_t issue(std::uint64_t t, const Instr& in) {
    using E = gen::ErrorCode;
    switch (in.kind) {
      case Instr::Kind::other: return 0;
      case Instr::Kind::mlw: {
        if (t < mlw_free_at_) return static_cast<std::uint8_t>(E::mxu_busy);
        if (t < mlw_ok_at_[in.buf]) return static_cast<std::uint8_t>(E::wbuf_hazard);
        mlw_free_at_ = t + tm_.mlw_busy;
        mm_ok_at_[in.buf] = t + tm_.mlw_ready;
        for (unsigned k = 0; k < L; ++k) {
          const std::uint32_t a = static_cast<std::uint32_t>(in.ra_val) +
                                  static_cast<std::uint32_t>(static_cast<std::int64_t>(k) * in.stride);
          w_reads_[t + 1 + k] = ReadEv{in.bank, a, in.pc};
          w_[in.buf][k] = sram_->get(in.bank, a);
        }
        last_effect_ = std::max(last_effect_, t + L);
        return 0;
      }
      case Instr::Kind::mm:
      case Instr::Kind::mma: {
        if (in.count == 0) return 0;
        if (t < mm_free_at_) return static_cast<std::uint8_t>(E::mxu_busy);
        if (t < mm_ok_at_[in.buf]) return static_cast<std::uint8_t>(E::wbuf_hazard);
        mm_free_at_ = t + in.count;
        mlw_ok_at_[in.buf] = t + in.count + tm_.wbuf_release;
        for (unsigned i = 0; i < in.count; ++i) {
          const std::uint32_t a = static_cast<std::uint32_t>(in.ra_val) +
                                  static_cast<std::uint32_t>(static_cast<std::int64_t>(i) * in.stride);
          const std::uint32_t e = static_cast<std::uint32_t>(in.rb_val) +
                                  static_cast<std::uint32_t>(static_cast<std::int64_t>(i) * in.dstride);
          act_reads_[t + 1 + i] = ReadEv{in.bank, a, in.pc};
          const auto y = gemm_row(sram_->get(in.bank, a), w_[in.buf]);
          const bool ok = static_cast<std::int32_t>(e) >= 0 && e < tm_.acc_depth;
          writes_[t + 1 + i + tm_.mxu_lat] =
              WriteEv<L>{ok, e, in.kind == Instr::Kind::mma, y, in.pc};
        }
        last_effect_ = std::max<std::uint64_t>(last_effect_, t + in.count + tm_.mxu_lat);
        return 0;
      }
    }
    return 0;
  }

  // y[j] = sum_k int8(x[k]) * int8(W[k][j]), exact, then wrapping int32.
  static AccRow<L> gemm_row(const Word<L>& x, const std::array<Word<L>, L>& w) {
    AccRow<L> y{};
    for (unsigned j = 0; j < L; ++j) {
      std::int64_t s = 0;
      for (unsigned k = 0; k < L; ++k) s += std::int64_t{x[k]} * std::int64_t{w[k][j]};
      y[j] = static_cast<std::int32_t>(static_cast<std::uint32_t>(s));
    }
    return y;
  }

  const ReadEv* act_read(std::uint64_t c) const { return find(act_reads_, c); }
  const ReadEv* w_read(std::uint64_t c) const { return find(w_reads_, c); }
  const WriteEv<L>* write(std::uint64_t c) const { return find(writes_, c); }

  // Effects scheduled after cycle c (ACC writes, weight-row reads), from issues before c.
  bool pending(std::uint64_t c) const { return last_effect_ > c; }

  // The windows, for schedulers that aim at their edges.
  std::uint64_t mm_free_at() const { return mm_free_at_; }
  std::uint64_t mlw_free_at() const { return mlw_free_at_; }
  std::uint64_t mm_ok_at(unsigned b) const { return mm_ok_at_[b]; }
  std::uint64_t mlw_ok_at(unsigned b) const { return mlw_ok_at_[b]; }
  std::uint64_t last_effect() const { return last_effect_; }
  const std::array<Word<L>, L>& weights(unsigned b) const { return w_[b]; }
  void set_weights(const std::array<Word<L>, L>& w0, const std::array<Word<L>, L>& w1) {
    w_[0] = w0;
    w_[1] = w1;
  }

 private:
  template <class M>
  static const typename M::mapped_type* find(const M& m, std::uint64_t c) {
    auto it = m.find(c);
    return it == m.end() ? nullptr : &it->second;
  }

  SramModel<L>* sram_;
  Timing tm_;
  std::array<std::array<Word<L>, L>, 2> w_{};
  std::map<std::uint64_t, ReadEv> act_reads_, w_reads_;
  std::map<std::uint64_t, WriteEv<L>> writes_;
  std::uint64_t mm_free_at_ = 0, mlw_free_at_ = 0;
  std::array<std::uint64_t, 2> mm_ok_at_{}, mlw_ok_at_{};
  std::uint64_t last_effect_ = 0;
};

}  // namespace lpu::verif::mxu
