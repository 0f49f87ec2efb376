// Internal to the compiler: folding repeated instruction runs into hardware loops without
// changing a single cycle (docs/compiler.md "Loop rolling").
#pragma once

#include <cstdint>
#include <vector>

namespace lpu::compiler::detail {

// `flat` is a straight-line program (no loops) ending in halt. A run of n >= 2 identical
// copies of a body of p words that directly follows a `nop` becomes `loopi n, p` + body,
// the loopi taking one cycle of that nop: every instruction still issues in the same cycle
// (zero-overhead loops, docs/isa.md "Loops"), so the cycle count and every effect are
// unchanged. Runs are chosen greedily (largest saving first at each position).
std::vector<std::uint64_t> roll_loops(const std::vector<std::uint64_t>& flat,
                                      unsigned max_period = 96);

}  // namespace lpu::compiler::detail
