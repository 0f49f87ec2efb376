// Internal to the compiler: the Lowerer, shared by lower.cpp (layout, constants, driver),
// lower_mm.cpp (matmul, element-wise), lower_vec.cpp (gather, LUT activations, norms,
// softmax, copies), lower_attn.cpp (attention_decode) and lower_link.cpp (send/recv).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lower.hpp"
#include "schedule.hpp"

namespace lpu::compiler::detail {

std::uint32_t ceil_div(std::uint32_t a, std::uint32_t b);

// A constant matmul operand (or embedding table) in SRAM: column block j holds its rows
// (K rounded up to lanes for matmuls) from (bank[j], addr[j]).
struct WeightPlace {
  std::vector<std::uint32_t> bank, addr;
};

// Scratch of one attention op: the transposed K cache tiles and the probabilities.
struct AttnPlace {
  std::uint32_t kt_bank = 0, kt_addr = 0;  // tile (kb, pb) at kt_addr + kb * T + pb * L
  std::uint32_t p_bank = 0, p_addr = 0;    // head h, block pb at p_addr + h * T/L + pb
};

class Lowerer {
 public:
  Lowerer(const QGraph& q, const Config& cfg, const LowerOptions& opt);
  Lowered run();

 private:
  // ---- layout (lower.cpp) ----
  bool here(std::size_t op) const { return opt_.ops.empty() || opt_.ops[op]; }
  const QTensor& tensor(int t) const { return q_.tensors[static_cast<std::size_t>(t)]; }
  const ActPlace& act(int t) const { return out_.act[static_cast<std::size_t>(t)]; }
  std::size_t capacity_words() const;
  [[noreturn]] void no_fit(std::size_t need_words, const std::string& detail) const;
  std::pair<std::uint32_t, std::uint32_t> take(std::size_t words,
                                               const std::vector<std::uint32_t>& prefer,
                                               const std::string& what);
  // A run in one of `banks` if one has room (no error otherwise).
  bool try_take(std::size_t words, const std::vector<std::uint32_t>& banks, std::uint32_t& bank,
                std::uint32_t& addr);
  // Column block j of op i's constant int8 matrix (matmul weights, embedding table: op.k
  // rows of op.n) as an SRAM segment of `words` words (rows beyond op.k zero) at bank:addr.
  void weight_block(std::size_t i, std::uint32_t j, std::uint32_t bank, std::uint32_t addr,
                    std::uint32_t words);
  void plan_sram();
  void plan_acc();
  void plan_lut();
  void zero_segment(std::uint32_t bank, std::uint32_t addr, std::uint32_t words);

  // ACC constants: every L-lane int32 vector an op needs, deduplicated, at the top of ACC.
  void need_const(const std::vector<std::int32_t>& v);
  std::uint32_t acc_const(const std::vector<std::int32_t>& v) const;
  std::vector<std::vector<std::int32_t>> op_consts(std::size_t op) const;
  // Per-channel values of column block j (padded with `pad`).
  std::vector<std::int32_t> block(const std::vector<std::int32_t>& v, std::uint32_t j,
                                  std::int32_t pad = 0) const;
  std::vector<std::vector<std::int32_t>> thr_vectors(const RecipFn& f) const;
  std::vector<std::int32_t> pad_mask(std::uint32_t cols) const;
  std::vector<std::int32_t> positions(std::uint32_t pb) const;
  std::uint32_t alloc_region(std::uint32_t rows);

  // ---- code (lower_*.cpp) ----
  int stream(std::uint32_t first, std::int64_t lb);
  // A value holding an ACC constant, loaded in its own chain (open until released).
  int load_const(std::uint32_t entry, std::int64_t lb);
  // Appends to chain `c` the computation of G (RecipFn) from value `t`; returns G's value.
  int recip_chain(std::vector<VOp>& c, const RecipFn& f, int t, bool open_result);
  // One weight tile (mlw of L rows at w_bank:w_addr into buffer buf_, `w_tracked` of them
  // tensor data), then `rows` activation rows from a_bank:a_addr through it into ACC entry
  // `acc` (mm when `first`, else mma); the weight buffers alternate.
  void mxu_tile(std::uint32_t w_bank, std::uint32_t w_addr, std::uint32_t w_tracked, bool first,
                std::uint32_t a_bank, std::uint32_t a_addr, std::uint32_t rows, std::uint32_t acc);
  void lower_op(std::size_t idx);
  void lower_matmul(std::size_t idx);
  bool loop_candidate(std::size_t idx) const;
  bool lower_matmul_loop(std::size_t idx);
  struct Group {
    std::uint32_t m0 = 0, rows = 0, nb = 0, region = 0;
  };
  void epilogue(std::size_t idx, const Group& g);
  void lower_eltwise(std::size_t idx);
  void lower_gather(std::size_t idx);
  void lower_lut(std::size_t idx);
  void lower_norm(std::size_t idx);
  void lower_softmax(std::size_t idx);
  void softmax_blocks(const SoftmaxQ& sm, std::uint32_t n,
                      const std::function<int(std::vector<VOp>&, std::uint32_t)>& load,
                      const std::function<void(std::vector<VOp>&, int, std::uint32_t)>& store,
                      unsigned held);  // values held in registers meanwhile
  void lower_copy(std::size_t idx);
  void lower_attention(std::size_t idx);
  void lower_recvs();
  void lower_sends();

  const QGraph& q_;
  const Config& cfg_;
  const unsigned L_;
  const LowerOptions& opt_;
  Scheduler sched_;
  Lowered out_;
  std::vector<bool> placed_;         // per tensor: lives on this chip
  std::vector<std::uint32_t> used_;  // words taken per bank
  std::vector<std::uint32_t> act_banks_, w_banks_;
  std::vector<WeightPlace> wplace_;  // per op (matmul weights, embedding tables)
  // per matmul: weight column blocks come in runs of this many blocks, each run in one
  // bank (loop regions); 0: blocks placed one by one
  std::vector<std::uint32_t> wchunk_;
  std::vector<std::uint32_t> bias_run_, mult_run_;  // per matmul: ACC entry of block 0
  std::vector<AttnPlace> attn_;                     // per op
  std::vector<std::uint32_t> row_slack_;            // per tensor: extra rows after each block
  std::vector<int> alias_of_;                       // per tensor: shares the memory of this tensor
  std::map<std::vector<std::int32_t>, std::uint32_t> consts_;
  std::vector<std::uint32_t> lut_off_;  // per QGraph::luts entry
  std::uint32_t acc_top_ = 0;           // ACC entries below the constants
  std::uint32_t acc_ptr_ = 0;
  unsigned buf_ = 0;
  // Reserved scalar registers for run-time addresses (attention): pos, pos block, vtr.
  static constexpr unsigned kRegPos = 15, kRegBlock = 14, kRegSrc = 13, kRegDst = 12;
  bool rt_regs_ = false;
};

}  // namespace lpu::compiler::detail
