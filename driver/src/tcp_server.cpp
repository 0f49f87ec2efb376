// TcpServer: accept, then feed the client's bytes to the protocol engine and send back its
// responses (or relay them to and from a Transport); bounded buffers, gap timeout for partial
// frames, a client's errors never end the server.
#include "lpu/driver/tcp_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <ostream>
#include <thread>

#include "lpu/error.hpp"
#include "socket_util.hpp"

namespace lpu::driver {

namespace {

constexpr std::chrono::milliseconds kPollSlice{50};      // how often stop() is noticed
constexpr std::chrono::milliseconds kSendTimeout{5000};  // a client that stops reading is dropped
constexpr std::size_t kRecvChunk = 4096;

}  // namespace

TcpServer::TcpServer(ChipBackend& backend, TcpServerOptions opt)
    : server_(std::make_unique<ProtocolServer>(backend)), opt_(std::move(opt)) {
  listen_on();
}

TcpServer::TcpServer(Transport& link, TcpServerOptions opt) : link_(&link), opt_(std::move(opt)) {
  listen_on();
}

void TcpServer::listen_on() {
  const std::string where = opt_.bind + ":" + std::to_string(opt_.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const int gai = ::getaddrinfo(opt_.bind.c_str(), std::to_string(opt_.port).c_str(), &hints, &res);
  if (gai != 0) {
    throw Error("TCP server: cannot resolve the listen address '" + opt_.bind +
                "': " + gai_strerror(gai) + " (give an IP address such as 127.0.0.1 or 0.0.0.0)");
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> list(res, ::freeaddrinfo);

  std::string why = "no address";
  int err = 0;
  for (const addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
    net::Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) {
      err = errno;
      why = net::errno_text(err);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd.get(), 8) != 0) {
      err = errno;
      why = net::errno_text(err);
      continue;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
    port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    listen_fd_ = fd.release();
    return;
  }
  std::string hint;
  if (err == EADDRINUSE) hint = " (is another server on that port? --port 0 picks a free one)";
  if (err == EADDRNOTAVAIL) {
    hint = " (listen on an address of this machine: 127.0.0.1, 0.0.0.0 or ::, or one of its "
           "interfaces)";
  }
  if (err == EACCES) hint = " (ports below 1024 need privileges: use a higher port, or --port 0)";
  throw Error("TCP server: cannot listen on " + where + ": " + why + hint);
}

TcpServer::~TcpServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string TcpServer::address() const {
  const bool v6 = opt_.bind.find(':') != std::string::npos;
  return (v6 ? "[" + opt_.bind + "]" : opt_.bind) + ":" + std::to_string(port_);
}

void TcpServer::log(const std::string& line) {
  if (opt_.log) *opt_.log << opt_.log_name << ": " << line << std::endl;
}

void TcpServer::serve() {
  while (!stop_.load()) {
    if (opt_.max_clients != 0 && clients_.load() >= opt_.max_clients) return;
    if (!net::wait_readable(listen_fd_, kPollSlice)) continue;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    net::Fd fd(::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC));
    if (!fd.valid()) {
      if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED) continue;
      throw Error("TCP server: accept failed: " + net::errno_text(errno));
    }
    char host[NI_MAXHOST] = "?";
    char serv[NI_MAXSERV] = "?";
    ::getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, serv, sizeof serv,
                  NI_NUMERICHOST | NI_NUMERICSERV);
    const std::string peer = std::string(host) + ":" + serv;
    net::set_nodelay(fd.get());
    log("client " + peer + " connected");
    if (link_) {
      relay_client(fd.get(), peer);  // throws when the device fails
    } else {
      try {
        serve_client(fd.get(), peer);
      } catch (const Error& e) {
        log("client " + peer + ": " + e.what());
      }
    }
    log("client " + peer + " disconnected");
    fd.reset();
    if (link_) drain_link();
    clients_.fetch_add(1);
  }
}

void TcpServer::serve_client(int fd, const std::string& peer) {
  ProtocolServer& ps = *server_;
  ps.gap_timeout();  // a new client never inherits a partial frame (nor its responses)
  std::array<std::uint8_t, kRecvChunk> buf{};
  const std::chrono::milliseconds gap(proto::kGapTimeoutMs);
  auto last_byte = std::chrono::steady_clock::now();
  while (!stop_.load()) {
    if (!net::wait_readable(fd, kPollSlice)) {
      if (ps.mid_frame() && std::chrono::steady_clock::now() - last_byte >= gap) {
        const auto out = ps.gap_timeout();
        if (!out.empty()) net::send_all(fd, out.data(), out.size(), kSendTimeout, "client " + peer);
      }
      continue;
    }
    const ssize_t k = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (k == 0) return;  // orderly close
    if (k < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      log("client " + peer + ": " + net::errno_text(errno));
      return;
    }
    last_byte = std::chrono::steady_clock::now();
    const auto out = ps.feed(buf.data(), static_cast<std::size_t>(k));
    const std::string dev_err = ps.take_device_error();
    if (!dev_err.empty()) log("device error: " + dev_err);
    if (!out.empty()) net::send_all(fd, out.data(), out.size(), kSendTimeout, "client " + peer);
  }
}

// Relay: this thread moves client bytes to the device; a helper thread moves the device's
// bytes to the client. Either side ending (client closed, send failed, device failed, stop())
// ends both.
void TcpServer::relay_client(int fd, const std::string& peer) {
  std::atomic<bool> done{false};
  std::mutex m;
  std::string device_error;
  auto device_failed = [&](const std::string& what) {
    std::lock_guard<std::mutex> lk(m);
    if (device_error.empty()) device_error = what;
    done.store(true);
  };

  std::thread up([&] {
    std::array<std::uint8_t, kRecvChunk> buf{};
    while (!done.load() && !stop_.load()) {
      std::size_t n = 0;
      try {
        n = link_->read(buf.data(), buf.size(), kPollSlice);
      } catch (const Error& e) {
        device_failed(e.what());
        return;
      }
      if (n == 0) continue;
      try {
        net::send_all(fd, buf.data(), n, kSendTimeout, "client " + peer);
      } catch (const Error& e) {
        log(e.what());
        done.store(true);
        return;
      }
    }
  });

  std::array<std::uint8_t, kRecvChunk> buf{};
  while (!done.load() && !stop_.load()) {
    bool readable = false;
    try {
      readable = net::wait_readable(fd, kPollSlice);
    } catch (const Error& e) {
      log("client " + peer + ": " + e.what());
      break;
    }
    if (!readable) continue;
    const ssize_t k = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (k == 0) break;  // orderly close
    if (k < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      log("client " + peer + ": " + net::errno_text(errno));
      break;
    }
    try {
      link_->write(buf.data(), static_cast<std::size_t>(k));
    } catch (const Error& e) {
      device_failed(e.what());
      break;
    }
  }
  done.store(true);
  up.join();
  if (!device_error.empty()) {
    log("device " + link_->describe() + " failed: " + device_error);
    throw Error("device " + link_->describe() + " failed while serving client " + peer + ": " +
                device_error);
  }
}

// Waits until the relayed device has sent nothing for T_GAP + 50 ms (at most 5 s), discarding
// what it sends: responses to the last client's requests, and the error response to a partial
// frame it left behind (dropped by the device after T_GAP).
void TcpServer::drain_link() {
  using Clock = std::chrono::steady_clock;
  const auto quiet_for = std::chrono::milliseconds(proto::kGapTimeoutMs + 50);
  const auto give_up = Clock::now() + std::chrono::seconds(5);
  auto last = Clock::now();
  std::array<std::uint8_t, kRecvChunk> buf{};
  while (Clock::now() - last < quiet_for && Clock::now() < give_up && !stop_.load()) {
    if (link_->read(buf.data(), buf.size(), std::chrono::milliseconds(20)) > 0) last = Clock::now();
  }
}

}  // namespace lpu::driver
