// The `golden` transport: an in-process loopback into a ProtocolServer in front of a
// GoldenBackend, so the golden model is driven through exactly the frames a board gets. The
// loopback itself (open_loopback_transport) also carries the chips of `golden-frames` systems.
#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <thread>

#include "lpu/driver/system.hpp"
#include "lpu/driver/transport.hpp"
#include "lpu/error.hpp"
#include "lpu/protocol_server.hpp"

namespace lpu::driver {

namespace {

class LoopbackTransport final : public Transport {
 public:
  LoopbackTransport(std::shared_ptr<void> keep, ChipBackend& be, std::string name)
      : keep_(std::move(keep)), server_(std::make_unique<ProtocolServer>(be)), name_(std::move(name)) {}

  void write(const std::uint8_t* data, std::size_t n) override {
    check_open();
    const auto out = server_->feed(data, n);
    rx_.insert(rx_.end(), out.begin(), out.end());
    last_write_ = std::chrono::steady_clock::now();
  }

  std::size_t read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override {
    check_open();
    if (rx_.empty()) {  // every response comes from write(): behave like a silent link
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
    keep_.reset();
    rx_.clear();
  }
  ~LoopbackTransport() override { close(); }

  std::string describe() const override { return name_; }

 private:
  void check_open() const {
    if (!server_) throw Error(name_ + ": transport is closed");
  }

  std::shared_ptr<void> keep_;
  std::unique_ptr<ProtocolServer> server_;
  std::string name_;
  std::deque<std::uint8_t> rx_;
  std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace

std::unique_ptr<Transport> open_loopback_transport(std::shared_ptr<void> keep, ChipBackend& backend,
                                                   std::string name) {
  return std::make_unique<LoopbackTransport>(std::move(keep), backend, std::move(name));
}

std::unique_ptr<Transport> open_golden_transport(const Config& cfg, GoldenBackendOptions opt) {
  auto backend = std::make_shared<GoldenBackend>(cfg, opt);
  ChipBackend& be = *backend;
  return open_loopback_transport(std::move(backend), be, "golden");
}

}  // namespace lpu::driver
