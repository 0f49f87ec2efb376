// TopSim: the host end of lpu_top's byte paths around any model of it (top_sim.hpp). The
// built-in models of the sim device are in top_sim_models.cpp.
#include "top_sim.hpp"

#include <cmath>
#include <string>

#include "lpu/error.hpp"

namespace lpu::sim {

TopSim::TopSim(std::unique_ptr<TopPins> pins, TopParams p) : pins_(std::move(pins)), p_(p) {
  if (!p_.cfg || p_.clk_hz == 0 || p_.baud == 0) throw Error("TopSim: incomplete parameters");
  set_line_skew(0.0, 0.0);
  reset();
}

TopSim::~TopSim() = default;

unsigned TopSim::clks_per_bit() const { return (p_.clk_hz + p_.baud / 2) / p_.baud; }

void TopSim::reset() {
  pins_->reset();
  out_ = pins_->out();
  tx_.clear();
  rx_.clear();
  flush_ = false;
  link_rx_ = 0;
  hs_active_ = false;
  hs_end_cycle_ = 0;
  hr_active_ = false;
  hr_last_ = true;
  cycle_ = 0;
}

void TopSim::set_uart(bool on) { uart_ = on; }

void TopSim::set_line_skew(double ppm, double phase) {
  const double eff = static_cast<double>(p_.baud) * (1.0 + ppm * 1e-6);
  baud_num_ = static_cast<std::uint64_t>(std::llround(eff));
  bit_den_ = 2ull * p_.clk_hz;
  phase_units_ = static_cast<std::uint64_t>(std::llround(phase * 2.0 * static_cast<double>(baud_num_)));
}

void TopSim::send(const std::uint8_t* data, std::size_t n) { tx_.insert(tx_.end(), data, data + n); }

std::size_t TopSim::pending() const { return tx_.size() + (hs_active_ ? 1u : 0u); }

bool TopSim::idle() const {
  // UART: the receiver's synchroniser holds the line's last few samples for 2 cycles after
  // the sender's stop bit has ended.
  const bool line_quiet = !uart_ || cycle_ >= hs_end_cycle_ + 3;
  return out_.idle && tx_.empty() && !hs_active_ && line_quiet && !hr_active_ && !flush_;
}

bool TopSim::host_line(std::uint64_t half) {
  const std::uint64_t now = half * baud_num_;
  for (;;) {
    if (!hs_active_) {
      if (tx_.empty()) return true;
      hs_active_ = true;
      hs_byte_ = tx_.front();
      tx_.pop_front();
      // From an idle line the start bit begins `phase` after this half cycle's edge.
      hs_start_ = now + phase_units_;
    }
    if (now < hs_start_) return true;
    const std::uint64_t bit = (now - hs_start_) / bit_den_;
    if (bit < 10) {
      if (bit == 0) return false;
      if (bit == 9) return true;
      return ((hs_byte_ >> (bit - 1)) & 1u) != 0;
    }
    // This byte is over: the next one follows back to back, or the line idles.
    const std::uint64_t next = hs_start_ + 10 * bit_den_;
    hs_active_ = false;
    if (tx_.empty()) return true;
    hs_active_ = true;
    hs_byte_ = tx_.front();
    tx_.pop_front();
    hs_start_ = next;
  }
}

void TopSim::host_receive(bool level) {
  // `level` is uart_tx_o during cycle cycle_ (it changes only at rising edges). Bit k is
  // sampled in the cycle that contains t0 + (k + 0.5) / baud.
  if (!hr_active_) {
    if (hr_last_ && !level) {
      hr_active_ = true;
      hr_t0_ = cycle_;
      hr_bit_ = 0;
      hr_shift_ = 0;
    }
    hr_last_ = level;
    return;
  }
  hr_last_ = level;
  const std::uint64_t two_baud = 2ull * p_.baud;
  const std::uint64_t t2 = hr_t0_ * two_baud + (2ull * hr_bit_ + 1) * p_.clk_hz;
  if (cycle_ != t2 / two_baud) return;
  if (hr_bit_ == 0) {
    if (level) hr_active_ = false;  // glitch: not a start bit
  } else if (hr_bit_ <= 8) {
    hr_shift_ = static_cast<std::uint8_t>((hr_shift_ >> 1) | (level ? 0x80 : 0));
  } else {
    hr_active_ = false;
    if (level) {
      rx_.push_back(hr_shift_);
    } else {
      ++host_ferr_;
    }
  }
  ++hr_bit_;
}

void TopSim::step(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) {
    TopIn in;
    bool rx_fire = false, tx_fire = false;
    std::uint8_t tx_byte = 0;
    if (uart_) {
      in.sd_en = false;
      in.rx_pos = host_line(2 * cycle_);
      in.rx_neg = host_line(2 * cycle_ + 1);
    } else {
      in.sd_en = true;
      in.sd_rx_valid = !tx_.empty();
      in.sd_rx_data = in.sd_rx_valid ? tx_.front() : 0;
      in.sd_tx_ready = true;
      // Handshakes complete at this rising edge; ready and valid depend on state only.
      rx_fire = in.sd_rx_valid && out_.sd_rx_ready;
      tx_fire = out_.sd_tx_valid;
      tx_byte = out_.sd_tx_data;
    }
    in.flush = flush_;
    flush_ = false;
    in.link_rx = link_rx_;
    if (monitor_) {
      const PortProbe pr = pins_->probe();
      if ((pr.req && pr.we) || pr.core_rst) monitor_(pr);
    }
    pins_->tick(in);
    out_ = pins_->out();
    if (uart_ && hs_active_) hs_end_cycle_ = cycle_ + 1;
    if (rx_fire) tx_.pop_front();
    if (tx_fire) rx_.push_back(tx_byte);
    ++cycle_;
    if (uart_) host_receive(out_.uart_tx);
  }
}

bool TopSim::run_until_idle(std::uint64_t max_cycles) {
  for (std::uint64_t i = 0; i < max_cycles; ++i) {
    if (idle()) return true;
    step();
  }
  return idle();
}

}  // namespace lpu::sim
