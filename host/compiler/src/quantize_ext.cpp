// Quantization and error bounds of the LUT activations, norms, softmax, embedding,
// reshape/transpose and attention_decode (docs/compiler.md "Quantization", "Fixed point",
// "Error bound").
#include "quantize_ext.hpp"

#include <algorithm>
#include <cmath>

#include "fixed.hpp"
#include "float_ops.hpp"
#include "graph_rules.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::detail {

namespace {

const TensorStats& stat(const QuantCtx& c, const std::string& name) {
  const auto it = c.stats.find(name);
  if (it == c.stats.end())
    throw Error(c.g.source + ": tensor '" + name + "' has no calibration statistics");
  return it->second;
}

// A bound that holds whatever the computation did: both values lie in their ranges.
double cap(const QTensor& y, double e) { return std::min(e, y.amax + 128.0 * y.scale); }

// Lipschitz constants (max |f'|) of the LUT activations, rounded up.
constexpr double kGeluLip = 1.13;
constexpr double kSiluLip = 1.1;

void quantize_lut(QuantCtx& c, const Node& n, QOp& op, const std::string& out_name) {
  op.kind = QOpKind::lut;
  op.a = c.tensor_index(n.inputs[0]);
  const QTensor a = c.q.tensors[static_cast<std::size_t>(op.a)];
  op.out = c.add_tensor(out_name, scale_of(stat(c, out_name).amax));
  QTensor& y = c.q.tensors[static_cast<std::size_t>(op.out)];
  const bool gelu = n.op == OpKind::gelu;
  const bool th = attr_string(n, "approximate", "none") == "tanh";
  LutTable t;
  t.key = "node:" + n.name;
  for (int i = 0; i < 256; ++i) {
    const double x = a.scale * (i - 128);
    const double f = gelu ? detail::gelu(x, th) : detail::silu(x);
    t.v.push_back(static_cast<std::int16_t>(std::clamp(std::round(f / y.scale), -128.0, 127.0)));
  }
  c.q.luts.push_back(std::move(t));
  op.table = static_cast<int>(c.q.luts.size() - 1);
  y.err = cap(y, (gelu ? kGeluLip : kSiluLip) * a.err + y.scale / 2);
}

void quantize_gather(QuantCtx& c, const Node& n, QOp& op, const std::string& out_name) {
  op.kind = QOpKind::gather;
  op.a = c.tensor_index(n.inputs[0]);
  const TensorDecl& table = c.g.tensor(n.inputs[1]);
  op.k = table.shape[0];
  op.n = table.shape[1];
  if (op.k > 256) {
    throw Error(c.g.where(n) + ": the table has " + std::to_string(op.k) +
                " rows; ids are bytes, so at most 256 are supported");
  }
  double amax = 0;
  for (float f : table.data) amax = std::max(amax, std::fabs(static_cast<double>(f)));
  const double s = scale_of(amax);
  op.out = c.add_tensor(out_name, s);
  double dmax = 0;
  op.w.resize(table.data.size());
  for (std::size_t i = 0; i < table.data.size(); ++i) {
    const double q = std::clamp(std::round(table.data[i] / s), -127.0, 127.0);
    op.w[i] = static_cast<std::int8_t>(q);
    dmax = std::max(dmax, std::fabs(q * s - table.data[i]));
  }
  c.q.tensors[static_cast<std::size_t>(op.out)].err = dmax;
}

void quantize_norm(QuantCtx& c, const Node& n, QOp& op, const std::string& out_name) {
  op.kind = QOpKind::norm;
  op.a = c.tensor_index(n.inputs[0]);
  const QTensor a = c.q.tensors[static_cast<std::size_t>(op.a)];
  op.out = c.add_tensor(out_name, scale_of(stat(c, out_name).amax));
  QTensor& y = c.q.tensors[static_cast<std::size_t>(op.out)];
  const bool layer = n.op == OpKind::layer_norm;
  op.center = layer;
  const double eps = attr_number(n, "eps", 1e-5);
  const std::uint32_t d = a.cols;
  const double dd = d;
  const double smax = layer ? dd * dd * 16384.0 : dd * 16384.0;
  if (smax >= 1073741824.0 - 2) {
    throw Error(c.g.where(n) + ": a norm over " + std::to_string(d) +
                " columns exceeds the 32-bit sum of squares (at most " +
                std::string(layer ? "255" : "65535") + " columns are supported)");
  }
  const double e_real = eps * (layer ? dd * dd : dd) / (a.scale * a.scale);
  const double e_max = 1073741823.0 - smax;
  op.eint = static_cast<std::int32_t>(std::clamp(std::round(e_real), 1.0, e_max));
  const LutSizes ls = lut_sizes(c.opt.lut_depth);
  op.rsqrt = make_recip(true, 1, static_cast<std::int64_t>(smax) + op.eint, ls.rsqrt_b, c.q.luts);
  // Per-channel factors C_j: y / s_y = d_j * C_j * rsqrt(T).
  const std::vector<float>& gamma = c.g.tensor(n.inputs[1]).data;
  std::vector<double> cj(d);
  double cmax = 0;
  for (std::uint32_t j = 0; j < d; ++j) {
    cj[j] = gamma[j] * (layer ? 1.0 : std::sqrt(dd)) / y.scale;
    cmax = std::max(cmax, std::fabs(cj[j]));
  }
  const double dmax = layer ? 256.0 * dd : 128.0;
  const auto mmax = static_cast<std::int64_t>(std::floor(2147483647.0 / dmax));
  const unsigned max_k = 63 - 14 - op.rsqrt.p;
  const Mult mm = mult_for(cmax > 0 ? cmax : 1.0, mmax, max_k);
  double rho_m = 0;
  for (std::uint32_t j = 0; j < d; ++j) {
    const double m = std::round(std::ldexp(cj[j], static_cast<int>(mm.shift)));
    op.mult.push_back(static_cast<std::int32_t>(m));
    if (cj[j] != 0)
      rho_m = std::max(rho_m, std::fabs(std::ldexp(m, -static_cast<int>(mm.shift)) / cj[j] - 1.0));
  }
  op.shift = 14 + op.rsqrt.p + mm.shift;
  double bmax = 0;
  if (n.inputs.size() == 3) {
    op.frac = 8;
    for (float b : c.g.tensor(n.inputs[2]).data) {
      const double v = std::clamp(std::round(b / y.scale * 256.0), -1073741824.0, 1073741824.0);
      op.beta.push_back(static_cast<std::int32_t>(v));
      bmax = std::max(bmax, std::fabs(static_cast<double>(b)));
    }
  }
  // Error bound (docs/compiler.md "Error bound"): the input error through the normalisation,
  // with rho the row's rms (std for layer_norm) including eps, then the relative error of the
  // arithmetic, then rounding.
  const TensorStats& sx = stat(c, n.inputs[0]);
  double gmax = 0;
  for (float gv : gamma) gmax = std::max(gmax, std::fabs(static_cast<double>(gv)));
  const double rmin = layer ? sx.row_std_min : sx.row_rms_min;
  const double rho = std::sqrt(rmin * rmin + eps);
  const double ea = a.err;
  double prop = 1e300;
  if (rho > ea) {
    prop = layer ? gmax * (2 * ea + 2 * a.amax / rho * ea) / (rho - ea)
                 : gmax * (ea + a.amax / rho * ea) / (rho - ea);
  }
  // T's eps term: eint instead of e_real changes rsqrt by at most |diff| / (2 T).
  const double lo_dev = std::max(0.0, rmin - ea);
  const double t_lo = (layer ? dd * dd : dd) * lo_dev * lo_dev / (a.scale * a.scale) +
                      std::min<double>(op.eint, e_real);
  const double rho_t = std::fabs(op.eint - e_real) / (2.0 * std::max(1.0, t_lo));
  const double rel = (1 + rho_m) * (1 + op.rsqrt.rel_err) * (1 + rho_t) - 1;
  const double frac_err = op.beta.empty() ? 0.0 : y.scale / 256.0;  // beta and z rounding
  const double e = prop + rel * (y.amax + bmax + std::min(prop, 1e30)) + y.scale / 2 + frac_err;
  y.err = cap(y, e);
}

// The exponential/reciprocal part shared by softmax and attention. `ratio` maps the integer
// difference d to exp's argument: x = d * ratio.
SoftmaxQ softmax_params(QuantCtx& c, double ratio, std::uint32_t n, double out_scale) {
  const LutSizes ls = lut_sizes(c.opt.lut_depth);
  SoftmaxQ sm;
  const Mult em = mult_for(ratio * ls.exp_steps, 32767);
  sm.exp_mult = -em.m;
  sm.exp_shift = em.shift;
  sm.exp_lut = exp_table(ls.exp_steps, ls.exp_n, c.q.luts);
  sm.exp_n = ls.exp_n;
  sm.recip = make_recip(false, 16384, std::int64_t{16384} * n, ls.recip_b, c.q.luts);
  const Mult pm = mult_for(1.0 / out_scale, 32767);
  sm.p_mult = pm.m;
  sm.p_shift = 14 + sm.recip.p + pm.shift;
  return sm;
}

// Error terms of softmax from a bound `delta` on each exponent's error: sum over the row of
// |p - p_ref| (l1) and per element (elem, with pmax the largest probability).
struct SmErr {
  double l1, elem;
};
SmErr softmax_err(const SoftmaxQ& sm, double delta, double ratio, double range, std::uint32_t n,
                  double pmax) {
  const double steps = std::fabs(sm.exp_mult) / std::ldexp(ratio, static_cast<int>(sm.exp_shift));
  // steps ~ exp_steps * (1 + rho): the index's relative and rounding errors in x units
  const double rho_e = std::fabs(steps - std::round(steps)) / std::max(1.0, std::round(steps));
  const double dx = delta + 0.5 / std::round(steps) + rho_e * range;
  const double cut =
      std::max(0.5, 16384.0 * std::exp(-static_cast<double>(sm.exp_n) / std::round(steps)));
  const double rel = (1 + sm.recip.rel_err) * (1 + 1.0 / (2.0 * sm.p_mult)) - 1;
  const double grow = std::expm1(2 * dx);
  SmErr e;
  e.l1 = grow + 2.0 * n * cut / 16384.0 + rel * (1 + grow);
  e.elem = pmax * grow + (cut + pmax * n * cut) / 16384.0 + rel * (pmax * (1 + grow));
  return e;
}

void quantize_softmax(QuantCtx& c, const Node& n, QOp& op, const std::string& out_name) {
  op.kind = QOpKind::softmax;
  op.a = c.tensor_index(n.inputs[0]);
  const QTensor a = c.q.tensors[static_cast<std::size_t>(op.a)];
  op.out = c.add_tensor(out_name, scale_of(stat(c, out_name).amax));
  QTensor& y = c.q.tensors[static_cast<std::size_t>(op.out)];
  op.sm = softmax_params(c, a.scale, a.cols, y.scale);
  const SmErr e = softmax_err(op.sm, a.err, a.scale, 2 * a.amax + 2 * a.err, a.cols, y.amax);
  y.err = cap(y, e.elem + y.scale / 2);
}

void quantize_copy(QuantCtx& c, const Node& n, QOp& op, const std::string& out_name) {
  op.kind = QOpKind::copy;
  op.a = c.tensor_index(n.inputs[0]);
  const QTensor a = c.q.tensors[static_cast<std::size_t>(op.a)];
  op.out = c.add_tensor(out_name, a.scale);
  QTensor& y = c.q.tensors[static_cast<std::size_t>(op.out)];
  y.err = a.err;
  const std::size_t total = shape_elements(a.shape);
  op.src.resize(total);
  if (n.op == OpKind::reshape) {
    for (std::size_t i = 0; i < total; ++i) op.src[i] = static_cast<std::uint32_t>(i);
    return;
  }
  const Attr* pa = n.attr("perm");
  const std::size_t r = a.shape.size();
  std::vector<std::size_t> stride(r, 1);
  for (std::size_t i = r - 1; i-- > 0;) stride[i] = stride[i + 1] * a.shape[i + 1];
  std::vector<std::size_t> idx(r, 0);
  for (std::size_t o = 0; o < total; ++o) {
    std::size_t s = 0;
    for (std::size_t i = 0; i < r; ++i) s += idx[i] * stride[static_cast<std::size_t>(pa->list[i])];
    op.src[o] = static_cast<std::uint32_t>(s);
    for (std::size_t i = r; i-- > 0;) {
      if (++idx[i] < y.shape[i]) break;
      idx[i] = 0;
    }
  }
  op.k = pa->list.back() == static_cast<double>(r - 1) ? 0 : 1;  // 1: the last two swap
}

void quantize_attention(QuantCtx& c, const Node& n, QOp& op, const std::string& out_name) {
  op.kind = QOpKind::attention;
  op.a = c.tensor_index(n.inputs[0]);
  op.b = c.tensor_index(n.inputs[1]);
  op.c = c.tensor_index(n.inputs[2]);
  op.kc = c.tensor_index(n.inputs[3]);
  op.vc = c.tensor_index(n.inputs[4]);
  op.pos = c.tensor_index(n.inputs[5]);
  const QTensor q = c.q.tensors[static_cast<std::size_t>(op.a)];
  const QTensor k = c.q.tensors[static_cast<std::size_t>(op.b)];
  const QTensor v = c.q.tensors[static_cast<std::size_t>(op.c)];
  // The caches hold past k and v rows: their scales, bounds and statistics.
  for (auto [ci, src] : {std::pair<int, const QTensor*>{op.kc, &k}, {op.vc, &v}}) {
    QTensor& t = c.q.tensors[static_cast<std::size_t>(ci)];
    t.scale = src->scale;
    t.err = src->err;
    t.amax = src->amax;
    t.row_l1 = src->row_l1;
  }
  op.heads = static_cast<std::uint32_t>(attr_number(n, "heads", 1));
  const std::uint32_t d = q.cols;
  const std::uint32_t dh = d / op.heads;
  const std::uint32_t t = c.q.tensors[static_cast<std::size_t>(op.kc)].rows;
  const double scale = attr_number(n, "scale", 1.0 / std::sqrt(static_cast<double>(dh)));
  op.out = c.add_tensor(out_name, scale_of(stat(c, out_name).amax));
  QTensor& y = c.q.tensors[static_cast<std::size_t>(op.out)];
  const double ratio = q.scale * k.scale * scale;  // score integer -> exp argument
  op.sm = softmax_params(c, ratio, t, 1.0 / 127.0);
  const Multipliers m = choose_multipliers({v.scale / 127.0 / y.scale}, 32767);
  op.mult = m.m;
  op.shift = m.shift;
  // Bound: score errors -> softmax -> weighted sum of v.
  const double ds = scale * (q.row_l1 * k.err + k.row_l1 * q.err + dh * q.err * k.err);
  const double smax = scale * std::min(q.row_l1 * k.amax, k.row_l1 * q.amax);
  const SmErr e = softmax_err(op.sm, ds, ratio, 2 * (smax + ds), t, 1.0);
  const double dp = e.l1 + t * 0.5 / 127.0;  // and each p rounded to 1/127
  const double acc_err = dp * (v.amax + v.err) + v.err;
  const double rho = rel_err(m.m[0], m.shift, v.scale / 127.0 / y.scale);
  y.err = cap(y, acc_err + rho * (y.amax + acc_err) + y.scale / 2);
}

}  // namespace

void quantize_ext(QuantCtx& c, const Node& n, QOp& op, const std::string& out_name) {
  switch (n.op) {
    case OpKind::gelu:
    case OpKind::silu:
      quantize_lut(c, n, op, out_name);
      return;
    case OpKind::embedding:
      quantize_gather(c, n, op, out_name);
      return;
    case OpKind::layer_norm:
    case OpKind::rms_norm:
      quantize_norm(c, n, op, out_name);
      return;
    case OpKind::softmax:
      quantize_softmax(c, n, op, out_name);
      return;
    case OpKind::reshape:
    case OpKind::transpose:
      quantize_copy(c, n, op, out_name);
      return;
    case OpKind::attention_decode:
      quantize_attention(c, n, op, out_name);
      return;
    default:
      break;
  }
  throw Error(c.g.where(n) + ": not supported by the quantizer");
}

}  // namespace lpu::compiler::detail
