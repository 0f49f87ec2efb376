// Two lpu_link_dl instances (Verilator models, each with its own harness) joined by two
// ColumnChannels, with word sources and sinks at both cores and an independent reference:
// every word a core's TX accepts is queued, and every word the other core receives must be
// the next one in that queue (exactly once, in order, bit-exact). The data link layer is the
// code under test; the reference is only the list of words the test pushed.
//
//   lpu::verif::link::DlPair<Vlink_dl_w4l3> p(cfg, "w4l3", seed);
//   p.a().words = 1000; p.b().words = 1000;
//   p.run_until_done(2'000'000);        // throws SimFailure on a mismatch or a timeout
#pragma once

#include "dl_channel.hpp"
#include "sim_harness.hpp"
#include "vl_bits.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace lpu::verif::link {

// The status counters of one lpu_link_dl.
struct DlCounters {
  std::uint64_t tx_frames, tx_acks, tx_naks, rx_naks, replays, timeouts, ack_err;
  std::uint64_t rx_frames, crc_err, frame_err, seq_err, dup, drop;
  std::uint64_t errors() const { return crc_err + frame_err; }
  std::string str() const {
    std::ostringstream os;
    os << "tx_frames=" << tx_frames << " tx_acks=" << tx_acks << " tx_naks=" << tx_naks
       << " rx_naks=" << rx_naks << " replays=" << replays << " timeouts=" << timeouts
       << " ack_err=" << ack_err << " rx_frames=" << rx_frames << " crc_err=" << crc_err
       << " frame_err=" << frame_err << " seq_err=" << seq_err << " dup=" << dup
       << " drop=" << drop;
    return os.str();
  }
};

struct PairConfig {
  unsigned lanes = 16;        // the model's Lanes (bytes per word)
  unsigned link_lanes = 4;    // the model's LinkLanes
  unsigned period = 40;       // core cycles per column on the line (10 * Osr)
  unsigned delay = 16;        // extra cycles from the end of a column on the line to col_rx
  unsigned phase_ab = 0, phase_ba = 0;
  ChannelErrors err_ab, err_ba;
  // Isolated errors: at most one error event per direction every `iso_gap` columns (flag,
  // silent without K flips, or drop, chosen at random), only until `iso_until` columns have
  // been taken. 0: use err_ab / err_ba instead.
  unsigned iso_gap = 0;
  std::uint64_t iso_until = 0;
  // Cuts: per cycle probability that the link goes down, for cut_down cycles; the two ends
  // come back up up to cut_skew cycles apart.
  double cut_rate = 0.0;
  unsigned cut_down = 300;
  unsigned cut_skew = 20;
};

// One end: a model, its word source (toward the other end) and its sink.
template <class Model>
class DlEnd {
 public:
  DlEnd(const std::string& name, std::uint64_t seed, unsigned lanes)
      : h(name, seed), lanes_(lanes), rng_(seed * 7919 + 17) {}

  Harness<Model> h;
  // Source: `words` words in total; burst_max = 0 offers a word every cycle, else bursts of
  // 1..burst_max words separated by 0..gap_max idle cycles.
  std::uint64_t words = 0;
  unsigned burst_max = 0, gap_max = 0;
  double rx_ready_p = 1.0;     // probability per cycle that the sink takes a word
  bool hold_rx = false;        // sink takes nothing while set

  std::deque<std::vector<std::uint8_t>> sent;  // accepted by this TX, not yet delivered
  std::uint64_t accepted = 0, delivered = 0;   // words accepted here / received here
  std::vector<std::uint64_t> accept_cycle;     // per accepted word, when (if recording)
  std::vector<std::uint64_t> deliver_cycle;    // per received word, when (if recording)
  bool record_times = false;
  std::vector<std::vector<std::uint8_t>> history;  // every word accepted (if keep_history)
  bool keep_history = false;

  unsigned lanes() const { return lanes_; }

  // Drive the source for this cycle; returns the word offered (empty if none).
  void drive_source() {
    Model& d = h.dut();
    bool offer = false;
    if (accepted < words) {
      if (burst_max == 0) {
        offer = true;
      } else if (burst_left_ > 0) {
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
      cur_.resize(lanes_);
      for (auto& b : cur_) b = static_cast<std::uint8_t>(rng_());
    }
    d.tx_valid_i = offer ? 1 : 0;
    if (offer) {
      for (unsigned i = 0; i < lanes_; ++i) vl_set(d.tx_word_i, 8 * i, 8, cur_[i]);
    }
  }

  // After driving, before the edge: a word the TX accepts at this edge.
  void note_accept(std::uint64_t now) {
    Model& d = h.dut();
    if (d.tx_valid_i && d.tx_ready_o) {
      sent.push_back(cur_);
      if (keep_history) history.push_back(cur_);
      cur_.clear();
      ++accepted;
      if (record_times) accept_cycle.push_back(now);
      if (burst_left_ > 0) --burst_left_;
    }
  }

 private:
  unsigned lanes_;
  std::mt19937_64 rng_;
  std::vector<std::uint8_t> cur_;
  unsigned burst_left_ = 0, gap_left_ = 0;
};

template <class Model>
class DlPair {
 public:
  DlPair(const PairConfig& cfg, const std::string& name, std::uint64_t seed)
      : cfg_(cfg), name_(name), seed_(seed), rng_(seed ^ 0x9e3779b97f4a7c15ull),
        a_(name + ".a", seed, cfg.lanes), b_(name + ".b", seed + 1000003, cfg.lanes),
        ab_(cfg.link_lanes, cfg.period, cfg.phase_ab, cfg.delay, seed * 3 + 1),
        ba_(cfg.link_lanes, cfg.period, cfg.phase_ba, cfg.delay, seed * 5 + 2) {
    ab_.set_errors(cfg.err_ab);
    ba_.set_errors(cfg.err_ba);
    for (DlEnd<Model>* e : {&a_, &b_}) {
      Model& d = e->h.dut();
      d.link_up_i = 0;
      d.tx_valid_i = 0;
      d.rx_ready_i = 0;
      d.col_tx_take_i = 0;
      d.col_rx_valid_i = 0;
      e->h.reset();
    }
  }

  DlEnd<Model>& a() { return a_; }
  DlEnd<Model>& b() { return b_; }
  ColumnChannel& ab() { return ab_; }
  ColumnChannel& ba() { return ba_; }
  std::uint64_t now() const { return now_; }
  std::uint64_t iso_events_ab() const { return iso_ab_.events; }
  std::uint64_t iso_events_ba() const { return iso_ba_.events; }
  std::uint64_t cuts() const { return cuts_; }
  std::uint64_t mismatches() const { return mismatches_; }
  // Stop at the first mismatch (tests) or count them and go on (the benchmark).
  void set_fail_fast(bool f) { fail_fast_ = f; }
  void set_link_up(bool up) { up_a_ = up_b_ = up; }

  static DlCounters counters(Model& d) {
    return DlCounters{d.cnt_tx_frames_o, d.cnt_tx_acks_o, d.cnt_tx_naks_o, d.cnt_rx_naks_o,
                      d.cnt_replays_o,   d.cnt_timeouts_o, d.cnt_ack_err_o, d.cnt_rx_frames_o,
                      d.cnt_crc_err_o,   d.cnt_frame_err_o, d.cnt_seq_err_o, d.cnt_dup_o,
                      d.cnt_drop_o};
  }
  DlCounters counters_a() { return counters(a_.h.dut()); }
  DlCounters counters_b() { return counters(b_.h.dut()); }

  bool done() const {
    return a_.accepted == a_.words && b_.accepted == b_.words && a_.sent.empty() &&
           b_.sent.empty();
  }

  // One core cycle of both chips and both channels.
  void cycle() {
    update_cuts();
    Model& da = a_.h.dut();
    Model& db = b_.h.dut();
    da.link_up_i = up_a_ ? 1 : 0;
    db.link_up_i = up_b_ ? 1 : 0;
    line(da, db, ab_, iso_ab_);
    line(db, da, ba_, iso_ba_);
    for (DlEnd<Model>* e : {&a_, &b_}) {
      e->drive_source();
      std::bernoulli_distribution rdy(e->rx_ready_p);
      e->h.dut().rx_ready_i = (!e->hold_rx && rdy(rng_)) ? 1 : 0;
    }
    check_delivery(a_, b_);
    check_delivery(b_, a_);
    a_.note_accept(now_);
    b_.note_accept(now_);
    a_.h.step();
    b_.h.step();
    ++now_;
  }

  // Runs until every word is delivered, then `tail` more cycles; fails after max_cycles.
  void run_until_done(std::uint64_t max_cycles, std::uint64_t tail = 0) {
    const std::uint64_t end = now_ + max_cycles;
    while (!done()) {
      if (now_ >= end) {
        a_.h.fail(status("not done after " + std::to_string(max_cycles) + " cycles"));
      }
      cycle();
    }
    for (std::uint64_t i = 0; i < tail; ++i) cycle();
  }

  void run(std::uint64_t cycles) {
    for (std::uint64_t i = 0; i < cycles; ++i) cycle();
  }

  std::string status(const std::string& what) {
    std::ostringstream os;
    os << what << " [" << name_ << " seed " << seed_ << " cycle " << now_ << "] a: accepted "
       << a_.accepted << "/" << a_.words << " delivered-to-b " << (a_.accepted - a_.sent.size())
       << "; b: accepted " << b_.accepted << "/" << b_.words << " delivered-to-a "
       << (b_.accepted - b_.sent.size()) << "\n  a counters: " << counters_a().str()
       << "\n  b counters: " << counters_b().str();
    return os.str();
  }

 private:
  struct Iso {
    std::uint64_t next = 0;    // column index of the next event
    std::uint64_t events = 0;  // events injected
  };

  // Column transfer tx -> channel -> rx for this cycle.
  void line(Model& tx, Model& rx, ColumnChannel& ch, Iso& iso) {
    const bool tx_up = tx.link_up_i != 0;
    const bool rx_up = rx.link_up_i != 0;
    tx.col_tx_take_i = 0;
    if (tx_up && ch.tick(now_) && tx.col_tx_valid_o) {
      tx.col_tx_take_i = 1;
      Column c;
      c.data.resize(cfg_.link_lanes);
      for (unsigned l = 0; l < cfg_.link_lanes; ++l) {
        c.data[l] = static_cast<std::uint8_t>(vl_get(tx.col_tx_data_o, 8 * l, 8));
      }
      c.k = static_cast<std::uint8_t>(tx.col_tx_k_o);
      c.err = 0;
      if (cfg_.iso_gap) {
        send_isolated(ch, iso, c);
      } else {
        ch.send(c, now_);
      }
    }
    Column r;
    rx.col_rx_valid_i = 0;
    if (ch.receive(now_, r) && rx_up) {
      rx.col_rx_valid_i = 1;
      for (unsigned l = 0; l < cfg_.link_lanes; ++l) vl_set(rx.col_rx_data_i, 8 * l, 8, r.data[l]);
      rx.col_rx_k_i = r.k;
      rx.col_rx_err_i = r.err;
    }
  }

  void send_isolated(ColumnChannel& ch, Iso& iso, const Column& c) {
    const std::uint64_t idx = ch.stats().taken;
    ch.set_errors(ChannelErrors{});
    if (idx < iso.next || idx >= cfg_.iso_until) {
      ch.send(c, now_);
      return;
    }
    iso.next = idx + cfg_.iso_gap + rng_() % cfg_.iso_gap;
    ++iso.events;
    switch (rng_() % 3) {
      case 0: {
        ChannelErrors e;
        e.flag = 1.0;
        ch.set_errors(e);
        ch.send(c, now_);
        break;
      }
      case 1: {
        ChannelErrors e;
        e.drop = 1.0;
        ch.set_errors(e);
        ch.send(c, now_);
        break;
      }
      default: {
        // Silent: the bits of one data symbol (never a K symbol or a K flag), so that an
        // isolated event causes exactly one counted error (a corrupted K symbol can split one
        // frame into two bad ones). A column of K symbols only gets a flagged error instead.
        std::vector<unsigned> dl;
        for (unsigned l = 0; l < cfg_.link_lanes; ++l) {
          if (!((c.k >> l) & 1u)) dl.push_back(l);
        }
        ChannelErrors e;
        Column x = c;
        if (dl.empty()) {
          e.flag = 1.0;
        } else {
          const unsigned l = dl[rng_() % dl.size()];
          x.data[l] ^= static_cast<std::uint8_t>(1 + rng_() % 255);
        }
        ch.set_errors(e);
        ch.send(x, now_);
        break;
      }
    }
    ch.set_errors(ChannelErrors{});
  }

  void update_cuts() {
    if (cut_left_ > 0) {
      --cut_left_;
      if (cut_left_ <= skew_a_) up_a_ = true;
      if (cut_left_ <= skew_b_) up_b_ = true;
      return;
    }
    if (cfg_.cut_rate > 0 && up_a_ && up_b_) {
      std::bernoulli_distribution c(cfg_.cut_rate);
      if (c(rng_)) {
        ++cuts_;
        up_a_ = up_b_ = false;
        ab_.cut();
        ba_.cut();
        cut_left_ = cfg_.cut_down + cfg_.cut_skew;
        skew_a_ = static_cast<unsigned>(rng_() % (cfg_.cut_skew + 1));
        skew_b_ = static_cast<unsigned>(rng_() % (cfg_.cut_skew + 1));
      }
    }
  }

  // A word `rx` delivers this cycle must be the oldest undelivered word `tx` accepted.
  void check_delivery(DlEnd<Model>& rx, DlEnd<Model>& tx) {
    Model& d = rx.h.dut();
    if (!(d.rx_valid_o && d.rx_ready_i)) return;
    ++rx.delivered;
    if (rx.record_times) rx.deliver_cycle.push_back(now_);
    std::vector<std::uint8_t> got(cfg_.lanes);
    for (unsigned i = 0; i < cfg_.lanes; ++i) {
      got[i] = static_cast<std::uint8_t>(vl_get(d.rx_word_o, 8 * i, 8));
    }
    if (tx.sent.empty()) {
      ++mismatches_;
      if (fail_fast_) rx.h.fail(status("a word was delivered that was never sent (duplicate?)"));
      return;
    }
    const std::vector<std::uint8_t> want = tx.sent.front();
    tx.sent.pop_front();
    if (got != want) {
      ++mismatches_;
      if (fail_fast_) {
        std::ostringstream os;
        os << "delivered word " << (rx.delivered - 1) << " differs from the word sent:";
        os << std::hex;
        for (unsigned i = 0; i < cfg_.lanes; ++i) {
          os << " " << unsigned(want[i]) << "/" << unsigned(got[i]);
        }
        rx.h.fail(status(os.str() + " (want/got bytes)"));
      }
    }
  }

  PairConfig cfg_;
  std::string name_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  DlEnd<Model> a_, b_;
  ColumnChannel ab_, ba_;
  Iso iso_ab_, iso_ba_;
  std::uint64_t now_ = 0;
  bool up_a_ = true, up_b_ = true;
  unsigned cut_left_ = 0, skew_a_ = 0, skew_b_ = 0;
  std::uint64_t cuts_ = 0;
  std::uint64_t mismatches_ = 0;
  bool fail_fast_ = true;
};

}  // namespace lpu::verif::link
