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
    opt.loops = LoopMode::never;
    const CompileResult flat = compile(g, opt);
    opt.loops = LoopMode::always;
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
    run_e2e(g, cfg, samples);  // LoopMode::always: golden == int8 reference, exact cycles
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
    opt.loops = LoopMode::always;
    // tiny: single-ported banks; base: an odd number of k-blocks.
    REQUIRE(count_op(compile(g, opt).program.code, Op::loopi) == 0);
  }
}

TEST_CASE("LoopMode::fit uses loop regions only when straight-line code does not fit",
          "[compiler][loops]") {
  const Config& cfg = config_by_name("base");
  const auto build = [&](Rng& rng, unsigned layers, CompileOptions& opt) {
    Builder b(rng);
    std::string y = b.input({1, 256});
    for (unsigned i = 0; i < layers; ++i) y = b.linear(y, 256, 256, true);
    const Graph g = b.finish({y});
    opt.config = &cfg;
    opt.calibration = random_samples(g, rng, 1);
    opt.verify = true;  // every program below runs once on the golden model
    return g;
  };
  const auto with = [](CompileOptions opt, LoopMode m) {
    opt.loops = m;
    return opt;
  };
  SECTION("a program that fits straight-line stays straight-line") {
    Rng rng(220);
    CompileOptions opt;
    const Graph g = build(rng, 1, opt);
    const CompileResult fit = compile(g, opt);  // LoopMode::fit is the default
    const CompileResult flat = compile(g, with(opt, LoopMode::never));
    const CompileResult looped = compile(g, with(opt, LoopMode::always));
    REQUIRE(count_op(looped.program.code, Op::loopi) > 0);
    REQUIRE(count_op(fit.program.code, Op::loopi) == 0);
    REQUIRE(fit.program.code == flat.program.code);
    REQUIRE(fit.predicted_cycles == flat.predicted_cycles);
  }
  SECTION("a program too long straight-line gets its loops") {
    // Three 1 x 256 x 256 layers: about 1400 instructions each straight-line, 4096 fit.
    Rng rng(221);
    CompileOptions opt;
    const Graph g = build(rng, 3, opt);
    REQUIRE_THROWS_WITH(compile(g, with(opt, LoopMode::never)),
                        Catch::Contains("instruction memory holds " +
                                        std::to_string(cfg.imem_depth)));
    const CompileResult fit = compile(g, opt);
    const CompileResult looped = compile(g, with(opt, LoopMode::always));
    REQUIRE(count_op(fit.program.code, Op::loopi) > 0);
    REQUIRE(fit.program.code.size() <= cfg.imem_depth);
    REQUIRE(fit.program.code == looped.program.code);
  }
}

}  // namespace lpu::compiler::test
