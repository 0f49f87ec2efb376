// Loop regions: matmuls whose column blocks repeat become loopi bodies. The program is
// shorter than the straight-line one and computes the same bits in exactly the predicted
// cycles (run_e2e checks every run on the golden model).
#include "compiler_test_util.hpp"

namespace lpu::compiler::test {

namespace {

std::size_t count_op(const std::vector<std::uint64_t>& code, Op op) {
  std::size_t n = 0;
  for (auto w : code) n += decode(w)->op == op;
  return n;
}

}  // namespace

TEST_CASE("linear layers become hardware loops", "[compiler][loops]") {
  const Config& cfg = config_by_name("base");
  struct Case {
    std::uint32_t rows, k, n;
    bool bias, relu;
    const char* wq;
  };
  const std::vector<Case> cases = {
      {1, 64, 256, true, false, ""},  {1, 256, 64, true, false, ""},
      {1, 64, 64, false, true, ""},   {3, 64, 80, true, true, "per_tensor"},
      {4, 64, 64, true, false, ""},   {2, 128, 48, false, false, "per_tensor"},
      {1, 256, 256, true, false, ""},  // 4096 words of weights: two runs of a bank, two loops
  };
  int seed = 200;
  for (const auto& c : cases) {
    Rng rng(static_cast<std::uint64_t>(seed++));
    Builder b(rng);
    const std::string x = b.input({c.rows, c.k});
    std::string y = b.linear(x, c.k, c.n, c.bias, c.wq);
    if (c.relu) y = b.node(OpKind::relu, {y});
    const Graph g = b.finish({y});
    const std::vector<FTensorMap> samples = random_samples(g, rng, 2);
    CompileOptions opt;
    opt.config = &cfg;
    opt.calibration = samples;
    opt.loops = false;
    const CompileResult flat = compile(g, opt);
    opt.loops = true;
    const CompileResult looped = compile(g, opt);
    INFO(c.rows << "x" << c.k << "x" << c.n);
    REQUIRE(count_op(flat.program.code, Op::loopi) == 0);
    // One loop per bank the weights occupy (each bank holds one run of them).
    const std::uint32_t weight_words = c.k * c.n / cfg.lanes;
    const std::uint32_t runs = (weight_words + cfg.bank_depth - 1) / cfg.bank_depth;
    REQUIRE(count_op(looped.program.code, Op::loopi) == runs);
    CHECK(looped.program.code.size() < flat.program.code.size());
    // Same MXU work; the loop keeps the weight-load rate (a few cycles of slack at most).
    CHECK(looped.mxu_rows == flat.mxu_rows);
    CHECK(looped.predicted_cycles <= flat.predicted_cycles + flat.predicted_cycles / 10);
    run_e2e(g, cfg, samples);  // loops on (the default): golden == int8 reference, exact cycles
  }
}

TEST_CASE("loop regions do not apply where the blocks do not repeat", "[compiler][loops]") {
  Rng rng(210);
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = config_by_name(cn);
    Builder b(rng);
    const std::uint32_t k = 3 * cfg.lanes, n = 4 * cfg.lanes;  // 3 k-blocks (odd): no loop
    const std::string x = b.input({1, k});
    const Graph g = b.finish({b.linear(x, k, n, true)});
    CompileOptions opt;
    opt.config = &cfg;
    opt.calibration = random_samples(g, rng, 1);
    // tiny: single-ported banks; base: an odd number of k-blocks.
    REQUIRE(count_op(compile(g, opt).program.code, Op::loopi) == 0);
  }
}

}  // namespace lpu::compiler::test
