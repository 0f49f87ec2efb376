// Internal to the compiler: the shape rules of graph.cpp shared with graph_ext.cpp (the ops
// added in round two: LUT activations, softmax, norms, embedding, reshape/transpose and
// attention_decode).
#pragma once

#include <cstddef>
#include <set>
#include <string>

#include "lpu/compiler/graph.hpp"

namespace lpu::compiler::detail {

void check_arity(const Graph& g, const Node& n, std::size_t min_in, std::size_t max_in);
void check_attrs(const Graph& g, const Node& n, const std::set<std::string>& allowed);
// Input i of n, which must not be a constant (`role` names it in the message).
const TensorDecl& activation(const Graph& g, const Node& n, std::size_t i, const char* role);

// Output shapes of the ops not handled in graph.cpp.
Shape infer_ext(const Graph& g, const Node& n);
// Fills g.index_inputs and g.state_inputs and checks how they are used.
void classify_inputs(Graph& g);

// Attribute accessors with defaults (already checked by infer_ext).
double attr_number(const Node& n, const std::string& key, double dflt);
std::string attr_string(const Node& n, const std::string& key, const std::string& dflt);
// The output shape of a reshape node given its input shape (resolves a -1 entry).
Shape reshape_target(const Graph& g, const Node& n, const Shape& in);

}  // namespace lpu::compiler::detail
