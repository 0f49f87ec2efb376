// Scenarios and measurements of the end-to-end link tests, soak and benchmark (docs/link.md),
// on top of top_pair.hpp. Hard failures (a corrupted, lost or duplicated word, a link that
// does not come up or traffic that does not finish) throw std::runtime_error with the pair's
// status; soft figures are returned for the caller to check or report.
#pragma once

#include "top_pair.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace lpu::verif::link::top {

// docs/link.md "Training": bring-up within 160 column times plus twice the one-way delay;
// "Clock compensation and deskew": retraining after a cut within one training timeout plus
// that bound.
constexpr std::uint64_t kBringupColumns = 160;
constexpr std::uint64_t kTrainTimeout = 1024;

struct Scenario {
  const char* name;
  double ppm_a, ppm_b;
  double delay_col;      // one-way channel delay, column times
  double skew_col;       // largest lane-to-lane skew, column times
  std::uint64_t reset_b; // b leaves reset this many cycles after a (roughly)
};

inline const Scenario kScenarios[] = {
    {"same clock rate, no delay", 0, 0, 0.0, 0.0, 0},
    {"+1000/-1000 ppm, delay, skew", 1000, -1000, 3.3, 1.5, 517},
    {"-1000/+1000 ppm, delay, skew, b late", -1000, 1000, 7.1, 2.0, 20000},
    {"+300/-700 ppm, long delay", 300, -700, 40.0, 1.0, 33},
};

inline std::uint64_t bringup_bound(const Scenario& sc) {
  return kBringupColumns + 2 * static_cast<std::uint64_t>(sc.delay_col + sc.skew_col + 1);
}

inline PairConfig config(const Shape& s, const Scenario& sc, std::uint64_t seed) {
  const std::int64_t col_fs = static_cast<std::int64_t>(s.column_cycles()) * kNominalPeriodFs;
  PairConfig c;
  c.ppm_a = sc.ppm_a;
  c.ppm_b = sc.ppm_b;
  c.ab.delay_fs = static_cast<std::int64_t>(sc.delay_col * col_fs);
  c.ba.delay_fs = static_cast<std::int64_t>(sc.delay_col * col_fs) + 12345;
  for (unsigned l = 0; l < s.link_lanes; ++l) {
    const double f = s.link_lanes > 1 ? double(l) / (s.link_lanes - 1) : 0.0;
    c.ab.skew_fs.push_back(static_cast<std::int64_t>(sc.skew_col * col_fs * f));
    c.ba.skew_fs.push_back(static_cast<std::int64_t>(sc.skew_col * col_fs * (1.0 - f)));
  }
  c.reset_a = 8;
  c.reset_b = 8 + sc.reset_b;
  c.seed = seed;
  c.phase_b_fs = static_cast<std::int64_t>(mix(seed) % kNominalPeriodFs);
  return c;
}

template <class T>
[[noreturn]] void fail(Pair<T>& p, const std::string& what) {
  throw std::runtime_error(what + " [" + p.status() + "]");
}

// Brings the link up; returns the bring-up time in column times (from the later reset
// release to link-up at both ends). Throws if it is not up within the documented bound.
template <class T>
std::uint64_t bring_up(Pair<T>& p, const Scenario& sc) {
  const std::uint64_t bound = bringup_bound(sc);
  const std::uint64_t cc = p.shape().column_cycles();
  if (!p.run_until([&] { return p.both_up(); }, 2 * bound + sc.reset_b / cc + 10)) {
    fail(p, "link not up");
  }
  const std::uint64_t cycles = std::min(p.a().cycles(), p.b().cycles());
  const std::uint64_t cols = (cycles + cc - 1) / cc;
  if (cols > bound) {
    fail(p, "bring-up took " + std::to_string(cols) + " column times, bound " +
                std::to_string(bound));
  }
  return cols;
}

// Runs until every word is delivered (false after max_columns column times).
template <class T>
bool drain(Pair<T>& p, std::uint64_t max_columns) {
  return p.run_until([&] { return p.done(); }, max_columns);
}

// Stops both sources and delivers what is in flight; throws on any mismatch.
template <class T>
void finish(Pair<T>& p) {
  p.a().stop_source();
  p.b().stop_source();
  if (!p.run_until([&] { return p.both_up(); }, 2 * kTrainTimeout + 400)) {
    fail(p, "link not back up");
  }
  if (!drain(p, 200'000)) fail(p, "words not delivered");
  if (p.mismatches() != 0) fail(p, "corrupted, lost or duplicated words delivered");
}

constexpr std::uint64_t kForever = ~std::uint64_t{0} >> 1;

// ---- random bit errors ----------------------------------------------------------------------

struct ErrorRun {
  std::uint64_t bits = 0, bit_errors = 0;  // line bits and errored bits, both directions
  std::uint64_t phy_detected = 0;          // code + disparity errors + lane sync losses
  std::uint64_t retrains = 0;
  std::uint64_t dl_errors = 0;             // CRC + framing errors
  std::uint64_t replays = 0, frames = 0, words = 0;
};

inline void print(const char* id, const char* what, double ber, const ErrorRun& r) {
  std::printf("link_top %s %s BER %.0e: %llu bits, %llu bit errors; PHY counted %llu, %llu "
              "retrains; DL counted %llu bad frames, %llu replays; %llu frames, %llu words "
              "delivered, 0 corrupted\n",
              id, what, ber, static_cast<unsigned long long>(r.bits),
              static_cast<unsigned long long>(r.bit_errors),
              static_cast<unsigned long long>(r.phy_detected),
              static_cast<unsigned long long>(r.retrains),
              static_cast<unsigned long long>(r.dl_errors),
              static_cast<unsigned long long>(r.replays),
              static_cast<unsigned long long>(r.frames),
              static_cast<unsigned long long>(r.words));
  std::fflush(stdout);
}

// Both directions saturated for `cycles` nominal cycles at the given BER, then the errors
// stop and everything in flight must arrive. Throws on a corrupted, lost or duplicated word
// or when the errors were not counted (every errored bit must show up in the PHY's counters,
// except those that fall while a lane retrains: docs/link.md "Training").
template <class T>
ErrorRun bit_errors(const Scenario& sc, double ber, std::uint64_t cycles, std::uint64_t seed) {
  const Shape s = shape_of(T::id);
  Pair<T> p(s, config(s, sc, seed));
  bring_up(p, sc);
  p.a().words = p.b().words = kForever;
  p.b().burst_max = 2 * s.frame_words;
  p.b().gap_max = 4 * s.column_cycles();
  p.ab().set_ber(ber);
  p.ba().set_ber(ber);
  p.run_fs(static_cast<std::int64_t>(cycles) * kNominalPeriodFs);
  p.ab().set_ber(0);
  p.ba().set_ber(0);
  finish(p);
  ErrorRun r;
  for (End<T>* e : {&p.a(), &p.b()}) {
    Channel& in = (e == &p.a()) ? p.ba() : p.ab();
    const std::uint64_t det = e->cnt(kCodeErr) + e->cnt(kDispErr) + e->cnt(kSyncLoss);
    if (in.errors() > 0 && det + 16 * e->cnt(kRetrains) < in.errors()) {
      fail(p, e->name() + " counted fewer errors than the channel made");
    }
    if (in.errors() == 0 && (det != 0 || e->cnt(kCrcErr) + e->cnt(kFrameErr) != 0)) {
      fail(p, e->name() + " counted errors on a clean line");
    }
    if (e->cnt(kDrop) != 0) fail(p, e->name() + " dropped a frame (credit flow control)");
    r.bits += in.bits();
    r.bit_errors += in.errors();
    r.phy_detected += det;
    r.retrains += e->cnt(kRetrains);
    r.dl_errors += e->cnt(kCrcErr) + e->cnt(kFrameErr);
    r.replays += e->cnt(kReplays);
    r.frames += e->cnt(kRxFrames);
    r.words += e->delivered;
  }
  if (r.bit_errors == 0) fail(p, "the channel made no bit errors: run longer");
  print(T::id, sc.name, ber, r);
  return r;
}

// ---- bursts, slips and cuts -----------------------------------------------------------------

struct ImpairRun {
  unsigned events = 0;
  std::uint64_t retrains_a = 0, retrains_b = 0, sync_loss = 0, replays = 0, words = 0;
};

// `rounds` x (an error burst, a repeated bit, a deleted bit, a cut of both directions longer
// than the training timeout, a short cut of one direction), with traffic both ways; after
// each the link must be back up within a training timeout plus the bring-up bound, and at the
// end every word must have arrived exactly once.
template <class T>
ImpairRun impairments(const Scenario& sc, unsigned rounds, std::uint64_t seed) {
  const Shape s = shape_of(T::id);
  Pair<T> p(s, config(s, sc, seed));
  bring_up(p, sc);
  std::mt19937_64 rng(mix(seed + 99));
  p.a().words = p.b().words = kForever;
  p.b().burst_max = 2 * s.frame_words;
  p.b().gap_max = 2 * s.column_cycles();
  const std::uint64_t back = kTrainTimeout + bringup_bound(sc) + 20;
  ImpairRun r;
  for (unsigned k = 0; k < rounds * 5; ++k) {
    p.run_columns(300 + rng() % 400);
    const std::uint64_t before_a = p.a().delivered, before_b = p.b().delivered;
    const unsigned lane = static_cast<unsigned>(rng() % s.link_lanes);
    Channel& ch = (rng() & 1) ? p.ab() : p.ba();
    switch (k % 5) {
      case 0:  // a burst: 8 bits in a few symbols of one lane
        for (int j = 0; j < 8; ++j) {
          ch.inject_error(lane);
          p.run_fs(static_cast<std::int64_t>(s.osr) * kNominalPeriodFs * (1 + rng() % 6));
        }
        break;
      case 1: ch.slip(lane, +1); break;
      case 2: ch.slip(lane, -1); break;
      case 3: {
        const std::int64_t t0 = p.now(), len = 3000 * p.column_fs();
        p.ab().cut(t0, t0 + len);
        p.ba().cut(t0, t0 + len);
        p.run_fs(len);
        break;
      }
      default: {
        const std::int64_t t0 = p.now(), len = 50 * p.column_fs();
        ch.cut(t0, t0 + len);
        p.run_fs(len);
        break;
      }
    }
    ++r.events;
    p.run_columns(100);
    if (!p.run_until([&] { return p.both_up(); }, back)) {
      fail(p, "link not back up after event " + std::to_string(k));
    }
    p.run_columns(600);
    if (p.a().delivered == before_a || p.b().delivered == before_b) {
      fail(p, "traffic did not resume after event " + std::to_string(k));
    }
    if (p.mismatches() != 0) fail(p, "corrupted word after event " + std::to_string(k));
  }
  finish(p);
  if (p.a().cnt(kDrop) + p.b().cnt(kDrop) != 0) fail(p, "a frame was dropped (credits)");
  r.retrains_a = p.a().cnt(kRetrains);
  r.retrains_b = p.b().cnt(kRetrains);
  r.sync_loss = p.a().cnt(kSyncLoss) + p.b().cnt(kSyncLoss);
  r.replays = p.a().cnt(kReplays) + p.b().cnt(kReplays);
  r.words = p.a().delivered + p.b().delivered;
  // Every slip and the long cut take both ends through retraining (a retraining end's TS1
  // takes the other one down too).
  if (r.retrains_a < 3 * rounds || r.retrains_b < 3 * rounds) fail(p, "retrains not counted");
  if (r.sync_loss < 3 * rounds) fail(p, "sync losses not counted");
  if (r.replays == 0) fail(p, "no replay after the link went down");
  std::printf("link_top %s impairments [%s]: %u events, retrains a %llu b %llu, sync losses "
              "%llu, replays %llu, %llu words delivered, 0 corrupted\n",
              T::id, sc.name, r.events, static_cast<unsigned long long>(r.retrains_a),
              static_cast<unsigned long long>(r.retrains_b),
              static_cast<unsigned long long>(r.sync_loss),
              static_cast<unsigned long long>(r.replays),
              static_cast<unsigned long long>(r.words));
  std::fflush(stdout);
  return r;
}

// ---- credit flow control: a slow reader ------------------------------------------------------

struct SlowRun {
  std::uint64_t words = 0;           // words delivered to the slow reader
  std::uint64_t replays = 0, timeouts = 0, naks = 0, dl_errors = 0, cuts = 0;
  std::uint64_t max_stall_words = 0; // largest backlog the sender held while the reader paused
};

// Both directions saturated (a -> b) or bursty (b -> a) while b's core reads in long
// stretches of nothing, a trickle and full speed (docs/link.md "Credit flow control"). On a
// clean line: every word exactly once and in order, no frame dropped, and no NAK, replay or
// timeout at all (the sender waits for credit instead of overrunning the buffer). With
// `ber` > 0 and `cut`: line errors and a cut of both directions on top, exact delivery, no
// drop, and replays only for counted errors. Throws on a violation.
template <class T>
SlowRun slow_reader(const Scenario& sc, double ber, bool cut, unsigned stretches,
                    std::uint64_t seed) {
  const Shape s = shape_of(T::id);
  Pair<T> p(s, config(s, sc, seed));
  bring_up(p, sc);
  p.a().words = p.b().words = kForever;
  p.b().burst_max = 2 * s.frame_words;
  p.b().gap_max = 4 * s.column_cycles();
  p.ab().set_ber(ber);
  p.ba().set_ber(ber);
  const std::uint64_t frame_cols = s.frame_columns(s.frame_words);
  const double speeds[] = {0.0, 0.01, 1.0, 0.002, 0.0, 0.3};
  SlowRun r;
  for (unsigned k = 0; k < stretches; ++k) {
    const double sp = speeds[k % 6];
    p.b().rx_ready_p = sp;
    const std::uint64_t before = p.b().delivered;
    p.run_columns(sp == 1.0 ? frame_cols : 4 * frame_cols);
    if (sp == 0.0) {
      if (p.b().delivered != before) fail(p, "a word was delivered to a core that reads nothing");
      r.max_stall_words = std::max<std::uint64_t>(r.max_stall_words, p.a().sent.size());
    }
    if (cut && k == stretches / 2) {
      const std::int64_t t0 = p.now(), len = 1500 * p.column_fs();
      p.ab().cut(t0, t0 + len);
      p.ba().cut(t0, t0 + len);
      p.run_fs(len);
      ++r.cuts;
    }
  }
  p.ab().set_ber(0);
  p.ba().set_ber(0);
  p.b().rx_ready_p = 1.0;
  finish(p);
  for (End<T>* e : {&p.a(), &p.b()}) {
    if (e->cnt(kDrop) != 0) fail(p, e->name() + " dropped a frame (credit flow control)");
    r.replays += e->cnt(kReplays);
    r.timeouts += e->cnt(kTimeouts);
    r.naks += e->cnt(kTxNaks);
    r.dl_errors += e->cnt(kCrcErr) + e->cnt(kFrameErr);
  }
  if (ber == 0 && !cut) {
    if (r.replays + r.timeouts + r.naks + r.dl_errors != 0) {
      fail(p, "replays, timeouts, NAKs or errors on a clean line with a slow reader");
    }
  } else {
    // No replay storm: a replay answers a NAK or a timeout, and every NAK or timeout needs a
    // damaged or lost frame (or the cut).
    if (p.a().cnt(kReplays) > p.a().cnt(kRxNaks) + p.a().cnt(kTimeouts)) {
      fail(p, "replays without a NAK or a timeout");
    }
    if (r.naks + r.timeouts > 2 * r.dl_errors + 8 * r.cuts + 4) fail(p, "replay storm");
  }
  // The backlog behind a reader that takes nothing is the sender's retry buffer: the line
  // carried no more than the receive buffer (and its output register) could take.
  if (r.max_stall_words > s.retry_words() + s.rx_words() + 1) fail(p, "backlog too large");
  r.words = p.b().delivered;
  std::printf("link_top %s slow reader [%s] BER %.0e%s: %llu words delivered, %llu replays, "
              "%llu timeouts, %llu NAKs, %llu bad frames, 0 dropped, 0 corrupted\n",
              T::id, sc.name, ber, cut ? " + cut" : "", static_cast<unsigned long long>(r.words),
              static_cast<unsigned long long>(r.replays),
              static_cast<unsigned long long>(r.timeouts),
              static_cast<unsigned long long>(r.naks),
              static_cast<unsigned long long>(r.dl_errors));
  std::fflush(stdout);
  return r;
}

// ---- latency and rate -------------------------------------------------------------------------

// docs/link.md "Recovery policy and determinism": the nominal latency of a message of n words
// written back to back (n = 1: a single word) on an idle link with no errors and no channel
// delay, first word written (tx accepted) to last word read at the far end (rx delivered),
// core cycles: the data link layer's fixed part plus the PHY's latency, which varies with
// the column-time phase, the elastic buffer's level and the SKP columns.
struct LatencyBound {
  double lo, hi;
};
inline LatencyBound latency_bound(const Shape& s, unsigned n = 1) {
  const double p = s.column_cycles();
  const unsigned frames = (n + s.frame_words - 1) / s.frame_words;
  const unsigned last = n - (frames - 1) * s.frame_words;  // words in the last frame
  const double cols =
      double((frames - 1) * s.frame_columns(s.frame_words) + s.frame_columns(last));
  const double e = double((8 + last * s.lanes - 1) % s.link_lanes);
  // Data link layer: L + 1 cycles to the first column, 0 .. P-1 waiting for a column time,
  // the frames' columns, 3 + e cycles to commit the last frame after its last column
  // arrived, then its words one per cycle.
  const double dl_lo = s.link_lanes + 1 + cols * p + 3 + e + (last - 1);
  const double dl_hi = dl_lo + p - 1 + std::ceil(cols / 256.0) * p;  // + SKP columns
  // PHY, column taken -> column delivered (docs/link.md "Physical layer"), less the column
  // time the data link layer's count already holds: 9*Osr .. 50*Osr + 10.
  return LatencyBound{dl_lo + 9.0 * s.osr - p, dl_hi + 50.0 * s.osr + 10 - p};
}

struct Figures {
  double lat_min = 1e30, lat_mean = 0, lat_max = 0;  // one word, cycles
  // Messages of msg_words[k] words written back to back (as one `send`): first word written
  // to last word delivered, cycles, mean over the samples.
  unsigned msg_words[2] = {0, 0};
  double msg_lat[2] = {0, 0};
  double msg_min[2] = {1e30, 1e30}, msg_max[2] = {0, 0};
  // The 4-frame message again with one line bit error in its first frame (a->b): first
  // written to last read, mean, and the replays that took.
  double msg_err_lat = 0;
  std::uint64_t msg_err_replays = 0;
  double words_per_cycle = 0;                        // one direction saturated
  double words_per_cycle_bidir = 0;                  // both directions saturated
};

template <class T>
double rate(Pair<T>& p, std::uint64_t words, bool bidir) {
  const Shape& s = p.shape();
  End<T>& rx = p.b();
  rx.record_latency = true;
  rx.deliver_t.clear();
  rx.latency_fs.clear();
  p.a().words = p.a().accepted + words;
  if (bidir) p.b().words = p.b().accepted + words;
  if (!drain(p, words * 40 + 20000)) fail(p, "rate: words not delivered");
  // Window: from the delivery of the first frame's last word to the last word.
  const auto& d = rx.deliver_t;
  const std::size_t i0 = s.frame_words - 1;
  const double cycles = double(d.back() - d[i0]) / kNominalPeriodFs;
  rx.record_latency = false;
  return double(d.size() - 1 - i0) / cycles;
}

// Latency of `samples` single words on an idle link (0 ppm, no channel delay, random clock
// phase and start times), then the sustained rate with `words` words.
template <class T>
Figures measure(unsigned samples, std::uint64_t words, std::uint64_t seed) {
  const Shape s = shape_of(T::id);
  const Scenario sc{"latency", 0, 0, 0.0, 0.0, 0};
  Pair<T> p(s, config(s, sc, seed));
  bring_up(p, sc);
  p.run_columns(3 * s.frame_columns(s.frame_words));
  std::mt19937_64 rng(mix(seed));
  Figures f;
  double sum = 0;
  p.b().record_latency = true;
  for (unsigned i = 0; i < samples; ++i) {
    p.run_fs(static_cast<std::int64_t>(rng() % (4 * s.column_cycles())) * kNominalPeriodFs);
    p.a().words += 1;
    if (!drain(p, 20 * s.frame_columns(s.frame_words))) fail(p, "latency: word not delivered");
    const double lat = double(p.b().latency_fs.back()) / kNominalPeriodFs;
    f.lat_min = std::min(f.lat_min, lat);
    f.lat_max = std::max(f.lat_max, lat);
    sum += lat;
    p.run_columns(3 * s.frame_columns(s.frame_words));  // acknowledgements back: idle again
  }
  f.lat_mean = sum / samples;
  // Whole messages: one frame's worth and four frames' worth.
  f.msg_words[0] = s.frame_words;
  f.msg_words[1] = 4 * s.frame_words;
  for (unsigned k = 0; k < 2; ++k) {
    double msum = 0;
    const unsigned n = f.msg_words[k], reps = 4;
    for (unsigned i = 0; i < reps; ++i) {
      p.run_fs(static_cast<std::int64_t>(rng() % (4 * s.column_cycles())) * kNominalPeriodFs);
      const std::size_t first = p.b().deliver_t.size();
      p.a().words += n;
      if (!drain(p, 20 * s.frame_columns(s.frame_words) * (n / s.frame_words + 1))) {
        fail(p, "message not delivered");
      }
      const auto& dt = p.b().deliver_t;
      const std::int64_t t0 = dt[first] - p.b().latency_fs[first];
      const double m = double(dt.back() - t0) / kNominalPeriodFs;
      msum += m;
      f.msg_min[k] = std::min(f.msg_min[k], m);
      f.msg_max[k] = std::max(f.msg_max[k], m);
      p.run_columns(3 * s.frame_columns(s.frame_words));
    }
    f.msg_lat[k] = msum / reps;
  }
  {
    const unsigned n = f.msg_words[1], reps = 4;
    const std::uint64_t replays0 = p.a().cnt(kReplays);
    double msum = 0;
    for (unsigned i = 0; i < reps; ++i) {
      const std::size_t first = p.b().deliver_t.size();
      p.a().words += n;
      p.run_columns(10 + rng() % 20);
      p.ab().inject_error(static_cast<unsigned>(rng() % s.link_lanes));
      if (!drain(p, 40 * s.frame_columns(s.frame_words) * (n / s.frame_words + 1))) {
        fail(p, "message with an error not delivered");
      }
      const auto& dt = p.b().deliver_t;
      msum += double(dt.back() - (dt[first] - p.b().latency_fs[first])) / kNominalPeriodFs;
      p.run_columns(3 * s.frame_columns(s.frame_words));
    }
    f.msg_err_lat = msum / reps;
    f.msg_err_replays = p.a().cnt(kReplays) - replays0;
  }
  f.words_per_cycle = rate(p, words, false);
  p.run_columns(3 * s.frame_columns(s.frame_words));
  f.words_per_cycle_bidir = rate(p, words, true);
  if (p.mismatches() != 0) fail(p, "corrupted word");
  if (p.b().cnt(kCrcErr) + p.b().cnt(kFrameErr) == 0 || f.msg_err_replays == 0) {
    fail(p, "the injected errors were not counted or not replayed");
  }
  // Only the injected errors: nothing in the other direction, no retraining.
  if (p.a().cnt(kCrcErr) + p.a().cnt(kFrameErr) + p.b().cnt(kReplays) + p.a().cnt(kRetrains) +
          p.b().cnt(kRetrains) != 0) {
    fail(p, "errors on a clean link");
  }
  return f;
}

inline void print_figures(const Shape& s, const Figures& f) {
  const double isa_lat = 1.0 + s.word_cycles + s.latency;
  std::printf("link_top %s: one word, write to far-end read: %.1f .. %.1f cycles (mean %.1f; ISA "
              "model 1 + link_word_cycles + link_latency = %.0f); sustained %.6f words/cycle = "
              "%.1f cycles/word (both ways loaded: %.1f; ISA model link_word_cycles = %u), "
              "goodput %.4f of the line bits; documented latency bound %.0f .. %.0f, rates %.6f / "
              "%.6f\n",
              std::string(s.name).c_str(), f.lat_min, f.lat_max, f.lat_mean, isa_lat,
              f.words_per_cycle, 1.0 / f.words_per_cycle, 1.0 / f.words_per_cycle_bidir,
              s.word_cycles,
              f.words_per_cycle * s.lanes * 8 / (double(s.link_lanes) / s.osr),
              latency_bound(s).lo, latency_bound(s).hi, s.words_per_cycle(),
              s.words_per_cycle_bidir());
  for (unsigned k = 0; k < 2; ++k) {
    const unsigned n = f.msg_words[k];
    std::printf("link_top %s: message of %u words, first written to last read: %.1f cycles "
                "(%.1f .. %.1f; documented bound %.0f .. %.0f; ISA model 1 + link_latency + n * "
                "link_word_cycles = %u)\n",
                std::string(s.name).c_str(), n, f.msg_lat[k], f.msg_min[k], f.msg_max[k],
                latency_bound(s, n).lo, latency_bound(s, n).hi,
                1 + s.latency + n * s.word_cycles);
  }
  std::printf("link_top %s: the %u-word message with one bit error in its first frame: %.1f "
              "cycles (%.1f more; %llu replays for 4 messages)\n",
              std::string(s.name).c_str(), f.msg_words[1], f.msg_err_lat,
              f.msg_err_lat - f.msg_lat[1], static_cast<unsigned long long>(f.msg_err_replays));
  std::fflush(stdout);
}

}  // namespace lpu::verif::link::top
