// Lowering of attention_decode (docs/compiler.md "Attention"): the step's k and v rows go
// into the caches at the run-time position, the key cache is transposed into MXU weight
// tiles (block by block with vtr), scores and the weighted sum of v run on the MXU, and the
// causal softmax masks positions beyond the position at run time, so one program (with one
// cycle count) serves every position.
#include <algorithm>

#include "lower_impl.hpp"
#include "lpu/error.hpp"
#include "vops.hpp"

namespace lpu::compiler::detail {

using namespace vops;

void Lowerer::lower_attention(std::size_t idx) {
  const QOp& op = q_.ops[idx];
  const QTensor& kct = tensor(op.kc);
  const ActPlace& q = act(op.a);
  const ActPlace& k = act(op.b);
  const ActPlace& v = act(op.c);
  const ActPlace& kc = act(op.kc);
  const ActPlace& vc = act(op.vc);
  const ActPlace& pos = act(op.pos);
  const ActPlace& y = act(op.out);
  const AttnPlace& ap = attn_[idx];
  const std::uint32_t t = kct.rows, d = kct.cols;
  const std::uint32_t dh = d / op.heads;
  if (dh % L_ != 0 || t % L_ != 0) {
    throw Error("attention '" + op.node + "': the head size (" + std::to_string(dh) +
                ") and the cache length (" + std::to_string(t) + ") must be multiples of " +
                std::to_string(L_) + " on the '" + std::string(cfg_.name) + "' chip");
  }
  const std::uint32_t cb = d / L_, hb = dh / L_, tb = t / L_;

  // The position: in a scalar register (cache row), its block start (transposes) and
  // broadcast over the lanes (masks).
  const int vp = sched_.new_value(), vb = sched_.new_value(), vpos = sched_.new_value(true);
  sched_.place_chain({vld(vp, pos.bank[0], pos.addr[0], -1, true), vext(kRegPos, vp, 0),
                      vi(Op::vand, vb, vp, -static_cast<std::int32_t>(L_)), vext(kRegBlock, vb, 0),
                      vbcast(vpos, vp, 0)});

  // Every key tile transposed as the cache stands (in the background, early) ...
  for (std::uint32_t kb = 0; kb < cb; ++kb) {
    for (std::uint32_t pb = 0; pb < tb; ++pb) {
      VtrOp tr;
      tr.src_bank = kc.bank[kb];
      tr.src_addr = kc.addr[kb] + pb * L_;
      tr.dst_bank = ap.kt_bank;
      tr.dst_addr = ap.kt_addr + kb * t + pb * L_;
      sched_.place_vtr(tr);
    }
  }
  // ... this step's k and v rows appended at the position ...
  for (const auto& [src, dst] : {std::pair<const ActPlace*, const ActPlace*>{&k, &kc}, {&v, &vc}}) {
    for (std::uint32_t j = 0; j < cb; ++j) {
      const int x = sched_.new_value();
      VOp st = vst(x, dst->bank[j], dst->addr[j]);
      st.in.set(Field::ra, kRegPos);
      st.sreg_r = static_cast<int>(kRegPos);
      st.range = t;
      sched_.place_chain({vld(x, src->bank[j], src->addr[j]), st});
    }
  }
  // ... and the tiles holding the position transposed again.
  for (std::uint32_t kb = 0; kb < cb; ++kb) {
    sched_.place_chain({addi(kRegSrc, kRegBlock, static_cast<std::int32_t>(kc.addr[kb])),
                        addi(kRegDst, kRegBlock, static_cast<std::int32_t>(ap.kt_addr + kb * t))});
    VtrOp tr;
    tr.src_bank = kc.bank[kb];
    tr.src_addr = kc.addr[kb];
    tr.src_range = t;
    tr.dst_bank = ap.kt_bank;
    tr.dst_addr = ap.kt_addr + kb * t;
    tr.dst_range = t;
    tr.sreg_src = static_cast<int>(kRegSrc);
    tr.sreg_dst = static_cast<int>(kRegDst);
    sched_.place_vtr(tr);
  }
  // Causal masks: 2^30 in the lanes of positions after pos (subtracted from the scores),
  // kept in registers when there are enough, else made again for every use.
  const bool keep_masks = tb + 6 <= cfg_.vregs;
  auto mask = [&](std::vector<VOp>& c, std::uint32_t pb, bool open) {
    const int jv = sched_.new_value(), lt = sched_.new_value(), mk = sched_.new_value(open);
    c.push_back(vlda(jv, acc_const(positions(pb))));
    c.push_back(vv(Op::vclt, lt, vpos, jv));
    c.push_back(vi(Op::vshl, mk, lt, 30));
    return mk;
  };
  std::vector<int> masks;
  for (std::uint32_t pb = 0; pb < tb && keep_masks; ++pb) {
    std::vector<VOp> c;
    masks.push_back(mask(c, pb, true));
    sched_.place_chain(c);
  }
  if (keep_masks) sched_.release(vpos);
  // Scores: q_h (one row) times the transposed key tiles, one ACC entry per position block.
  std::vector<std::uint32_t> scores(op.heads);
  for (std::uint32_t h = 0; h < op.heads; ++h) {
    scores[h] = alloc_region(tb);
    for (std::uint32_t pb = 0; pb < tb; ++pb) {
      for (std::uint32_t i = 0; i < hb; ++i) {
        const std::uint32_t kb = h * hb + i;
        mxu_tile(ap.kt_bank, ap.kt_addr + kb * t + pb * L_, L_, i == 0, q.bank[kb], q.addr[kb], 1,
                 scores[h] + pb);
      }
    }
  }
  // Softmax per head into int8 probabilities (scale 1/127).
  for (std::uint32_t h = 0; h < op.heads; ++h) {
    auto load = [&](std::vector<VOp>& c, std::uint32_t pb) {
      const int s = sched_.new_value(), sm = sched_.new_value();
      c.push_back(vlda(s, scores[h] + pb));
      c.push_back(vv(Op::vsub, sm, s, keep_masks ? masks[pb] : mask(c, pb, false)));
      return sm;
    };
    auto store = [&](std::vector<VOp>& c, int p, std::uint32_t pb) {
      c.push_back(vst(p, ap.p_bank, ap.p_addr + h * tb + pb));
    };
    softmax_blocks(op.sm, tb, load, store, keep_masks ? tb : 1);
  }
  for (int mk : masks) sched_.release(mk);
  if (!keep_masks) sched_.release(vpos);
  // out_h = p_h (one row of T) times the value cache tiles, requantized.
  for (std::uint32_t h = 0; h < op.heads; ++h) {
    for (std::uint32_t i = 0; i < hb; ++i) {
      const std::uint32_t kb = h * hb + i;
      const std::uint32_t region = alloc_region(1);
      for (std::uint32_t pb = 0; pb < tb; ++pb) {
        mxu_tile(vc.bank[kb], vc.addr[kb] + pb * L_, L_, pb == 0, ap.p_bank,
                 ap.p_addr + h * tb + pb, 1, region);
      }
      const int a = sched_.new_value(), o = sched_.new_value();
      sched_.place_chain({vlda(a, region), vi(Op::vrq, o, a, op.mult[0], op.shift),
                          vst(o, y.bank[kb], y.addr[kb])});
    }
  }
}

}  // namespace lpu::compiler::detail
