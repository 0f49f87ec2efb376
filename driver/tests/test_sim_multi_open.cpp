// Several Verilated chips open at once in one process (the `sim` device, and next to it the
// multi-chip `sim:chips=2` system when the build has it): each runs a small program that must
// give the golden device's outputs (and the plain-loop reference), and destroying them in
// either order must return. Every model has its own VerilatedContext; Verilator's per-thread
// "current context" must never point at a context already destroyed when another model is
// torn down (it did: closing the devices hung). ctest runs these with TIMEOUT 60 (tag
// [multi_open], registered in driver/CMakeLists.txt), so a hang fails.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "lpu/assembler.hpp"
#include "lpu/device.hpp"
#include "lpu/driver/frame_device.hpp"
#include "vec_mm_program.hpp"

#if defined(LPU_HAVE_MULTICHIP_SIM) && __has_include("lpu/driver/system.hpp")
#include "lpu/driver/system.hpp"
#include "lpu/system_program.hpp"
#define LPU_TEST_SYSTEM_SIM 1
#endif

namespace {

const lpu::Config& cfg_of(const char* name) { return lpu::config_by_name(name); }

struct Inputs {
  std::vector<std::int8_t> a, b, x, w;
};

Inputs make_inputs(const lpu::Config& cfg, unsigned seed) {
  const unsigned L = cfg.lanes;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-128, 127);
  auto gen = [&](std::size_t n) {
    std::vector<std::int8_t> v(n);
    for (auto& e : v) e = static_cast<std::int8_t>(d(rng));
    return v;
  };
  Inputs in;
  in.a = gen(16 * L);
  in.b = gen(16 * L);
  in.x = gen(4 * L);
  in.w = gen(L * L);
  return in;
}

// The plain-loop reference of y (saturating add).
std::vector<std::int8_t> reference_y(const Inputs& in) {
  std::vector<std::int8_t> y(in.a.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    const int s = in.a[i] + in.b[i];
    y[i] = static_cast<std::int8_t>(s < -128 ? -128 : s > 127 ? 127 : s);
  }
  return y;
}

struct Outputs {
  lpu::RunResult res;
  std::vector<std::int8_t> y;
  std::vector<std::int32_t> z;
};

void write_inputs(lpu::Device& d, const Inputs& in) {
  const unsigned L = d.config().lanes;
  d.write_tensor("a", lpu::Tensor::from_int8({16, L}, in.a));
  d.write_tensor("b", lpu::Tensor::from_int8({16, L}, in.b));
  d.write_tensor("x", lpu::Tensor::from_int8({4, L}, in.x));
  d.write_tensor("w", lpu::Tensor::from_int8({L, L}, in.w));
}

Outputs read_outputs(lpu::Device& d, const lpu::RunResult& r) {
  Outputs o;
  o.res = r;
  o.y = d.read_tensor("y").as_int8();
  o.z = d.read_tensor("z").as_int32();
  return o;
}

Outputs run_small(lpu::Device& d, const Inputs& in) {
  const lpu::Program p = lpu::assemble(lpu::test::vec_mm_program(d.config(), 16, 64, 4, true), "small.s", d.config());
  d.load(p);
  write_inputs(d, in);
  const lpu::RunResult r = d.run();
  return read_outputs(d, r);
}

// Runs the small program on `dev` and checks it against the golden device and the reference.
void check_small(lpu::Device& dev, unsigned seed) {
  const lpu::Config& cfg = dev.config();
  INFO(cfg.name << " seed " << seed);
  const Inputs in = make_inputs(cfg, seed);
  auto golden = lpu::open_golden_device(cfg);
  const Outputs want = run_small(*golden, in);
  REQUIRE(want.res.ok());
  REQUIRE(want.y == reference_y(in));
  const Outputs got = run_small(dev, in);
  CHECK(got.res.ok());
  CHECK(got.res.cycles == want.res.cycles);
  CHECK(got.y == want.y);
  CHECK(got.z == want.z);
}

std::unique_ptr<lpu::Device> open_sim(const char* config) {
  return lpu::driver::open_device(std::string("sim:config=") + config, cfg_of(config));
}

// Two chips open together, both used (interleaved), then destroyed first-opened first
// (`first_opened_first`) or last-opened first.
void two_chips(const char* c0, const char* c1, bool first_opened_first) {
  auto d0 = open_sim(c0);
  auto d1 = open_sim(c1);
  REQUIRE(d0->config().name == std::string(c0));
  REQUIRE(d1->config().name == std::string(c1));
  check_small(*d0, 11);
  check_small(*d1, 12);
  check_small(*d0, 13);  // the first one still works after the second was used
  if (first_opened_first) {
    d0.reset();
    check_small(*d1, 14);  // the survivor still works
    d1.reset();
  } else {
    d1.reset();
    check_small(*d0, 14);
    d0.reset();
  }
  SUCCEED("both destroyed");
}

}  // namespace

TEST_CASE("sim multi-open: base and tiny at once, destroyed base first", "[sim][.multi_open]") {
  two_chips("base", "tiny", true);
}

TEST_CASE("sim multi-open: base and tiny at once, destroyed tiny first", "[sim][.multi_open]") {
  two_chips("base", "tiny", false);
}

TEST_CASE("sim multi-open: tiny then base, destroyed in both orders", "[sim][.multi_open]") {
  two_chips("tiny", "base", true);
  two_chips("tiny", "base", false);
}

TEST_CASE("sim multi-open: two base chips at once, destroyed in both orders", "[sim][.multi_open]") {
  two_chips("base", "base", true);
  two_chips("base", "base", false);
}

TEST_CASE("sim multi-open: a chip opened after another was closed", "[sim][.multi_open]") {
  // Open A, open B, close B (the most recent context), then open C and close A, then C.
  auto a = open_sim("base");
  auto b = open_sim("tiny");
  check_small(*b, 21);
  b.reset();
  auto c = open_sim("tiny");
  check_small(*a, 22);
  check_small(*c, 23);
  a.reset();
  check_small(*c, 24);
  c.reset();
  SUCCEED("all destroyed");
}

#ifdef LPU_TEST_SYSTEM_SIM
TEST_CASE("sim multi-open: a sim chip next to a sim:chips=2 system", "[sim][.multi_open]") {
  for (const bool system_first : {true, false}) {
    INFO("system destroyed " << (system_first ? "first" : "last"));
    const lpu::Config& tiny = cfg_of("tiny");
    auto one = open_sim("base");
    auto sys = lpu::driver::open_system_device("sim:chips=2,config=tiny", tiny);
    REQUIRE(sys->chips() == 2);
    check_small(*one, 31);
    // The same small program on both chips of the system (no link traffic).
    const lpu::Program p = lpu::assemble(lpu::test::vec_mm_program(tiny, 16, 64, 4, true), "small.s", tiny);
    const Inputs in0 = make_inputs(tiny, 32), in1 = make_inputs(tiny, 33);
    lpu::SystemProgram sp;
    sp.chips = {p, p};
    sys->load(sp);
    write_inputs(sys->chip(0), in0);
    write_inputs(sys->chip(1), in1);
    const auto res = sys->run();
    REQUIRE(res.size() == 2);
    auto golden = lpu::open_golden_device(tiny);
    for (unsigned k = 0; k < 2; ++k) {
      INFO("system chip " << k);
      const Inputs& in = k == 0 ? in0 : in1;
      const Outputs want = run_small(*golden, in);
      const Outputs got = read_outputs(sys->chip(k), res[k]);
      CHECK(got.res.ok());
      CHECK(got.y == want.y);
      CHECK(got.z == want.z);
      CHECK(got.y == reference_y(in));
    }
    if (system_first) {
      sys.reset();
      check_small(*one, 34);
      one.reset();
    } else {
      one.reset();
      sys.reset();
    }
  }
}
#endif
