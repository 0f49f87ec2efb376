// Host protocol: frames, the resynchronising decoder and payloads (docs/host-protocol.md).
#include "lpu/protocol.hpp"

#include <algorithm>
#include <string>

#include "lpu/crc32.hpp"
#include "lpu/error.hpp"
#include "lpu/program.hpp"

namespace lpu::proto {

namespace {

std::string hex8(unsigned v) {
  static const char* d = "0123456789abcdef";
  std::string s = "0x";
  s += d[(v >> 4) & 0xF];
  s += d[v & 0xF];
  return s;
}

void need_size(const std::vector<std::uint8_t>& p, std::size_t n, const char* what) {
  if (p.size() != n) {
    throw Error(std::string(what) + ": payload has " + std::to_string(p.size()) +
                " bytes, expected " + std::to_string(n));
  }
}

}  // namespace

bool is_request_cmd(std::uint8_t cmd) { return cmd >= 0x01 && cmd <= 0x0A; }

std::string_view cmd_name(std::uint8_t cmd) {
  switch (cmd & 0x7F) {
    case 0x01:
      return "INFO";
    case 0x02:
      return "WRITE_MEM";
    case 0x03:
      return "READ_MEM";
    case 0x04:
      return "SET_PROGRAM_LEN";
    case 0x05:
      return "RUN";
    case 0x06:
      return "STATUS";
    case 0x07:
      return "COUNTERS";
    case 0x08:
      return "RESET";
    case 0x09:
      return "ABORT";
    case 0x0A:
      return "LINK_STATUS";
    default:
      return "unknown command";
  }
}

std::string_view status_name(Status s) {
  switch (s) {
    case Status::ok:
      return "OK";
    case Status::bad_crc:
      return "BAD_CRC";
    case Status::bad_length:
      return "BAD_LENGTH";
    case Status::unknown_command:
      return "UNKNOWN_COMMAND";
    case Status::bad_address:
      return "BAD_ADDRESS";
    case Status::busy:
      return "BUSY";
    case Status::bad_argument:
      return "BAD_ARGUMENT";
    case Status::device_error:
      return "DEVICE_ERROR";
  }
  return "unknown status";
}

std::string_view err_field_name(ErrField f) {
  switch (f) {
    case ErrField::none:
      return "none";
    case ErrField::space:
      return "space";
    case ErrField::bank:
      return "bank";
    case ErrField::addr:
      return "addr";
    case ErrField::length:
      return "length";
    case ErrField::command:
      return "command";
    case ErrField::header:
      return "header";
    case ErrField::payload:
      return "payload";
    case ErrField::reserved:
      return "reserved";
    case ErrField::prog_len:
      return "prog_len";
    case ErrField::frame:
      return "frame";
  }
  return "unknown field";
}

std::string_view mem_space_name(MemSpace s) {
  switch (s) {
    case MemSpace::sram:
      return "SRAM";
    case MemSpace::acc:
      return "ACC";
    case MemSpace::lut:
      return "LUT";
    case MemSpace::imem:
      return "IMEM";
  }
  return "unknown space";
}

std::size_t mem_unit_bytes(MemSpace s, const Config& cfg) {
  if (s == MemSpace::imem) return 8;
  return unit_bytes(static_cast<Space>(s), cfg);
}

std::size_t mem_depth(MemSpace s, const Config& cfg) {
  if (s == MemSpace::imem) return cfg.imem_depth;
  return space_depth(static_cast<Space>(s), cfg);
}

std::size_t mem_banks(MemSpace s, const Config& cfg) {
  if (s == MemSpace::imem) return 1;
  return space_banks(static_cast<Space>(s), cfg);
}

std::string_view chip_state_name(ChipState s) {
  switch (s) {
    case ChipState::idle:
      return "idle";
    case ChipState::running:
      return "running";
    case ChipState::done:
      return "done";
    case ChipState::error:
      return "error";
  }
  return "unknown state";
}

// ---- little-endian ----------------------------------------------------------------------

void put_u16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x));
  v.push_back(static_cast<std::uint8_t>(x >> 8));
}
void put_u32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
}
void put_u64(std::vector<std::uint8_t>& v, std::uint64_t x) {
  for (int i = 0; i < 8; ++i) v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
}
std::uint16_t get_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t get_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t get_u64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(get_u32(p)) |
         (static_cast<std::uint64_t>(get_u32(p + 4)) << 32);
}

// ---- frames -------------------------------------------------------------------------------

std::vector<std::uint8_t> encode_frame(const Frame& f) {
  if (f.payload.size() > kMaxPayload) {
    throw Error("frame " + std::string(cmd_name(f.cmd)) + ": payload of " +
                std::to_string(f.payload.size()) + " bytes exceeds the maximum " +
                std::to_string(kMaxPayload));
  }
  std::vector<std::uint8_t> out;
  out.reserve(kHeaderBytes + f.payload.size() + kCrcBytes);
  out.push_back(kSync0);
  out.push_back(kSync1);
  out.push_back(f.cmd);
  out.push_back(f.seq);
  put_u16(out, static_cast<std::uint16_t>(f.payload.size()));
  out.push_back(f.status);
  out.push_back(f.flags);
  put_u32(out, crc32(out.data(), 8));
  out.insert(out.end(), f.payload.begin(), f.payload.end());
  put_u32(out, crc32(out.data(), out.size()));
  return out;
}

FrameDecoder::FrameDecoder(std::size_t max_payload)
    : max_payload_(std::min(max_payload, kMaxPayload)) {
  buf_.reserve(2 * kMaxFrame);
}

std::vector<FrameDecoder::Event> FrameDecoder::feed(const std::uint8_t* data, std::size_t n) {
  std::vector<Event> out;
  // Bounded buffering: at most one partial frame (< kMaxFrame) plus one chunk is held.
  while (n > 0) {
    const std::size_t chunk = std::min(n, kMaxFrame);
    buf_.insert(buf_.end(), data, data + chunk);
    data += chunk;
    n -= chunk;
    parse(out);
  }
  return out;
}

std::vector<FrameDecoder::Event> FrameDecoder::flush() {
  std::vector<Event> out;
  while (!buf_.empty()) {
    buf_.erase(buf_.begin());  // the stale candidate's first byte
    ++discarded_;
    parse(out);
  }
  return out;
}

void FrameDecoder::parse(std::vector<Event>& out) {
  std::size_t pos = 0;
  const std::size_t size = buf_.size();
  for (;;) {
    // Hunt for A5 5A (a final lone A5 may still become one).
    while (pos < size && !(buf_[pos] == kSync0 && (pos + 1 == size || buf_[pos + 1] == kSync1))) {
      ++pos;
      ++discarded_;
    }
    if (pos >= size) break;
    const std::size_t avail = size - pos;
    if (avail < kHeaderBytes) break;
    const std::uint8_t* h = &buf_[pos];
    if (crc32(h, 8) != get_u32(h + 8)) {  // not a header: resume after its A5
      ++pos;
      ++discarded_;
      continue;
    }
    Event ev;
    ev.frame.cmd = h[2];
    ev.frame.seq = h[3];
    ev.frame.status = h[6];
    ev.frame.flags = h[7];
    ev.len = get_u16(h + 4);
    if (ev.len > max_payload_) {  // never wait for a payload beyond the bound
      ev.kind = Event::Kind::bad_length;
      out.push_back(std::move(ev));
      ++pos;
      ++discarded_;
      continue;
    }
    const std::size_t total = kHeaderBytes + ev.len + kCrcBytes;
    if (avail < total) break;
    const std::uint32_t want = crc32(h, kHeaderBytes + ev.len);
    const std::uint32_t got = get_u32(h + kHeaderBytes + ev.len);
    if (want != got) {
      ev.kind = Event::Kind::bad_crc;
      ev.received_crc = got;
      ev.computed_crc = want;
      out.push_back(std::move(ev));
      ++pos;
      ++discarded_;
      continue;
    }
    ev.kind = Event::Kind::frame;
    ev.frame.payload.assign(h + kHeaderBytes, h + kHeaderBytes + ev.len);
    out.push_back(std::move(ev));
    pos += total;
  }
  buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos));
}

// ---- payloads -----------------------------------------------------------------------------

InfoPayload InfoPayload::for_config(const Config& cfg) {
  InfoPayload p;
  p.config_id = cfg.id;
  p.lanes = static_cast<std::uint16_t>(cfg.lanes);
  p.banks = static_cast<std::uint16_t>(cfg.banks);
  p.bank_depth = cfg.bank_depth;
  p.acc_depth = cfg.acc_depth;
  p.imem_depth = cfg.imem_depth;
  p.lut_depth = cfg.lut_depth;
  p.vregs = static_cast<std::uint16_t>(cfg.vregs);
  p.sregs = static_cast<std::uint16_t>(cfg.sregs);
  p.loop_depth = static_cast<std::uint16_t>(cfg.loop_depth);
  p.links = static_cast<std::uint16_t>(cfg.links);
  return p;
}

std::vector<std::uint8_t> InfoPayload::encode() const {
  std::vector<std::uint8_t> v;
  v.reserve(kBytes);
  put_u16(v, proto_major);
  put_u16(v, proto_minor);
  put_u32(v, isa_version);
  put_u32(v, config_id);
  put_u16(v, lanes);
  put_u16(v, banks);
  put_u32(v, bank_depth);
  put_u32(v, acc_depth);
  put_u32(v, imem_depth);
  put_u32(v, lut_depth);
  put_u16(v, vregs);
  put_u16(v, sregs);
  put_u16(v, loop_depth);
  put_u16(v, links);
  put_u32(v, max_data);
  put_u32(v, features);
  put_u16(v, num_counters);
  put_u16(v, 0);
  put_u32(v, clock_hz);
  put_u32(v, gap_timeout_ms);
  put_u32(v, 0);
  return v;
}

InfoPayload InfoPayload::decode(const std::vector<std::uint8_t>& p) {
  need_size(p, kBytes, "INFO response");
  const std::uint8_t* b = p.data();
  InfoPayload i;
  i.proto_major = get_u16(b + 0);
  i.proto_minor = get_u16(b + 2);
  i.isa_version = get_u32(b + 4);
  i.config_id = get_u32(b + 8);
  i.lanes = get_u16(b + 12);
  i.banks = get_u16(b + 14);
  i.bank_depth = get_u32(b + 16);
  i.acc_depth = get_u32(b + 20);
  i.imem_depth = get_u32(b + 24);
  i.lut_depth = get_u32(b + 28);
  i.vregs = get_u16(b + 32);
  i.sregs = get_u16(b + 34);
  i.loop_depth = get_u16(b + 36);
  i.links = get_u16(b + 38);
  i.max_data = get_u32(b + 40);
  i.features = get_u32(b + 44);
  i.num_counters = get_u16(b + 48);
  i.clock_hz = get_u32(b + 52);
  i.gap_timeout_ms = get_u32(b + 56);
  return i;
}

const Config& InfoPayload::check_config() const {
  if (proto_major != kProtoMajor) {
    throw Error("device speaks host protocol " + std::to_string(proto_major) + "." +
                std::to_string(proto_minor) + ", this host speaks " + std::to_string(kProtoMajor) +
                "." + std::to_string(kProtoMinor));
  }
  if (isa_version != gen::kIsaVersion) {
    throw Error("device implements ISA version " + std::to_string(isa_version) +
                ", this host ISA version " + std::to_string(gen::kIsaVersion));
  }
  const Config* cfg = nullptr;
  std::string known;
  for (const auto& c : gen::kConfigs) {
    if (c.id == config_id) cfg = &c;
    known += (known.empty() ? "" : ", ") + std::string(c.name) + "=" + std::to_string(c.id);
  }
  if (!cfg)
    throw Error("device reports unknown configuration id " + std::to_string(config_id) +
                " (known: " + known + ")");
  auto same = [&](const char* what, std::uint64_t dev, std::uint64_t host) {
    if (dev != host) {
      throw Error("device reports configuration '" + std::string(cfg->name) + "' but " + what +
                  " " + std::to_string(dev) + " (expected " + std::to_string(host) + ")");
    }
  };
  same("lanes", lanes, cfg->lanes);
  same("banks", banks, cfg->banks);
  same("bank_depth", bank_depth, cfg->bank_depth);
  same("acc_depth", acc_depth, cfg->acc_depth);
  same("imem_depth", imem_depth, cfg->imem_depth);
  same("lut_depth", lut_depth, cfg->lut_depth);
  same("vregs", vregs, cfg->vregs);
  same("sregs", sregs, cfg->sregs);
  same("num_counters", num_counters, gen::kNumCounters);
  if (max_data < kMinMaxData || max_data > kMaxData || (max_data & (max_data - 1)) != 0) {
    throw Error("device reports max_data " + std::to_string(max_data) +
                " (must be a power of two in " + std::to_string(kMinMaxData) + ".." +
                std::to_string(kMaxData) + ")");
  }
  return *cfg;
}

std::vector<std::uint8_t> MemRequest::encode_write() const {
  std::vector<std::uint8_t> v;
  v.reserve(kMemHeaderBytes + data.size());
  v.push_back(static_cast<std::uint8_t>(space));
  v.push_back(bank);
  put_u16(v, 0);
  put_u32(v, addr);
  v.insert(v.end(), data.begin(), data.end());
  return v;
}

std::vector<std::uint8_t> MemRequest::encode_read() const {
  std::vector<std::uint8_t> v;
  v.reserve(kMemHeaderBytes + 4);
  v.push_back(static_cast<std::uint8_t>(space));
  v.push_back(bank);
  put_u16(v, 0);
  put_u32(v, addr);
  put_u32(v, nbytes);
  return v;
}

std::vector<std::uint8_t> StatusPayload::encode() const {
  std::vector<std::uint8_t> v;
  v.reserve(kBytes);
  v.push_back(static_cast<std::uint8_t>(state));
  v.push_back(error_code);
  put_u16(v, 0);
  put_u32(v, error_pc);
  put_u64(v, error_cycle);
  put_u64(v, cycles);
  put_u32(v, program_len);
  put_u32(v, runs);
  return v;
}

StatusPayload StatusPayload::decode(const std::vector<std::uint8_t>& p) {
  need_size(p, kBytes, "STATUS response");
  StatusPayload s;
  if (p[0] > 3) throw Error("STATUS response: state " + std::to_string(p[0]) + " is not 0..3");
  s.state = static_cast<ChipState>(p[0]);
  s.error_code = p[1];
  s.error_pc = get_u32(&p[4]);
  s.error_cycle = get_u64(&p[8]);
  s.cycles = get_u64(&p[16]);
  s.program_len = get_u32(&p[24]);
  s.runs = get_u32(&p[28]);
  return s;
}

std::vector<std::uint8_t> encode_counters(const CounterArray& c) {
  std::vector<std::uint8_t> v;
  v.reserve(8 + 8 * c.size());
  put_u16(v, static_cast<std::uint16_t>(c.size()));
  put_u16(v, 0);
  put_u32(v, 0);
  for (auto x : c) put_u64(v, x);
  return v;
}

CounterArray decode_counters(const std::vector<std::uint8_t>& p) {
  if (p.size() < 8)
    throw Error("COUNTERS response: payload has " + std::to_string(p.size()) +
                " bytes, expected >= 8");
  const unsigned n = get_u16(p.data());
  if (n != gen::kNumCounters) {
    throw Error("COUNTERS response: " + std::to_string(n) + " counters, expected " +
                std::to_string(gen::kNumCounters));
  }
  need_size(p, 8 + 8 * static_cast<std::size_t>(n), "COUNTERS response");
  CounterArray c{};
  for (unsigned i = 0; i < n; ++i) c[i] = get_u64(&p[8 + 8 * i]);
  return c;
}

std::vector<std::uint8_t> encode_link_status(const std::vector<LinkStatus>& links) {
  if (links.size() > kMaxLinks) {
    throw Error("LINK_STATUS: " + std::to_string(links.size()) + " links, at most " +
                std::to_string(kMaxLinks));
  }
  std::vector<std::uint8_t> v;
  v.reserve(kLinkStatusHeaderBytes + links.size() * kLinkStatusPerLinkBytes);
  v.push_back(static_cast<std::uint8_t>(links.size()));
  v.push_back(static_cast<std::uint8_t>(kLinkCounters));
  put_u16(v, 0);
  for (std::size_t k = 0; k < links.size(); ++k) {
    const LinkStatus& l = links[k];
    if (l.counters.size() != kLinkCounters) {
      throw Error("LINK_STATUS: link " + std::to_string(k) + " has " +
                  std::to_string(l.counters.size()) + " counters, expected " +
                  std::to_string(kLinkCounters));
    }
    if (l.state > 0xFF) {
      throw Error("LINK_STATUS: link " + std::to_string(k) + " state " + std::to_string(l.state) +
                  " does not fit a byte");
    }
    v.push_back(l.up ? 1 : 0);
    v.push_back(static_cast<std::uint8_t>(l.state));
    put_u16(v, 0);
    for (auto c : l.counters) put_u32(v, c);
  }
  return v;
}

std::vector<LinkStatus> decode_link_status(const std::vector<std::uint8_t>& p) {
  const std::string what = "LINK_STATUS response";
  if (p.size() < kLinkStatusHeaderBytes) {
    throw Error(what + ": payload has " + std::to_string(p.size()) +
                " bytes, expected >= " + std::to_string(kLinkStatusHeaderBytes));
  }
  const unsigned links = p[0];
  const unsigned per = p[1];
  if (links > kMaxLinks) {
    throw Error(what + ": " + std::to_string(links) + " links, at most " +
                std::to_string(kMaxLinks));
  }
  if (per != kLinkCounters) {
    throw Error(what + ": " + std::to_string(per) + " counters per link, expected " +
                std::to_string(kLinkCounters) + " (docs/link.md)");
  }
  need_size(p, kLinkStatusHeaderBytes + links * kLinkStatusPerLinkBytes, what.c_str());
  std::vector<LinkStatus> out(links);
  for (unsigned k = 0; k < links; ++k) {
    const std::uint8_t* b = &p[kLinkStatusHeaderBytes + k * kLinkStatusPerLinkBytes];
    if (b[0] > 1) {
      throw Error(what + ": link " + std::to_string(k) + " up = " + std::to_string(b[0]) +
                  " (expected 0 or 1)");
    }
    if (b[1] >= kLinkStates) {
      throw Error(what + ": link " + std::to_string(k) + " state " + std::to_string(b[1]) +
                  " is not 0.." + std::to_string(kLinkStates - 1));
    }
    out[k].up = b[0] != 0;
    out[k].state = b[1];
    out[k].counters.resize(kLinkCounters);
    for (unsigned i = 0; i < kLinkCounters; ++i) out[k].counters[i] = get_u32(b + 4 + 4 * i);
  }
  return out;
}

std::vector<std::uint8_t> ErrorPayload::encode() const {
  std::vector<std::uint8_t> v;
  v.reserve(kBytes);
  v.push_back(static_cast<std::uint8_t>(field));
  v.push_back(0);
  v.push_back(0);
  v.push_back(0);
  put_u32(v, value);
  put_u32(v, limit);
  return v;
}

ErrorPayload ErrorPayload::decode(const std::vector<std::uint8_t>& p) {
  ErrorPayload e;
  if (p.size() < kBytes) return e;
  e.field = p[0] <= static_cast<std::uint8_t>(ErrField::frame) ? static_cast<ErrField>(p[0])
                                                               : ErrField::none;
  e.value = get_u32(&p[4]);
  e.limit = get_u32(&p[8]);
  return e;
}

std::string describe_error(std::uint8_t cmd, Status s, const ErrorPayload& e) {
  std::string m = std::string(cmd_name(cmd)) + ": " + std::string(status_name(s));
  switch (s) {
    case Status::bad_crc:
      m += " (frame CRC received " + std::to_string(e.value) + ", computed " +
           std::to_string(e.limit) + ")";
      break;
    case Status::unknown_command:
      m += " " + hex8(e.value);
      break;
    case Status::busy:
      m += " (a run is in progress; memory and program are accessible only while idle)";
      break;
    case Status::bad_length:
    case Status::bad_address:
    case Status::bad_argument:
      m += ": " + std::string(err_field_name(e.field)) + " " + std::to_string(e.value);
      if (e.field == ErrField::space) {
        m += " (spaces 0 SRAM, 1 ACC, 2 LUT, 3 IMEM)";
      } else if (e.field == ErrField::payload) {
        m += " bytes (expected " + std::to_string(e.limit) + ")";
      } else if (e.field == ErrField::length) {
        m += " bytes (limit " + std::to_string(e.limit) +
             "; a whole number of units inside the bank)";
      } else {
        m += " (limit " + std::to_string(e.limit) + ")";
      }
      break;
    default:
      break;
  }
  return m;
}

}  // namespace lpu::proto
