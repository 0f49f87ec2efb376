// TcpServer: accept, then feed the client's bytes to the protocol engine and send back its
// responses; bounded buffers, gap timeout for partial frames, errors never end the server.
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
#include <ostream>

#include "lpu/error.hpp"
#include "socket_util.hpp"

namespace lpu::driver {

namespace {

constexpr std::chrono::milliseconds kPollSlice{50};      // how often stop() is noticed
constexpr std::chrono::milliseconds kSendTimeout{5000};  // a client that stops reading is dropped
constexpr std::size_t kRecvChunk = 4096;

}  // namespace

TcpServer::TcpServer(ChipBackend& backend, TcpServerOptions opt)
    : server_(backend), opt_(std::move(opt)) {
  const std::string where = opt_.bind + ":" + std::to_string(opt_.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const int gai = ::getaddrinfo(opt_.bind.c_str(), std::to_string(opt_.port).c_str(), &hints, &res);
  if (gai != 0)
    throw Error("TCP server: cannot resolve bind address '" + opt_.bind +
                "': " + gai_strerror(gai));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> list(res, ::freeaddrinfo);

  std::string why = "no address";
  for (const addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
    net::Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) {
      why = net::errno_text(errno);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd.get(), 8) != 0) {
      why = net::errno_text(errno);
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
  throw Error("TCP server: cannot listen on " + where + ": " + why);
}

TcpServer::~TcpServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string TcpServer::address() const {
  const bool v6 = opt_.bind.find(':') != std::string::npos;
  return (v6 ? "[" + opt_.bind + "]" : opt_.bind) + ":" + std::to_string(port_);
}

void TcpServer::log(const std::string& line) {
  if (opt_.log) *opt_.log << "sim-server: " << line << std::endl;
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
    try {
      serve_client(fd.get(), peer);
    } catch (const Error& e) {
      log("client " + peer + ": " + e.what());
    }
    log("client " + peer + " disconnected");
    clients_.fetch_add(1);
  }
}

void TcpServer::serve_client(int fd, const std::string& peer) {
  server_.gap_timeout();  // a new client never inherits a partial frame (nor its responses)
  std::array<std::uint8_t, kRecvChunk> buf{};
  const std::chrono::milliseconds gap(proto::kGapTimeoutMs);
  auto last_byte = std::chrono::steady_clock::now();
  while (!stop_.load()) {
    if (!net::wait_readable(fd, kPollSlice)) {
      if (server_.mid_frame() && std::chrono::steady_clock::now() - last_byte >= gap) {
        const auto out = server_.gap_timeout();
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
    const auto out = server_.feed(buf.data(), static_cast<std::size_t>(k));
    const std::string dev_err = server_.take_device_error();
    if (!dev_err.empty()) log("device error: " + dev_err);
    if (!out.empty()) net::send_all(fd, out.data(), out.size(), kSendTimeout, "client " + peer);
  }
}

}  // namespace lpu::driver
