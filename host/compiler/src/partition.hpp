// Internal to the compiler: splitting a QGraph into consecutive stages, one per chip of a
// ring (docs/compiler.md "Multi-chip").
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lpu/compiler/quant.hpp"
#include "lpu/config.hpp"

namespace lpu::compiler::detail {

struct Partition {
  std::vector<std::size_t> cut;  // stage s runs ops [cut[s], cut[s + 1])
  std::vector<std::vector<int>>
      crossing;                    // per boundary s (stage s -> s + 1): tensors in link order
  std::vector<std::size_t> words;  // SRAM words per stage
};

// SRAM words a chip holding ops [i, j) needs (weights, scratch and every tensor it holds).
std::size_t stage_words(const QGraph& q, const Config& cfg, std::size_t i, std::size_t j);
// Tensors that cross the boundary before op b, in link order.
std::vector<int> crossing(const QGraph& q, std::size_t b);
std::size_t link_words(const QGraph& q, const Config& cfg, const std::vector<int>& ts);

// The split into n stages with the smallest largest stage (SRAM words), preferring, among
// splits within 5% of it, the fewest words on the links. Throws lpu::Error when no split
// exists (fewer ops than chips, or more words between two stages than a link buffers).
Partition partition(const QGraph& q, const Config& cfg, unsigned n);

// The fewest chips (up to 16) whose best split fits every stage into the chip's SRAM, and
// that split's largest stage in words; 0 when none does.
struct ChipsHint {
  unsigned chips = 0;
  std::size_t words = 0;
};
ChipsHint chips_needed(const QGraph& q, const Config& cfg);

}  // namespace lpu::compiler::detail
