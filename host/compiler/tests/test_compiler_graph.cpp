// Model loading: a valid model with .npy weights, shape inference, and a clear error (file,
// node or tensor, what is wrong) for every kind of bad input.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "lpu/compiler/graph.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::test {

namespace {

namespace fs = std::filesystem;

// A scratch directory with a 20x16 weight and a 16-element bias.
struct Dir {
  fs::path path;
  Dir() {
    path = fs::temp_directory_path() / ("lpu_compiler_graph_" + std::to_string(::getpid()));
    fs::create_directories(path);
    write_npy_float((path / "w.npy").string(), FTensor::zeros({20, 16}));
    write_npy_float((path / "b.npy").string(), FTensor::zeros({16}));
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

// A model text: "format" header, input x [4, 20], the given tensors and nodes.
std::string model(const std::string& tensors, const std::string& nodes,
                  const std::string& outputs = "[\"y\"]") {
  return R"({"format": "lpu-model", "version": 1, "inputs": ["x"], "outputs": )" + outputs +
         R"(, "tensors": [{"name": "x", "shape": [4, 20]})" +
         (tensors.empty() ? "" : ", " + tensors) + R"(], "nodes": [)" + nodes + "]}";
}

const std::string kW = R"({"name": "w", "file": "w.npy"}, {"name": "b", "file": "b.npy"})";
const std::string kFc =
    R"({"name": "fc", "op": "linear", "inputs": ["x", "w", "b"], "outputs": ["y"]})";

std::string load_error(const Dir& d, const std::string& text) {
  const std::string path = d.write("m.json", text);
  try {
    load_graph(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a valid model loads with inferred shapes", "[compiler][graph]") {
  Dir d;
  const std::string text =
      model(kW, kFc + R"(, {"name": "act", "op": "relu", "inputs": ["y"], "outputs": ["z"]})",
            R"(["z"])");
  const Graph g = load_graph(d.write("m.json", text));
  REQUIRE(g.nodes.size() == 2);
  REQUIRE(g.tensor("y").shape == Shape{4, 16});
  REQUIRE(g.tensor("z").shape == Shape{4, 16});
  REQUIRE(g.tensor("w").is_const);
  REQUIRE(g.tensor("w").data.size() == 320);
  REQUIRE(g.nodes[0].name == "fc");
}

TEST_CASE("nodes are sorted topologically", "[compiler][graph]") {
  Dir d;
  // The relu is listed before the linear that feeds it.
  const std::string text =
      model(kW, R"({"name": "act", "op": "relu", "inputs": ["y"], "outputs": ["z"]}, )" + kFc,
            R"(["z"])");
  const Graph g = load_graph(d.write("m.json", text));
  REQUIRE(g.nodes[0].name == "fc");
  REQUIRE(g.nodes[1].name == "act");
}

TEST_CASE("model errors name the file, the node or tensor and the problem", "[compiler][graph]") {
  Dir d;
  struct Case {
    const char* what;
    std::string text;
    std::vector<std::string> expect;  // substrings of the message
  };
  const std::vector<Case> cases = {
      {"missing weight file",
       model(R"({"name": "w", "file": "nope.npy"}, {"name": "b", "file": "b.npy"})", kFc),
       {"m.json", "tensor 'w'", "nope.npy", "does not exist"}},
      {"unknown op",
       model(kW, R"({"name": "c1", "op": "convolution", "inputs": ["x"], "outputs": ["y"]})"),
       {"m.json", "node 'c1'", "unknown op 'convolution'", "known ops: linear"}},
      {"softmax axis",
       model(
           kW,
           R"({"name": "g", "op": "softmax", "inputs": ["x"], "outputs": ["y"], "attrs": {"axis": 0}})"),
       {"node 'g' (softmax)", "last dimension only"}},
      {"bad gelu attribute",
       model(
           kW,
           R"({"name": "g", "op": "gelu", "inputs": ["x"], "outputs": ["y"], "attrs": {"approximate": "fast"}})"),
       {"node 'g' (gelu)", "'approximate' must be"}},
      {"embedding ids must be an input",
       model(R"({"name": "tab", "shape": [4, 2], "data": [1,2,3,4,5,6,7,8]})",
             R"({"name": "r", "op": "relu", "inputs": ["x"], "outputs": ["i"]},
                {"name": "e", "op": "embedding", "inputs": ["i", "tab"], "outputs": ["y"]})"),
       {"node 'e' (embedding)", "ids 'i' must be a model input"}},
      {"inner dimensions",
       model(R"({"name": "w", "file": "w.npy"})",
             R"({"name": "fc", "op": "linear", "inputs": ["y0", "w"], "outputs": ["y"]},
                                    {"name": "fc0", "op": "linear", "inputs": ["x", "w"], "outputs": ["y0"]})"),
       {"node 'fc' (linear)", "[4, 16]", "[20, 16]", "inner dimensions differ (16 vs 20)"}},
      {"bias shape",
       model(R"({"name": "w", "file": "w.npy"}, {"name": "b", "data": [1, 2, 3]})", kFc),
       {"node 'fc' (linear)", "bias 'b'", "[3]", "expected [16]"}},
      {"declared output shape",
       model(kW + R"(, {"name": "y", "shape": [4, 15]})", kFc),
       {"node 'fc' (linear)", "output 'y' is declared [4, 15]", "gives [4, 16]"}},
      {"npy shape vs declared",
       model(R"({"name": "w", "shape": [20, 8], "file": "w.npy"}, {"name": "b", "file": "b.npy"})",
             kFc),
       {"tensor 'w'", "'w.npy' has shape [20, 16]", "declared [20, 8]"}},
      {"undefined input",
       model(kW, R"({"name": "fc", "op": "linear", "inputs": ["q", "w", "b"], "outputs": ["y"]})"),
       {"node 'fc' (linear)", "input 'q' is not a tensor of the model"}},
      {"cycle",
       model(kW, R"({"name": "a", "op": "relu", "inputs": ["v"], "outputs": ["u"]},
                            {"name": "b2", "op": "relu", "inputs": ["u"], "outputs": ["v"]}, )" +
                     kFc),
       {"cycle", "'a'", "'b2'"}},
      {"add shapes",
       model(kW, kFc + R"(, {"name": "s", "op": "add", "inputs": ["x", "y"], "outputs": ["z"]})",
             R"(["z"])"),
       {"node 's' (add)", "[4, 20]", "[4, 16]", "different shapes"}},
      {"unknown field",
       model(kW, R"({"name": "fc", "op": "linear", "input": ["x", "w"], "outputs": ["y"]})"),
       {"node 'fc'", "unknown field 'input'"}},
      {"unknown attribute",
       model(
           kW,
           R"({"name": "fc", "op": "linear", "inputs": ["x", "w"], "outputs": ["y"], "attrs": {"alpha": 1}})"),
       {"node 'fc' (linear)", "unknown attribute 'alpha'"}},
      {"output not produced",
       model(kW, kFc, R"(["y", "nothing"])"),
       {"output 'nothing' is not produced"}},
      {"constant activation",
       model(kW, R"({"name": "r", "op": "relu", "inputs": ["w"], "outputs": ["y"]})"),
       {"node 'r' (relu)", "'w' is a constant"}},
      {"two producers",
       model(kW, kFc + R"(, {"name": "r", "op": "relu", "inputs": ["x"], "outputs": ["y"]})"),
       {"node 'r' (relu)", "output 'y' is also produced by node 'fc'"}},
      {"bad json",
       "{\"format\": \"lpu-model\",\n  \"version\": 1,\n  oops}",
       {"m.json:3:", "JSON syntax error"}},
      {"wrong format", R"({"format": "onnx", "version": 1})", {"'format' is 'onnx'"}},
      {"bad name", model(R"({"name": "w-1", "file": "w.npy"})", kFc), {"tensor name 'w-1'"}},
      {"arity",
       model(kW, R"({"name": "m", "op": "mul", "inputs": ["x"], "outputs": ["y"]})"),
       {"node 'm' (mul)", "takes 2 inputs, got 1"}},
  };
  for (const auto& c : cases) {
    const std::string msg = load_error(d, c.text);
    INFO(c.what << ": " << msg);
    for (const auto& e : c.expect) CHECK(msg.find(e) != std::string::npos);
  }
}

TEST_CASE("float .npy files round-trip and bad ones are rejected", "[compiler][graph]") {
  Dir d;
  FTensor t({2, 3}, {1.5f, -2.0f, 0.0f, 3.25f, 1e-3f, -7.0f});
  const std::string p = (d.path / "t.npy").string();
  write_npy_float(p, t);
  const FTensor r = read_npy_float(p);
  REQUIRE(r.shape == t.shape);
  REQUIRE(r.data == t.data);
  const std::string junk = d.write("junk.npy", "not a numpy file at all");
  REQUIRE_THROWS_WITH(read_npy_float(junk),
                      Catch::Contains("junk.npy") && Catch::Contains("magic"));
  // Truncated data.
  auto bytes = serialize_npy_float(t);
  bytes.resize(bytes.size() - 4);
  REQUIRE_THROWS_WITH(parse_npy_float(bytes.data(), bytes.size(), "cut.npy"),
                      Catch::Contains("cut.npy") && Catch::Contains("needs 24"));
}

}  // namespace lpu::compiler::test
