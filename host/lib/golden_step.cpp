// The golden model's cycle engine: one iteration of Engine::run's loop is one clock cycle,
// in the phase order described in golden_impl.hpp.
#include <string>

#if defined(__SSE2__) && !defined(LPU_GOLDEN_NO_SIMD)
#include <emmintrin.h>
#endif

#include "golden_impl.hpp"
#include "lpu/error.hpp"

namespace lpu::golden_detail {

namespace {

constexpr unsigned idx(gen::Counter c) { return static_cast<unsigned>(c); }

// y[j] = sum_k x[k] * W[k][j]. The weights are stored as k-pairs (wp[kp][j][0..1] =
// W[2kp][j], W[2kp+1][j]) so that one 16-bit multiply-add covers two k for one j; exact in
// int32 for int8 operands (|sum| <= L * 2^14).
inline void matvec(const std::int8_t* x, const std::int16_t* wp, std::int32_t* y, unsigned L) {
#if defined(__SSE2__) && !defined(LPU_GOLDEN_NO_SIMD)
  if (L % 4 == 0 && L <= 64) {
    __m128i xp[32];
    for (unsigned kp = 0; kp < L / 2; ++kp) {
      const auto lo = static_cast<std::uint16_t>(static_cast<std::int16_t>(x[2 * kp]));
      const auto hi = static_cast<std::uint16_t>(static_cast<std::int16_t>(x[2 * kp + 1]));
      xp[kp] = _mm_set1_epi32(static_cast<int>(lo | (static_cast<std::uint32_t>(hi) << 16)));
    }
    for (unsigned j4 = 0; j4 < L; j4 += 4) {
      __m128i acc = _mm_setzero_si128();
      for (unsigned kp = 0; kp < L / 2; ++kp) {
        const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wp + (static_cast<std::size_t>(kp) * L + j4) * 2));
        acc = _mm_add_epi32(acc, _mm_madd_epi16(xp[kp], w));
      }
      _mm_storeu_si128(reinterpret_cast<__m128i*>(y + j4), acc);
    }
    return;
  }
#endif
  for (unsigned j = 0; j < L; ++j) {
    std::int32_t s = 0;
    for (unsigned kp = 0; kp < L / 2; ++kp) {
      const std::int16_t* w = wp + (static_cast<std::size_t>(kp) * L + j) * 2;
      s += static_cast<std::int32_t>(x[2 * kp]) * w[0] + static_cast<std::int32_t>(x[2 * kp + 1]) * w[1];
    }
    y[j] = s;
  }
}

}  // namespace

RunResult Engine::run(std::uint64_t max_cycles) {
  clear_run_state();
  RunResult res;
  for (;;) {
    // Exact idle skip: the issue slot is held (nop, barrier, halt drain) and nothing is in
    // flight, so the cycles before the last held one do nothing but count as stalls.
    if (skip_idle && holding && hold_until > cycle && !pending()) {
      const std::uint64_t to = hold_until < max_cycles ? hold_until : max_cycles;
      counters[idx(gen::Counter::stall_cycles)] += to - cycle;
      cycle = to;
    }
    if (cycle >= max_cycles) {
      throw Error("golden model: the run did not finish within " + std::to_string(max_cycles) +
                  " cycles (pc " + std::to_string(pc) + ")");
    }
    if (step(res)) return res;
  }
}

bool Engine::step(RunResult& res) {
  const bool dual = cfg.sram_dual_port != 0;
  const std::uint32_t depth = cfg.bank_depth;
  const bool tracing = static_cast<bool>(trace);
  {
    // ---- 1. gather ---------------------------------------------------------------------
    n_acc = 0;
    err = ErrorCode::none;
    err_src = kNumSrc;
    int mm_i = -1, mlw_i = -1, vrd_i = -1, vwr_i = -1, lut_i = -1;
    if (mm.rows_left && mm.next == cycle) mm_i = static_cast<int>(add_access(kSrcMm, false, mm.bank, mm.addr, mm.pc));
    if (mlw.rows_left && mlw.next == cycle) {
      mlw_i = static_cast<int>(add_access(kSrcMlw, false, mlw.bank, mlw.addr, mlw.pc));
    }
    if (vtr_rd.rows_left && vtr_rd.next == cycle) {
      vrd_i = static_cast<int>(add_access(kSrcVtrRead, false, vtr_rd.src_bank, vtr_rd.src_addr + vtr_rd.k, vtr_rd.pc));
    }
    if (!vtr_wr.empty() && cycle >= vtr_wr.front().first) {
      const VtrWrite& w = vtr_wr.front();
      vwr_i = static_cast<int>(add_access(kSrcVtrWrite, true, w.bank, w.addr + w.rows_done, w.pc));
    }
    bool lut_bad = false;
    if (lutld.rows_left && lutld.next == cycle) {
      lut_i = static_cast<int>(add_access(kSrcLutld, false, lutld.bank, lutld.addr, lutld.pc));
      // The word's L/2 entries are one LUT access: all in range, or none written.
      if (lutld.entry < 0 || lutld.entry + L / 2 > static_cast<std::int64_t>(cfg.lut_depth)) {
        lut_bad = true;
        raise(ErrorCode::lut_addr, kSrcLutld, lutld.pc);
      }
    }
    int send_i = -1, recv_i = -1;
    if (send.rows_left && send.next == cycle) {
      send_i = static_cast<int>(add_access(kSrcSend, false, send.bank, send.addr, send.pc));
    }
    if (recv.rows_left && cycle >= recv.next && links[recv.link].rx->can_take(cycle)) {
      recv_i = static_cast<int>(add_access(kSrcRecv, true, recv.bank, recv.addr, recv.pc));
    }
    AccWb* aw = nullptr;
    bool aw_bad = false;
    if (awb_count) {
      AccWb& slot = awb[cycle & awb_mask];
      if (slot.valid) {
        aw = &slot;
        if (slot.addr >= cfg.acc_depth) {
          aw_bad = true;
          raise(ErrorCode::acc_addr, kSrcAccWrite, slot.pc);
        }
      }
    }

    // The issue slot: an instruction issues unless an issue check fails (it then has no
    // effect and is not counted). Holding cycles are the stall cycles.
    bool issuing = false;
    int iss_i = -1;
    bool iss_acc_bad = false;
    const std::uint32_t iss_pc = pc;
    const DInstr* d = nullptr;
    iw.sreg = iw.post = iw.store = false;
    if (holding) {
      ++counters[idx(gen::Counter::stall_cycles)];
    } else if (pc >= code.size()) {
      raise(ErrorCode::pc_overrun, kSrcIssue, pc);
    } else {
      d = &code[pc];
      issue_wait = false;
      if (issue_check(*d, pc)) {
        issuing = true;
        ++counters[idx(gen::Counter::instrs)];
        if (d->unit == Unit::vxu) ++counters[idx(gen::Counter::vxu_ops)];
        if (d->unit == Unit::sxu) ++counters[idx(gen::Counter::sxu_ops)];
        if (tracing) emit(TraceEvent::Kind::issue, pc, 0, pc, nullptr, 0);
        issue_access(*d, pc, iss_i, iss_acc_bad);
      } else if (issue_wait) {
        ++counters[idx(gen::Counter::stall_cycles)];  // send waiting for TX buffer room
      }
    }

    // ---- 2. check: address ranges, then bank ports ---------------------------------------
    // An out-of-range request is suppressed and takes no bank port.
    if (n_acc) {
      bool range_bad[8] = {};
      for (unsigned i = 0; i < n_acc; ++i) {
        SramAccess& a = acc_list[i];
        if (a.addr >= depth) {
          a.bad = range_bad[i] = true;
          raise(ErrorCode::sram_addr, a.src, a.pc);
        }
      }
      for (unsigned i = 0; i + 1 < n_acc; ++i) {
        for (unsigned j = i + 1; j < n_acc; ++j) {
          SramAccess& a = acc_list[i];
          SramAccess& b = acc_list[j];
          if (!range_bad[i] && !range_bad[j] && a.bank == b.bank && (!dual || a.write == b.write)) {
            a.bad = b.bad = true;
            raise(ErrorCode::bank_conflict, a.src, a.pc);
            raise(ErrorCode::bank_conflict, b.src, b.pc);
          }
        }
      }
    }

    // ---- 3. read: streams first, then the issuing instruction ----------------------------
    if (mm_i >= 0) {
      if (!acc_list[mm_i].bad) {
        const std::int8_t* x = word(mm.bank, mm.addr);
        const std::uint64_t wc = cycle + cfg.mxu_lat;
        const unsigned s = static_cast<unsigned>(wc & awb_mask);
        std::copy(x, x + L, &awb_x[static_cast<std::size_t>(s) * L]);
        awb[s] = AccWb{true, mm.accumulate, true, static_cast<std::uint8_t>(mm.buf), mm.pc, mm.acc_addr};
        ++awb_count;
        ++counters[idx(gen::Counter::mxu_busy)];
        ++counters[idx(gen::Counter::sram_reads)];
      }
      mm.addr += mm.stride;
      mm.acc_addr += mm.dstride;
      ++mm.next;
      --mm.rows_left;
    }
    // The product of the row read mm_delay cycles ago (of this cycle's row when mm_delay is
    // 0), from its weight buffer as it is now: after every row of an mlw the mm may follow
    // (mlw_ready), before any row of an mlw that may follow it (wbuf_release); the weight
    // buffer is written below.
    if (awb_count) {
      const unsigned s = static_cast<unsigned>((cycle + cfg.mxu_lat - mm_delay) & awb_mask);
      AccWb& slot = awb[s];
      if (slot.valid && slot.product_due) {
        matvec(&awb_x[static_cast<std::size_t>(s) * L], &wbuf[static_cast<std::size_t>(slot.buf) * L * L],
               &awb_data[static_cast<std::size_t>(s) * L], L);
        slot.product_due = false;
      }
    }
    // The weight buffer is written after the products above (no legal schedule has both on
    // one buffer in one cycle; the wbuf hazards forbid it).
    if (mlw_i >= 0) {
      if (!acc_list[mlw_i].bad) {
        const std::int8_t* row = word(mlw.bank, mlw.addr);
        std::int16_t* wp = &wbuf[(static_cast<std::size_t>(mlw.buf) * L + (mlw.k & ~1u)) * L];
        for (unsigned j = 0; j < L; ++j) wp[2 * j + (mlw.k & 1u)] = row[j];
        ++counters[idx(gen::Counter::mxu_wload)];
        ++counters[idx(gen::Counter::sram_reads)];
      }
      mlw.addr += mlw.stride;
      ++mlw.k;
      ++mlw.next;
      --mlw.rows_left;
    }
    if (vrd_i >= 0) {
      if (!acc_list[vrd_i].bad) {
        const std::int8_t* row = word(vtr_rd.src_bank, vtr_rd.src_addr + vtr_rd.k);
        std::copy(row, row + L, &vtr_rd.block[static_cast<std::size_t>(vtr_rd.k) * L]);
        ++counters[idx(gen::Counter::sram_reads)];
      }
      ++vtr_rd.k;
      ++vtr_rd.next;
      if (--vtr_rd.rows_left == 0) {
        VtrWrite w;
        w.first = vtr_rd.issue + cfg.vtr_wr_start;
        w.pc = vtr_rd.pc;
        w.bank = vtr_rd.dst_bank;
        w.addr = vtr_rd.dst_addr;
        w.rows.resize(static_cast<std::size_t>(L) * L);
        for (unsigned j = 0; j < L; ++j) {
          for (unsigned k = 0; k < L; ++k) w.rows[static_cast<std::size_t>(j) * L + k] = vtr_rd.block[static_cast<std::size_t>(k) * L + j];
        }
        vtr_wr.push_back(std::move(w));
      }
    }
    if (lut_i >= 0) {
      if (!acc_list[lut_i].bad && !lut_bad) {
        // Architecturally the word's entries are written at the end of its read cycle (the
        // hardware spreads them over lutld_word_cycles cycles, all done before a vlut can
        // read); nothing reads the LUT while lutld holds the issue slot.
        const std::int8_t* w = word(lutld.bank, lutld.addr);
        for (unsigned e = 0; e < L / 2; ++e) {
          const auto lo = static_cast<std::uint8_t>(w[2 * e]);
          const auto hi = static_cast<std::uint8_t>(w[2 * e + 1]);
          const auto v = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
          const auto ent = static_cast<std::uint32_t>(lutld.entry + e);
          lut[ent] = v;
          if (tracing) {
            const std::int32_t v32 = v;
            emit(TraceEvent::Kind::lut_write, lutld.pc, 0, ent, &v32, 1);
          }
        }
        ++counters[idx(gen::Counter::sram_reads)];
      }
      ++lutld.addr;
      lutld.entry += L / 2;
      lutld.next += cfg.lutld_word_cycles;
      --lutld.rows_left;
    }
    if (send_i >= 0) {
      if (!acc_list[send_i].bad) {
        const std::int8_t* w = word(send.bank, send.addr);
        links[send.link].tx->tx.push_back(LinkChannel::Word{std::vector<std::int8_t>(w, w + L), cycle});
        ++counters[idx(gen::Counter::link_tx)];
        ++counters[idx(gen::Counter::sram_reads)];
      }
      send.addr += static_cast<std::uint32_t>(send.stride);
      ++send.next;
      --send.rows_left;
    }
    if (issuing) issue_execute(*d, iss_pc, iss_i, iss_acc_bad);

    // ---- 4. write ------------------------------------------------------------------------
    if (iw.store && !acc_list[iw.store_idx].bad) {
      const SramAccess& a = acc_list[iw.store_idx];
      std::int8_t* dst = word(a.bank, a.addr);
      std::copy(iw.store_data.begin(), iw.store_data.end(), dst);
      ++counters[idx(gen::Counter::sram_writes)];
      if (tracing) emit8(a.pc, a.bank, static_cast<std::uint32_t>(a.addr), dst);
    }
    if (vwr_i >= 0) {
      VtrWrite& w = vtr_wr.front();
      if (!acc_list[vwr_i].bad) {
        const SramAccess& a = acc_list[vwr_i];
        std::int8_t* dst = word(a.bank, a.addr);
        const std::int8_t* src = &w.rows[static_cast<std::size_t>(w.rows_done) * L];
        std::copy(src, src + L, dst);
        ++counters[idx(gen::Counter::sram_writes)];
        if (tracing) emit8(a.pc, a.bank, static_cast<std::uint32_t>(a.addr), dst);
      }
      if (++w.rows_done == L) vtr_wr.erase(vtr_wr.begin());
    }
    if (recv_i >= 0) {
      LinkChannel& ch = *links[recv.link].rx;
      if (!acc_list[recv_i].bad) {
        const SramAccess& a = acc_list[recv_i];
        std::int8_t* dst = word(a.bank, a.addr);
        std::copy(ch.wire.front().data.begin(), ch.wire.front().data.end(), dst);
        ++counters[idx(gen::Counter::sram_writes)];
        ++counters[idx(gen::Counter::link_rx)];
        if (tracing) emit8(a.pc, a.bank, static_cast<std::uint32_t>(a.addr), dst);
      }
      ch.wire.pop_front();
      recv.addr += static_cast<std::uint32_t>(recv.stride);
      recv.next = cycle + 1;
      if (--recv.rows_left == 0) hold_until = cycle;  // the next instruction issues in cycle + 1
    }
    if (aw) {
      if (!aw_bad) {
        std::int32_t* dst = &acc[static_cast<std::size_t>(aw->addr) * L];
        const std::int32_t* y = &awb_data[static_cast<std::size_t>(cycle & awb_mask) * L];
        if (aw->accumulate) {
          // Read-modify-write at the write cycle: sees every earlier ACC write, including
          // the previous cycle's (forwarded in hardware).
          for (unsigned j = 0; j < L; ++j) {
            dst[j] = static_cast<std::int32_t>(static_cast<std::uint32_t>(dst[j]) + static_cast<std::uint32_t>(y[j]));
          }
        } else {
          std::copy(y, y + L, dst);
        }
        ++counters[idx(gen::Counter::acc_writes)];
        if (tracing) emit(TraceEvent::Kind::acc_write, aw->pc, 0, static_cast<std::uint32_t>(aw->addr), dst, L);
      }
      aw->valid = false;
      --awb_count;
    }
    if (vwb_count) {
      VregWb& wb = vwb[cycle & vwb_mask];
      if (wb.valid) {
        const std::int32_t* src = &vwb_data[static_cast<std::size_t>(cycle & vwb_mask) * L];
        std::copy(src, src + L, vreg(wb.reg));
        if (tracing) emit(TraceEvent::Kind::vreg_write, wb.pc, 0, wb.reg, src, L);
        wb.valid = false;
        --vwb_count;
      }
    }
    if (iw.sreg && iw.sreg_idx != 0) {
      sregs[iw.sreg_idx] = iw.sreg_val;
      if (tracing) emit(TraceEvent::Kind::sreg_write, iss_pc, 0, iw.sreg_idx, &iw.sreg_val, 1);
    }
    if (iw.post && iw.post_idx != 0) {
      sregs[iw.post_idx] = iw.post_val;
      if (tracing) emit(TraceEvent::Kind::sreg_write, iss_pc, 0, iw.post_idx, &iw.post_val, 1);
    }

    // ---- 5. end of cycle -----------------------------------------------------------------
    bool done = false;
    if (err != ErrorCode::none) {
      res.error = err;
      res.error_pc = err_pc;
      res.error_cycle = cycle;
      done = true;
    } else if (holding && cycle >= hold_until) {
      holding = false;
      done = halting;
    }
    if (!done) {
      ++cycle;
      return false;
    }
  }
  res.cycles = cycle + 1;
  counters[idx(gen::Counter::cycles)] = res.cycles;
  res.counters = counters;
  return true;
}

}  // namespace lpu::golden_detail
