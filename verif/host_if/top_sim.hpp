// lpu_top (docs/host-if.md) as a C++ object: a Verilator model of the whole chip and the host
// end of its two byte paths.
//
//   side door (default): request bytes go into the frame parser one per cycle (valid/ready),
//                        response bytes come out one per cycle; no UART in the way.
//   UART (set_uart(true)): the host's bytes are serialised onto uart_rx_i at the line rate
//                        (back to back, 8N1, bit edges at their exact times, so also between
//                        clock edges when the receiver samples on both edges) and uart_tx_o is
//                        deserialised by a receiver that samples mid-bit at the line rate.
//
// Time is the model's clock: step() advances it; nothing happens between calls. The owner
// of a TopSim (a test, the `sim` transport) decides when to clock it.
//
// Ownership: TopSim owns its TopPins (and with it the Verilator context and model).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "lpu/config.hpp"

namespace lpu::sim {

// Inputs of lpu_top for one clock cycle.
struct TopIn {
  bool rx_pos = true;  // uart_rx_i at the rising edge
  bool rx_neg = true;  // uart_rx_i at the falling edge (matters with Ddr)
  bool sd_en = true;
  bool sd_rx_valid = false;
  std::uint8_t sd_rx_data = 0;
  bool sd_tx_ready = true;
  bool flush = false;
  // Chip-to-chip link pins (link_rx_i, docs/link.md: link k, lane l is bit k*LinkLanes + l),
  // applied before the rising edge. Models without link pins ignore them.
  std::uint32_t link_rx = 0;
};

// Outputs of lpu_top (after the last tick).
struct TopOut {
  bool uart_tx = true;
  bool sd_rx_ready = false;
  bool sd_tx_valid = false;
  std::uint8_t sd_tx_data = 0;
  bool idle = false;
  bool mid_frame = false;
  bool running = false;
  bool done = false;
  bool error = false;  // the last run ended with an error (the board's error LED)
  // link_tx_o and link_up_o after the rising edge (0 for models without link pins).
  std::uint32_t link_tx = 0;
  std::uint32_t link_up = 0;
};

// The request lpu_host_if puts on lpu_core's host port in the coming clock edge.
struct PortProbe {
  bool req = false;
  bool we = false;
  unsigned space = 0;
  unsigned bank = 0;
  std::uint32_t addr = 0;
  std::vector<std::uint8_t> wdata;  // Lanes*4 bytes, right-aligned
  bool core_rst = false;
};

// One Verilator model of lpu_top behind a uniform interface.
class TopPins {
 public:
  virtual ~TopPins() = default;
  virtual TopOut out() const = 0;
  virtual PortProbe probe() const = 0;     // needs the signals verif/host_if/top_sim.vlt makes public
  virtual void tick(const TopIn& in) = 0;  // one clock cycle with these inputs
  virtual void reset() = 0;                // rst_ni low for a few cycles
  // Whether the model has lpu_top's link pins (link_tx_o, link_rx_i, link_up_o).
  virtual bool has_link_pins() const { return false; }
};

// The parameters the model was built with (they must match its -G values).
struct TopParams {
  const Config* cfg = nullptr;
  std::uint32_t clk_hz = 0;
  std::uint32_t baud = 0;
  bool ddr = false;
  std::uint32_t max_data = 4096;
  std::uint32_t gap_ms = 100;
  std::uint64_t gap_cycles = 0;
};

class TopSim {
 public:
  TopSim(std::unique_ptr<TopPins> pins, TopParams p);
  ~TopSim();
  TopSim(const TopSim&) = delete;
  TopSim& operator=(const TopSim&) = delete;

  // The built-in models of the `sim` device (library lpu_top_sim): base and tiny. Memories
  // start at zero. Throws lpu::Error for a configuration without a model.
  static std::unique_ptr<TopSim> open(const Config& cfg);
  static bool supports(const Config& cfg);

  const TopParams& params() const { return p_; }
  const Config& config() const { return *p_.cfg; }
  // Clock cycles per bit (lpu_top's ClksPerBit).
  unsigned clks_per_bit() const;

  void reset();  // the chip's rst_ni; also empties both byte paths
  void set_uart(bool on);
  bool uart() const { return uart_; }
  // UART mode: the sender's bit clock runs `ppm` parts per million fast (negative: slow) and
  // its first start bit begins `phase` (0..1) of a clock cycle after a rising edge.
  void set_line_skew(double ppm, double phase);

  // Host -> chip bytes (queued; taken by the model as it runs).
  void send(const std::uint8_t* data, std::size_t n);
  void send(const std::vector<std::uint8_t>& v) { send(v.data(), v.size()); }
  std::size_t pending() const;  // bytes not yet (completely) delivered to the chip
  // Chip -> host bytes received so far (the caller takes them).
  std::deque<std::uint8_t>& received() { return rx_; }
  std::uint64_t framing_errors() const { return host_ferr_; }
  // Drop a partial frame in the next cycle (sd_flush_i).
  void flush() { flush_ = true; }

  void step(std::uint64_t n = 1);
  // Steps until idle() (true) or `max_cycles` have passed (false).
  bool run_until_idle(std::uint64_t max_cycles);
  // Nothing happens until new bytes are sent: all sent bytes delivered, the parser waits for
  // input, no response in flight on either path, no run in progress.
  bool idle() const;
  const TopOut& out() const { return out_; }
  bool mid_frame() const { return out_.mid_frame; }
  bool running() const { return out_.running; }
  std::uint64_t cycle() const { return cycle_; }

  // Chip-to-chip link pins, one cycle at a time (the multi-chip testbench,
  // verif/multichip/): set_link_rx() sets link_rx_i for the coming rising edges (held until
  // changed; 0 after construction and reset(), so a lone chip's links never come up);
  // link_tx() and link_up() are link_tx_o and link_up_o after the last step(). Bit
  // k*LinkLanes + l is link k, lane l. reset() clocks the model 4 cycles with link_rx_i = 0.
  bool has_link_pins() const { return pins_->has_link_pins(); }
  void set_link_rx(std::uint32_t bits) { link_rx_ = bits; }
  std::uint32_t link_rx() const { return link_rx_; }
  std::uint32_t link_tx() const { return out_.link_tx; }
  std::uint32_t link_up() const { return out_.link_up; }

  // Called for every host-port write lpu_host_if makes (and for every cycle of core reset,
  // with core_rst set): the observation point for "nothing is written on a bad frame".
  void set_write_monitor(std::function<void(const PortProbe&)> fn) { monitor_ = std::move(fn); }

 private:
  bool host_line(std::uint64_t half);  // sender level at half-cycle `half`
  void host_receive(bool level);       // the host receiver, once per cycle

  std::unique_ptr<TopPins> pins_;
  TopParams p_;
  bool uart_ = false;
  std::uint64_t cycle_ = 0;
  TopOut out_;
  bool flush_ = false;
  std::uint32_t link_rx_ = 0;
  std::deque<std::uint8_t> tx_;  // host -> chip, not yet started
  std::deque<std::uint8_t> rx_;  // chip -> host
  std::function<void(const PortProbe&)> monitor_;

  // UART sender: times in units of 1 / (2 * clk_hz * baud) seconds scaled: a half cycle is
  // `baud_num_` units, a bit `bit_den_` units.
  std::uint64_t baud_num_ = 0, bit_den_ = 0;
  bool hs_active_ = false;
  std::uint64_t hs_start_ = 0;  // start of the current byte's start bit
  std::uint8_t hs_byte_ = 0;
  std::uint64_t hs_end_cycle_ = 0;  // first cycle after the sender's last active one
  std::uint64_t phase_units_ = 0;
  // UART receiver (host side).
  bool hr_active_ = false;
  bool hr_last_ = true;
  std::uint64_t hr_t0_ = 0;  // cycle in which the start bit began
  unsigned hr_bit_ = 0;
  std::uint8_t hr_shift_ = 0;
  std::uint64_t host_ferr_ = 0;
};

}  // namespace lpu::sim
