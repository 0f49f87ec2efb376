// Reusable Verilator harness: owns the context, the model, the clock, reset, a cycle timeout,
// the random seed and optional FST tracing. A block test adds only stimulus and checks.
//
//   lpu::verif::Harness<Vlpu_mxu> h("mxu");
//   h.reset();                        // rst_ni low for a few cycles
//   h.dut().valid_i = 1; h.step();    // drive inputs, then advance one clock cycle
//   h.check(got == want, "acc_o", want, got);  // failure names seed, cycle, block, signal
//
// A model with a clk2x_i input (a double-pumped block, docs/mxu.md) gets it at twice the
// frequency of clk_i, with every rising edge of clk_i on a rising edge of clk2x_i.
//
// Tracing: LPU_TRACE=1 (or --trace on a test binary that forwards argv) writes
// build/waves/<block>_<seed>.fst. Seed: LPU_SEED=<n> (default 1). Timeout: LPU_TIMEOUT cycles.
// Coverage (a build with -DLPU_COVERAGE=ON): the destructor writes the model's line and toggle
// counts to coverage-<block>-<pid>-<n>.dat (rtl_coverage.hpp).
#pragma once

#include <verilated.h>
#if VM_TRACE_FST
#include <verilated_fst_c.h>
#endif

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "rtl_coverage.hpp"

namespace lpu::verif {

template <class M, class = void>
struct HasClk2x : std::false_type {};
template <class M>
struct HasClk2x<M, std::void_t<decltype(std::declval<M&>().clk2x_i)>> : std::true_type {};

inline std::uint64_t env_u64(const char* name, std::uint64_t dflt) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::strtoull(v, nullptr, 0) : dflt;
}

class SimFailure : public std::runtime_error {
 public:
  explicit SimFailure(const std::string& m) : std::runtime_error(m) {}
};

template <class Model>
class Harness {
 public:
  explicit Harness(std::string block, std::uint64_t seed = env_u64("LPU_SEED", 1))
      : block_(std::move(block)), seed_(seed), rng_(seed),
        timeout_(env_u64("LPU_TIMEOUT", 50'000'000)) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(2);  // randomise initial state: reset must establish everything
    ctx_->randSeed(static_cast<int>(seed & 0x7fffffff));
    model_ = std::make_unique<Model>(ctx_.get(), "top");
#if VM_TRACE_FST
    if (env_u64("LPU_TRACE", 0) != 0) {
      ctx_->traceEverOn(true);
      tracer_ = std::make_unique<VerilatedFstC>();
      model_->trace(tracer_.get(), 99);
      std::filesystem::create_directories("waves");
      wave_ = "waves/" + block_ + "_" + std::to_string(seed_) + ".fst";
      tracer_->open(wave_.c_str());
    }
#endif
    model_->clk_i = 0;
    if constexpr (HasClk2x<Model>::value) model_->clk2x_i = 0;
    model_->rst_ni = 1;
    model_->eval();
  }

  ~Harness() {
    model_->final();
    coverage_write(*ctx_, block_);
#if VM_TRACE_FST
    if (tracer_) tracer_->close();
#endif
  }

  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  Model& dut() { return *model_; }
  std::mt19937_64& rng() { return rng_; }
  std::uint64_t seed() const { return seed_; }
  std::uint64_t cycle() const { return cycle_; }
  const std::string& block() const { return block_; }

  // Evaluate combinational logic after changing inputs (outputs then reflect them).
  void eval() { model_->eval(); dump(); }

  // One full clock cycle: rising edge, then the falling edge where inputs may change.
  void step(std::uint64_t n = 1) {
    for (std::uint64_t i = 0; i < n; ++i) {
      if constexpr (HasClk2x<Model>::value) {
        // clk2x_i rises with clk_i and again half-way through the cycle.
        const int phases[4][2] = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};  // {clk_i, clk2x_i}
        for (const auto& ph : phases) {
          model_->clk_i = ph[0];
          model_->clk2x_i = ph[1];
          ctx_->timeInc(ph[1] ? 2 : 3);
          model_->eval();
          dump();
        }
      } else {
        model_->clk_i = 1;
        ctx_->timeInc(5);
        model_->eval();
        dump();
        model_->clk_i = 0;
        ctx_->timeInc(5);
        model_->eval();
        dump();
      }
      if (++cycle_ > timeout_) fail("timeout after " + std::to_string(timeout_) + " cycles");
    }
  }

  void reset(unsigned cycles = 4) {
    model_->rst_ni = 0;
    step(cycles);
    model_->rst_ni = 1;
    eval();
    cycle_ = 0;
  }

  [[noreturn]] void fail(const std::string& what) const {
    std::ostringstream os;
    os << "[" << block_ << "] cycle " << cycle_ << " seed " << seed_ << ": " << what;
    if (!wave_.empty()) os << " (waves: " << wave_ << ")";
    else os << " (rerun with LPU_TRACE=1 LPU_SEED=" << seed_ << " for waves)";
    throw SimFailure(os.str());
  }

  template <class T, class U>
  void check(bool ok, const std::string& signal, const T& want, const U& got) const {
    if (ok) return;
    std::ostringstream os;
    os << signal << ": expected " << want << ", got " << got;
    fail(os.str());
  }

 private:
  void dump() {
#if VM_TRACE_FST
    if (tracer_) tracer_->dump(ctx_->time());
#endif
  }

  std::string block_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::uint64_t timeout_;
  std::uint64_t cycle_ = 0;
  std::string wave_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> model_;
#if VM_TRACE_FST
  std::unique_ptr<VerilatedFstC> tracer_;
#endif
};

}  // namespace lpu::verif
