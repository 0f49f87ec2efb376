// The ops of round two (LUT activations, softmax, norms, embedding, reshape/transpose,
// attention_decode), each compiled alone or in a small graph, on both configurations:
// golden model == int8 reference bit for bit, golden cycles == predicted cycles, float error
// within the bound.
#include "compiler_test_graphs.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::test {

namespace {

const std::vector<std::array<std::uint32_t, 2>> kRowShapes = {{1, 1},   {3, 5},  {7, 20},
                                                              {16, 32}, {5, 64}, {2, 100}};

// Straight-line code for row-wise ops: keep tiny's shapes inside its 1024-word memory.
bool small(const Config& cfg, const std::array<std::uint32_t, 2>& s) {
  return cfg.lanes >= 16 || s[0] * ((s[1] + cfg.lanes - 1) / cfg.lanes) <= 40;
}

}  // namespace

TEST_CASE("gelu and silu through the lookup table", "[compiler][ops2]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = config_by_name(cn);
    int seed = 11;
    for (const auto& s : kRowShapes) {
      for (int variant = 0; variant < 3; ++variant) {
        Rng rng(static_cast<std::uint64_t>(seed++));
        Builder b(rng);
        const std::string x = b.input({s[0], s[1]});
        const std::string y =
            variant == 2
                ? b.node(OpKind::silu, {x})
                : b.node(OpKind::gelu, {x}, {{"approximate", str(variant ? "tanh" : "none")}});
        const Graph g = b.finish({y});
        INFO(cn << " " << s[0] << "x" << s[1] << " variant " << variant);
        run_e2e(g, cfg, random_samples(g, rng, 3, 4.0));
      }
    }
  }
}

TEST_CASE("softmax over the last dimension", "[compiler][ops2]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = config_by_name(cn);
    int seed = 21;
    for (const auto& s : kRowShapes) {
      if (!small(cfg, s)) continue;
      Rng rng(static_cast<std::uint64_t>(seed++));
      Builder b(rng);
      const std::string x = b.input({s[0], s[1]});
      const Graph g = b.finish({b.node(OpKind::softmax, {x})});
      INFO(cn << " " << s[0] << "x" << s[1]);
      const E2E e = run_e2e(g, cfg, random_samples(g, rng, 3, 5.0));
      INFO("error / bound " << e.worst_err_ratio);
    }
  }
}

TEST_CASE("rms_norm and layer_norm (with and without beta)", "[compiler][ops2]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = config_by_name(cn);
    int seed = 31;
    for (const auto& s : kRowShapes) {
      for (int variant = 0; variant < 3; ++variant) {
        if (s[1] < 2 || !small(cfg, s)) continue;
        Rng rng(static_cast<std::uint64_t>(seed++));
        Builder b(rng);
        const std::string x = b.input({s[0], s[1]});
        std::vector<std::string> ins = {x, b.constant({s[1]}, 2.0)};
        if (variant == 2) ins.push_back(b.constant({s[1]}, 1.0));
        const std::string y = b.node(variant == 0 ? OpKind::rms_norm : OpKind::layer_norm, ins,
                                     {{"eps", num(variant == 1 ? 1e-2 : 1e-5)}});
        const Graph g = b.finish({y});
        INFO(cn << " " << s[0] << "x" << s[1] << " variant " << variant);
        const E2E e = run_e2e(g, cfg, random_samples(g, rng, 3, 3.0));
        INFO("error / bound " << e.worst_err_ratio);
      }
    }
  }
}

TEST_CASE("embedding lookup with vgather", "[compiler][ops2]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = config_by_name(cn);
    for (const Shape& ids : {Shape{1}, Shape{3}, Shape{2, 5}}) {
      Rng rng(41 + ids.size() + ids[0]);
      Builder b(rng);
      const std::string i = b.input(ids);
      const std::string t = b.constant({20, 24}, 1.0);
      const std::string e = b.node(OpKind::embedding, {i, t});
      const std::string y = b.node(OpKind::relu, {e});
      const Graph g = b.finish({e, y});
      REQUIRE(g.index_inputs.count(i) == 1);
      INFO(cn << " ids " << shape_str(ids));
      run_e2e(g, cfg, random_samples(g, rng, 3, 1.0, 20));
    }
  }
}

TEST_CASE("reshape and transpose", "[compiler][ops2]") {
  struct Case {
    Shape in;
    OpKind op;
    std::vector<double> arg;
  };
  const std::vector<Case> cases = {
      {{4, 32}, OpKind::reshape, {8, 16}},          // whole words move (base), same (tiny)
      {{1, 64}, OpKind::reshape, {4, 16}},          // the same words: shares memory
      {{2, 3, 16}, OpKind::reshape, {6, 16}},       // the same words
      {{2, 3, 16}, OpKind::transpose, {1, 0, 2}},   // rows move
      {{16, 32}, OpKind::transpose, {1, 0}},        // block transposes
      {{5, 20}, OpKind::transpose, {1, 0}},         // partial blocks
      {{2, 16, 16}, OpKind::transpose, {0, 2, 1}},  // batched
  };
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = config_by_name(cn);
    int seed = 51;
    for (const auto& c : cases) {
      Rng rng(static_cast<std::uint64_t>(seed++));
      Builder b(rng);
      const std::string x = b.input(c.in);
      const std::string h = b.node(OpKind::relu, {x});
      const std::string t =
          b.node(c.op, {h}, {{c.op == OpKind::reshape ? "shape" : "perm", list(c.arg)}});
      const std::string y = b.node(OpKind::relu, {t});
      const Graph g = b.finish({y});
      INFO(cn << " " << shape_str(c.in) << " -> " << shape_str(g.tensor(y).shape));
      run_e2e(g, cfg, random_samples(g, rng, 2, 2.0));
    }
  }
}

TEST_CASE("a reshape that moves elements within a row of lanes is an error", "[compiler][ops2]") {
  Rng rng(60);
  Builder b(rng);
  const std::string x = b.input({4, 20});
  const std::string t =
      b.node(OpKind::reshape, {b.node(OpKind::relu, {x})}, {{"shape", list({8, 10})}});
  const Graph g = b.finish({b.node(OpKind::relu, {t})});
  CompileOptions opt;
  opt.calibration = random_samples(g, rng, 1);
  REQUIRE_THROWS_WITH(compile(g, opt), Catch::Contains("moves elements within a row"));
}

TEST_CASE("attention decode steps with a KV cache in SRAM", "[compiler][ops2][attention]") {
  struct Case {
    const char* cfg;
    std::uint32_t d, heads, t;
  };
  for (const Case& c : {Case{"base", 32, 2, 32}, Case{"base", 64, 4, 64}, Case{"base", 64, 2, 32},
                        Case{"tiny", 8, 2, 8}, Case{"tiny", 16, 2, 12}}) {
    const Config& cfg = config_by_name(c.cfg);
    Rng rng(70 + c.d);
    const Graph g = attention_graph(rng, c.d, c.heads, c.t);
    REQUIRE(g.state_inputs.size() == 2);
    // Positions 0, 1, ..., then the cache wraps and the sequence restarts (stale rows of
    // the earlier pass must not contribute).
    std::vector<FTensorMap> steps = random_samples(g, rng, static_cast<int>(c.t + 3), 1.0);
    for (std::size_t i = 0; i < steps.size(); ++i)
      steps[i]["pos"].data[0] = static_cast<float>(i < c.t ? i : i - c.t);
    INFO(c.cfg << " d " << c.d << " heads " << c.heads << " T " << c.t);
    const E2E e = run_e2e(g, cfg, steps);
    INFO("cycles " << e.cycles << " instructions " << e.instructions << " error/bound "
                   << e.worst_err_ratio);
    WARN(c.cfg << " d " << c.d << ": cycles " << e.cycles << " instructions " << e.instructions
               << " error/bound " << e.worst_err_ratio);
    CHECK(e.cycles > 0);
  }
}

}  // namespace lpu::compiler::test
