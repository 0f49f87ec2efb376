// The `sim` device's models of lpu_top (Vtop_base, Vtop_tiny; library lpu_top_sim).
#include <string>

#include "Vtop_base.h"
#include "Vtop_base___024root.h"
#include "Vtop_tiny.h"
#include "Vtop_tiny___024root.h"
#include "lpu/error.hpp"
#include "top_pins.hpp"
#include "top_sim.hpp"

namespace lpu::sim {

namespace {

// The parameters the models were built with: verif/host_if/CMakeLists.txt passes the same
// values to Verilator (-G) and to this file (LPU_SIM_*); the clock is the configuration's
// fmax target, lpu_top's default.
TopParams builtin_params(const Config& cfg) {
  TopParams p;
  p.cfg = &cfg;
  p.clk_hz = cfg.fmax_target_mhz * 1000000u;
  p.max_data = LPU_SIM_MAX_DATA;
  p.gap_ms = LPU_SIM_GAP_MS;
  p.gap_cycles = std::uint64_t{p.clk_hz} / 1000u * p.gap_ms;
  if (cfg.name == "base") {
    p.baud = LPU_SIM_BASE_BAUD;
    p.ddr = LPU_SIM_BASE_DDR != 0;
  } else {
    p.baud = LPU_SIM_TINY_BAUD;
    p.ddr = LPU_SIM_TINY_DDR != 0;
  }
  return p;
}

}  // namespace

bool TopSim::supports(const Config& cfg) { return cfg.name == "base" || cfg.name == "tiny"; }

std::unique_ptr<TopSim> TopSim::open(const Config& cfg) {
  if (cfg.name == "base") {
    return std::make_unique<TopSim>(std::make_unique<OwnedTopPins<Vtop_base>>(cfg.lanes),
                                    builtin_params(cfg));
  }
  if (cfg.name == "tiny") {
    return std::make_unique<TopSim>(std::make_unique<OwnedTopPins<Vtop_tiny>>(cfg.lanes),
                                    builtin_params(cfg));
  }
  throw Error("sim: no RTL model of configuration '" + std::string(cfg.name) +
              "' (built: base, tiny)");
}

}  // namespace lpu::sim
