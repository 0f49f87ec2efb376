// lpu::Device over the host protocol: any Transport (golden loopback, TCP, USB) becomes a
// device. Beyond lpu::Device it exposes the protocol's own operations (start, wait, status,
// counters, reset, abort) for hosts that run asynchronously.
//
// Ownership: a FrameDevice owns its FrameClient and with it the Transport.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "lpu/device.hpp"
#include "lpu/driver/frame_client.hpp"
#include "lpu/driver/transport.hpp"
#include "lpu/protocol.hpp"

namespace lpu::driver {

struct FrameDeviceOptions {
  ClientOptions client;
  std::chrono::milliseconds poll_max{10};  // longest sleep between STATUS polls while waiting
  // Wall-clock limit of run() (0: none; the cycle limit still applies).
  std::chrono::milliseconds run_timeout{0};
};

class FrameDevice : public Device {
 public:
  // Asks the device for INFO. `want`: the configuration the caller needs (nullptr: whatever
  // the device is); a mismatch is an lpu::Error naming both.
  FrameDevice(std::unique_ptr<Transport> t, const Config* want = nullptr,
              FrameDeviceOptions opt = {});

  std::string name() const override { return name_; }
  std::string description() const override;
  const Config& config() const override { return *cfg_; }

  // Device: raw memory in whole units (split across banks and into max_data chunks).
  void write_mem(Space s, std::uint32_t bank, std::uint32_t addr,
                 const std::vector<std::uint8_t>& bytes) override;
  std::vector<std::uint8_t> read_mem(Space s, std::uint32_t bank, std::uint32_t addr,
                                     std::size_t nbytes) override;
  // start() + wait for the end, aborting the run (and throwing) after max_cycles cycles or
  // the run_timeout; then reads STATUS and COUNTERS.
  RunResult run(std::uint64_t max_cycles = 1ull << 34) override;
  // LINK_STATUS. Throws lpu::Error when the device does not advertise it (INFO feature bit 4,
  // protocol 1.1), or reports a number of links other than its configuration's.
  std::vector<LinkStatus> link_status() override;

  // Protocol operations.
  const proto::InfoPayload& info() const { return info_; }
  void write_space(proto::MemSpace s, std::uint32_t bank, std::uint32_t addr,
                   const std::uint8_t* data, std::size_t n);
  std::vector<std::uint8_t> read_space(proto::MemSpace s, std::uint32_t bank, std::uint32_t addr,
                                       std::size_t n);
  void write_code(const std::vector<std::uint64_t>& code);  // IMEM from 0 + program length
  void set_program_len(std::uint32_t n);
  void start();  // RUN (a lost response is settled by STATUS.runs)
  proto::StatusPayload status();
  // Polls STATUS until the chip is not running; throws lpu::Error after `timeout`.
  proto::StatusPayload wait(std::chrono::milliseconds timeout);
  proto::CounterArray counters();
  void reset();
  void abort();

  FrameClient& client() { return client_; }

 protected:
  void load_program(const Program& p) override;

 private:
  std::uint32_t chunk_bytes(proto::MemSpace s) const;

  FrameClient client_;
  FrameDeviceOptions opt_;
  proto::InfoPayload info_;
  const Config* cfg_ = nullptr;
  std::string name_;
};

// Opens a FrameDevice by URI: "golden-frames" (the golden model behind the protocol, in
// process), "tcp://HOST:PORT", "usb", "usb:VID:PID[:SERIAL]". Returns nullptr for any other
// URI (for a hook in lpu::open_device). `cfg`: the configuration wanted (nullptr: the
// device's; golden-frames: the one it emulates, default base).
std::unique_ptr<Device> try_open_frame_device(const std::string& uri, const Config* cfg,
                                              const TransportOptions& topt = {},
                                              FrameDeviceOptions dopt = {});

// Every device URI: the driver's above, anything else through lpu::open_device (golden, ...).
// `cfg` is the configuration golden-frames (and lpu::open_device's in-process devices)
// emulate; a TCP server or a board reports its own, and load() refuses a program that does
// not fit it.
std::unique_ptr<Device> open_device(const std::string& uri, const Config& cfg);

}  // namespace lpu::driver
