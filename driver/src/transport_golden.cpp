// The `golden` transport: an in-process loopback into a ProtocolServer in front of a
// GoldenBackend, so the golden model is driven through exactly the frames a board gets.
#include <algorithm>
#include <deque>
#include <thread>

#include "lpu/driver/transport.hpp"
#include "lpu/error.hpp"
#include "lpu/protocol_server.hpp"

namespace lpu::driver {

namespace {

class GoldenTransport : public Transport {
 public:
  GoldenTransport(const Config& cfg, GoldenBackendOptions opt)
      : backend_(std::make_unique<GoldenBackend>(cfg, opt)),
        server_(std::make_unique<ProtocolServer>(*backend_)) {}

  void write(const std::uint8_t* data, std::size_t n) override {
    check_open();
    const auto out = server_->feed(data, n);
    rx_.insert(rx_.end(), out.begin(), out.end());
    last_write_ = std::chrono::steady_clock::now();
  }

  std::size_t read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override {
    check_open();
    if (rx_.empty()) {
      // Nothing else can arrive: every response is produced by write(). Behave like a
      // silent link: wait out the timeout, and let the device give up a partial frame once
      // the line has been quiet for T_GAP (which may answer a frame held behind it).
      const auto now = std::chrono::steady_clock::now();
      if (server_->mid_frame()) {
        const auto gap_end = last_write_ + std::chrono::milliseconds(proto::kGapTimeoutMs);
        std::this_thread::sleep_until(std::min(now + timeout, gap_end));
        if (std::chrono::steady_clock::now() >= gap_end) {
          const auto out = server_->gap_timeout();
          rx_.insert(rx_.end(), out.begin(), out.end());
        }
      } else {
        std::this_thread::sleep_for(timeout);
      }
      if (rx_.empty()) return 0;
    }
    const std::size_t n = std::min(cap, rx_.size());
    std::copy(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n), buf);
    rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
  }

  void close() override {
    server_.reset();
    backend_.reset();
    rx_.clear();
  }

  std::string describe() const override { return "golden"; }

 private:
  void check_open() const {
    if (!server_) throw Error("golden: transport is closed");
  }

  std::unique_ptr<GoldenBackend> backend_;
  std::unique_ptr<ProtocolServer> server_;  // borrows *backend_; destroyed first
  std::deque<std::uint8_t> rx_;
  std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace

std::unique_ptr<Transport> open_golden_transport(const Config& cfg, GoldenBackendOptions opt) {
  return std::make_unique<GoldenTransport>(cfg, opt);
}

}  // namespace lpu::driver
