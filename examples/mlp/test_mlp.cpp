// The two-layer MLP example (examples/mlp/mlp.s, base): assembled, run on the golden model,
// compared with plain loops (GEMM, bias, ReLU, requantization written from docs/isa.md).
#include <catch2/catch.hpp>

#include <cstdio>

#include "example_util.hpp"
#include "lpu/assembler.hpp"
#include "lpu/npy.hpp"
#include "lpu/system_device.hpp"

using namespace lpu;

namespace {

// saturate_int8(round_shift(int64(x) * mult, sh)): (p + 2^(sh-1)) >> sh by floor division.
std::int32_t requant(std::int64_t x, std::int64_t mult, unsigned sh) {
  __int128 p = static_cast<__int128>(x) * mult;
  const __int128 d = static_cast<__int128>(1) << sh;
  const __int128 n = p + d / 2;
  p = n / d - ((n % d != 0 && n < 0) ? 1 : 0);
  return static_cast<std::int32_t>(p < -128 ? -128 : (p > 127 ? 127 : p));
}

// out[i][j] = requant(relu(sum_k in[i][k] * w[k][j] + bias[j])), as int8 values.
std::vector<std::int32_t> layer(const std::vector<std::int32_t>& in, const std::vector<std::int32_t>& w,
                                const std::vector<std::int32_t>& bias, unsigned rows, unsigned k, unsigned n,
                                std::int64_t mult, unsigned sh) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(rows) * n);
  for (unsigned i = 0; i < rows; ++i) {
    for (unsigned j = 0; j < n; ++j) {
      std::int64_t acc = bias[j];
      for (unsigned kk = 0; kk < k; ++kk) acc += static_cast<std::int64_t>(in[i * k + kk]) * w[kk * n + j];
      out[i * n + j] = requant(acc > 0 ? acc : 0, mult, sh);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("example mlp (base): two layers of GEMM + bias + ReLU + requant", "[examples]") {
  const Config& cfg = config_by_name("base");
  auto run = examples::run_example(
      "mlp/mlp.s", cfg,
      {{"X", "mlp/x.npy"}, {"W1", "mlp/w1.npy"}, {"B1", "mlp/b1.npy"}, {"W2", "mlp/w2.npy"}, {"B2", "mlp/b2.npy"}});
  const RunResult& r = run.result;
  INFO("mlp: " << error_name(r.error) << " at pc " << r.error_pc << " cycle " << r.error_cycle);
  REQUIRE(r.ok());

  auto load = [](const char* f) { return read_npy(examples::path(std::string("mlp/") + f)).as_int32(); };
  // Constants of mlp.s (.equ MULT1, SH1, MULT2, SH2).
  const auto h = layer(load("x.npy"), load("w1.npy"), load("b1.npy"), 64, 128, 64, 11, 14);
  const auto y = layer(h, load("w2.npy"), load("b2.npy"), 64, 64, 32, 25, 14);

  const auto got_h = run.device->read_tensor("H").as_int32();
  const auto got_y = run.device->read_tensor("Y").as_int32();
  REQUIRE(got_h.size() == h.size());
  REQUIRE(got_y.size() == y.size());
  unsigned bad_h = 0, bad_y = 0, zero_y = 0, sat_y = 0;
  for (std::size_t i = 0; i < h.size(); ++i) bad_h += got_h[i] != h[i];
  for (std::size_t i = 0; i < y.size(); ++i) {
    bad_y += got_y[i] != y[i];
    zero_y += y[i] == 0;
    sat_y += y[i] == 127;
  }
  CHECK(bad_h == 0);
  CHECK(bad_y == 0);
  // The data exercise both sides of the ReLU and stay mostly inside the int8 range.
  CHECK(zero_y > y.size() / 10);
  CHECK(zero_y < y.size() * 9 / 10);
  CHECK(sat_y < y.size() / 10);
  std::printf("mlp: %llu cycles, MXU utilisation %.4f\n", static_cast<unsigned long long>(r.cycles),
              static_cast<double>(r.counter(gen::Counter::mxu_busy)) / static_cast<double>(r.cycles));
  CHECK(run.program.predicted_cycles == r.cycles);
}

TEST_CASE("example mlp split over two chips (golden system): the same bits as one chip", "[examples][link]") {
  const Config& cfg = config_by_name("base");
  SystemProgram sp;
  sp.chips.push_back(assemble_file(std::string(LPU_MLP_SPLIT_DIR) + "/mlp_chip0.s", cfg));
  sp.chips.push_back(assemble_file(std::string(LPU_MLP_SPLIT_DIR) + "/mlp_chip1.s", cfg));
  auto sys = open_golden_system(cfg, 2);
  sys->load(sp);
  sys->chip(0).write_tensor("X", read_npy(examples::path("mlp/x.npy")));
  sys->chip(0).write_tensor("W1", read_npy(examples::path("mlp/w1.npy")));
  sys->chip(0).write_tensor("B1", read_npy(examples::path("mlp/b1.npy")));
  sys->chip(1).write_tensor("W2", read_npy(examples::path("mlp/w2.npy")));
  sys->chip(1).write_tensor("B2", read_npy(examples::path("mlp/b2.npy")));
  const auto res = sys->run();
  REQUIRE(res.size() == 2);
  INFO("chip 0: " << error_name(res[0].error) << " at pc " << res[0].error_pc);
  REQUIRE(res[0].ok());
  INFO("chip 1: " << error_name(res[1].error) << " at pc " << res[1].error_pc);
  REQUIRE(res[1].ok());

  auto load = [](const char* f) { return read_npy(examples::path(std::string("mlp/") + f)).as_int32(); };
  const auto h = layer(load("x.npy"), load("w1.npy"), load("b1.npy"), 64, 128, 64, 11, 14);
  const auto y = layer(h, load("w2.npy"), load("b2.npy"), 64, 64, 32, 25, 14);
  CHECK(sys->chip(0).read_tensor("H").as_int32() == h);
  CHECK(sys->chip(1).read_tensor("H").as_int32() == h);
  CHECK(sys->chip(1).read_tensor("Y").as_int32() == y);
  // And bit-identical to the single-chip program.
  auto one = examples::run_example(
      "mlp/mlp.s", cfg,
      {{"X", "mlp/x.npy"}, {"W1", "mlp/w1.npy"}, {"B1", "mlp/b1.npy"}, {"W2", "mlp/w2.npy"}, {"B2", "mlp/b2.npy"}});
  REQUIRE(one.result.ok());
  CHECK(one.device->read_tensor("Y").as_int32() == sys->chip(1).read_tensor("Y").as_int32());
  CHECK(res[0].counter(gen::Counter::link_tx) == 256);
  CHECK(res[1].counter(gen::Counter::link_rx) == 256);
  std::printf("mlp on two chips: chip 0 %llu cycles, chip 1 %llu cycles (one chip: %llu)\n",
              static_cast<unsigned long long>(res[0].cycles), static_cast<unsigned long long>(res[1].cycles),
              static_cast<unsigned long long>(one.result.cycles));
}
