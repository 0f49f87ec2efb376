// The float32 reference interpreter (plain loops; docs/compiler.md "Ops").
#include <algorithm>

#include "float_ops.hpp"
#include "lpu/compiler/reference.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler {

namespace {

// x [..., K] times w [K, N] (+ b [N]).
FTensor matmul(const FTensor& x, const std::vector<float>& w, std::uint32_t n,
               const std::vector<float>* b) {
  const std::uint32_t k = x.shape.back();
  const std::size_t rows = x.elements() / k;
  Shape s = x.shape;
  s.back() = n;
  FTensor y = FTensor::zeros(s);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::uint32_t j = 0; j < n; ++j) {
      double acc = b ? static_cast<double>((*b)[j]) : 0.0;
      for (std::uint32_t i = 0; i < k; ++i) {
        acc += static_cast<double>(x.data[r * k + i]) *
               static_cast<double>(w[static_cast<std::size_t>(i) * n + j]);
      }
      y.data[r * n + j] = static_cast<float>(acc);
    }
  }
  return y;
}

}  // namespace

FTensorMap run_float(const Graph& g, const FTensorMap& inputs) {
  FTensorMap v;
  for (const auto& name : g.inputs) {
    const auto it = inputs.find(name);
    if (it == inputs.end() && g.state_inputs.count(name)) {
      v[name] = FTensor::zeros(g.tensor(name).shape);  // a cache starts empty
      continue;
    }
    if (it == inputs.end()) throw Error(g.source + ": no value given for input '" + name + "'");
    const TensorDecl& d = g.tensor(name);
    if (it->second.shape != d.shape) {
      throw Error(g.source + ": input '" + name + "' has shape " + shape_str(d.shape) +
                  ", the value has shape " + shape_str(it->second.shape));
    }
    if (it->second.data.size() != shape_elements(d.shape))
      throw Error(g.source + ": input '" + name + "': data size");
    v[name] = it->second;
  }
  auto val = [&](const std::string& name) -> const FTensor& {
    const auto it = v.find(name);
    if (it == v.end()) throw Error(g.source + ": internal: tensor '" + name + "' has no value yet");
    return it->second;
  };
  for (const auto& n : g.nodes) {
    FTensor out;
    switch (n.op) {
      case OpKind::linear:
      case OpKind::matmul: {
        const TensorDecl& w = g.tensor(n.inputs[1]);
        const std::vector<float>& wd = w.is_const ? w.data : val(w.name).data;
        const std::vector<float>* b = n.inputs.size() == 3 ? &g.tensor(n.inputs[2]).data : nullptr;
        out = matmul(val(n.inputs[0]), wd, w.shape[1], b);
        break;
      }
      case OpKind::add:
      case OpKind::mul: {
        const FTensor& a = val(n.inputs[0]);
        const FTensor& b = val(n.inputs[1]);
        out = a;
        for (std::size_t i = 0; i < out.data.size(); ++i) {
          out.data[i] = n.op == OpKind::add ? a.data[i] + b.data[i] : a.data[i] * b.data[i];
        }
        break;
      }
      case OpKind::relu:
        out = val(n.inputs[0]);
        for (auto& f : out.data) f = std::max(f, 0.0f);
        break;
      case OpKind::requantize:
        out = val(n.inputs[0]);
        break;
      default: {
        std::vector<const FTensor*> ins;
        for (const auto& in : n.inputs) {
          const TensorDecl& t = g.tensor(in);
          ins.push_back(t.is_const ? nullptr : &val(in));
        }
        out = detail::float_op(g, n, ins, v);
        break;
      }
    }
    v[n.outputs[0]] = std::move(out);
  }
  return v;
}

}  // namespace lpu::compiler
