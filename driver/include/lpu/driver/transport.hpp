// Byte-stream transports to an LPU (docs/host-protocol.md "Transports and URIs"). A transport
// moves bytes; framing, sequence numbers and retries are FrameClient's job.
//
// Ownership: a Transport owns its OS/libusb handles (RAII); close() releases them early and
// is idempotent; the destructor closes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "lpu/config.hpp"
#include "lpu/golden_backend.hpp"

namespace lpu::driver {

class Transport {
 public:
  virtual ~Transport() = default;

  // Sends all `n` bytes or throws lpu::Error (disconnected, timed out).
  virtual void write(const std::uint8_t* data, std::size_t n) = 0;
  // Waits up to `timeout` for data; returns the number of bytes read (1..cap), or 0 when
  // nothing arrived in time. Throws lpu::Error when the link is gone.
  virtual std::size_t read(std::uint8_t* buf, std::size_t cap,
                           std::chrono::milliseconds timeout) = 0;
  // Releases the link; further reads and writes throw. Idempotent.
  virtual void close() = 0;
  // "tcp://127.0.0.1:5555", "usb:0403:6015:SERIAL", "golden" (for messages).
  virtual std::string describe() const = 0;
  // Bytes per second of the slowest hop (for response timeouts); 0 when fast.
  virtual double byte_rate() const { return 0; }
};

namespace usb {
class UsbApi;
}

struct TransportOptions {
  // golden: the configuration and backend options of the in-process device.
  const Config* config = nullptr;  // nullptr: default_config()
  GoldenBackendOptions golden;
  // tcp: connect timeout.
  std::chrono::milliseconds connect_timeout{3000};
  // usb: line rate, and a libusb replacement for tests (nullptr: real libusb).
  unsigned baud = 3000000;
  std::shared_ptr<usb::UsbApi> usb_api;
};

// Opens "golden", "tcp://HOST:PORT", "usb", "usb:VID:PID" or "usb:VID:PID:SERIAL" (VID/PID
// in hex). Throws lpu::Error naming the URI and the reason.
std::unique_ptr<Transport> open_transport(const std::string& uri, const TransportOptions& opt = {});

// True when `uri` names a transport of this driver (golden, tcp://..., usb...).
bool is_transport_uri(const std::string& uri);

// The individual transports.
std::unique_ptr<Transport> open_golden_transport(const Config& cfg, GoldenBackendOptions opt = {});
std::unique_ptr<Transport> open_tcp_transport(const std::string& host, std::uint16_t port,
                                              std::chrono::milliseconds connect_timeout);

}  // namespace lpu::driver
