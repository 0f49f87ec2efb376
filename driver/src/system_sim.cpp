// sim:chips=N (system.hpp): one MultiTopSim (verif/multichip/, N lpu_top models on their own
// clocks in a ring of link channel models) and one transport per chip bound to that chip's
// side door. SimClock (sim_clock.hpp) clocks the whole system together, as it clocks the
// single-chip sim transport; while every chip is idle, time stands still for all of them, so
// nothing a link does is lost.
#include "lpu/driver/system.hpp"
#include "lpu/error.hpp"

#ifdef LPU_HAVE_MULTICHIP_SIM
#include "multi_top_sim.hpp"
#include "sim_clock.hpp"
#endif

namespace lpu::driver {

#ifdef LPU_HAVE_MULTICHIP_SIM

namespace {

// Steps (edges of any chip) per batch: short enough that a request waits little for the lock.
constexpr unsigned kBatch = 1024;
// Clock edges of chip 0 the links get to come up after the system is built.
constexpr std::uint64_t kLinkUpBudget = 1ull << 21;

class Ring final : public SimModel {
 public:
  Ring(const Config& cfg, sim::SystemParams p, const std::string& name)
      : sys_(std::make_unique<sim::MultiTopSim>(cfg, std::move(p))) {
    bring_up(name);
  }
  unsigned chips() const override { return sys_->chips(); }
  sim::TopSim& chip(unsigned k) override { return sys_->chip(k); }
  void step_batch() override {
    for (unsigned i = 0; i < kBatch; ++i) {
      sys_->step();
      if ((i & 63) == 63 && idle()) break;
    }
  }

 private:
  bool idle() {
    for (unsigned k = 0; k < sys_->chips(); ++k) {
      if (!sys_->chip(k).idle()) return false;
    }
    return true;
  }

  // Clocks the fresh system until every joined link is up.
  void bring_up(const std::string& name) {
    if (sys_->run_until([this] { return sys_->all_links_up(); }, kLinkUpBudget)) return;
    std::string down;
    for (unsigned c = 0; c < sys_->chips(); ++c) {
      for (unsigned l = 0; l < sys_->links(); ++l) {
        if (sys_->joined(c, l) && !sys_->link_up(c, l)) {
          down += (down.empty() ? "" : ", ") + ("chip " + std::to_string(c) + " link " + std::to_string(l));
        }
      }
    }
    throw Error(name + ": the links did not come up within " + std::to_string(kLinkUpBudget) +
                " cycles (down: " + down + ")");
  }

  std::unique_ptr<sim::MultiTopSim> sys_;
};

}  // namespace

bool have_sim_system() { return true; }

std::vector<std::unique_ptr<Transport>> open_sim_system_transports(const SystemUri& u, const Config& cfg,
                                                                   const std::string& uri) {
  if (!sim::TopSim::supports(cfg)) {
    throw Error("device URI '" + uri + "': no RTL model of configuration '" + std::string(cfg.name) + "'");
  }
  if (u.chips > 1 && cfg.links < 2) {
    throw Error("device URI '" + uri + "': configuration '" + std::string(cfg.name) + "' has " +
                std::to_string(cfg.links) + " link(s); a ring of chips needs two per chip");
  }
  sim::SystemParams p;
  p.chips = u.chips;
  if (!u.ppm.empty()) {
    p.ppm = u.ppm;
  } else if (u.ppm_spread >= 0) {
    for (unsigned k = 0; k < u.chips; ++k) {
      p.ppm.push_back(u.chips == 1 ? 0.0 : u.ppm_spread * (2.0 * k / (u.chips - 1) - 1.0));
    }
  }
  p.channel.ber = u.ber;
  if (u.delay_ns >= 0) p.channel.delay_ns = u.delay_ns;
  p.channel.seed = u.seed;
  p.seed = u.seed;
  const std::string name = "sim:chips=" + std::to_string(u.chips) + ",config=" + std::string(cfg.name);
  auto clock = std::make_shared<SimClock>(std::make_unique<Ring>(cfg, std::move(p), name), name);
  std::vector<std::unique_ptr<Transport>> v;
  for (unsigned k = 0; k < u.chips; ++k) {
    v.push_back(make_sim_chip_transport(clock, k, name + " chip " + std::to_string(k)));
  }
  return v;
}

#else  // no Verilator models in this build

bool have_sim_system() { return false; }

std::vector<std::unique_ptr<Transport>> open_sim_system_transports(const SystemUri&, const Config&,
                                                                   const std::string& uri) {
  throw Error("device '" + uri +
              "': the multi-chip sim is not in this build (it needs the Verilator models and "
              "verif/multichip/: configure with LPU_BUILD_RTL=ON)");
}

#endif

}  // namespace lpu::driver
