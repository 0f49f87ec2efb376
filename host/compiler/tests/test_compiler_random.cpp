// Random small graphs (random ops, shapes including non-multiples of the lane count, random
// weights): compile, run on the golden model, compare with the int8 reference bit for bit,
// the predicted cycles exactly and the float reference within the error bound.
#include "compiler_test_util.hpp"

namespace lpu::compiler::test {

namespace {

// A random DAG over activations of one row count: linear (bias, ReLU, scale granularity
// random), matmul with a computed right operand, add (+ReLU), mul, relu, requantize.
Graph random_graph(Rng& rng, std::uint32_t max_rows, std::uint32_t max_feat) {
  Builder b(rng);
  const auto rows = static_cast<std::uint32_t>(rng.range(1, static_cast<int>(max_rows)));
  auto feat = [&]() {
    return static_cast<std::uint32_t>(rng.range(1, static_cast<int>(max_feat)));
  };
  struct Act {
    std::string name;
    std::uint32_t cols;
  };
  std::vector<Act> acts;
  std::map<std::string, int> uses;
  const int n_in = rng.range(1, 2);
  for (int i = 0; i < n_in; ++i) {
    const std::uint32_t c = feat();
    acts.push_back({b.input({rows, c}), c});
  }
  const int n_ops = rng.range(1, 6);
  for (int i = 0; i < n_ops; ++i) {
    const Act x = acts[static_cast<std::size_t>(rng.range(0, static_cast<int>(acts.size()) - 1))];
    const int kind = rng.range(0, 6);
    Act y;
    if (kind <= 1) {
      const std::uint32_t n = feat();
      const int q = rng.range(0, 2);
      y = {b.linear(x.name, x.cols, n, rng.range(0, 1) == 1,
                    q == 0 ? "" : (q == 1 ? "per_tensor" : "per_channel")),
           n};
      if (rng.range(0, 1)) y.name = b.node(OpKind::relu, {y.name});
    } else if (kind == 2) {
      // The right operand is a fresh input [x.cols, n] (the row count of every other
      // activation is `rows`).
      const std::uint32_t n = feat();
      const std::string bm = b.input({x.cols, n});
      y = {b.node(OpKind::matmul, {x.name, bm}), n};
    } else if (kind <= 4) {
      // A partner of the same shape: an existing one, or a linear made for the purpose.
      std::vector<Act> same;
      for (const auto& a : acts) {
        if (a.cols == x.cols) same.push_back(a);
      }
      Act z = same[static_cast<std::size_t>(rng.range(0, static_cast<int>(same.size()) - 1))];
      if (rng.range(0, 1)) {
        const Act src =
            acts[static_cast<std::size_t>(rng.range(0, static_cast<int>(acts.size()) - 1))];
        z = {b.linear(src.name, src.cols, x.cols, true), x.cols};
      }
      y = {b.node(kind == 3 ? OpKind::add : OpKind::mul, {x.name, z.name}), x.cols};
      if (kind == 3 && rng.range(0, 1)) y.name = b.node(OpKind::relu, {y.name});
    } else if (kind == 5) {
      y = {b.node(OpKind::relu, {x.name}), x.cols};
    } else {
      y = {b.node(OpKind::requantize, {x.name}), x.cols};
    }
    acts.push_back(y);
  }
  // Outputs: the leaves, and sometimes an intermediate that is also consumed.
  std::set<std::string> consumed;
  for (const auto& n : b.g.nodes) {
    for (const auto& in : n.inputs) consumed.insert(in);
  }
  const std::set<std::string> inputs(b.g.inputs.begin(), b.g.inputs.end());
  std::vector<std::string> outs;
  for (const auto& a : acts) {
    if (inputs.count(a.name)) continue;
    if (!consumed.count(a.name) || rng.range(0, 4) == 0) outs.push_back(a.name);
  }
  if (outs.empty()) outs.push_back(b.node(OpKind::relu, {acts.back().name}));
  return b.finish(outs);
}

}  // namespace

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

}  // namespace lpu::compiler::test

namespace lpu::compiler::test {

namespace {

// Random chains of linear layers and the row-wise ops of round two (norms, softmax, GELU/SiLU,
// residual adds), as in transformer blocks.
Graph random_block(Rng& rng, std::uint32_t max_rows, std::uint32_t max_feat, int max_lut) {
  Builder b(rng);
  const auto rows = static_cast<std::uint32_t>(rng.range(1, static_cast<int>(max_rows)));
  std::uint32_t cols = static_cast<std::uint32_t>(rng.range(2, static_cast<int>(max_feat)));
  std::string x = b.input({rows, cols});
  int luts = 0;
  const int n_ops = rng.range(2, 6);
  for (int i = 0; i < n_ops; ++i) {
    const int kind = rng.range(0, 6);
    Attr eps;
    eps.number = rng.range(0, 1) ? 1e-5 : 1e-2;
    if (kind == 0) {
      const auto n = static_cast<std::uint32_t>(rng.range(2, static_cast<int>(max_feat)));
      x = b.linear(x, cols, n, true);
      cols = n;
    } else if (kind == 1) {
      x = b.node(OpKind::rms_norm, {x, b.constant({cols}, 2.0)}, {{"eps", eps}});
    } else if (kind == 2) {
      std::vector<std::string> ins = {x, b.constant({cols}, 2.0)};
      if (rng.range(0, 1)) ins.push_back(b.constant({cols}, 1.0));
      x = b.node(OpKind::layer_norm, ins, {{"eps", eps}});
    } else if (kind == 3) {
      x = b.node(OpKind::softmax, {x});
    } else if (kind == 4 && luts < max_lut) {
      ++luts;
      x = b.node(rng.range(0, 1) ? OpKind::gelu : OpKind::silu, {x});
    } else {
      x = b.node(OpKind::add, {x, b.linear(x, cols, cols, true)});
    }
  }
  return b.finish({x});
}

}  // namespace

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
