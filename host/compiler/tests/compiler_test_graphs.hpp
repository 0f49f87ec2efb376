// Graphs the compiler tests share: random DAGs of the elementwise ops and linear layers,
// random transformer-like blocks, an attention decode layer and a small decoder-only
// transformer (built in code, random weights).
#pragma once

#include "compiler_test_util.hpp"

namespace lpu::compiler::test {

// A random DAG over activations of one row count: linear (bias, ReLU, scale granularity
// random), matmul with a computed right operand, add (+ReLU), mul, relu, requantize.
inline Graph random_graph(Rng& rng, std::uint32_t max_rows, std::uint32_t max_feat) {
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

// Random chains of linear layers and the row-wise ops of round two (norms, softmax, GELU/SiLU,
// residual adds), as in transformer blocks.
inline Graph random_block(Rng& rng, std::uint32_t max_rows, std::uint32_t max_feat, int max_lut) {
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

// One attention layer's decode step: q, k, v projections of x, attention over the cache,
// an output projection.
inline Graph attention_graph(Rng& rng, std::uint32_t d, std::uint32_t heads, std::uint32_t t) {
  Builder b(rng);
  const std::string x = b.input({1, d}, "x");
  const std::string pos = b.input({1}, "pos");
  const std::string kc = b.input({t, d}, "k_cache");
  const std::string vc = b.input({t, d}, "v_cache");
  const std::string q = b.linear(x, d, d, true);
  const std::string k = b.linear(x, d, d, true);
  const std::string v = b.linear(x, d, d, true);
  const std::string a =
      b.node(OpKind::attention_decode, {q, k, v, kc, vc, pos}, {{"heads", num(heads)}});
  return b.finish({b.linear(a, d, d, true)});
}

// A small decoder-only transformer decode step (the shape of examples/lm): token and
// position embeddings, pre-norm layers of attention and a GELU MLP, a final norm and head.
inline Graph transformer(Rng& rng, std::uint32_t vocab, std::uint32_t d, std::uint32_t heads,
                         std::uint32_t t, std::uint32_t layers, std::uint32_t ff) {
  Builder b(rng);
  const std::string tok = b.input({1}, "token");
  const std::string pos = b.input({1}, "pos");
  std::vector<std::string> caches;
  for (std::uint32_t l = 0; l < layers; ++l) {
    caches.push_back(b.input({t, d}, "l" + std::to_string(l) + ".k_cache"));
    caches.push_back(b.input({t, d}, "l" + std::to_string(l) + ".v_cache"));
  }
  std::string x =
      b.node(OpKind::add, {b.node(OpKind::embedding, {tok, b.constant({vocab, d}, 1.0)}),
                           b.node(OpKind::embedding, {pos, b.constant({t, d}, 0.3)})});
  for (std::uint32_t l = 0; l < layers; ++l) {
    const std::string h = b.node(OpKind::rms_norm, {x, b.constant({d}, 1.5)}, {{"eps", num(1e-5)}});
    const std::string q = b.linear(h, d, d, true), k = b.linear(h, d, d, true),
                      v = b.linear(h, d, d, true);
    const std::string a =
        b.node(OpKind::attention_decode, {q, k, v, caches[2 * l], caches[2 * l + 1], pos},
               {{"heads", num(heads)}});
    x = b.node(OpKind::add, {x, b.linear(a, d, d, true)});
    const std::string h2 =
        b.node(OpKind::rms_norm, {x, b.constant({d}, 1.5)}, {{"eps", num(1e-5)}});
    const std::string u = b.node(OpKind::gelu, {b.linear(h2, d, ff, true)});
    x = b.node(OpKind::add, {x, b.linear(u, ff, d, true)});
  }
  const std::string hf = b.node(OpKind::rms_norm, {x, b.constant({d}, 1.5)}, {{"eps", num(1e-5)}});
  return b.finish({b.linear(hf, d, vocab, true)});
}

inline std::vector<FTensorMap> decode_steps(const Graph& g, Rng& rng, std::uint32_t vocab,
                                            std::uint32_t t, int n) {
  std::vector<FTensorMap> s = random_samples(g, rng, n, 1.0, static_cast<int>(vocab));
  for (std::size_t i = 0; i < s.size(); ++i) s[i]["pos"].data[0] = static_cast<float>(i % t);
  return s;
}

}  // namespace lpu::compiler::test
