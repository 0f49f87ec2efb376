// Several golden-model chips joined by their chip-to-chip links, stepped in lockstep on one
// nominal clock (docs/isa.md "Links", docs/link.md "Multi-chip systems").
//
// Topology: a ring. Link 0 of chip i is joined to link 1 of chip (i+1) mod N, so link 0
// sends "forward" and link 1 "backward"; with N = 2 the two chips are joined twice (chip 0's
// link 0 to chip 1's link 1, and chip 1's link 0 to chip 0's link 1). With N = 1 nothing is
// joined (send and recv raise link_down, as on a lone chip).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/golden.hpp"
#include "lpu/system_program.hpp"

namespace lpu {

class GoldenSystem {
 public:
  static constexpr unsigned kMaxChips = 16;

  // Throws lpu::Error for chips outside 1..kMaxChips or a configuration with fewer than two
  // links per chip (a ring needs two) when chips > 1.
  GoldenSystem(const Config& cfg, unsigned chips);
  ~GoldenSystem();
  GoldenSystem(const GoldenSystem&) = delete;
  GoldenSystem& operator=(const GoldenSystem&) = delete;

  unsigned chips() const;
  // Each chip is a full GoldenModel: load programs, access memories, set traces through it
  // (its own run() runs it alone, with its links joined but no partner stepping).
  GoldenModel& chip(unsigned i);
  // Loads program i onto chip i; throws lpu::Error unless there is one program per chip.
  void load(const SystemProgram& sp);

  // Starts a run on every chip in cycle 0 and steps them together until each has halted or
  // stopped with an error (a chip that stopped stays stopped; the links keep delivering to
  // the others). Throws lpu::Error on a deadlock (every running chip waits for link data that
  // can never come) naming the chips, pcs and links, or when max_cycles pass.
  std::vector<RunResult> run(std::uint64_t max_cycles = 1ull << 34);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lpu
