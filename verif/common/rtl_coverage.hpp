// RTL coverage for `make coverage` (docs/verification.md "Coverage").
//
// With -DLPU_COVERAGE=ON the models are verilated with --coverage-line --coverage-toggle and
// their targets see VM_COVERAGE=1. A model's counters live inside the model and vanish with
// it, so every owner of a model hands its counts over before destroying it:
//
//   coverage_write(ctx, name)    writes the counts of everything in `ctx` now, to
//                                <dir>/coverage-<name>-<pid>-<n>.dat (the Harness does this).
//   coverage_retire(model, name) adds the model's counts to a process-wide sum per model type,
//                                written once at exit; for code that builds many models of one
//                                type in one process (CoreSim: a fresh model per program). The
//                                caller includes the model's <prefix>__Syms.h.
//
// <dir> is $LPU_COVERAGE_DIR, else the build's coverage-rtl/ (LPU_COVERAGE_DIR_DEFAULT), else
// the working directory. scripts/coverage.sh merges the files with verilator_coverage.
// Without VM_COVERAGE both functions do nothing.
#pragma once

#include <verilated.h>
#if VM_COVERAGE
#include <unistd.h>
#include <verilated_cov.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>
#endif

#include <string>

namespace lpu::verif {

#if VM_COVERAGE
// A fresh file name for one write of coverage `name` by this process.
inline std::string coverage_file(const std::string& name) {
  const char* env = std::getenv("LPU_COVERAGE_DIR");
  std::string dir = (env && *env) ? env : "";
#ifdef LPU_COVERAGE_DIR_DEFAULT
  if (dir.empty()) dir = LPU_COVERAGE_DIR_DEFAULT;
#endif
  if (dir.empty()) dir = ".";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // a failure shows when the write fails
  std::string clean = name;
  for (char& c : clean) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  static std::atomic<unsigned> serial{0};
  return dir + "/coverage-" + clean + "-" + std::to_string(::getpid()) + "-" + std::to_string(serial++) + ".dat";
}

// Process-wide sums of the coverage counters of every retired model of type Model, written
// when the process exits (a static's destructor: after main returns or exit()).
template <class Model>
class CoverageSums {
 public:
  static CoverageSums& get(const std::string& name) {
    static CoverageSums sums(name);
    return sums;
  }

  void add(Model& m) {
    const auto& counters = m.rootp->vlSymsp->__Vcoverage;
    const std::size_t n = std::size(counters);
    if (sums_.size() < n) sums_.resize(n, 0);
    for (std::size_t i = 0; i < n; ++i) sums_[i] += counters[i];
  }

  ~CoverageSums() {
    if (sums_.empty()) return;
    // A fresh model registers the same coverage points (zeroed); give them the sums.
    auto ctx = std::make_unique<VerilatedContext>();
    auto m = std::make_unique<Model>(ctx.get(), name_.c_str());
    auto& counters = m->rootp->vlSymsp->__Vcoverage;
    const std::size_t n = std::min(sums_.size(), std::size(counters));
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint32_t>::max();
    for (std::size_t i = 0; i < n; ++i) counters[i] = static_cast<std::uint32_t>(std::min(sums_[i], kMax));
    ctx->coveragep()->write(coverage_file(name_).c_str());
  }

  CoverageSums(const CoverageSums&) = delete;
  CoverageSums& operator=(const CoverageSums&) = delete;

 private:
  explicit CoverageSums(std::string name) : name_(std::move(name)) {}
  std::string name_;
  std::vector<std::uint64_t> sums_;
};
#endif

inline void coverage_write([[maybe_unused]] VerilatedContext& ctx, [[maybe_unused]] const std::string& name) {
#if VM_COVERAGE
  ctx.coveragep()->write(coverage_file(name).c_str());
#endif
}

template <class Model>
void coverage_retire([[maybe_unused]] Model& m, [[maybe_unused]] const std::string& name) {
#if VM_COVERAGE
  CoverageSums<Model>::get(name).add(m);
#endif
}

}  // namespace lpu::verif
