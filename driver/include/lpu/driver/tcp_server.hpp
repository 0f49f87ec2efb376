// A TCP server that serves host-protocol frames from a chip backend (`lpu sim-server`,
// docs/host-protocol.md). One client at a time; later clients wait in the listen queue.
//
// Ownership: the server borrows the backend; it owns its listening socket and, while serving,
// the client socket. serve() runs on the caller's thread; stop() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "lpu/protocol_server.hpp"

namespace lpu::driver {

struct TcpServerOptions {
  std::string bind = "127.0.0.1";  // loopback unless asked otherwise
  std::uint16_t port = 0;          // 0: an ephemeral port (see port())
  unsigned max_clients = 0;        // serve() returns after this many clients (0: never)
  std::ostream* log = nullptr;     // one line per connection and per device error
};

class TcpServer {
 public:
  TcpServer(ChipBackend& backend, TcpServerOptions opt);  // binds and listens; throws lpu::Error
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const;  // "127.0.0.1:PORT"

  // Serves clients one after another until max_clients have been served or stop() is called.
  void serve();
  void stop() { stop_.store(true); }
  std::uint64_t clients_served() const { return clients_.load(); }

 private:
  void serve_client(int fd, const std::string& peer);
  void log(const std::string& line);

  ProtocolServer server_;
  TcpServerOptions opt_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> clients_{0};
};

}  // namespace lpu::driver
