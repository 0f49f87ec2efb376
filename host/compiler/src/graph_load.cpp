// JSON model files to a Graph (docs/compiler.md "Model format"). Unknown fields are errors,
// so that a typo never silently changes a model.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "lpu/compiler/graph.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler {

namespace {

using json = nlohmann::json;

std::string line_col(const std::string& text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

std::string type_name(const json& j) { return j.type_name(); }

void check_keys(const json& obj, const std::set<std::string>& allowed, const std::string& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!allowed.count(it.key())) {
      std::string known;
      for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
      throw Error(where + ": unknown field '" + it.key() + "' (known: " + known + ")");
    }
  }
}

std::string get_string(const json& obj, const char* key, const std::string& where, bool required) {
  if (!obj.contains(key)) {
    if (required) throw Error(where + ": missing field '" + key + "'");
    return "";
  }
  const json& v = obj.at(key);
  if (!v.is_string())
    throw Error(where + ": field '" + key + "' must be a string, not " + type_name(v));
  return v.get<std::string>();
}

std::vector<std::string> get_names(const json& obj, const char* key, const std::string& where) {
  if (!obj.contains(key)) throw Error(where + ": missing field '" + key + "'");
  const json& v = obj.at(key);
  if (!v.is_array()) throw Error(where + ": field '" + key + "' must be a list of tensor names");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string())
      throw Error(where + ": field '" + key + "' must be a list of tensor names, found " +
                  type_name(e));
    out.push_back(e.get<std::string>());
  }
  return out;
}

Shape get_shape(const json& v, const std::string& where) {
  if (!v.is_array() || v.empty())
    throw Error(where + ": 'shape' must be a non-empty list of dimensions");
  Shape s;
  for (const auto& d : v) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 1 || d.get<std::int64_t>() > (1 << 24)) {
      throw Error(where + ": 'shape' dimensions must be integers in 1..16777216, found " +
                  d.dump());
    }
    s.push_back(static_cast<std::uint32_t>(d.get<std::int64_t>()));
  }
  return s;
}

Attr get_attr(const json& v, const std::string& where) {
  Attr a;
  if (v.is_number()) {
    a.kind = Attr::Kind::number;
    a.number = v.get<double>();
  } else if (v.is_string()) {
    a.kind = Attr::Kind::string;
    a.str = v.get<std::string>();
  } else if (v.is_array()) {
    a.kind = Attr::Kind::list;
    for (const auto& e : v) {
      if (!e.is_number())
        throw Error(where + ": list attributes hold numbers only, found " + type_name(e));
      a.list.push_back(e.get<double>());
    }
  } else {
    throw Error(where + ": an attribute is a number, a string or a list of numbers, not " +
                type_name(v));
  }
  return a;
}

TensorDecl parse_tensor(const json& t, const Graph& g, std::size_t index) {
  const std::string at = g.source + ": tensors[" + std::to_string(index) + "]";
  if (!t.is_object()) throw Error(at + ": must be an object");
  TensorDecl d;
  d.name = get_string(t, "name", at, true);
  const std::string where = g.source + ": tensor '" + d.name + "'";
  check_keys(t, {"name", "shape", "dtype", "file", "data"}, where);
  const std::string dtype = get_string(t, "dtype", where, false);
  if (!dtype.empty() && dtype != "float32")
    throw Error(where + ": dtype '" + dtype + "' (the model format is float32)");
  if (t.contains("shape")) {
    d.shape = get_shape(t.at("shape"), where);
    d.has_shape = true;
  }
  if (t.contains("file") && t.contains("data"))
    throw Error(where + ": give 'file' or 'data', not both");
  if (t.contains("file")) {
    d.file = get_string(t, "file", where, true);
    const std::filesystem::path p = std::filesystem::path(g.dir) / d.file;
    if (!std::filesystem::exists(p)) {
      throw Error(where + ": weight file '" + p.string() + "' does not exist");
    }
    FTensor f = read_npy_float(p.string());
    if (d.has_shape && f.shape != d.shape) {
      throw Error(where + ": '" + d.file + "' has shape " + shape_str(f.shape) +
                  ", the tensor is declared " + shape_str(d.shape));
    }
    d.shape = f.shape;
    d.has_shape = true;
    d.data = std::move(f.data);
    d.is_const = true;
  } else if (t.contains("data")) {
    const json& v = t.at("data");
    if (!v.is_array()) throw Error(where + ": 'data' must be a flat list of numbers");
    for (const auto& e : v) {
      if (!e.is_number())
        throw Error(where + ": 'data' must be a flat list of numbers, found " + type_name(e));
      d.data.push_back(e.get<float>());
    }
    if (!d.has_shape) d.shape = {static_cast<std::uint32_t>(d.data.size())};
    if (d.data.size() != shape_elements(d.shape)) {
      throw Error(where + ": 'data' has " + std::to_string(d.data.size()) + " values, shape " +
                  shape_str(d.shape) + " needs " + std::to_string(shape_elements(d.shape)));
    }
    d.has_shape = true;
    d.is_const = true;
  }
  return d;
}

Node parse_node(const json& n, const Graph& g, std::size_t index) {
  const std::string at = g.source + ": nodes[" + std::to_string(index) + "]";
  if (!n.is_object()) throw Error(at + ": must be an object");
  Node node;
  node.name = get_string(n, "name", at, true);
  const std::string where = g.source + ": node '" + node.name + "'";
  check_keys(n, {"name", "op", "inputs", "outputs", "attrs"}, where);
  const std::string op = get_string(n, "op", where, true);
  const auto kind = op_by_name(op);
  if (!kind) {
    std::string known;
    for (const auto& d : op_descs()) known += (known.empty() ? "" : ", ") + std::string(d.name);
    throw Error(where + ": unknown op '" + op + "' (known ops: " + known + ")");
  }
  node.op = *kind;
  node.inputs = get_names(n, "inputs", where);
  node.outputs = get_names(n, "outputs", where);
  if (n.contains("attrs")) {
    const json& a = n.at("attrs");
    if (!a.is_object()) throw Error(where + ": 'attrs' must be an object");
    for (auto it = a.begin(); it != a.end(); ++it) {
      node.attrs[it.key()] = get_attr(it.value(), where + ": attribute '" + it.key() + "'");
    }
  }
  return node;
}

}  // namespace

Graph parse_graph(const std::string& text, const std::string& source, const std::string& dir) {
  Graph g;
  g.source = source;
  g.dir = dir;
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string msg =
        e.what();  // "[json.exception.parse_error.101] parse error at line 3, column 3: ..."
    const auto col = msg.find("column ");
    const auto colon = col == std::string::npos ? std::string::npos : msg.find(": ", col);
    if (colon != std::string::npos) msg = msg.substr(colon + 2);
    throw Error(source + ":" + line_col(text, e.byte > 0 ? e.byte - 1 : 0) +
                ": JSON syntax error: " + msg);
  }
  if (!root.is_object()) throw Error(source + ": the model must be a JSON object");
  check_keys(root,
             {"format", "version", "name", "inputs", "outputs", "tensors", "nodes", "calibration"},
             source);
  const std::string fmt = get_string(root, "format", source, true);
  if (fmt != "lpu-model") throw Error(source + ": 'format' is '" + fmt + "', expected 'lpu-model'");
  if (!root.contains("version") || !root.at("version").is_number_integer() ||
      root.at("version").get<int>() != 1) {
    throw Error(source + ": 'version' must be 1");
  }
  g.name = get_string(root, "name", source, false);
  g.inputs = get_names(root, "inputs", source);
  g.outputs = get_names(root, "outputs", source);
  if (!root.contains("tensors") || !root.at("tensors").is_array())
    throw Error(source + ": missing list 'tensors'");
  if (!root.contains("nodes") || !root.at("nodes").is_array())
    throw Error(source + ": missing list 'nodes'");
  std::size_t i = 0;
  for (const auto& t : root.at("tensors")) g.tensors.push_back(parse_tensor(t, g, i++));
  i = 0;
  for (const auto& n : root.at("nodes")) g.nodes.push_back(parse_node(n, g, i++));
  if (root.contains("calibration")) {
    const json& c = root.at("calibration");
    if (!c.is_object()) throw Error(source + ": 'calibration' must map input names to .npy files");
    for (auto it = c.begin(); it != c.end(); ++it) {
      if (!it.value().is_string())
        throw Error(source + ": calibration '" + it.key() + "' must be a file name");
      g.calibration[it.key()] =
          (std::filesystem::path(dir) / it.value().get<std::string>()).string();
    }
  }
  check_graph(g);
  return g;
}

Graph load_graph(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open the model file");
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return parse_graph(text, path, dir);
}

}  // namespace lpu::compiler
