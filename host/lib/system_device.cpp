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
  GoldenChip(GoldenModel& m, unsigned index) : model_(m), index_(index) {}

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

 protected:
  void load_program(const Program& p) override { model_.load(p); }

 private:
  GoldenModel& model_;
  unsigned index_;
};

class GoldenSystemDevice final : public SystemDevice {
 public:
  GoldenSystemDevice(const Config& cfg, unsigned n) : sys_(cfg, n) {
    for (unsigned i = 0; i < n; ++i) chips_.push_back(std::make_unique<GoldenChip>(sys_.chip(i), i));
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

}  // namespace lpu
