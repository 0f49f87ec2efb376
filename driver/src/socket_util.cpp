// POSIX socket helpers for the TCP transport and server.
#include "socket_util.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "lpu/error.hpp"

namespace lpu::driver::net {

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string errno_text(int err) { return std::strerror(err); }

namespace {

bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno == EINTR) continue;
    throw Error("poll failed: " + errno_text(errno));
  }
}

}  // namespace

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  return wait_for(fd, POLLIN, timeout);
}
bool wait_writable(int fd, std::chrono::milliseconds timeout) {
  return wait_for(fd, POLLOUT, timeout);
}

void send_all(int fd, const std::uint8_t* data, std::size_t n, std::chrono::milliseconds timeout,
              const std::string& who) {
  while (n > 0) {
    if (!wait_writable(fd, timeout)) {
      throw Error(who + ": send timed out after " + std::to_string(timeout.count()) +
                  " ms (peer not reading)");
    }
    const ssize_t k = ::send(fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (k < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      throw Error(who + ": connection lost while sending (" + errno_text(errno) + ")");
    }
    data += k;
    n -= static_cast<std::size_t>(k);
  }
}

void set_nonblocking(int fd, bool on) {
  const int fl = ::fcntl(fd, F_GETFL, 0);
  if (fl < 0 || ::fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK)) < 0) {
    throw Error("fcntl(O_NONBLOCK) failed: " + errno_text(errno));
  }
}

void set_nodelay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // best effort: latency only
}

}  // namespace lpu::driver::net
