// Memory layout and lowering: QOps to MXU streams and vector chains, placed by the
// scheduler (docs/compiler.md "Memory layout", "Lowering").
#include "lower.hpp"

#include <algorithm>
#include <cstdio>

#include "lpu/error.hpp"
#include "roll.hpp"
#include "schedule.hpp"

namespace lpu::compiler::detail {

namespace {

std::uint32_t ceil_div(std::uint32_t a, std::uint32_t b) { return (a + b - 1) / b; }

std::string kib(std::size_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%zu bytes (%.1f KiB)", bytes,
                static_cast<double>(bytes) / 1024.0);
  return buf;
}

// A constant matmul operand in SRAM: column block j holds K rounded up to lanes rows
// (zero padded) from (bank[j], addr[j]).
struct WeightPlace {
  std::vector<std::uint32_t> bank, addr;
};

class Lowerer {
 public:
  Lowerer(const QGraph& q, const Config& cfg, bool roll)
      : q_(q), cfg_(cfg), L_(cfg.lanes), roll_(roll), sched_(cfg), used_(cfg.banks, 0) {}

  Lowered run() {
    plan_sram();
    plan_acc();
    for (std::size_t i = 0; i < q_.ops.size(); ++i) {
      const QOp& op = q_.ops[i];
      if (op.kind == QOpKind::matmul) {
        lower_matmul(i);
      } else {
        lower_eltwise(i);
      }
    }
    out_.code = roll_ ? roll_loops(sched_.emit()) : sched_.emit();
    out_.cycles = sched_.cycles();
    out_.mxu_rows = sched_.mxu_rows();
    if (out_.code.size() > cfg_.imem_depth) {
      throw Error("the program needs " + std::to_string(out_.code.size()) +
                  " instructions but the '" + std::string(cfg_.name) +
                  "' chip's instruction memory holds " + std::to_string(cfg_.imem_depth) +
                  "; use a smaller model or split it over chips with --chips N (planned)");
    }
    return std::move(out_);
  }

 private:
  // ---- SRAM ----------------------------------------------------------------------------

  std::size_t capacity_words() const {
    return static_cast<std::size_t>(cfg_.banks) * cfg_.bank_depth;
  }

  [[noreturn]] void no_fit(std::size_t need_words, const std::string& detail) const {
    const std::size_t wb = L_;  // bytes per word
    throw Error("the model does not fit the '" + std::string(cfg_.name) + "' chip: it needs " +
                kib(need_words * wb) + " of SRAM (" + kib(out_.weight_words * wb) +
                " of weights, " + kib(out_.act_words * wb) + " of activations) and the chip has " +
                kib(capacity_words() * wb) + " (" + std::to_string(cfg_.banks) + " banks of " +
                std::to_string(cfg_.bank_depth) + " words of " + std::to_string(L_) + " bytes)" +
                detail + "; use a smaller model or split it over chips with --chips N (planned)");
  }

  // A run of `words` consecutive words in one bank: the bank of `prefer` with the most free
  // words, else any bank.
  std::pair<std::uint32_t, std::uint32_t> take(std::size_t words,
                                               const std::vector<std::uint32_t>& prefer,
                                               const std::string& what) {
    auto best = [&](const std::vector<std::uint32_t>& banks) -> int {
      int b = -1;
      for (std::uint32_t k : banks) {
        const std::size_t free = cfg_.bank_depth - used_[k];
        if (free >= words && (b < 0 || free > cfg_.bank_depth - used_[static_cast<std::size_t>(b)]))
          b = static_cast<int>(k);
      }
      return b;
    };
    int b = best(prefer);
    if (b < 0) {
      std::vector<std::uint32_t> all(cfg_.banks);
      for (std::uint32_t k = 0; k < cfg_.banks; ++k) all[k] = k;
      b = best(all);
    }
    if (b < 0 && words > cfg_.bank_depth) {
      throw Error(what + " needs " + std::to_string(words) +
                  " consecutive words of SRAM but a bank of the '" + std::string(cfg_.name) +
                  "' chip holds " + std::to_string(cfg_.bank_depth) +
                  " (model inputs and outputs must fit one bank); use a smaller tensor or split "
                  "the model over chips "
                  "with --chips N (planned)");
    }
    if (b < 0)
      no_fit(out_.weight_words + out_.act_words,
             " (" + what + " found no bank with " + std::to_string(words) + " free words)");
    const auto bank = static_cast<std::uint32_t>(b);
    const std::uint32_t addr = used_[bank];
    used_[bank] += static_cast<std::uint32_t>(words);
    return {bank, addr};
  }

  void plan_sram() {
    // Activations in the lower half of the banks, weights in the upper half, so that
    // weight loads and activation streams use different banks.
    std::vector<std::uint32_t> act_banks, w_banks;
    for (std::uint32_t b = 0; b < cfg_.banks; ++b)
      (b < std::max(1u, cfg_.banks / 2) ? act_banks : w_banks).push_back(b);
    if (w_banks.empty()) w_banks = act_banks;

    std::vector<bool> is_b(q_.tensors.size(), false);
    for (const QOp& op : q_.ops) {
      if (op.kind == QOpKind::matmul && op.b >= 0) is_b[static_cast<std::size_t>(op.b)] = true;
    }
    auto act_words = [&](std::size_t t) {
      const QTensor& qt = q_.tensors[t];
      const std::size_t cb = ceil_div(qt.cols, L_);
      // A right matmul operand is read in whole tiles of lanes rows: room for the last one.
      const std::size_t slack = is_b[t] ? (ceil_div(qt.rows, L_) * L_ - qt.rows) : 0;
      return cb * qt.rows + slack;
    };
    for (const QOp& op : q_.ops) {
      if (op.kind == QOpKind::matmul && op.b < 0) {
        out_.weight_words += static_cast<std::size_t>(ceil_div(op.n, L_)) * ceil_div(op.k, L_) * L_;
      }
    }
    for (std::size_t t = 0; t < q_.tensors.size(); ++t) out_.act_words += act_words(t);
    if (out_.weight_words + out_.act_words > capacity_words())
      no_fit(out_.weight_words + out_.act_words, "");

    // Weights, one segment per column block, round-robin over the weight banks.
    wplace_.resize(q_.ops.size());
    for (std::size_t i = 0; i < q_.ops.size(); ++i) {
      const QOp& op = q_.ops[i];
      if (op.kind != QOpKind::matmul || op.b >= 0) continue;
      const std::uint32_t kp = ceil_div(op.k, L_) * L_;
      const std::uint32_t nb = ceil_div(op.n, L_);
      for (std::uint32_t j = 0; j < nb; ++j) {
        const auto [bank, addr] = take(kp, w_banks, "the weights of '" + op.node + "'");
        wplace_[i].bank.push_back(bank);
        wplace_[i].addr.push_back(addr);
        Segment seg;
        seg.space = Space::sram;
        seg.bank = bank;
        seg.addr = addr;
        seg.bytes.assign(static_cast<std::size_t>(kp) * L_, 0);
        for (std::uint32_t k = 0; k < op.k; ++k) {
          for (std::uint32_t l = 0; l < L_ && j * L_ + l < op.n; ++l) {
            seg.bytes[static_cast<std::size_t>(k) * L_ + l] =
                static_cast<std::uint8_t>(op.w[static_cast<std::size_t>(k) * op.n + j * L_ + l]);
          }
        }
        out_.data.push_back(std::move(seg));
      }
    }
    // Activations: a whole tensor in one bank when it fits (always for model inputs and
    // outputs: their symbols are contiguous), else one run per column block.
    out_.act.resize(q_.tensors.size());
    for (std::size_t t = 0; t < q_.tensors.size(); ++t) {
      const QTensor& qt = q_.tensors[t];
      ActPlace& p = out_.act[t];
      p.rows = qt.rows;
      p.cblocks = ceil_div(qt.cols, L_);
      const std::size_t words = act_words(t);
      const bool io = qt.is_input || qt.is_output;
      if (io || words <= cfg_.bank_depth) {
        const auto [bank, addr] = take(words, act_banks, "tensor '" + qt.name + "'");
        for (std::uint32_t j = 0; j < p.cblocks; ++j) {
          p.bank.push_back(bank);
          p.addr.push_back(addr + j * qt.rows);
        }
      } else {
        const std::size_t per = is_b[t] ? ceil_div(qt.rows, L_) * L_ : qt.rows;
        for (std::uint32_t j = 0; j < p.cblocks; ++j) {
          const auto [bank, addr] = take(per, act_banks, "tensor '" + qt.name + "'");
          p.bank.push_back(bank);
          p.addr.push_back(addr);
        }
      }
    }
  }

  // ---- ACC -----------------------------------------------------------------------------

  void plan_acc() {
    acc_top_ = cfg_.acc_depth;
    bias_entry_.assign(q_.ops.size(), 0);
    mult_entry_.assign(q_.ops.size(), 0);
    auto consts = [&](const std::vector<std::int32_t>& v, std::uint32_t n) {
      const std::uint32_t nb = ceil_div(n, L_);
      if (acc_top_ < nb) return std::uint32_t{0};
      acc_top_ -= nb;
      Segment seg;
      seg.space = Space::acc;
      seg.addr = acc_top_;
      seg.bytes.assign(static_cast<std::size_t>(nb) * L_ * 4, 0);
      for (std::uint32_t j = 0; j < n; ++j) {
        const auto u = static_cast<std::uint32_t>(v[j]);
        for (int b = 0; b < 4; ++b)
          seg.bytes[4 * static_cast<std::size_t>(j) + b] = static_cast<std::uint8_t>(u >> (8 * b));
      }
      out_.data.push_back(std::move(seg));
      return acc_top_;
    };
    std::uint32_t need = 0;
    for (std::size_t i = 0; i < q_.ops.size(); ++i) {
      const QOp& op = q_.ops[i];
      if (op.kind != QOpKind::matmul) continue;
      if (!op.bias.empty()) {
        need += ceil_div(op.n, L_);
        bias_entry_[i] = consts(op.bias, op.n);
      }
      if (op.mult.size() > 1) {
        need += ceil_div(op.n, L_);
        mult_entry_[i] = consts(op.mult, op.n);
      }
    }
    if (need + 2 > cfg_.acc_depth) {
      throw Error("the model does not fit the '" + std::string(cfg_.name) +
                  "' chip: its biases and per-channel scales need " + std::to_string(need) +
                  " accumulator entries and the chip has " + std::to_string(cfg_.acc_depth) +
                  " (2 more are needed for results); use per-tensor weight scales, a smaller "
                  "model, or --chips N (planned)");
    }
  }

  std::uint32_t alloc_region(std::uint32_t rows) {
    if (acc_ptr_ + rows > acc_top_) acc_ptr_ = 0;
    const std::uint32_t r = acc_ptr_;
    acc_ptr_ += rows;
    return r;
  }

  // ---- instructions --------------------------------------------------------------------

  static VOp vop(Op op) {
    VOp v;
    v.in.op = op;
    return v;
  }
  static VOp vld(int dst, std::uint32_t bank, std::uint32_t addr, int stream = -1) {
    VOp v = vop(Op::vld);
    v.stream = stream;
    v.dst = dst;
    v.in.set(Field::bank, bank);
    v.in.set(Field::imm16, addr);
    v.mem = VOp::Mem::sram_read;
    v.bank = bank;
    v.addr = addr;
    return v;
  }
  static VOp vst(int src, std::uint32_t bank, std::uint32_t addr, int stream = -1) {
    VOp v = vop(Op::vst);
    v.stream = stream;
    v.src_s = src;
    v.in.set(Field::bank, bank);
    v.in.set(Field::imm16, addr);
    v.mem = VOp::Mem::sram_write;
    v.bank = bank;
    v.addr = addr;
    return v;
  }
  static VOp vlda(int dst, std::uint32_t entry, int stream = -1) {
    VOp v = vop(Op::vlda);
    v.stream = stream;
    v.dst = dst;
    v.in.set(Field::imm16, entry);
    v.mem = VOp::Mem::acc_read;
    v.addr = entry;
    return v;
  }
  // vd = va OP vb (bmode 0).
  static VOp vv(Op op, int dst, int a, int b, unsigned sh = 0) {
    VOp v = vop(op);
    v.dst = dst;
    v.src_a = a;
    v.src_b = b;
    v.in.set(Field::bmode, 0);
    if (sh) v.in.set(Field::sh, sh);
    return v;
  }
  // vd = va OP imm16 (bmode 2).
  static VOp vi(Op op, int dst, int a, std::int32_t imm, unsigned sh = 0) {
    if (imm < -32768 || imm > 32767) throw Error("internal: immediate operand out of range");
    VOp v = vop(op);
    v.dst = dst;
    v.src_a = a;
    v.in.set(Field::bmode, 2);
    v.in.set(Field::imm16, imm);
    if (sh) v.in.set(Field::sh, sh);
    return v;
  }
  static VOp vrelu(int dst, int a) {
    VOp v = vop(Op::vrelu);
    v.dst = dst;
    v.src_a = a;
    return v;
  }

  // ---- ops -----------------------------------------------------------------------------

  // With loop rolling, row accesses go through post-incremented address registers so that
  // consecutive rows are the same instruction words; without, they use immediates.
  int stream(std::uint32_t first, std::int64_t lb) {
    return roll_ ? sched_.open_stream(first, lb) : -1;
  }

  struct Group {
    std::uint32_t m0 = 0, rows = 0, nb = 0, region = 0;
  };

  void lower_matmul(std::size_t idx) {
    const QOp& op = q_.ops[idx];
    const ActPlace& a = out_.act[static_cast<std::size_t>(op.a)];
    const std::uint32_t kb_n = ceil_div(op.k, L_);
    const std::uint32_t nb_n = ceil_div(op.n, L_);
    const std::uint32_t m = a.rows;
    const std::uint32_t mc = std::min(m, std::max(1u, acc_top_ / 2));
    bool pending = false;
    Group prev;
    for (std::uint32_t m0 = 0; m0 < m; m0 += mc) {
      for (std::uint32_t nb = 0; nb < nb_n; ++nb) {
        Group g{m0, std::min(mc, m - m0), nb, 0};
        g.region = alloc_region(g.rows);
        for (std::uint32_t kb = 0; kb < kb_n; ++kb) {
          MxuOp w;
          w.op = Op::mlw;
          w.buf = buf_;
          if (op.b < 0) {
            w.bank = wplace_[idx].bank[nb];
            w.addr = wplace_[idx].addr[nb] + kb * L_;
            w.tracked_rows = 0;  // constants: never written
          } else {
            const ActPlace& b = out_.act[static_cast<std::size_t>(op.b)];
            w.bank = b.bank[nb];
            w.addr = b.addr[nb] + kb * L_;
            w.tracked_rows = b.rows > kb * L_ ? std::min(L_, b.rows - kb * L_) : 0;
          }
          sched_.place_mxu(w);
          MxuOp s;
          s.op = kb == 0 ? Op::mm : Op::mma;
          s.bank = a.bank[kb];
          s.addr = a.addr[kb] + g.m0;
          s.count = g.rows;
          s.tracked_rows = g.rows;
          s.acc = g.region;
          s.buf = buf_;
          sched_.place_mxu(s);
          buf_ ^= 1u;
        }
        // The epilogue of the previous group is listed after this group's streams, so
        // that they take the issue cycles first and the vector work fills around them.
        if (pending) epilogue(idx, prev);
        prev = g;
        pending = true;
      }
    }
    if (pending) epilogue(idx, prev);
  }

  // ACC rows of a group -> (+ bias) -> (ReLU) -> requantize -> the output's column block.
  void epilogue(std::size_t idx, const Group& g) {
    const QOp& op = q_.ops[idx];
    const ActPlace& y = out_.act[static_cast<std::size_t>(op.out)];
    const std::int64_t lb = std::max<std::int64_t>(0, sched_.acc_ready(g.region) - cfg_.vlat - 2);
    int bias = -1, mult = -1;
    if (!op.bias.empty()) {
      bias = sched_.new_value(true);
      sched_.place_chain({vlda(bias, bias_entry_[idx] + g.nb)}, lb);
    }
    if (op.mult.size() > 1) {
      mult = sched_.new_value(true);
      sched_.place_chain({vlda(mult, mult_entry_[idx] + g.nb)}, lb);
    }
    const int acc_s = stream(g.region, lb);
    const int out_s = stream(y.addr[g.nb] + g.m0, lb);
    for (std::uint32_t r = 0; r < g.rows; ++r) {
      std::vector<VOp> c;
      int cur = sched_.new_value();
      c.push_back(vlda(cur, g.region + r, acc_s));
      if (bias >= 0) {
        const int v = sched_.new_value();
        c.push_back(vv(Op::vadd, v, cur, bias));
        cur = v;
      }
      if (op.relu) {
        const int v = sched_.new_value();
        c.push_back(vrelu(v, cur));
        cur = v;
      }
      const int q = sched_.new_value();
      c.push_back(mult >= 0 ? vv(Op::vrq, q, cur, mult, op.shift)
                            : vi(Op::vrq, q, cur, op.mult[0], op.shift));
      c.push_back(vst(q, y.bank[g.nb], y.addr[g.nb] + g.m0 + r, out_s));
      sched_.place_chain(c, 0, static_cast<int>(idx));
    }
    sched_.close_stream(acc_s);
    sched_.close_stream(out_s);
    if (bias >= 0) sched_.release(bias);
    if (mult >= 0) sched_.release(mult);
  }

  // True when column block j continues block j - 1 in the same bank (one address stream).
  static bool continues(const ActPlace& p, std::uint32_t j) {
    return j > 0 && p.bank[j] == p.bank[j - 1] && p.addr[j] == p.addr[j - 1] + p.rows;
  }

  void lower_eltwise(std::size_t idx) {
    const QOp& op = q_.ops[idx];
    const ActPlace& a = out_.act[static_cast<std::size_t>(op.a)];
    const ActPlace* b = op.b >= 0 ? &out_.act[static_cast<std::size_t>(op.b)] : nullptr;
    const ActPlace& y = out_.act[static_cast<std::size_t>(op.out)];
    int sa = -1, sb = -1, sy = -1;
    for (std::uint32_t j = 0; j < y.cblocks; ++j) {
      // Address streams: one per operand, continued across column blocks when they are
      // consecutive in memory.
      std::int64_t lb = sched_.word_ready(a.bank[j], a.addr[j]);
      if (b) lb = std::max(lb, sched_.word_ready(b->bank[j], b->addr[j]));
      lb = std::max<std::int64_t>(0, lb - 8);
      if (!continues(a, j)) {
        sched_.close_stream(sa);
        sa = stream(a.addr[j], lb);
      }
      if (b && !continues(*b, j)) {
        sched_.close_stream(sb);
        sb = stream(b->addr[j], lb);
      }
      if (!continues(y, j)) {
        sched_.close_stream(sy);
        sy = stream(y.addr[j], lb);
      }
      for (std::uint32_t r = 0; r < y.rows; ++r) {
        std::vector<VOp> c;
        const int va = sched_.new_value();
        c.push_back(vld(va, a.bank[j], a.addr[j] + r, sa));
        int vb = -1;
        if (b) {
          vb = sched_.new_value();
          c.push_back(vld(vb, b->bank[j], b->addr[j] + r, sb));
        }
        int res = -1;
        switch (op.kind) {
          case QOpKind::add: {
            const int ta = sched_.new_value(), tb = sched_.new_value(), s = sched_.new_value();
            c.push_back(vi(Op::vmul, ta, va, op.mult[0]));
            c.push_back(vi(Op::vmul, tb, vb, op.mult[1]));
            c.push_back(vv(Op::vadd, s, ta, tb));
            int cur = s;
            if (op.relu) {
              cur = sched_.new_value();
              c.push_back(vrelu(cur, s));
            }
            res = sched_.new_value();
            c.push_back(vi(Op::vrq, res, cur, 1, op.shift));
            break;
          }
          case QOpKind::mul: {
            const int p = sched_.new_value();
            c.push_back(vv(Op::vmul, p, va, vb));
            res = sched_.new_value();
            c.push_back(vi(Op::vrq, res, p, op.mult[0], op.shift));
            break;
          }
          case QOpKind::relu:
            res = sched_.new_value();
            c.push_back(vrelu(res, va));
            break;
          case QOpKind::requant:
            res = sched_.new_value();
            c.push_back(vi(Op::vrq, res, va, op.mult[0], op.shift));
            break;
          case QOpKind::matmul:
            throw Error("internal: matmul in lower_eltwise");
        }
        c.push_back(vst(res, y.bank[j], y.addr[j] + r, sy));
        sched_.place_chain(c, 0, static_cast<int>(idx));
      }
    }
    sched_.close_stream(sa);
    sched_.close_stream(sb);
    sched_.close_stream(sy);
  }

  const QGraph& q_;
  const Config& cfg_;
  const unsigned L_;
  const bool roll_;
  Scheduler sched_;
  Lowered out_;
  std::vector<std::uint32_t> used_;  // words taken per bank
  std::vector<WeightPlace> wplace_;  // per op
  std::vector<std::uint32_t> bias_entry_, mult_entry_;
  std::uint32_t acc_top_ = 0;  // ACC entries below the constants
  std::uint32_t acc_ptr_ = 0;
  unsigned buf_ = 0;
};

}  // namespace

Lowered lower(const QGraph& q, const Config& cfg, bool roll) { return Lowerer(q, cfg, roll).run(); }

}  // namespace lpu::compiler::detail
