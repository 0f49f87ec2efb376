// lpu_uart_tx / lpu_uart_rx (docs/host-if.md "UART") at the dividers of the boards and the
// limits: 2 clocks per bit with both-edge sampling, 3, 4, 8, 17, 33.
//
// References are plain C++: the ideal 8N1 waveform of the transmitted bytes, and a sender
// whose bit edges fall at exact (sub-cycle) times, at a rate off by up to +-1.5 %, with idle
// gaps, bad stop bits, breaks and glitches, whose expected receive events are written down
// as the waveform is built.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Vhost_if_uart.h"
#include "Vuart_17.h"
#include "Vuart_2ddr.h"
#include "Vuart_33.h"
#include "Vuart_4.h"
#include "Vuart_8.h"
#include "sim_harness.hpp"

namespace {

constexpr std::int64_t kTicksPerCycle = 2000;  // rising edge at 2000 c, falling at 2000 c + 1000

// A received event: a byte, or a framing error (-1).
using Events = std::vector<int>;

std::string show(const Events& e) {
  std::ostringstream os;
  for (std::size_t i = 0; i < e.size() && i < 40; ++i) os << (i ? " " : "") << e[i];
  if (e.size() > 40) os << " ...";
  return os.str();
}

// A line waveform: level changes at tick times, high before the first.
struct Wave {
  std::vector<std::pair<std::int64_t, bool>> changes;
  std::int64_t end = 0;
  std::size_t pos = 0;
  bool level = true;

  void set(std::int64_t t, bool v) {
    changes.emplace_back(t, v);
    end = t;
  }
  // Level at time t; calls must come in increasing t.
  bool at(std::int64_t t) {
    while (pos < changes.size() && changes[pos].first <= t) level = changes[pos++].second;
    return level;
  }
};

template <class V>
class UartBench {
 public:
  UartBench(const std::string& name, unsigned clks_per_bit, bool ddr)
      : h_(name), c_(clks_per_bit), ddr_(ddr) {
    h_.dut().rx_i = 1;
    h_.dut().tx_valid_i = 0;
    h_.reset();
  }

  // One clock cycle; rx_i is rx_pos at the rising edge and rx_neg at the falling edge.
  void cycle(bool rx_pos, bool rx_neg) {
    auto& m = h_.dut();
    m.rx_i = rx_pos;
    m.clk_i = 1;
    h_.eval();
    m.rx_i = rx_neg;
    m.clk_i = 0;
    h_.eval();
    ++cyc_;
    if (m.rx_valid_o) got_.push_back(m.rx_data_o);
    if (m.rx_ferr_o) got_.push_back(-1);
    if (m.rx_valid_o && m.rx_ferr_o) fail("rx_valid_o and rx_ferr_o together");
  }

  std::uint64_t seed() const { return h_.seed(); }

  [[noreturn]] void fail(const std::string& what) {
    h_.fail("C=" + std::to_string(c_) + (ddr_ ? " ddr" : "") + " cycle " + std::to_string(cyc_) +
            ": " + what);
  }

  // Transmitter into receiver: bytes fed continuously leave back to back with the exact 8N1
  // waveform and come back unchanged.
  void loopback(std::mt19937_64& rng, unsigned n) {
    auto& m = h_.dut();
    std::vector<std::uint8_t> bytes(n);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    std::vector<bool> line;  // tx_o during every cycle from the first start bit
    std::size_t next = 0;
    bool started = false;
    const std::uint64_t limit = (n + 4ull) * 10 * c_ + 100;
    for (std::uint64_t k = 0; k < limit; ++k) {
      m.tx_valid_i = next < n;
      m.tx_data_i = next < n ? bytes[next] : 0;
      const bool take = m.tx_valid_i && m.tx_ready_o;  // ready is registered
      const bool before = m.tx_o;
      m.rx_i = before;
      m.clk_i = 1;
      h_.eval();
      const bool after = m.tx_o;
      m.rx_i = after;  // the line changed at this rising edge
      m.clk_i = 0;
      h_.eval();
      ++cyc_;
      if (take) ++next;
      if (m.rx_valid_o) got_.push_back(m.rx_data_o);
      if (m.rx_ferr_o) got_.push_back(-1);
      if (!after) started = true;
      if (started) line.push_back(after);
    }
    // Ideal waveform: byte j bit b (0 start, 1..8 data LSB first, 9 stop) for c_ cycles.
    for (std::size_t t = 0; t < line.size(); ++t) {
      const std::size_t bit = t / c_;
      bool want = true;
      if (bit < 10ull * n) {
        const std::size_t j = bit / 10, b = bit % 10;
        want = b == 0 ? false : b == 9 ? true : ((bytes[j] >> (b - 1)) & 1u) != 0;
      }
      if (line[t] != want) {
        INFO("C=" << c_ << ": tx_o at cycle " << t << " of the burst (byte " << bit / 10 << " bit "
                  << bit % 10 << ")");
        REQUIRE(line[t] == want);
      }
    }
    REQUIRE(line.size() >= 10ull * n * c_);
    expect(Events(bytes.begin(), bytes.end()), "loopback");
    CHECK_FALSE(m.tx_busy_o);
    CHECK_FALSE(m.rx_busy_o);
  }

  // An external sender at rate (1 + err) x the nominal, with random gaps, bad stop bits,
  // breaks and glitches.
  void sender(std::mt19937_64& rng, unsigned frames, double err) {
    const std::int64_t bit =
        static_cast<std::int64_t>(static_cast<double>(c_ * kTicksPerCycle) * (1.0 + err) + 0.5);
    const std::int64_t sample = kTicksPerCycle / (ddr_ ? 2 : 1);  // one sample period
    Wave w;
    Events want;
    std::int64_t t = 3 * kTicksPerCycle + static_cast<std::int64_t>(rng() % kTicksPerCycle);
    auto frame = [&](std::uint8_t v, bool stop) {
      w.set(t, false);
      for (int b = 0; b < 8; ++b) w.set(t + (b + 1) * bit, ((v >> b) & 1u) != 0);
      w.set(t + 9 * bit, stop);
      t += 10 * bit;
      if (!stop) {  // the line returns high after a bad stop bit
        w.set(t, true);
        t += bit;
      }
    };
    for (unsigned i = 0; i < frames; ++i) {
      const unsigned kind = static_cast<unsigned>(rng() % 20);
      const auto v = static_cast<std::uint8_t>(rng());
      if (kind == 0) {  // bad stop bit
        frame(v, false);
        want.push_back(-1);
      } else if (kind == 1) {  // break: low for 12..30 bit times
        w.set(t, false);
        t += bit * static_cast<std::int64_t>(12 + rng() % 19);
        w.set(t, true);
        t += bit;
        want.push_back(-1);
      } else if (kind == 2) {  // glitch shorter than one sample: never a byte
        w.set(t, false);
        t += sample / 2;
        w.set(t, true);
        t += 2 * bit;
      } else {
        frame(v, true);
        want.push_back(v);
      }
      // Idle gap: none (back to back) or up to 3 bit times.
      if (rng() % 2) t += static_cast<std::int64_t>(rng() % (3 * static_cast<std::uint64_t>(bit)));
    }
    w.set(t, true);
    const std::int64_t stop_cycle = t / kTicksPerCycle + 4 * c_ + 10;
    for (std::int64_t c = 0; c < stop_cycle; ++c) {
      const bool pos = w.at(c * kTicksPerCycle);
      const bool neg = w.at(c * kTicksPerCycle + kTicksPerCycle / 2);
      cycle(pos, neg);
    }
    std::ostringstream os;
    os << "sender at rate error " << err * 100 << " %";
    expect(want, os.str());
  }

 private:
  void expect(const Events& want, const std::string& what) {
    INFO("C=" << c_ << (ddr_ ? " ddr" : "") << " " << what << ": expected [" << show(want)
              << "], got [" << show(got_) << "] (seed " << h_.seed() << ")");
    REQUIRE(got_ == want);
    got_.clear();
  }

  lpu::verif::Harness<V> h_;
  unsigned c_;
  bool ddr_;
  std::uint64_t cyc_ = 0;
  Events got_;
};

template <class V>
void run_all(const std::string& name, unsigned c, bool ddr) {
  UartBench<V> b(name, c, ddr);
  std::mt19937_64 rng(b.seed() * 1000003u + c * 7 + ddr);
  b.loopback(rng, c >= 17 ? 120 : 400);
  for (double err : {0.0, 0.015, -0.015, 0.007, -0.007, 0.02, -0.02}) b.sender(rng, c >= 17 ? 150 : 600, err);
}

}  // namespace

TEST_CASE("uart: 2 clocks per bit with both-edge sampling (iCEBreaker 12 Mbaud at 24 MHz)") {
  run_all<Vuart_2ddr>("uart_2ddr", 2, true);
}
TEST_CASE("uart: 3 clocks per bit (the single-edge minimum)") {
  run_all<Vhost_if_uart>("uart_3", 3, false);
}
TEST_CASE("uart: 4 clocks per bit") { run_all<Vuart_4>("uart_4", 4, false); }
TEST_CASE("uart: 8 clocks per bit (tiny at 3 Mbaud)") { run_all<Vuart_8>("uart_8", 8, false); }
TEST_CASE("uart: 17 clocks per bit") { run_all<Vuart_17>("uart_17", 17, false); }
TEST_CASE("uart: 33 clocks per bit (base at 3 Mbaud)") { run_all<Vuart_33>("uart_33", 33, false); }
