// Two lpu_link endpoints ("a" and "b"), each a Verilator model on its own clock (a period in
// femtoseconds with a ppm offset), joined by two bit-level Channels (a->b, b->a,
// verif/link/common/channel.hpp): the end-to-end testbench of docs/link.md.
//
// Each endpoint has a word source and a checker. The source offers random words (a word stays
// offered until taken: valid never depends on ready); every word the endpoint's lpu_link
// accepts (tx_valid_i && tx_ready_o at a rising edge) is queued with its time. The checker
// at the far end takes every word delivered (rx_valid_o && rx_ready_i at a rising edge) and
// compares it with the oldest queued word: it must be that word, bit-exact, so every word
// arrives exactly once and in order. The reference is only the list of words the test made.
//
// Stepping: edges of both endpoints in time order. At a rising edge the handshakes of the
// cycle that ends are recorded, the receive pins take the channel's level at that instant,
// the model is clocked and its transmit pins are driven into the other channel; the inputs
// for the next cycle are applied at the falling edge.
#pragma once

#include "channel.hpp"
#include "top_models.hpp"
#include "vl_bits.hpp"

#include <verilated.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace lpu::verif::link::top {

constexpr std::int64_t kNominalPeriodFs = 10'000'000;  // 100 MHz; results are in cycles

inline std::int64_t period_for_ppm(double ppm) {
  // +ppm: a faster clock (shorter period).
  return static_cast<std::int64_t>(static_cast<double>(kNominalPeriodFs) / (1.0 + ppm * 1e-6) +
                                   0.5);
}

struct Sent {
  std::vector<std::uint8_t> bytes;
  std::int64_t t = 0;  // rising edge (fs) at which lpu_link accepted it
};

template <class T>
class End {
 public:
  using M = typename T::Model;

  End(const std::string& name, const Shape& s, double ppm, std::uint64_t seed)
      : name_(name), shape_(s), period_(period_for_ppm(ppm)), rng_(seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(2);  // random initial state: reset must establish everything
    ctx_->randSeed(static_cast<int>(seed & 0x7fffffff));
    m_ = std::make_unique<M>(ctx_.get(), name.c_str());
    M& m = *m_;
    m.clk_i = 0;
    m.tx_valid_i = 0;
    m.rx_ready_i = 0;
    m.ser_rx_i = 0;
    m.rst_ni = 1;
    m.eval();
    m.rst_ni = 0;  // asynchronous reset: the 1 -> 0 edge resets
    m.eval();
  }
  ~End() { m_->final(); }
  End(const End&) = delete;
  End& operator=(const End&) = delete;

  M& dut() { return *m_; }
  const std::string& name() const { return name_; }
  std::int64_t period() const { return period_; }
  std::int64_t next_edge() const { return next_; }
  void set_first_edge(std::int64_t t) { next_ = t; }
  void hold_reset(std::uint64_t cycles) { reset_left_ = cycles; }
  bool in_reset() const { return reset_left_ > 0; }
  std::uint64_t cycles() const { return cycles_; }  // since reset release
  bool up() const { return m_->link_up_o != 0; }

  std::uint64_t cnt(unsigned i) const {
    return vl_get(m_->status_o, i * T::cnt_w, T::cnt_w);
  }
  std::string counters() const {
    std::ostringstream os;
    for (unsigned i = 0; i < kNumCnt; ++i) {
      if (cnt(i) != 0) os << " " << cnt_name(i) << "=" << cnt(i);
    }
    return os.str();
  }

  // ---- source -----------------------------------------------------------------------------
  std::uint64_t words = 0;       // words to send in total
  unsigned burst_max = 0;        // 0: offer a word every cycle; else bursts of 1..burst_max
  unsigned gap_max = 0;          // ... separated by 0..gap_max idle cycles
  std::deque<Sent> sent;         // accepted here, not yet delivered at the far end
  std::uint64_t accepted = 0;
  std::int64_t first_accept_t = -1, last_accept_t = -1;

  // ---- sink and checker ---------------------------------------------------------------------
  double rx_ready_p = 1.0;       // probability per cycle that the core takes a word
  std::uint64_t delivered = 0, mismatches = 0;
  std::string first_failure;
  std::vector<std::int64_t> latency_fs;  // per delivered word, if record_latency
  std::vector<std::int64_t> deliver_t;   // per delivered word, if record_latency
  bool record_latency = false;

  // Link-up bookkeeping.
  std::uint64_t up_events = 0, down_events = 0;

  // Stop offering: the source ends with the words accepted so far, plus the word it offers
  // in the current cycle, if any (an offered word stays offered until it is taken).
  void stop_source() { words = accepted + (m_->tx_valid_i ? 1 : 0); }

  // One rising edge (at next_edge()) and the falling edge after it.
  void edge(Channel& in, Channel& out, End& far) {
    M& m = *m_;
    const std::int64_t t = next_;
    // Handshakes of the cycle that ends at this edge.
    if (!in_reset()) {
      // tx_free_o: free retry-buffer entries, never more than the buffer; tx_ready_o is
      // exactly "tx_free_o > 0" (docs/link.md "Core interface").
      if ((m.tx_free_o != 0) != (m.tx_ready_o != 0) || m.tx_free_o > shape_.retry_words()) {
        fail_note("tx_free_o " + std::to_string(m.tx_free_o) + " with tx_ready_o " +
                  std::to_string(m.tx_ready_o));
      }
      if (m.tx_valid_i && m.tx_ready_o) {
        sent.push_back(Sent{cur_, t});
        cur_.clear();
        ++accepted;
        if (first_accept_t < 0) first_accept_t = t;
        last_accept_t = t;
        if (burst_left_ > 0) --burst_left_;
      }
      if (m.rx_valid_o && m.rx_ready_i) take(far, t);
    }
    std::uint32_t rx = 0;
    for (unsigned l = 0; l < shape_.link_lanes; ++l) {
      if (in.sample(l, t)) rx |= 1u << l;
    }
    m.ser_rx_i = rx;
    const bool was_up = m.link_up_o != 0;
    m.clk_i = 1;
    m.eval();
    for (unsigned l = 0; l < shape_.link_lanes; ++l) {
      out.drive(l, t, ((m.ser_tx_o >> l) & 1u) != 0);
    }
    const bool is_up = m.link_up_o != 0;
    up_events += (is_up && !was_up) ? 1 : 0;
    down_events += (!is_up && was_up) ? 1 : 0;
    if (reset_left_ > 0) {
      if (--reset_left_ == 0) {
        m.rst_ni = 1;
        cycles_ = 0;
      }
    } else {
      ++cycles_;
    }
    // Inputs for the next cycle.
    drive_source();
    m.rx_ready_i = (!in_reset() && (rx_ready_p >= 1.0 || u01() < rx_ready_p)) ? 1 : 0;
    m.clk_i = 0;
    m.eval();
    next_ += period_;
  }

 private:
  double u01() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

  void drive_source() {
    M& m = *m_;
    bool offer = false;
    if (!in_reset() && accepted < words) {
      if (!cur_.empty() || burst_max == 0 || burst_left_ > 0) {
        offer = true;
      } else if (gap_left_ > 0) {
        --gap_left_;
      } else {
        burst_left_ = 1 + static_cast<unsigned>(rng_() % burst_max);
        gap_left_ = gap_max ? static_cast<unsigned>(rng_() % (gap_max + 1)) : 0;
        offer = true;
      }
    }
    if (offer && cur_.empty()) {
      cur_.resize(shape_.lanes);
      for (auto& b : cur_) b = static_cast<std::uint8_t>(rng_());
    }
    m.tx_valid_i = offer ? 1 : 0;
    if (offer) {
      for (unsigned i = 0; i < shape_.lanes; ++i) vl_set(m.tx_word_i, 8 * i, 8, cur_[i]);
    }
  }

  void take(End& far, std::int64_t t) {
    M& m = *m_;
    ++delivered;
    std::vector<std::uint8_t> got(shape_.lanes);
    for (unsigned i = 0; i < shape_.lanes; ++i) {
      got[i] = static_cast<std::uint8_t>(vl_get(m.rx_word_o, 8 * i, 8));
    }
    if (far.sent.empty()) {
      fail_note("word " + std::to_string(delivered - 1) + " delivered but none was sent");
      return;
    }
    const Sent s = far.sent.front();
    far.sent.pop_front();
    if (record_latency) {
      latency_fs.push_back(t - s.t);
      deliver_t.push_back(t);
    }
    if (got != s.bytes) {
      std::ostringstream os;
      os << "word " << (delivered - 1) << " differs from the word sent (want/got bytes):"
         << std::hex;
      for (unsigned i = 0; i < shape_.lanes; ++i) {
        os << " " << unsigned(s.bytes[i]) << "/" << unsigned(got[i]);
      }
      fail_note(os.str());
    }
  }

  void fail_note(const std::string& what) {
    ++mismatches;
    if (first_failure.empty()) first_failure = name_ + ": " + what;
  }

  std::string name_;
  Shape shape_;
  std::int64_t period_;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<M> m_;
  std::int64_t next_ = 0;
  std::uint64_t cycles_ = 0;
  std::uint64_t reset_left_ = 0;
  std::vector<std::uint8_t> cur_;
  unsigned burst_left_ = 0, gap_left_ = 0;
};

struct PairConfig {
  double ppm_a = 0.0, ppm_b = 0.0;
  ChannelConfig ab, ba;                    // a -> b, b -> a (delay, skew, BER)
  std::uint64_t reset_a = 8, reset_b = 8;  // reset cycles (own clock)
  std::int64_t phase_b_fs = 3'333'333;     // b's first edge (a's is at 0)
  std::uint64_t seed = 1;
};

inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

template <class T>
class Pair {
 public:
  Pair(const Shape& s, const PairConfig& c)
      : shape_(s), cfg_(c),
        a_("a", s, c.ppm_a, mix(c.seed * 2 + 1)),
        b_("b", s, c.ppm_b, mix(c.seed * 2 + 2)),
        ab_(s.link_lanes, period_for_ppm(c.ppm_a) * s.osr, seeded(c.ab, c.seed * 3 + 1)),
        ba_(s.link_lanes, period_for_ppm(c.ppm_b) * s.osr, seeded(c.ba, c.seed * 3 + 2)) {
    a_.hold_reset(c.reset_a);
    b_.hold_reset(c.reset_b);
    b_.set_first_edge(c.phase_b_fs);
  }

  const Shape& shape() const { return shape_; }
  End<T>& a() { return a_; }
  End<T>& b() { return b_; }
  Channel& ab() { return ab_; }
  Channel& ba() { return ba_; }
  std::int64_t now() const { return now_; }
  // One nominal column time (10 * Osr cycles of a 0 ppm clock), fs.
  std::int64_t column_fs() const {
    return static_cast<std::int64_t>(shape_.column_cycles()) * kNominalPeriodFs;
  }

  void step() {
    if (a_.next_edge() <= b_.next_edge()) {
      now_ = a_.next_edge();
      a_.edge(ba_, ab_, b_);
    } else {
      now_ = b_.next_edge();
      b_.edge(ab_, ba_, a_);
    }
  }

  void run_fs(std::int64_t dt) {
    const std::int64_t end = now_ + dt;
    while (std::min(a_.next_edge(), b_.next_edge()) <= end) step();
  }
  void run_columns(std::uint64_t n) { run_fs(static_cast<std::int64_t>(n) * column_fs()); }

  // Runs until pred() or until max_columns nominal column times have passed; returns pred().
  template <class P>
  bool run_until(P&& pred, std::uint64_t max_columns) {
    const std::int64_t end = now_ + static_cast<std::int64_t>(max_columns) * column_fs();
    while (!pred()) {
      if (std::min(a_.next_edge(), b_.next_edge()) > end) return false;
      step();
    }
    return true;
  }

  bool both_up() const { return a_.up() && b_.up(); }
  // Every word of both sources accepted and delivered.
  bool done() const {
    return a_.accepted == a_.words && b_.accepted == b_.words && a_.sent.empty() &&
           b_.sent.empty();
  }
  std::uint64_t mismatches() const { return a_.mismatches + b_.mismatches; }

  std::string status() const {
    std::ostringstream os;
    os << shape_.name << " seed " << cfg_.seed << " t=" << now_ / 1'000'000 << " ns; a: up "
       << a_.up() << " accepted " << a_.accepted << "/" << a_.words << " in flight "
       << a_.sent.size() << " counters" << a_.counters() << "; b: up " << b_.up()
       << " accepted " << b_.accepted << "/" << b_.words << " in flight " << b_.sent.size()
       << " counters" << b_.counters() << "; channel errors a->b " << ab_.errors() << " b->a "
       << ba_.errors();
    if (!a_.first_failure.empty()) os << "; " << a_.first_failure;
    if (!b_.first_failure.empty()) os << "; " << b_.first_failure;
    return os.str();
  }

 private:
  static ChannelConfig seeded(ChannelConfig c, std::uint64_t s) {
    c.seed = mix(s);
    return c;
  }

  Shape shape_;
  PairConfig cfg_;
  End<T> a_, b_;
  Channel ab_, ba_;
  std::int64_t now_ = 0;
};

}  // namespace lpu::verif::link::top
