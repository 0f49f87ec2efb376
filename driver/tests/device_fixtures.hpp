// Device factories for the conformance suite: one FrameDevice per transport, each with the
// golden model behind the protocol engine somewhere else (in process, a server thread, a
// `lpu sim-server` child process, a fake USB bridge).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lpu/driver/frame_device.hpp"
#include "lpu/golden_backend.hpp"

namespace fixture {

struct Fixture {
  virtual ~Fixture() = default;
  std::unique_ptr<lpu::driver::FrameDevice> dev;
};

// kind: "golden-frames", "tcp" (TcpServer on a thread, ephemeral loopback port), "tcp-cli"
// (build/bin/lpu sim-server as a child process; skipped when the CLI is not built), "usb-fake"
// (the FTDI transport over a fake libusb that loops into a protocol engine), "sim" (the
// Verilated RTL chip, when the build has it).
std::unique_ptr<Fixture> make(const std::string& kind, const lpu::Config& cfg,
                              lpu::GoldenBackendOptions gopt = {},
                              lpu::driver::ClientOptions copt = {});

// The kinds available in this build.
std::vector<std::string> kinds();

}  // namespace fixture
