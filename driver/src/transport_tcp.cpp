// The `tcp://HOST:PORT` transport: a client socket to `lpu sim-server`, with a connect
// timeout, a timeout on every read and write, and clear errors when the server goes away.
#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>

#include "lpu/driver/transport.hpp"
#include "lpu/error.hpp"
#include "socket_util.hpp"

namespace lpu::driver {

namespace {

constexpr std::chrono::milliseconds kSendTimeout{5000};

class TcpTransport : public Transport {
 public:
  TcpTransport(net::Fd fd, std::string name) : fd_(std::move(fd)), name_(std::move(name)) {}

  void write(const std::uint8_t* data, std::size_t n) override {
    check_open();
    net::send_all(fd_.get(), data, n, kSendTimeout, name_);
  }

  std::size_t read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override {
    check_open();
    if (!net::wait_readable(fd_.get(), timeout)) return 0;
    for (;;) {
      const ssize_t k = ::recv(fd_.get(), buf, cap, MSG_DONTWAIT);
      if (k > 0) return static_cast<std::size_t>(k);
      if (k == 0) throw Error(name_ + ": connection closed by the server");
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      throw Error(name_ + ": connection lost (" + net::errno_text(errno) + ")");
    }
  }

  void close() override { fd_.reset(); }
  std::string describe() const override { return name_; }

 private:
  void check_open() const {
    if (!fd_.valid()) throw Error(name_ + ": transport is closed");
  }

  net::Fd fd_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Transport> open_tcp_transport(const std::string& host, std::uint16_t port,
                                              std::chrono::milliseconds connect_timeout) {
  const std::string name = "tcp://" + host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (gai != 0) throw Error(name + ": cannot resolve host '" + host + "': " + gai_strerror(gai));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> list(res, ::freeaddrinfo);

  std::string why = "no address";
  for (const addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
    net::Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) {
      why = "socket: " + net::errno_text(errno);
      continue;
    }
    net::set_nonblocking(fd.get(), true);
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        why = net::errno_text(errno);
        continue;
      }
      if (!net::wait_writable(fd.get(), connect_timeout)) {
        why = "timed out after " + std::to_string(connect_timeout.count()) + " ms";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        why = net::errno_text(err);
        continue;
      }
    }
    net::set_nodelay(fd.get());
    return std::make_unique<TcpTransport>(std::move(fd), name);
  }
  throw Error(name + ": cannot connect (" + why + "); is `lpu sim-server --port " +
              std::to_string(port) + "` running?");
}

}  // namespace lpu::driver
