// FrameClient: request/response over a transport with timeouts, resync and retries.
#include "lpu/driver/frame_client.hpp"

#include <array>
#include <optional>
#include <thread>

namespace lpu::driver {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// What to do when a device does not answer, by transport.
std::string no_answer_hint(const std::string& device) {
  if (device.rfind("usb", 0) == 0) {
    return "is the board loaded with the LPU bitstream (`lpu flash --board ulx3s|icebreaker "
           "FILE`) and its UART at the same baud rate? Re-plug it and try again";
  }
  if (device.rfind("tcp://", 0) == 0) {
    return "is the server an `lpu sim-server` and is it still running? Restart it and try again";
  }
  return "the device is not answering; run the command again, and report it if it repeats";
}

}  // namespace

FrameClient::FrameClient(std::unique_ptr<Transport> t, ClientOptions opt)
    : t_(std::move(t)), opt_(opt), dec_(proto::kMaxPayload) {
  if (!t_) throw Error("FrameClient: no transport");
}

void FrameClient::resync() {
  std::this_thread::sleep_for(milliseconds(proto::kGapTimeoutMs + 50));
  std::array<std::uint8_t, 4096> buf{};
  while (t_->read(buf.data(), buf.size(), milliseconds(0)) > 0) {
  }
  dec_.drop_partial();
}

std::vector<std::uint8_t> FrameClient::call(proto::Cmd cmd,
                                            const std::vector<std::uint8_t>& payload,
                                            bool repeatable) {
  const auto code = static_cast<std::uint8_t>(cmd);
  const std::string what = t_->describe() + ": " + std::string(proto::cmd_name(code));
  proto::Frame req;
  req.cmd = code;
  req.payload = payload;

  // Response timeout: T_RESP plus twice the time both frames take on the link.
  milliseconds timeout = opt_.response_timeout;
  if (t_->byte_rate() > 0) {
    const double bytes =
        static_cast<double>(proto::kHeaderBytes + payload.size() + proto::kMaxFrame);
    timeout += milliseconds(static_cast<std::int64_t>(2000.0 * bytes / t_->byte_rate()));
  }

  std::string last_problem;
  for (unsigned attempt = 0;; ++attempt) {
    if (attempt > 0) ++stats_.retries;
    ++stats_.requests;
    req.seq = seq_++;
    const auto bytes = proto::encode_frame(req);
    t_->write(bytes.data(), bytes.size());
    stats_.bytes_out += bytes.size();

    std::optional<proto::Frame> resp;
    bool damaged = false;
    const auto deadline = Clock::now() + timeout;
    std::array<std::uint8_t, 4096> buf{};
    while (!resp && !damaged) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      const std::size_t n = t_->read(buf.data(), buf.size(), left);
      stats_.bytes_in += n;
      for (auto& ev : dec_.feed(buf.data(), n)) {
        if (ev.kind != proto::FrameDecoder::Event::Kind::frame) {
          damaged = true;  // a response arrived damaged (ours or a stale one: retry decides)
        } else if (ev.frame.cmd == (code | proto::kResponseBit) && ev.frame.seq == req.seq) {
          resp = std::move(ev.frame);
        }  // else: a late response to an earlier request, or not a response at all
      }
    }

    bool not_executed = false;  // the device saw our request damaged: safe to repeat anything
    if (resp) {
      const auto st = static_cast<proto::Status>(resp->status);
      if (st == proto::Status::ok) return std::move(resp->payload);
      const auto detail = proto::ErrorPayload::decode(resp->payload);
      if (st == proto::Status::bad_crc ||
          (st == proto::Status::bad_length && detail.field == proto::ErrField::length)) {
        not_executed = true;
        last_problem =
            "the device received the request damaged (" + std::string(proto::status_name(st)) + ")";
      } else {
        throw ProtocolError(t_->describe() + ": " + proto::describe_error(code, st, detail), st,
                            detail);
      }
    } else {
      last_problem = damaged ? "the response arrived damaged"
                             : "no response within " + std::to_string(timeout.count()) + " ms";
    }

    resync();
    if (!not_executed && !repeatable) {
      throw ResponseLost(what + ": " + last_problem + "; the request may have taken effect (" +
                         no_answer_hint(t_->describe()) + ")");
    }
    if (attempt >= opt_.retries) {
      throw Error(what + ": " + last_problem + " (after " + std::to_string(attempt + 1) +
                  " attempts); " + no_answer_hint(t_->describe()));
    }
  }
}

}  // namespace lpu::driver
