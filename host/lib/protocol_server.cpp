// The protocol engine: validates each request (docs/host-protocol.md "Errors" gives the order
// of the checks) and serves it from a ChipBackend.
#include "lpu/protocol_server.hpp"

#include <exception>
#include <string>

#include "lpu/error.hpp"

namespace lpu {

using proto::Cmd;
using proto::ErrField;
using proto::Frame;
using proto::MemSpace;
using proto::Status;

namespace {

// A request is refused with this (status, field, value, limit).
struct Refusal {
  Status status;
  ErrField field;
  std::uint32_t value;
  std::uint32_t limit;
};

Frame response_to(const Frame& req) {
  Frame r;
  r.cmd = static_cast<std::uint8_t>(req.cmd | proto::kResponseBit);
  r.seq = req.seq;
  return r;
}

Frame error_response(const Frame& req, const Refusal& why) {
  Frame r = response_to(req);
  r.status = static_cast<std::uint8_t>(why.status);
  r.payload = proto::ErrorPayload{why.field, why.value, why.limit}.encode();
  return r;
}

std::uint32_t u32(std::size_t v) { return static_cast<std::uint32_t>(v); }

// Expected request payload size; WRITE_MEM's is checked separately (8 + data).
std::size_t request_payload(Cmd c) {
  switch (c) {
    case Cmd::read_mem:
      return proto::kMemHeaderBytes + 4;
    case Cmd::set_program_len:
      return 4;
    default:
      return 0;
  }
}

bool needs_idle(Cmd c) {
  return c == Cmd::write_mem || c == Cmd::read_mem || c == Cmd::set_program_len || c == Cmd::run;
}

}  // namespace

ProtocolServer::ProtocolServer(ChipBackend& backend)
    : be_(backend), dec_(backend.max_data() + proto::kMemHeaderBytes) {}

std::vector<std::uint8_t> ProtocolServer::feed(const std::uint8_t* data, std::size_t n) {
  std::vector<std::uint8_t> out;
  for (const auto& ev : dec_.feed(data, n)) {
    const auto bytes = proto::encode_frame(handle(ev));
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

std::vector<std::uint8_t> ProtocolServer::gap_timeout() {
  std::vector<std::uint8_t> out;
  for (const auto& ev : dec_.flush()) {
    const auto bytes = proto::encode_frame(handle(ev));
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

Frame ProtocolServer::handle(const proto::FrameDecoder::Event& ev) {
  ++requests_;
  Frame resp;
  switch (ev.kind) {
    case proto::FrameDecoder::Event::Kind::bad_length:
      resp = error_response(
          ev.frame, {Status::bad_length, ErrField::length, ev.len, u32(dec_.max_payload())});
      break;
    case proto::FrameDecoder::Event::Kind::bad_crc:
      resp = error_response(ev.frame,
                            {Status::bad_crc, ErrField::frame, ev.received_crc, ev.computed_crc});
      break;
    case proto::FrameDecoder::Event::Kind::frame:
      resp = execute(ev.frame);
      break;
  }
  if (resp.status != 0) ++errors_;
  return resp;
}

Frame ProtocolServer::execute(const Frame& req) {
  if (!proto::is_request_cmd(req.cmd))
    return error_response(req, {Status::unknown_command, ErrField::command, req.cmd, 0});
  if (req.status != 0 || req.flags != 0) {
    return error_response(req, {Status::bad_argument, ErrField::header,
                                static_cast<std::uint32_t>(req.status | (req.flags << 8)), 0});
  }
  const Cmd cmd = static_cast<Cmd>(req.cmd);
  const auto& p = req.payload;
  if (cmd == Cmd::write_mem) {
    if (p.size() < proto::kMemHeaderBytes) {
      return error_response(
          req, {Status::bad_length, ErrField::payload, u32(p.size()), u32(proto::kMemHeaderBytes)});
    }
  } else if (p.size() != request_payload(cmd)) {
    return error_response(
        req, {Status::bad_length, ErrField::payload, u32(p.size()), u32(request_payload(cmd))});
  }

  const Config& cfg = be_.config();
  try {
    const ChipStatus st = be_.poll();
    if (needs_idle(cmd) && st.state == proto::ChipState::running) {
      return error_response(
          req, {Status::busy, ErrField::command, req.cmd, static_cast<std::uint32_t>(st.state)});
    }
    Frame r = response_to(req);
    switch (cmd) {
      case Cmd::info: {
        auto info = proto::InfoPayload::for_config(cfg);
        info.max_data = u32(be_.max_data());
        // The engine answers LINK_STATUS for every backend.
        info.features = be_.features() | proto::kFeatLinkStatus;
        info.clock_hz = be_.clock_hz();
        r.payload = info.encode();
        return r;
      }
      case Cmd::write_mem:
      case Cmd::read_mem: {
        if (p[2] != 0 || p[3] != 0) {
          return error_response(
              req, {Status::bad_argument, ErrField::reserved, proto::get_u16(&p[2]), 0});
        }
        if (p[0] >= proto::kNumMemSpaces) {
          return error_response(req,
                                {Status::bad_address, ErrField::space, p[0], proto::kNumMemSpaces});
        }
        const auto space = static_cast<MemSpace>(p[0]);
        const std::uint32_t bank = p[1];
        const std::uint32_t addr = proto::get_u32(&p[4]);
        const std::size_t n =
            cmd == Cmd::write_mem ? p.size() - proto::kMemHeaderBytes : proto::get_u32(&p[8]);
        const std::size_t unit = proto::mem_unit_bytes(space, cfg);
        const std::size_t depth = proto::mem_depth(space, cfg);
        const std::size_t banks = proto::mem_banks(space, cfg);
        if (bank >= banks)
          return error_response(req, {Status::bad_address, ErrField::bank, bank, u32(banks)});
        if (addr >= depth)
          return error_response(req, {Status::bad_address, ErrField::addr, addr, u32(depth)});
        if (n == 0 || n % unit != 0) {
          return error_response(req, {Status::bad_address, ErrField::length, u32(n), u32(unit)});
        }
        if (n > be_.max_data()) {
          return error_response(
              req, {Status::bad_address, ErrField::length, u32(n), u32(be_.max_data())});
        }
        if (n / unit > depth - addr) {
          return error_response(
              req, {Status::bad_address, ErrField::length, u32(n), u32((depth - addr) * unit)});
        }
        if (cmd == Cmd::write_mem) {
          be_.write_mem(space, bank, addr, p.data() + proto::kMemHeaderBytes, n);
        } else {
          r.payload.resize(n);
          be_.read_mem(space, bank, addr, r.payload.data(), n);
        }
        return r;
      }
      case Cmd::set_program_len: {
        const std::uint32_t n = proto::get_u32(p.data());
        if (n > cfg.imem_depth)
          return error_response(req, {Status::bad_address, ErrField::prog_len, n, cfg.imem_depth});
        be_.set_program_len(n);
        return r;
      }
      case Cmd::run:
        be_.start();
        ++runs_;
        return r;
      case Cmd::status: {
        proto::StatusPayload s;
        s.state = st.state;
        s.error_code = static_cast<std::uint8_t>(st.error);
        s.error_pc = st.error_pc;
        s.error_cycle = st.error_cycle;
        s.cycles = st.cycles;
        s.program_len = be_.program_len();
        s.runs = runs_;
        r.payload = s.encode();
        return r;
      }
      case Cmd::counters:
        r.payload = proto::encode_counters(be_.counters());
        return r;
      case Cmd::reset:
        be_.reset();
        runs_ = 0;
        return r;
      case Cmd::abort:
        be_.abort();
        return r;
      case Cmd::link_status: {
        const auto links = be_.link_status();
        if (links.size() != cfg.links) {
          throw Error("the backend reports " + std::to_string(links.size()) +
                      " links, the configuration has " + std::to_string(cfg.links));
        }
        r.payload = proto::encode_link_status(links);
        return r;
      }
    }
  } catch (const std::exception& e) {
    last_device_error_ = std::string(proto::cmd_name(req.cmd)) + ": " + e.what();
    return error_response(req, {Status::device_error, ErrField::none, 0, 0});
  }
  return error_response(req, {Status::unknown_command, ErrField::command, req.cmd, 0});
}

}  // namespace lpu
