// The compiler's programs on the RTL (issue 7, docs/compiler.md "Tests"): one graph per op
// and random small graphs, compiled for base and tiny, run on the Verilated chip (the
// driver's `sim` device: lpu_top in process, bytes through its side door) next to the golden
// model. Both runs get run_e2e's checks: outputs equal the compiler's int8 reference bit for
// bit (padding zero), cycles and MXU rows equal the container's predictions; the float
// error bound is checked on the golden run (the bits are the same). Only in builds with the
// Verilator models (LPU_HAVE_SIM_TRANSPORT); CTest prefix "compiler-rtl:".
#include "../compiler_test_graphs.hpp"

#ifdef LPU_HAVE_SIM_TRANSPORT

#include <chrono>
#include <memory>

#include "lpu/driver/frame_device.hpp"
#include "lpu/driver/system.hpp"
#include "lpu/isa.hpp"
#include "lpu/system_device.hpp"

namespace lpu::compiler::test {

namespace {

// The sim chip of a configuration, opened when first asked for and kept while the test case
// asks for the same configuration: programs are loaded over each other (run_e2e zeroes the
// caches it uses). One chip at a time: the previous one is closed first (it keeps memory
// down; several chips at once are fine: the driver:sim multi-open tests).
struct Chips {
  std::string name;
  std::unique_ptr<Device> chip;
  Device& operator()(const Config& cfg) {
    if (!chip || name != cfg.name) {
      chip.reset();
      name = cfg.name;
      chip = driver::open_device("sim:config=" + name, cfg);
    }
    return *chip;
  }
};

// Wall time of a test case, printed so that its budget can be watched (ctest -V).
struct Timer {
  const char* what;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  explicit Timer(const char* w) : what(w) {}
  ~Timer() {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    WARN(what << ": " << s << " s");
  }
};

struct OpCase {
  std::string name;
  Graph g;
  std::vector<FTensorMap> samples;
};

// One small graph per op (and per fusion or lowering variant), shaped to fit `cfg`.
std::vector<OpCase> op_cases(const Config& cfg) {
  const bool base = cfg.lanes >= 16;
  std::vector<OpCase> out;
  std::uint64_t seed = 300;
  auto add = [&](const std::string& name, auto build, double amp = 1.0, int index_limit = 16) {
    Rng rng(seed++);
    Builder b(rng);
    const Graph g = b.finish(build(b));
    out.push_back({name, g, random_samples(g, rng, 2, amp, index_limit)});
  };
  using Outs = std::vector<std::string>;
  add("linear (bias, per-channel)", [](Builder& b) -> Outs {
    return {b.linear(b.input({5, 20}), 20, 33, true)};
  });
  add("linear (per-tensor, no bias) + relu fused", [](Builder& b) -> Outs {
    return {b.node(OpKind::relu, {b.linear(b.input({3, 17}), 17, 7, false, "per_tensor")})};
  });
  add("matmul of two computed tensors", [](Builder& b) -> Outs {
    return {b.node(OpKind::matmul, {b.input({3, 20}), b.input({20, 7})})};
  });
  add("add + relu fused", [](Builder& b) -> Outs {
    return {b.node(OpKind::relu, {b.node(OpKind::add, {b.input({5, 20}), b.input({5, 20})})})};
  });
  add(
      "mul",
      [](Builder& b) -> Outs {
        return {b.node(OpKind::mul, {b.input({5, 20}), b.input({5, 20})})};
      },
      3.0);
  add("relu", [](Builder& b) -> Outs { return {b.node(OpKind::relu, {b.input({5, 20})})}; });
  add("requantize", [](Builder& b) -> Outs {
    return {b.node(OpKind::requantize, {b.input({5, 20})}, {{"scale", num(0.5 / 127)}})};
  });
  add(
      "gelu",
      [](Builder& b) -> Outs {
        return {b.node(OpKind::gelu, {b.input({3, 20})})};
      },
      4.0);
  add(
      "gelu (tanh)",
      [](Builder& b) -> Outs {
        return {b.node(OpKind::gelu, {b.input({3, 20})}, {{"approximate", str("tanh")}})};
      },
      4.0);
  add(
      "silu",
      [](Builder& b) -> Outs {
        return {b.node(OpKind::silu, {b.input({3, 20})})};
      },
      4.0);
  add(
      "softmax",
      [](Builder& b) -> Outs {
        return {b.node(OpKind::softmax, {b.input({3, 20})})};
      },
      5.0);
  if (base) {  // more than four column blocks: the three-pass form
    add(
        "softmax (three passes)",
        [](Builder& b) -> Outs {
          return {b.node(OpKind::softmax, {b.input({2, 100})})};
        },
        5.0);
  }
  add(
      "layer_norm (with beta)",
      [](Builder& b) -> Outs {
        return {b.node(OpKind::layer_norm,
                       {b.input({3, 20}), b.constant({20}, 2.0), b.constant({20}, 1.0)},
                       {{"eps", num(1e-5)}})};
      },
      3.0);
  add(
      "rms_norm",
      [](Builder& b) -> Outs {
        return {b.node(OpKind::rms_norm, {b.input({3, 20}), b.constant({20}, 2.0)},
                       {{"eps", num(1e-2)}})};
      },
      3.0);
  add(
      "embedding",
      [](Builder& b) -> Outs {
        const std::string e =
            b.node(OpKind::embedding, {b.input({2, 5}), b.constant({20, 24}, 1.0)});
        return {e, b.node(OpKind::relu, {e})};
      },
      1.0, 20);
  add(
      "reshape (whole words move)",
      [](Builder& b) -> Outs {
        const std::string h = b.node(OpKind::relu, {b.input({4, 32})});
        return {b.node(OpKind::relu, {b.node(OpKind::reshape, {h}, {{"shape", list({8, 16})}})})};
      },
      2.0);
  add(
      "transpose (rows move)",
      [](Builder& b) -> Outs {
        const std::string h = b.node(OpKind::relu, {b.input({2, 3, 16})});
        return {
            b.node(OpKind::relu, {b.node(OpKind::transpose, {h}, {{"perm", list({1, 0, 2})}})})};
      },
      2.0);
  add(
      "transpose (vtr blocks, partial)",
      [](Builder& b) -> Outs {
        const std::string h = b.node(OpKind::relu, {b.input({5, 20})});
        return {b.node(OpKind::relu, {b.node(OpKind::transpose, {h}, {{"perm", list({1, 0})}})})};
      },
      2.0);
  if (base) {  // tiny's single-ported banks never take the loop form
    add("linear as a hardware loop", [](Builder& b) -> Outs {
      return {b.linear(b.input({1, 64}), 64, 256, true)};
    });
    add("linear as four hardware loops (a bank per run)", [](Builder& b) -> Outs {
      return {b.node(OpKind::relu, {b.linear(b.input({2, 256}), 256, 256, true)})};
    });
  }
  return out;
}

void run_op_cases(const char* cn) {
  const Config& cfg = config_by_name(cn);
  Chips chips;
  for (const OpCase& c : op_cases(cfg)) {
    INFO(cn << ": " << c.name);
    run_e2e(c.g, cfg, c.samples, {}, true, &chips(cfg));
  }
}

}  // namespace

TEST_CASE("every op on the RTL chip: base", "[compiler-rtl]") {
  Timer t("ops, base");
  run_op_cases("base");
}

TEST_CASE("every op on the RTL chip: tiny", "[compiler-rtl]") {
  Timer t("ops, tiny");
  run_op_cases("tiny");
}

TEST_CASE("attention decode steps with a KV cache on the RTL chip", "[compiler-rtl]") {
  Timer t("attention");
  Chips chips;
  struct Case {
    const char* cfg;
    std::uint32_t d, heads, t;
  };
  for (const Case& c : {Case{"base", 32, 2, 32}, Case{"base", 64, 4, 16}, Case{"tiny", 8, 2, 8},
                        Case{"tiny", 16, 2, 12}}) {
    const Config& cfg = config_by_name(c.cfg);
    Rng rng(400 + c.d);
    const Graph g = attention_graph(rng, c.d, c.heads, c.t);
    // Positions 0..T-1, then the sequence restarts over stale rows.
    std::vector<FTensorMap> steps = random_samples(g, rng, static_cast<int>(c.t + 2), 1.0);
    for (std::size_t i = 0; i < steps.size(); ++i)
      steps[i]["pos"].data[0] = static_cast<float>(i % c.t);
    INFO(c.cfg << " d " << c.d << " heads " << c.heads << " T " << c.t);
    run_e2e(g, cfg, steps, {}, true, &chips(cfg));
  }
}

TEST_CASE("random small graphs on the RTL chip", "[compiler-rtl]") {
  Timer t("random graphs");
  Chips chips;
  for (const char* cn : {"base", "tiny"}) {
    const Config& cfg = config_by_name(cn);
    const bool base = cfg.lanes >= 16;
    for (std::uint64_t seed = 1; seed <= 16; ++seed) {
      Rng rng(500 + seed);
      const Graph g = base ? random_graph(rng, 12, 40) : random_graph(rng, 6, 12);
      INFO(cn << " DAG seed " << seed << ", " << g.nodes.size() << " nodes");
      run_e2e(g, cfg, random_samples(g, rng, 2), {}, seed % 2 == 0, &chips(cfg));
    }
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
      Rng rng(600 + seed);
      const Graph g = random_block(rng, base ? 4 : 3, base ? 40 : 10, base ? 1 : 0);
      INFO(cn << " block seed " << seed << ", " << g.nodes.size() << " nodes");
      run_e2e(g, cfg, random_samples(g, rng, 2, 2.0), {}, true, &chips(cfg));
    }
  }
}

TEST_CASE("a two-layer transformer decode step on the RTL chip", "[compiler-rtl]") {
  Timer t("transformer");
  const Config& cfg = config_by_name("base");
  Rng rng(800);
  const std::uint32_t vocab = 32, t_max = 32;
  const Graph g = transformer(rng, vocab, 32, 2, t_max, 2, 64);
  Chips chips;
  run_e2e(g, cfg, decode_steps(g, rng, vocab, t_max, 12), {}, true, &chips(cfg));
}

TEST_CASE("the examples/lm language model on the RTL chip", "[compiler-rtl]") {
  Timer t("examples/lm");
  const std::string path = lm_model_path();
  if (path.empty()) return;
  const Config& cfg = config_by_name("base");
  const Graph g = load_graph(path);
  // Calibrated on every step of the model's calibration set (as `lpu compile` does); the
  // first 8 steps (positions 0..7 of one window) run.
  const std::vector<FTensorMap> steps = load_calibration(g, g.calibration);
  REQUIRE(steps.size() >= 8);
  Chips chips;
  const E2E e = run_e2e(g, cfg, steps, {}, false, &chips(cfg), 8, LoopMode::fit);  // as `lpu compile`
  WARN("examples/lm: " << e.cycles << " cycles per token on the RTL chip");
}

TEST_CASE("the RTL checks catch a wrong cycle count", "[compiler-rtl]") {
  // The chip's cycles are measured, not the prediction echoed: a program one nop longer
  // takes one cycle more on the RTL, and run_mismatch flags it against the old prediction.
  const Config& cfg = config_by_name("base");
  Rng rng(700);
  Builder b(rng);
  const std::string x = b.input({3, 20});
  const Graph g = b.finish({b.linear(x, 20, 7, true)});
  CompileOptions opt;
  opt.config = &cfg;
  opt.calibration = random_samples(g, rng, 1);
  const CompileResult res = compile(g, opt);
  for (std::uint64_t w : res.program.code) REQUIRE(decode(w)->op != Op::loopi);  // no targets move
  const QTensor& qx = res.qgraph.tensor(x);
  const Tensor in = to_device(qx, quantize_input(qx, opt.calibration[0].at(x).data), cfg.lanes);
  Chips chips;
  Device& chip = chips(cfg);
  chip.load(res.program);
  chip.write_tensor(x, in);
  const RunResult r = chip.run();
  CHECK(run_mismatch(r, res.predicted_cycles, res.mxu_rows) == "");
  CHECK(run_mismatch(r, res.predicted_cycles + 1, res.mxu_rows) != "");
  CHECK(run_mismatch(r, res.predicted_cycles - 1, res.mxu_rows) != "");
  CHECK(run_mismatch(r, res.predicted_cycles, res.mxu_rows + 1) != "");

  Program longer = res.program;
  Instr nop;
  nop.op = Op::nop;  // count 0: one cycle
  longer.code.insert(longer.code.begin(), encode(nop));
  chip.load(longer);
  chip.write_tensor(x, in);
  const RunResult r2 = chip.run();
  CHECK(r2.ok());
  CHECK(r2.cycles == res.predicted_cycles + 1);
  CHECK(run_mismatch(r2, res.predicted_cycles, res.mxu_rows) != "");
}

#ifdef LPU_HAVE_MULTICHIP_SIM
// --chips 3 on three simulated chips (sim:chips=3: lpu_top models on their own clocks, joined
// by link channel models): every output, read from the chip that computes it, equals the
// int8 reference bit for bit, as on the golden system. Cycle counts are not compared: a
// chip's recv (and a waiting send) absorbs the real link timing (docs/isa.md "Links").
TEST_CASE("an MLP compiled for three chips runs on three simulated chips", "[compiler-rtl]") {
  Timer t("three chips, tiny");
  const Config& cfg = config_by_name("tiny");
  Rng rng(93);
  Builder b(rng);
  const std::string x = b.input({2, 8}, "x");
  const std::string h1 = b.node(OpKind::relu, {b.linear(x, 8, 24, true)});
  const std::string h2 = b.node(OpKind::relu, {b.linear(h1, 24, 24, true)});
  const std::string y = b.node(OpKind::add, {b.linear(h2, 24, 8, true), x});
  const Graph g = b.finish({y, h1});
  const std::vector<FTensorMap> samples = random_samples(g, rng, 2);
  CompileOptions opt;
  opt.config = &cfg;
  opt.calibration = samples;
  opt.chips = 3;
  opt.loops = LoopMode::always;
  const CompileResult r = compile(g, opt);
  REQUIRE(r.system.chips.size() == 3);
  const QGraph& q = r.qgraph;
  auto sim = driver::open_system_device("sim:chips=3,ppm=-300/0/500", cfg, 3);
  REQUIRE(sim->chips() == 3);
  REQUIRE_THAT(sim->name(), Catch::StartsWith("sim"));
  auto gold = open_golden_system(cfg, 3);
  sim->load(r.system);
  gold->load(r.system);
  for (const auto& s : samples) {
    QTensorMap in;
    in["x"] = quantize_input(q.tensor("x"), s.at("x").data);
    const Tensor tx = to_device(q.tensor("x"), in["x"], cfg.lanes);
    sim->chip(0).write_tensor("x", tx);
    gold->chip(0).write_tensor("x", tx);
    const QTensorMap ref = run_int8(q, in);
    const std::vector<RunResult> rs = sim->run();
    const std::vector<RunResult> rg = gold->run();
    for (unsigned c = 0; c < 3; ++c) {
      INFO("chip " << c);
      REQUIRE(rs[c].ok());
      REQUIRE(rg[c].ok());
    }
    for (int o : q.outputs) {
      const QTensor& qt = q.tensors[static_cast<std::size_t>(o)];
      bool found = false;
      for (unsigned c = 0; c < 3; ++c) {
        if (!r.system.chips[c].find_symbol(qt.name)) continue;
        found = true;
        INFO(qt.name << " on chip " << c);
        const Tensor got = sim->chip(c).read_tensor(qt.name);
        REQUIRE(from_device(qt, got, cfg.lanes) == ref.at(qt.name));
        REQUIRE(got.as_int8() == gold->chip(c).read_tensor(qt.name).as_int8());
      }
      REQUIRE(found);
    }
  }
}
#endif  // LPU_HAVE_MULTICHIP_SIM

}  // namespace lpu::compiler::test

#endif  // LPU_HAVE_SIM_TRANSPORT
