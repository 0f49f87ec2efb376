// The constrained-random program generator (lpu/randprog.hpp): deterministic per seed,
// containers that fit the configuration, the whole ISA covered, legal schedules that run to
// their halt on the golden model, and each error kind provoked when asked for.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "lpu/golden.hpp"
#include "lpu/randprog.hpp"

using namespace lpu;

TEST_CASE("randprog: same seed, same program, different seeds differ", "[randprog]") {
  const Config& cfg = config_by_name("base");
  const auto a = random_program(cfg, 42), b = random_program(cfg, 42), c = random_program(cfg, 43);
  CHECK(a.program.serialize() == b.program.serialize());
  CHECK(a.program.code != c.program.code);
}

TEST_CASE("randprog: programs fit, decode and cover the ISA", "[randprog]") {
  for (const char* name : {"base", "tiny"}) {
    const Config& cfg = config_by_name(name);
    RandProgOptions opt;
    opt.error_rate = 0;
    std::set<Op> seen;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
      const auto rp = random_program(cfg, seed, opt);
      CHECK(rp.intended_error == ErrorCode::none);
      CHECK_NOTHROW(rp.program.check_fits(cfg));
      for (const auto w : rp.program.code) {
        const auto in = decode(w);
        REQUIRE(in);
        CHECK(check_operands(*in, cfg) == ErrorCode::none);
        seen.insert(in->op);
      }
    }
    // Everything except the link instructions (no link partner: they only appear as errors).
    for (const auto& d : gen::kInstrs) {
      if (d.op == Op::send || d.op == Op::recv) continue;
      INFO(name << ": never generated " << d.name);
      CHECK(seen.count(d.op) == 1);
    }
  }
}

TEST_CASE("randprog: legal programs halt on the golden model", "[randprog]") {
  for (const char* name : {"base", "tiny"}) {
    const Config& cfg = config_by_name(name);
    RandProgOptions opt;
    opt.error_rate = 0;
    unsigned halted = 0, loops = 0, streams = 0;
    const unsigned n = 150;
    for (std::uint64_t seed = 1; seed <= n; ++seed) {
      const auto rp = random_program(cfg, seed, opt);
      for (const auto w : rp.program.code) {
        const auto op = static_cast<Op>(w >> 56);
        loops += op == Op::loopi || op == Op::loop;
        streams += op == Op::mm || op == Op::mma || op == Op::mlw || op == Op::vtr;
      }
      GoldenModel g(cfg);
      g.load(rp.program);
      const auto r = g.run(1u << 24);
      INFO(name << " seed " << seed << ": " << error_name(r.error) << " at pc " << r.error_pc);
      CHECK(r.error == ErrorCode::none);
      halted += r.ok();
    }
    CHECK(halted == n);
    CHECK(loops > n);
    CHECK(streams > n);
  }
}

TEST_CASE("randprog: each provocable error is raised when forced", "[randprog]") {
  for (const char* name : {"base", "tiny"}) {
    const Config& cfg = config_by_name(name);
    for (const ErrorCode e : provocable_errors(cfg)) {
      RandProgOptions opt;
      opt.force_error = e;
      unsigned hit = 0;
      const unsigned n = 20;
      for (std::uint64_t seed = 1; seed <= n; ++seed) {
        const auto rp = random_program(cfg, seed, opt);
        CHECK(rp.intended_error == e);
        GoldenModel g(cfg);
        g.load(rp.program);
        hit += g.run(1u << 24).error == e;
      }
      INFO(name << ": " << error_name(e) << " raised in " << hit << " of " << n);
      // The sequence is placed at a random point; a random program before it may, rarely,
      // stop earlier with another error.
      CHECK(hit >= n * 8 / 10);
    }
  }
}
