// One interface to every LPU device: the golden model in process here; the Verilator chip
// ("sim"), a TCP bridge and a USB board through the host protocol (lpu::driver::FrameDevice).
//
// A backend implements the raw operations (load code + data, raw memory access, run);
// tensors by symbol name are implemented once here on top of them (docs/program-format.md
// "Layouts" via symbol_pieces).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/golden.hpp"
#include "lpu/link_status.hpp"
#include "lpu/npy.hpp"
#include "lpu/program.hpp"

namespace lpu {

class Device {
 public:
  virtual ~Device() = default;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // Short backend name ("golden") and a one-line description for `lpu info`.
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  virtual const Config& config() const = 0;

  // Loads a program's code and initial data; its symbols become addressable by name.
  // Throws lpu::Error when the program does not fit the device.
  void load(const Program& p);
  const std::vector<Symbol>& symbols() const { return symbols_; }
  const Symbol& symbol(const std::string& name) const;  // throws when unknown

  // Tensors of the loaded program by symbol name. Writing checks kind (input/inout),
  // dtype and shape; reading returns the symbol's dtype and shape.
  void write_tensor(const std::string& name, const Tensor& t);
  Tensor read_tensor(const std::string& name);

  // Progress of the long transfers load(), write_tensor() and read_tensor(): `fn(done, total)`
  // in bytes, first (0, total), then after every chunk the backend moves (done never
  // decreases), last (total, total) once the transfer has succeeded. A backend without chunks
  // (golden) gives just the first and the last call. An empty function turns it off.
  using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;
  void set_progress(ProgressFn fn) { progress_ = std::move(fn); }

  // Raw memory in the container's byte layout (program-format.md).
  virtual void write_mem(Space s, std::uint32_t bank, std::uint32_t addr, const std::vector<std::uint8_t>& bytes) = 0;
  virtual std::vector<std::uint8_t> read_mem(Space s, std::uint32_t bank, std::uint32_t addr, std::size_t nbytes) = 0;

  // Runs the loaded program from pc 0 to halt or error. Throws lpu::Error when the device
  // fails (not when the program raises an LPU error: that is in the result).
  virtual RunResult run(std::uint64_t max_cycles = 1ull << 34) = 0;

  // The chip-to-chip links: config().links entries, link k at index k (docs/link.md status
  // counters; protocol command LINK_STATUS). Readable at any time. The default is a chip with
  // no partner: every link down, all counters 0 (the lone golden model); a device that knows
  // better overrides it.
  virtual std::vector<LinkStatus> link_status();

 protected:
  Device() = default;
  virtual void load_program(const Program& p) = 0;
  // Backends call this after moving `n` bytes (of code, data or a tensor); it reports
  // progress when a transfer above is in flight and does nothing otherwise.
  void transfer_progress(std::uint64_t n);

 private:
  class Transfer;

  std::vector<Symbol> symbols_;
  ProgressFn progress_;
  std::uint64_t xfer_done_ = 0;
  std::uint64_t xfer_total_ = 0;
  bool in_xfer_ = false;
};

// Opens a device by URI for configuration `cfg`:
//   golden   the golden model, in process
// The other URIs (golden-frames, sim, tcp://HOST:PORT, usb) are the driver library's
// (lpu::driver::open_device, driver/); here they give an lpu::Error saying so.
std::unique_ptr<Device> open_device(const std::string& uri, const Config& cfg);
// The golden backend directly.
std::unique_ptr<Device> open_golden_device(const Config& cfg);

}  // namespace lpu
