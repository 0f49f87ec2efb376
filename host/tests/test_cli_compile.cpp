// `lpu compile` options as a child process: --loops takes fit, always or never and names
// anything else.
#include <catch2/catch.hpp>

#ifdef LPU_CLI_PATH

#include "cli_test_util.hpp"

using namespace lpu::test;

TEST_CASE("cli: lpu compile --loops", "[cli][compiler]") {
  TempDir dir;
  const std::string model = std::string(LPU_SOURCE_DIR) + "/examples/compiler/mlp.json";
  for (const char* mode : {"fit", "always", "never"}) {
    INFO("--loops " << mode);
    const auto r = run_lpu({"compile", model, "-o", dir.file("mlp.lpu"), "--loops", mode});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("predicted cycles") != std::string::npos);
  }
  const auto bad = run_lpu({"compile", model, "-o", dir.file("mlp.lpu"), "--loops", "sometimes"});
  CHECK(bad.status == 1);
  CHECK(bad.err.find("--loops 'sometimes': expected fit, always or never") != std::string::npos);
  const auto old = run_lpu({"compile", model, "-o", dir.file("mlp.lpu"), "--no-loops"});
  CHECK(old.status == 1);
  CHECK(old.err.find("no-loops") != std::string::npos);
}

#else
TEST_CASE("cli: lpu compile (skipped)", "[cli]") {
  WARN("skipped: LPU_CLI_PATH is not defined (the lpu CLI is not part of this build)");
}
#endif
