// Two lpu_link_phy endpoints ("a" and "b"), each a Verilator model on its own clock, joined by
// two Channels (a->b, b->a): the testbench of docs/link.md's physical layer.
//
// Time is in femtoseconds. Each endpoint has a clock period (100 MHz nominal, with a ppm
// offset), its own reset, a column source and a receive checker:
//   source   endpoint x offers column i of its own deterministic stream (col_of(stream, i),
//            data and some K23.7/K27.7/K29.7/K30.7 symbols) when tx_enable (and a random
//            duty); columns taken (col_tx_take_o) are queued for the far end's checker
//   checker  every received column (col_rx_valid_o) is matched against the far end's queue:
//            strict: it must be the next one and carry no error flag
//            tolerant: a flagged column is counted; an unflagged one is searched in the next
//            `window` columns (columns skipped: lost, e.g. in flight during a cut); not found:
//            wrong (delivered unflagged and corrupt)
// Endpoints are stepped in time order: at each rising edge the receive pins take the channel's
// level at that instant, the model is clocked, the transmit pins are driven into the other
// channel, and the new inputs are applied at the falling edge.
#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <verilated.h>

#include "channel.hpp"
#include "vl_bits.hpp"

namespace lpu::verif::link::phy {

constexpr std::int64_t kNominalPeriodFs = 10'000'000;  // 100 MHz

inline std::int64_t period_for_ppm(double ppm) {
  // +ppm: a faster clock (shorter period).
  return static_cast<std::int64_t>(static_cast<double>(kNominalPeriodFs) / (1.0 + ppm * 1e-6) + 0.5);
}

inline std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

struct Col {
  std::uint32_t data = 0;  // lane l at bits [8l, 8l+8)
  std::uint8_t k = 0;      // lane l at bit l
  std::int64_t t = 0;      // when taken (fs); not part of the comparison
  bool operator==(const Col& o) const { return data == o.data && k == o.k; }
  bool operator!=(const Col& o) const { return !(*this == o); }
};

inline std::string show(const Col& c, unsigned lanes) {
  std::ostringstream os;
  for (unsigned l = 0; l < lanes; ++l) {
    os << (l ? " " : "") << (((c.k >> l) & 1u) ? "K" : "D") << std::hex
       << ((c.data >> (8 * l)) & 0xffu) << std::dec;
  }
  return os.str();
}

// Column i of stream s: random data, and now and then one of the data link layer's K codes.
inline Col col_of(std::uint64_t s, std::uint64_t i, unsigned lanes) {
  static const std::uint8_t kDlK[4] = {0xF7, 0xFB, 0xFD, 0xFE};
  const std::uint64_t h = splitmix(s * 0x100000001b3ull ^ splitmix(i));
  Col c;
  for (unsigned l = 0; l < lanes; ++l) {
    const std::uint64_t hl = h >> (8 * l);
    if (((h >> (40 + 4 * l)) & 15u) == 0) {
      c.k |= static_cast<std::uint8_t>(1u << l);
      c.data |= static_cast<std::uint32_t>(kDlK[(hl >> 2) & 3u]) << (8 * l);
    } else {
      c.data |= static_cast<std::uint32_t>(hl & 0xffu) << (8 * l);
    }
  }
  return c;
}

struct Checker {
  bool strict = true;
  std::size_t window = 8192;
  std::uint64_t got = 0, ok = 0, flagged = 0, lost = 0, wrong = 0;
  std::int64_t lat_min = INT64_MAX, lat_max = 0;  // take -> delivery, fs, of matched columns
  std::string first_failure;

  void latency(std::int64_t now, const Col& sent) {
    const std::int64_t l = now - sent.t;
    lat_min = std::min(lat_min, l);
    lat_max = std::max(lat_max, l);
  }

  // c: the received column at time now; err: its error flags; q: the far end's columns not
  // yet matched.
  void on_col(const Col& c, unsigned err, std::deque<Col>& q, unsigned lanes, std::int64_t now) {
    ++got;
    if (strict) {
      std::ostringstream os;
      if (err != 0) {
        os << "column " << got << " flagged with errors 0x" << std::hex << err;
      } else if (q.empty()) {
        os << "column " << got << " received (" << show(c, lanes) << ") but none was sent";
      } else if (q.front() != c) {
        os << "column " << got << ": expected " << show(q.front(), lanes) << ", got " << show(c, lanes);
      }
      if (!os.str().empty()) {
        if (first_failure.empty()) first_failure = os.str();
        ++wrong;
        if (!q.empty()) q.pop_front();
        return;
      }
      latency(now, q.front());
      q.pop_front();
      ++ok;
      return;
    }
    if (err != 0) {
      ++flagged;
      return;
    }
    const std::size_t n = q.size() < window ? q.size() : window;
    for (std::size_t j = 0; j < n; ++j) {
      if (q[j] == c) {
        latency(now, q[j]);
        lost += j;
        q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(j + 1));
        ++ok;
        return;
      }
    }
    ++wrong;
    if (first_failure.empty()) first_failure = "unflagged column " + show(c, lanes) + " matches nothing sent";
  }
};

template <class M>
class Endpoint {
 public:
  Endpoint(const std::string& name, unsigned lanes, double ppm, std::uint64_t stream)
      : name_(name), lanes_(lanes), period_(period_for_ppm(ppm)), stream_(stream),
        rng_(splitmix(stream + 77)) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(2);
    ctx_->randSeed(static_cast<int>(stream & 0x7fffffff));
    m_ = std::make_unique<M>(ctx_.get(), name.c_str());
    m_->clk_i = 0;
    m_->rst_ni = 0;
    m_->col_tx_valid_i = 0;
    m_->eval();
    m_->rst_ni = 1;  // an asynchronous reset: a 1->0 edge is what resets
    m_->eval();
    m_->rst_ni = 0;
    m_->eval();
  }
  ~Endpoint() { m_->final(); }
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  M& dut() { return *m_; }
  const std::string& name() const { return name_; }
  std::int64_t period() const { return period_; }
  std::int64_t next_edge() const { return next_; }
  std::uint64_t cycles() const { return cycles_; }         // since reset release
  bool in_reset() const { return reset_left_ > 0; }
  bool up() const { return m_->link_up_o != 0; }
  unsigned state() const { return m_->link_state_o; }
  unsigned cnt(unsigned i) const {
    return static_cast<unsigned>(vl_get(m_->status_cnt_o, i * kCntW, kCntW));
  }
  unsigned hiwater() const { return m_->eb_hiwater_o; }

  // Hold reset for `cycles` more cycles of this endpoint's clock.
  void hold_reset(std::uint64_t cycles) { reset_left_ = cycles; }
  void set_first_edge(std::int64_t t) { next_ = t; }

  // Source control.
  bool tx_enable = false;
  double tx_duty = 1.0;                       // probability of offering a column per cycle
  std::deque<Col> sent;                       // taken, not yet matched by the far end
  std::uint64_t taken = 0;
  Checker check;                              // checks what this endpoint receives

  // Link-up bookkeeping (cycles of this endpoint's clock since its reset release).
  std::uint64_t up_events = 0, down_events = 0;
  std::uint64_t last_up_cycle = 0, last_down_cycle = 0;

  static constexpr unsigned kCntW = 16;

  // One rising edge (time next_), then the falling edge; returns after the inputs for the
  // next cycle are applied.
  template <class OnCol>
  void edge(Channel& in, Channel& out, OnCol&& on_col, const std::vector<unsigned>& rx_map) {
    M& m = *m_;
    const std::int64_t t = next_;
    std::uint32_t rx = 0;
    for (unsigned l = 0; l < lanes_; ++l) {
      if (in.sample(rx_map.empty() ? l : rx_map[l], t)) rx |= 1u << l;
    }
    m.ser_rx_i = rx;
    const bool was_up = m.link_up_o != 0;
    m.clk_i = 1;
    m.eval();
    if (take_pending_) {
      offer_.t = t;
      sent.push_back(offer_);
      ++taken;
      offer_valid_ = false;
    }
    for (unsigned l = 0; l < lanes_; ++l) out.drive(l, t, ((m.ser_tx_o >> l) & 1u) != 0);
    if (m.col_rx_valid_o) {
      Col c;
      c.data = static_cast<std::uint32_t>(vl_get(m.col_rx_data_o, 0, 8 * lanes_));
      c.k = static_cast<std::uint8_t>(vl_get(m.col_rx_k_o, 0, lanes_));
      on_col(c, static_cast<unsigned>(vl_get(m.col_rx_err_o, 0, lanes_)));
    }
    const bool is_up = m.link_up_o != 0;
    if (is_up && !was_up) {
      ++up_events;
      last_up_cycle = cycles_;
    }
    if (!is_up && was_up) {
      ++down_events;
      last_down_cycle = cycles_;
    }
    // Inputs for the next cycle.
    if (reset_left_ > 0) {
      if (--reset_left_ == 0) {
        m.rst_ni = 1;
        cycles_ = 0;
      }
    } else {
      ++cycles_;
    }
    if (!offer_valid_ && tx_enable) {
      offer_ = col_of(stream_, taken, lanes_);
      offer_valid_ = true;
    }
    bool valid = offer_valid_ && tx_enable;
    if (valid && tx_duty < 1.0 && !offered_) {
      // Once offered, a column stays offered until taken (valid never depends on take).
      valid = std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < tx_duty;
    }
    offered_ = valid;
    m.col_tx_valid_i = valid;
    vl_set(m.col_tx_data_i, 0, 8 * lanes_, offer_.data);
    vl_set(m.col_tx_k_i, 0, lanes_, offer_.k);
    m.clk_i = 0;
    m.eval();
    take_pending_ = m.col_tx_take_o != 0;
    if (take_pending_ && !valid) throw std::logic_error(name_ + ": col_tx_take_o without col_tx_valid_i");
    next_ += period_;
  }

 private:
  std::string name_;
  unsigned lanes_;
  std::int64_t period_;
  std::uint64_t stream_;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<M> m_;
  std::int64_t next_ = 0;
  std::uint64_t cycles_ = 0;
  std::uint64_t reset_left_ = 0;
  Col offer_;
  bool offer_valid_ = false;
  bool offered_ = false;
  bool take_pending_ = false;
};

struct PairConfig {
  unsigned lanes = 1;
  unsigned osr = 4;
  double ppm_a = 0.0, ppm_b = 0.0;
  ChannelConfig ab, ba;                 // a -> b, b -> a
  std::uint64_t reset_a = 8, reset_b = 8;  // reset cycles (own clock)
  std::int64_t phase_b_fs = 3'333'333;  // b's first edge (a's is at 0)
  std::vector<unsigned> rx_map_b;       // b's rx lane l listens to a->b lane rx_map_b[l]
  std::uint64_t seed = 1;
};

template <class M>
class PhyPair {
 public:
  explicit PhyPair(const PairConfig& c)
      : cfg_(c),
        a_("a", c.lanes, c.ppm_a, splitmix(c.seed * 2 + 1)),
        b_("b", c.lanes, c.ppm_b, splitmix(c.seed * 2 + 2)),
        ab_(c.lanes, period_for_ppm(c.ppm_a) * c.osr, with_seed(c.ab, c.seed * 3 + 1)),
        ba_(c.lanes, period_for_ppm(c.ppm_b) * c.osr, with_seed(c.ba, c.seed * 3 + 2)) {
    a_.hold_reset(c.reset_a);
    b_.hold_reset(c.reset_b);
    b_.set_first_edge(c.phase_b_fs);
  }

  Endpoint<M>& a() { return a_; }
  Endpoint<M>& b() { return b_; }
  Channel& ab() { return ab_; }
  Channel& ba() { return ba_; }
  std::int64_t now() const { return now_; }
  unsigned symbol_cycles() const { return 10 * cfg_.osr; }

  // Advance to the next clock edge of either endpoint.
  void step() {
    if (a_.next_edge() <= b_.next_edge()) {
      now_ = a_.next_edge();
      a_.edge(ba_, ab_, [this](const Col& c, unsigned err) { a_.check.on_col(c, err, b_.sent, cfg_.lanes, now_); }, no_map_);
    } else {
      now_ = b_.next_edge();
      b_.edge(ab_, ba_, [this](const Col& c, unsigned err) { b_.check.on_col(c, err, a_.sent, cfg_.lanes, now_); }, cfg_.rx_map_b);
    }
  }

  void run_fs(std::int64_t dt) {
    const std::int64_t end = now_ + dt;
    while (std::min(a_.next_edge(), b_.next_edge()) <= end) step();
  }
  // Run a given number of nominal symbol times.
  void run_symbols(std::uint64_t n) { run_fs(static_cast<std::int64_t>(n) * symbol_cycles() * kNominalPeriodFs); }

  // Run until pred() or until max_symbols nominal symbol times passed; returns pred().
  template <class P>
  bool run_until(P&& pred, std::uint64_t max_symbols) {
    const std::int64_t end = now_ + static_cast<std::int64_t>(max_symbols) * symbol_cycles() * kNominalPeriodFs;
    while (!pred()) {
      if (std::min(a_.next_edge(), b_.next_edge()) > end) return false;
      step();
    }
    return true;
  }

  bool both_up() const { return a_.up() && b_.up(); }

 private:
  static ChannelConfig with_seed(ChannelConfig c, std::uint64_t s) {
    c.seed = splitmix(s);
    return c;
  }

  PairConfig cfg_;
  Endpoint<M> a_, b_;
  Channel ab_, ba_;
  std::int64_t now_ = 0;
  std::vector<unsigned> no_map_;
};

}  // namespace lpu::verif::link::phy
