// The float32 reference of the LUT activations, softmax, norms, embedding, reshape,
// transpose and attention_decode (plain loops, double arithmetic, float32 storage).
#include "float_ops.hpp"

#include <algorithm>
#include <cmath>

#include "graph_rules.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::detail {

double gelu(double x, bool tanh_approx) {
  if (tanh_approx) {
    const double c = std::sqrt(2.0 / 3.14159265358979323846);
    return 0.5 * x * (1.0 + std::tanh(c * (x + 0.044715 * x * x * x)));
  }
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}

double silu(double x) { return x / (1.0 + std::exp(-x)); }

namespace {

// An integer index from a float value: exact integer in [0, limit).
std::size_t as_index(const Graph& g, const Node& n, float v, std::size_t limit, const char* what) {
  const double d = static_cast<double>(v);
  if (d != std::floor(d) || d < 0 || d >= static_cast<double>(limit)) {
    throw Error(g.where(n) + ": " + what + " " + std::to_string(d) + " is not an integer in [0, " +
                std::to_string(limit) + ")");
  }
  return static_cast<std::size_t>(d);
}

FTensor norm(const Graph& g, const Node& n, const FTensor& x) {
  const bool layer = n.op == OpKind::layer_norm;
  const double eps = attr_number(n, "eps", 1e-5);
  const std::vector<float>& gamma = g.tensor(n.inputs[1]).data;
  const std::vector<float>* beta = n.inputs.size() == 3 ? &g.tensor(n.inputs[2]).data : nullptr;
  const std::size_t d = x.shape.back();
  FTensor y = x;
  for (std::size_t r = 0; r * d < x.data.size(); ++r) {
    const float* row = &x.data[r * d];
    double mean = 0;
    if (layer) {
      for (std::size_t i = 0; i < d; ++i) mean += row[i];
      mean /= static_cast<double>(d);
    }
    double ms = 0;
    for (std::size_t i = 0; i < d; ++i) ms += (row[i] - mean) * (row[i] - mean);
    const double inv = 1.0 / std::sqrt(ms / static_cast<double>(d) + eps);
    for (std::size_t i = 0; i < d; ++i) {
      double v = (row[i] - mean) * inv * gamma[i];
      if (beta) v += (*beta)[i];
      y.data[r * d + i] = static_cast<float>(v);
    }
  }
  return y;
}

FTensor transpose(const Graph& g, const Node& n, const FTensor& x) {
  const Attr* a = n.attr("perm");
  const std::size_t r = x.shape.size();
  Shape out(r);
  std::vector<std::size_t> perm(r);
  for (std::size_t i = 0; i < r; ++i) {
    perm[i] = static_cast<std::size_t>(a->list[i]);
    out[i] = x.shape[perm[i]];
  }
  (void)g;
  std::vector<std::size_t> in_stride(r, 1);
  for (std::size_t i = r - 1; i-- > 0;) in_stride[i] = in_stride[i + 1] * x.shape[i + 1];
  FTensor y = FTensor::zeros(out);
  std::vector<std::size_t> idx(r, 0);
  for (std::size_t o = 0; o < y.data.size(); ++o) {
    std::size_t src = 0;
    for (std::size_t i = 0; i < r; ++i) src += idx[i] * in_stride[perm[i]];
    y.data[o] = x.data[src];
    for (std::size_t i = r; i-- > 0;) {
      if (++idx[i] < out[i]) break;
      idx[i] = 0;
    }
  }
  return y;
}

FTensor attention(const Graph& g, const Node& n, const std::vector<const FTensor*>& ins,
                  FTensorMap& state) {
  const FTensor& q = *ins[0];
  const FTensor& k = *ins[1];
  const FTensor& v = *ins[2];
  FTensor& kc = state.at(n.inputs[3]);
  FTensor& vc = state.at(n.inputs[4]);
  const std::size_t d = q.shape.back();
  const std::size_t t = kc.shape[0];
  const std::size_t p = as_index(g, n, ins[5]->data[0], t, "position");
  const auto heads = static_cast<std::size_t>(attr_number(n, "heads", 1));
  const std::size_t dh = d / heads;
  const double scale = attr_number(n, "scale", 1.0 / std::sqrt(static_cast<double>(dh)));
  for (std::size_t c = 0; c < d; ++c) {
    kc.data[p * d + c] = k.data[c];
    vc.data[p * d + c] = v.data[c];
  }
  FTensor out = FTensor::zeros(q.shape);
  std::vector<double> s(p + 1);
  for (std::size_t h = 0; h < heads; ++h) {
    double mx = -1e300;
    for (std::size_t j = 0; j <= p; ++j) {
      double acc = 0;
      for (std::size_t c = h * dh; c < (h + 1) * dh; ++c)
        acc += static_cast<double>(q.data[c]) * kc.data[j * d + c];
      s[j] = acc * scale;
      mx = std::max(mx, s[j]);
    }
    double z = 0;
    for (std::size_t j = 0; j <= p; ++j) {
      s[j] = std::exp(s[j] - mx);
      z += s[j];
    }
    for (std::size_t c = h * dh; c < (h + 1) * dh; ++c) {
      double acc = 0;
      for (std::size_t j = 0; j <= p; ++j) acc += s[j] / z * vc.data[j * d + c];
      out.data[c] = static_cast<float>(acc);
    }
  }
  return out;
}

}  // namespace

FTensor float_op(const Graph& g, const Node& n, const std::vector<const FTensor*>& ins,
                 FTensorMap& state) {
  const Shape& out_shape = g.tensor(n.outputs[0]).shape;
  switch (n.op) {
    case OpKind::gelu:
    case OpKind::silu: {
      FTensor y = *ins[0];
      const bool th = attr_string(n, "approximate", "none") == "tanh";
      for (auto& f : y.data) {
        f = static_cast<float>(n.op == OpKind::gelu ? gelu(f, th) : silu(f));
      }
      return y;
    }
    case OpKind::softmax: {
      FTensor y = *ins[0];
      const std::size_t d = y.shape.back();
      for (std::size_t r = 0; r * d < y.data.size(); ++r) {
        float* row = &y.data[r * d];
        double mx = -1e300, z = 0;
        for (std::size_t i = 0; i < d; ++i) mx = std::max(mx, static_cast<double>(row[i]));
        std::vector<double> e(d);
        for (std::size_t i = 0; i < d; ++i) z += e[i] = std::exp(row[i] - mx);
        for (std::size_t i = 0; i < d; ++i) row[i] = static_cast<float>(e[i] / z);
      }
      return y;
    }
    case OpKind::layer_norm:
    case OpKind::rms_norm:
      return norm(g, n, *ins[0]);
    case OpKind::embedding: {
      const TensorDecl& table = g.tensor(n.inputs[1]);
      const std::size_t vocab = table.shape[0], d = table.shape[1];
      FTensor y = FTensor::zeros(out_shape);
      const FTensor& ids = *ins[0];
      for (std::size_t i = 0; i < ids.data.size(); ++i) {
        const std::size_t id = as_index(g, n, ids.data[i], vocab, "embedding id");
        std::copy_n(&table.data[id * d], d, &y.data[i * d]);
      }
      return y;
    }
    case OpKind::reshape: {
      FTensor y = *ins[0];
      y.shape = out_shape;
      return y;
    }
    case OpKind::transpose:
      return transpose(g, n, *ins[0]);
    case OpKind::attention_decode:
      return attention(g, n, ins, state);
    default:
      break;
  }
  throw Error(g.where(n) + ": not implemented in the float reference");
}

}  // namespace lpu::compiler::detail
