// The float reference, calibration, quantization and the int8 reference against values
// worked out by hand.
#include <climits>

#include "compiler_test_util.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::test {

namespace {

TensorDecl constant(const std::string& name, const Shape& s, const std::vector<float>& v) {
  TensorDecl d;
  d.name = name;
  d.shape = s;
  d.has_shape = true;
  d.is_const = true;
  d.data = v;
  return d;
}

Node node(const std::string& name, OpKind op, const std::vector<std::string>& in,
          const std::string& out) {
  Node n;
  n.name = name;
  n.op = op;
  n.inputs = in;
  n.outputs = {out};
  return n;
}

// y = relu(x W + b) + x2 ; z = y * x2.   x, x2: [2, 2]; W [2, 2]; b [2].
Graph small_graph() {
  Graph g;
  g.source = "<hand>";
  TensorDecl x;
  x.name = "x";
  x.shape = {2, 2};
  x.has_shape = true;
  TensorDecl x2 = x;
  x2.name = "x2";
  g.tensors = {x, x2, constant("w", {2, 2}, {1, -1, 2, 0.5f}), constant("b", {2}, {0.5f, -4})};
  g.nodes = {node("fc", OpKind::linear, {"x", "w", "b"}, "h"),
             node("act", OpKind::relu, {"h"}, "r"), node("res", OpKind::add, {"r", "x2"}, "y"),
             node("gate", OpKind::mul, {"y", "x2"}, "z")};
  g.inputs = {"x", "x2"};
  g.outputs = {"y", "z"};
  check_graph(g);
  return g;
}

}  // namespace

TEST_CASE("the float reference computes the graph's meaning", "[compiler][reference]") {
  const Graph g = small_graph();
  FTensorMap in;
  in["x"] = FTensor({2, 2}, {1, 2, -3, 0.5f});
  in["x2"] = FTensor({2, 2}, {0.25f, -1, 2, 3});
  const FTensorMap v = run_float(g, in);
  // h row 0 = [1*1 + 2*2 + 0.5, 1*-1 + 2*0.5 - 4] = [5.5, -4]
  // h row 1 = [-3*1 + 0.5*2 + 0.5, -3*-1 + 0.5*0.5 - 4] = [-1.5, -0.75]
  REQUIRE(v.at("h").data == std::vector<float>{5.5f, -4, -1.5f, -0.75f});
  REQUIRE(v.at("r").data == std::vector<float>{5.5f, 0, 0, 0});
  REQUIRE(v.at("y").data == std::vector<float>{5.75f, -1, 2, 3});
  REQUIRE(v.at("z").data == std::vector<float>{5.75f * 0.25f, 1, 4, 9});
  // Shape checks.
  in["x"] = FTensor({2, 3}, std::vector<float>(6, 0));
  REQUIRE_THROWS_WITH(run_float(g, in), Catch::Contains("input 'x' has shape [2, 2]"));
}

TEST_CASE("calibration statistics", "[compiler][reference]") {
  const Graph g = small_graph();
  FTensorMap a, b;
  a["x"] = FTensor({2, 2}, {1, 2, -3, 0.5f});
  a["x2"] = FTensor({2, 2}, {0.25f, -1, 2, 3});
  b["x"] = FTensor({2, 2}, {0, 0, 4, -0.5f});
  b["x2"] = FTensor({2, 2}, {0, 0, 0, 0});
  const StatsMap s = calibrate(g, {a, b});
  REQUIRE(s.at("x").amax == 4);
  REQUIRE(s.at("x").row_l1 == 4.5);  // row [4, -0.5] of sample b
  REQUIRE(s.at("x2").amax == 3);
  REQUIRE(s.at("h").amax == 8.25);  // sample b, row 1: [4 - 1 + 0.5, -4 - 0.25 - 4]
  REQUIRE(s.count("w") == 0);       // constants are not calibrated
  // split_samples
  const FTensor arr({3, 2, 2}, std::vector<float>(12, 1));
  REQUIRE(split_samples(arr, {2, 2}, "a.npy").size() == 3);
  REQUIRE(split_samples(FTensor({2, 2}, std::vector<float>(4, 1)), {2, 2}, "a.npy").size() == 1);
  REQUIRE_THROWS_WITH(split_samples(arr, {2, 3}, "a.npy"),
                      Catch::Contains("a.npy") && Catch::Contains("[3, 2, 2]"));
}

TEST_CASE("quantize_values rounds half away from zero and saturates", "[compiler][quant]") {
  REQUIRE(quantize_values({0.5f, -0.5f, 1.49f, -1.5f, 200, -200, 126.6f}, 1.0) ==
          std::vector<std::int8_t>{1, -1, 1, -2, 127, -128, 127});
  REQUIRE(quantize_values({0.3f, -0.1f}, 0.2) ==
          std::vector<std::int8_t>{2, -1});  // 1.5 -> 2, -0.5 -> -1
}

TEST_CASE("multipliers use the largest shift that keeps them in range", "[compiler][quant]") {
  Multipliers m = choose_multipliers({0.5}, 32767);
  REQUIRE(m.shift == 15);
  REQUIRE(m.m == std::vector<std::int32_t>{16384});
  m = choose_multipliers({3.0}, 32767);
  REQUIRE(m.shift == 13);
  REQUIRE(m.m == std::vector<std::int32_t>{24576});
  m = choose_multipliers({1e6}, 32767);  // too large: clamped at shift 0
  REQUIRE(m.shift == 0);
  REQUIRE(m.m == std::vector<std::int32_t>{32767});
  m = choose_multipliers({0.25, 1.0}, std::int64_t{1} << 30);
  REQUIRE(m.shift == 30);
  REQUIRE(m.m == std::vector<std::int32_t>{1 << 28, 1 << 30});
  m = choose_multipliers({1e-30}, 32767);  // too small: zero at shift 63
  REQUIRE(m.shift == 63);
  REQUIRE(m.m == std::vector<std::int32_t>{0});
}

TEST_CASE("the int8 reference rounds and saturates like the ISA", "[compiler][quant]") {
  auto t = [](const std::string& n, std::uint32_t rows, std::uint32_t cols) {
    QTensor q;
    q.name = n;
    q.shape = {rows, cols};
    q.rows = rows;
    q.cols = cols;
    return q;
  };
  QGraph q;
  q.tensors = {t("a", 1, 7), t("r", 1, 7), t("s", 1, 7), t("ab", 1, 7), t("p", 1, 7), t("u", 1, 7)};
  q.inputs = {0};
  QOp rq;  // round_shift(a * 1, 1): half rounds toward +infinity
  rq.kind = QOpKind::requant;
  rq.a = 0;
  rq.out = 1;
  rq.mult = {1};
  rq.shift = 1;
  QOp sat;  // a * 1000: saturates
  sat.kind = QOpKind::requant;
  sat.a = 0;
  sat.out = 2;
  sat.mult = {1000};
  QOp add;  // round_shift(3a - 2r, 2), then ReLU before the shift
  add.kind = QOpKind::add;
  add.a = 0;
  add.b = 1;
  add.out = 3;
  add.mult = {3, -2};
  add.shift = 2;
  add.relu = true;
  QOp mul;  // round_shift(a * r * 5, 3)
  mul.kind = QOpKind::mul;
  mul.a = 0;
  mul.b = 1;
  mul.out = 4;
  mul.mult = {5};
  mul.shift = 3;
  QOp relu;
  relu.kind = QOpKind::relu;
  relu.a = 0;
  relu.out = 5;
  q.ops = {rq, sat, add, mul, relu};
  q.outputs = {1, 2, 3, 4, 5};
  const std::vector<std::int8_t> a = {-3, -2, -1, 0, 1, 2, 3};
  const QTensorMap v = run_int8(q, {{"a", a}});
  REQUIRE(v.at("r") == std::vector<std::int8_t>{-1, -1, 0, 0, 1, 1, 2});
  REQUIRE(v.at("s") == std::vector<std::int8_t>{-128, -128, -128, 0, 127, 127, 127});
  // 3a - 2r = [-7, -4, -3, 0, 1, 4, 5] -> relu [0, 0, 0, 0, 1, 4, 5] -> (x + 2) >> 2
  REQUIRE(v.at("ab") == std::vector<std::int8_t>{0, 0, 0, 0, 0, 1, 1});
  // a * r * 5 = [15, 10, 0, 0, 5, 10, 30] -> (x + 4) >> 3
  REQUIRE(v.at("p") == std::vector<std::int8_t>{2, 1, 0, 0, 1, 1, 4});
  REQUIRE(v.at("u") == std::vector<std::int8_t>{0, 0, 0, 0, 1, 2, 3});
}

TEST_CASE("the int8 matmul wraps its accumulator like the MXU", "[compiler][quant]") {
  QGraph q;
  QTensor a;
  a.name = "a";
  a.shape = {1, 2};
  a.rows = 1;
  a.cols = 2;
  QTensor y = a;
  y.name = "y";
  y.cols = 1;
  y.shape = {1, 1};
  q.tensors = {a, y};
  q.inputs = {0};
  q.outputs = {1};
  QOp mm;
  mm.kind = QOpKind::matmul;
  mm.a = 0;
  mm.out = 1;
  mm.k = 2;
  mm.n = 1;
  mm.w = {127, 1};
  mm.bias = {INT32_MAX - 100};  // 127*127 + ... overflows: wraps negative
  mm.mult = {1};
  mm.shift = 0;
  q.ops = {mm};
  REQUIRE(run_int8(q, {{"a", {127, 0}}}).at("y") == std::vector<std::int8_t>{-128});
  q.ops[0].relu = true;  // the wrapped (negative) sum is cut to zero
  REQUIRE(run_int8(q, {{"a", {127, 0}}}).at("y") == std::vector<std::int8_t>{0});
  q.ops[0].bias = {-16000};
  q.ops[0].relu = false;
  q.ops[0].mult = {3};
  q.ops[0].shift = 4;  // (127*127 + 3 - 16000) * 3 = 396 -> (396 + 8) >> 4 = 25
  REQUIRE(run_int8(q, {{"a", {127, 3}}}).at("y") == std::vector<std::int8_t>{25});
}

TEST_CASE("quantization fuses ReLUs only where the intermediate is private", "[compiler][quant]") {
  const Graph g = small_graph();
  Rng rng(3);
  const StatsMap s = calibrate(g, random_samples(g, rng, 2));
  const QGraph q = quantize(g, s);
  // fc+act fused; res (add) is an output so its consumer mul is separate.
  REQUIRE(q.ops.size() == 3);
  REQUIRE(q.ops[0].kind == QOpKind::matmul);
  REQUIRE(q.ops[0].relu);
  REQUIRE(q.ops[0].node == "fc+act");
  REQUIRE(q.find("h") < 0);
  REQUIRE(q.tensors[static_cast<std::size_t>(q.ops[0].out)].name == "r");
  REQUIRE(q.ops[1].kind == QOpKind::add);
  REQUIRE_FALSE(q.ops[1].relu);
  REQUIRE(q.ops[2].kind == QOpKind::mul);
  // Per-channel weights: one multiplier per output column; per-tensor: one.
  REQUIRE(q.ops[0].mult.size() == 2);
  QuantOptions pt;
  pt.weights = WeightQuant::per_tensor;
  REQUIRE(quantize(g, s, pt).ops[0].mult.size() == 1);
  // The weights use the full int8 range in each column.
  const auto& w = q.ops[0].w;  // W = [[1, -1], [2, 0.5]]: column scales 2/127 and 1/127
  REQUIRE(w == std::vector<std::int8_t>{64, -127, 127, 64});
}

TEST_CASE("nodes that feed no output are dropped", "[compiler][quant]") {
  Rng rng(9);
  Builder b(rng);
  const std::string x = b.input({3, 5});
  const std::string y = b.node(OpKind::relu, {x});
  b.linear(x, 5, 7, true);  // dead
  const Graph g = b.finish({y});
  const QGraph q = quantize(g, calibrate(g, random_samples(g, rng, 1)));
  REQUIRE(q.ops.size() == 1);
  REQUIRE(q.ops[0].kind == QOpKind::relu);
}

}  // namespace lpu::compiler::test
