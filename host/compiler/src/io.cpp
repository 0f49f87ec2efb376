// The META description of a compiled model's inputs and outputs, and float <-> device
// tensor conversion for hosts (docs/compiler.md "Container").
#include <cstdlib>
#include <sstream>

#include "lpu/compiler/compile.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler {

namespace {

Shape parse_dims(const std::string& v, const std::string& key) {
  Shape s;
  std::stringstream ss(v);
  std::string part;
  while (std::getline(ss, part, ',')) {
    char* end = nullptr;
    const unsigned long d = std::strtoul(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || d == 0 || d > 0xFFFFFFFFul)
      throw Error("META " + key + ": bad shape '" + v + "'");
    s.push_back(static_cast<std::uint32_t>(d));
  }
  if (s.empty()) throw Error("META " + key + ": empty shape");
  return s;
}

double parse_num(const std::string& v, const std::string& key) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0') throw Error("META " + key + ": bad number '" + v + "'");
  return d;
}

const IoTensor& find_io(const std::vector<IoTensor>& io, const std::string& name, bool input) {
  std::string known;
  for (const auto& t : io) {
    if (t.name == name && t.is_input == input) return t;
    if (t.is_input == input) known += (known.empty() ? "" : ", ") + t.name;
  }
  throw Error(std::string("the program has no compiled ") + (input ? "input" : "output") +
              " named '" + name + "'" +
              (known.empty() ? std::string(" (it was not made by lpu compile?)")
                             : " (known: " + known + ")"));
}

}  // namespace

std::vector<IoTensor> io_tensors(const Program& p) {
  std::vector<IoTensor> out;
  std::stringstream ss(p.meta);
  std::string line;
  while (std::getline(ss, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), val = line.substr(eq + 1);
    const bool in = key.rfind("input.", 0) == 0, o = key.rfind("output.", 0) == 0;
    if (!in && !o) continue;
    const std::string rest = key.substr(in ? 6 : 7);
    const auto dot = rest.rfind('.');
    if (dot == std::string::npos) continue;
    const std::string name = rest.substr(0, dot), field = rest.substr(dot + 1);
    IoTensor* t = nullptr;
    for (auto& x : out) {
      if (x.name == name && x.is_input == in) t = &x;
    }
    if (!t) {
      out.push_back(IoTensor{name, in, {}, 1, 0, 0, false, false});
      t = &out.back();
    }
    if (field == "shape") t->shape = parse_dims(val, key);
    if (field == "scale") t->scale = parse_num(val, key);
    if (field == "error_bound") t->error_bound = parse_num(val, key);
    if (field == "calib_max_error") t->calib_max_error = parse_num(val, key);
    if (field == "index") t->is_index = val == "1";
    if (field == "state") t->is_state = val == "1";
  }
  return out;
}

std::size_t io_chip(const SystemProgram& sp, const std::string& name, bool input) {
  std::string known;
  for (std::size_t c = 0; c < sp.chips.size(); ++c) {
    for (const auto& t : io_tensors(sp.chips[c])) {
      if (t.name == name && t.is_input == input) return c;
      if (t.is_input == input) known += (known.empty() ? "" : ", ") + t.name;
    }
  }
  throw Error(std::string("the program has no compiled ") + (input ? "input" : "output") +
              " named '" + name + "'" +
              (known.empty() ? std::string() : " (known: " + known + ")"));
}

Tensor quantize_io(const Program& p, const std::string& name, const FTensor& x) {
  const auto io = io_tensors(p);
  const IoTensor& t = find_io(io, name, true);
  if (x.shape != t.shape) {
    throw Error("input '" + name + "' has shape " + shape_str(t.shape) + ", the data has shape " +
                shape_str(x.shape));
  }
  QTensor q;
  q.name = name;
  q.shape = t.shape;
  q.cols = t.shape.back();
  q.rows = static_cast<std::uint32_t>(shape_elements(t.shape) / q.cols);
  return to_device(
      q,
      t.is_index ? index_values(x.data, "input '" + name + "'") : quantize_values(x.data, t.scale),
      p.req.lanes);
}

FTensor dequantize_io(const Program& p, const std::string& name, const Tensor& dev) {
  const auto io = io_tensors(p);
  const IoTensor& t = find_io(io, name, false);
  QTensor q;
  q.name = name;
  q.shape = t.shape;
  q.cols = t.shape.back();
  q.rows = static_cast<std::uint32_t>(shape_elements(t.shape) / q.cols);
  return FTensor(t.shape, dequantize_values(from_device(q, dev, p.req.lanes), t.scale));
}

}  // namespace lpu::compiler
