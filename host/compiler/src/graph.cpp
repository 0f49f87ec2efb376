// Graph checks and shape inference (docs/compiler.md "Ops").
#include "lpu/compiler/graph.hpp"

#include <algorithm>
#include <set>

#include "graph_rules.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler {

const std::vector<OpDesc>& op_descs() {
  static const std::vector<OpDesc> kOps = {
      {OpKind::linear, "linear", true},
      {OpKind::matmul, "matmul", true},
      {OpKind::add, "add", true},
      {OpKind::mul, "mul", true},
      {OpKind::relu, "relu", true},
      {OpKind::requantize, "requantize", true},
      {OpKind::gelu, "gelu", true},
      {OpKind::silu, "silu", true},
      {OpKind::softmax, "softmax", true},
      {OpKind::layer_norm, "layer_norm", true},
      {OpKind::rms_norm, "rms_norm", true},
      {OpKind::embedding, "embedding", true},
      {OpKind::reshape, "reshape", true},
      {OpKind::transpose, "transpose", true},
      {OpKind::attention_decode, "attention_decode", true},
  };
  return kOps;
}

const OpDesc& op_desc(OpKind k) {
  for (const auto& d : op_descs()) {
    if (d.kind == k) return d;
  }
  throw Error("internal: op kind without a descriptor");
}

std::optional<OpKind> op_by_name(std::string_view name) {
  for (const auto& d : op_descs()) {
    if (d.name == name) return d.kind;
  }
  return std::nullopt;
}

const Attr* Node::attr(const std::string& key) const {
  const auto it = attrs.find(key);
  return it == attrs.end() ? nullptr : &it->second;
}

TensorDecl* Graph::find(const std::string& n) {
  for (auto& t : tensors) {
    if (t.name == n) return &t;
  }
  return nullptr;
}

const TensorDecl* Graph::find(const std::string& n) const {
  for (const auto& t : tensors) {
    if (t.name == n) return &t;
  }
  return nullptr;
}

const TensorDecl& Graph::tensor(const std::string& n) const {
  const TensorDecl* t = find(n);
  if (!t) throw Error(source + ": no tensor named '" + n + "'");
  return *t;
}

std::string Graph::where(const Node& n) const {
  return source + ": node '" + n.name + "' (" + std::string(op_desc(n.op).name) + ")";
}

bool valid_tensor_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '.') return false;
  }
  return true;
}

namespace detail {

void check_arity(const Graph& g, const Node& n, std::size_t min_in, std::size_t max_in) {
  if (n.inputs.size() < min_in || n.inputs.size() > max_in) {
    const std::string want = min_in == max_in
                                 ? std::to_string(min_in)
                                 : std::to_string(min_in) + " or " + std::to_string(max_in);
    throw Error(g.where(n) + ": takes " + want + " inputs, got " + std::to_string(n.inputs.size()));
  }
  if (n.outputs.size() != 1) {
    throw Error(g.where(n) + ": has one output, got " + std::to_string(n.outputs.size()));
  }
}

void check_attrs(const Graph& g, const Node& n, const std::set<std::string>& allowed) {
  for (const auto& [k, v] : n.attrs) {
    if (!allowed.count(k)) {
      std::string known;
      for (const auto& a : allowed) known += (known.empty() ? "" : ", ") + a;
      throw Error(g.where(n) + ": unknown attribute '" + k + "'" +
                  (known.empty() ? std::string(" (this op has none)") : " (known: " + known + ")"));
    }
  }
  if (const Attr* a = n.attr("weight_quant")) {
    if (a->kind != Attr::Kind::string || (a->str != "per_channel" && a->str != "per_tensor")) {
      throw Error(g.where(n) +
                  ": attribute 'weight_quant' must be \"per_channel\" or \"per_tensor\"");
    }
  }
  if (const Attr* a = n.attr("scale")) {
    if (a->kind != Attr::Kind::number || !(a->number > 0) || a->number > 1e30) {
      throw Error(g.where(n) + ": attribute 'scale' must be a positive number");
    }
  }
}

const TensorDecl& activation(const Graph& g, const Node& n, std::size_t i, const char* role) {
  const TensorDecl& t = g.tensor(n.inputs[i]);
  if (t.is_const) {
    throw Error(g.where(n) + ": " + role + " '" + t.name +
                "' is a constant; constant operands of " + std::string(op_desc(n.op).name) +
                " are not supported (the " + role + " must be computed or a graph input)");
  }
  return t;
}

}  // namespace detail

namespace {

using detail::activation;
using detail::check_arity;
using detail::check_attrs;

// The output shape of node `n` from its (already known) input shapes.
Shape infer(const Graph& g, const Node& n) {
  const OpDesc& d = op_desc(n.op);
  if (!d.implemented) {
    throw Error(
        g.where(n) + ": op '" + std::string(d.name) +
        "' is planned but not implemented yet (docs/compiler.md lists the implemented ops)");
  }
  switch (n.op) {
    case OpKind::linear:
    case OpKind::matmul: {
      const bool lin = n.op == OpKind::linear;
      check_arity(g, n, 2, lin ? 3 : 2);
      check_attrs(g, n, {"weight_quant"});
      const TensorDecl& x = activation(g, n, 0, "input");
      const TensorDecl& w = g.tensor(n.inputs[1]);
      if (lin && !w.is_const) {
        throw Error(g.where(n) + ": weight '" + w.name +
                    "' must be a constant (.npy); use matmul for two computed operands");
      }
      if (w.shape.size() != 2) {
        throw Error(g.where(n) + ": weight '" + w.name +
                    "' must have rank 2 [K, N], it has shape " + shape_str(w.shape));
      }
      const std::uint32_t k = x.shape.back();
      if (w.shape[0] != k) {
        throw Error(g.where(n) + ": input '" + x.name + "' has shape " + shape_str(x.shape) +
                    " and weight '" + w.name + "' has shape " + shape_str(w.shape) +
                    ": the inner dimensions differ (" + std::to_string(k) + " vs " +
                    std::to_string(w.shape[0]) + ")");
      }
      if (!w.is_const && n.attr("weight_quant") && n.attr("weight_quant")->str == "per_channel") {
        throw Error(g.where(n) +
                    ": a computed right operand is quantized per tensor; 'weight_quant' "
                    "per_channel needs a constant");
      }
      if (n.inputs.size() == 3) {
        const TensorDecl& b = g.tensor(n.inputs[2]);
        if (!b.is_const)
          throw Error(g.where(n) + ": bias '" + b.name + "' must be a constant (.npy)");
        if (b.shape != Shape{w.shape[1]}) {
          throw Error(g.where(n) + ": bias '" + b.name + "' has shape " + shape_str(b.shape) +
                      ", expected [" + std::to_string(w.shape[1]) + "]");
        }
      }
      Shape out = x.shape;
      out.back() = w.shape[1];
      return out;
    }
    case OpKind::add:
    case OpKind::mul: {
      check_arity(g, n, 2, 2);
      check_attrs(g, n, {});
      const TensorDecl& a = activation(g, n, 0, "operand");
      const TensorDecl& b = activation(g, n, 1, "operand");
      if (a.shape != b.shape) {
        throw Error(g.where(n) + ": operands '" + a.name + "' " + shape_str(a.shape) + " and '" +
                    b.name + "' " + shape_str(b.shape) +
                    " have different shapes (broadcasting is not supported yet)");
      }
      return a.shape;
    }
    case OpKind::relu:
    case OpKind::requantize: {
      check_arity(g, n, 1, 1);
      check_attrs(
          g, n,
          n.op == OpKind::requantize ? std::set<std::string>{"scale"} : std::set<std::string>{});
      return activation(g, n, 0, "input").shape;
    }
    default:
      return detail::infer_ext(g, n);
  }
  throw Error(g.where(n) + ": internal: no shape rule");
}

}  // namespace

void check_graph(Graph& g) {
  // Tensor names.
  std::set<std::string> names;
  for (const auto& t : g.tensors) {
    if (!valid_tensor_name(t.name)) {
      throw Error(g.source + ": tensor name '" + t.name +
                  "' is not [A-Za-z_][A-Za-z0-9_.]* of at most 64 bytes");
    }
    if (!names.insert(t.name).second)
      throw Error(g.source + ": tensor '" + t.name + "' is declared twice");
  }
  // Node names; outputs create undeclared intermediate tensors.
  std::set<std::string> node_names;
  for (auto& t : g.tensors) t.producer = -1;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.name.empty())
      throw Error(g.source + ": nodes[" + std::to_string(i) + "] has an empty name");
    if (!node_names.insert(n.name).second)
      throw Error(g.source + ": node name '" + n.name + "' is used twice");
    for (const auto& o : n.outputs) {
      TensorDecl* t = g.find(o);
      if (!t) {
        if (!valid_tensor_name(o)) {
          throw Error(g.where(n) + ": output name '" + o +
                      "' is not [A-Za-z_][A-Za-z0-9_.]* of at most 64 bytes");
        }
        TensorDecl d;
        d.name = o;
        g.tensors.push_back(d);
        t = &g.tensors.back();
      }
      if (t->is_const) throw Error(g.where(n) + ": output '" + o + "' is a constant tensor");
      if (t->producer >= 0) {
        throw Error(g.where(n) + ": output '" + o + "' is also produced by node '" +
                    g.nodes[t->producer].name + "'");
      }
      t->producer = static_cast<int>(i);
    }
  }
  // Graph inputs and outputs.
  std::set<std::string> seen;
  if (g.inputs.empty()) throw Error(g.source + ": the model has no inputs");
  if (g.outputs.empty()) throw Error(g.source + ": the model has no outputs");
  for (const auto& in : g.inputs) {
    const TensorDecl* t = g.find(in);
    if (!t)
      throw Error(g.source + ": input '" + in +
                  "' is not declared in 'tensors' (inputs need a shape)");
    if (!seen.insert(in).second) throw Error(g.source + ": input '" + in + "' is listed twice");
    if (t->is_const)
      throw Error(g.source + ": input '" + in + "' has data; an input is given at run time");
    if (t->producer >= 0)
      throw Error(g.source + ": input '" + in + "' is produced by node '" +
                  g.nodes[t->producer].name + "'");
    if (!t->has_shape) throw Error(g.source + ": input '" + in + "' has no shape");
  }
  seen.clear();
  for (const auto& out : g.outputs) {
    const TensorDecl* t = g.find(out);
    if (!t) throw Error(g.source + ": output '" + out + "' is not produced by any node");
    if (!seen.insert(out).second) throw Error(g.source + ": output '" + out + "' is listed twice");
    if (t->producer < 0) {
      throw Error(g.source + ": output '" + out + "' is not produced by any node (it is " +
                  (t->is_const ? "a constant" : "an input or undefined") + ")");
    }
  }
  const std::set<std::string> input_set(g.inputs.begin(), g.inputs.end());
  for (const auto& t : g.tensors) {
    if (!t.is_const && t.producer < 0 && !input_set.count(t.name)) {
      throw Error(g.source + ": tensor '" + t.name +
                  "' has no data, is not a model input and no node produces it");
    }
  }
  // Inputs of nodes must exist.
  for (const auto& n : g.nodes) {
    for (const auto& in : n.inputs) {
      if (!g.find(in))
        throw Error(g.where(n) + ": input '" + in + "' is not a tensor of the model");
    }
  }
  // Topological order (Kahn), stable in file order.
  std::set<std::string> avail;
  for (const auto& t : g.tensors) {
    if (t.is_const || input_set.count(t.name)) avail.insert(t.name);
  }
  std::vector<Node> order;
  std::vector<bool> done(g.nodes.size(), false);
  for (bool progress = true; progress && order.size() < g.nodes.size();) {
    progress = false;
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
      if (done[i]) continue;
      const Node& n = g.nodes[i];
      if (std::all_of(n.inputs.begin(), n.inputs.end(),
                      [&](const std::string& s) { return avail.count(s) > 0; })) {
        done[i] = true;
        progress = true;
        order.push_back(n);
        for (const auto& o : n.outputs) avail.insert(o);
      }
    }
  }
  if (order.size() < g.nodes.size()) {
    std::string stuck;
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
      if (!done[i]) stuck += (stuck.empty() ? "'" : ", '") + g.nodes[i].name + "'";
    }
    throw Error(g.source + ": the graph has a cycle through node(s) " + stuck);
  }
  g.nodes = std::move(order);
  for (auto& t : g.tensors) t.producer = -1;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& o : g.nodes[i].outputs) g.find(o)->producer = static_cast<int>(i);
  }
  // Shapes.
  for (auto& n : g.nodes) {
    const Shape s = infer(g, n);
    if (s.size() > 4)
      throw Error(g.where(n) + ": output rank " + std::to_string(s.size()) + " exceeds 4");
    TensorDecl* out = g.find(n.outputs[0]);
    if (out->has_shape && out->shape != s) {
      throw Error(g.where(n) + ": output '" + out->name + "' is declared " + shape_str(out->shape) +
                  " but the op gives " + shape_str(s));
    }
    out->shape = s;
    out->has_shape = true;
  }
  for (const auto& in : g.inputs) {
    if (g.tensor(in).shape.size() > 4)
      throw Error(g.source + ": input '" + in + "' has rank above 4");
  }
  detail::classify_inputs(g);
}

}  // namespace lpu::compiler
