// Multi-chip compilation (--chips N): the stages run on lpu::open_golden_system, every chip
// takes exactly its predicted cycles in every run, and the outputs are bit for bit those of
// the single-chip program (and of the int8 reference).
#include "compiler_test_graphs.hpp"
#include "lpu/system_device.hpp"

namespace lpu::compiler::test {

TEST_CASE("a transformer split over two chips gives the single chip's bits", "[compiler][chips]") {
  const Config& cfg = config_by_name("base");
  Rng rng(90);
  const std::uint32_t vocab = 32, d = 32, t = 32;
  const Graph g = transformer(rng, vocab, d, 2, t, 2, 64);
  const std::vector<FTensorMap> steps = decode_steps(g, rng, vocab, t, 40);
  const auto [one, two] = compile_one_and_two(g, cfg, steps);
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

  run_decode_one_and_two(g, cfg, one, two, steps,
                         q.tensors[static_cast<std::size_t>(q.outputs[0])].name);
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
    opt.loops = LoopMode::always;
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
