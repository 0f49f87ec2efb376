// Float Graph -> QGraph: scales, integer weights, multipliers, fused ReLUs and the error
// bound of every tensor (docs/compiler.md "Quantization", "Error bound").
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "lpu/compiler/quant.hpp"
#include "lpu/error.hpp"
#include "quantize_ext.hpp"

namespace lpu::compiler {

std::string_view qop_name(QOpKind k) {
  switch (k) {
    case QOpKind::matmul:
      return "matmul";
    case QOpKind::add:
      return "add";
    case QOpKind::mul:
      return "mul";
    case QOpKind::relu:
      return "relu";
    case QOpKind::requant:
      return "requant";
    case QOpKind::gather:
      return "gather";
    case QOpKind::lut:
      return "lut";
    case QOpKind::norm:
      return "norm";
    case QOpKind::softmax:
      return "softmax";
    case QOpKind::copy:
      return "copy";
    case QOpKind::attention:
      return "attention";
  }
  return "?";
}

int QGraph::find(const std::string& name) const {
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const QTensor& QGraph::tensor(const std::string& name) const {
  const int i = find(name);
  if (i < 0) throw Error("no quantized tensor named '" + name + "'");
  return tensors[static_cast<std::size_t>(i)];
}

std::vector<std::int8_t> quantize_values(const std::vector<float>& x, double scale) {
  std::vector<std::int8_t> q(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = std::round(static_cast<double>(x[i]) / scale);
    q[i] = static_cast<std::int8_t>(std::clamp(v, -128.0, 127.0));
  }
  return q;
}

std::vector<std::int8_t> index_values(const std::vector<float>& x, const std::string& what) {
  std::vector<std::int8_t> q(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    if (v != std::floor(v) || v < 0 || v > 255) {
      throw Error(what + ": value " + std::to_string(v) + " at [" + std::to_string(i) +
                  "] is not an integer in 0..255");
    }
    q[i] = static_cast<std::int8_t>(static_cast<std::uint8_t>(v));
  }
  return q;
}

std::vector<std::int8_t> quantize_input(const QTensor& t, const std::vector<float>& x) {
  return t.is_index ? index_values(x, "input '" + t.name + "'") : quantize_values(x, t.scale);
}

std::vector<float> dequantize_values(const std::vector<std::int8_t>& q, double scale) {
  std::vector<float> x(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) x[i] = static_cast<float>(scale * q[i]);
  return x;
}

Multipliers choose_multipliers(const std::vector<double>& ratios, std::int64_t max_m) {
  Multipliers out;
  for (double r : ratios) {
    if (!(r >= 0) || !std::isfinite(r))
      throw Error("internal: multiplier ratio " + std::to_string(r) + " is not finite and >= 0");
  }
  for (int s = 63; s >= 0; --s) {
    bool ok = true;
    for (double r : ratios) {
      if (std::ldexp(r, s) > static_cast<double>(max_m) + 0.49) ok = false;
    }
    if (ok || s == 0) {
      out.shift = static_cast<unsigned>(s);
      for (double r : ratios) {
        const double m = std::min(std::round(std::ldexp(r, s)), static_cast<double>(max_m));
        out.m.push_back(static_cast<std::int32_t>(m));
      }
      return out;
    }
  }
  return out;
}

namespace detail {

double scale_of(double amax) { return (amax > 0 ? amax : 1.0) / 127.0; }

// |m / 2^shift / r - 1|: the relative error of a multiplier (1 when r = 0 and m = 0).
double rel_err(std::int64_t m, unsigned shift, double r) {
  if (r <= 0) return m == 0 ? 0.0 : 1.0;
  return std::fabs(std::ldexp(static_cast<double>(m), -static_cast<int>(shift)) / r - 1.0);
}
}  // namespace detail

namespace {

using detail::QuantCtx;
using detail::quantize_ext;
using detail::rel_err;
using detail::scale_of;

class Quantizer {
 public:
  Quantizer(const Graph& g, const StatsMap& s, const QuantOptions& o) : g_(g), stats_(s), opt_(o) {}

  QGraph run() {
    mark_live();
    for (const auto& in : g_.inputs) {
      const bool index = g_.index_inputs.count(in) > 0;
      const bool state = g_.state_inputs.count(in) > 0;
      const int t = add_tensor(in, index ? 1.0 : scale_of(stat(in).amax));
      QTensor& qt = q_.tensors[t];
      qt.is_input = true;
      qt.is_index = index;
      qt.is_state = state;  // its scale and bound come from the tensor written into it
      qt.err = index ? 0.0 : qt.scale / 2;
      q_.inputs.push_back(t);
    }
    for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
      if (!live_node_[i] || fused_into_prev_.count(i)) continue;
      lower(g_.nodes[i], static_cast<int>(i));
    }
    for (const auto& out : g_.outputs) {
      const int t = q_.find(out);
      if (t < 0) throw Error(g_.source + ": internal: output '" + out + "' was not quantized");
      q_.tensors[t].is_output = true;
      q_.outputs.push_back(t);
    }
    return std::move(q_);
  }

 private:
  const TensorStats& stat(const std::string& name) const {
    const auto it = stats_.find(name);
    if (it == stats_.end())
      throw Error(g_.source + ": tensor '" + name + "' has no calibration statistics");
    return it->second;
  }

  int add_tensor(const std::string& name, double scale) {
    QTensor t;
    t.name = name;
    t.shape = g_.tensor(name).shape;
    t.cols = t.shape.back();
    t.rows = static_cast<std::uint32_t>(shape_elements(t.shape) / t.cols);
    t.scale = scale;
    t.amax = stat(name).amax;
    t.row_l1 = stat(name).row_l1;
    q_.tensors.push_back(t);
    return static_cast<int>(q_.tensors.size() - 1);
  }

  int tensor_index(const std::string& name) const {
    const int t = q_.find(name);
    if (t < 0)
      throw Error(g_.source + ": internal: tensor '" + name + "' used before it was quantized");
    return t;
  }

  // Nodes that contribute to an output; ReLUs that fold into their producer.
  void mark_live() {
    std::set<std::string> need(g_.outputs.begin(), g_.outputs.end());
    live_node_.assign(g_.nodes.size(), false);
    for (std::size_t i = g_.nodes.size(); i-- > 0;) {
      const Node& n = g_.nodes[i];
      if (!need.count(n.outputs[0])) continue;
      live_node_[i] = true;
      for (const auto& in : n.inputs) need.insert(in);
    }
    std::map<std::string, int> uses;
    for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
      if (!live_node_[i]) continue;
      for (const auto& in : g_.nodes[i].inputs) ++uses[in];
    }
    const std::set<std::string> outs(g_.outputs.begin(), g_.outputs.end());
    for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& n = g_.nodes[i];
      if (!live_node_[i] || n.op != OpKind::relu) continue;
      const std::string& t = n.inputs[0];
      const int p = g_.tensor(t).producer;
      if (p < 0 || outs.count(t) || uses[t] != 1) continue;
      const OpKind pk = g_.nodes[static_cast<std::size_t>(p)].op;
      if (pk == OpKind::linear || pk == OpKind::matmul || pk == OpKind::add) {
        fused_relu_[static_cast<std::size_t>(p)] = i;
        fused_into_prev_.insert(i);
      }
    }
  }

  // The output tensor name of node i (after a fused ReLU) and whether a ReLU is fused.
  std::pair<std::string, bool> out_of(int i) const {
    const auto it = fused_relu_.find(static_cast<std::size_t>(i));
    if (it == fused_relu_.end()) return {g_.nodes[static_cast<std::size_t>(i)].outputs[0], false};
    return {g_.nodes[it->second].outputs[0], true};
  }

  double saturation(const QTensor& t) const { return std::max(0.0, t.amax - 127.0 * t.scale); }

  void lower(const Node& n, int idx) {
    const auto [out_name, relu] = out_of(idx);
    QOp op;
    op.node =
        n.name + (relu ? "+" + g_.nodes[fused_relu_.at(static_cast<std::size_t>(idx))].name : "");
    op.relu = relu;
    switch (n.op) {
      case OpKind::linear:
      case OpKind::matmul:
        lower_matmul(n, op, out_name);
        break;
      case OpKind::add:
      case OpKind::mul:
        lower_eltwise(n, op, out_name);
        break;
      case OpKind::relu: {
        op.kind = QOpKind::relu;
        op.a = tensor_index(n.inputs[0]);
        const QTensor a = q_.tensors[op.a];
        op.out = add_tensor(out_name, a.scale);
        q_.tensors[op.out].err = a.err;
        break;
      }
      case OpKind::requantize: {
        op.kind = QOpKind::requant;
        op.a = tensor_index(n.inputs[0]);
        const QTensor a = q_.tensors[op.a];
        const Attr* sc = n.attr("scale");
        op.out = add_tensor(out_name, sc ? sc->number : scale_of(stat(out_name).amax));
        QTensor& z = q_.tensors[op.out];
        const double r = a.scale / z.scale;
        const Multipliers m = choose_multipliers({r}, 32767);
        op.mult = m.m;
        op.shift = m.shift;
        z.err =
            a.err + (a.amax + a.err) * rel_err(m.m[0], m.shift, r) + z.scale / 2 + saturation(z);
        break;
      }
      default: {
        QuantCtx ctx{
            g_,
            stats_,
            opt_,
            q_,
            [this](const std::string& name, double scale) { return add_tensor(name, scale); },
            [this](const std::string& name) { return tensor_index(name); }};
        quantize_ext(ctx, n, op, out_name);
        break;
      }
    }
    q_.ops.push_back(std::move(op));
  }

  void lower_matmul(const Node& n, QOp& op, const std::string& out_name) {
    op.kind = QOpKind::matmul;
    op.a = tensor_index(n.inputs[0]);
    const TensorDecl& wd = g_.tensor(n.inputs[1]);
    op.k = wd.shape[0];
    op.n = wd.shape[1];
    const QTensor a = q_.tensors[op.a];
    op.out = add_tensor(out_name, scale_of(stat(out_name).amax));
    const double s_y = q_.tensors[op.out].scale;
    const double pre_amax = stat(n.outputs[0]).amax;  // before a fused ReLU
    const double K = op.k;
    double err = 0;
    if (!wd.is_const) {
      op.b = tensor_index(wd.name);
      const QTensor b = q_.tensors[op.b];
      const double r = a.scale * b.scale / s_y;
      const Multipliers m = choose_multipliers({r}, 32767);
      op.mult = m.m;
      op.shift = m.shift;
      const double lin = a.err * K * b.amax + a.row_l1 * b.err + K * a.err * b.err;
      err = lin + (pre_amax + lin) * rel_err(m.m[0], m.shift, r) + s_y / 2;
    } else {
      bool per_channel = opt_.weights == WeightQuant::per_channel;
      if (const Attr* wq = n.attr("weight_quant")) per_channel = wq->str == "per_channel";
      if (op.n == 1)
        per_channel = false;  // one channel: the same thing, with an immediate multiplier
      // Weight scales.
      std::vector<double> s_w(op.n);
      double all = 0;
      for (std::uint32_t j = 0; j < op.n; ++j) {
        double mx = 0;
        for (std::uint32_t k = 0; k < op.k; ++k)
          mx = std::max(mx, std::fabs(static_cast<double>(wd.data[k * op.n + j])));
        s_w[j] = mx;
        all = std::max(all, mx);
      }
      for (auto& s : s_w) s = scale_of(per_channel ? s : all);
      op.w.resize(static_cast<std::size_t>(op.k) * op.n);
      std::vector<double> col_l1(op.n, 0), dw(op.n, 0), db(op.n, 0);
      std::vector<std::vector<double>> dcol(op.n, std::vector<double>(op.k));
      for (std::uint32_t k = 0; k < op.k; ++k) {
        for (std::uint32_t j = 0; j < op.n; ++j) {
          const double w = wd.data[k * op.n + j];
          const double q = std::clamp(std::round(w / s_w[j]), -127.0, 127.0);
          op.w[k * op.n + j] = static_cast<std::int8_t>(q);
          col_l1[j] += std::fabs(w);
          dcol[j][k] = std::fabs(q * s_w[j] - w);
          dw[j] = std::max(dw[j], dcol[j][k]);
        }
      }
      // max of sum_k |x_k| |dW_kj| over inputs with |x_k| <= amax and sum_k |x_k| <= row_l1:
      // spend the L1 budget on the largest weight errors first.
      std::vector<double> xdw(op.n, 0);
      for (std::uint32_t j = 0; j < op.n; ++j) {
        std::sort(dcol[j].begin(), dcol[j].end(), std::greater<double>());
        double budget = a.row_l1;
        for (double d : dcol[j]) {
          const double x = std::min(a.amax, budget);
          if (x <= 0) break;
          xdw[j] += x * d;
          budget -= x;
        }
      }
      if (n.inputs.size() == 3) {
        const TensorDecl& bd = g_.tensor(n.inputs[2]);
        op.bias.resize(op.n);
        for (std::uint32_t j = 0; j < op.n; ++j) {
          const double unit = a.scale * s_w[j];
          const double q = std::clamp(std::round(bd.data[j] / unit), -1073741824.0, 1073741824.0);
          op.bias[j] = static_cast<std::int32_t>(q);
          db[j] = std::fabs(q * unit - bd.data[j]);
        }
      }
      std::vector<double> ratios;
      if (per_channel) {
        for (std::uint32_t j = 0; j < op.n; ++j) ratios.push_back(a.scale * s_w[j] / s_y);
      } else {
        ratios.push_back(a.scale * s_w[0] / s_y);
      }
      const Multipliers m =
          choose_multipliers(ratios, per_channel ? (std::int64_t{1} << 30) : 32767);
      op.mult = m.m;
      op.shift = m.shift;
      for (std::uint32_t j = 0; j < op.n; ++j) {
        const std::size_t mi = per_channel ? j : 0;
        const double lin = a.err * col_l1[j] + xdw[j] + a.err * K * dw[j] + db[j];
        const double e = lin + (pre_amax + lin) * rel_err(m.m[mi], m.shift, ratios[mi]) + s_y / 2;
        err = std::max(err, e);
      }
    }
    q_.tensors[op.out].err = err + saturation(q_.tensors[op.out]);
  }

  void lower_eltwise(const Node& n, QOp& op, const std::string& out_name) {
    op.a = tensor_index(n.inputs[0]);
    op.b = tensor_index(n.inputs[1]);
    const QTensor a = q_.tensors[op.a];
    const QTensor b = q_.tensors[op.b];
    op.out = add_tensor(out_name, scale_of(stat(out_name).amax));
    QTensor& z = q_.tensors[op.out];
    if (n.op == OpKind::add) {
      op.kind = QOpKind::add;
      const double ra = a.scale / z.scale, rb = b.scale / z.scale;
      const Multipliers m = choose_multipliers({ra, rb}, 32767);
      op.mult = m.m;
      op.shift = m.shift;
      z.err = a.err + b.err + (a.amax + a.err) * rel_err(m.m[0], m.shift, ra) +
              (b.amax + b.err) * rel_err(m.m[1], m.shift, rb) + z.scale / 2 + saturation(z);
    } else {
      op.kind = QOpKind::mul;
      const double r = a.scale * b.scale / z.scale;
      const Multipliers m = choose_multipliers({r}, 32767);
      op.mult = m.m;
      op.shift = m.shift;
      z.err = a.err * b.amax + a.amax * b.err + a.err * b.err +
              (a.amax + a.err) * (b.amax + b.err) * rel_err(m.m[0], m.shift, r) + z.scale / 2 +
              saturation(z);
    }
  }

  const Graph& g_;
  const StatsMap& stats_;
  const QuantOptions& opt_;
  QGraph q_;
  std::vector<bool> live_node_;
  std::map<std::size_t, std::size_t> fused_relu_;  // producer node -> relu node
  std::set<std::size_t> fused_into_prev_;          // relu nodes folded into their producer
};

}  // namespace

QGraph quantize(const Graph& g, const StatsMap& stats, const QuantOptions& opt) {
  return Quantizer(g, stats, opt).run();
}

}  // namespace lpu::compiler
