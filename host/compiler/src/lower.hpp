// Internal to the compiler: memory layout and lowering of a QGraph to a scheduled program
// (docs/compiler.md "Memory layout", "Lowering").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lpu/compiler/quant.hpp"
#include "lpu/config.hpp"
#include "lpu/program.hpp"

namespace lpu::compiler::detail {

// An activation tensor in SRAM: column block j (lanes columns) holds its rows in
// consecutive words from (bank[j], addr[j]).
struct ActPlace {
  std::vector<std::uint32_t> bank, addr;
  std::uint32_t rows = 0, cblocks = 0;
};

struct Lowered {
  std::vector<std::uint64_t> code;
  std::uint64_t cycles = 0;
  std::uint64_t mxu_rows = 0;
  std::vector<Segment> data;  // weights (SRAM) and op constants (ACC)
  std::vector<ActPlace> act;  // per QTensor
  std::size_t act_words = 0, weight_words = 0;
};

// Lays out and schedules `q` for `cfg`. Throws lpu::Error when the model does not fit
// (SRAM, ACC or instruction memory), naming what was needed and what is available.
// With `roll`, repeated instruction runs become hardware loops (same cycles, fewer words).
Lowered lower(const QGraph& q, const Config& cfg, bool roll = true);

}  // namespace lpu::compiler::detail
