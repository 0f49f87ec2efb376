// Internal to the driver: a file-descriptor owner and the few POSIX socket helpers the TCP
// transport and the TCP server share.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace lpu::driver::net {

// Owns a file descriptor; closes it on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset();

 private:
  int fd_ = -1;
};

// "strerror(errno)".
std::string errno_text(int err);

// Waits until `fd` is readable (or writable); false on timeout. Throws lpu::Error on a poll
// failure. A hang-up or error condition counts as ready (the next recv/send reports it).
bool wait_readable(int fd, std::chrono::milliseconds timeout);
bool wait_writable(int fd, std::chrono::milliseconds timeout);

// Sends all bytes (MSG_NOSIGNAL), waiting at most `timeout` for the peer to take each part.
// Throws lpu::Error prefixed with `who` on a timeout, a reset or a closed connection.
void send_all(int fd, const std::uint8_t* data, std::size_t n, std::chrono::milliseconds timeout,
              const std::string& who);

void set_nonblocking(int fd, bool on);
void set_nodelay(int fd);

}  // namespace lpu::driver::net
