// Multi-chip compilation (--chips N): the stages run on lpu::open_golden_system, every chip
// takes exactly its predicted cycles in every run, and the outputs are bit for bit those of
// the single-chip program (and of the int8 reference).
#include "compiler_test_util.hpp"
#include "lpu/system_device.hpp"

namespace lpu::compiler::test {

namespace {

Attr num(double v) {
  Attr a;
  a.kind = Attr::Kind::number;
  a.number = v;
  return a;
}

// A small decoder-only transformer decode step (the shape of examples/lm): token and
// position embeddings, pre-norm layers of attention and a GELU MLP, a final norm and head.
Graph transformer(Rng& rng, std::uint32_t vocab, std::uint32_t d, std::uint32_t heads,
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

std::vector<FTensorMap> decode_steps(const Graph& g, Rng& rng, std::uint32_t vocab, std::uint32_t t,
                                     int n) {
  std::vector<FTensorMap> s = random_samples(g, rng, n, 1.0, static_cast<int>(vocab));
  for (std::size_t i = 0; i < s.size(); ++i) s[i]["pos"].data[0] = static_cast<float>(i % t);
  return s;
}

}  // namespace

TEST_CASE("a transformer split over two chips gives the single chip's bits", "[compiler][chips]") {
  const Config& cfg = config_by_name("base");
  Rng rng(90);
  const std::uint32_t vocab = 32, d = 32, t = 32;
  const Graph g = transformer(rng, vocab, d, 2, t, 2, 64);
  const std::vector<FTensorMap> steps = decode_steps(g, rng, vocab, t, 40);
  CompileOptions opt;
  opt.config = &cfg;
  opt.calibration = steps;
  const CompileResult one = compile(g, opt);
  opt.chips = 2;
  const CompileResult two = compile(g, opt);
  REQUIRE(two.system.chips.size() == 2);
  // The layers split at a layer boundary: the residual and the position cross (3 words).
  REQUIRE(two.chip_stages[0].second == two.chip_stages[1].first);
  const QGraph& q = one.qgraph;
  REQUIRE(two.system.chips[0].find_symbol("token"));
  REQUIRE(io_chip(two.system, "token", true) == 0);
  REQUIRE(io_chip(two.system, "l1.k_cache", true) == 1);  // a cache lives with its layer
  REQUIRE(io_chip(two.system, q.tensors[static_cast<std::size_t>(q.outputs[0])].name, false) == 1);
  REQUIRE_THROWS_WITH(io_chip(two.system, "nope", true), Catch::Contains("known: token, pos"));
  REQUIRE(two.system.chips[1].find_symbol(q.tensors[static_cast<std::size_t>(q.outputs[0])].name));

  auto dev = open_golden_device(cfg);
  dev->load(one.program);
  auto sys = open_golden_system(cfg, 2);
  sys->load(two.system);
  QTensorMap state;
  const QTensor& out = q.tensors[static_cast<std::size_t>(q.outputs[0])];
  for (std::size_t i = 0; i < steps.size(); ++i) {
    QTensorMap in = state;
    for (const char* n : {"token", "pos"}) {
      const QTensor& qt = q.tensor(n);
      in[n] = quantize_input(qt, steps[i].at(n).data);
      dev->write_tensor(n, to_device(qt, in[n], cfg.lanes));
      sys->chip(0).write_tensor(n, to_device(qt, in[n], cfg.lanes));
    }
    const QTensorMap ref = run_int8(q, in);
    for (const auto& s : g.state_inputs) state[s] = ref.at(s);
    const RunResult r1 = dev->run();
    const std::vector<RunResult> r2 = sys->run();
    INFO("step " << i);
    REQUIRE(r1.ok());
    REQUIRE(r1.cycles == one.predicted_cycles);
    for (unsigned c = 0; c < 2; ++c) {
      INFO("chip " << c << " " << error_name(r2[c].error) << " at pc " << r2[c].error_pc);
      REQUIRE(r2[c].ok());
      REQUIRE(r2[c].cycles == two.system.chips[c].predicted_cycles);
    }
    const Tensor y1 = dev->read_tensor(out.name);
    const Tensor y2 = sys->chip(1).read_tensor(out.name);
    REQUIRE(y1.as_int8() == y2.as_int8());
    REQUIRE(from_device(out, y1, cfg.lanes) == ref.at(out.name));
  }
  WARN("transformer d=32: one chip "
       << one.predicted_cycles << " cycles, " << one.program.code.size()
       << " instructions; two chips " << two.chip_cycles[0] << " + " << two.chip_cycles[1]
       << " cycles, " << two.system.chips[0].code.size() << " + " << two.system.chips[1].code.size()
       << " instructions");
}

TEST_CASE("an MLP over three chips forwards a tensor through the middle chip",
          "[compiler][chips]") {
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = config_by_name(cn);
    Rng rng(91);
    Builder b(rng);
    const std::string x = b.input({2, 8}, "x");
    const std::string h1 = b.node(OpKind::relu, {b.linear(x, 8, 24, true)});
    const std::string h2 = b.node(OpKind::relu, {b.linear(h1, 24, 24, true)});
    const std::string h3 = b.linear(h2, 24, 8, true);
    const std::string y = b.node(OpKind::add, {h3, x});  // x is needed by the last chip
    const Graph g = b.finish({y, h1});
    const std::vector<FTensorMap> samples = random_samples(g, rng, 4);
    CompileOptions opt;
    opt.config = &cfg;
    opt.calibration = samples;
    opt.chips = 3;
    opt.verify = true;  // the compiler's own golden-system check passes
    const CompileResult r = compile(g, opt);
    REQUIRE(r.system.chips.size() == 3);
    auto sys = open_golden_system(cfg, 3);
    sys->load(r.system);
    const QGraph& q = r.qgraph;
    for (const auto& s : samples) {
      QTensorMap in;
      in["x"] = quantize_input(q.tensor("x"), s.at("x").data);
      sys->chip(0).write_tensor("x", to_device(q.tensor("x"), in["x"], cfg.lanes));
      const QTensorMap ref = run_int8(q, in);
      const std::vector<RunResult> rs = sys->run();
      for (unsigned c = 0; c < 3; ++c) {
        INFO(cn << " chip " << c);
        REQUIRE(rs[c].ok());
        REQUIRE(rs[c].cycles == r.system.chips[c].predicted_cycles);
      }
      // Each output is read from the chip that computes it.
      for (int o : q.outputs) {
        const QTensor& qt = q.tensors[static_cast<std::size_t>(o)];
        bool found = false;
        for (unsigned c = 0; c < 3; ++c) {
          if (!r.system.chips[c].find_symbol(qt.name)) continue;
          found = true;
          REQUIRE(from_device(qt, sys->chip(c).read_tensor(qt.name), cfg.lanes) == ref.at(qt.name));
        }
        REQUIRE(found);
      }
    }
  }
}

}  // namespace lpu::compiler::test
