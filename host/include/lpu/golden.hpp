// The golden model: a bit- and cycle-exact executable specification of the chip
// (docs/isa.md). It steps cycle by cycle; the RTL must match it exactly.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/isa.hpp"
#include "lpu/program.hpp"

namespace lpu {

struct RunResult {
  ErrorCode error = ErrorCode::none;
  std::uint32_t error_pc = 0;
  std::uint64_t error_cycle = 0;
  std::uint64_t cycles = 0;
  std::array<std::uint64_t, gen::kNumCounters> counters{};
  bool ok() const { return error == ErrorCode::none; }
  std::uint64_t counter(gen::Counter c) const { return counters[static_cast<unsigned>(c)]; }
};

// One architectural event, for co-simulation and debugging. Per cycle the model reports
// the issue first (only for an instruction that issued, i.e. is counted in `instrs`), then
// the writes that took effect at the end of that cycle: LUT entries (one event each, from
// lutld), SRAM words (bytes sign-extended), ACC entries (the value after accumulation),
// vector registers, scalar registers (rd results and post-increments that change R[ra]).
// Suppressed writes produce no event. `cycle` is the cycle whose end the write belongs to.
struct TraceEvent {
  enum class Kind : std::uint8_t { issue, sram_write, acc_write, vreg_write, sreg_write, lut_write };
  Kind kind;
  std::uint64_t cycle;
  std::uint32_t pc;       // issue: pc issued; writes: pc of the instruction that caused it
  std::uint32_t bank;     // sram_write: bank
  std::uint32_t addr;     // address / entry / register index
  std::vector<std::int32_t> data;  // lanes (bytes widened for SRAM), or 1 value
};

class GoldenModel {
 public:
  explicit GoldenModel(const Config& cfg);
  ~GoldenModel();
  GoldenModel(const GoldenModel&) = delete;
  GoldenModel& operator=(const GoldenModel&) = delete;

  const Config& config() const;

  // Clears every memory, register, counter and the loaded code.
  void reset();
  // Loads code and data segments (check_fits first); memories not named keep their contents.
  void load(const Program& p);
  void load_code(const std::vector<std::uint64_t>& code);

  // Raw memory access in the container's byte layout; throws lpu::Error when out of range.
  void write_mem(Space s, std::uint32_t bank, std::uint32_t addr, const std::vector<std::uint8_t>& bytes);
  std::vector<std::uint8_t> read_mem(Space s, std::uint32_t bank, std::uint32_t addr, std::size_t nbytes) const;

  // Runs from pc 0 until halt or an error, or until max_cycles elapse (then throws lpu::Error).
  // A run starts with counters, loop stack and every unit cleared; registers, weight buffers
  // and memories keep their contents (docs/isa.md "Run start"); reset() clears those too.
  RunResult run(std::uint64_t max_cycles = 1ull << 34);

  // Called for every architectural event while running (nullptr: off, the fast path).
  void set_trace(std::function<void(const TraceEvent&)> fn);

  std::int32_t sreg(unsigned i) const;
  std::int32_t vreg(unsigned i, unsigned lane) const;

 private:
  friend class GoldenSystem;  // connects chips' links (golden_system.hpp)
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lpu
