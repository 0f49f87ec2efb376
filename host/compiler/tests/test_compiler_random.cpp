// Random small graphs (random ops, shapes including non-multiples of the lane count, random
// weights): compile, run on the golden model, compare with the int8 reference bit for bit,
// the predicted cycles exactly and the float reference within the error bound (the graphs:
// compiler_test_graphs.hpp).
#include "compiler_test_graphs.hpp"

namespace lpu::compiler::test {

TEST_CASE("random graphs on base", "[compiler][random]") {
  const Config& cfg = config_by_name("base");
  double worst = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    Rng rng(seed);
    const Graph g = random_graph(rng, 20, 56);
    INFO("seed " << seed << ", " << g.nodes.size() << " nodes");
    const QuantOptions qo{rng.range(0, 1) ? WeightQuant::per_channel : WeightQuant::per_tensor};
    const E2E e = run_e2e(g, cfg, random_samples(g, rng, 3), qo, seed % 2 == 0);
    worst = std::max(worst, e.worst_err_ratio);
  }
  // The bound is a worst case; the observed error stays below it (by construction of the
  // checks above) and should not be vacuous either.
  REQUIRE(worst > 0.01);
}

TEST_CASE("random graphs on tiny", "[compiler][random]") {
  const Config& cfg = config_by_name("tiny");
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Rng rng(seed * 7 + 3);
    const Graph g = random_graph(rng, 10, 14);
    INFO("seed " << seed << ", " << g.nodes.size() << " nodes");
    run_e2e(g, cfg, random_samples(g, rng, 2), {}, seed % 2 == 0);
  }
}

TEST_CASE("random transformer-like blocks on base and tiny", "[compiler][random]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = config_by_name(cn);
    const bool base = cfg.lanes >= 16;
    for (std::uint64_t seed = 1; seed <= (base ? 40u : 20u); ++seed) {
      Rng rng(seed * 13 + 5);
      const Graph g = random_block(rng, base ? 6 : 3, base ? 70 : 10, base ? 2 : 0);
      INFO(cn << " seed " << seed << ", " << g.nodes.size() << " nodes");
      run_e2e(g, cfg, random_samples(g, rng, 3, 2.0));
    }
  }
}

}  // namespace lpu::compiler::test
