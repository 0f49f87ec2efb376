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
// Verilated RTL chip, when the build has it), "tcp-sim" (`lpu sim-server --device sim` as a
// child process: the Verilated chip relayed over TCP).
std::unique_ptr<Fixture> make(const std::string& kind, const lpu::Config& cfg,
                              lpu::GoldenBackendOptions gopt = {},
                              lpu::driver::ClientOptions copt = {});

// The kinds available in this build.
std::vector<std::string> kinds();

// True for the kinds with the RTL chip behind them (its RAMs are not cleared by RESET, and it
// takes its real number of cycles: the golden backend's options do not apply).
bool is_rtl(const std::string& kind);

}  // namespace fixture
