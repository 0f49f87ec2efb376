// Several chips run as one machine: one lpu::Device per chip for loading, tensors and memory,
// and one run() that starts them together (docs/isa.md "Links"). Backends: the golden model
// (GoldenSystem); the simulated chips join later through the driver library.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lpu/device.hpp"
#include "lpu/system_program.hpp"

namespace lpu {

class SystemDevice {
 public:
  virtual ~SystemDevice() = default;
  SystemDevice(const SystemDevice&) = delete;
  SystemDevice& operator=(const SystemDevice&) = delete;

  virtual std::string name() const = 0;
  virtual unsigned chips() const = 0;
  // Chip i as a device: load, tensors by symbol, raw memory. Its own run() refuses (a chip
  // of a system runs only with the others). Throws lpu::Error for a chip that does not exist.
  virtual Device& chip(unsigned i) = 0;

  // Loads program i onto chip i; throws unless there is one program per chip.
  void load(const SystemProgram& sp);
  // Runs every chip from pc 0 together until each halts or stops with an error.
  virtual std::vector<RunResult> run(std::uint64_t max_cycles = 1ull << 34) = 0;

 protected:
  SystemDevice() = default;
};

// The golden model: `chips` golden chips in a ring (golden_system.hpp).
std::unique_ptr<SystemDevice> open_golden_system(const Config& cfg, unsigned chips);

// Opens a multi-chip device by URI (docs/cli.md "Multi-chip devices"): here "golden" and
// "golden:chips=N"; without chips= the system has `default_chips` chips (0: one). The other
// system URIs (golden-frames:chips=N, sim:chips=N, tcp://HOST:PORT[,chips=N]) are the driver
// library's (lpu::driver::open_system_device); here they give an lpu::Error saying so.
std::unique_ptr<SystemDevice> open_system_device(const std::string& uri, const Config& cfg,
                                                 unsigned default_chips = 0);

// "chips=N" of a system URI: N in 1..max, else an lpu::Error naming the URI.
unsigned parse_system_chips(const std::string& uri, const std::string& value, unsigned max);

}  // namespace lpu
