// lpu_link_dl quick tests (docs/link.md "Data link layer"): two instances joined by the
// symbol-level channel. The reference is the list of words each side's core pushed: every
// one must come out of the other side exactly once, in order and bit-exact (DlPair checks
// each delivered word); the counters are checked against what the channel did.
#include "dl_models.hpp"
#include "dl_pair.hpp"
#include "dl_ref.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using namespace lpu::verif;
using namespace lpu::verif::link;

namespace {

template <class T>
PairConfig base_cfg(unsigned period, unsigned delay) {
  PairConfig c;
  c.lanes = T::lanes;
  c.link_lanes = T::link_lanes;
  c.period = period;
  c.delay = delay;
  c.phase_ab = 0;
  c.phase_ba = period / 2;
  return c;
}

template <class T>
unsigned max_frame_cols() {
  return frame_columns(T::frame_words, T::lanes, T::link_lanes);
}

// Words both ways, no errors: everything arrives, no error counter moves, and a saturated
// source fills every frame but the last.
template <class T>
void clean_traffic(unsigned period, std::uint64_t words, std::uint64_t seed) {
  DlPair<typename T::Model> p(base_cfg<T>(period, 11), T::id, seed);
  p.a().words = words;             // saturated
  p.b().words = words / 2 + 3;     // bursts, as `send` instructions would give
  p.b().burst_max = 3 * T::frame_words / 2 + 1;
  p.b().gap_max = 200;
  p.a().rx_ready_p = 0.7;
  p.run_until_done(words * 4000 / T::link_lanes + 200000, 500);
  const DlCounters ca = p.counters_a(), cb = p.counters_b();
  INFO("a: " << ca.str() << "\nb: " << cb.str());
  for (const DlCounters& c : {ca, cb}) {
    CHECK(c.crc_err == 0);
    CHECK(c.frame_err == 0);
    CHECK(c.seq_err == 0);
    CHECK(c.dup == 0);
    CHECK(c.drop == 0);
    CHECK(c.replays == 0);
    CHECK(c.timeouts == 0);
    CHECK(c.ack_err == 0);
    CHECK(c.tx_naks == 0);
    CHECK(c.rx_naks == 0);
  }
  CHECK(ca.tx_frames == cb.rx_frames);
  CHECK(cb.tx_frames == ca.rx_frames);
  // a's source never starves its framer (a word per cycle against a column per `period`
  // cycles), so its frames are full but the last, when the retry buffer frees whole frames
  // and the receive buffer is large enough (4 frames) that the credits never cut a frame short
  // (with 2 frames or less the credit round trip may, now and then).
  if (T::retry_words % T::frame_words == 0) {
    const std::uint64_t full = (words + T::frame_words - 1) / T::frame_words;
    if (T::rx_words >= 4 * T::frame_words) {
      CHECK(ca.tx_frames == full);
    } else {
      CHECK(ca.tx_frames >= full);
      CHECK(ca.tx_frames <= full + full / 50);
    }
  }
  CHECK(p.a().delivered == p.b().words);
  CHECK(p.b().delivered == p.a().words);
}

// One error event at a time (flagged symbol, silent data-bit flips, dropped column), each
// far from the next: each is counted exactly once by the receiver, and replay recovers.
template <class T>
void isolated_errors(unsigned period, std::uint64_t words, std::uint64_t seed) {
  PairConfig c = base_cfg<T>(period, 7);
  c.iso_gap = 3 * max_frame_cols<T>() + 8;
  const std::uint64_t cols_per_dir = words * T::lanes / T::link_lanes;
  c.iso_until = cols_per_dir * 7 / 10;  // the tail is clean: every error gets closed
  DlPair<typename T::Model> p(c, T::id, seed);
  p.a().words = words;
  p.b().words = words;
  p.run_until_done(words * 20000 / T::link_lanes + 400000, 2000);
  const DlCounters ca = p.counters_a(), cb = p.counters_b();
  INFO("a: " << ca.str() << "\nb: " << cb.str() << "\nevents a->b " << p.iso_events_ab()
             << " b->a " << p.iso_events_ba());
  REQUIRE(p.iso_events_ab() > 5);
  REQUIRE(p.iso_events_ba() > 5);
  CHECK(cb.errors() == p.iso_events_ab());
  CHECK(ca.errors() == p.iso_events_ba());
  CHECK(ca.replays + cb.replays > 0);
  CHECK(ca.ack_err + cb.ack_err == 0);
  CHECK(ca.drop + cb.drop == 0);  // credits: an expected frame always fits
}

// Random errors of every kind at a high rate (K flags flipped too), bidirectional: exact
// delivery, errors counted.
template <class T>
void random_errors(unsigned period, std::uint64_t words, double rate, std::uint64_t seed) {
  PairConfig c = base_cfg<T>(period, 5);
  c.err_ab = ChannelErrors{rate, rate, rate / 2};
  c.err_ba = ChannelErrors{rate, rate, rate / 2};
  DlPair<typename T::Model> p(c, T::id, seed);
  p.a().words = words;
  p.b().words = words;
  p.b().burst_max = 2 * T::frame_words;
  p.b().gap_max = 50;
  p.run_until_done(words * 40000 / T::link_lanes + 1000000, 200);
  const DlCounters ca = p.counters_a(), cb = p.counters_b();
  const ChannelStats& sab = p.ab().stats();
  const ChannelStats& sba = p.ba().stats();
  INFO("a: " << ca.str() << "\nb: " << cb.str());
  const std::uint64_t ev_ab = sab.flagged + sab.silent + sab.dropped;
  const std::uint64_t ev_ba = sba.flagged + sba.silent + sba.dropped;
  REQUIRE(ev_ab > 20);
  REQUIRE(ev_ba > 20);
  CHECK(cb.errors() > 0);
  CHECK(ca.errors() > 0);
  // No error is made up: a counted error needs a damaged column (one event can break at most
  // two frames: a symbol turned into a start or end symbol splits one).
  CHECK(cb.errors() <= 2 * ev_ab);
  CHECK(ca.errors() <= 2 * ev_ba);
  CHECK(ca.replays + cb.replays > 0);
  CHECK(ca.drop + cb.drop == 0);
}

}  // namespace

TEST_CASE("clean traffic both ways: 16 lanes on 4 link lanes", "[link_dl]") {
  clean_traffic<T_w16l4>(40, 500, 1);
}
TEST_CASE("clean traffic both ways: 4 lanes on 2 link lanes", "[link_dl]") {
  clean_traffic<T_w4l2>(40, 1200, 2);
}
TEST_CASE("clean traffic both ways: 4 lanes on 3 link lanes (padded columns)", "[link_dl]") {
  clean_traffic<T_w4l3>(5, 6000, 3);
  clean_traffic<T_w4l3>(3, 3000, 4);  // a column every LinkLanes cycles: the fastest
}
TEST_CASE("clean traffic both ways: 8 lanes on 1 link lane", "[link_dl]") {
  clean_traffic<T_w8l1>(3, 3000, 5);
}

TEST_CASE("isolated errors are each counted once and replayed", "[link_dl]") {
  isolated_errors<T_w4l3>(5, 4000, 11);
  isolated_errors<T_w8l1>(2, 3000, 12);
  isolated_errors<T_w16l4>(8, 3000, 13);
}

TEST_CASE("random errors of every kind: exact delivery", "[link_dl]") {
  random_errors<T_w4l3>(4, 20000, 0.01, 21);
  random_errors<T_w8l1>(2, 8000, 0.003, 22);
  random_errors<T_w16l4>(8, 400, 0.004, 23);
}

TEST_CASE("sequence numbers wrap around 2^16 words", "[link_dl]") {
  PairConfig c = base_cfg<T_w4l3>(3, 3);
  c.err_ab = ChannelErrors{0.001, 0.001, 0.0005};
  DlPair<T_w4l3::Model> p(c, "wrap", 31);
  p.a().words = 70000;
  p.b().words = 100;
  p.run_until_done(10'000'000, 100);
  const DlCounters cb = p.counters_b();
  INFO("b: " << cb.str());
  CHECK(p.b().delivered == 70000);
  CHECK(cb.errors() > 0);
  CHECK(cb.drop == 0);
}

TEST_CASE("link cuts: traffic resumes after each retraining", "[link_dl]") {
  for (int k = 0; k < 2; ++k) {
    PairConfig c = base_cfg<T_w4l3>(4, 9);
    c.cut_rate = 1.0 / 15000;
    c.cut_down = 200 + 300 * k;
    c.cut_skew = 40;
    DlPair<T_w4l3::Model> p(c, "cuts", 41 + k);
    p.a().words = 15000;
    p.b().words = 9000;
    p.b().burst_max = 7;
    p.b().gap_max = 30;
    p.run_until_done(20'000'000, 100);
    INFO("a: " << p.counters_a().str() << "\nb: " << p.counters_b().str());
    CHECK(p.cuts() >= 3);
    CHECK(p.counters_a().drop + p.counters_b().drop == 0);
  }
  {
    PairConfig c = base_cfg<T_w16l4>(40, 20);
    c.cut_rate = 1.0 / 60000;
    DlPair<T_w16l4::Model> p(c, "cuts16", 43);
    p.a().words = 1200;
    p.b().words = 800;
    p.run_until_done(20'000'000, 100);
    INFO("a: " << p.counters_a().str() << "\nb: " << p.counters_b().str());
    CHECK(p.cuts() >= 2);
    CHECK(p.counters_a().drop + p.counters_b().drop == 0);
  }
}

TEST_CASE("lost acknowledgements: the replay timeout recovers", "[link_dl]") {
  // b -> a loses every column for a while: a hears no ACK, times out and replays; b sees
  // the replays as duplicates and acknowledges again once the channel is back.
  PairConfig c = base_cfg<T_w4l3>(4, 5);
  DlPair<T_w4l3::Model> p(c, "timeout", 51);
  p.a().words = 3000;
  p.run(2000);
  p.ba().set_errors(ChannelErrors{0, 0, 1.0});
  p.run(6000);
  p.ba().set_errors(ChannelErrors{});
  p.run_until_done(2'000'000, 100);
  const DlCounters ca = p.counters_a(), cb = p.counters_b();
  INFO("a: " << ca.str() << "\nb: " << cb.str());
  CHECK(ca.timeouts > 0);
  CHECK(ca.replays >= ca.timeouts);
  CHECK(cb.dup > 0);
  CHECK(p.b().delivered == 3000);
  CHECK(cb.drop == 0);
}

namespace {

// Core cycles of one longest frame on the line at the model's Osr (lpu_link_dl's FrameCycles:
// its CreditTimeout default).
template <class T>
std::uint64_t frame_cycles() {
  return std::uint64_t{max_frame_cols<T>()} * 10 * T::osr;
}

// Data words and credit requests in a clean column log (reference codec).
struct LogCount {
  std::uint64_t data_words = 0, data_frames = 0, acks = 0, requests = 0;
};
inline LogCount count_log(const std::vector<Column>& log, unsigned lanes, unsigned link_lanes) {
  std::vector<ref::Frame> f;
  const std::string err = ref::parse(log, link_lanes, f);
  if (!err.empty()) throw std::runtime_error("log does not parse: " + err);
  LogCount c;
  for (const ref::Frame& x : f) {
    if (x.start == ref::kSof) {
      c.data_words += x.payload.size() / lanes;
      ++c.data_frames;
    } else {
      ++c.acks;
      if (x.request()) ++c.requests;
    }
  }
  return c;
}

// The receiver's core takes nothing: the sender stops when the receive buffer (plus the
// output register) is full, without a drop, a timeout or a replay, asks for credit once per
// CreditTimeout, and everything arrives once the core reads again.
template <class T>
void not_draining(unsigned period, std::uint64_t seed) {
  PairConfig c = base_cfg<T>(period, 5);
  DlPair<typename T::Model> p(c, T::id, seed);
  std::vector<Column> log_ab;
  p.ab().set_log(&log_ab);
  p.a().words = 3 * T::rx_words + 5;
  p.b().hold_rx = true;
  const std::uint64_t hold = 12 * frame_cycles<T>() * period / (10 * T::osr) + 4000;
  p.run(hold);
  const DlCounters ma = p.counters_a(), mb = p.counters_b();
  const LogCount lc = count_log(log_ab, T::lanes, T::link_lanes);
  INFO(T::id << " a: " << ma.str() << "\nb: " << mb.str());
  CHECK(p.b().delivered == 0);
  CHECK(lc.data_words == T::rx_words + 1);  // the buffer and the output register, no more
  CHECK(mb.drop == 0);
  CHECK(ma.timeouts == 0);
  CHECK(ma.replays == 0);
  // While blocked, a asks for credit about once per CreditTimeout (frame_cycles).
  CHECK(lc.requests >= 2);
  CHECK(lc.requests <= hold / frame_cycles<T>() + 1);
  p.b().hold_rx = false;
  p.run_until_done(2'000'000, 100);
  const DlCounters ca = p.counters_a(), cb = p.counters_b();
  INFO("after: a: " << ca.str() << "\nb: " << cb.str());
  CHECK(p.b().delivered == p.a().words);
  CHECK(cb.drop == 0);
  CHECK(ca.timeouts == 0);
  CHECK(ca.replays == 0);
  CHECK(cb.errors() + ca.errors() == 0);
}

// Saturated traffic a -> b (and messages b -> a) while b's core reads in long stretches of
// nothing, a trickle, full speed: every word once and in order (DlPair), nothing dropped, and
// on a clean line no NAK, replay or timeout at all; with line errors, replays only for them.
template <class T>
void slow_reader(unsigned period, std::uint64_t words, std::uint64_t seed, double err) {
  PairConfig c = base_cfg<T>(period, 7);
  c.err_ab = ChannelErrors{err, err, err / 2};
  c.err_ba = ChannelErrors{err, err, err / 2};
  DlPair<typename T::Model> p(c, T::id, seed);
  p.a().words = words;
  p.b().words = words / 4;
  p.b().burst_max = T::frame_words + 2;
  p.b().gap_max = 20 * period;
  const std::uint64_t stretch = 6 * frame_cycles<T>() * period / (10 * T::osr) + 500;
  const double speeds[] = {0.0, 0.01, 1.0, 0.002, 0.3, 0.0, 0.05};
  std::uint64_t k = 0;
  while (!p.done() && k < 400) {
    const double sp = speeds[k % 7];
    p.b().hold_rx = (sp == 0.0);
    p.b().rx_ready_p = sp;
    p.run(k % 7 == 2 ? stretch / 8 : stretch);
    ++k;
  }
  p.b().hold_rx = false;
  p.b().rx_ready_p = 1.0;
  p.run_until_done(4'000'000, 200);
  const DlCounters ca = p.counters_a(), cb = p.counters_b();
  INFO(T::id << " error rate " << err << " stretches " << k << "\na: " << ca.str()
             << "\nb: " << cb.str());
  CHECK(k >= 7);  // the reader really was slow for a while
  CHECK(p.b().delivered == words);
  CHECK(p.a().delivered == words / 4);
  CHECK(ca.drop + cb.drop == 0);
  if (err == 0) {
    CHECK(ca.replays + cb.replays == 0);
    CHECK(ca.timeouts + cb.timeouts == 0);
    CHECK(ca.tx_naks + cb.tx_naks == 0);
    CHECK(ca.errors() + cb.errors() == 0);
  } else {
    CHECK(cb.errors() > 0);
    // No replay storm: every replay answers a NAK or a timeout, and a timeout needs a lost
    // frame (a counted error) somewhere.
    CHECK(ca.replays <= ca.rx_naks + ca.timeouts);
    CHECK(ca.timeouts <= ca.errors() + cb.errors());
  }
}

}  // namespace

TEST_CASE("receiver not draining: the sender waits for credit, nothing is dropped",
          "[link_dl]") {
  not_draining<T_w4l3>(4, 61);
  not_draining<T_w8l1>(3, 62);
  not_draining<T_w16l4>(40, 63);
}

TEST_CASE("slow reader with saturated traffic: every word once, no drop, no replay",
          "[link_dl]") {
  slow_reader<T_w4l3>(4, 3000, 64, 0.0);
  slow_reader<T_w8l1>(3, 1500, 65, 0.0);
  slow_reader<T_w16l4>(40, 700, 66, 0.0);
}

TEST_CASE("slow reader under line errors: credits survive corrupted and lost frames",
          "[link_dl]") {
  slow_reader<T_w4l3>(4, 4000, 67, 0.005);
  slow_reader<T_w8l1>(2, 2000, 68, 0.003);
}

TEST_CASE("lost credit updates: the credit request restores the flow", "[link_dl]") {
  // b's buffer is full and every word a sent is acknowledged (nothing outstanding: no replay
  // timer runs). b -> a then loses everything while b's core empties the buffer, so the
  // credit updates are lost; after the line is back a's credit request must restart the
  // flow within about one CreditTimeout, without a replay timeout.
  using T = T_w4l3;
  PairConfig c = base_cfg<T>(4, 5);
  DlPair<T::Model> p(c, "credit_lost", 69);
  std::vector<Column> log_ab;
  p.ab().set_log(&log_ab);
  p.a().words = 4 * T::rx_words;
  p.b().hold_rx = true;
  p.run(3000);
  REQUIRE(p.b().delivered == 0);
  p.ba().set_errors(ChannelErrors{0, 0, 1.0});
  p.b().hold_rx = false;
  p.run(400);
  const std::uint64_t got = p.b().delivered;
  CHECK(got == T::rx_words + 1);
  p.ba().set_errors(ChannelErrors{});
  const std::uint64_t t0 = p.now();
  while (p.b().delivered == got && p.now() < t0 + 100000) p.cycle();
  const std::uint64_t resume = p.now() - t0;
  p.run_until_done(1'000'000, 100);
  const DlCounters ca = p.counters_a(), cb = p.counters_b();
  const LogCount lc = count_log(log_ab, T::lanes, T::link_lanes);
  INFO("resumed after " << resume << " cycles\na: " << ca.str() << "\nb: " << cb.str());
  CHECK(resume <= frame_cycles<T>() + 200);  // CreditTimeout + a round trip
  CHECK(ca.timeouts == 0);
  CHECK(ca.replays == 0);
  CHECK(cb.drop == 0);
  CHECK(lc.requests >= 1);
  CHECK(p.b().delivered == p.a().words);
}

namespace {

// Single words and whole messages on an idle link, at every phase of the column ticks:
// each word arrives exactly when the formula of docs/link.md says.
template <class T>
void latency(unsigned period, unsigned delay, unsigned msg_words, std::uint64_t seed) {
  PairConfig c = base_cfg<T>(period, delay);
  DlPair<typename T::Model> p(c, T::id, seed);
  p.a().record_times = true;
  p.b().record_times = true;
  p.run(200);  // link-up ACKs out of the way
  unsigned checked = 0;
  for (unsigned n : {1u, msg_words}) {
    for (unsigned ph = 0; ph < period; ++ph) {
      // Start the message so that its first column is ready `ph` cycles after a tick.
      while ((p.now() + T::link_lanes + 1) % period != (period - ph) % period) p.cycle();
      const std::uint64_t first = p.a().accepted;
      p.a().words += n;
      p.run_until_done(100000 + std::uint64_t{n} * 100 * period);
      const std::uint64_t t0 = p.a().accept_cycle[first];
      for (unsigned i = 0; i < n; ++i) {
        REQUIRE(p.a().accept_cycle[first + i] == t0 + i);  // one word per cycle
        const std::uint64_t want = nominal_delivery(t0, i, n, ph, T::lanes, T::link_lanes,
                                                    T::frame_words, period, delay);
        const std::uint64_t got = p.b().deliver_cycle[first + i];
        INFO(T::id << " n=" << n << " phase wait " << ph << " word " << i << " t0 " << t0 << "\na: " << p.counters_a().str() << "\nb: " << p.counters_b().str());
        REQUIRE(got == want);
        ++checked;
      }
      p.run(3 * period * max_frame_cols<T>());  // ACKs back, link idle again
    }
  }
  CHECK(checked == period * (1 + msg_words));
  CHECK(p.counters_b().errors() == 0);
}

}  // namespace

TEST_CASE("nominal latency is fixed and matches the documented formula", "[link_dl]") {
  latency<T_w16l4>(40, 0, 70, 71);
  latency<T_w4l2>(40, 25, 130, 72);
  // Messages of at most RxWords words: the credits never hold them up (the formula is the
  // line's, for a receiver with room).
  latency<T_w4l3>(10, 3, 7, 73);
  latency<T_w8l1>(10, 1, 4, 74);
}

// ------------------------------------------------------------------------------------------
// The frame format against an independent codec written from docs/link.md (dl_ref.hpp).
// ------------------------------------------------------------------------------------------
namespace {

// Everything a transmitter sends parses as documented: data frames carry the words in order
// with the first word's sequence number, ACK frames the receiver's progress, CRCs match.
template <class T>
void tx_format(unsigned period, std::uint64_t words, std::uint64_t seed) {
  DlPair<typename T::Model> p(base_cfg<T>(period, 3), T::id, seed);
  std::vector<Column> log_ab, log_ba;
  p.ab().set_log(&log_ab);
  p.ba().set_log(&log_ba);
  p.a().words = words;
  p.a().burst_max = 2 * T::frame_words + 1;  // short frames too
  p.a().gap_max = 3 * max_frame_cols<T>() * period;
  p.a().keep_history = true;
  p.b().words = 5;
  p.run_until_done(words * 4000 / T::link_lanes + 200000, 50 * period);
  std::vector<ref::Frame> fab, fba;
  const std::string eab = ref::parse(log_ab, T::link_lanes, fab);
  const std::string eba = ref::parse(log_ba, T::link_lanes, fba);
  INFO(T::id);
  REQUIRE(eab == "");
  REQUIRE(eba == "");
  std::uint64_t next = 0;
  unsigned short_frames = 0;
  std::uint16_t last_ack_ba = 0, last_lim_ba = 0;
  for (const ref::Frame& f : fab) {
    if (f.start == ref::kSof) {
      REQUIRE(f.value == static_cast<std::uint16_t>(next));
      REQUIRE(f.payload.size() % T::lanes == 0);
      const std::size_t n = f.payload.size() / T::lanes;
      REQUIRE(n >= 1);
      REQUIRE(n <= T::frame_words);
      if (n < T::frame_words) ++short_frames;
      for (std::size_t w = 0; w < n; ++w) {
        const std::vector<std::uint8_t> want = p.a().history.at(next + w);
        REQUIRE(std::vector<std::uint8_t>(f.payload.begin() + w * T::lanes,
                                          f.payload.begin() + (w + 1) * T::lanes) == want);
      }
      next += n;
    } else {
      REQUIRE(f.start == ref::kAck);  // no errors: no NAK
      REQUIRE(f.payload.size() == 2);  // the credit field
      REQUIRE(f.credit() <= T::rx_words);
    }
  }
  for (const ref::Frame& f : fba) {
    if (f.start == ref::kAck) {
      REQUIRE(f.payload.size() == 2);  // the credit field
      REQUIRE(f.credit() <= T::rx_words);
      REQUIRE(static_cast<std::uint16_t>(f.value - last_ack_ba) <= words);  // never backwards
      REQUIRE(static_cast<std::uint16_t>(f.limit() - last_lim_ba) <= words + T::rx_words);
      last_ack_ba = f.value;
      last_lim_ba = f.limit();
    } else {
      REQUIRE(f.start == ref::kSof);
    }
  }
  CHECK(next == words);
  CHECK(last_ack_ba == static_cast<std::uint16_t>(words));  // everything acknowledged
  // b's core has read everything: the last ACK grants the whole buffer again.
  CHECK(last_lim_ba == static_cast<std::uint16_t>(words + T::rx_words));
  CHECK(short_frames > 0);
}

// One model fed with frames built by the reference codec; its transmitter's answers parsed.
template <class T>
class Solo {
 public:
  Solo(unsigned period, std::uint64_t seed) : h_(std::string("solo.") + T::id, seed),
                                               period_(period) {
    auto& d = h_.dut();
    d.link_up_i = 1;
    d.tx_valid_i = 0;
    d.rx_ready_i = 1;
    rng_.seed(seed);
    d.col_tx_take_i = 0;
    d.col_rx_valid_i = 0;
    h_.reset();
  }

  void feed(const std::vector<ref::Symbol>& s) {
    for (const Column& c : ref::columns(s, T::link_lanes)) rx_.push_back(c);
    run(40 * period_ + 8 * period_ * static_cast<unsigned>(s.size()) / T::link_lanes);
  }

  // Words for the model's transmitter (written one per cycle as it takes them).
  void push_words(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      std::vector<std::uint8_t> w(T::lanes);
      for (auto& b : w) b = static_cast<std::uint8_t>(rng_());
      tx_q_.push_back(w);
    }
  }

  // Runs at least `cycles`, then until no frame is in progress (the transmitter has offered
  // no column for three column periods), so that its log ends with whole frames.
  void run_idle(unsigned cycles) {
    run(cycles);
    unsigned quiet = 0;
    for (unsigned i = 0; i < 100000 && quiet < 3 * period_; ++i) {
      quiet = h_.dut().col_tx_valid_o ? 0 : quiet + 1;
      run(1);
    }
  }

  void run(unsigned cycles) {
    auto& d = h_.dut();
    for (unsigned i = 0; i < cycles; ++i, ++now_) {
      // tx_free_o: the free retry-buffer entries of the current state; tx_ready_o is "> 0".
      if ((d.tx_free_o != 0) != (d.tx_ready_o != 0) || d.tx_free_o > T::retry_words) {
        ++free_errors;
      }
      d.tx_valid_i = tx_q_.empty() ? 0 : 1;
      if (!tx_q_.empty()) {
        for (unsigned b = 0; b < T::lanes; ++b) vl_set(d.tx_word_i, 8 * b, 8, tx_q_.front()[b]);
      }
      if (d.tx_valid_i && d.tx_ready_o) {
        written.push_back(tx_q_.front());
        tx_q_.pop_front();
      }
      d.col_tx_take_i = 0;
      if (now_ % period_ == 0 && d.col_tx_valid_o) {
        d.col_tx_take_i = 1;
        Column c;
        c.data.resize(T::link_lanes);
        for (unsigned l = 0; l < T::link_lanes; ++l) {
          c.data[l] = static_cast<std::uint8_t>(vl_get(d.col_tx_data_o, 8 * l, 8));
        }
        c.k = static_cast<std::uint8_t>(d.col_tx_k_o);
        tx_log.push_back(c);
      }
      d.col_rx_valid_i = 0;
      if (now_ % period_ == period_ / 2 && !rx_.empty()) {
        const Column& c = rx_.front();
        d.col_rx_valid_i = 1;
        for (unsigned l = 0; l < T::link_lanes; ++l) vl_set(d.col_rx_data_i, 8 * l, 8, c.data[l]);
        d.col_rx_k_i = c.k;
        d.col_rx_err_i = 0;
        rx_.pop_front();
      }
      if (d.rx_valid_o && d.rx_ready_i) {
        std::vector<std::uint8_t> w(T::lanes);
        for (unsigned b = 0; b < T::lanes; ++b) {
          w[b] = static_cast<std::uint8_t>(vl_get(d.rx_word_o, 8 * b, 8));
        }
        delivered.push_back(w);
      }
      h_.step();
    }
  }

  DlCounters counters() { return DlPair<typename T::Model>::counters(h_.dut()); }

  std::uint64_t now() const { return now_; }
  unsigned tx_free() { return h_.dut().tx_free_o; }
  std::uint64_t free_errors = 0;  // cycles where tx_free_o and tx_ready_o disagree

  std::vector<Column> tx_log;
  std::vector<std::vector<std::uint8_t>> delivered;
  std::vector<std::vector<std::uint8_t>> written;  // accepted by the model's transmitter

 private:
  Harness<typename T::Model> h_;
  unsigned period_;
  std::uint64_t now_ = 0;
  std::deque<Column> rx_;
  std::deque<std::vector<std::uint8_t>> tx_q_;
  std::mt19937_64 rng_;
};

template <class T>
void rx_format(std::uint64_t seed) {
  Solo<T> s(8, seed);
  std::mt19937_64 rng(seed);
  auto words = [&](unsigned n) {
    std::vector<std::uint8_t> w(n * T::lanes);
    for (auto& b : w) b = static_cast<std::uint8_t>(rng());
    return w;
  };
  auto word_at = [&](const std::vector<std::uint8_t>& p, unsigned i) {
    return std::vector<std::uint8_t>(p.begin() + i * T::lanes, p.begin() + (i + 1) * T::lanes);
  };
  s.run(100);
  INFO(T::id);

  // 1. seq 0, two words: delivered.
  const auto w01 = words(2);
  s.feed(ref::frame(ref::kSof, 0, w01));
  REQUIRE(s.delivered.size() == 2);
  CHECK(s.delivered[0] == word_at(w01, 0));
  CHECK(s.delivered[1] == word_at(w01, 1));
  CHECK(s.counters().rx_frames == 1);
  // 2. seq 2 with a corrupted CRC byte: a CRC error, nothing delivered.
  const auto w2 = words(1);
  auto bad = ref::frame(ref::kSof, 2, w2);
  bad[bad.size() - 3].v ^= 0x10;
  s.feed(bad);
  CHECK(s.counters().crc_err == 1);
  // 3. seq 5 (ahead: words 2..4 missing): a sequence error.
  s.feed(ref::frame(ref::kSof, 5, words(1)));
  CHECK(s.counters().seq_err == 1);
  // 4. seq 0 again: a duplicate.
  s.feed(ref::frame(ref::kSof, 0, w01));
  CHECK(s.counters().dup == 1);
  // 5. seq 2: delivered.
  s.feed(ref::frame(ref::kSof, 2, w2));
  REQUIRE(s.delivered.size() == 3);
  CHECK(s.delivered[2] == w2);
  // 6. a payload that is not a whole number of words (good CRC): a frame error.
  auto odd = words(1);
  odd.push_back(0x5A);
  s.feed(ref::frame(ref::kSof, 3, odd));
  CHECK(s.counters().frame_err == 1);
  // 7. ACK frames: for word 0 (nothing sent, fine) and for word 7 (never sent: ack_err);
  // an ACK frame without its credit field is a framing error.
  s.feed(ref::ctrl(ref::kAck, 0, 5, false));
  CHECK(s.counters().ack_err == 0);
  s.feed(ref::ctrl(ref::kAck, 7, 5, false));
  CHECK(s.counters().ack_err == 1);
  s.feed(ref::frame(ref::kAck, 0, {}));
  CHECK(s.counters().frame_err == 2);
  // 8. a data frame whose CRC was computed for an ACK start symbol: the kind is covered.
  auto kind = ref::frame(ref::kAck, 3, words(1));
  kind[0].v = ref::kSof;
  s.feed(kind);
  CHECK(s.counters().crc_err == 2);
  // 9. FrameWords + 1 words: too long, a frame error.
  s.feed(ref::frame(ref::kSof, 3, words(T::frame_words + 1)));
  CHECK(s.counters().frame_err == 3);
  // 10. seq 3, FrameWords words: delivered.
  const auto w3 = words(T::frame_words);
  s.feed(ref::frame(ref::kSof, 3, w3));
  REQUIRE(s.delivered.size() == 3 + T::frame_words);
  for (unsigned i = 0; i < T::frame_words; ++i) CHECK(s.delivered[3 + i] == word_at(w3, i));
  s.run(400);
  const DlCounters c = s.counters();
  INFO(c.str());
  CHECK(c.rx_frames == 3);
  CHECK(c.crc_err == 2);
  CHECK(c.frame_err == 3);
  CHECK(c.seq_err == 1);
  CHECK(c.dup == 1);
  CHECK(c.drop == 0);

  // Its answers: well-formed ACK/NAK frames only (it had no data to send); one NAK per error
  // episode (after 2: expecting word 2; after 6: expecting word 3); the last says 3 + FW.
  std::vector<ref::Frame> f;
  REQUIRE(ref::parse(s.tx_log, T::link_lanes, f) == "");
  std::vector<unsigned> naks;
  for (const ref::Frame& x : f) {
    REQUIRE(x.start != ref::kSof);
    REQUIRE(x.payload.size() == 2);  // the credit field
    CHECK(x.credit() <= T::rx_words);
    CHECK(!x.request());             // it had nothing to send
    if (x.start == ref::kNak) naks.push_back(x.value);
  }
  CHECK(naks == std::vector<unsigned>{2, 3});
  REQUIRE(!f.empty());
  CHECK(f.back().value == 3 + T::frame_words);
  CHECK(f.back().credit() == T::rx_words);  // everything read: the whole buffer is free
  CHECK(c.tx_naks == 2);

  // A credit request is answered with an ACK carrying the current credit.
  const std::size_t before = s.tx_log.size();
  s.feed(ref::ctrl(ref::kAck, 0, 0, true));
  std::vector<ref::Frame> g;
  const std::vector<Column> tail(s.tx_log.begin() + before, s.tx_log.end());
  REQUIRE(ref::parse(tail, T::link_lanes, g) == "");
  REQUIRE(g.size() == 1);
  CHECK(g[0].start == ref::kAck);
  CHECK(g[0].value == 3 + T::frame_words);
  CHECK(g[0].credit() == T::rx_words);
}

// The transmitter sends only words before the credit limit of the latest ACK, asks for
// credit (request bit) while it waits, and never takes a limit back.
template <class T>
void tx_credit(std::uint64_t seed) {
  Solo<T> s(8, seed);
  const unsigned ct = static_cast<unsigned>(frame_cycles<T>());  // its CreditTimeout
  const unsigned ft = 3 * max_frame_cols<T>() * 8 + 100;        // three frames on this line
  INFO(T::id);
  // The log so far: every data frame's words are the words written at its sequence numbers
  // (replays after a timeout included); returns the highest word sent + 1 and the requests.
  auto parse_all = [&](LogCount& lc, std::uint64_t& highest) {
    std::vector<ref::Frame> f;
    REQUIRE(ref::parse(s.tx_log, T::link_lanes, f) == "");
    lc = LogCount{};
    highest = 0;
    for (const ref::Frame& x : f) {
      if (x.start == ref::kSof) {
        const std::size_t n = x.payload.size() / T::lanes;
        for (std::size_t w = 0; w < n; ++w) {
          REQUIRE(std::vector<std::uint8_t>(x.payload.begin() + w * T::lanes,
                                            x.payload.begin() + (w + 1) * T::lanes) ==
                  s.written.at(x.value + w));
        }
        highest = std::max<std::uint64_t>(highest, x.value + n);
        lc.data_words += n;
        ++lc.data_frames;
      } else {
        ++lc.acks;
        if (x.request()) ++lc.requests;
      }
    }
  };
  const unsigned rx = T::rx_words;
  s.push_words(rx + 40);
  LogCount lc;
  std::uint64_t last = 0;
  // After reset the partner's whole buffer (RxWords, the same configuration) is credited.
  s.run_idle((rx / T::frame_words + 2) * ft);
  parse_all(lc, last);
  CHECK(last == rx);
  // Nothing acknowledged yet: the retry buffer holds every word written.
  CHECK(s.written.size() == std::min<std::size_t>(rx + 40, T::retry_words));
  CHECK(s.tx_free() == T::retry_words - s.written.size());
  // Everything acknowledged, no more room (limit rx): the next words wait, and a credit
  // request goes out once per CreditTimeout.
  const std::uint64_t req0 = lc.requests, t0 = s.now();
  s.feed(ref::ctrl(ref::kAck, static_cast<std::uint16_t>(rx), 0, false));
  s.run_idle(3 * ct + ct / 2);
  parse_all(lc, last);
  CHECK(last == rx);
  const std::uint64_t window = s.now() - t0;
  CHECK(s.tx_free() == T::retry_words - (s.written.size() - rx));  // words rx.. unacknowledged
  CHECK(lc.requests - req0 >= window / ct - 1);
  CHECK(lc.requests - req0 <= window / ct + 1);
  // Room for 2 words.
  s.feed(ref::ctrl(ref::kAck, static_cast<std::uint16_t>(rx), 2, false));
  s.run_idle(ft);
  parse_all(lc, last);
  CHECK(last == rx + 2);
  // Those acknowledged and room for 5 more: limit rx + 7.
  s.feed(ref::ctrl(ref::kAck, static_cast<std::uint16_t>(rx + 2), 5, false));
  s.run_idle(ft);
  parse_all(lc, last);
  CHECK(last == rx + 7);
  // A smaller limit (rx + 3) is not a reason to send less, nor more.
  s.feed(ref::ctrl(ref::kNak, static_cast<std::uint16_t>(rx + 2), 1, false));  // replay
  s.run_idle(ft);
  s.feed(ref::ctrl(ref::kAck, static_cast<std::uint16_t>(rx + 7), 0, false));
  s.run_idle(ft);
  parse_all(lc, last);
  CHECK(last == rx + 7);
  // Limit rx + 37 (or less when the retry buffer, holding words rx + 7 on, is smaller).
  s.feed(ref::ctrl(ref::kAck, static_cast<std::uint16_t>(rx + 7), 30, false));
  s.run_idle((30 / T::frame_words + 2) * ft);
  parse_all(lc, last);
  CHECK(last == std::min<std::uint64_t>(rx + 37, rx + 7 + T::retry_words));
  CHECK(s.tx_free() == T::retry_words - (s.written.size() - (rx + 7)));
  CHECK(s.free_errors == 0);
  CHECK(s.counters().drop == 0);
}

}  // namespace

TEST_CASE("the transmitter's frames follow the documented format", "[link_dl]") {
  tx_format<T_w4l3>(4, 800, 81);
  tx_format<T_w16l4>(40, 150, 82);
  tx_format<T_w8l1>(2, 300, 83);
}

TEST_CASE("the receiver accepts exactly the frames the documented format allows", "[link_dl]") {
  rx_format<T_w4l3>(91);
  rx_format<T_w16l4>(92);
  rx_format<T_w8l1>(93);
}

TEST_CASE("the transmitter sends only what the partner's credits allow", "[link_dl]") {
  tx_credit<T_w4l3>(94);
  tx_credit<T_w16l4>(95);
  tx_credit<T_w8l1>(96);
}
