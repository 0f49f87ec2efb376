// Lowering of embedding (vgather), the LUT activations, norms, softmax and reshape/transpose
// (docs/compiler.md "Lowering", "Fixed point").
#include <algorithm>
#include <functional>

#include "lower_impl.hpp"
#include "lpu/error.hpp"
#include "vops.hpp"

namespace lpu::compiler::detail {

using namespace vops;

namespace {

// Reduces values pairwise with `op` (vadd, vmax); returns the last value.
int tree(Scheduler& s, std::vector<VOp>& c, std::vector<int> vals, Op op) {
  while (vals.size() > 1) {
    std::vector<int> next;
    for (std::size_t i = 0; i + 1 < vals.size(); i += 2) {
      const int v = s.new_value();
      c.push_back(vv(op, v, vals[i], vals[i + 1]));
      next.push_back(v);
    }
    if (vals.size() % 2) next.push_back(vals.back());
    vals = std::move(next);
  }
  return vals[0];
}

}  // namespace

void Lowerer::lower_gather(std::size_t idx) {
  const QOp& op = q_.ops[idx];
  const QTensor& ids = tensor(op.a);
  const ActPlace& ip = act(op.a);
  const ActPlace& y = act(op.out);
  const WeightPlace& tp = wplace_[idx];
  for (std::uint32_t e = 0; e < y.rows; ++e) {
    const std::uint32_t col = e % ids.cols, row = e / ids.cols;
    std::vector<VOp> c;
    const int vi_ = sched_.new_value();
    c.push_back(vld(vi_, ip.bank[col / L_], ip.addr[col / L_] + row, -1, true));
    for (std::uint32_t j = 0; j < y.cblocks; ++j) {
      const int v = sched_.new_value();
      c.push_back(vgather(v, tp.bank[j], tp.addr[j], vi_, col % L_));
      c.push_back(vst(v, y.bank[j], y.addr[j] + e));
    }
    sched_.place_chain(c);
  }
}

void Lowerer::lower_lut(std::size_t idx) {
  const QOp& op = q_.ops[idx];
  const ActPlace& a = act(op.a);
  const ActPlace& y = act(op.out);
  const auto off = static_cast<std::int32_t>(lut_off_[static_cast<std::size_t>(op.table)]) + 128;
  for (std::uint32_t j = 0; j < y.cblocks; ++j) {
    for (std::uint32_t r = 0; r < y.rows; ++r) {
      const int x = sched_.new_value(), v = sched_.new_value();
      sched_.place_chain(
          {vld(x, a.bank[j], a.addr[j] + r), vlut(v, x, off), vst(v, y.bank[j], y.addr[j] + r)}, 0,
          static_cast<int>(idx));
    }
  }
}

void Lowerer::lower_norm(std::size_t idx) {
  const QOp& op = q_.ops[idx];
  const QTensor& at = tensor(op.a);
  const ActPlace& a = act(op.a);
  const ActPlace& y = act(op.out);
  const auto d = static_cast<std::int32_t>(at.cols);
  for (std::uint32_t r = 0; r < a.rows; ++r) {
    // Phase 1: sums over the row -> T -> G (and sum a for layer norm).
    std::vector<VOp> c;
    std::vector<int> qs, sqs;
    for (std::uint32_t j = 0; j < a.cblocks; ++j) {
      const int x = sched_.new_value(), sq = sched_.new_value();
      c.push_back(vld(x, a.bank[j], a.addr[j] + r));
      c.push_back(vv(Op::vmul, sq, x, x));
      qs.push_back(x);
      sqs.push_back(sq);
    }
    int s1 = -1;
    if (op.center) {
      s1 = sched_.new_value(true);
      c.push_back(v1(Op::vredsum, s1, tree(sched_, c, qs, Op::vadd)));
    }
    const int s2 = sched_.new_value();
    c.push_back(v1(Op::vredsum, s2, tree(sched_, c, sqs, Op::vadd)));
    int t = s2;
    if (op.center) {
      const int a2 = sched_.new_value(), b2 = sched_.new_value(), t0 = sched_.new_value();
      c.push_back(vi(Op::vmul, a2, s2, d));
      c.push_back(vv(Op::vmul, b2, s1, s1));
      c.push_back(vv(Op::vsub, t0, a2, b2));
      t = t0;
    }
    const int te = sched_.new_value();
    if (op.eint <= 32767) {
      c.push_back(vi(Op::vadd, te, t, op.eint));
    } else {
      const int ev = sched_.new_value();
      c.push_back(vlda(ev, acc_const(std::vector<std::int32_t>(L_, op.eint))));
      c.push_back(vv(Op::vadd, te, t, ev));
    }
    const int g = recip_chain(c, op.rsqrt, te, true);
    sched_.place_chain(c);
    // Phase 2: every column block scaled by its per-channel factors and G.
    for (std::uint32_t j = 0; j < a.cblocks; ++j) {
      std::vector<VOp> o;
      const int x = sched_.new_value();
      o.push_back(vld(x, a.bank[j], a.addr[j] + r));
      int dv = x;
      if (op.center) {
        const int xd = sched_.new_value();
        dv = sched_.new_value();
        o.push_back(vi(Op::vmul, xd, x, d));
        o.push_back(vv(Op::vsub, dv, xd, s1));
      }
      const int mv = sched_.new_value(), h = sched_.new_value(), res = sched_.new_value();
      o.push_back(vlda(mv, acc_const(block(op.mult, j))));
      o.push_back(vv(Op::vmul, h, dv, mv));
      if (op.beta.empty()) {
        o.push_back(vv(Op::vrq, res, h, g, op.shift));
      } else {
        const int z = sched_.new_value(), bv = sched_.new_value(), z2 = sched_.new_value();
        o.push_back(vv(Op::vmulsh, z, h, g, op.shift - op.frac));
        o.push_back(vlda(bv, acc_const(block(op.beta, j))));
        o.push_back(vv(Op::vadd, z2, z, bv));
        o.push_back(vi(Op::vrq, res, z2, 1, op.frac));
      }
      o.push_back(vst(res, y.bank[j], y.addr[j] + r));
      sched_.place_chain(o, 0, static_cast<int>(idx));
    }
    sched_.release(g);
    if (s1 >= 0) sched_.release(s1);
  }
}

// The softmax of one row of n blocks (docs/compiler.md "Fixed point"): `load` appends the
// instructions that bring block j's int32 values (masked lanes lowered by 2^30) into a value
// and returns it; `store` appends the store of block j's int8 probabilities.
void Lowerer::softmax_blocks(
    const SoftmaxQ& sm, std::uint32_t n,
    const std::function<int(std::vector<VOp>&, std::uint32_t)>& load,
    const std::function<void(std::vector<VOp>&, int, std::uint32_t)>& store, unsigned held) {
  const auto exp_off = static_cast<std::int32_t>(lut_off_[static_cast<std::size_t>(sm.exp_lut)]);
  auto expo = [&](std::vector<VOp>& c, int x, int mx) {
    const int dd = sched_.new_value(), ix = sched_.new_value(), e = sched_.new_value();
    c.push_back(vv(Op::vsub, dd, x, mx));
    c.push_back(vi(Op::vmulsh, ix, dd, sm.exp_mult, sm.exp_shift));
    c.push_back(vlut(e, ix, exp_off));
    return e;
  };
  auto out = [&](std::vector<VOp>& c, int e, int g, std::uint32_t j) {
    const int em = sched_.new_value(), p = sched_.new_value();
    c.push_back(vi(Op::vmul, em, e, sm.p_mult));
    c.push_back(vv(Op::vrq, p, em, g, sm.p_shift));
    store(c, p, j);
  };
  if (2 * n + 4 + held <= cfg_.vregs) {  // one chain: the row's values stay in registers
    std::vector<VOp> c;
    std::vector<int> xs, ms, es, zs;
    for (std::uint32_t j = 0; j < n; ++j) {
      xs.push_back(load(c, j));
      const int m = sched_.new_value();
      c.push_back(v1(Op::vredmax, m, xs.back()));
      ms.push_back(m);
    }
    const int mx = tree(sched_, c, ms, Op::vmax);
    for (std::uint32_t j = 0; j < n; ++j) {
      es.push_back(expo(c, xs[j], mx));
      const int z = sched_.new_value();
      c.push_back(v1(Op::vredsum, z, es.back()));
      zs.push_back(z);
    }
    const int g = recip_chain(c, sm.recip, tree(sched_, c, zs, Op::vadd), false);
    for (std::uint32_t j = 0; j < n; ++j) out(c, es[j], g, j);
    sched_.place_chain(c);
    return;
  }
  // Three passes, reloading the row: the max, then Z and G, then each block.
  std::vector<VOp> c1;
  std::vector<int> ms;
  for (std::uint32_t j = 0; j < n; ++j) {
    const int x = load(c1, j), m = sched_.new_value();
    c1.push_back(v1(Op::vredmax, m, x));
    ms.push_back(m);
  }
  const int mx0 = tree(sched_, c1, ms, Op::vmax);
  const int mx = sched_.new_value(true);
  c1.push_back(vi(Op::vadd, mx, mx0, 0));
  sched_.place_chain(c1);
  std::vector<VOp> c2;
  std::vector<int> zs;
  for (std::uint32_t j = 0; j < n; ++j) {
    const int e = expo(c2, load(c2, j), mx), z = sched_.new_value();
    c2.push_back(v1(Op::vredsum, z, e));
    zs.push_back(z);
  }
  const int g = recip_chain(c2, sm.recip, tree(sched_, c2, zs, Op::vadd), true);
  sched_.place_chain(c2);
  for (std::uint32_t j = 0; j < n; ++j) {
    std::vector<VOp> c3;
    out(c3, expo(c3, load(c3, j), mx), g, j);
    sched_.place_chain(c3);
  }
  sched_.release(mx);
  sched_.release(g);
}

void Lowerer::lower_softmax(std::size_t idx) {
  const QOp& op = q_.ops[idx];
  const QTensor& at = tensor(op.a);
  const ActPlace& a = act(op.a);
  const ActPlace& y = act(op.out);
  const bool pad = at.cols % L_ != 0;
  for (std::uint32_t r = 0; r < a.rows; ++r) {
    auto load = [&](std::vector<VOp>& c, std::uint32_t j) {
      const int x = sched_.new_value();
      c.push_back(vld(x, a.bank[j], a.addr[j] + r));
      if (!pad || j + 1 < a.cblocks) return x;
      const int mk = sched_.new_value(), xm = sched_.new_value();
      c.push_back(vlda(mk, acc_const(pad_mask(at.cols))));
      c.push_back(vv(Op::vadd, xm, x, mk));
      return xm;
    };
    auto store = [&](std::vector<VOp>& c, int p, std::uint32_t j) {
      c.push_back(vst(p, y.bank[j], y.addr[j] + r));
    };
    softmax_blocks(op.sm, a.cblocks, load, store, 0);
  }
}

void Lowerer::lower_copy(std::size_t idx) {
  const QOp& op = q_.ops[idx];
  const QTensor& at = tensor(op.a);
  const QTensor& yt = tensor(op.out);
  const ActPlace& a = act(op.a);
  const ActPlace& y = act(op.out);
  if (alias_of_[static_cast<std::size_t>(op.out)] == op.a) return;  // same memory
  if (op.k == 1) {
    // The last two dimensions swap: L x L block transposes per batch matrix.
    const std::uint32_t na = at.shape[at.shape.size() - 2], nb = at.shape.back();
    const std::uint32_t batches = at.rows / na;
    if (batches > 1 && (na % L_ != 0 || nb % L_ != 0)) {
      throw Error("transpose '" + op.node + "' of " + shape_str(at.shape) +
                  ": with leading dimensions, the last two must be multiples of " +
                  std::to_string(L_));
    }
    for (std::uint32_t n = 0; n < batches; ++n) {
      for (std::uint32_t cb = 0; cb < ceil_div(nb, L_); ++cb) {
        for (std::uint32_t rb = 0; rb < ceil_div(na, L_); ++rb) {
          VtrOp v;
          v.src_bank = a.bank[cb];
          v.src_addr = a.addr[cb] + n * na + rb * L_;
          v.dst_bank = y.bank[rb];
          v.dst_addr = y.addr[rb] + n * nb + cb * L_;
          sched_.place_vtr(v);
        }
      }
    }
    return;
  }
  // Whole words move: each output word comes from one input word, lane for lane.
  for (std::uint32_t j = 0; j < y.cblocks; ++j) {
    for (std::uint32_t r = 0; r < y.rows; ++r) {
      const std::size_t e = static_cast<std::size_t>(r) * yt.cols + j * L_;
      const std::uint32_t s = op.src[e];
      const std::uint32_t col = s % at.cols, row = s / at.cols;
      const std::uint32_t real = std::min(L_, yt.cols - j * L_);
      bool ok = col % L_ == 0 && real == std::min(L_, at.cols - col);
      for (std::uint32_t l = 1; l < real && ok; ++l) ok = op.src[e + l] == s + l;
      if (!ok) {
        throw Error("'" + op.node + "' from " + shape_str(at.shape) + " to " + shape_str(yt.shape) +
                    " moves elements within a row of " + std::to_string(L_) +
                    " lanes; supported are reshapes and transposes that move whole rows of "
                    "lanes (last dimension unchanged or a multiple of " +
                    std::to_string(L_) + ") and swaps of the last two dimensions");
      }
      const int v = sched_.new_value();
      sched_.place_chain(
          {vld(v, a.bank[col / L_], a.addr[col / L_] + row), vst(v, y.bank[j], y.addr[j] + r)}, 0,
          static_cast<int>(idx));
    }
  }
}

}  // namespace lpu::compiler::detail
