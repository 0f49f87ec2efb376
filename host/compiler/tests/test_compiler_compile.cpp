// The compile driver: the example model end to end, the container it writes, and the
// errors for models that do not fit.
#include "compiler_test_util.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::test {

namespace {

std::string compile_error(const Graph& g, const Config& cfg) {
  Rng rng(1);
  CompileOptions opt;
  opt.config = &cfg;
  opt.calibration = random_samples(g, rng, 1);
  try {
    compile(g, opt);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kExample = std::string(LPU_SOURCE_DIR) + "/examples/compiler/mlp.json";

}  // namespace

TEST_CASE("the example MLP compiles and runs exactly as predicted", "[compiler][example]") {
  const Graph g = load_graph(kExample);
  const Config& cfg = config_by_name("base");
  const std::vector<FTensorMap> calib = load_calibration(g, g.calibration);
  REQUIRE(calib.size() == 16);
  // Run on every calibration sample (the bound holds inside the calibration envelope).
  const E2E e = run_e2e(g, cfg, calib);
  INFO("example: " << e.instructions << " instructions, " << e.cycles << " cycles, MXU utilisation "
                   << e.utilisation);
  REQUIRE(e.cycles > 0);
  REQUIRE(e.instructions <= cfg.imem_depth);
  // x.npy is the first calibration sample.
  const FTensor x = read_npy_float(std::string(LPU_SOURCE_DIR) + "/examples/compiler/x.npy");
  REQUIRE(x.data == calib[0].at("x").data);
}

TEST_CASE("the container carries the schedule, the symbols and the I/O description",
          "[compiler][example]") {
  const Graph g = load_graph(kExample);
  CompileOptions opt;
  opt.verify = true;  // the compiler's own golden-model check passes
  const CompileResult r = compile(g, opt);
  const auto bytes = r.program.serialize();
  const Program p = Program::parse(bytes.data(), bytes.size(), "mlp.lpu");
  REQUIRE(p.predicted_cycles == r.predicted_cycles);
  REQUIRE(p.code == r.program.code);
  const Symbol* x = p.find_symbol("x");
  const Symbol* y = p.find_symbol("y");
  REQUIRE(x);
  REQUIRE(y);
  REQUIRE(x->kind == SymKind::input);
  REQUIRE(x->layout == Layout::tiled);
  REQUIRE(x->shape == std::vector<std::uint32_t>{16, 48});
  REQUIRE(y->shape == std::vector<std::uint32_t>{16, 16});  // 10 columns padded to a lane multiple
  const auto io = io_tensors(p);
  REQUIRE(io.size() == 2);
  REQUIRE(io[0].name == "x");
  REQUIRE(io[0].is_input);
  REQUIRE(io[0].scale == Approx(r.qgraph.tensor("x").scale).epsilon(1e-8));
  REQUIRE(io[1].shape == Shape{16, 10});
  REQUIRE(io[1].error_bound == Approx(r.qgraph.tensor("y").err).epsilon(1e-8));
  REQUIRE(io[1].calib_max_error <= io[1].error_bound);
  REQUIRE(io[1].calib_max_error > 0);
  // quantize_io / dequantize_io agree with the reference helpers.
  const FTensor xf = read_npy_float(std::string(LPU_SOURCE_DIR) + "/examples/compiler/x.npy");
  const Tensor xt = quantize_io(p, "x", xf);
  REQUIRE(xt.shape == x->shape);
  REQUIRE(from_device(r.qgraph.tensor("x"), xt, 16) ==
          quantize_values(xf.data, r.qgraph.tensor("x").scale));
  REQUIRE_THROWS_WITH(quantize_io(p, "y", xf), Catch::Contains("no compiled input named 'y'") &&
                                                   Catch::Contains("known: x"));
  REQUIRE_THROWS_WITH(quantize_io(p, "x", FTensor::zeros({16, 47})), Catch::Contains("[16, 48]"));
  const Tensor yt = Tensor::from_int8({16, 16}, std::vector<std::int8_t>(256, 2));
  const FTensor yf = dequantize_io(p, "y", yt);
  REQUIRE(yf.shape == Shape{16, 10});
  REQUIRE(yf.data[0] == Approx(2 * io[1].scale));
}

TEST_CASE("a model too large for the chip names the bytes and suggests --chips",
          "[compiler][fit]") {
  {
    Rng rng(2);
    Builder b(rng);
    const std::string x = b.input({4, 512});
    const std::string y =
        b.linear(x, 512, 512, false);  // 256 KiB of weights: more than base holds with activations
    const Graph g = b.finish({y});
    const std::string msg = compile_error(g, config_by_name("base"));
    INFO(msg);
    CHECK(msg.find("does not fit the 'base' chip") != std::string::npos);
    CHECK(msg.find("needs 266240 bytes") !=
          std::string::npos);  // 262144 weights + 2 x 2048 activations
    CHECK(msg.find("has 262144 bytes") != std::string::npos);
    CHECK(msg.find("no split over up to 16 chips fits") != std::string::npos);  // one op
  }
  {
    Rng rng(2);
    Builder b(rng);
    const std::string x = b.input({1, 512});
    const std::string h = b.linear(x, 512, 384, false);  // 192 KiB
    const std::string y = b.linear(h, 384, 256, false);  // 96 KiB
    const Graph g = b.finish({y});
    const std::string msg = compile_error(g, config_by_name("base"));
    INFO(msg);
    CHECK(msg.find("does not fit the 'base' chip") != std::string::npos);
    // 196608 + 98304 weight bytes + 512 + 384 + 256 activation bytes
    CHECK(msg.find("needs 296064 bytes") != std::string::npos);
    CHECK(msg.find("--chips 2 (the largest part then needs 197504 bytes") != std::string::npos);
  }
}

TEST_CASE("biases and per-channel scales beyond the accumulators are an error", "[compiler][fit]") {
  Rng rng(3);
  Builder b(rng);
  const std::string x = b.input({1, 16});
  const std::string y = b.linear(x, 16, 16 * 260, true);  // 260 bias + 260 scale entries > 512
  const Graph g = b.finish({y});
  const std::string msg = compile_error(g, config_by_name("base"));
  INFO(msg);
  CHECK(msg.find("need 520 accumulator entries") != std::string::npos);
  CHECK(msg.find("has 512") != std::string::npos);
}

TEST_CASE("lookup tables beyond the LUT are an error naming every table", "[compiler][fit]") {
  Rng rng(7);
  Builder b(rng);
  const std::string x = b.input({2, 8});
  const std::string y = b.node(OpKind::softmax, {b.node(OpKind::gelu, {x})});
  const Graph g = b.finish({y});
  const std::string msg = compile_error(g, config_by_name("tiny"));
  INFO(msg);
  CHECK(msg.find("does not fit the 'tiny' chip: its lookup tables need 336 entries") !=
        std::string::npos);
  CHECK(msg.find("(node:gelu_1 256, exp8x63 64, recip4 16)") != std::string::npos);
  CHECK(msg.find("holds 256") != std::string::npos);
  CHECK(compile_error(g, config_by_name("base")) == "(no error)");  // 1024 entries
}

TEST_CASE("a program longer than the instruction memory is an error", "[compiler][fit]") {
  Rng rng(4);
  Builder b(rng);
  const std::string x = b.input({64, 256});
  const std::string z = b.input({64, 256});
  const std::string y = b.node(OpKind::add, {x, z});
  const Graph g = b.finish({y});
  const std::string msg = compile_error(g, config_by_name("base"));
  INFO(msg);
  CHECK(msg.find("instruction memory holds 4096") != std::string::npos);
}

TEST_CASE("an input larger than one bank is an error", "[compiler][fit]") {
  Rng rng(5);
  Builder b(rng);
  const std::string x = b.input({400, 96});  // 6 column blocks x 400 rows = 2400 words > 2048
  const std::string y = b.node(OpKind::relu, {x});
  const Graph g = b.finish({y});
  const std::string msg = compile_error(g, config_by_name("base"));
  INFO(msg);
  CHECK(msg.find("tensor 'in0' needs 2400 consecutive words") != std::string::npos);
}

TEST_CASE("compiling without calibration data is an error", "[compiler][fit]") {
  Rng rng(6);
  Builder b(rng);
  const std::string x = b.input({2, 3}, "x");
  const Graph g = b.finish({b.node(OpKind::relu, {x})});
  REQUIRE_THROWS_WITH(compile(g, CompileOptions{}),
                      Catch::Contains("no calibration data for input 'x'"));
}

}  // namespace lpu::compiler::test
