// The lpu_mxu testbench: drives the issue bus, serves the SRAM read ports from SramModel one
// cycle after each request, and checks every output in every cycle against MxuSpec and a
// plain accumulator array: iss_err_o, the read requests (cycle, bank, address, pc), the
// accumulator writes (cycle, entry, value, pc), acc_addr errors, pending_o and the vector
// read port (read-first).
#pragma once

#include LPU_VTOP_HEADER

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mxu_spec.hpp"
#include "sim_harness.hpp"
#include "vl_bits.hpp"

namespace lpu::verif::mxu {

using Model = LPU_VTOP;
constexpr unsigned kLanes = LPU_P_Lanes;
constexpr unsigned kAccDepth = LPU_P_AccDepth;
constexpr unsigned kMxuLat = LPU_P_MxuLat;
constexpr unsigned kMlwBusy = LPU_P_MlwBusy;
constexpr unsigned kMlwReady = LPU_P_MlwReady;
constexpr unsigned kWbufRelease = LPU_P_WbufRelease;

using W = Word<kLanes>;
using Row = AccRow<kLanes>;

template <class A>
std::string row_str(const A& r) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < r.size(); ++i) os << (i ? " " : "") << int64_t{r[i]};
  os << "]";
  return os.str();
}

class MxuBench {
 public:
  MxuBench()
      : h_("mxu_l" + std::to_string(kLanes)),
        sram_(h_.rng()()),
        spec_(sram_, {kAccDepth, kMxuLat, kMlwBusy, kMlwReady, kWbufRelease}),
        acc_(kAccDepth) {
    h_.reset();
    drive_idle();
    h_.eval();
    h_.check(!h_.dut().pending_o, "pending_o after reset", 0, 1);
  }

  Harness<Model>& h() { return h_; }
  SramModel<kLanes>& sram() { return sram_; }
  MxuSpec<kLanes>& spec() { return spec_; }
  std::uint64_t now() const { return cyc_; }
  const Row& acc(unsigned e) const { return acc_.at(e); }
  unsigned acc_writes() const { return acc_writes_; }
  unsigned acc_errors() const { return acc_errors_; }
  unsigned rejects() const { return rejects_; }
  std::uint8_t last_err() const { return last_err_; }

  // Writes every accumulator entry through the host port (and the reference with it).
  void host_fill(const std::function<Row(unsigned)>& value) {
    auto& d = h_.dut();
    for (unsigned e = 0; e < kAccDepth; ++e) {
      acc_[e] = value(e);
      d.host_acc_req_i = 1;
      d.host_acc_we_i = 1;
      d.host_acc_addr_i = e;
      for (unsigned j = 0; j < kLanes; ++j) {
        vl_set(d.host_acc_wdata_i, j * 32, 32, static_cast<std::uint32_t>(acc_[e][j]));
      }
      step_raw();
    }
    d.host_acc_req_i = 0;
    d.host_acc_we_i = 0;
  }

  // Reads entry e through the host port (the cycle after the request).
  Row host_read(unsigned e) {
    auto& d = h_.dut();
    d.host_acc_req_i = 1;
    d.host_acc_we_i = 0;
    d.host_acc_addr_i = e;
    step_raw();
    d.host_acc_req_i = 0;
    h_.eval();
    return out_row(d.host_acc_rdata_o);
  }

  // One cycle: optional issue, optional vlda read of `vlda` (any 32-bit value), stop/clear.
  // Returns the DUT's iss_err_o (already checked against the spec).
  std::uint8_t cycle(const std::optional<Instr>& iss = std::nullopt,
                     std::optional<std::int32_t> vlda = std::nullopt, bool stop = false,
                     bool clear = false) {
    auto& d = h_.dut();
    auto& rng = h_.rng();
    // Inputs.
    d.iss_valid_i = iss.has_value();
    d.iss_instr_i = iss ? encode(*iss) : rng();
    d.iss_pc_i = iss ? iss->pc : static_cast<std::uint16_t>(rng());
    d.iss_ra_val_i = iss ? static_cast<std::uint32_t>(iss->ra_val) : static_cast<std::uint32_t>(rng());
    d.iss_rb_val_i = iss ? static_cast<std::uint32_t>(iss->rb_val) : static_cast<std::uint32_t>(rng());
    serve(d.act_rd_data_i, act_served_);
    serve(d.w_rd_data_i, w_served_);
    d.acc_rd_valid_i = vlda.has_value();
    d.acc_rd_addr_i = vlda ? static_cast<std::uint32_t>(*vlda) : static_cast<std::uint32_t>(rng());
    d.stop_i = stop;
    d.clear_i = clear;
    h_.eval();

    // The vector read of the previous cycle.
    if (vlda_expect_) {
      const Row got = out_row(d.acc_rd_data_o);
      h_.check(got == *vlda_expect_, "acc_rd_data_o (vlda)", row_str(*vlda_expect_), row_str(got));
      vlda_expect_.reset();
    }

    if (!stop && !clear && checking_) check_cycle(iss, vlda);

    // Remember what the DUT asked for, to serve it next cycle.
    act_served_ = d.act_rd_valid_o ? std::optional<W>(sram_.get(d.act_rd_bank_o, d.act_rd_addr_o))
                                   : std::nullopt;
    w_served_ = d.w_rd_valid_o ? std::optional<W>(sram_.get(d.w_rd_bank_o, d.w_rd_addr_o))
                               : std::nullopt;
    if (d.acc_wr_o) wr_cycles_.push_back(cyc_);
    const std::uint8_t err = d.iss_err_o;
    step_raw();
    return err;
  }

  // Idles until nothing is pending (checked every cycle), plus a few cycles.
  void drain(unsigned extra = 3) {
    while (spec_.pending(cyc_)) cycle();
    for (unsigned i = 0; i < extra; ++i) cycle();
  }

  // Reads entry e through the vlda port and returns it (checked against the reference too).
  Row vlda_read(unsigned e) {
    cycle(std::nullopt, static_cast<std::int32_t>(e));
    h_.eval();
    return out_row(h_.dut().acc_rd_data_o);
  }

  // Cycles in which the DUT wrote an accumulator entry (acc_wr_o), as observed.
  const std::vector<std::uint64_t>& wr_cycles() const { return wr_cycles_; }

  // Turns the per-cycle reference checks off (stop/clear tests check by hand).
  void set_checking(bool on) { checking_ = on; }

  // Drops the reference's schedule (after a clear_i): a fresh spec with the same weights.
  void reset_spec_after_clear() {
    MxuSpec<kLanes> fresh(sram_, {kAccDepth, kMxuLat, kMlwBusy, kMlwReady, kWbufRelease});
    fresh.set_weights(spec_.weights(0), spec_.weights(1));
    spec_ = fresh;  // same time base: its windows are all in the past
  }

  template <class T>
  Row out_row(const T& port) const {
    Row r{};
    for (unsigned j = 0; j < kLanes; ++j) r[j] = static_cast<std::int32_t>(vl_get(port, j * 32, 32));
    return r;
  }

 private:
  void drive_idle() {
    auto& d = h_.dut();
    d.iss_valid_i = 0;
    d.stop_i = 0;
    d.clear_i = 0;
    d.acc_rd_valid_i = 0;
    d.host_acc_req_i = 0;
    d.host_acc_we_i = 0;
  }

  template <class T>
  void serve(T& port, const std::optional<W>& w) {
    for (unsigned l = 0; l < kLanes; ++l) {
      // Random filler when no read was requested: the MXU must not use it.
      const std::uint8_t b = w ? static_cast<std::uint8_t>((*w)[l]) : static_cast<std::uint8_t>(h_.rng()());
      vl_set(port, l * 8, 8, b);
    }
  }

  void step_raw() {
    h_.step();
    ++cyc_;
  }

  void check_cycle(const std::optional<Instr>& iss, std::optional<std::int32_t> vlda) {
    auto& d = h_.dut();
    const std::uint64_t c = cyc_;

    // pending_o reflects issues of earlier cycles only.
    const bool want_pending = spec_.pending(c);
    h_.check(bool(d.pending_o) == want_pending, "pending_o", want_pending, int(d.pending_o));

    // Issue.
    std::uint8_t want_err = 0;
    if (iss) want_err = spec_.issue(c, *iss);
    h_.check(d.iss_err_o == want_err, "iss_err_o", int(want_err), int(d.iss_err_o));
    if (want_err != 0) ++rejects_;
    last_err_ = want_err;

    // SRAM reads.
    check_read("act_rd", spec_.act_read(c), d.act_rd_valid_o, d.act_rd_bank_o, d.act_rd_addr_o,
               d.act_rd_pc_o);
    check_read("w_rd", spec_.w_read(c), d.w_rd_valid_o, d.w_rd_bank_o, d.w_rd_addr_o,
               d.w_rd_pc_o);

    // The vector read port: range flag now, data (the start-of-cycle value) next cycle.
    if (vlda) {
      const bool bad = *vlda < 0 || static_cast<std::uint32_t>(*vlda) >= kAccDepth;
      h_.check(bool(d.acc_rd_err_o) == bad, "acc_rd_err_o", bad, int(d.acc_rd_err_o));
      if (!bad) vlda_expect_ = acc_[static_cast<unsigned>(*vlda)];
    } else {
      h_.check(!d.acc_rd_err_o, "acc_rd_err_o (no read)", 0, 1);
    }

    // Accumulator write due this cycle.
    const WriteEv<kLanes>* w = spec_.write(c);
    const bool want_wr = w && w->ok;
    const bool want_err_acc = w && !w->ok;
    h_.check(bool(d.acc_wr_o) == want_wr, "acc_wr_o", want_wr, int(d.acc_wr_o));
    h_.check(bool(d.acc_wr_err_o) == want_err_acc, "acc_wr_err_o", want_err_acc,
             int(d.acc_wr_err_o));
    if (w) h_.check(d.acc_wr_pc_o == w->pc, "acc_wr_pc_o", w->pc, d.acc_wr_pc_o);
    if (want_wr) {
      Row& e = acc_[w->addr];
      Row nv{};
      for (unsigned j = 0; j < kLanes; ++j) {
        nv[j] = w->accum ? static_cast<std::int32_t>(static_cast<std::uint32_t>(e[j]) +
                                                     static_cast<std::uint32_t>(w->y[j]))
                         : w->y[j];
      }
      h_.check(d.acc_wr_addr_o == w->addr, "acc_wr_addr_o", w->addr, d.acc_wr_addr_o);
      const Row got = out_row(d.acc_wr_data_o);
      h_.check(got == nv, "acc_wr_data_o (entry " + std::to_string(w->addr) + ")", row_str(nv),
               row_str(got));
      e = nv;  // takes effect at the end of the cycle (after this cycle's vlda sampled it)
      ++acc_writes_;
    }
    if (want_err_acc) ++acc_errors_;
  }

  void check_read(const std::string& port, const ReadEv* ev, bool valid, unsigned bank,
                  std::uint32_t addr, std::uint16_t pc) {
    h_.check(valid == (ev != nullptr), port + "_valid_o", ev != nullptr, valid);
    if (!ev) return;
    h_.check(bank == ev->bank, port + "_bank_o", ev->bank, bank);
    h_.check(addr == ev->addr, port + "_addr_o", static_cast<std::int32_t>(ev->addr),
             static_cast<std::int32_t>(addr));
    h_.check(pc == ev->pc, port + "_pc_o", ev->pc, pc);
  }

  Harness<Model> h_;
  SramModel<kLanes> sram_;
  MxuSpec<kLanes> spec_;
  std::vector<Row> acc_;
  std::uint64_t cyc_ = 0;
  std::optional<W> act_served_, w_served_;
  std::optional<Row> vlda_expect_;
  bool checking_ = true;
  std::vector<std::uint64_t> wr_cycles_;
  unsigned acc_writes_ = 0, acc_errors_ = 0, rejects_ = 0;
  std::uint8_t last_err_ = 0;
};

}  // namespace lpu::verif::mxu
