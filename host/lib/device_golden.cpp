// The golden-model backend of lpu::Device.
#include <string>

#include "lpu/device.hpp"

namespace lpu {

namespace {

class GoldenDevice final : public Device {
 public:
  explicit GoldenDevice(const Config& cfg) : model_(cfg) {}

  std::string name() const override { return "golden"; }
  std::string description() const override {
    return "golden model (in-process, bit- and cycle-exact executable specification)";
  }
  const Config& config() const override { return model_.config(); }

  void write_mem(Space s, std::uint32_t bank, std::uint32_t addr, const std::vector<std::uint8_t>& bytes) override {
    model_.write_mem(s, bank, addr, bytes);
  }
  std::vector<std::uint8_t> read_mem(Space s, std::uint32_t bank, std::uint32_t addr, std::size_t nbytes) override {
    return model_.read_mem(s, bank, addr, nbytes);
  }
  RunResult run(std::uint64_t max_cycles) override { return model_.run(max_cycles); }

  GoldenModel& model() { return model_; }

 protected:
  void load_program(const Program& p) override { model_.load(p); }

 private:
  GoldenModel model_;
};

}  // namespace

std::unique_ptr<Device> open_golden_device(const Config& cfg) { return std::make_unique<GoldenDevice>(cfg); }

}  // namespace lpu
