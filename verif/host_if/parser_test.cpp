// The frame parser and command engine of lpu_host_if (docs/host-if.md), through lpu_top's
// side door on a tiny chip with max_data 256 and a 3000-cycle gap timeout.
//
// Byte source: the protocol's C++ frame encoder (lpu::proto::encode_frame), the independent
// software implementation. Streams of good, bit-flipped, truncated and garbage-framed
// requests go into the RTL and into a reference made of
//   * HwReceiver: the hardware receive rules of docs/host-protocol.md written out plainly
//     (hunt, header CRC, length bound, frame CRC, gap timeout; a rejected header is not
//     rescanned), and
//   * lpu::ProtocolServer::handle over a C++ memory model (RefBackend): the software engine
//     decides every response byte (status, error payload, data),
// and the RTL must answer byte for byte the same, write exactly the same units to the core's
// host port (a monitor on lpu_top's core port; nothing for a bad frame), and never hang.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <iomanip>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include LPU_VTOP_HEADER
#include "Vhost_if_parser___024root.h"
#include "lpu/config.hpp"
#include "lpu/crc32.hpp"
#include "lpu/error.hpp"
#include "lpu/link_status.hpp"
#include "lpu/protocol.hpp"
#include "lpu/protocol_server.hpp"
#include "sim_harness.hpp"
#include "top_pins.hpp"
#include "top_sim.hpp"

namespace {

using lpu::proto::Cmd;
using lpu::proto::Frame;
using lpu::proto::FrameDecoder;
using lpu::proto::MemSpace;

constexpr std::uint32_t kMaxData = LPU_P_MaxData;
constexpr std::uint64_t kGapCycles = LPU_P_GapCycles;
constexpr std::size_t kMaxPayload = kMaxData + 8;

const lpu::Config& cfg() { return lpu::config_by_name("tiny"); }

std::string hex(const std::vector<std::uint8_t>& v, std::size_t max = 48) {
  std::ostringstream os;
  for (std::size_t i = 0; i < v.size() && i < max; ++i)
    os << std::hex << std::setw(2) << std::setfill('0') << unsigned{v[i]};
  if (v.size() > max) os << "...(" << std::dec << v.size() << " bytes)";
  return os.str();
}

// ---- the model under a harness ------------------------------------------------------------

constexpr std::uint8_t kSpLink = 7;  // the core's link space (docs/host-if.md, LINK_STATUS)

// Whether the model makes lpu_top's host-port read data public (top_sim.vlt).
template <class V, class = void>
struct has_rdata_probe : std::false_type {};
template <class V>
struct has_rdata_probe<V, std::void_t<decltype(std::declval<V&>().rootp->lpu_top__DOT__core_rdata)>>
    : std::true_type {};

// A read of the link space: address, and the data the core returned (when visible).
struct LinkRead {
  std::uint32_t addr;
  std::uint32_t data;
};

template <class V>
class HarnessPins : public lpu::sim::TopPins {
 public:
  HarnessPins(lpu::verif::Harness<V>& h, std::size_t lanes) : h_(&h), lanes_(lanes) {}
  lpu::sim::TopOut out() const override { return lpu::sim::read_top_out(h_->dut()); }
  lpu::sim::PortProbe probe() const override {
    return lpu::sim::read_top_probe(h_->dut(), lanes_);
  }
  void tick(const lpu::sim::TopIn& in) override {
    // The request taken at this edge, and its response after it.
    const lpu::sim::PortProbe p = probe();
    lpu::sim::write_top_in(h_->dut(), in);
    h_->step();
    if (p.req && !p.we && p.space == kSpLink) link_reads.push_back({p.addr, rdata_low32()});
  }
  void reset() override { h_->reset(); }

  static constexpr bool kRdataVisible = has_rdata_probe<V>::value;
  std::vector<LinkRead> link_reads;

 private:
  std::uint32_t rdata_low32() const {
    if constexpr (has_rdata_probe<V>::value) {
      const auto& d = h_->dut().rootp->lpu_top__DOT__core_rdata;
      if constexpr (std::is_integral_v<std::remove_reference_t<decltype(d)>>) {
        return static_cast<std::uint32_t>(d);
      } else {
        return d[0];
      }
    } else {
      return 0;
    }
  }

  lpu::verif::Harness<V>* h_;
  std::size_t lanes_;
};

// ---- reference: chip backend with plain memories and a write log --------------------------

class RefBackend : public lpu::ChipBackend {
 public:
  explicit RefBackend(const lpu::Config& c) : c_(c) {
    for (unsigned s = 0; s < lpu::proto::kNumMemSpaces; ++s) {
      const auto sp = static_cast<MemSpace>(s);
      mem_[s].assign(lpu::proto::mem_banks(sp, c) * lpu::proto::mem_depth(sp, c) *
                         lpu::proto::mem_unit_bytes(sp, c),
                     0);
    }
  }
  const lpu::Config& config() const override { return c_; }
  std::uint32_t features() const override {
    return lpu::proto::kFeatAbort | lpu::proto::kFeatImemReadable | lpu::proto::kFeatLiveCounters;
  }
  std::uint32_t clock_hz() const override { return c_.fmax_target_mhz * 1000000u; }
  std::size_t max_data() const override { return kMaxData; }

  void write_mem(MemSpace s, std::uint32_t bank, std::uint32_t addr, const std::uint8_t* data,
                 std::size_t n) override {
    const std::size_t unit = lpu::proto::mem_unit_bytes(s, c_);
    for (std::size_t i = 0; i < n; i += unit) {
      std::vector<std::uint8_t> u(data + i, data + i + unit);
      log.push_back(unit_entry(static_cast<unsigned>(s), bank, addr + i / unit, u));
    }
    std::copy(data, data + n, mem_[static_cast<unsigned>(s)].begin() + offset(s, bank, addr));
  }
  void read_mem(MemSpace s, std::uint32_t bank, std::uint32_t addr, std::uint8_t* out,
                std::size_t n) override {
    const auto& m = mem_[static_cast<unsigned>(s)];
    std::copy(m.begin() + offset(s, bank, addr), m.begin() + offset(s, bank, addr) + n, out);
  }
  void set_program_len(std::uint32_t n) override {
    len_ = n;
    log.push_back(ctrl_entry(1, n));
  }
  std::uint32_t program_len() const override { return len_; }
  void start() override { FAIL("the random requests never RUN"); }
  void abort() override { log.push_back(ctrl_entry(0, 2)); }
  lpu::ChipStatus poll() override { return {}; }  // idle: no run ever starts
  lpu::proto::CounterArray counters() override { return {}; }
  // The links as the chip reported them for the next LINK_STATUS (see ParserBench::trial).
  std::vector<lpu::LinkStatus> link_status() override {
    if (links.empty()) throw lpu::Error("the reference has no link values for this LINK_STATUS");
    auto v = links.front();
    links.pop_front();
    return v;
  }
  void reset() override {
    len_ = 0;
    log.push_back("core reset");  // hardware keeps its memories
  }

  static std::string unit_entry(unsigned s, std::uint32_t bank, std::uint32_t addr,
                                const std::vector<std::uint8_t>& u) {
    return "write space " + std::to_string(s) + " bank " + std::to_string(bank) + " addr " +
           std::to_string(addr) + " data " + hex(u, 64);
  }
  static std::string ctrl_entry(std::uint32_t reg, std::uint32_t v) {
    return "ctrl " + std::to_string(reg) + " = " + std::to_string(v);
  }

  std::vector<std::string> log;
  std::deque<std::vector<lpu::LinkStatus>> links;

 private:
  std::size_t offset(MemSpace s, std::uint32_t bank, std::uint32_t addr) const {
    return (bank * lpu::proto::mem_depth(s, c_) + addr) * lpu::proto::mem_unit_bytes(s, c_);
  }
  const lpu::Config& c_;
  std::vector<std::uint8_t> mem_[lpu::proto::kNumMemSpaces];
  std::uint32_t len_ = 0;
};

// ---- reference: the hardware receive rules ------------------------------------------------

class HwReceiver {
 public:
  std::vector<FrameDecoder::Event> feed(const std::vector<std::uint8_t>& bytes) {
    std::vector<FrameDecoder::Event> out;
    for (std::uint8_t b : bytes) byte(b, out);
    return out;
  }
  void gap() { buf_.clear(); }
  bool mid_frame() const { return !buf_.empty(); }

 private:
  void byte(std::uint8_t b, std::vector<FrameDecoder::Event>& out) {
    if (buf_.empty()) {
      if (b == lpu::proto::kSync0) buf_.push_back(b);
      return;
    }
    if (buf_.size() == 1) {
      if (b == lpu::proto::kSync1) {
        buf_.push_back(b);
      } else if (b != lpu::proto::kSync0) {
        buf_.clear();
      }
      return;
    }
    buf_.push_back(b);
    if (buf_.size() == 12) {
      if (lpu::crc32(buf_.data(), 8) != lpu::proto::get_u32(&buf_[8])) {
        buf_.clear();  // not a header; hunting goes on with the next byte
        return;
      }
      len_ = lpu::proto::get_u16(&buf_[4]);
      if (len_ > kMaxPayload) {
        FrameDecoder::Event ev;
        ev.kind = FrameDecoder::Event::Kind::bad_length;
        header_into(ev);
        out.push_back(ev);
        buf_.clear();
      }
      return;
    }
    if (buf_.size() == 12u + len_ + 4u) {
      FrameDecoder::Event ev;
      header_into(ev);
      ev.received_crc = lpu::proto::get_u32(&buf_[12 + len_]);
      ev.computed_crc = lpu::crc32(buf_.data(), 12 + len_);
      if (ev.received_crc == ev.computed_crc) {
        ev.kind = FrameDecoder::Event::Kind::frame;
        ev.frame.payload.assign(buf_.begin() + 12, buf_.begin() + 12 + len_);
      } else {
        ev.kind = FrameDecoder::Event::Kind::bad_crc;
      }
      out.push_back(ev);
      buf_.clear();
    }
  }
  void header_into(FrameDecoder::Event& ev) const {
    ev.frame.cmd = buf_[2];
    ev.frame.seq = buf_[3];
    ev.frame.status = buf_[6];
    ev.frame.flags = buf_[7];
    ev.len = len_;
  }

  std::vector<std::uint8_t> buf_;
  std::size_t len_ = 0;
};

// ---- random requests ---------------------------------------------------------------------

// Memory windows that the test initialises first; valid requests stay inside them (the RTL's
// memories start random: Harness randomises initial state).
struct Window {
  MemSpace space;
  std::uint32_t bank, addr, units;
};

std::vector<Window> windows() {
  const auto& c = cfg();
  std::vector<Window> w;
  for (std::uint32_t b = 0; b < c.banks; ++b) {
    w.push_back({MemSpace::sram, b, 0, 64});
    w.push_back({MemSpace::sram, b, c.bank_depth - 64, 64});
  }
  w.push_back({MemSpace::acc, 0, 0, c.acc_depth});
  w.push_back({MemSpace::lut, 0, 0, c.lut_depth});
  w.push_back({MemSpace::imem, 0, 0, c.imem_depth});
  return w;
}

std::vector<std::uint8_t> mem_header(std::uint8_t space, std::uint8_t bank, std::uint16_t rsv,
                                     std::uint32_t addr) {
  std::vector<std::uint8_t> p = {space, bank};
  lpu::proto::put_u16(p, rsv);
  lpu::proto::put_u32(p, addr);
  return p;
}

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

// Garbage rich in sync bytes and in fragments of frames.
std::vector<std::uint8_t> garbage(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) {
    const unsigned k = static_cast<unsigned>(rng() % 8);
    b = k == 0 ? lpu::proto::kSync0 : k == 1 ? lpu::proto::kSync1 : static_cast<std::uint8_t>(rng());
  }
  return v;
}

class Requests {
 public:
  explicit Requests(std::mt19937_64& rng) : rng_(rng), win_(windows()) {}

  // A valid memory request inside a window: space, bank, addr, bytes.
  void in_window(std::uint8_t& space, std::uint8_t& bank, std::uint32_t& addr, std::uint32_t& n) {
    const Window& w = win_[rng_() % win_.size()];
    const std::uint32_t unit = static_cast<std::uint32_t>(lpu::proto::mem_unit_bytes(w.space, cfg()));
    const std::uint32_t max_units = std::min<std::uint32_t>(w.units, kMaxData / unit);
    const std::uint32_t units = 1 + static_cast<std::uint32_t>(rng_() % max_units);
    space = static_cast<std::uint8_t>(w.space);
    bank = static_cast<std::uint8_t>(w.bank);
    addr = w.addr + static_cast<std::uint32_t>(rng_() % (w.units - units + 1));
    n = units * unit;
  }

  Frame next() {
    Frame f;
    f.seq = static_cast<std::uint8_t>(rng_());
    const unsigned k = static_cast<unsigned>(rng_() % 100);
    std::uint8_t space = 0, bank = 0;
    std::uint32_t addr = 0, n = 0;
    if (k < 35) {
      f.cmd = static_cast<std::uint8_t>(Cmd::write_mem);
      in_window(space, bank, addr, n);
      f.payload = mem_header(space, bank, 0, addr);
      const auto d = random_bytes(rng_, n);
      f.payload.insert(f.payload.end(), d.begin(), d.end());
    } else if (k < 58) {
      f.cmd = static_cast<std::uint8_t>(Cmd::read_mem);
      in_window(space, bank, addr, n);
      f.payload = mem_header(space, bank, 0, addr);
      lpu::proto::put_u32(f.payload, n);
    } else if (k < 62) {
      f.cmd = static_cast<std::uint8_t>(Cmd::info);
    } else if (k < 66) {
      f.cmd = static_cast<std::uint8_t>(Cmd::status);
    } else if (k < 69) {
      f.cmd = static_cast<std::uint8_t>(Cmd::counters);
    } else if (k < 72) {
      f.cmd = static_cast<std::uint8_t>(Cmd::set_program_len);
      const std::uint32_t v = rng_() % 4 ? static_cast<std::uint32_t>(rng_() % (cfg().imem_depth + 1))
                                         : static_cast<std::uint32_t>(rng_());
      lpu::proto::put_u32(f.payload, v);
    } else if (k < 73) {
      f.cmd = static_cast<std::uint8_t>(Cmd::reset);
    } else if (k < 74) {
      f.cmd = static_cast<std::uint8_t>(Cmd::abort);
    } else if (k < 75) {
      f.cmd = static_cast<std::uint8_t>(Cmd::link_status);
    } else {
      bad(f);
    }
    return f;
  }

 private:
  // A request that a check must refuse (or that is odd but legal: all through the engine).
  void bad(Frame& f) {
    const auto& c = cfg();
    const bool write = rng_() % 2;
    f.cmd = static_cast<std::uint8_t>(write ? Cmd::write_mem : Cmd::read_mem);
    std::uint8_t space = 0, bank = 0;
    std::uint32_t addr = 0, n = 0;
    in_window(space, bank, addr, n);
    std::uint16_t rsv = 0;
    switch (rng_() % 12) {
      case 0:  // unknown command, or a response code
        f.cmd = static_cast<std::uint8_t>(rng_() % 3 == 0 ? 0 : rng_() % 2 ? 11 + rng_() % 117
                                                                            : 0x80 | rng_());
        break;
      case 1:
        f.status = static_cast<std::uint8_t>(1 + rng_() % 255);
        break;
      case 2:
        f.flags = static_cast<std::uint8_t>(1 + rng_() % 255);
        break;
      case 3:
        rsv = static_cast<std::uint16_t>(1 + rng_() % 65535);
        break;
      case 4:
        space = static_cast<std::uint8_t>(4 + rng_() % 252);
        break;
      case 5:
        bank = static_cast<std::uint8_t>(space == 0 ? c.banks + rng_() % (256 - c.banks)
                                                     : 1 + rng_() % 255);
        break;
      case 6: {
        const auto sp = static_cast<MemSpace>(space);
        addr = static_cast<std::uint32_t>(lpu::proto::mem_depth(sp, c) +
                                          (rng_() % 2 ? rng_() % 16 : rng_() % 0x10000000u));
        break;
      }
      case 7:  // not a whole number of units (or 0)
        n = static_cast<std::uint32_t>(rng_() % 2 ? 0 : n + 1);
        if (space == 2 && n % 2 == 0) n += 1;
        break;
      case 8:  // beyond the bank
        addr = static_cast<std::uint32_t>(
            lpu::proto::mem_depth(static_cast<MemSpace>(space), c) - 1 - rng_() % 2);
        n = static_cast<std::uint32_t>(lpu::proto::mem_unit_bytes(static_cast<MemSpace>(space), c) * 3);
        break;
      case 9:  // more than max_data (READ_MEM only can say so)
        f.cmd = static_cast<std::uint8_t>(Cmd::read_mem);
        n = kMaxData + static_cast<std::uint32_t>(
                           lpu::proto::mem_unit_bytes(static_cast<MemSpace>(space), c) * (1 + rng_() % 40));
        if (rng_() % 4 == 0) n = kMaxData + 1 + static_cast<std::uint32_t>(rng_() % 0xFFFFFEFFu);
        break;
      case 10: {  // wrong payload size for any command (a RUN always: the chip never runs here)
        f.cmd = static_cast<std::uint8_t>(1 + rng_() % 10);
        f.payload = random_bytes(rng_, rng_() % 20);
        if (f.cmd == static_cast<std::uint8_t>(Cmd::run) && f.payload.empty()) f.payload.push_back(0);
        return;
      }
      default: {  // WRITE_MEM shorter than its memory header
        f.cmd = static_cast<std::uint8_t>(Cmd::write_mem);
        f.payload = random_bytes(rng_, rng_() % 8);
        return;
      }
    }
    f.payload = mem_header(space, bank, rsv, addr);
    if (f.cmd == static_cast<std::uint8_t>(Cmd::write_mem)) {
      const auto d = random_bytes(rng_, std::min<std::uint32_t>(n, kMaxData + 16));
      f.payload.insert(f.payload.end(), d.begin(), d.end());
      if (f.payload.size() > kMaxPayload) f.payload.resize(kMaxPayload);
    } else {
      lpu::proto::put_u32(f.payload, n);
    }
  }

  std::mt19937_64& rng_;
  std::vector<Window> win_;
};

// A header with a correct hcrc announcing `len` (for the length bound).
std::vector<std::uint8_t> header_only(std::uint8_t cmd, std::uint8_t seq, std::uint16_t len) {
  std::vector<std::uint8_t> h = {lpu::proto::kSync0, lpu::proto::kSync1, cmd, seq};
  lpu::proto::put_u16(h, len);
  h.push_back(0);
  h.push_back(0);
  lpu::proto::put_u32(h, lpu::crc32(h.data(), 8));
  return h;
}

// ---- the bench ---------------------------------------------------------------------------

class ParserBench {
 public:
  ParserBench()
      : h_("host_if_parser"),
        pins_(new HarnessPins<LPU_VTOP>(h_, cfg().lanes)),
        sim_(std::unique_ptr<lpu::sim::TopPins>(pins_), params()),
        ref_(cfg()),
        rng_(h_.seed()) {
    sim_.set_write_monitor([this](const lpu::sim::PortProbe& p) { monitor(p); });
  }

  static lpu::sim::TopParams params() {
    lpu::sim::TopParams p;
    p.cfg = &cfg();
    p.clk_hz = cfg().fmax_target_mhz * 1000000u;
    p.baud = 3000000;
    p.max_data = kMaxData;
    p.gap_cycles = kGapCycles;
    return p;
  }

  std::mt19937_64& rng() { return rng_; }
  lpu::sim::TopSim& sim() { return sim_; }

  // Sends `bytes`; the RTL must answer exactly what the reference answers and write exactly
  // what it writes. `gap`: afterwards drop any partial frame (0 no, 1 flush, 2 the RTL's own
  // timeout).
  void trial(const std::vector<std::uint8_t>& bytes, int gap, const std::string& what) {
    ++trials_;
    pins_->link_reads.clear();
    const auto events = rx_.feed(bytes);  // before a gap below drops the reference's partial frame
    sim_.send(bytes);
    if (!sim_.run_until_idle(40000 + 40 * bytes.size())) {
      h_.fail(what + ": the host interface did not return to idle (hang) after " + hex(bytes));
    }
    if (gap != 0) {
      if (gap == 1) {
        sim_.flush();
        sim_.step(2);
      } else {
        sim_.step(kGapCycles + 2);
      }
      rx_.gap();
    }
    if (sim_.mid_frame() != rx_.mid_frame()) {
      h_.check(false, what + ": mid_frame_o after " + hex(bytes), rx_.mid_frame(), sim_.mid_frame());
    }
    std::vector<std::uint8_t> got(sim_.received().begin(), sim_.received().end());
    sim_.received().clear();
    // The reference, given the link values the chip read (LINK_STATUS).
    link_values(got, what);
    std::vector<std::uint8_t> want;
    for (const auto& ev : events) {
      const Frame r = server_.handle(ev);
      ++answers_[r.status];
      const auto b = lpu::proto::encode_frame(r);
      want.insert(want.end(), b.begin(), b.end());
    }
    if (events.empty()) ++silent_;
    if (got != want) {
      h_.fail(what + ": response to " + hex(bytes) + "\n  expected " + hex(want, 400) +
              "\n  got      " + hex(got, 400));
    }
    if (written_ != ref_.log) {
      std::ostringstream os;
      os << what << ": host-port writes for " << hex(bytes) << "\n  expected " << ref_.log.size()
         << ":";
      for (std::size_t i = 0; i < ref_.log.size() && i < 4; ++i) os << "\n    " << ref_.log[i];
      os << "\n  got " << written_.size() << ":";
      for (std::size_t i = 0; i < written_.size() && i < 4; ++i) os << "\n    " << written_[i];
      h_.fail(os.str());
    }
    units_ += written_.size();
    ref_.log.clear();
    written_.clear();
  }

  void good(const Frame& f, const std::string& what) {
    trial(lpu::proto::encode_frame(f), 0, what);
  }

  std::uint64_t trials() const { return trials_; }
  // Responses by status, and streams that got no response at all.
  std::uint64_t answers(lpu::proto::Status st) const {
    const auto it = answers_.find(static_cast<std::uint8_t>(st));
    return it == answers_.end() ? 0 : it->second;
  }
  std::uint64_t silent() const { return silent_; }
  std::uint64_t units_written() const { return units_; }
  std::uint64_t link_responses() const { return link_responses_; }

 private:
  // LINK_STATUS: the chip must read the link space at link k's k*32 + 0..23, link after link,
  // once per response. The reference engine then answers from the values read (the core's
  // read data, or where the model does not make it visible, the values in the chip's own
  // response): the response's layout, header and CRC are compared byte for byte.
  void link_values(const std::vector<std::uint8_t>& got, const std::string& what) {
    ref_.links.clear();
    const auto& reads = pins_->link_reads;
    const std::size_t per = cfg().links * 24u;
    if (reads.size() % per != 0) {
      h_.fail(what + ": " + std::to_string(reads.size()) + " link-space reads, not a multiple of " +
              std::to_string(per));
      return;
    }
    std::vector<std::vector<lpu::LinkStatus>> from_reads;
    for (std::size_t g = 0; g < reads.size(); g += per) {
      std::vector<lpu::LinkStatus> links(cfg().links);
      for (unsigned k = 0; k < cfg().links; ++k) {
        for (unsigned j = 0; j < 24; ++j) {
          const LinkRead& r = reads[g + k * 24u + j];
          if (r.addr != k * 32u + j) {
            h_.fail(what + ": LINK_STATUS read link-space address " + std::to_string(r.addr) +
                    ", expected " + std::to_string(k * 32u + j));
            return;
          }
          if (j == 0) {
            links[k].up = ((r.data >> 3) & 1u) != 0;
            links[k].state = r.data & 7u;
          } else {
            links[k].counters.push_back(r.data);
          }
        }
      }
      from_reads.push_back(links);
    }
    if (HarnessPins<LPU_VTOP>::kRdataVisible) {
      for (auto& l : from_reads) ref_.links.push_back(l);
    } else {
      lpu::proto::FrameDecoder dec;
      for (const auto& ev : dec.feed(got.data(), got.size())) {
        if (ev.kind != FrameDecoder::Event::Kind::frame || ev.frame.status != 0 ||
            ev.frame.cmd != (static_cast<std::uint8_t>(Cmd::link_status) | 0x80)) {
          continue;
        }
        try {
          ref_.links.push_back(lpu::proto::decode_link_status(ev.frame.payload));
        } catch (const lpu::Error& e) {
          h_.fail(what + ": " + e.what());
        }
      }
      if (ref_.links.size() != from_reads.size()) {
        h_.fail(what + ": " + std::to_string(ref_.links.size()) + " LINK_STATUS responses but " +
                std::to_string(from_reads.size()) + " link-space read sequences");
      }
    }
    link_responses_ += from_reads.size();
  }

  void monitor(const lpu::sim::PortProbe& p) {
    if (p.core_rst) {  // one entry per reset pulse (consecutive cycles)
      if (sim_.cycle() != last_reset_cycle_ + 1) written_.push_back("core reset");
      last_reset_cycle_ = sim_.cycle();
      return;
    }
    if (p.space <= 3) {
      const auto sp = static_cast<MemSpace>(p.space);
      const std::size_t unit = lpu::proto::mem_unit_bytes(sp, cfg());
      written_.push_back(RefBackend::unit_entry(
          p.space, p.bank, p.addr, std::vector<std::uint8_t>(p.wdata.begin(), p.wdata.begin() + unit)));
      // The rest of the port must be zero (right-aligned data).
      for (std::size_t i = unit; i < p.wdata.size(); ++i)
        if (p.wdata[i] != 0) h_.fail("host_wdata above the unit is not zero");
    } else if (p.space == 4) {
      std::uint32_t v = 0;
      for (int i = 0; i < 4; ++i) v |= std::uint32_t{p.wdata[i]} << (8 * i);
      written_.push_back(RefBackend::ctrl_entry(p.addr, v));
    } else {
      written_.push_back("write to space " + std::to_string(p.space));
    }
  }

  lpu::verif::Harness<LPU_VTOP> h_;
  HarnessPins<LPU_VTOP>* pins_;  // owned by sim_
  lpu::sim::TopSim sim_;
  RefBackend ref_;
  lpu::ProtocolServer server_{ref_};
  HwReceiver rx_;
  std::mt19937_64 rng_;
  std::vector<std::string> written_;
  std::uint64_t last_reset_cycle_ = ~0ull - 1;
  std::uint64_t trials_ = 0, units_ = 0, silent_ = 0, link_responses_ = 0;
  std::map<std::uint8_t, std::uint64_t> answers_;
};

// Writes every window once, so that reads compare defined contents.
void init_windows(ParserBench& b) {
  std::uint8_t seq = 0;
  for (const Window& w : windows()) {
    const std::size_t unit = lpu::proto::mem_unit_bytes(w.space, cfg());
    const std::uint32_t per = static_cast<std::uint32_t>(kMaxData / unit);
    for (std::uint32_t u = 0; u < w.units; u += per) {
      const std::uint32_t units = std::min(per, w.units - u);
      Frame f;
      f.cmd = static_cast<std::uint8_t>(Cmd::write_mem);
      f.seq = seq++;
      f.payload = mem_header(static_cast<std::uint8_t>(w.space), static_cast<std::uint8_t>(w.bank), 0,
                             w.addr + u);
      const auto d = random_bytes(b.rng(), units * unit);
      f.payload.insert(f.payload.end(), d.begin(), d.end());
      b.good(f, "initialising memory");
    }
  }
}

}  // namespace

TEST_CASE("host_if: every request kind and refusal answers like the protocol engine",
          "[host_if]") {
  ParserBench b;
  init_windows(b);
  Requests req(b.rng());
  for (int i = 0; i < 3000; ++i) b.good(req.next(), "clean request " + std::to_string(i));
  // Lengths at the bound: the largest legal frame and the first illegal header.
  Frame f;
  f.cmd = static_cast<std::uint8_t>(Cmd::write_mem);
  f.payload = mem_header(1, 0, 0, 0);
  const auto d = random_bytes(b.rng(), kMaxData);
  f.payload.insert(f.payload.end(), d.begin(), d.end());
  b.good(f, "a WRITE_MEM of max_data bytes");
  b.trial(header_only(2, 7, static_cast<std::uint16_t>(kMaxPayload + 1)), 0, "len = bound + 1");
  b.trial(header_only(3, 8, 0xFFFF), 0, "len = 65535");
  INFO(b.trials() << " frames, " << b.units_written() << " units written, "
                  << b.link_responses() << " LINK_STATUS answered");
  CHECK(b.units_written() > 1000);
  CHECK(b.link_responses() > 10);
  using lpu::proto::Status;
  for (Status st : {Status::ok, Status::bad_length, Status::unknown_command, Status::bad_address,
                    Status::bad_argument}) {
    INFO("status " << static_cast<int>(st));
    CHECK(b.answers(st) > 20);
  }
}

TEST_CASE("host_if: damaged, truncated and garbage streams never write, never hang, and the next good frame works",
          "[host_if]") {
  ParserBench b;
  init_windows(b);
  Requests req(b.rng());
  auto& rng = b.rng();
  const int n = static_cast<int>(lpu::verif::env_u64("LPU_HOST_IF_TRIALS", 20000));
  for (int i = 0; i < n; ++i) {
    const Frame f = req.next();
    auto bytes = lpu::proto::encode_frame(f);
    std::string what;
    const unsigned k = static_cast<unsigned>(rng() % 100);
    if (k < 30) {
      what = "clean";
    } else if (k < 50) {
      const std::size_t flips = k < 44 ? 1 : 2 + rng() % 3;
      for (std::size_t j = 0; j < flips; ++j) bytes[rng() % bytes.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      what = std::to_string(flips) + " bit flip(s)";
    } else if (k < 65) {
      bytes.resize(rng() % bytes.size());
      what = "truncated";
    } else if (k < 73) {
      auto g = garbage(rng, 1 + rng() % 40);
      g.insert(g.end(), bytes.begin(), bytes.end());
      bytes = g;
      what = "garbage before";
    } else if (k < 80) {
      bytes = garbage(rng, 1 + rng() % 300);
      what = "garbage";
    } else if (k < 86) {
      bytes = header_only(static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()),
                          static_cast<std::uint16_t>(kMaxPayload + 1 + rng() % (65536 - kMaxPayload - 1)));
      const auto tail = garbage(rng, rng() % 24);
      bytes.insert(bytes.end(), tail.begin(), tail.end());
      what = "header over the length bound";
    } else if (k < 92) {
      // A genuine header and a payload whose fcrc is wrong.
      const auto len = static_cast<std::uint16_t>(rng() % (kMaxPayload + 1));
      bytes = header_only(static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()), len);
      const auto p = random_bytes(rng, len + 4u);
      bytes.insert(bytes.end(), p.begin(), p.end());
      what = "random payload";
    } else {
      // Two frames back to back, the first one damaged.
      const std::size_t cut = bytes.size() / 2 + rng() % (bytes.size() / 2 + 1);
      bytes.resize(cut);
      const auto second = lpu::proto::encode_frame(req.next());
      bytes.insert(bytes.end(), second.begin(), second.end());
      what = "damaged frame then a good one";
    }
    const int gap = static_cast<int>(rng() % 4 == 0 ? 2 : 1);
    b.trial(bytes, gap, what + " (trial " + std::to_string(i) + ")");
    // Every few trials a clean request on its own: the parser is back in step.
    if (i % 8 == 0) b.good(req.next(), "clean request after trial " + std::to_string(i));
  }
  using lpu::proto::Status;
  INFO(b.trials() << " streams, " << b.units_written() << " units written, " << b.silent()
                  << " without a response; OK " << b.answers(Status::ok) << ", BAD_CRC "
                  << b.answers(Status::bad_crc) << ", BAD_LENGTH " << b.answers(Status::bad_length)
                  << ", BAD_ADDRESS " << b.answers(Status::bad_address));
  CHECK(b.trials() >= static_cast<std::uint64_t>(n));
  // Every path was taken many times.
  CHECK(b.silent() > static_cast<std::uint64_t>(n / 10));
  CHECK(b.answers(Status::ok) > static_cast<std::uint64_t>(n / 10));
  CHECK(b.answers(Status::bad_crc) > static_cast<std::uint64_t>(n / 20));
  CHECK(b.answers(Status::bad_length) > static_cast<std::uint64_t>(n / 20));
  CHECK(b.answers(Status::bad_address) > static_cast<std::uint64_t>(n / 50));
  CHECK(b.answers(Status::unknown_command) > 10);
  CHECK(b.answers(Status::bad_argument) > 10);
}

TEST_CASE("host_if: a partial frame is dropped after the gap timeout, not before", "[host_if]") {
  ParserBench b;
  auto& sim = b.sim();
  Frame f;
  f.cmd = static_cast<std::uint8_t>(Cmd::info);
  f.seq = 3;
  auto bytes = lpu::proto::encode_frame(f);
  // The first 10 bytes, then silence just short of the timeout: the rest still completes it.
  sim.send(bytes.data(), 10);
  sim.step(20 + 10);
  REQUIRE(sim.mid_frame());
  sim.step(kGapCycles - 40);
  REQUIRE(sim.mid_frame());
  sim.send(bytes.data() + 10, bytes.size() - 10);
  REQUIRE(sim.run_until_idle(2000));
  std::vector<std::uint8_t> got(sim.received().begin(), sim.received().end());
  sim.received().clear();
  lpu::proto::FrameDecoder dec;
  auto evs = dec.feed(got.data(), got.size());
  REQUIRE(evs.size() == 1);
  CHECK(evs[0].frame.cmd == 0x81);
  CHECK(evs[0].frame.seq == 3);
  // Again, but silent for the whole timeout: the rest arrives as garbage and nothing answers.
  sim.send(bytes.data(), 10);
  sim.step(kGapCycles + 20);
  CHECK_FALSE(sim.mid_frame());
  sim.send(bytes.data() + 10, bytes.size() - 10);
  REQUIRE(sim.run_until_idle(2000));
  CHECK(sim.received().empty());
}

TEST_CASE("host_if: LINK_STATUS reads every link's word and counters, also after time passes",
          "[host_if]") {
  ParserBench b;
  Frame f;
  f.cmd = static_cast<std::uint8_t>(Cmd::link_status);
  f.seq = 1;
  b.good(f, "LINK_STATUS after reset");
  b.sim().step(50000);  // the links' PHYs train and time out meanwhile
  f.seq = 2;
  b.good(f, "LINK_STATUS later");
  Frame g;
  g.cmd = static_cast<std::uint8_t>(Cmd::link_status);
  g.payload = {0, 0};
  b.good(g, "LINK_STATUS with a payload");  // BAD_LENGTH (payload, 2, 0), no link reads
  CHECK(b.link_responses() == 2);
  CHECK(b.answers(lpu::proto::Status::ok) == 2);
  CHECK(b.answers(lpu::proto::Status::bad_length) == 1);
}
