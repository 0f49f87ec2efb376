// The GEMM examples (gemm_256 on base, gemm_32 on tiny): assembled, run on the golden model,
// compared with a plain triple loop and a requantization written from docs/isa.md.
#include <catch2/catch.hpp>

#include <cstdio>

#include "example_util.hpp"
#include "lpu/npy.hpp"

using namespace lpu;

namespace {

// saturate_int8(round_shift(int64(x) * mult, sh)), round half up, from the spec's formula
// (p + 2^(sh-1)) >> sh evaluated with 128-bit floor division.
std::int8_t ref_requant(std::int32_t x, std::int32_t mult, unsigned sh) {
  __int128 p = static_cast<__int128>(x) * mult;
  if (sh > 0) {
    const __int128 d = static_cast<__int128>(1) << sh;
    const __int128 n = p + d / 2;
    p = n / d - ((n % d != 0 && n < 0) ? 1 : 0);
  }
  return static_cast<std::int8_t>(p < -128 ? -128 : (p > 127 ? 127 : p));
}

struct GemmCase {
  const char* name;
  const char* config;
  unsigned m, k, n;
  std::int32_t mult;  // as in examples/gemm/gen_gemm.py
  unsigned shift;
};

void check_gemm(const GemmCase& g) {
  const Config& cfg = config_by_name(g.config);
  const std::string s = std::string("gemm/") + g.name;
  auto run = examples::run_example(s + ".s", cfg, {{"A", s + "_a.npy"}, {"B", s + "_b.npy"}});
  const RunResult& r = run.result;
  INFO(g.name << ": " << error_name(r.error) << " at pc " << r.error_pc << " cycle " << r.error_cycle);
  REQUIRE(r.ok());

  const auto a = read_npy(examples::path(s + "_a.npy")).as_int8();
  const auto b = read_npy(examples::path(s + "_b.npy")).as_int8();
  const Tensor c = run.device->read_tensor("C");
  REQUIRE(c.shape == std::vector<std::uint32_t>{g.m, g.n});
  const auto got = c.as_int8();
  unsigned mismatches = 0, saturated = 0;
  for (unsigned i = 0; i < g.m; ++i) {
    for (unsigned j = 0; j < g.n; ++j) {
      std::int32_t acc = 0;
      for (unsigned k = 0; k < g.k; ++k) acc += static_cast<std::int32_t>(a[i * g.k + k]) * b[k * g.n + j];
      const std::int8_t want = ref_requant(acc, g.mult, g.shift);
      if (got[i * g.n + j] != want && mismatches++ < 5) {
        FAIL_CHECK("C[" << i << "][" << j << "] = " << int{got[i * g.n + j]} << ", expected " << int{want});
      }
      saturated += (want == 127 || want == -128);
    }
  }
  CHECK(mismatches == 0);
  CHECK(saturated < g.m * g.n / 10);  // the requant scale keeps the outputs informative

  const double util = static_cast<double>(r.counter(gen::Counter::mxu_busy)) / static_cast<double>(r.cycles);
  std::printf("%s: %llu cycles, MXU utilisation %.4f (%llu busy)\n", g.name,
              static_cast<unsigned long long>(r.cycles), util,
              static_cast<unsigned long long>(r.counter(gen::Counter::mxu_busy)));
  CHECK(r.counter(gen::Counter::mxu_busy) == static_cast<std::uint64_t>(g.m) * (g.k / cfg.lanes) * (g.n / cfg.lanes));
  // The source's .predicted_cycles is the golden count (lpu run --expect-cycles relies on it).
  CHECK(run.program.predicted_cycles == r.cycles);
}

}  // namespace

TEST_CASE("example gemm_256 (base): C = requant(A x B), 256x256x256", "[examples]") {
  check_gemm({"gemm_256", "base", 256, 256, 256, 15, 15});
}

TEST_CASE("example gemm_32 (tiny): C = requant(A x B), 32x32x32", "[examples]") {
  check_gemm({"gemm_32", "tiny", 32, 32, 32, 21, 14});
}
