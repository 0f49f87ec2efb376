// The compiler's model format (docs/compiler.md "Model format"): a JSON graph of named
// float32 tensors and nodes, with constant tensors (weights) in .npy files beside the JSON.
//
// load_graph() parses, checks and shape-infers a model; every error is an lpu::Error
// "<file>: <where>: <what>" naming the node, tensor or JSON field at fault.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lpu/compiler/ftensor.hpp"

namespace lpu::compiler {

enum class OpKind {
  linear,
  matmul,
  add,
  mul,
  relu,
  requantize,
  // Planned (docs/compiler.md): parsed and named in errors, rejected by shape inference.
  gelu,
  silu,
  softmax,
  layer_norm,
  rms_norm,
  embedding,
  reshape,
  transpose,
  attention_decode,
};

struct OpDesc {
  OpKind kind;
  std::string_view name;
  bool implemented;
};
// Every op of the model format, in documentation order.
const std::vector<OpDesc>& op_descs();
const OpDesc& op_desc(OpKind k);
std::optional<OpKind> op_by_name(std::string_view name);

// An attribute value: a number, a string, or a list of numbers.
struct Attr {
  enum class Kind { number, string, list } kind = Kind::number;
  double number = 0;
  std::string str;
  std::vector<double> list;
};

struct TensorDecl {
  std::string name;
  Shape shape;  // empty until declared or inferred
  bool has_shape = false;
  bool is_const = false;    // has data (a weight)
  std::string file;         // the .npy it came from ("" for inline data)
  std::vector<float> data;  // constant values, row-major
  int producer = -1;        // node index, or -1 (graph input or constant)
};

struct Node {
  std::string name;
  OpKind op = OpKind::linear;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, Attr> attrs;

  const Attr* attr(const std::string& key) const;
};

struct Graph {
  std::string source;  // the JSON file (for messages)
  std::string dir;     // its directory (base of relative .npy paths)
  std::string name;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<TensorDecl> tensors;
  std::vector<Node> nodes;                         // in topological order after check_graph()
  std::map<std::string, std::string> calibration;  // input name -> .npy path (optional)
  // Set by check_graph(). Index inputs hold integers (embedding ids, the attention position):
  // exact, scale 1, 0..255 on the device. State inputs are the KV caches of attention_decode:
  // updated in place by the model, kept on the chip between runs (docs/compiler.md "State").
  std::set<std::string> index_inputs, state_inputs;

  TensorDecl* find(const std::string& name);
  const TensorDecl* find(const std::string& name) const;
  const TensorDecl& tensor(const std::string& name) const;  // throws when unknown
  // "<source>: node 'fc1' (linear)": the prefix of a node's error messages.
  std::string where(const Node& n) const;
};

// Reads, checks and shape-infers a model file.
Graph load_graph(const std::string& json_path);
// The same from text; `source` names it in messages, `dir` resolves relative .npy paths.
Graph parse_graph(const std::string& json_text, const std::string& source, const std::string& dir);
// Checks names, references and acyclicity, sorts nodes topologically and infers every
// tensor's shape (checking declared shapes). load_graph/parse_graph call it; a Graph built
// in code must be passed through it before use.
void check_graph(Graph& g);

// Symbol names of the container: [A-Za-z_][A-Za-z0-9_.]*, at most 64 bytes.
bool valid_tensor_name(const std::string& name);

}  // namespace lpu::compiler
