// lpu_opcheck (the RTL's central operand check) against lpu::decode + lpu::check_operands
// (host/lib/isa.cpp), for one configuration per binary (opcheck_base, opcheck_tiny: the
// model's Lanes parameter names it), over structured random instruction words:
// every opcode 0..255, used fields drawn around their legal limits, unused bits mostly
// clear, plus fully random words.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include LPU_VTOP_HEADER
#include "lpu/config.hpp"
#include "lpu/error.hpp"
#include "lpu/isa.hpp"
#include "sim_harness.hpp"  // env_u64

namespace {

// lpu_opcheck is combinational (no clock), so it gets a bare context instead of the
// clocked Harness.
template <class Model>
struct Comb {
  explicit Comb() : ctx(std::make_unique<VerilatedContext>()), m(std::make_unique<Model>(ctx.get(), "top")) {}
  ~Comb() { m->final(); }
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Model> m;
};

std::uint8_t expected(std::uint64_t word, const lpu::Config& cfg) {
  const auto in = lpu::decode(word);
  if (!in) {
    const auto op = static_cast<lpu::Op>(word >> 56);
    return lpu::find_instr(op) ? static_cast<std::uint8_t>(lpu::ErrorCode::illegal_operand)
                               : static_cast<std::uint8_t>(lpu::ErrorCode::illegal_opcode);
  }
  return static_cast<std::uint8_t>(lpu::check_operands(*in, cfg));
}

// A word for opcode `op`: each field gets a value biased towards the configuration limits.
std::uint64_t structured(std::mt19937_64& rng, unsigned op, const lpu::Config& cfg) {
  auto pick = [&](unsigned width) -> std::uint64_t {
    const unsigned limits[] = {0, 1, 2, 3, 4, cfg.lanes - 1, cfg.lanes, cfg.banks - 1, cfg.banks,
                               cfg.vregs - 1, cfg.vregs, cfg.links - 1, cfg.links};
    const std::uint64_t mask = (width >= 64) ? ~0ull : ((1ull << width) - 1);
    if (rng() % 3 == 0) return rng() & mask;
    return limits[rng() % (sizeof(limits) / sizeof(limits[0]))] & mask;
  };
  std::uint64_t w = static_cast<std::uint64_t>(op) << 56;
  for (const auto& f : lpu::gen::kFields) {
    if (f.name == "op") continue;
    w |= (pick(f.width) << f.lsb);
  }
  const auto* d = lpu::find_instr(static_cast<lpu::Op>(op));
  if (d && rng() % 4 != 0) w &= d->field_mask;  // mostly canonical words
  if (rng() % 8 == 0) w ^= 1ull << (rng() % 56);  // and a few single-bit flips
  return w;
}

template <class Model>
void check_config(const lpu::Config& cfg) {
  const std::string name(cfg.name);
  Comb<Model> h;
  const std::uint64_t seed = lpu::verif::env_u64("LPU_SEED", 1);
  std::mt19937_64 rng(seed);
  unsigned mismatches = 0;
  std::uint64_t checked = 0;
  auto one = [&](std::uint64_t w) {
    h.m->instr_i = w;
    h.m->eval();
    const std::uint8_t want = expected(w, cfg);
    const std::uint8_t got = h.m->err_o;
    ++checked;
    if (want != got && mismatches++ < 10) {
      std::ostringstream os;
      os << name << ": word 0x" << std::hex << w << ": expected " << std::dec << unsigned(want)
         << ", got " << unsigned(got) << " (seed " << seed << ")";
      FAIL_CHECK(os.str());
    }
  };
  for (unsigned op = 0; op < 256; ++op) {
    for (unsigned i = 0; i < 3000; ++i) one(structured(rng, op, cfg));
  }
  for (unsigned i = 0; i < 200000; ++i) one(rng());
  INFO(name << ": " << checked << " words");
  CHECK(mismatches == 0);
  CHECK(checked > 900000);
}

}  // namespace

const lpu::Config& this_config() {
  const auto* c = lpu::config_by_lanes(LPU_P_Lanes);
  if (!c) throw lpu::Error("no configuration with " + std::to_string(LPU_P_Lanes) + " lanes");
  return *c;
}

TEST_CASE("opcheck matches lpu::check_operands", "[opcheck]") {
  check_config<LPU_VTOP>(this_config());
}

TEST_CASE("opcheck flags the documented cases", "[opcheck]") {
  // Hand-picked words with known answers, independent of check_operands.
  const lpu::Config& cfg = this_config();
  Comb<LPU_VTOP> h;
  auto run = [&](std::uint64_t w) {
    h.m->instr_i = w;
    h.m->eval();
    return unsigned(h.m->err_o);
  };
  const std::uint64_t lanes = cfg.lanes, links = cfg.links, vregs = cfg.vregs;
  CHECK(run(0x0000000000000000ull) == 0);                  // halt
  CHECK(run(0x0000000000000001ull) == 2);                  // halt with a stray bit
  CHECK(run(0x0700000000000000ull) == 1);                  // opcode 0x07 is not in the ISA
  CHECK(run(0xff00000000000000ull) == 1);
  CHECK(run(0x0300000000010005ull) == 0);                  // loopi 5, len 1
  CHECK(run(0x0300000000000005ull) == 2);                  // loopi 5, len 0
  CHECK(run(0x2000000000000000ull | (3ull << 38)) == 2);   // vadd with bmode 3
  CHECK(run(0x2000000000000000ull | (2ull << 38) | 7) == 0);                 // vadd v0, v0, 7
  CHECK(run(0x2000000000000000ull | (2ull << 38) | (1ull << 44) | 7) == 2);  // imm form with rb
  CHECK(run(0x2000000000000000ull | (1ull << 38) | 7) == 2);                 // scalar form with imm
  CHECK(run(0x2000000000000000ull | ((vregs - 1) << 52)) == 0);              // vd = last vreg
  CHECK(run(0x2000000000000000ull | (vregs % 16) << 52) == (vregs < 16 ? 2u : 0u));
  CHECK(run(0x4000000000000000ull | (1ull << 32)) == 0);   // mlw buf=1
  CHECK(run(0x4000000000000000ull | (2ull << 32)) == 2);   // mlw buf=2
  CHECK(run(0x1400000000000000ull | (3ull << 32)) == 0);   // vstb slice 3
  CHECK(run(0x1400000000000000ull | (4ull << 32)) == 2);   // vstb slice 4
  CHECK(run(0x5000000000000000ull | ((links - 1) << 32)) == 0);  // send on the last link
  CHECK(run(0x5000000000000000ull | (links << 32)) == 2);        // one beyond
  CHECK(run(0x0d00000000000000ull | ((lanes - 1) << 32)) == 0);  // vext last lane
  CHECK(run(0x0d00000000000000ull | (lanes << 32)) == 2);        // one beyond
}
