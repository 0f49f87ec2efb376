// Matmuls as hardware loops (docs/compiler.md "Loop regions"): for a constant weight matrix
// streamed a few rows at a time, every column block repeats the same instructions at the same
// relative cycles (weight loads every 18 cycles, alternating buffers), so the blocks become
// the iterations of one loopi body: the weight tiles, the streams and the epilogue of an
// earlier block, addressed through registers that step from iteration to iteration.
#include <algorithm>

#include "lower_impl.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::detail {

namespace {

constexpr std::uint32_t kMaxLoopRows = 8;

bool contiguous(const ActPlace& p, std::uint32_t stride) {
  for (std::uint32_t j = 1; j < p.cblocks; ++j) {
    if (p.bank[j] != p.bank[0] || p.addr[j] != p.addr[0] + j * stride) return false;
  }
  return true;
}

}  // namespace

bool Lowerer::loop_candidate(std::size_t idx) const {
  const QOp& op = q_.ops[idx];
  if (!opt_.loops || cfg_.sram_dual_port == 0 || op.kind != QOpKind::matmul || op.b >= 0)
    return false;
  const std::uint32_t kb = ceil_div(op.k, L_), nb = ceil_div(op.n, L_);
  const std::uint32_t rows = tensor(op.a).rows;
  return kb % 2 == 0 && nb >= 3 && rows <= kMaxLoopRows;
}

bool Lowerer::lower_matmul_loop(std::size_t idx) {
  const QOp& op = q_.ops[idx];
  const ActPlace& a = act(op.a);
  const ActPlace& y = act(op.out);
  const WeightPlace& wp = wplace_[idx];
  const std::uint32_t kb_n = ceil_div(op.k, L_), nb_n = ceil_div(op.n, L_), m = a.rows;
  const std::uint32_t chunk = wchunk_[idx];
  if (!loop_candidate(idx) || chunk < 3 || !contiguous(a, a.rows) || !contiguous(y, y.rows) ||
      static_cast<std::size_t>(nb_n) * m > acc_top_)
    return false;
  const std::int64_t vlat = cfg_.vlat, lat = cfg_.mxu_lat;

  // Steady-state timing of weight loads (a) and streams (b) over four blocks.
  const std::uint32_t g_n = 4 * kb_n;
  std::vector<std::int64_t> ta(g_n), tb(g_n);
  std::vector<bool> used;
  auto first_free = [&](std::int64_t x) {
    for (;; ++x) {
      if (static_cast<std::size_t>(x) >= used.size())
        used.resize(static_cast<std::size_t>(x) + 64, false);
      if (!used[static_cast<std::size_t>(x)]) return x;
    }
  };
  for (std::uint32_t g = 0; g < g_n; ++g) {
    std::int64_t x = g == 0 ? 0 : ta[g - 1] + cfg_.mlw_busy;
    if (g >= 2) x = std::max<std::int64_t>(x, tb[g - 2] + m + cfg_.wbuf_release);
    ta[g] = first_free(x);
    used[static_cast<std::size_t>(ta[g])] = true;
    std::int64_t y0 = ta[g] + cfg_.mlw_ready;
    if (g) y0 = std::max<std::int64_t>(y0, tb[g - 1] + m);
    tb[g] = first_free(y0);
    used[static_cast<std::size_t>(tb[g])] = true;
  }
  const std::int64_t base = ta[2 * kb_n], period = ta[3 * kb_n] - base;
  std::vector<std::int64_t> al(kb_n), bl(kb_n);
  for (std::uint32_t i = 0; i < kb_n; ++i) {
    al[i] = ta[2 * kb_n + i] - base;
    bl[i] = tb[2 * kb_n + i] - base;
    if (ta[3 * kb_n + i] - ta[2 * kb_n + i] != period ||
        tb[3 * kb_n + i] - tb[2 * kb_n + i] != period || bl[i] >= period)
      return false;  // not periodic within one block
  }

  Region r;
  r.period = period;
  std::vector<bool> slot(static_cast<std::size_t>(period), false);
  for (std::uint32_t i = 0; i < kb_n; ++i)
    slot[static_cast<std::size_t>(al[i])] = slot[static_cast<std::size_t>(bl[i])] = true;
  // Scalar registers: weights W, accumulators C, activations (one per block when few).
  const bool act_regs = kb_n <= 4;
  auto sreg = [&](std::int64_t init) {
    r.sinit.push_back(init);
    return static_cast<int>(r.sinit.size() - 1);
  };
  // A free slot at or after natural time x (and before `before`), as (offset, wrapped).
  auto claim = [&](std::int64_t x, std::int64_t before, std::int64_t& off) {
    for (; x < before; ++x) {
      const auto s = static_cast<std::size_t>(((x % period) + period) % period);
      if (!slot[s]) {
        slot[s] = true;
        off = static_cast<std::int64_t>(s);
        return x >= period ? 1 : 0;
      }
    }
    return -1;
  };
  const std::uint32_t lag_max = 3;
  // The epilogue of block (this one - lag) fits in the body once its rows are in ACC.
  std::uint32_t lag = 0;
  struct Epi {
    std::int64_t b = -1, mv = -1;
    std::vector<std::int64_t> lda, add, relu, rq, st;
  } epi;
  for (std::uint32_t l = 1; l <= lag_max && !lag; ++l) {
    std::vector<bool> s2 = slot;
    auto put = [&](std::int64_t x) -> std::int64_t {
      for (; x < period; ++x) {
        if (!s2[static_cast<std::size_t>(x)]) {
          s2[static_cast<std::size_t>(x)] = true;
          return x;
        }
      }
      return -1;
    };
    Epi e;
    bool ok = true;
    if (!op.bias.empty()) ok = (e.b = put(0)) >= 0;
    if (ok && op.mult.size() > 1) ok = (e.mv = put(0)) >= 0;
    // Last read of each reused register (v_a, v_s, v_r, v_q) by the previous row: a new
    // write of it lands at issue + vlat - 1 and must not come before that read.
    std::int64_t last_a = -vlat, last_s = -vlat, last_r = -vlat, last_q = -vlat;
    for (std::uint32_t row = 0; row < m && ok; ++row) {
      const std::int64_t ready =
          bl[kb_n - 1] - static_cast<std::int64_t>(l) * period + 2 + row + lat;
      const std::int64_t t_lda = put(std::max({ready, std::int64_t{0}, last_a - vlat + 1}));
      ok = t_lda >= 0;
      std::int64_t cur = t_lda, t_add = -1, t_relu = -1, t_rq = -1, t_st = -1;
      std::int64_t* reader = &last_a;  // who reads the current value
      if (ok && e.b >= 0) {
        t_add = put(std::max({cur + vlat, e.b + vlat, last_s - vlat + 1}));
        ok = t_add >= 0;
        *reader = t_add;
        reader = &last_s;
        cur = t_add;
      }
      if (ok && op.relu) {
        t_relu = put(std::max(cur + vlat, last_r - vlat + 1));
        ok = t_relu >= 0;
        *reader = t_relu;
        reader = &last_r;
        cur = t_relu;
      }
      if (ok) {
        std::int64_t x = std::max(cur + vlat, last_q - vlat + 1);
        if (e.mv >= 0) x = std::max(x, e.mv + vlat);
        t_rq = put(x);
        ok = t_rq >= 0;
        *reader = t_rq;
      }
      if (ok) {
        t_st = put(t_rq + vlat);
        ok = t_st >= 0;
        last_q = t_st;
      }
      e.lda.push_back(t_lda);
      e.add.push_back(t_add);
      e.relu.push_back(t_relu);
      e.rq.push_back(t_rq);
      e.st.push_back(t_st);
    }
    if (ok) {
      lag = l;
      epi = e;
      slot = s2;
    }
  }
  if (!lag) return false;
  const unsigned buf0 = buf_;
  // Registers and addresses for the run starting at block 0; each run adds its offset.
  const std::uint32_t acc_base = 0;  // relative: each run adds the op's ACC region
  const int rw = sreg(wp.addr[lag]);
  const int rc = sreg(acc_base + static_cast<std::int64_t>(lag) * m);
  std::vector<int> ra;
  if (act_regs) {
    for (std::uint32_t i = 0; i < kb_n; ++i) ra.push_back(sreg(a.addr[0] + i * a.rows));
  } else {
    ra.push_back(sreg(a.addr[0]));
  }
  auto addi = [&](int reg, std::int64_t imm, std::int64_t off) {
    RegionOp o;
    o.in.op = Op::addi;
    o.in.set(Field::imm32, imm);
    o.sd = reg;
    o.sa = reg;
    o.off = off;
    r.body.push_back(o);
  };
  for (std::uint32_t i = 0; i < kb_n; ++i) {
    const unsigned buf = buf0 ^ (i & 1u);
    RegionOp w;
    w.kind = RegionOp::Kind::mlw;
    w.in.op = Op::mlw;
    w.in.set(Field::bank, wp.bank[0]);
    w.in.set(Field::sh, buf);
    w.in.set(Field::stride, 1);
    w.sa = rw;
    w.off = al[i];
    w.bank = wp.bank[0];
    w.buf = buf;
    r.body.push_back(w);
    std::int64_t off = 0;
    const std::int64_t next_mlw = i + 1 < kb_n ? al[i + 1] : al[0] + period;
    const int wrap = claim(al[i] + 1, next_mlw, off);
    if (wrap < 0) return false;
    if (wrap) r.sinit[static_cast<std::size_t>(rw)] -= L_;
    addi(rw, L_, off);
    RegionOp s;
    s.kind = RegionOp::Kind::mm;
    s.in.op = i == 0 ? Op::mm : Op::mma;
    s.in.set(Field::bank, a.bank[0]);
    s.in.set(Field::count, m);
    s.in.set(Field::sh, buf);
    s.in.set(Field::stride, 1);
    s.in.set(Field::dstride, 1);
    s.sa = act_regs ? ra[i] : ra[0];
    s.sb = rc;
    s.off = bl[i];
    s.bank = a.bank[0];
    s.addr = a.addr[0] + i * a.rows;
    s.step = 0;
    s.acc = acc_base + static_cast<std::int64_t>(lag) * m;
    s.acc_step = m;
    s.count = m;
    s.buf = buf;
    r.body.push_back(s);
    const std::int64_t next_mm = i + 1 < kb_n ? bl[i + 1] : bl[0] + period;
    if (!act_regs) {
      const std::int64_t inc =
          i + 1 < kb_n ? a.rows : -static_cast<std::int64_t>(kb_n - 1) * a.rows;
      const int wr2 = claim(bl[i] + 1, next_mm, off);
      if (wr2 < 0) return false;
      if (wr2) r.sinit[static_cast<std::size_t>(ra[0])] -= inc;
      addi(ra[0], inc, off);
    }
  }
  {
    std::int64_t off = 0;
    const int wrap = claim(bl[kb_n - 1] + 1, bl[0] + period, off);
    if (wrap < 0) return false;
    if (wrap) r.sinit[static_cast<std::size_t>(rc)] -= m;
    addi(rc, m, off);
  }
  // The epilogue of block k (loop iteration k) through post-incremented pointers.
  const int re = sreg(acc_base);
  const int rb = op.bias.empty() ? -1 : sreg(bias_run_[idx]);
  const int rm = op.mult.size() > 1 ? sreg(mult_run_[idx]) : -1;
  const int ro = sreg(y.addr[0]);
  const int v_b = 0, v_m = 1, v_a = 2, v_s = 3, v_r = 4, v_q = 5;
  r.nvregs = 6;
  auto vload = [&](int vd, int sreg_ptr, std::int64_t acc, std::int64_t step, std::int64_t off) {
    RegionOp o;
    o.kind = RegionOp::Kind::vlda;
    o.in.op = Op::vlda;
    o.in.set(Field::stride, 1);
    o.vd = vd;
    o.sa = sreg_ptr;
    o.acc = acc;
    o.acc_step = step;
    o.off = off;
    r.body.push_back(o);
  };
  auto vec = [&](Op opc, int vd, int va, int vb, std::int32_t imm, unsigned sh, std::int64_t off) {
    RegionOp o;
    o.kind = RegionOp::Kind::vector;
    o.in.op = opc;
    if (opc != Op::vrelu) o.in.set(Field::bmode, vb >= 0 ? 0 : 2);
    if (vb < 0 && opc != Op::vrelu) o.in.set(Field::imm16, imm);
    if (sh) o.in.set(Field::sh, sh);
    o.vd = vd;
    o.va = va;
    o.vb = vb;
    o.off = off;
    r.body.push_back(o);
  };
  if (rb >= 0) vload(v_b, rb, bias_run_[idx], 1, epi.b);
  if (rm >= 0) vload(v_m, rm, mult_run_[idx], 1, epi.mv);
  for (std::uint32_t row = 0; row < m; ++row) {
    vload(v_a, re, acc_base + row, m, epi.lda[row]);
    int cur = v_a;
    if (rb >= 0) {
      vec(Op::vadd, v_s, v_a, v_b, 0, 0, epi.add[row]);
      cur = v_s;
    }
    if (op.relu) {
      vec(Op::vrelu, v_r, cur, -1, 0, 0, epi.relu[row]);
      cur = v_r;
    }
    vec(Op::vrq, v_q, cur, rm >= 0 ? v_m : -1, op.mult[0], op.shift, epi.rq[row]);
    RegionOp st;
    st.kind = RegionOp::Kind::vst;
    st.in.op = Op::vst;
    st.in.set(Field::bank, y.bank[0]);
    st.in.set(Field::stride, 1);
    st.vs = v_q;
    st.sa = ro;
    st.bank = y.bank[0];
    st.addr = y.addr[0] + row;
    st.step = m;
    st.off = epi.st[row];
    r.body.push_back(st);
  }

  const std::uint32_t acc_abs = alloc_region(nb_n * m);
  auto straight = [&](std::uint32_t nb) {
    for (std::uint32_t i = 0; i < kb_n; ++i) {
      mxu_tile(wp.bank[nb], wp.addr[nb] + i * L_, 0, i == 0, a.bank[i], a.addr[i], m,
               acc_abs + nb * m);
    }
  };
  // Per run of column blocks in one bank: blocks c0 .. c0 + lag - 1 stream before the loop
  // (their epilogues run in it), the loop streams the rest, the last `lag` epilogues follow.
  for (std::uint32_t c0 = 0; c0 < nb_n; c0 += chunk) {
    const std::uint32_t c1 = std::min(nb_n, c0 + chunk);
    if (c1 - c0 < lag + 2) {
      for (std::uint32_t nb = c0; nb < c1; ++nb) {
        straight(nb);
        epilogue(idx, Group{0, m, nb, acc_abs + nb * m});
      }
      continue;
    }
    Region reg = r;
    reg.trips = c1 - c0 - lag;
    reg.sinit[static_cast<std::size_t>(rw)] += wp.addr[c0 + lag] - wp.addr[lag];
    reg.sinit[static_cast<std::size_t>(rc)] += acc_abs + static_cast<std::int64_t>(c0) * m;
    reg.sinit[static_cast<std::size_t>(re)] += acc_abs + static_cast<std::int64_t>(c0) * m;
    if (rb >= 0) reg.sinit[static_cast<std::size_t>(rb)] += c0;
    if (rm >= 0) reg.sinit[static_cast<std::size_t>(rm)] += c0;
    reg.sinit[static_cast<std::size_t>(ro)] += static_cast<std::int64_t>(c0) * m;
    for (RegionOp& o : reg.body) {
      if (o.kind == RegionOp::Kind::mlw) {
        o.bank = wp.bank[c0];
        o.in.set(Field::bank, wp.bank[c0]);
      }
      const bool result =
          o.kind == RegionOp::Kind::mm || (o.kind == RegionOp::Kind::vlda && o.sa == re);
      if (result) o.acc += acc_abs;
      if (o.kind == RegionOp::Kind::mm || o.kind == RegionOp::Kind::vlda)
        o.acc += static_cast<std::int64_t>(o.acc_step) * c0;
      if (o.kind == RegionOp::Kind::vst) o.addr += static_cast<std::int64_t>(c0) * m;
    }
    for (std::uint32_t nb = c0; nb < c0 + lag; ++nb) straight(nb);
    if (!sched_.place_region(reg)) {
      // No registers for the loop: the remaining blocks as straight-line code.
      for (std::uint32_t nb = c0 + lag; nb < c1; ++nb) {
        straight(nb);
        epilogue(idx, Group{0, m, nb - lag, acc_abs + (nb - lag) * m});
      }
    }
    for (std::uint32_t nb = c1 - lag; nb < c1; ++nb)
      epilogue(idx, Group{0, m, nb, acc_abs + nb * m});
  }
  return true;
}

}  // namespace lpu::compiler::detail
