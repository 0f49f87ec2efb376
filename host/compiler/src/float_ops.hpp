// Internal to the compiler: the float32 meaning of the ops beyond linear/add/mul/relu
// (docs/compiler.md "Ops"), used by run_float and, for the scalar functions, by the
// quantizer's lookup tables.
#pragma once

#include <vector>

#include "lpu/compiler/graph.hpp"
#include "lpu/compiler/reference.hpp"

namespace lpu::compiler::detail {

double gelu(double x, bool tanh_approx);
double silu(double x);

// Computes node n. ins[i] is the value of input i, or nullptr for a constant (read from
// the graph). `state` is the map of all values: attention_decode updates its caches there.
FTensor float_op(const Graph& g, const Node& n, const std::vector<const FTensor*>& ins,
                 FTensorMap& state);

}  // namespace lpu::compiler::detail
