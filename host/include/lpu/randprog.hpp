// Constrained-random LPU programs for co-simulation (RTL vs golden model) and fuzzing.
//
// random_program() builds a Program over the whole ISA: scalar and vector arithmetic, loads
// and stores with post-increments, gathers, lane operations, the lookup table (lutld, vlut),
// mlw/mm/mma streams, transposes, hardware loops (nested, zero-trip, register counts),
// nop/barrier, and random initial SRAM/ACC/LUT contents. A built-in timing model schedules
// the asynchronous streams with legal spacing and free bank ports, so most programs run to
// their halt; a controlled fraction deliberately provokes one error (intended_error says
// which). The generator is deterministic in (config, seed, options).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/isa.hpp"
#include "lpu/program.hpp"

namespace lpu {

struct RandProgOptions {
  unsigned min_instrs = 24;       // approximate program size (top-level items)
  unsigned max_instrs = 160;
  double error_rate = 0.2;        // fraction of programs that aim at an error
  bool loops = true;              // hardware loops
  bool streams = true;            // mlw/mm/mma, vtr, lutld
  // Aim at this error (ErrorCode::none: decided by error_rate). link_busy, link_error and
  // aborted cannot be provoked by a program on a chip without links.
  ErrorCode force_error = ErrorCode::none;
};

struct RandomProgram {
  Program program;
  ErrorCode intended_error = ErrorCode::none;  // none: a legal schedule that should halt
  std::string note;                            // what the generator did, for reports
};

RandomProgram random_program(const Config& cfg, std::uint64_t seed, const RandProgOptions& opt = {});

// The error kinds random_program can aim at on `cfg` (for forcing each one in turn).
std::vector<ErrorCode> provocable_errors(const Config& cfg);

}  // namespace lpu
