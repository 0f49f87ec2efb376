// The `sim` device's models of lpu_top (Vtop_base, Vtop_tiny; library lpu_top_sim).
#include <verilated.h>

#include <memory>
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

// An OwnedTopPins that keeps Verilator's per-thread current context right. Parts of the
// Verilator runtime use Verilated::threadContextp() instead of the model's own context; the
// one that bites: a model with public signals has scopes, and ~VerilatedScope erases itself
// from the *current* context's scope map (locking that context's mutex). Constructing a
// context or a model makes it current on the constructing thread; nothing resets the pointer
// when it is destroyed. So with two models alive in one process (base and tiny, two base
// chips, a chip next to a multi-chip system), destroying the newer one left the thread
// pointing at its deleted context, and destroying the older one then locked a mutex and
// searched a map in freed memory: the process hung (or crashed). The other order erased the
// wrong context's scope entry. Here every call that evaluates or destroys the model first
// makes its own context current on the calling thread (models are clocked by the sim
// transport's worker and by readers, so by several threads), and destruction leaves no
// pointer to the deleted context behind (the runtime falls back to its default context).
template <class V>
class BuiltinPins final : public TopPins {
 public:
  explicit BuiltinPins(std::size_t lanes)
      : pins_(std::make_unique<OwnedTopPins<V>>(lanes)),
        ctx_(Verilated::threadContextp()) {}  // OwnedTopPins' context: current after construction
  ~BuiltinPins() override {
    VerilatedContext* const prev = Verilated::threadContextp();
    Verilated::threadContextp(ctx_);
    pins_.reset();  // final(), the model (its scopes leave ctx_), then ctx_
    Verilated::threadContextp(prev == ctx_ ? nullptr : prev);
    if (Verilated::lastContextp() == ctx_) Verilated::lastContextp(nullptr);
  }
  BuiltinPins(const BuiltinPins&) = delete;
  BuiltinPins& operator=(const BuiltinPins&) = delete;

  TopOut out() const override { return pins_->out(); }
  PortProbe probe() const override { return pins_->probe(); }
  bool has_link_pins() const override { return pins_->has_link_pins(); }
  void tick(const TopIn& in) override {
    Verilated::threadContextp(ctx_);
    pins_->tick(in);
  }
  void reset() override {
    Verilated::threadContextp(ctx_);
    pins_->reset();
  }

 private:
  std::unique_ptr<OwnedTopPins<V>> pins_;
  VerilatedContext* ctx_;
};

}  // namespace

bool TopSim::supports(const Config& cfg) { return cfg.name == "base" || cfg.name == "tiny"; }

std::unique_ptr<TopSim> TopSim::open(const Config& cfg) {
  if (cfg.name == "base") {
    return std::make_unique<TopSim>(std::make_unique<BuiltinPins<Vtop_base>>(cfg.lanes),
                                    builtin_params(cfg));
  }
  if (cfg.name == "tiny") {
    return std::make_unique<TopSim>(std::make_unique<BuiltinPins<Vtop_tiny>>(cfg.lanes),
                                    builtin_params(cfg));
  }
  throw Error("sim: no RTL model of configuration '" + std::string(cfg.name) +
              "' (built: base, tiny)");
}

}  // namespace lpu::sim
