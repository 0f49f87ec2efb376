// Every implemented op, compiled alone (and with its fusions) for both configurations, on
// shapes that are and are not multiples of the lane count: golden model == int8 reference
// bit for bit, golden cycles == predicted cycles, float error within the bound.
#include "compiler_test_util.hpp"

namespace lpu::compiler::test {

namespace {

const Config& cfg_named(const char* n) { return config_by_name(n); }

// Unrolled MXU code takes about four instructions per L x L weight tile: keep the tiny
// configuration's shapes inside its 1024-word instruction memory.
bool fits(const Config& cfg, std::uint32_t k, std::uint32_t n) {
  const std::uint32_t l = cfg.lanes;
  return ((k + l - 1) / l) * ((n + l - 1) / l) <= 120;
}

// Shapes (rows, in features, out features) that hit 1, < L, == L, > L and odd sizes on
// both configurations (lanes 4 and 16).
const std::vector<std::array<std::uint32_t, 3>> kShapes = {
    {1, 1, 1}, {1, 16, 16}, {3, 5, 7}, {7, 20, 33}, {16, 32, 16}, {33, 17, 4}, {5, 64, 48},
};

}  // namespace

TEST_CASE("linear with and without bias, per-channel and per-tensor", "[compiler][ops]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = cfg_named(cn);
    int seed = 1;
    for (const auto& s : kShapes) {
      if (!fits(cfg, s[1], s[2])) continue;
      for (int variant = 0; variant < 3; ++variant) {
        Rng rng(static_cast<std::uint64_t>(seed++));
        Builder b(rng);
        const std::string x = b.input({s[0], s[1]});
        const std::string y =
            b.linear(x, s[1], s[2], variant != 1, variant == 2 ? "per_tensor" : "");
        const Graph g = b.finish({y});
        INFO(cn << " shape " << s[0] << "x" << s[1] << "x" << s[2] << " variant " << variant);
        run_e2e(g, cfg, random_samples(g, rng, 2));
      }
    }
  }
}

TEST_CASE("linear followed by relu is fused", "[compiler][ops]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = cfg_named(cn);
    Rng rng(7);
    Builder b(rng);
    const std::string x = b.input({9, 21});
    const std::string h = b.linear(x, 21, 19, true);
    const std::string y = b.node(OpKind::relu, {h});
    const Graph g = b.finish({y});
    CompileOptions opt;
    opt.config = &cfg;
    opt.calibration = random_samples(g, rng, 1);
    const CompileResult res = compile(g, opt);
    REQUIRE(res.qgraph.ops.size() == 1);
    REQUIRE(res.qgraph.ops[0].relu);
    run_e2e(g, cfg, random_samples(g, rng, 3));
  }
}

TEST_CASE("matmul of two computed tensors", "[compiler][ops]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = cfg_named(cn);
    for (const auto& s : kShapes) {
      if (!fits(cfg, s[1], s[2])) continue;
      Rng rng(100 + s[0] + s[1] * 3 + s[2] * 7);
      Builder b(rng);
      const std::string a = b.input({s[0], s[1]});
      const std::string bm = b.input({s[1], s[2]});
      const std::string y = b.node(OpKind::matmul, {a, bm});
      const Graph g = b.finish({y});
      INFO(cn << " shape " << s[0] << "x" << s[1] << "x" << s[2]);
      run_e2e(g, cfg, random_samples(g, rng, 2));
    }
  }
}

TEST_CASE("elementwise add, add+relu, mul, relu, requantize", "[compiler][ops]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = cfg_named(cn);
    for (const auto& s : kShapes) {
      for (int kind = 0; kind < 5; ++kind) {
        Rng rng(1000 + s[0] * 13 + s[1] + static_cast<std::uint64_t>(kind) * 7919);
        Builder b(rng);
        const Shape shape = {s[0], s[2]};
        const std::string x = b.input(shape);
        const std::string z = b.input(shape);
        std::string y;
        switch (kind) {
          case 0:
            y = b.node(OpKind::add, {x, z});
            break;
          case 1:
            y = b.node(OpKind::relu, {b.node(OpKind::add, {x, z})});
            break;
          case 2:
            y = b.node(OpKind::mul, {x, z});
            break;
          case 3:
            y = b.node(OpKind::relu, {x});
            break;
          default: {
            Attr sc;
            sc.number = 0.5 / 127;  // a fixed, smaller scale: values above 0.5 saturate
            y = b.node(OpKind::requantize, {x}, {{"scale", sc}});
            break;
          }
        }
        const Graph g = b.finish({y});
        INFO(cn << " shape " << s[0] << "x" << s[2] << " kind " << kind);
        run_e2e(g, cfg, random_samples(g, rng, 2, kind == 2 ? 3.0 : 1.0));
      }
    }
  }
}

TEST_CASE("a model output that other nodes also consume", "[compiler][ops]") {
  Rng rng(5);
  Builder b(rng);
  const std::string x = b.input({6, 18});
  const std::string h = b.linear(x, 18, 24, true);
  const std::string r = b.node(OpKind::relu, {h});  // h is an output: relu is not fused
  const std::string y = b.linear(r, 24, 10, false);
  const Graph g = b.finish({h, y});
  for (const char* cn : {"base", "tiny"}) run_e2e(g, cfg_named(cn), random_samples(g, rng, 2));
}

}  // namespace lpu::compiler::test

namespace lpu::compiler::test {

TEST_CASE("matmuls with more rows than half the accumulators are cut into row chunks",
          "[compiler][ops]") {
  // base: 512 ACC entries -> chunks of 256 rows; tiny: 256 -> chunks of 128 (less the bias
  // entries at the top).
  for (const auto& [cn, rows] :
       {std::pair<const char*, std::uint32_t>{"base", 300}, {"tiny", 150}}) {
    const Config& cfg = config_by_name(cn);
    Rng rng(rows);
    Builder b(rng);
    const std::string x = b.input({rows, 6});
    const std::string y = b.node(OpKind::relu, {b.linear(x, 6, 3, true)});
    const Graph g = b.finish({y});
    INFO(cn);
    run_e2e(g, cfg, random_samples(g, rng, 2));
  }
}

}  // namespace lpu::compiler::test
