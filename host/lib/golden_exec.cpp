// The golden model's instruction datapath: issue checks and what each instruction computes
// and schedules (docs/isa.md "Timing model", "Arithmetic details").
#include <algorithm>

#include "golden_impl.hpp"

namespace lpu::golden_detail {

namespace {

constexpr unsigned idx(gen::Counter c) { return static_cast<unsigned>(c); }

}  // namespace

bool Engine::issue_check(const DInstr& d, std::uint32_t pc_) {
  if (d.err != ErrorCode::none) {
    raise(d.err, kSrcIssue, pc_);
    return false;
  }
  const std::uint64_t c = cycle;
  bool ok = true;
  auto fail = [&](ErrorCode e) {
    raise(e, kSrcIssue, pc_);
    ok = false;
  };
  switch (d.op) {
    case Op::loopi:
      if (d.count != 0 && loops.size() >= cfg.loop_depth) fail(ErrorCode::loop_depth);
      break;
    case Op::loop:
      if (sregs[d.ra] != 0 && loops.size() >= cfg.loop_depth) fail(ErrorCode::loop_depth);
      break;
    case Op::send:
      // In order: no partner; more words than the TX buffer holds, or the previous send (on
      // any link: one send reads at a time) still reading; then the ISA's one wait besides
      // recv: room in the TX buffer.
      if (!links[d.sh].up()) {
        fail(ErrorCode::link_down);
      } else if (d.count > cfg.link_tx_depth || c < send_free) {
        fail(ErrorCode::link_busy);
      } else if (d.count != 0 && links[d.sh].tx->tx_free() < d.count) {
        issue_wait = true;
        ok = false;
      }
      break;
    case Op::recv:
      if (!links[d.sh].up()) fail(ErrorCode::link_down);
      break;
    case Op::mlw:
      // Only the lower code is reported; raise() keeps the lowest.
      if (c < mlw_free) fail(ErrorCode::mxu_busy);
      if (c < wbuf_release[d.sh]) fail(ErrorCode::wbuf_hazard);
      break;
    case Op::mm:
    case Op::mma:
      if (d.count == 0) break;  // a complete no-op: no check, no window
      if (c < mm_free) fail(ErrorCode::mxu_busy);
      if (c < wbuf_ready[d.sh]) fail(ErrorCode::wbuf_hazard);
      break;
    case Op::vtr:
      if (c < vtr_free) fail(ErrorCode::sxu_busy);
      break;
    default:
      break;
  }
  return ok;
}

void Engine::issue_access(const DInstr& d, std::uint32_t pc_, int& sram_idx, bool& acc_bad) {
  const auto ra = static_cast<std::uint32_t>(sregs[d.ra]);
  const auto imm = static_cast<std::uint32_t>(d.imm16);
  switch (d.op) {
    case Op::vld:
    case Op::vldu:
      sram_idx = static_cast<int>(add_access(kSrcIssue, false, d.bank, ra + imm, pc_));
      break;
    case Op::vgather:
      sram_idx = static_cast<int>(
          add_access(kSrcIssue, false, d.bank, ra + imm + static_cast<std::uint32_t>(vreg(d.rb)[d.sh]), pc_));
      break;
    case Op::vst:
    case Op::vstb:
      sram_idx = static_cast<int>(add_access(kSrcIssue, true, d.bank, ra + imm, pc_));
      break;
    case Op::vlda:
      if (ra + imm >= cfg.acc_depth) {
        acc_bad = true;
        raise(ErrorCode::acc_addr, kSrcIssue, pc_);
      }
      break;
    default:
      break;
  }
}

void Engine::issue_execute(const DInstr& d, std::uint32_t pc_, int sram_idx, bool acc_bad) {
  const std::uint64_t c = cycle;
  const std::int32_t* R = sregs.data();
  std::uint32_t next = pc_ + 1;  // default: the next instruction, subject to loop ends
  std::uint32_t end_pc = pc_;    // pc whose loop-end check decides the next issue
  bool check_end = true;

  // Vector results go straight into the write-back slot of cycle c + vlat - 1.
  std::int32_t* out = nullptr;
  auto vresult = [&]() {
    const std::uint64_t wc = c + cfg.vlat - 1;
    const unsigned s = static_cast<unsigned>(wc & vwb_mask);
    vwb[s] = VregWb{true, d.rd, pc_};
    ++vwb_count;
    note_effect(wc);
    out = &vwb_data[static_cast<std::size_t>(s) * L];
  };
  auto opb = [&]() -> const std::int32_t* {
    if (d.bmode == 0) return vreg(d.rb);
    const std::int32_t v = d.bmode == 1 ? R[d.rb] : d.imm16;
    std::fill(tmp_b.begin(), tmp_b.end(), v);
    return tmp_b.data();
  };
  auto post_inc = [&]() {
    if (d.ra != 0 && d.stride != 0) {
      iw.post = true;
      iw.post_idx = d.ra;
      iw.post_val = wrap32(std::int64_t{R[d.ra]} + d.stride);
    }
  };
  auto sresult = [&](std::int32_t v) {
    iw.sreg = true;
    iw.sreg_idx = d.rd;
    iw.sreg_val = v;
  };
  auto hold = [&](std::uint64_t until) {
    holding = true;
    hold_until = until;
  };

  switch (d.op) {
    // ---- control ----
    case Op::halt:
      halting = true;
      hold(std::max(c, last_effect));
      break;
    case Op::barrier:
      hold(std::max(c, last_effect));
      break;
    case Op::nop:
      hold(c + d.count);
      break;
    case Op::loopi:
    case Op::loop: {
      const std::uint32_t n = d.op == Op::loopi ? d.count : static_cast<std::uint32_t>(R[d.ra]);
      if (n == 0) {
        end_pc = pc_ + d.len;  // skipping the body counts as reaching its last instruction
      } else {
        loops.push_back(LoopEntry{pc_ + 1, pc_ + d.len, n});
        check_end = false;
      }
      break;
    }

    // ---- scalar ----
    case Op::li: sresult(d.imm32); break;
    case Op::addi: sresult(wrap32(std::int64_t{R[d.ra]} + d.imm32)); break;
    case Op::add: sresult(wrap32(std::int64_t{R[d.ra]} + R[d.rb])); break;
    case Op::sub: sresult(wrap32(std::int64_t{R[d.ra]} - R[d.rb])); break;
    case Op::mul: sresult(wrap32(std::int64_t{R[d.ra]} * R[d.rb])); break;
    case Op::vext: sresult(vreg(d.ra)[d.sh]); break;

    // ---- loads / stores ----
    // A suppressed read (its error stops the chip at the end of this cycle) schedules no
    // write-back: it could never land. The post-increment still happens.
    case Op::vld:
    case Op::vldu:
    case Op::vgather: {
      const SramAccess& a = acc_list[sram_idx];
      if (!a.bad) {
        const std::int8_t* w = word(a.bank, a.addr);
        ++counters[idx(gen::Counter::sram_reads)];
        vresult();
        for (unsigned l = 0; l < L; ++l) out[l] = d.op == Op::vldu ? static_cast<std::uint8_t>(w[l]) : w[l];
      }
      if (d.op != Op::vgather) post_inc();
      break;
    }
    case Op::vlda: {
      if (!acc_bad) {
        const std::uint32_t a = static_cast<std::uint32_t>(R[d.ra]) + static_cast<std::uint32_t>(d.imm16);
        const std::int32_t* e = &acc[static_cast<std::size_t>(a) * L];
        vresult();
        std::copy(e, e + L, out);
      }
      post_inc();
      break;
    }
    case Op::vst:
    case Op::vstb: {
      const std::int32_t* v = vreg(d.rd);
      for (unsigned l = 0; l < L; ++l) {
        iw.store_data[l] = d.op == Op::vst ? static_cast<std::int8_t>(saturate_int8(v[l]))
                                           : static_cast<std::int8_t>(static_cast<std::uint32_t>(v[l]) >> (8 * d.sh));
      }
      iw.store = true;
      iw.store_idx = sram_idx;
      post_inc();
      break;
    }

    // ---- vector ALU ----
    case Op::vadd:
    case Op::vsub:
    case Op::vmul:
    case Op::vmin:
    case Op::vmax:
    case Op::vand:
    case Op::vor:
    case Op::vxor:
    case Op::vshl:
    case Op::vsra:
    case Op::vsrl:
    case Op::vceq:
    case Op::vclt:
    case Op::vmulsh:
    case Op::vrq: {
      const std::int32_t* a = vreg(d.ra);
      const std::int32_t* b = opb();
      vresult();
      for (unsigned l = 0; l < L; ++l) {
        const std::int64_t x = a[l], y = b[l];
        const auto ux = static_cast<std::uint32_t>(a[l]);
        const unsigned s = static_cast<std::uint32_t>(b[l]) & 31u;
        std::int32_t r = 0;
        switch (d.op) {
          case Op::vadd: r = wrap32(x + y); break;
          case Op::vsub: r = wrap32(x - y); break;
          case Op::vmul: r = wrap32(x * y); break;
          case Op::vmin: r = static_cast<std::int32_t>(std::min(x, y)); break;
          case Op::vmax: r = static_cast<std::int32_t>(std::max(x, y)); break;
          case Op::vand: r = static_cast<std::int32_t>(ux & static_cast<std::uint32_t>(b[l])); break;
          case Op::vor: r = static_cast<std::int32_t>(ux | static_cast<std::uint32_t>(b[l])); break;
          case Op::vxor: r = static_cast<std::int32_t>(ux ^ static_cast<std::uint32_t>(b[l])); break;
          case Op::vshl: r = static_cast<std::int32_t>(ux << s); break;
          case Op::vsra: r = static_cast<std::int32_t>(x >> s); break;
          case Op::vsrl: r = static_cast<std::int32_t>(ux >> s); break;
          case Op::vceq: r = x == y ? 1 : 0; break;
          case Op::vclt: r = x < y ? 1 : 0; break;
          case Op::vmulsh: r = saturate_int32(round_shift(x * y, d.sh)); break;
          case Op::vrq: r = saturate_int8(round_shift(x * y, d.sh)); break;
          default: break;
        }
        out[l] = r;
      }
      break;
    }
    case Op::vmov: {
      const std::int32_t* b = opb();
      vresult();
      std::copy(b, b + L, out);
      break;
    }
    case Op::vrelu: {
      const std::int32_t* a = vreg(d.ra);
      vresult();
      for (unsigned l = 0; l < L; ++l) out[l] = std::max(a[l], 0);
      break;
    }
    case Op::vclamp: {
      const std::int32_t* a = vreg(d.ra);
      vresult();
      for (unsigned l = 0; l < L; ++l) out[l] = std::min(std::max(a[l], d.imm16), d.hi16);
      break;
    }
    case Op::vlut: {
      const std::int32_t* a = vreg(d.ra);
      vresult();
      const std::int64_t top = static_cast<std::int64_t>(cfg.lut_depth) - 1;
      for (unsigned l = 0; l < L; ++l) {
        const std::int64_t i = std::min(std::max(std::int64_t{a[l]} + d.imm16, std::int64_t{0}), top);
        out[l] = lut[static_cast<std::size_t>(i)];
      }
      break;
    }
    case Op::vredsum:
    case Op::vredmax:
    case Op::vredmin: {
      const std::int32_t* a = vreg(d.ra);
      std::int64_t r = a[0];
      for (unsigned l = 1; l < L; ++l) {
        if (d.op == Op::vredsum) r = wrap32(r + a[l]);
        if (d.op == Op::vredmax) r = std::max<std::int64_t>(r, a[l]);
        if (d.op == Op::vredmin) r = std::min<std::int64_t>(r, a[l]);
      }
      vresult();
      std::fill(out, out + L, static_cast<std::int32_t>(r));
      break;
    }
    case Op::vlid:
      vresult();
      for (unsigned l = 0; l < L; ++l) out[l] = static_cast<std::int32_t>(l);
      break;

    // ---- switch unit ----
    case Op::vrot: {
      const std::int32_t* a = vreg(d.ra);
      const std::int64_t n = L;
      const std::int64_t r = ((d.imm16 % n) + n) % n;
      vresult();
      for (unsigned l = 0; l < L; ++l) out[l] = a[(l + r) % n];
      break;
    }
    case Op::vshift: {
      const std::int32_t* a = vreg(d.ra);
      vresult();
      for (unsigned l = 0; l < L; ++l) {
        const std::int64_t s = std::int64_t{l} + d.imm16;
        out[l] = (s >= 0 && s < static_cast<std::int64_t>(L)) ? a[s] : 0;
      }
      break;
    }
    case Op::vbcast: {
      const std::int32_t v = vreg(d.ra)[d.sh];
      vresult();
      std::fill(out, out + L, v);
      break;
    }
    case Op::vtr:
      vtr_rd.rows_left = L;
      vtr_rd.next = c + 1;
      vtr_rd.issue = c;
      vtr_rd.pc = pc_;
      vtr_rd.src_bank = d.bank;
      vtr_rd.dst_bank = d.rd;
      vtr_rd.k = 0;
      vtr_rd.src_addr = static_cast<std::uint32_t>(R[d.ra]);
      vtr_rd.dst_addr = static_cast<std::uint32_t>(R[d.rb]);
      vtr_free = c + cfg.vtr_busy;
      note_effect(c + cfg.vtr_wr_start + L - 1);
      break;

    // ---- MXU ----
    case Op::mlw:
      mlw.rows_left = L;
      mlw.next = c + 1;
      mlw.pc = pc_;
      mlw.bank = d.bank;
      mlw.buf = d.sh;
      mlw.k = 0;
      mlw.addr = static_cast<std::uint32_t>(R[d.ra]);
      mlw.stride = d.stride;
      mlw_free = c + cfg.mlw_busy;
      wbuf_ready[d.sh] = c + cfg.mlw_ready;
      note_effect(c + L);
      break;
    case Op::mm:
    case Op::mma:
      if (d.count == 0) break;  // does nothing, opens no window
      mm.rows_left = d.count;
      mm.next = c + 1;
      mm.pc = pc_;
      mm.bank = d.bank;
      mm.buf = d.sh;
      mm.accumulate = d.op == Op::mma;
      mm.addr = static_cast<std::uint32_t>(R[d.ra]);
      mm.stride = d.stride;
      mm.acc_addr = static_cast<std::uint32_t>(R[d.rb]);
      mm.dstride = d.dstride;
      mm_free = c + d.count;
      wbuf_release[d.sh] = c + d.count + cfg.wbuf_release;
      note_effect(c + d.count + cfg.mxu_lat);
      break;

    // ---- lookup table ----
    case Op::lutld:
      // Word i is read in cycle c+1+W*i (W = lutld_word_cycles); the slot is held W*n+1 cycles.
      hold(c + static_cast<std::uint64_t>(cfg.lutld_word_cycles) * d.count);
      if (d.count == 0) break;
      lutld.rows_left = d.count;
      lutld.next = c + 1;
      lutld.pc = pc_;
      lutld.bank = d.bank;
      lutld.addr = static_cast<std::uint32_t>(R[d.ra]);
      lutld.entry = d.hi16;
      break;

    // ---- links (docs/isa.md "Links") ----
    case Op::send:
      send_free = c + d.count;
      if (d.count == 0) break;
      send.rows_left = d.count;
      send.next = c + 1;
      send.pc = pc_;
      send.bank = d.bank;
      send.addr = static_cast<std::uint32_t>(R[d.ra]);
      send.stride = d.stride;
      send.link = d.sh;
      note_effect(c + d.count);
      break;
    case Op::recv:
      if (d.count == 0) {
        hold(c);
        break;
      }
      // Held until the last word is written (the write phase releases it).
      hold(~std::uint64_t{0});
      recv.rows_left = d.count;
      recv.next = c + 1;
      recv.pc = pc_;
      recv.bank = d.bank;
      recv.addr = static_cast<std::uint32_t>(R[d.ra]);
      recv.stride = d.stride;
      recv.link = d.sh;
      break;
  }

  if (check_end) {
    while (!loops.empty() && loops.back().end == end_pc) {
      LoopEntry& top = loops.back();
      if (top.remaining > 1) {
        --top.remaining;
        next = top.start;
        check_end = false;
        break;
      }
      loops.pop_back();
    }
    if (check_end) next = end_pc + 1;
  }
  pc = next;
}

}  // namespace lpu::golden_detail
