// Shape rules of the LUT activations, softmax, norms, embedding, reshape/transpose and
// attention_decode (docs/compiler.md "Ops"), and the index/state classification of inputs.
#include <algorithm>
#include <cmath>
#include <map>

#include "graph_rules.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::detail {

namespace {

const Attr* number_attr(const Graph& g, const Node& n, const std::string& key) {
  const Attr* a = n.attr(key);
  if (a && a->kind != Attr::Kind::number)
    throw Error(g.where(n) + ": attribute '" + key + "' must be a number");
  return a;
}

std::vector<std::int64_t> int_list(const Graph& g, const Node& n, const std::string& key) {
  const Attr* a = n.attr(key);
  if (!a) throw Error(g.where(n) + ": missing attribute '" + key + "'");
  if (a->kind != Attr::Kind::list)
    throw Error(g.where(n) + ": attribute '" + key + "' must be a list of integers");
  std::vector<std::int64_t> out;
  for (double d : a->list) {
    if (d != std::floor(d) || std::fabs(d) > 1e9)
      throw Error(g.where(n) + ": attribute '" + key + "' must be a list of integers");
    out.push_back(static_cast<std::int64_t>(d));
  }
  return out;
}

const TensorDecl& constant(const Graph& g, const Node& n, std::size_t i, const char* role) {
  const TensorDecl& t = g.tensor(n.inputs[i]);
  if (!t.is_const) {
    throw Error(g.where(n) + ": " + role + " '" + t.name + "' must be a constant (.npy or data)");
  }
  return t;
}

std::uint32_t rows_of(const Shape& s) {
  return static_cast<std::uint32_t>(shape_elements(s) / s.back());
}

void check_vector(const Graph& g, const Node& n, const TensorDecl& t, std::uint32_t d,
                  const char* role) {
  if (t.shape != Shape{d}) {
    throw Error(g.where(n) + ": " + role + " '" + t.name + "' has shape " + shape_str(t.shape) +
                ", expected [" + std::to_string(d) + "]");
  }
}

Shape norm_shape(const Graph& g, const Node& n) {
  const bool layer = n.op == OpKind::layer_norm;
  check_arity(g, n, 2, layer ? 3 : 2);
  check_attrs(g, n, {"eps"});
  if (const Attr* e = number_attr(g, n, "eps")) {
    if (!(e->number >= 0) || e->number > 1e6)
      throw Error(g.where(n) + ": attribute 'eps' must be a number in [0, 1e6]");
  }
  const TensorDecl& x = activation(g, n, 0, "input");
  const std::uint32_t d = x.shape.back();
  check_vector(g, n, constant(g, n, 1, "gamma"), d, "gamma");
  if (n.inputs.size() == 3) check_vector(g, n, constant(g, n, 2, "beta"), d, "beta");
  return x.shape;
}

Shape transpose_shape(const Graph& g, const Node& n) {
  check_arity(g, n, 1, 1);
  check_attrs(g, n, {"perm"});
  const TensorDecl& x = activation(g, n, 0, "input");
  const std::vector<std::int64_t> perm = int_list(g, n, "perm");
  const std::size_t r = x.shape.size();
  std::vector<bool> seen(r, false);
  bool ok = perm.size() == r;
  for (std::int64_t p : perm) {
    if (!ok || p < 0 || static_cast<std::size_t>(p) >= r || seen[static_cast<std::size_t>(p)]) {
      ok = false;
      break;
    }
    seen[static_cast<std::size_t>(p)] = true;
  }
  if (!ok) {
    throw Error(g.where(n) + ": attribute 'perm' must be a permutation of 0.." +
                std::to_string(r - 1) + " (the input has rank " + std::to_string(r) + ")");
  }
  // Supported: the last dimension stays last (whole rows move), or the last two swap.
  const bool keeps_last = perm.back() == static_cast<std::int64_t>(r - 1);
  bool swaps_last2 = r >= 2 && perm[r - 1] == static_cast<std::int64_t>(r - 2) &&
                     perm[r - 2] == static_cast<std::int64_t>(r - 1);
  for (std::size_t i = 0; i + 2 < r && swaps_last2; ++i)
    swaps_last2 = perm[i] == static_cast<std::int64_t>(i);
  if (!keeps_last && !swaps_last2) {
    throw Error(g.where(n) +
                ": this permutation is not supported: the last dimension must stay last, or "
                "only the last two dimensions may swap");
  }
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) out[i] = x.shape[static_cast<std::size_t>(perm[i])];
  return out;
}

Shape attention_shape(const Graph& g, const Node& n) {
  check_arity(g, n, 6, 6);
  check_attrs(g, n, {"heads", "scale"});
  const Attr* h = number_attr(g, n, "heads");
  if (!h || h->number != std::floor(h->number) || h->number < 1 || h->number > 4096)
    throw Error(g.where(n) + ": attribute 'heads' must be a positive integer");
  if (const Attr* s = number_attr(g, n, "scale")) {
    if (!(s->number > 0) || s->number > 1e6)
      throw Error(g.where(n) + ": attribute 'scale' must be a positive number");
  }
  const char* roles[] = {"q", "k", "v"};
  const TensorDecl& q = activation(g, n, 0, "q");
  const std::uint32_t d = q.shape.back();
  for (std::size_t i = 0; i < 3; ++i) {
    const TensorDecl& t = activation(g, n, i, roles[i]);
    if (rows_of(t.shape) != 1 || t.shape.back() != d) {
      throw Error(g.where(n) + ": " + roles[i] + " '" + t.name + "' has shape " +
                  shape_str(t.shape) + "; a decode step takes one row of " + std::to_string(d) +
                  " (the shape of q)");
    }
  }
  const auto heads = static_cast<std::uint32_t>(h->number);
  if (d % heads != 0) {
    throw Error(g.where(n) + ": " + std::to_string(d) + " columns do not split into " +
                std::to_string(heads) + " heads");
  }
  for (std::size_t i = 3; i < 5; ++i) {
    const TensorDecl& c = g.tensor(n.inputs[i]);
    if (c.shape.size() != 2 || c.shape[1] != d) {
      throw Error(g.where(n) + ": cache '" + c.name + "' has shape " + shape_str(c.shape) +
                  ", expected [T, " + std::to_string(d) + "] (T positions)");
    }
  }
  if (g.tensor(n.inputs[3]).shape != g.tensor(n.inputs[4]).shape) {
    throw Error(g.where(n) + ": the k and v caches have different shapes");
  }
  const TensorDecl& pos = g.tensor(n.inputs[5]);
  if (shape_elements(pos.shape) != 1) {
    throw Error(g.where(n) + ": position '" + pos.name + "' must hold one value, it has shape " +
                shape_str(pos.shape));
  }
  return q.shape;
}

}  // namespace

double attr_number(const Node& n, const std::string& key, double dflt) {
  const Attr* a = n.attr(key);
  return a && a->kind == Attr::Kind::number ? a->number : dflt;
}

std::string attr_string(const Node& n, const std::string& key, const std::string& dflt) {
  const Attr* a = n.attr(key);
  return a && a->kind == Attr::Kind::string ? a->str : dflt;
}

Shape reshape_target(const Graph& g, const Node& n, const Shape& in) {
  const std::vector<std::int64_t> want = int_list(g, n, "shape");
  if (want.empty() || want.size() > 4)
    throw Error(g.where(n) + ": attribute 'shape' must list 1 to 4 dimensions");
  const std::size_t total = shape_elements(in);
  std::size_t known = 1;
  int free = -1;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] == -1) {
      if (free >= 0) throw Error(g.where(n) + ": attribute 'shape' has more than one -1");
      free = static_cast<int>(i);
    } else if (want[i] < 1) {
      throw Error(g.where(n) + ": attribute 'shape' dimensions must be positive (or one -1)");
    } else {
      known *= static_cast<std::size_t>(want[i]);
    }
  }
  Shape out;
  for (std::int64_t w : want) out.push_back(static_cast<std::uint32_t>(w < 0 ? 1 : w));
  if (free >= 0) {
    if (known == 0 || total % known != 0) {
      throw Error(g.where(n) + ": cannot reshape " + shape_str(in) + " (" + std::to_string(total) +
                  " elements) with a -1 dimension");
    }
    out[static_cast<std::size_t>(free)] = static_cast<std::uint32_t>(total / known);
  }
  if (shape_elements(out) != total) {
    throw Error(g.where(n) + ": cannot reshape " + shape_str(in) + " (" + std::to_string(total) +
                " elements) to " + shape_str(out) + " (" + std::to_string(shape_elements(out)) +
                ")");
  }
  return out;
}

Shape infer_ext(const Graph& g, const Node& n) {
  switch (n.op) {
    case OpKind::gelu:
    case OpKind::silu: {
      check_arity(g, n, 1, 1);
      check_attrs(
          g, n,
          n.op == OpKind::gelu ? std::set<std::string>{"approximate"} : std::set<std::string>{});
      const std::string ap = attr_string(n, "approximate", "none");
      if (n.attr("approximate") &&
          (n.attr("approximate")->kind != Attr::Kind::string || (ap != "none" && ap != "tanh")))
        throw Error(g.where(n) + ": attribute 'approximate' must be \"none\" or \"tanh\"");
      return activation(g, n, 0, "input").shape;
    }
    case OpKind::softmax: {
      check_arity(g, n, 1, 1);
      check_attrs(g, n, {"axis"});
      const TensorDecl& x = activation(g, n, 0, "input");
      if (const Attr* a = number_attr(g, n, "axis")) {
        const double r = static_cast<double>(x.shape.size());
        if (a->number != -1 && a->number != r - 1)
          throw Error(g.where(n) + ": softmax is over the last dimension only (axis -1)");
      }
      return x.shape;
    }
    case OpKind::layer_norm:
    case OpKind::rms_norm:
      return norm_shape(g, n);
    case OpKind::embedding: {
      check_arity(g, n, 2, 2);
      check_attrs(g, n, {});
      const TensorDecl& ids = g.tensor(n.inputs[0]);
      const TensorDecl& table = constant(g, n, 1, "table");
      if (table.shape.size() != 2) {
        throw Error(g.where(n) + ": table '" + table.name + "' must have rank 2 [V, D], it has " +
                    shape_str(table.shape));
      }
      Shape out = ids.shape;
      out.push_back(table.shape[1]);
      return out;
    }
    case OpKind::reshape: {
      check_arity(g, n, 1, 1);
      check_attrs(g, n, {"shape"});
      return reshape_target(g, n, activation(g, n, 0, "input").shape);
    }
    case OpKind::transpose:
      return transpose_shape(g, n);
    case OpKind::attention_decode:
      return attention_shape(g, n);
    default:
      break;
  }
  throw Error(g.where(n) + ": internal: no shape rule");
}

void classify_inputs(Graph& g) {
  g.index_inputs.clear();
  g.state_inputs.clear();
  const std::set<std::string> inputs(g.inputs.begin(), g.inputs.end());
  // role of each use: 'i' index, 's' state, 'a' activation
  std::map<std::string, std::vector<std::pair<const Node*, char>>> uses;
  for (const auto& n : g.nodes) {
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      char role = 'a';
      if (n.op == OpKind::embedding && i == 0) role = 'i';
      if (n.op == OpKind::attention_decode && i == 5) role = 'i';
      if (n.op == OpKind::attention_decode && (i == 3 || i == 4)) role = 's';
      uses[n.inputs[i]].emplace_back(&n, role);
    }
  }
  for (const auto& [name, us] : uses) {
    bool idx = false, st = false, act = false;
    for (const auto& u : us) {
      idx |= u.second == 'i';
      st |= u.second == 's';
      act |= u.second == 'a';
    }
    if (!idx && !st) continue;
    const Node& n = *us.front().first;
    const std::string what = st ? "cache" : (n.op == OpKind::embedding ? "ids" : "position");
    if (!inputs.count(name)) {
      throw Error(g.where(n) + ": " + what + " '" + name + "' must be a model input (computed " +
                  what + " tensors are not supported)");
    }
    if (idx && (st || act)) {
      throw Error(g.source + ": input '" + name +
                  "' holds integers (embedding ids or a position) and is also used as " +
                  (st ? "a cache" : "an activation"));
    }
    if (st && (act || us.size() != 1)) {
      throw Error(g.where(n) + ": cache '" + name +
                  "' must be used by this node only (it is the node's state)");
    }
    (idx ? g.index_inputs : g.state_inputs).insert(name);
  }
  for (const auto& o : g.outputs) {
    if (g.state_inputs.count(o) || g.index_inputs.count(o))
      throw Error(g.source + ": output '" + o + "' is an input");
  }
}

}  // namespace lpu::compiler::detail
