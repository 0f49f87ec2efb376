// The `sim` transport (transport_sim.hpp): lpu_top's Verilator model (verif/host_if/, library
// lpu_top_sim) clocked by SimClock (sim_clock.hpp), bytes through the side door or the UART.
#include "lpu/driver/transport_sim.hpp"

#include "lpu/error.hpp"
#include "sim_clock.hpp"

namespace lpu::driver {

namespace {

constexpr const char* kSimHelp = "sim[:config=base|tiny][,uart=0|1]";

// Cycles per batch: short enough that a request waits little for the lock.
constexpr std::uint64_t kBatch = 512;
// Simulation speed assumed for response timeouts in UART mode (a loaded machine simulates the
// base model at several hundred thousand cycles per second).
constexpr double kAssumedCyclesPerSecond = 100000.0;

class OneChip final : public SimModel {
 public:
  explicit OneChip(std::unique_ptr<sim::TopSim> s) : sim_(std::move(s)) {}
  unsigned chips() const override { return 1; }
  sim::TopSim& chip(unsigned) override { return *sim_; }
  // Ends as soon as the chip is idle (a short request's response is complete after a few
  // dozen cycles).
  void step_batch() override {
    for (std::uint64_t i = 0; i < kBatch && !sim_->idle(); ++i) sim_->step();
  }

 private:
  std::unique_ptr<sim::TopSim> sim_;
};

}  // namespace

SimOptions parse_sim_uri(const std::string& uri) {
  if (!is_sim_uri(uri)) throw Error("device URI '" + uri + "': expected " + kSimHelp);
  SimOptions o;
  std::string rest = uri.size() > 4 ? uri.substr(4) : "";
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string kv = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    const std::size_t eq = kv.find('=');
    const std::string key = kv.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (key == "config" && !value.empty()) {
      o.config = &config_by_name(value);
    } else if (key == "uart" && (value == "0" || value == "1")) {
      o.uart = value == "1";
    } else {
      throw Error("device URI '" + uri + "': bad option '" + kv + "' (expected " + kSimHelp + ")");
    }
  }
  return o;
}

std::unique_ptr<Transport> open_sim_transport(const std::string& uri, const TransportOptions& opt) {
  SimOptions o = parse_sim_uri(uri);
  const Config& cfg = o.config ? *o.config : opt.config ? *opt.config : default_config();
  if (!sim::TopSim::supports(cfg)) {
    throw Error("device URI '" + uri + "': no RTL model of configuration '" +
                std::string(cfg.name) + "'");
  }
  std::string name = "sim:config=" + std::string(cfg.name);
  if (o.uart) name += ",uart=1";
  auto chip = sim::TopSim::open(cfg);
  chip->set_uart(o.uart);
  // The side door moves a byte per cycle (no pacing); the UART 10 bits per byte.
  const double rate = o.uart ? kAssumedCyclesPerSecond / (10.0 * chip->clks_per_bit()) : 0.0;
  auto clock = std::make_shared<SimClock>(std::make_unique<OneChip>(std::move(chip)), name);
  return make_sim_chip_transport(std::move(clock), 0, name, rate);
}

}  // namespace lpu::driver
