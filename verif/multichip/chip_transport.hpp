// A driver Transport (lpu::driver::Transport) to one chip of a MultiTopSim, for the tests: the
// host protocol's bytes go through that chip's side door, and read() clocks the whole system
// (every chip, every channel) until the chip answers. Synchronous and single-threaded: time
// moves only inside read(), so a run advances while the host waits for a response.
#pragma once

#include <cstdint>
#include <string>

#include "lpu/driver/transport.hpp"
#include "multi_top_sim.hpp"

namespace lpu::sim {

class ChipTransport : public driver::Transport {
 public:
  // max_cycles: chip cycles read() clocks while waiting before it returns 0 (no response).
  ChipTransport(MultiTopSim& sys, unsigned chip, std::uint64_t max_cycles = 2'000'000);

  void write(const std::uint8_t* data, std::size_t n) override;
  std::size_t read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override;
  void close() override { closed_ = true; }
  std::string describe() const override;

 private:
  MultiTopSim& sys_;
  unsigned chip_;
  std::uint64_t max_cycles_;
  bool closed_ = false;
};

}  // namespace lpu::sim
