// The host side of the host protocol: one request at a time over a Transport, with sequence
// numbers, response timeouts, resynchronisation and retries (docs/host-protocol.md
// "Timeouts, retries, sequence numbers").
//
// Ownership: a FrameClient owns its Transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "lpu/driver/transport.hpp"
#include "lpu/error.hpp"
#include "lpu/protocol.hpp"

namespace lpu::driver {

// The device answered with an error status (BUSY, BAD_ADDRESS, ...).
class ProtocolError : public Error {
 public:
  ProtocolError(const std::string& what, proto::Status s, proto::ErrorPayload d)
      : Error(what), status(s), detail(d) {}
  proto::Status status;
  proto::ErrorPayload detail;
};

// A request that is not safe to repeat got no (valid) response; whether it took effect is
// unknown. The caller decides (RUN: compare STATUS.runs).
class ResponseLost : public Error {
 public:
  using Error::Error;
};

struct ClientOptions {
  std::chrono::milliseconds response_timeout{1000};  // T_RESP, plus the frames' transfer time
  unsigned retries = 2;                              // for requests that are safe to repeat
};

class FrameClient {
 public:
  explicit FrameClient(std::unique_ptr<Transport> t, ClientOptions opt = {});

  // Sends `cmd` with `payload` and returns the payload of the OK response. Throws
  // ProtocolError for an error response, ResponseLost (repeatable = false) or lpu::Error
  // after the retries are used up, and lpu::Error from the transport when the link is gone.
  std::vector<std::uint8_t> call(proto::Cmd cmd, const std::vector<std::uint8_t>& payload,
                                 bool repeatable = true);

  // Silence for T_GAP + 50 ms, then discard everything received (docs "Timeouts").
  void resync();

  Transport& transport() { return *t_; }
  const Transport& transport() const { return *t_; }
  void close() { t_->close(); }

  struct Stats {
    std::uint64_t requests = 0;
    std::uint64_t retries = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t bytes_in = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  std::unique_ptr<Transport> t_;
  ClientOptions opt_;
  proto::FrameDecoder dec_;
  std::uint8_t seq_ = 0;
  Stats stats_;
};

}  // namespace lpu::driver
