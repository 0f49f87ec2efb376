// The RTL core as a C++ object: the Verilator model of lpu_core (configuration base or tiny)
// behind the API of lpu::GoldenModel (lpu/golden.hpp), so that the co-simulation can diff
// the two and the host's in-process "sim" device can run programs on the RTL.
//
// Everything goes through lpu_core's host port (docs/core.md): code and data are written
// word by word, a run is started with CMD = 1, results are read back through the port. Only
// the per-cycle write trace and the vector registers are observed directly inside the model
// (signals made public by verif/core/core_sim.vlt).
//
// Owner: CoreSim owns its Verilator context and model. Memories start at zero (the model is
// built with Verilator's randReset(0)), like the golden model after reset().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "lpu/config.hpp"
#include "lpu/golden.hpp"
#include "lpu/program.hpp"

namespace lpu {

class CoreSim {
 public:
  // Which build of lpu_core: with its link hardware (the default) or without (WithLinks = 0, a
  // single-chip build whose links never come up; a model of it is built for tiny only).
  enum class Links { hardware, none };

  // Throws lpu::Error when there is no RTL model for `cfg` (only base and tiny are built, and
  // without links only tiny).
  explicit CoreSim(const Config& cfg, Links links = Links::hardware);
  ~CoreSim();
  CoreSim(const CoreSim&) = delete;
  CoreSim& operator=(const CoreSim&) = delete;

  const Config& config() const;

  // A fresh chip: every memory, register, counter and the loaded code cleared (the model is
  // rebuilt and reset).
  void reset();
  // Code and data segments (check_fits first); memories not named keep their contents.
  void load(const Program& p);
  void load_code(const std::vector<std::uint64_t>& code);

  // Raw memory access in the container's byte layout, through the host port; throws
  // lpu::Error when out of range or while a run is in progress.
  void write_mem(Space s, std::uint32_t bank, std::uint32_t addr, const std::vector<std::uint8_t>& bytes);
  std::vector<std::uint8_t> read_mem(Space s, std::uint32_t bank, std::uint32_t addr, std::size_t nbytes);

  // Runs from pc 0 until halt or an error, or until max_cycles run cycles elapse (then
  // throws lpu::Error, leaving the run in progress; abort() ends it).
  RunResult run(std::uint64_t max_cycles = 1ull << 34);

  // Incremental control for a device backend: start(), then advance(n) until it returns
  // false (the run ended), then result(). abort() raises `aborted` in the current cycle.
  void start();
  bool advance(std::uint64_t n);
  void abort();
  bool running() const;
  RunResult result();

  // Called for every architectural event of a run (nullptr: off, the fast path). Events of a
  // cycle come in the order issue, sram_write, acc_write, vreg_write, sreg_write, lut_write.
  void set_trace(std::function<void(const TraceEvent&)> fn);

  std::int32_t sreg(unsigned i);
  std::int32_t vreg(unsigned i, unsigned lane) const;

  // Clock cycles simulated so far (host port traffic included).
  std::uint64_t clock_cycles() const;

  // Chip-to-chip links (docs/core.md "Links"). Loopback on: link 0's TX pins drive link 1's
  // RX pins and link 1's drive link 0's (the chip is chip 0 of a ring of one, docs/isa.md
  // "Links"); off (the default, and after reset()): the RX pins are held at 0 and no link
  // comes up, so send/recv raise link_down as in the golden model without a partner.
  void set_link_loopback(bool on);
  // Clock cycles outside a run (the links train meanwhile) until every link is up or
  // max_cycles have passed; returns whether every link is up. Throws while a run is going.
  bool wait_links_up(std::uint64_t max_cycles);
  // The link status space of the host port (SpLink, docs/core.md): address k*32 is link k's
  // {up, state}, k*32 + 1 + i its status counter i.
  std::uint32_t link_reg(std::uint32_t addr);

  struct Backend;  // one per Verilator model (core_sim.cpp)

 private:
  const Config& cfg_;
  Links links_;
  std::unique_ptr<Backend> be_;
  std::function<void(const TraceEvent&)> trace_;
};

// True when CoreSim has an RTL model for `cfg`.
bool core_sim_supports(const Config& cfg);

}  // namespace lpu
