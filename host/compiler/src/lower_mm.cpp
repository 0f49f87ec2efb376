// Lowering of matmul/linear (MXU streams and epilogues) and of the element-wise ops, and the
// helpers shared by every vector lowering (docs/compiler.md "Lowering").
#include <algorithm>

#include "lower_impl.hpp"
#include "lpu/error.hpp"
#include "vops.hpp"

namespace lpu::compiler::detail {

using namespace vops;

// With loop rolling, row accesses go through post-incremented address registers so that
// consecutive rows are the same instruction words; without, they use immediates.
int Lowerer::stream(std::uint32_t first, std::int64_t lb) {
  return opt_.roll ? sched_.open_stream(first, lb) : -1;
}

int Lowerer::load_const(std::uint32_t entry, std::int64_t lb) {
  const int val = sched_.new_value(true);
  sched_.place_chain({vlda(val, entry)}, lb);
  return val;
}

int Lowerer::recip_chain(std::vector<VOp>& c, const RecipFn& f, int t, bool open_result) {
  // ne = number of thresholds above T (vclt per threshold vector, summed over lanes).
  int ne = -1;
  for (const auto& thr : thr_vectors(f)) {
    const int tv = sched_.new_value();
    c.push_back(vlda(tv, acc_const(thr)));
    const int lt = sched_.new_value(), cnt = sched_.new_value();
    c.push_back(vv(Op::vclt, lt, t, tv));
    c.push_back(v1(Op::vredsum, cnt, lt));
    if (ne < 0) {
      ne = cnt;
    } else {
      const int s = sched_.new_value();
      c.push_back(vv(Op::vadd, s, ne, cnt));
      ne = s;
    }
  }
  if (ne < 0) {  // a single bucket: no threshold, ne = 0
    ne = sched_.new_value();
    VOp z = vop(Op::vmov);
    z.dst = ne;
    z.in.set(Field::bmode, 2);
    z.in.set(Field::imm16, 0);
    c.push_back(z);
  }
  int up = ne;
  if (f.sqrt) {
    up = sched_.new_value();
    c.push_back(vv(Op::vadd, up, ne, ne));
  }
  const int u = sched_.new_value(), m = sched_.new_value(), g = sched_.new_value();
  c.push_back(vv(Op::vshl, u, t, up));
  c.push_back(vi(Op::vsrl, m, u, static_cast<std::int32_t>(f.pre)));
  c.push_back(vlut(g, m,
                   static_cast<std::int32_t>(lut_off_[static_cast<std::size_t>(f.lut)]) -
                       static_cast<std::int32_t>(f.base)));
  const int gg = sched_.new_value(open_result);
  c.push_back(vv(Op::vshl, gg, g, ne));
  return gg;
}

void Lowerer::mxu_tile(std::uint32_t w_bank, std::uint32_t w_addr, std::uint32_t w_tracked,
                       bool first, std::uint32_t a_bank, std::uint32_t a_addr, std::uint32_t rows,
                       std::uint32_t acc) {
  MxuOp w;
  w.op = Op::mlw;
  w.buf = buf_;
  w.bank = w_bank;
  w.addr = w_addr;
  w.tracked_rows = w_tracked;
  sched_.place_mxu(w);
  MxuOp s;
  s.op = first ? Op::mm : Op::mma;
  s.bank = a_bank;
  s.addr = a_addr;
  s.count = rows;
  s.tracked_rows = rows;
  s.acc = acc;
  s.buf = buf_;
  sched_.place_mxu(s);
  buf_ ^= 1u;
}

void Lowerer::lower_matmul(std::size_t idx) {
  if (lower_matmul_loop(idx)) return;
  const QOp& op = q_.ops[idx];
  const ActPlace& a = act(op.a);
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
        if (op.b < 0) {  // constants: never written
          mxu_tile(wplace_[idx].bank[nb], wplace_[idx].addr[nb] + kb * L_, 0, kb == 0, a.bank[kb],
                   a.addr[kb] + g.m0, g.rows, g.region);
        } else {
          const ActPlace& b = act(op.b);
          mxu_tile(b.bank[nb], b.addr[nb] + kb * L_,
                   b.rows > kb * L_ ? std::min(L_, b.rows - kb * L_) : 0, kb == 0, a.bank[kb],
                   a.addr[kb] + g.m0, g.rows, g.region);
        }
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
void Lowerer::epilogue(std::size_t idx, const Group& g) {
  const QOp& op = q_.ops[idx];
  const ActPlace& y = act(op.out);
  const std::int64_t lb = std::max<std::int64_t>(0, sched_.acc_ready(g.region) - cfg_.vlat - 2);
  int bias = -1, mult = -1;
  if (!op.bias.empty()) bias = load_const(bias_run_[idx] + g.nb, lb);
  if (op.mult.size() > 1) mult = load_const(mult_run_[idx] + g.nb, lb);
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
      c.push_back(v1(Op::vrelu, v, cur));
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

namespace {

// True when column block j continues block j - 1 in the same bank (one address stream).
bool continues(const ActPlace& p, std::uint32_t j) {
  return j > 0 && p.bank[j] == p.bank[j - 1] && p.addr[j] == p.addr[j - 1] + p.rows;
}

}  // namespace

void Lowerer::lower_eltwise(std::size_t idx) {
  const QOp& op = q_.ops[idx];
  const ActPlace& a = act(op.a);
  const ActPlace* b = op.b >= 0 ? &act(op.b) : nullptr;
  const ActPlace& y = act(op.out);
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
            c.push_back(v1(Op::vrelu, cur, s));
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
          c.push_back(v1(Op::vrelu, res, va));
          break;
        case QOpKind::requant:
          res = sched_.new_value();
          c.push_back(vi(Op::vrq, res, va, op.mult[0], op.shift));
          break;
        default:
          throw Error("internal: not an element-wise op");
      }
      c.push_back(vst(res, y.bank[j], y.addr[j] + r, sy));
      sched_.place_chain(c, 0, static_cast<int>(idx));
    }
  }
  sched_.close_stream(sa);
  sched_.close_stream(sb);
  sched_.close_stream(sy);
}

}  // namespace lpu::compiler::detail
