// The language model of examples/lm (when its export is present): compiled for one chip and
// for two, every decode step on the golden model / golden system equals the int8 reference
// bit for bit in exactly the predicted cycles, and the two programs agree.
#include <filesystem>

#include "compiler_test_util.hpp"
#include "lpu/system_device.hpp"

namespace lpu::compiler::test {

TEST_CASE("the examples/lm language model on one and two chips", "[compiler][lm]") {
  const std::string path = std::string(LPU_SOURCE_DIR) + "/examples/lm/model.json";
  if (!std::filesystem::exists(path)) {
    WARN("examples/lm/model.json is not there: skipped");
    return;
  }
  const Config& cfg = config_by_name("base");
  const Graph g = load_graph(path);
  std::vector<FTensorMap> steps = load_calibration(g, g.calibration);
  REQUIRE(steps.size() >= 24);
  steps.resize(24);  // positions 0..23 of one window: enough to calibrate and to run
  // The float reference agrees with examples/lm's own numpy reference (calib/logits.npy).
  const std::string ref_path = std::string(LPU_SOURCE_DIR) + "/examples/lm/calib/logits.npy";
  if (std::filesystem::exists(ref_path)) {
    const FTensor want = read_npy_float(ref_path);
    FTensorMap fstate;
    double worst = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      FTensorMap in = steps[i];
      for (const auto& [k, v] : fstate) in[k] = v;
      const FTensorMap f = run_float(g, in);
      for (const auto& s : g.state_inputs) fstate[s] = f.at(s);
      const auto& z = f.at("logits").data;
      for (std::size_t j = 0; j < z.size(); ++j)
        worst = std::max(worst, std::fabs(static_cast<double>(z[j]) - want.data[i * z.size() + j]));
    }
    CHECK(worst < 1e-3);
  }
  CompileOptions opt;
  opt.config = &cfg;
  opt.calibration = steps;
  const CompileResult one = compile(g, opt);
  opt.chips = 2;
  const CompileResult two = compile(g, opt);
  INFO("one chip: " << one.program.code.size() << " instructions, " << one.predicted_cycles
                    << " cycles");
  REQUIRE(one.program.code.size() <= cfg.imem_depth);
  const QGraph& q = one.qgraph;
  auto dev = open_golden_device(cfg);
  dev->load(one.program);
  auto sys = open_golden_system(cfg, 2);
  sys->load(two.system);
  QTensorMap state;
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
      REQUIRE(r2[c].ok());
      REQUIRE(r2[c].cycles == two.system.chips[c].predicted_cycles);
    }
    const Tensor y1 = dev->read_tensor("logits");
    REQUIRE(from_device(q.tensor("logits"), y1, cfg.lanes) == ref.at("logits"));
    REQUIRE(sys->chip(1).read_tensor("logits").as_int8() == y1.as_int8());
  }
}

}  // namespace lpu::compiler::test
