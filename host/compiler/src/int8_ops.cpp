// The bit-exact int8 reference of gather, lut, norm, softmax, copy and attention (plain
// loops over the integer recipes of quant.hpp; no code shared with the code generator).
#include "int8_ops.hpp"

#include <algorithm>

#include "fixed.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::detail {

namespace {

using Vec = std::vector<std::int8_t>;

// Softmax of one vector of int32 scores (masked entries already lowered by 2^30) into
// int8 probabilities.
void softmax_row(const QGraph& q, const SoftmaxQ& sm, const std::vector<std::int32_t>& s,
                 std::int8_t* out) {
  std::int32_t mx = INT32_MIN;
  for (std::int32_t v : s) mx = std::max(mx, v);
  const std::vector<std::int16_t>& et = q.luts[static_cast<std::size_t>(sm.exp_lut)].v;
  std::vector<std::int32_t> e(s.size());
  std::int32_t z = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::int32_t d = wrap32(std::int64_t{s[i]} - mx);
    const std::int32_t idx = sat32(round_shift(std::int64_t{d} * sm.exp_mult, sm.exp_shift));
    e[i] = idx >= 0 && static_cast<std::uint32_t>(idx) < sm.exp_n
               ? et[static_cast<std::size_t>(idx)]
               : 0;
    z = wrap32(std::int64_t{z} + e[i]);
  }
  const std::int32_t g = recip_g(sm.recip, z, q.luts[static_cast<std::size_t>(sm.recip.lut)].v);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::int32_t em = wrap32(std::int64_t{e[i]} * sm.p_mult);
    out[i] = sat8(round_shift(std::int64_t{em} * g, sm.p_shift));
  }
}

void norm(const QGraph& q, const QOp& op, const Vec& a, Vec& y) {
  const QTensor& t = q.tensors[static_cast<std::size_t>(op.a)];
  const std::uint32_t d = t.cols;
  const std::vector<std::int16_t>& table = q.luts[static_cast<std::size_t>(op.rsqrt.lut)].v;
  for (std::uint32_t r = 0; r < t.rows; ++r) {
    const std::int8_t* x = &a[static_cast<std::size_t>(r) * d];
    std::int32_t s1 = 0, s2 = 0;
    for (std::uint32_t j = 0; j < d; ++j) {
      s1 += x[j];
      s2 += std::int32_t{x[j]} * x[j];
    }
    const std::int32_t tt = op.center
                                ? wrap32(std::int64_t{s2} * d - std::int64_t{s1} * s1 + op.eint)
                                : wrap32(std::int64_t{s2} + op.eint);
    const std::int32_t g = recip_g(op.rsqrt, tt, table);
    for (std::uint32_t j = 0; j < d; ++j) {
      const std::int32_t dj = op.center ? wrap32(std::int64_t{x[j]} * d - s1) : x[j];
      const std::int32_t h = wrap32(std::int64_t{dj} * op.mult[j]);
      std::int8_t out;
      if (op.beta.empty()) {
        out = sat8(round_shift(std::int64_t{h} * g, op.shift));
      } else {
        const std::int32_t z = sat32(round_shift(std::int64_t{h} * g, op.shift - op.frac));
        out = sat8(round_shift(wrap32(std::int64_t{z} + op.beta[j]), op.frac));
      }
      y[static_cast<std::size_t>(r) * d + j] = out;
    }
  }
}

void attention(const QGraph& q, const QOp& op, QTensorMap& v, Vec& y) {
  const Vec& qv = v.at(q.tensors[static_cast<std::size_t>(op.a)].name);
  const Vec& kv = v.at(q.tensors[static_cast<std::size_t>(op.b)].name);
  const Vec& vv = v.at(q.tensors[static_cast<std::size_t>(op.c)].name);
  Vec& kc = v.at(q.tensors[static_cast<std::size_t>(op.kc)].name);
  Vec& vc = v.at(q.tensors[static_cast<std::size_t>(op.vc)].name);
  const QTensor& kct = q.tensors[static_cast<std::size_t>(op.kc)];
  const std::uint32_t d = kct.cols, t = kct.rows, dh = d / op.heads;
  const auto pos =
      static_cast<std::uint8_t>(v.at(q.tensors[static_cast<std::size_t>(op.pos)].name)[0]);
  if (pos >= t) {
    throw Error("int8 reference: attention position " + std::to_string(pos) + " is outside the " +
                std::to_string(t) + "-row cache");
  }
  std::copy_n(kv.begin(), d, kc.begin() + static_cast<std::ptrdiff_t>(pos) * d);
  std::copy_n(vv.begin(), d, vc.begin() + static_cast<std::ptrdiff_t>(pos) * d);
  std::vector<std::int32_t> s(t);
  Vec p(t);
  for (std::uint32_t h = 0; h < op.heads; ++h) {
    for (std::uint32_t j = 0; j < t; ++j) {
      std::int32_t acc = 0;
      for (std::uint32_t c = h * dh; c < (h + 1) * dh; ++c)
        acc += std::int32_t{qv[c]} * kc[static_cast<std::size_t>(j) * d + c];
      s[j] = j > pos ? acc - (1 << 30) : acc;
    }
    softmax_row(q, op.sm, s, p.data());
    for (std::uint32_t c = h * dh; c < (h + 1) * dh; ++c) {
      std::int32_t acc = 0;
      for (std::uint32_t j = 0; j < t; ++j)
        acc += std::int32_t{p[j]} * vc[static_cast<std::size_t>(j) * d + c];
      y[c] = sat8(round_shift(std::int64_t{acc} * op.mult[0], op.shift));
    }
  }
}

}  // namespace

void run_int8_op(const QGraph& q, const QOp& op, QTensorMap& v, std::vector<std::int8_t>& y) {
  const QTensor& at = q.tensors[static_cast<std::size_t>(op.a)];
  const Vec& a = v.at(at.name);
  switch (op.kind) {
    case QOpKind::gather:
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::uint8_t id = static_cast<std::uint8_t>(a[i]);
        if (id >= op.k) {
          throw Error("int8 reference: embedding id " + std::to_string(id) + " is outside the " +
                      std::to_string(op.k) + "-row table");
        }
        std::copy_n(&op.w[static_cast<std::size_t>(id) * op.n], op.n, &y[i * op.n]);
      }
      return;
    case QOpKind::lut: {
      const std::vector<std::int16_t>& t = q.luts[static_cast<std::size_t>(op.table)].v;
      for (std::size_t i = 0; i < a.size(); ++i)
        y[i] = static_cast<std::int8_t>(t[static_cast<std::size_t>(a[i] + 128)]);
      return;
    }
    case QOpKind::norm:
      norm(q, op, a, y);
      return;
    case QOpKind::softmax: {
      const std::uint32_t d = at.cols;
      std::vector<std::int32_t> s(d);
      for (std::uint32_t r = 0; r < at.rows; ++r) {
        for (std::uint32_t j = 0; j < d; ++j) s[j] = a[static_cast<std::size_t>(r) * d + j];
        softmax_row(q, op.sm, s, &y[static_cast<std::size_t>(r) * d]);
      }
      return;
    }
    case QOpKind::copy:
      for (std::size_t i = 0; i < y.size(); ++i) y[i] = a[op.src[i]];
      return;
    case QOpKind::attention:
      attention(q, op, v, y);
      return;
    default:
      break;
  }
  throw Error("internal: int8 reference has no rule for " + std::string(qop_name(op.kind)));
}

}  // namespace lpu::compiler::detail
