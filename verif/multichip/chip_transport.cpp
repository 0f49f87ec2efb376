// ChipTransport (chip_transport.hpp).
#include "chip_transport.hpp"

#include <algorithm>

#include "lpu/error.hpp"

namespace lpu::sim {

ChipTransport::ChipTransport(MultiTopSim& sys, unsigned chip, std::uint64_t max_cycles)
    : sys_(sys), chip_(chip), max_cycles_(max_cycles) {
  sys_.chip(chip_);  // throws for a chip that does not exist
}

std::string ChipTransport::describe() const { return "multichip:chip" + std::to_string(chip_); }

void ChipTransport::write(const std::uint8_t* data, std::size_t n) {
  if (closed_) throw Error(describe() + ": transport is closed");
  sys_.chip(chip_).send(data, n);
}

std::size_t ChipTransport::read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds) {
  if (closed_) throw Error(describe() + ": transport is closed");
  TopSim& c = sys_.chip(chip_);
  auto& rx = c.received();
  const std::uint64_t end = c.cycle() + max_cycles_;
  while (rx.empty() && c.cycle() < end) sys_.step();
  const std::size_t n = std::min(cap, rx.size());
  std::copy(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(n), buf);
  rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

}  // namespace lpu::sim
