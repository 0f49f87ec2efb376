// Internal to the compiler: the int8 reference of the ops of round two (see int8_ops.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "lpu/compiler/quant.hpp"

namespace lpu::compiler::detail {

// Computes `op` into `y` (already sized); attention updates its caches in `v`.
void run_int8_op(const QGraph& q, const QOp& op, QTensorMap& v, std::vector<std::int8_t>& y);

}  // namespace lpu::compiler::detail
