// Internal to the compiler: memory layout and lowering of a QGraph to a scheduled program
// (docs/compiler.md "Memory layout", "Lowering", "Multi-chip").
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

// What one chip of a multi-chip program does (all of the graph on one chip by default).
struct LowerOptions {
  bool roll = false;
  bool loops = true;      // matmuls as hardware loops where they repeat (lower_loop.cpp)
  std::vector<bool> ops;  // per QGraph op: lowered here (empty: every op)
  // Tensors that arrive on link `recv_link`, in order, with the cycle from which each word
  // (in link order) can be written; tensors this chip sends on `send_link`, in order.
  std::vector<int> recv_tensors;
  std::vector<std::vector<std::int64_t>> recv_avail;
  std::vector<int> send_tensors;
  unsigned recv_link = 1, send_link = 0;
  std::vector<int> extra_tensors;  // placed here although no op here uses them (inputs)
};

struct Lowered {
  std::vector<std::uint64_t> code;
  std::uint64_t cycles = 0;
  std::uint64_t mxu_rows = 0;
  std::vector<Segment> data;  // weights (SRAM), op constants (ACC), tables (LUT)
  std::vector<ActPlace> act;  // per QTensor (empty for tensors not on this chip)
  std::size_t act_words = 0, weight_words = 0;
  std::size_t lut_entries = 0;
  // Sends in link order: issue cycle and word count (for the partner's arrival times).
  std::vector<std::int64_t> send_times;
  std::vector<std::uint32_t> send_counts;
};

// Lays out and schedules `q` for `cfg`. Throws lpu::Error when the model does not fit
// (SRAM, ACC or LUT), naming what was needed and what is available. The instruction
// memory is checked apart (check_imem), so that a program too long straight-line can be
// lowered again with loop regions.
Lowered lower(const QGraph& q, const Config& cfg, const LowerOptions& opt);

// Throws lpu::Error unless the program fits `cfg`'s instruction memory.
void check_imem(const Lowered& low, const Config& cfg);

// Words of SRAM a tensor of the QGraph takes on a chip (for partitioning and fit messages),
// and the words of one op's constant weights and scratch.
std::size_t tensor_words(const QGraph& q, int t, const Config& cfg);
std::size_t op_words(const QGraph& q, std::size_t op, const Config& cfg);

// The link order of a tensor's words: runs of (block, first row, count), each at most
// link_tx_depth words and within one column block.
struct WordRun {
  std::uint32_t block = 0, row = 0, count = 0;
};
std::vector<WordRun> link_runs(const QTensor& t, const Config& cfg);

// Nominal link model (docs/isa.md "Links"): for sends issued at `times` with `counts` words,
// the first cycle each word can be written by the partner's recv.
std::vector<std::int64_t> link_arrivals(const Config& cfg, const std::vector<std::int64_t>& times,
                                        const std::vector<std::uint32_t>& counts);

}  // namespace lpu::compiler::detail
