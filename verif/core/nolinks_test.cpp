// The single-chip build of lpu_core (WithLinks = 0, the boards' FPGA_LINKS=0): the links'
// hardware is left out, and the chip must behave exactly as one whose links never come up.
// References:
//  * the golden model without a partner (send and recv raise link_down): random programs,
//    and programs forced to send or recv, co-simulated cycle by cycle (cosim_program);
//  * docs/core.md "LINK space": state ST_RESET (0), not up, every status counter 0, even with
//    the TX pins wired back to the RX pins, where the build with links comes up (checked on
//    that build too, so the test tells the two apart).
// tiny (the only configuration with a model of this build).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "core_sim.hpp"
#include "cosim.hpp"
#include "lpu/config.hpp"
#include "lpu/randprog.hpp"

namespace {

constexpr std::uint64_t kBringUp = 200000;  // cycles; the build with links comes up well within
constexpr unsigned kStatusCounters = 23;    // LINK space k*32 + 1 .. k*32 + 23 (docs/core.md)

}  // namespace

TEST_CASE("no links: random programs match the golden model without a partner", "[nolinks]") {
  const auto& cfg = lpu::config_by_name("tiny");
  lpu::CoreSim rtl(cfg, lpu::CoreSim::Links::none);
  unsigned link_down = 0;
  for (std::uint64_t seed = 1; seed <= 120; ++seed) {
    lpu::RandProgOptions opt;
    // Every third program is made to send or recv; the others cover the rest of the ISA.
    if (seed % 3 == 0) opt.force_error = lpu::ErrorCode::link_down;
    const auto rp = lpu::random_program(cfg, seed, opt);
    lpu::CosimOptions copt;
    copt.memories = (seed % 10 == 0) ? lpu::MemCompare::full : lpu::MemCompare::touched;
    const auto rep = lpu::cosim_program(rtl, rp.program, copt);
    INFO("seed " << seed << ": " << rp.note);
    REQUIRE(rep.mismatch == "");
    REQUIRE(rep.ok);
    if (rep.rtl.error == lpu::ErrorCode::link_down) ++link_down;
  }
  // The forced programs do reach a send or recv (and so exercise the missing links).
  CHECK(link_down >= 30);
}

TEST_CASE("no links: the LINK space reads a link that never comes up", "[nolinks]") {
  const auto& cfg = lpu::config_by_name("tiny");
  REQUIRE(cfg.links == 2);
  for (const bool hw : {true, false}) {
    INFO((hw ? "with" : "without") << " link hardware");
    lpu::CoreSim rtl(cfg, hw ? lpu::CoreSim::Links::hardware : lpu::CoreSim::Links::none);
    rtl.set_link_loopback(true);  // link 0 hears link 1 and back: a partner, if there are links
    const bool up = rtl.wait_links_up(kBringUp);
    CHECK(up == hw);
    for (std::uint32_t k = 0; k < cfg.links; ++k) {
      const std::uint32_t st = rtl.link_reg(k * 32);
      if (hw) {
        CHECK(st == 12u);  // {up, ST_UP = 4}
      } else {
        CHECK(st == 0u);   // {not up, ST_RESET}
        for (std::uint32_t i = 1; i <= kStatusCounters; ++i) {
          INFO("link " << k << " counter " << i - 1);
          CHECK(rtl.link_reg(k * 32 + i) == 0u);
        }
      }
    }
  }
}

TEST_CASE("no links: only tiny has a model of the build", "[nolinks]") {
  CHECK_THROWS_WITH(lpu::CoreSim(lpu::config_by_name("base"), lpu::CoreSim::Links::none),
                    Catch::Contains("no RTL model without links"));
}
