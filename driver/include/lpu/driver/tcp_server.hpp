// A TCP server for `lpu sim-server` (docs/host-protocol.md). One client at a time; later
// clients wait in the listen queue. Two kinds of device behind it:
//   - a chip backend (the golden model): frames are decoded and answered by a ProtocolServer
//     in this process;
//   - a Transport (the Verilated chip, `sim`; or a board): bytes are relayed both ways
//     unchanged, so the device's own frame parser (the RTL host interface) answers them.
//     Between clients the server waits until the device has been silent for T_GAP + 50 ms
//     (discarding what it says), so a client never inherits a partial frame or stale responses.
//
// A relayed Transport must allow one thread in write() while another is in read() (sim, tcp
// and usb do; the in-process golden loopback does not: serve the golden model as a backend).
//
// Ownership: the server borrows the backend or the transport; it owns its listening socket
// and, while serving, the client socket. serve() runs on the caller's thread (and, relaying,
// one helper thread per client); stop() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "lpu/driver/transport.hpp"
#include "lpu/protocol_server.hpp"

namespace lpu::driver {

struct TcpServerOptions {
  std::string bind = "127.0.0.1";  // loopback unless asked otherwise
  std::uint16_t port = 0;          // 0: an ephemeral port (see port())
  unsigned max_clients = 0;        // serve() returns after this many clients (0: never)
  std::ostream* log = nullptr;     // one line per connection and per device error
  std::string log_name = "sim-server";  // the log lines' prefix ("sim-server chip 1")
};

class TcpServer {
 public:
  // Both bind and listen; they throw lpu::Error naming the address and the reason.
  TcpServer(ChipBackend& backend, TcpServerOptions opt);
  TcpServer(Transport& link, TcpServerOptions opt);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const;  // "127.0.0.1:PORT"

  // Serves clients one after another until max_clients have been served or stop() is called.
  // A client's errors (reset, stops reading) end that client only; a relayed device that
  // fails (lpu::Error from the Transport) ends serve() with that error.
  void serve();
  void stop() { stop_.store(true); }
  std::uint64_t clients_served() const { return clients_.load(); }

 private:
  void listen_on();
  void serve_client(int fd, const std::string& peer);
  void relay_client(int fd, const std::string& peer);
  void drain_link();
  void log(const std::string& line);

  std::unique_ptr<ProtocolServer> server_;  // backend mode
  Transport* link_ = nullptr;               // relay mode
  TcpServerOptions opt_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> clients_{0};
};

}  // namespace lpu::driver
