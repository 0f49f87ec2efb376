// Bit-level channel model for the chip-to-chip link testbenches (docs/link.md).
//
// One Channel is one direction of a link: LinkLanes serial lines from a transmitting chip to
// a receiving chip, each chip on its own clock. Time is an integer number of femtoseconds
// (so a 100 MHz clock at +1000 ppm, 9 990 010 fs, is exact). The transmitter's side calls
// drive() at each of its clock edges with the pin values it just registered; the receiver's
// side calls sample() at each of its clock edges. Calls on each side come in non-decreasing
// time order.
//
// Impairments:
//   delay and per-lane skew   a line's level at the receiver is the transmitted level
//                             delay_fs + skew_fs[lane] earlier
//   bit errors                each transmitted bit is inverted, for its whole bit period,
//                             with probability ber (independently per lane); inject_error()
//                             inverts the next bit of one lane
//   bit slips                 slip(lane, +1) repeats one bit (the line delay grows by a bit
//                             period), slip(lane, -1) deletes one
//   cuts                      cut(from, to): every line reads 0 at the receiver in [from, to)
// Bit periods: the transmitter changes its pins only at bit boundaries (every Osr cycles of
// its clock, whose period is exact), so the first change on a line fixes the bit grid:
// boundaries at t_first + k * bit_period_fs.
#pragma once

#include <cmath>
#include <cstdint>
#include <deque>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lpu::verif::link {

struct ChannelConfig {
  std::int64_t delay_fs = 0;
  std::vector<std::int64_t> skew_fs;  // per lane; missing lanes have no skew
  double ber = 0.0;
  std::uint64_t seed = 1;
};

class Channel {
 public:
  Channel(unsigned lanes, std::int64_t bit_period_fs, ChannelConfig cfg)
      : cfg_(std::move(cfg)), bit_period_(bit_period_fs), rng_(cfg_.seed), lines_(lanes) {
    if (lanes == 0) throw std::invalid_argument("Channel: no lanes");
    if (bit_period_fs <= 0) throw std::invalid_argument("Channel: bit period must be > 0");
    if (cfg_.delay_fs < 0) throw std::invalid_argument("Channel: negative delay");
    if (cfg_.ber < 0.0 || cfg_.ber >= 1.0) throw std::invalid_argument("Channel: ber must be in [0, 1)");
    for (unsigned l = 0; l < lanes; ++l) {
      const std::int64_t skew = l < cfg_.skew_fs.size() ? cfg_.skew_fs[l] : 0;
      if (cfg_.delay_fs + skew < 0) throw std::invalid_argument("Channel: delay + skew < 0 on lane " + std::to_string(l));
      lines_[l].offset = cfg_.delay_fs + skew;
      lines_[l].next_err = draw_gap(0);
    }
  }

  unsigned lanes() const { return static_cast<unsigned>(lines_.size()); }

  // The transmitter's pin value on `lane` just after its clock edge at time t.
  void drive(unsigned lane, std::int64_t t, bool v) {
    Line& ln = line(lane);
    if (!ln.grid && v != ln.tx_level) {
      ln.grid = true;
      ln.t_first = t;
    }
    ln.tx_level = v;
    bool out = v;
    if (ln.grid) {
      const std::int64_t k = (t - ln.t_first) / bit_period_;
      if (k != ln.bit) {
        ln.bit = k;
        ln.flip = false;
        if (ln.force_next) {
          ln.flip = true;
          ln.force_next = false;
        }
        if (cfg_.ber > 0.0 && k >= ln.next_err) {
          ln.flip = true;
          ln.next_err = draw_gap(k + 1);
        }
        if (ln.flip) ++errors_;
        ++bits_;
      }
      out = v != ln.flip;
    }
    if (out != ln.q_level) {
      std::int64_t at = t + ln.offset;
      if (!ln.q.empty() && at < ln.q.back().first) at = ln.q.back().first;  // a deleted bit
      ln.q.emplace_back(at, out);
      ln.q_level = out;
    }
  }

  // The level the receiver sees on `lane` at time t.
  bool sample(unsigned lane, std::int64_t t) {
    Line& ln = line(lane);
    while (!ln.q.empty() && ln.q.front().first <= t) {
      ln.rx_level = ln.q.front().second;
      ln.q.pop_front();
    }
    for (const auto& c : cuts_) {
      if (t >= c.first && t < c.second) return false;
    }
    return ln.rx_level;
  }

  // +1: the line delay grows by one bit period (a bit is repeated); -1: shrinks (one lost).
  void slip(unsigned lane, int dir) {
    if (dir != 1 && dir != -1) throw std::invalid_argument("Channel::slip: dir must be +1 or -1");
    Line& ln = line(lane);
    ln.offset += dir * bit_period_;
    if (ln.offset < 0) throw std::invalid_argument("Channel::slip: the delay would become negative");
    ++slips_;
  }

  void cut(std::int64_t from_fs, std::int64_t to_fs) { cuts_.emplace_back(from_fs, to_fs); }
  void set_ber(double ber) {
    if (ber < 0.0 || ber >= 1.0) throw std::invalid_argument("Channel::set_ber: ber must be in [0, 1)");
    cfg_.ber = ber;
    for (auto& ln : lines_) ln.next_err = draw_gap(ln.bit + 1);
  }
  // Invert the next whole bit transmitted on `lane`.
  void inject_error(unsigned lane) { line(lane).force_next = true; }

  std::uint64_t bits() const { return bits_; }          // bit periods transmitted, all lanes
  std::uint64_t errors() const { return errors_; }      // bits inverted
  std::uint64_t slips() const { return slips_; }
  std::int64_t bit_period_fs() const { return bit_period_; }

 private:
  struct Line {
    std::int64_t offset = 0;
    bool grid = false;
    std::int64_t t_first = 0;
    std::int64_t bit = -1;
    bool flip = false;
    bool force_next = false;
    std::int64_t next_err = 0;
    bool tx_level = false;
    bool q_level = false;
    bool rx_level = false;
    std::deque<std::pair<std::int64_t, bool>> q;  // (arrival time, level) changes
  };

  Line& line(unsigned lane) {
    if (lane >= lines_.size()) throw std::out_of_range("Channel: lane " + std::to_string(lane) + " out of range");
    return lines_[lane];
  }

  // Index of the next errored bit at or after `from` (geometric gaps).
  std::int64_t draw_gap(std::int64_t from) {
    if (cfg_.ber <= 0.0) return INT64_MAX;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const double x = u(rng_);
    const double g = std::floor(std::log1p(-x) / std::log1p(-cfg_.ber));
    if (g > 1e15) return INT64_MAX;
    return from + static_cast<std::int64_t>(g);
  }

  ChannelConfig cfg_;
  std::int64_t bit_period_;
  std::mt19937_64 rng_;
  std::vector<Line> lines_;
  std::vector<std::pair<std::int64_t, std::int64_t>> cuts_;
  std::uint64_t bits_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t slips_ = 0;
};

}  // namespace lpu::verif::link
