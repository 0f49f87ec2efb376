// Several lpu_top chips (TopSim, verif/host_if/top_sim.hpp), each on its own clock, joined by
// bit-level channels (verif/link/common/channel.hpp): the multi-chip testbench of issue 5 and
// the model behind the `sim:chips=N` device (docs/verification.md "Multi-chip").
//
// Topology: a ring like GoldenSystem's (host/include/lpu/golden_system.hpp): link 0 of chip i
// is joined to link 1 of chip (i+1) mod N. With N = 2 the chips are joined twice; with N = 1
// nothing is joined (link_rx_i held at 0: the links never come up).
//
// Time: integer femtoseconds. Chip i's clock has period round(1e15 / (f_cfg * (1 + ppm_i
// 1e-6))) fs (f_cfg: the configuration's fmax target, TopSim's clk_hz; +ppm is a faster clock)
// and its first rising edge at a deterministic phase in [0, period) drawn from the seed.
// step() takes the chip with the earliest next edge (ties: the lower index): its link_rx_i
// pins take the channels' levels at that instant, the chip is clocked one cycle
// (TopSim::step), and its link_tx_o pins are driven into its outgoing channels at that
// instant. Everything is deterministic for given parameters.
//
// Each direction of each link is one Channel (delay, per-lane skew, random bit errors with
// its own seed, bit slips and injected errors through channel()); cut() holds the receiving
// pins of both directions of a link at 0 until it is restored.
//
// Ownership: MultiTopSim owns its TopSims and Channels. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "channel.hpp"
#include "lpu/config.hpp"
#include "top_sim.hpp"

namespace lpu::sim {

struct ChannelParams {
  double delay_ns = 20;          // one-way line delay
  double ber = 0;                // probability that a transmitted bit is inverted
  std::vector<double> skew_ns;   // per lane, added to delay_ns (missing lanes: 0)
  std::uint64_t seed = 1;        // each direction's error stream is derived from it
};

struct SystemParams {
  unsigned chips = 2;       // ring: chip i link 0 <-> chip (i+1)%N link 1 (as GoldenSystem)
  std::vector<double> ppm;  // per chip clock offset (default: spread in +-100 ppm, deterministic)
  ChannelParams channel;    // every direction of every link
  std::uint64_t seed = 1;   // clock phases (and, mixed with channel.seed, the error streams)
};

class MultiTopSim {
 public:
  static constexpr unsigned kMaxChips = 16;

  // cfg: base or tiny (TopSim::open). Throws lpu::Error for chips outside 1..kMaxChips, a ppm
  // list of the wrong length or outside +-10000, a configuration without a model, bad
  // channel parameters, or a model without link pins when chips > 1.
  MultiTopSim(const Config& cfg, SystemParams p);
  ~MultiTopSim();
  MultiTopSim(const MultiTopSim&) = delete;
  MultiTopSim& operator=(const MultiTopSim&) = delete;

  const Config& config() const { return *cfg_; }
  const SystemParams& params() const { return p_; }
  unsigned chips() const { return static_cast<unsigned>(chips_.size()); }
  TopSim& chip(unsigned i);  // the chip's host side (side door bytes, probes)

  void step();                       // advance time to the next clock edge of any chip
  void run_cycles(std::uint64_t n);  // advance until chip 0 has seen n more edges
  void run_fs(std::int64_t dt);      // every edge up to now() + dt
  // Steps until pred() holds or chip 0 has seen max_cycles more edges; returns pred().
  template <class P>
  bool run_until(P&& pred, std::uint64_t max_cycles) {
    const std::uint64_t end = cycles(0) + max_cycles;
    while (!pred()) {
      if (cycles(0) >= end) return false;
      step();
    }
    return true;
  }
  std::uint64_t cycles(unsigned i) const;  // clock edges of chip i so far (TopSim::cycle)
  std::int64_t now_fs() const { return now_; }
  std::int64_t period_fs(unsigned i) const;

  // Link k of a chip: up (link_up_o after its last edge), partner, cut.
  unsigned links() const { return links_; }
  bool link_up(unsigned chip, unsigned link) const;
  bool all_links_up() const;  // every joined link of every chip
  bool joined(unsigned chip, unsigned link) const;  // has a partner in the ring
  struct End { unsigned chip, link; };
  End partner(unsigned chip, unsigned link) const;  // throws when not joined
  void cut(unsigned chip, unsigned link, bool cut);   // cut/restore both directions of a link
  bool is_cut(unsigned chip, unsigned link) const;

  // The direction transmitted by (chip, link): slips, injected errors, bit and error counts.
  verif::link::Channel& channel(unsigned chip, unsigned link);
  // Sum over every direction of every link.
  std::uint64_t channel_errors() const;
  std::uint64_t channel_bits() const;
  // Transitions of link_up_o seen (up: 0 -> 1, down: 1 -> 0) per chip and link.
  std::uint64_t up_events(unsigned chip, unsigned link) const;
  std::uint64_t down_events(unsigned chip, unsigned link) const;

  // One line per chip (cycle, clock, links up) for failure messages.
  std::string describe() const;

 private:
  struct Dir;
  struct Chip;
  Dir& dir(unsigned chip, unsigned link);
  const Dir& dir(unsigned chip, unsigned link) const;
  void check_link(unsigned chip, unsigned link) const;

  const Config* cfg_;
  SystemParams p_;
  unsigned links_ = 0, lanes_ = 0;
  std::vector<std::unique_ptr<Chip>> chips_;
  std::vector<std::unique_ptr<Dir>> dirs_;  // chip * links + link: transmitted by that end
  std::int64_t now_ = 0;
};

// The default clock offsets of `chips` chips: evenly spread over -100 .. +100 ppm.
std::vector<double> default_ppm(unsigned chips);

}  // namespace lpu::sim
