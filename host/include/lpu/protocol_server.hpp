// The device side of the host protocol (docs/host-protocol.md): a protocol engine that turns
// request frames into calls on a chip backend and answers them.
//
// Ownership: a ProtocolServer borrows its ChipBackend (the caller keeps it alive longer than
// the server). Neither is thread-safe; one thread feeds a server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/isa.hpp"
#include "lpu/link_status.hpp"
#include "lpu/protocol.hpp"

namespace lpu {

struct ChipStatus {
  proto::ChipState state = proto::ChipState::idle;
  ErrorCode error = ErrorCode::none;
  std::uint32_t error_pc = 0;
  std::uint64_t error_cycle = 0;
  std::uint64_t cycles = 0;  // the cycles counter (final once the run ended)
};

// What a chip looks like from its host port (docs/core.md "Ports"). The protocol engine has
// validated every argument against config() and only calls the memory and program methods
// while poll() does not report running, so a backend need not check either; it throws
// lpu::Error only for an internal failure (answered DEVICE_ERROR).
class ChipBackend {
 public:
  virtual ~ChipBackend() = default;

  virtual const Config& config() const = 0;
  // INFO fields a backend decides: feature bits (proto::kFeat*), the clock it reports and
  // the largest data chunk it accepts (a power of two, 256..4096).
  virtual std::uint32_t features() const = 0;
  virtual std::uint32_t clock_hz() const = 0;
  virtual std::size_t max_data() const { return proto::kMaxData; }

  // `n` bytes = whole units of `s` from (bank, addr), inside one bank (container byte order).
  virtual void write_mem(proto::MemSpace s, std::uint32_t bank, std::uint32_t addr,
                         const std::uint8_t* data, std::size_t n) = 0;
  virtual void read_mem(proto::MemSpace s, std::uint32_t bank, std::uint32_t addr,
                        std::uint8_t* out, std::size_t n) = 0;
  virtual void set_program_len(std::uint32_t n) = 0;  // n <= imem_depth
  virtual std::uint32_t program_len() const = 0;

  // Starts a run at pc 0 (never called while running).
  virtual void start() = 0;
  // Requests a running chip to stop with `aborted`; no effect when not running.
  virtual void abort() = 0;
  // The current status. A simulated backend advances its model here (bounded work per call).
  virtual ChipStatus poll() = 0;
  // The performance counters (isa order): the last run's, or live values while running.
  virtual proto::CounterArray counters() = 0;
  // Stops any run; clears registers, counters, error, program length; back to idle.
  virtual void reset() = 0;
  // The chip's links (config().links entries; always allowed, also while running). Default:
  // every link down with zero counters (a chip with no partner, as a lone golden model).
  virtual std::vector<LinkStatus> link_status() { return links_down(config().links); }
};

// The protocol engine. feed() takes bytes from the link and returns the bytes to send back.
class ProtocolServer {
 public:
  explicit ProtocolServer(ChipBackend& backend);

  // Decodes `n` received bytes and returns the encoded responses they complete, in order.
  std::vector<std::uint8_t> feed(const std::uint8_t* data, std::size_t n);
  // Call when no byte has arrived for proto::kGapTimeoutMs while mid_frame(): drops the
  // partial frame (after rescanning what it held) and returns the responses to any good frame
  // found behind it.
  std::vector<std::uint8_t> gap_timeout();
  bool mid_frame() const { return dec_.mid_frame(); }

  // Answers one decoded request (a good frame or a decoder error event).
  proto::Frame handle(const proto::FrameDecoder::Event& ev);

  // Statistics, and the message of the last DEVICE_ERROR since the previous call (for a
  // server's log; empty when there was none).
  std::uint64_t requests() const { return requests_; }
  std::uint64_t error_responses() const { return errors_; }
  std::string take_device_error() {
    std::string s;
    s.swap(last_device_error_);
    return s;
  }

 private:
  proto::Frame execute(const proto::Frame& req);

  ChipBackend& be_;
  proto::FrameDecoder dec_;
  std::uint32_t runs_ = 0;
  std::uint64_t requests_ = 0;
  std::uint64_t errors_ = 0;
  std::string last_device_error_;
};

}  // namespace lpu
