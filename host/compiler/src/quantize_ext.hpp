// Internal to the compiler: quantization of the ops of round two (LUT activations, norms,
// softmax, embedding, reshape/transpose, attention_decode), called by the Quantizer of
// quantize.cpp for every node it does not handle itself.
#pragma once

#include <functional>
#include <string>

#include "lpu/compiler/quant.hpp"

namespace lpu::compiler::detail {

double scale_of(double amax);  // amax / 127 (1/127 for an all-zero tensor)
double rel_err(std::int64_t m, unsigned shift, double r);

struct QuantCtx {
  const Graph& g;
  const StatsMap& stats;
  const QuantOptions& opt;
  QGraph& q;
  std::function<int(const std::string&, double)> add_tensor;  // new QTensor with a scale
  std::function<int(const std::string&)> tensor_index;        // an existing one
};

// Fills `op` (kind, operands, parameters) and creates its output tensor `out_name` with its
// scale and error bound.
void quantize_ext(QuantCtx& c, const Node& n, QOp& op, const std::string& out_name);

}  // namespace lpu::compiler::detail
