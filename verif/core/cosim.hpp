// Co-simulation: one program on the RTL core (CoreSim) and on the golden model, compared
// event by event and in every piece of observable state.
//
// Compared: the write trace (issues, SRAM/ACC/LUT writes, vector and scalar register writes,
// each with its cycle, pc, address and data), the run result (error code, pc, cycle, cycles,
// every counter), and the final contents of SRAM, ACC, LUT and the scalar and vector
// registers. The first difference is reported with its cycle, place and instruction.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core_sim.hpp"
#include "lpu/golden.hpp"
#include "lpu/program.hpp"

namespace lpu {

enum class MemCompare {
  none,     // registers, trace and results only
  touched,  // every word/entry the program wrote (golden trace)
  full,     // all of SRAM, ACC and LUT
};

struct CosimOptions {
  std::uint64_t max_cycles = 1ull << 22;
  MemCompare memories = MemCompare::full;
  // Test hook: applied to the RTL after loading and before the run, to check that a fault
  // is detected (e.g. a changed memory word). Empty in normal use.
  std::function<void(CoreSim&)> rtl_fault;
};

struct CosimReport {
  bool ok = false;
  std::string mismatch;      // first difference, empty when ok
  RunResult golden;
  RunResult rtl;
  std::uint64_t trace_events = 0;
  std::uint64_t rtl_clock_cycles = 0;  // simulated clock cycles of the RTL (with host traffic)
};

// Runs `p` on a fresh golden model and on `rtl` (reset first) and compares them.
CosimReport cosim_program(CoreSim& rtl, const Program& p, const CosimOptions& opt = {});

}  // namespace lpu
