// The bit-exact int8 reference: QOps as plain loops, with the rounding and saturation of
// docs/isa.md "Arithmetic details". It shares no code with the code generator.
#include <algorithm>

#include "int8_ops.hpp"
#include "lpu/compiler/quant.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler {

namespace {

std::int32_t wrap(std::int64_t x) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(x)));
}

// (p + 2^(sh-1)) >> sh, arithmetic, computed in 128 bits so the sum cannot overflow.
std::int64_t round_shift(std::int64_t p, unsigned sh) {
  if (sh == 0) return p;
  const __int128 s = static_cast<__int128>(p) + (static_cast<__int128>(1) << (sh - 1));
  return static_cast<std::int64_t>(s >> sh);
}

std::int8_t sat8(std::int64_t x) {
  return static_cast<std::int8_t>(std::clamp<std::int64_t>(x, -128, 127));
}

}  // namespace

QTensorMap run_int8(const QGraph& q, const QTensorMap& inputs) {
  QTensorMap v;
  for (int i : q.inputs) {
    const QTensor& t = q.tensors[i];
    const auto it = inputs.find(t.name);
    if (it == inputs.end() && t.is_state) {
      v[t.name].assign(static_cast<std::size_t>(t.rows) * t.cols, 0);  // an empty cache
      continue;
    }
    if (it == inputs.end()) throw Error("int8 reference: no value for input '" + t.name + "'");
    if (it->second.size() != static_cast<std::size_t>(t.rows) * t.cols) {
      throw Error("int8 reference: input '" + t.name + "' has " +
                  std::to_string(it->second.size()) + " values, expected " +
                  std::to_string(static_cast<std::size_t>(t.rows) * t.cols));
    }
    v[t.name] = it->second;
  }
  for (const QOp& op : q.ops) {
    const QTensor& out = q.tensors[op.out];
    const std::vector<std::int8_t>& a = v.at(q.tensors[op.a].name);
    std::vector<std::int8_t> y(static_cast<std::size_t>(out.rows) * out.cols);
    switch (op.kind) {
      case QOpKind::matmul: {
        const std::vector<std::int8_t>& w = op.b >= 0 ? v.at(q.tensors[op.b].name) : op.w;
        for (std::uint32_t i = 0; i < out.rows; ++i) {
          for (std::uint32_t j = 0; j < op.n; ++j) {
            std::int64_t s = 0;
            for (std::uint32_t k = 0; k < op.k; ++k) {
              s += std::int64_t{a[static_cast<std::size_t>(i) * op.k + k]} *
                   w[static_cast<std::size_t>(k) * op.n + j];
            }
            std::int32_t acc = wrap(s);
            if (!op.bias.empty()) acc = wrap(std::int64_t{acc} + op.bias[j]);
            if (op.relu) acc = std::max(acc, 0);
            const std::int32_t m = op.mult.size() == 1 ? op.mult[0] : op.mult[j];
            y[static_cast<std::size_t>(i) * op.n + j] =
                sat8(round_shift(std::int64_t{acc} * m, op.shift));
          }
        }
        break;
      }
      case QOpKind::add: {
        const std::vector<std::int8_t>& b = v.at(q.tensors[op.b].name);
        for (std::size_t i = 0; i < y.size(); ++i) {
          std::int32_t t = wrap(std::int64_t{wrap(std::int64_t{a[i]} * op.mult[0])} +
                                wrap(std::int64_t{b[i]} * op.mult[1]));
          if (op.relu) t = std::max(t, 0);
          y[i] = sat8(round_shift(t, op.shift));
        }
        break;
      }
      case QOpKind::mul: {
        const std::vector<std::int8_t>& b = v.at(q.tensors[op.b].name);
        for (std::size_t i = 0; i < y.size(); ++i) {
          const std::int32_t p = wrap(std::int64_t{a[i]} * b[i]);
          y[i] = sat8(round_shift(std::int64_t{p} * op.mult[0], op.shift));
        }
        break;
      }
      case QOpKind::relu:
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::max<std::int8_t>(a[i], 0);
        break;
      case QOpKind::requant:
        for (std::size_t i = 0; i < y.size(); ++i)
          y[i] = sat8(round_shift(std::int64_t{a[i]} * op.mult[0], op.shift));
        break;
      default:
        detail::run_int8_op(q, op, v, y);
        break;
    }
    v[out.name] = std::move(y);
  }
  return v;
}

}  // namespace lpu::compiler
