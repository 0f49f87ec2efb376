// The language model of examples/lm (when its export is present): compiled for one chip and
// for two, every decode step on the golden model / golden system equals the int8 reference
// bit for bit in exactly the predicted cycles, and the two programs agree.
#include <filesystem>

#include "compiler_test_util.hpp"
#include "lpu/system_device.hpp"

namespace lpu::compiler::test {

TEST_CASE("the examples/lm language model on one and two chips", "[compiler][lm]") {
  const std::string path = lm_model_path();
  if (path.empty()) return;
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
  const auto [one, two] = compile_one_and_two(g, cfg, steps);
  INFO("one chip: " << one.program.code.size() << " instructions, " << one.predicted_cycles
                    << " cycles");
  REQUIRE(one.program.code.size() <= cfg.imem_depth);
  run_decode_one_and_two(g, cfg, one, two, steps, "logits");
}

}  // namespace lpu::compiler::test
