// Shared pieces of the multi-chip tests (multichip_test.cpp, multichip_soak.cpp): a system of
// chips with a FrameDevice per chip, the documented bring-up bound, test programs, and
// reference checks written as plain loops.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "chip_transport.hpp"
#include "lpu/assembler.hpp"
#include "lpu/driver/frame_device.hpp"
#include "lpu/link_status.hpp"
#include "lpu/npy.hpp"
#include "lpu/system_device.hpp"
#include "multi_top_sim.hpp"

namespace lpu::mc {

using sim::MultiTopSim;
using sim::SystemParams;

// docs/link.md "Bring-up bound": 160 column times + 2 x the one-way delay, in the chip's own
// cycles (a column time is 10 * link_osr cycles). `slack_cycles` covers the chips' different
// reset release instants (under one cycle) and the clock offsets (+-1000 ppm of the bound is
// under 7 cycles).
inline std::uint64_t bringup_bound_cycles(const MultiTopSim& s, unsigned chip, double delay_ns) {
  const std::uint64_t col = 10ull * s.config().link_osr;
  const double delay_cycles = delay_ns * 1e6 / static_cast<double>(s.period_fs(chip));
  return 160 * col + static_cast<std::uint64_t>(2.0 * delay_cycles + 0.999) + 8;
}

// Index of the link status counters (docs/link.md "Status counters").
enum Cnt : unsigned {
  kRetrains = 0, kCodeErr, kDispErr, kSkipAdd, kSkipDrop, kEbErr, kDeskewErr, kTsMismatch,
  kSyncLoss, kLinkUp, kTxFrames, kTxAcks, kTxNaks, kRxNaks, kReplays, kTimeouts, kAckErr,
  kRxFrames, kCrcErr, kFrameErr, kSeqErr, kDup, kDrop
};

// A system of chips with the host protocol to each (FrameDevice over ChipTransport).
class System {
 public:
  System(const Config& cfg, SystemParams p) : cfg_(cfg) {
    sys_ = std::make_unique<MultiTopSim>(cfg, std::move(p));
    driver::FrameDeviceOptions o;
    o.poll_max = std::chrono::milliseconds(0);  // time moves only while the host waits
    for (unsigned i = 0; i < sys_->chips(); ++i) {
      dev_.push_back(std::make_unique<driver::FrameDevice>(
          std::make_unique<sim::ChipTransport>(*sys_, i), &cfg, o));
    }
  }
  MultiTopSim& sim() { return *sys_; }
  driver::FrameDevice& dev(unsigned i) { return *dev_.at(i); }
  unsigned chips() const { return sys_->chips(); }

  // A link's counters through the host protocol (LINK_STATUS).
  LinkStatus link(unsigned chip, unsigned link) { return dev(chip).link_status().at(link); }

 private:
  const Config& cfg_;
  std::unique_ptr<MultiTopSim> sys_;
  std::vector<std::unique_ptr<driver::FrameDevice>> dev_;
};

inline std::string counters_text(const LinkStatus& s) {
  std::ostringstream os;
  os << "up " << s.up << " state " << s.state << ":";
  const auto& names = link_counter_names();
  for (std::size_t i = 0; i < s.counters.size(); ++i) {
    if (s.counters[i] != 0) os << " " << (i < names.size() ? names[i] : "?") << "=" << s.counters[i];
  }
  return os.str();
}

// Both chips of a 2-chip ring exchange `blocks` x 64 words: each sends A (b0) on link 0 and
// receives the partner's A into B (b1) from link 1, one 64-word block at a time (a send fills
// the TX buffer, link_tx_depth = 64 words on both configurations; the recv is the
// synchronisation point, so the buffers never overflow).
inline Program exchange_program(const Config& cfg, unsigned blocks) {
  std::ostringstream s;
  const unsigned words = blocks * 64;
  s << ".config " << cfg.name << "\n"
    << ".input A, b0[0], shape=(" << words << ", " << cfg.lanes << ")\n"
    << ".output B, b1[0], shape=(" << words << ", " << cfg.lanes << ")\n"
    << "    li r1, 0\n"
    << "loop " << blocks << " {\n"
    << "    send 0, b0[r1], 64\n"
    << "    recv 1, b1[r1], 64\n"
    << "    addi r1, r1, 64\n"
    << "}\n"
    << "    halt\n";
  return assemble(s.str(), "exchange.s", cfg);
}

inline Tensor random_i8(std::size_t rows, std::size_t cols, std::uint64_t seed, int lo = -128, int hi = 127) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<std::int8_t> v(rows * cols);
  for (auto& x : v) x = static_cast<std::int8_t>(d(rng));
  return Tensor::from_int8({static_cast<std::uint32_t>(rows), static_cast<std::uint32_t>(cols)}, v);
}

}  // namespace lpu::mc
