// SystemDevice and its golden-model backend.
#include "lpu/system_device.hpp"

#include "lpu/error.hpp"
#include "lpu/golden_system.hpp"

namespace lpu {

void SystemDevice::load(const SystemProgram& sp) {
  if (sp.chips.size() != chips()) {
    throw Error(name() + ": the program is for " + std::to_string(sp.chips.size()) + " chip(s), the device has " +
                std::to_string(chips()));
  }
  for (unsigned i = 0; i < chips(); ++i) chip(i).load(sp.chips[i]);
}

namespace {

// One chip of a GoldenSystem seen as a Device.
class GoldenChip final : public Device {
 public:
  GoldenChip(GoldenModel& m, unsigned index, unsigned chips) : model_(m), index_(index), chips_(chips) {}

  std::string name() const override { return "golden chip " + std::to_string(index_); }
  std::string description() const override { return "chip " + std::to_string(index_) + " of a golden-model system"; }
  const Config& config() const override { return model_.config(); }
  void write_mem(Space s, std::uint32_t bank, std::uint32_t addr, const std::vector<std::uint8_t>& bytes) override {
    model_.write_mem(s, bank, addr, bytes);
  }
  std::vector<std::uint8_t> read_mem(Space s, std::uint32_t bank, std::uint32_t addr, std::size_t nbytes) override {
    return model_.read_mem(s, bank, addr, nbytes);
  }
  RunResult run(std::uint64_t) override {
    throw Error(name() + ": a chip of a system runs only together with the others (SystemDevice::run)");
  }
  std::vector<LinkStatus> link_status() override {
    return golden_ring_link_status(model_.config().links, chips_);
  }

 protected:
  void load_program(const Program& p) override { model_.load(p); }

 private:
  GoldenModel& model_;
  unsigned index_;
  unsigned chips_;
};

class GoldenSystemDevice final : public SystemDevice {
 public:
  GoldenSystemDevice(const Config& cfg, unsigned n) : sys_(cfg, n) {
    for (unsigned i = 0; i < n; ++i) chips_.push_back(std::make_unique<GoldenChip>(sys_.chip(i), i, n));
  }
  std::string name() const override { return "golden:chips=" + std::to_string(chips_.size()); }
  unsigned chips() const override { return static_cast<unsigned>(chips_.size()); }
  Device& chip(unsigned i) override {
    if (i >= chips_.size()) {
      throw Error(name() + ": chip " + std::to_string(i) + " does not exist (chips 0.." +
                  std::to_string(chips_.size() - 1) + ")");
    }
    return *chips_[i];
  }
  std::vector<RunResult> run(std::uint64_t max_cycles) override { return sys_.run(max_cycles); }

 private:
  GoldenSystem sys_;
  std::vector<std::unique_ptr<GoldenChip>> chips_;
};

}  // namespace

std::unique_ptr<SystemDevice> open_golden_system(const Config& cfg, unsigned chips) {
  return std::make_unique<GoldenSystemDevice>(cfg, chips);
}

unsigned parse_system_chips(const std::string& uri, const std::string& value, unsigned max) {
  const bool digits = !value.empty() && value.size() <= 6 && value.find_first_not_of("0123456789") == std::string::npos;
  const unsigned long n = digits ? std::stoul(value) : 0;
  if (!digits || n < 1 || n > max) {
    throw Error("device URI '" + uri + "': chips=" + value + " is not a chip count 1.." + std::to_string(max));
  }
  return static_cast<unsigned>(n);
}

std::unique_ptr<SystemDevice> open_system_device(const std::string& uri, const Config& cfg, unsigned default_chips) {
  if (uri == "golden") return open_golden_system(cfg, default_chips == 0 ? 1 : default_chips);
  if (uri.rfind("golden:", 0) == 0) {
    const std::string opt = uri.substr(7);
    if (opt.rfind("chips=", 0) != 0 || opt.find(',') != std::string::npos) {
      throw Error("device URI '" + uri + "': bad option '" + opt + "' (expected golden[:chips=N])");
    }
    return open_golden_system(cfg, parse_system_chips(uri, opt.substr(6), GoldenSystem::kMaxChips));
  }
  throw Error("device '" + uri + "': not a multi-chip device of this library (golden[:chips=N]; sim:chips=N " +
              "and tcp:// need the driver library)");
}

}  // namespace lpu
