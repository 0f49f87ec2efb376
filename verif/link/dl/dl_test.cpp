// lpu_link_dl quick tests (docs/link.md "Data link layer"): two instances joined by the
// symbol-level channel. The reference is the list of words each side's core pushed: every
// one must come out of the other side exactly once, in order and bit-exact (DlPair checks
// each delivered word); the counters are checked against what the channel did.
#include "dl_models.hpp"
#include "dl_pair.hpp"

#include <catch2/catch.hpp>

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
  // cycles), so its frames are full but the last, when the retry buffer frees whole frames.
  if (T::retry_words % T::frame_words == 0) {
    CHECK(ca.tx_frames == (words + T::frame_words - 1) / T::frame_words);
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
}

TEST_CASE("receiver not draining: frames dropped, then delivered", "[link_dl]") {
  PairConfig c = base_cfg<T_w4l3>(4, 5);
  DlPair<T_w4l3::Model> p(c, "full", 61);
  p.a().words = 500;
  p.b().hold_rx = true;
  p.run(20000);
  const DlCounters mid = p.counters_b();
  INFO("b: " << mid.str());
  CHECK(p.b().delivered == 0);
  CHECK(mid.drop > 0);
  CHECK(mid.rx_frames * T_w4l3::frame_words <= T_w4l3::rx_words);  // what fits, no more
  p.b().hold_rx = false;
  p.run_until_done(2'000'000, 100);
  CHECK(p.b().delivered == 500);
  CHECK(p.counters_a().timeouts > 0);
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
        INFO(T::id << " n=" << n << " phase wait " << ph << " word " << i);
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
  latency<T_w4l3>(10, 3, 9, 73);
  latency<T_w8l1>(10, 1, 7, 74);
}

// ------------------------------------------------------------------------------------------
// The frame format against an independent codec written from docs/link.md (dl_ref.hpp).
// ------------------------------------------------------------------------------------------
#include "dl_ref.hpp"

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
  std::uint16_t last_ack_ba = 0;
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
      REQUIRE(f.payload.empty());
    }
  }
  for (const ref::Frame& f : fba) {
    if (f.start == ref::kAck) {
      REQUIRE(f.payload.empty());
      REQUIRE(static_cast<std::uint16_t>(f.value - last_ack_ba) <= words);  // never backwards
      last_ack_ba = f.value;
    } else {
      REQUIRE(f.start == ref::kSof);
    }
  }
  CHECK(next == words);
  CHECK(last_ack_ba == static_cast<std::uint16_t>(words));  // everything acknowledged
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
    d.col_tx_take_i = 0;
    d.col_rx_valid_i = 0;
    h_.reset();
  }

  void feed(const std::vector<ref::Symbol>& s) {
    for (const Column& c : ref::columns(s, T::link_lanes)) rx_.push_back(c);
    run(40 * period_ + 8 * period_ * static_cast<unsigned>(s.size()) / T::link_lanes);
  }

  void run(unsigned cycles) {
    auto& d = h_.dut();
    for (unsigned i = 0; i < cycles; ++i, ++now_) {
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

  std::vector<Column> tx_log;
  std::vector<std::vector<std::uint8_t>> delivered;

 private:
  Harness<typename T::Model> h_;
  unsigned period_;
  std::uint64_t now_ = 0;
  std::deque<Column> rx_;
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
  // 7. ACK frames: for word 0 (nothing sent, fine) and for word 7 (never sent: ack_err).
  s.feed(ref::frame(ref::kAck, 0, {}));
  CHECK(s.counters().ack_err == 0);
  s.feed(ref::frame(ref::kAck, 7, {}));
  CHECK(s.counters().ack_err == 1);
  // 8. a data frame whose CRC was computed for an ACK start symbol: the kind is covered.
  auto kind = ref::frame(ref::kAck, 3, words(1));
  kind[0].v = ref::kSof;
  s.feed(kind);
  CHECK(s.counters().crc_err == 2);
  // 9. FrameWords + 1 words: too long, a frame error.
  s.feed(ref::frame(ref::kSof, 3, words(T::frame_words + 1)));
  CHECK(s.counters().frame_err == 2);
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
  CHECK(c.frame_err == 2);
  CHECK(c.seq_err == 1);
  CHECK(c.dup == 1);

  // Its answers: well-formed ACK/NAK frames only (it had no data to send); one NAK per error
  // episode (after 2: expecting word 2; after 6: expecting word 3); the last says 3 + FW.
  std::vector<ref::Frame> f;
  REQUIRE(ref::parse(s.tx_log, T::link_lanes, f) == "");
  std::vector<unsigned> naks;
  for (const ref::Frame& x : f) {
    REQUIRE(x.start != ref::kSof);
    REQUIRE(x.payload.empty());
    if (x.start == ref::kNak) naks.push_back(x.value);
  }
  CHECK(naks == std::vector<unsigned>{2, 3});
  REQUIRE(!f.empty());
  CHECK(f.back().value == 3 + T::frame_words);
  CHECK(c.tx_naks == 2);
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
