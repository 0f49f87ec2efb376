// FrameDevice: lpu::Device implemented with host-protocol requests.
#include "lpu/driver/frame_device.hpp"

#include <algorithm>
#include <thread>

#include "lpu/driver/transport_sim.hpp"
#include "lpu/error.hpp"

namespace lpu::driver {

using proto::Cmd;
using proto::MemSpace;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

std::string scheme_of(const std::string& d) {
  if (d.rfind("tcp://", 0) == 0) return "tcp";
  if (d.rfind("usb", 0) == 0) return "usb";
  if (is_sim_uri(d)) return "sim";  // helper H
  return "golden-frames";
}

std::string features_text(std::uint32_t f) {
  std::string s;
  auto add = [&](std::uint32_t bit, const char* n) {
    if (f & bit) s += (s.empty() ? "" : ",") + std::string(n);
  };
  add(proto::kFeatAbort, "abort");
  add(proto::kFeatImemReadable, "imem-read");
  add(proto::kFeatLiveCounters, "live-counters");
  add(proto::kFeatEmulated, "emulated");
  add(proto::kFeatLinkStatus, "link-status");
  return s.empty() ? "none" : s;
}

}  // namespace

FrameDevice::FrameDevice(std::unique_ptr<Transport> t, const Config* want, FrameDeviceOptions opt)
    : client_(std::move(t), opt.client), opt_(opt) {
  name_ = scheme_of(client_.transport().describe());
  info_ = proto::InfoPayload::decode(client_.call(Cmd::info, {}));
  try {
    cfg_ = &info_.check_config();
  } catch (const Error& e) {
    throw Error(client_.transport().describe() + ": " + e.what());
  }
  if (want && want->id != cfg_->id) {
    throw Error(client_.transport().describe() + " is configuration '" + std::string(cfg_->name) +
                "', not '" + std::string(want->name) + "'");
  }
}

std::string FrameDevice::description() const {
  std::string s = client_.transport().describe() == "golden"
                      ? "golden model behind the host protocol (in process)"
                      : client_.transport().describe();
  s += ": configuration '" + std::string(cfg_->name) + "', protocol " +
       std::to_string(info_.proto_major) + "." + std::to_string(info_.proto_minor) + ", max_data " +
       std::to_string(info_.max_data) + ", features " + features_text(info_.features);
  if (info_.clock_hz)
    s += ", clock " + std::to_string(info_.clock_hz / 1000000.0).substr(0, 6) + " MHz";
  return s;
}

namespace {

// The frame's bank field is one byte: a larger bank cannot even be asked for.
void check_bank_field(std::uint32_t bank, MemSpace s) {
  if (bank > 0xFF) {
    throw Error(std::string(proto::mem_space_name(s)) + " bank " + std::to_string(bank) +
                " does not exist");
  }
}

}  // namespace

std::uint32_t FrameDevice::chunk_bytes(MemSpace s) const {
  const std::size_t unit = proto::mem_unit_bytes(s, *cfg_);
  return static_cast<std::uint32_t>(std::max<std::size_t>(unit, info_.max_data / unit * unit));
}

void FrameDevice::write_space(MemSpace s, std::uint32_t bank, std::uint32_t addr,
                              const std::uint8_t* data, std::size_t n) {
  check_bank_field(bank, s);
  const std::size_t unit = proto::mem_unit_bytes(s, *cfg_);
  const std::size_t chunk = chunk_bytes(s);
  proto::MemRequest r;
  r.space = s;
  for (std::size_t off = 0; off < n; off += chunk) {
    const std::size_t k = std::min(chunk, n - off);
    r.bank = static_cast<std::uint8_t>(bank);
    r.addr = addr + static_cast<std::uint32_t>(off / unit);
    r.data.assign(data + off, data + off + k);
    client_.call(Cmd::write_mem, r.encode_write());
    transfer_progress(k);
  }
}

std::vector<std::uint8_t> FrameDevice::read_space(MemSpace s, std::uint32_t bank,
                                                  std::uint32_t addr, std::size_t n) {
  check_bank_field(bank, s);
  const std::size_t unit = proto::mem_unit_bytes(s, *cfg_);
  const std::size_t chunk = chunk_bytes(s);
  std::vector<std::uint8_t> out;
  out.reserve(n);
  proto::MemRequest r;
  r.space = s;
  r.bank = static_cast<std::uint8_t>(bank);
  for (std::size_t off = 0; off < n; off += chunk) {
    const std::size_t k = std::min(chunk, n - off);
    r.addr = addr + static_cast<std::uint32_t>(off / unit);
    r.nbytes = static_cast<std::uint32_t>(k);
    const auto got = client_.call(Cmd::read_mem, r.encode_read());
    if (got.size() != k) {
      throw Error(client_.transport().describe() + ": READ_MEM returned " +
                  std::to_string(got.size()) + " bytes, asked for " + std::to_string(k));
    }
    out.insert(out.end(), got.begin(), got.end());
    transfer_progress(k);
  }
  return out;
}

namespace {

// Splits a flat access (bank, addr, n bytes) into per-bank runs, as the container's flat
// SRAM order continues from a bank's last word into the next bank's word 0.
template <typename F>
void per_bank(const Config& cfg, MemSpace s, std::uint32_t bank, std::uint32_t addr, std::size_t n,
              F&& fn) {
  const std::size_t unit = proto::mem_unit_bytes(s, cfg);
  const std::size_t depth = proto::mem_depth(s, cfg);
  if (n % unit != 0) {
    throw Error(std::string(proto::mem_space_name(s)) + " access of " + std::to_string(n) +
                " bytes: not a whole number of " + std::to_string(unit) + "-byte units");
  }
  std::size_t off = 0;
  while (off < n) {
    // Out-of-range starts go to the device as they are: it names the bad field.
    const std::size_t room = addr < depth ? (depth - addr) * unit : n - off;
    const std::size_t k = std::min(room, n - off);
    fn(bank, addr, off, k);
    off += k;
    ++bank;
    addr = 0;
  }
}

}  // namespace

void FrameDevice::write_mem(Space s, std::uint32_t bank, std::uint32_t addr,
                            const std::vector<std::uint8_t>& bytes) {
  const auto ms = static_cast<MemSpace>(s);
  per_bank(*cfg_, ms, bank, addr, bytes.size(),
           [&](std::uint32_t b, std::uint32_t a, std::size_t off, std::size_t k) {
             write_space(ms, b, a, bytes.data() + off, k);
           });
}

std::vector<std::uint8_t> FrameDevice::read_mem(Space s, std::uint32_t bank, std::uint32_t addr,
                                                std::size_t nbytes) {
  const auto ms = static_cast<MemSpace>(s);
  std::vector<std::uint8_t> out;
  out.reserve(nbytes);
  per_bank(*cfg_, ms, bank, addr, nbytes,
           [&](std::uint32_t b, std::uint32_t a, std::size_t, std::size_t k) {
             const auto part = read_space(ms, b, a, k);
             out.insert(out.end(), part.begin(), part.end());
           });
  return out;
}

void FrameDevice::write_code(const std::vector<std::uint64_t>& code) {
  if (code.size() > cfg_->imem_depth) {
    throw Error("program has " + std::to_string(code.size()) +
                " instructions, more than imem_depth " + std::to_string(cfg_->imem_depth) + " of " +
                client_.transport().describe());
  }
  std::vector<std::uint8_t> bytes;
  bytes.reserve(code.size() * 8);
  for (const auto w : code) proto::put_u64(bytes, w);
  if (!bytes.empty()) write_space(MemSpace::imem, 0, 0, bytes.data(), bytes.size());
  set_program_len(static_cast<std::uint32_t>(code.size()));
}

void FrameDevice::set_program_len(std::uint32_t n) {
  std::vector<std::uint8_t> p;
  proto::put_u32(p, n);
  client_.call(Cmd::set_program_len, p);
}

void FrameDevice::load_program(const Program& p) {
  p.check_fits(*cfg_);
  write_code(p.code);
  for (const auto& seg : p.data) {
    for (const auto& piece : segment_pieces(seg, *cfg_)) {
      write_space(static_cast<MemSpace>(piece.space), piece.bank, piece.addr,
                  seg.bytes.data() + piece.offset, piece.size);
    }
  }
}

void FrameDevice::start() {
  const std::uint32_t runs_before = status().runs;
  try {
    client_.call(Cmd::run, {}, false);
  } catch (const ResponseLost&) {
    if (status().runs != runs_before) return;  // it did start
    client_.call(Cmd::run, {}, false);
  }
}

proto::StatusPayload FrameDevice::status() {
  return proto::StatusPayload::decode(client_.call(Cmd::status, {}));
}

proto::StatusPayload FrameDevice::wait(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  milliseconds nap(0);
  for (;;) {
    const auto st = status();
    if (st.state != proto::ChipState::running) return st;
    if (Clock::now() >= deadline) {
      throw Error(client_.transport().describe() + ": the run has not finished after " +
                  std::to_string(timeout.count()) + " ms (" + std::to_string(st.cycles) +
                  " cycles)");
    }
    std::this_thread::sleep_for(nap);
    nap = std::min(opt_.poll_max, nap + milliseconds(1));
  }
}

proto::CounterArray FrameDevice::counters() {
  return proto::decode_counters(client_.call(Cmd::counters, {}));
}

std::vector<LinkStatus> FrameDevice::link_status() {
  const std::string who = client_.transport().describe();
  if (!(info_.features & proto::kFeatLinkStatus)) {
    throw Error(who + " does not support LINK_STATUS (protocol " +
                std::to_string(info_.proto_major) + "." + std::to_string(info_.proto_minor) +
                ", INFO feature bit 4 not set; link status needs protocol 1.1)");
  }
  const auto payload = client_.call(Cmd::link_status, {});
  std::vector<LinkStatus> links;
  try {
    links = proto::decode_link_status(payload);
  } catch (const Error& e) {
    throw Error(who + ": " + e.what());
  }
  if (links.size() != cfg_->links) {
    throw Error(who + ": LINK_STATUS response: " + std::to_string(links.size()) +
                " links, the device's configuration '" + std::string(cfg_->name) + "' has " +
                std::to_string(cfg_->links));
  }
  return links;
}

void FrameDevice::reset() { client_.call(Cmd::reset, {}); }

void FrameDevice::abort() { client_.call(Cmd::abort, {}); }

RunResult FrameDevice::run(std::uint64_t max_cycles) {
  start();
  const auto t0 = Clock::now();
  milliseconds nap(0);
  proto::StatusPayload st;
  for (;;) {
    st = status();
    if (st.state != proto::ChipState::running) break;
    const bool too_long = opt_.run_timeout.count() > 0 && Clock::now() - t0 >= opt_.run_timeout;
    if (st.cycles >= max_cycles || too_long) {
      abort();
      wait(milliseconds(10000));
      throw Error(client_.transport().describe() + ": the run did not finish within " +
                  (too_long ? std::to_string(opt_.run_timeout.count()) + " ms"
                            : std::to_string(max_cycles) + " cycles") +
                  " (aborted)");
    }
    std::this_thread::sleep_for(nap);
    nap = std::min(opt_.poll_max, nap + milliseconds(1));
  }
  if (st.state == proto::ChipState::idle) {
    throw Error(client_.transport().describe() + ": the device is idle after RUN (was it reset?)");
  }
  RunResult r;
  r.error = static_cast<ErrorCode>(st.error_code);
  r.error_pc = st.error_pc;
  r.error_cycle = st.error_cycle;
  r.cycles = st.cycles;
  r.counters = counters();
  return r;
}

std::unique_ptr<Device> try_open_frame_device(const std::string& uri, const Config* cfg,
                                              const TransportOptions& topt,
                                              FrameDeviceOptions dopt) {
  if (uri == "golden-frames") {
    TransportOptions t = topt;
    if (cfg) t.config = cfg;
    return std::make_unique<FrameDevice>(open_transport("golden", t), cfg, dopt);
  }
  if (uri.rfind("tcp://", 0) == 0 || uri == "usb" || uri.rfind("usb:", 0) == 0) {
    return std::make_unique<FrameDevice>(open_transport(uri, topt), cfg, dopt);
  }
  // sim (helper H): the RTL emulates `cfg`, unless the URI names a configuration (then it is
  // that one, like a board, and load() refuses a program that does not fit it).
  if (is_sim_uri(uri)) {
    const bool uri_config = uri.find("config=") != std::string::npos;
    TransportOptions t = topt;
    if (cfg && !uri_config) t.config = cfg;
    return std::make_unique<FrameDevice>(open_transport(uri, t), uri_config ? nullptr : cfg, dopt);
  }
  return nullptr;
}

std::unique_ptr<Device> open_device(const std::string& uri, const Config& cfg) {
  // golden-frames emulates `cfg`; a board or server is what it is (a program that does not fit
  // it is refused by load()).
  if (auto d = try_open_frame_device(uri, uri == "golden-frames" || is_sim_uri(uri) ? &cfg : nullptr))
    return d;
  return lpu::open_device(uri, cfg);
}

}  // namespace lpu::driver
