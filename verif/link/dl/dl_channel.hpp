// Symbol-level channel for the data link layer tests (docs/link.md "Data link layer"): it
// stands in for two PHYs and the wires between them, one direction of one link, at the
// column interface of lpu_link_phy.
//
// Timing: the transmitting PHY takes a column on a free-running cadence, one every `period`
// core cycles (10 * Osr for the real PHY), at ticks whose phase is `phase`; when the data
// link layer offers nothing at a tick, an IDLE column goes out, which the receiving PHY never
// shows. A column taken at cycle t is shown to the receiver (col_rx_valid) at cycle
// t + period + delay, one column per cycle at most, in order.
//
// Errors, drawn per column taken (independently):
//   flag    one symbol replaced by a random byte and flagged (col_rx_err: code or disparity
//           error the PHY detected);
//   silent  one to three symbols get random bit flips in their data bits and, with
//           probability 1/8 each, in their K flag, not flagged (a code group that decoded to
//           another valid one): only the CRC and the framing checks can catch this;
//   drop    the column is lost (e.g. an elastic-buffer or alignment slip).
// Cuts: link_up drops for `down` cycles (both ends), the columns in flight are lost.
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

namespace lpu::verif::link {

struct Column {
  std::vector<std::uint8_t> data;  // one byte per lane
  std::uint8_t k = 0;              // bit per lane
  std::uint8_t err = 0;            // bit per lane
};

struct ChannelErrors {
  double flag = 0.0;    // per column
  double silent = 0.0;  // per column
  double drop = 0.0;    // per column
};

struct ChannelStats {
  std::uint64_t taken = 0;       // columns taken from the transmitter
  std::uint64_t flagged = 0;     // columns with a flagged symbol error
  std::uint64_t silent = 0;      // columns silently corrupted
  std::uint64_t dropped = 0;     // columns dropped
  std::uint64_t cut_lost = 0;    // columns lost in cuts
  std::uint64_t delivered = 0;   // columns shown to the receiver
};

class ColumnChannel {
 public:
  ColumnChannel(unsigned lanes, unsigned period, unsigned phase, unsigned delay,
                std::uint64_t seed)
      : lanes_(lanes), period_(period), phase_(phase % period), delay_(delay), rng_(seed) {}

  void set_errors(const ChannelErrors& e) { err_ = e; }
  // Record every column taken from the transmitter, as it was offered (before any error).
  void set_log(std::vector<Column>* log) { log_ = log; }
  const ChannelStats& stats() const { return stats_; }
  unsigned period() const { return period_; }
  unsigned delay() const { return delay_; }

  // Whether the transmitting PHY takes a column at cycle `now` (if one is offered).
  bool tick(std::uint64_t now) const { return (now % period_) == phase_; }

  // The column the transmitter offered at a tick: corrupt it (maybe) and put it on the wire.
  // Returns true if the channel changed or lost it.
  bool send(const Column& c, std::uint64_t now) {
    ++stats_.taken;
    if (log_) log_->push_back(c);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    if (err_.drop > 0 && u(rng_) < err_.drop) {
      ++stats_.dropped;
      return true;
    }
    Column x = c;
    bool hit = false;
    if (err_.flag > 0 && u(rng_) < err_.flag) {
      const unsigned l = lane_pick();
      x.data[l] = static_cast<std::uint8_t>(rng_());
      x.err |= static_cast<std::uint8_t>(1u << l);
      ++stats_.flagged;
      hit = true;
    }
    if (err_.silent > 0 && u(rng_) < err_.silent) {
      const unsigned n = 1 + static_cast<unsigned>(rng_() % 3);
      bool changed = false;
      for (unsigned i = 0; i < n; ++i) {
        const unsigned l = lane_pick();
        const std::uint8_t m = static_cast<std::uint8_t>(rng_());
        x.data[l] ^= m;
        changed |= (m != 0);
        if ((rng_() & 7u) == 0) {
          x.k ^= static_cast<std::uint8_t>(1u << l);
          changed = true;
        }
      }
      if (changed) {
        ++stats_.silent;
        hit = true;
      }
    }
    wire_.push_back({x, now + period_ + delay_});
    return hit;
  }

  // The column shown to the receiver at cycle `now`, if any.
  bool receive(std::uint64_t now, Column& out) {
    if (wire_.empty() || wire_.front().due > now) return false;
    out = wire_.front().col;
    wire_.pop_front();
    ++stats_.delivered;
    return true;
  }

  // A cut: everything on the wire is lost.
  void cut() {
    stats_.cut_lost += wire_.size();
    wire_.clear();
  }

  bool idle() const { return wire_.empty(); }

 private:
  struct InFlight {
    Column col;
    std::uint64_t due;
  };

  unsigned lane_pick() { return static_cast<unsigned>(rng_() % lanes_); }

  unsigned lanes_, period_, phase_, delay_;
  std::mt19937_64 rng_;
  ChannelErrors err_;
  ChannelStats stats_;
  std::deque<InFlight> wire_;
  std::vector<Column>* log_ = nullptr;
};

}  // namespace lpu::verif::link
