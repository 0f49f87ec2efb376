// The float32 reference interpreter of a Graph: the meaning of a model, against which
// quantization error is measured (docs/compiler.md "Ops"). Tensors are stored as float32;
// dot products accumulate in double.
#pragma once

#include <map>
#include <string>

#include "lpu/compiler/graph.hpp"

namespace lpu::compiler {

using FTensorMap = std::map<std::string, FTensor>;

// Runs the graph on `inputs` (one tensor per model input, shapes checked) and returns every
// non-constant tensor's value (inputs, intermediates and outputs) by name.
FTensorMap run_float(const Graph& g, const FTensorMap& inputs);

}  // namespace lpu::compiler
