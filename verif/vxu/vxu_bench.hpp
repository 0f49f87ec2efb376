// Bench around a Verilated lpu_vxu: drives the issue bus, models the SRAM read/write ports
// and the accumulator read port with C++ memories (read data the cycle after the request,
// writes at the end of the cycle, out-of-range requests suppressed and flagged), and
// returns what the unit did in each cycle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lpu/gen/isa_gen.hpp"
#include "sim_harness.hpp"
#include "vl_bits.hpp"
#include "vxu_ref.hpp"

namespace lpu::verif {

struct Seen {
  bool rd_req = false;
  unsigned rd_bank = 0;
  std::int32_t rd_addr = 0;
  std::uint16_t rd_pc = 0;
  bool wr_req = false;
  unsigned wr_bank = 0;
  std::int32_t wr_addr = 0;
  std::vector<std::uint8_t> wr_data;
  std::uint16_t wr_pc = 0;
  bool acc_req = false;
  std::int32_t acc_addr = 0;
  std::uint16_t acc_pc = 0;
  std::int32_t vext_val = 0;
  bool err = false;
  unsigned err_code = 0;
  std::uint16_t err_pc = 0;
  bool pending = false;
  bool sram_err = false;
};

template <class Model>
class VxuBench {
 public:
  VxuBench(const gen::ConfigDesc& cfg, const std::string& name)
      : cfg_(cfg), L_(cfg.lanes), h_(name),
        sram_(cfg.banks, std::vector<std::uint8_t>(std::size_t{cfg.bank_depth} * cfg.lanes, 0)),
        acc_(std::size_t{cfg.acc_depth} * cfg.lanes, 0) {
    auto& d = h_.dut();
    d.stop_i = 0;
    d.iss_valid_i = 0;
    d.sram_rd_err_i = 0;
    d.host_lut_we_i = 0;
    d.host_lut_re_i = 0;
    h_.reset();
  }

  Harness<Model>& h() { return h_; }
  Model& dut() { return h_.dut(); }
  std::vector<std::vector<std::uint8_t>>& sram() { return sram_; }
  std::vector<std::int32_t>& acc() { return acc_; }
  void set_stop(bool s) { dut().stop_i = s; }

  // One clock cycle with an optional issue.
  Seen cycle(const std::optional<Issue>& iss) {
    auto& d = dut();
    d.iss_valid_i = iss.has_value();
    const std::uint64_t word = iss ? encode(iss->in) : 0;
    d.iss_instr_i = word;
    d.iss_pc_i = iss ? iss->pc : 0;
    d.iss_ra_val_i = iss ? static_cast<std::uint32_t>(iss->ra_val) : 0;
    d.iss_rb_val_i = iss ? static_cast<std::uint32_t>(iss->rb_val) : 0;
    // The sequencer's fetch-stage sum: R[ra] + sext(bits 15:0 of the word), for every word.
    d.iss_ea_i = iss ? static_cast<std::uint32_t>(iss->ra_val) +
                           static_cast<std::uint32_t>(static_cast<std::int16_t>(word & 0xffffu))
                     : 0;
    d.sram_rd_err_i = 0;
    h_.eval();

    Seen s;
    s.rd_req = d.sram_rd_req_o;
    s.rd_bank = d.sram_rd_bank_o;
    s.rd_addr = static_cast<std::int32_t>(d.sram_rd_addr_o);
    s.rd_pc = d.sram_rd_pc_o;
    s.wr_req = d.sram_wr_req_o;
    s.wr_bank = d.sram_wr_bank_o;
    s.wr_addr = static_cast<std::int32_t>(d.sram_wr_addr_o);
    s.wr_pc = d.sram_wr_pc_o;
    s.wr_data.resize(L_);
    for (unsigned l = 0; l < L_; ++l) s.wr_data[l] = static_cast<std::uint8_t>(vl_get(d.sram_wr_data_o, 8 * l, 8));
    s.acc_req = d.acc_rd_req_o;
    s.acc_addr = static_cast<std::int32_t>(d.acc_rd_addr_o);
    s.acc_pc = d.acc_rd_pc_o;
    s.vext_val = static_cast<std::int32_t>(d.vext_val_o);
    s.err = d.err_o;
    s.err_code = d.err_code_o;
    s.err_pc = d.err_pc_o;
    s.pending = d.pending_o;

    // Memory side of this cycle: reads see the state at its start, writes land at its end.
    std::vector<std::uint8_t> rd(L_, 0xa5);
    if (s.rd_req) {
      if (in_sram(s.rd_bank, s.rd_addr)) {
        for (unsigned l = 0; l < L_; ++l) rd[l] = sram_[s.rd_bank][idx(s.rd_addr, l)];
      } else {
        s.sram_err = true;
        d.sram_rd_err_i = 1;
        h_.eval();
      }
    }
    std::vector<std::uint32_t> ad(L_, 0x5a5a5a5au);
    if (s.acc_req) {
      if (s.acc_addr >= 0 && s.acc_addr < static_cast<std::int32_t>(cfg_.acc_depth)) {
        for (unsigned l = 0; l < L_; ++l) ad[l] = static_cast<std::uint32_t>(acc_[idx(s.acc_addr, l)]);
      } else {
        s.sram_err = true;
      }
    }
    if (s.wr_req) {
      if (in_sram(s.wr_bank, s.wr_addr)) {
        for (unsigned l = 0; l < L_; ++l) sram_[s.wr_bank][idx(s.wr_addr, l)] = s.wr_data[l];
      } else {
        s.sram_err = true;
      }
    }
    h_.step();
    for (unsigned l = 0; l < L_; ++l) {
      vl_set(d.sram_rd_data_i, 8 * l, 8, rd[l]);
      vl_set(d.acc_rd_data_i, 32 * l, 32, ad[l]);
    }
    d.iss_valid_i = 0;
    return s;
  }

  // Host table port (idle only): write one entry, or read one (data the next cycle).
  void host_lut_write(unsigned addr, std::int16_t v) {
    auto& d = dut();
    d.host_lut_we_i = 1;
    d.host_lut_addr_i = addr;
    d.host_lut_wdata_i = static_cast<std::uint16_t>(v);
    cycle(std::nullopt);
    d.host_lut_we_i = 0;
  }
  std::vector<std::int16_t> host_lut_read_all() {
    auto& d = dut();
    std::vector<std::int16_t> out(cfg_.lut_depth);
    for (unsigned i = 0; i <= cfg_.lut_depth; ++i) {
      d.host_lut_re_i = i < cfg_.lut_depth;
      d.host_lut_addr_i = i < cfg_.lut_depth ? i : 0;
      h_.eval();
      if (i > 0) out[i - 1] = static_cast<std::int16_t>(d.host_lut_rdata_o);
      h_.step();
    }
    d.host_lut_re_i = 0;
    return out;
  }

  // V[r][l] through vext (combinational in the issue cycle).
  std::int32_t read_vreg(unsigned r, unsigned l) {
    Issue is;
    is.in.op = gen::Op::vext;
    is.in.rd = 1;
    is.in.ra = r;
    is.in.sh = l;
    return cycle(is).vext_val;
  }

 private:
  bool in_sram(unsigned bank, std::int32_t a) const {
    return bank < cfg_.banks && a >= 0 && a < static_cast<std::int32_t>(cfg_.bank_depth);
  }
  std::size_t idx(std::int32_t a, unsigned l) const { return static_cast<std::size_t>(a) * L_ + l; }

  const gen::ConfigDesc& cfg_;
  unsigned L_;
  Harness<Model> h_;
  std::vector<std::vector<std::uint8_t>> sram_;
  std::vector<std::int32_t> acc_;
};

}  // namespace lpu::verif
