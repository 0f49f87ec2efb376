// Loop regions of the static scheduler (schedule.hpp Region, docs/compiler.md "Loop
// regions"): a periodic body placed as a block, every iteration's effects booked exactly as
// if the instructions were straight-line code.
#include <algorithm>
#include <map>

#include "lpu/error.hpp"
#include "schedule.hpp"

namespace lpu::compiler::detail {

namespace {

constexpr std::int64_t kRegionWindow = 4096;  // cycles searched for a start

}  // namespace

bool Scheduler::place_region(const Region& r) {
  const std::int64_t p = r.period, n = r.trips;
  const auto ns = static_cast<std::int64_t>(r.sinit.size());
  const std::int64_t len = ns + 1 + n * p;
  const std::int64_t lat = cfg_.mxu_lat;
  if (n < 2 || p < 1) throw Error("internal: a loop region needs two trips");
  // Issue order of the body (by offset) for the MXU queue simulation.
  std::vector<std::size_t> order(r.body.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return r.body[a].off < r.body[b].off; });
  const std::int64_t last = std::max(misc_[kLastSlotIndex], misc_[0]);
  for (std::int64_t t = std::max<std::int64_t>(r.lb, 0); t < last + len + kRegionWindow; ++t) {
    bool ok = true;
    for (std::int64_t c = t; c < t + len && ok; ++c) {
      if (!slot_free(c)) {
        ok = false;
        t = c;  // the next start to try is after this busy slot
      }
    }
    if (!ok) continue;
    const std::int64_t t0 = t + ns + 1, end = t + len;
    std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> ports;  // cycle -> (rd, wr)
    auto use_port = [&](std::int64_t c, std::uint32_t bank, bool wr) {
      if (!port_free(c, bank, wr)) return false;
      auto& m = ports[c];
      const std::int64_t bit = std::int64_t{1} << bank;
      if (cfg_.sram_dual_port == 0) {
        if ((m.first | m.second) & bit) return false;
      } else if ((wr ? m.second : m.first) & bit) {
        return false;
      }
      (wr ? m.second : m.first) |= bit;
      return true;
    };
    std::int64_t mlw_free = mlw_free_, mm_free = mm_free_;
    std::int64_t wready[2] = {wbuf_ready_[0], wbuf_ready_[1]};
    std::int64_t wrel[2] = {wbuf_release_[0], wbuf_release_[1]};
    for (std::int64_t k = 0; k < n && ok; ++k) {
      for (std::size_t oi = 0; oi < order.size() && ok; ++oi) {
        const RegionOp& op = r.body[order[oi]];
        const std::int64_t c = t0 + k * p + op.off;
        switch (op.kind) {
          case RegionOp::Kind::mlw:
            ok = c >= mlw_free && c >= wrel[op.buf];
            for (std::int64_t i = 0; i < L_ && ok; ++i) ok = use_port(c + 1 + i, op.bank, false);
            mlw_free = c + cfg_.mlw_busy;
            wready[op.buf] = c + cfg_.mlw_ready;
            break;
          case RegionOp::Kind::mm:
            ok = c >= mm_free && c >= wready[op.buf];
            for (std::uint32_t i = 0; i < op.count && ok; ++i) {
              ok = use_port(c + 1 + i, op.bank, false) &&
                   w_write_[word(op.bank, static_cast<std::uint32_t>(op.addr + k * op.step + i))] <=
                       c + i;
              const auto e = static_cast<std::size_t>(op.acc + k * op.acc_step + i);
              const std::int64_t w = c + 1 + i + lat;
              ok = ok && w >= a_read_[e] && w > a_write_[e];
            }
            mm_free = c + op.count;
            wrel[op.buf] = c + op.count + cfg_.wbuf_release;
            break;
          case RegionOp::Kind::vlda:
            // Entries written inside the region are read after their writes by construction
            // (the body's timing); this checks the writes before the region.
            ok = a_write_[static_cast<std::size_t>(op.acc + k * op.acc_step)] < c;
            break;
          case RegionOp::Kind::vst: {
            const std::size_t wi = word(op.bank, static_cast<std::uint32_t>(op.addr + k * op.step));
            ok = c >= w_read_[wi] && c > w_write_[wi] && use_port(c, op.bank, true);
            break;
          }
          default:
            break;
        }
      }
    }
    if (!ok) continue;
    // Physical registers free over the whole region.
    // `n` registers of `regs` from `first` on, the lowest free ones, into `phys`.
    auto pick = [&](const std::vector<std::vector<Interval>>& regs, unsigned first, std::size_t n,
                    std::vector<unsigned>& phys) {
      for (unsigned reg = first; reg < regs.size() && phys.size() < n; ++reg) {
        if (reg_free(regs[reg], t, end)) phys.push_back(reg);
      }
      return phys.size() == n;
    };
    std::vector<unsigned> sphys, vphys;
    ok = pick(sregs_, 1, r.sinit.size(), sphys) && pick(vregs_, 0, r.nvregs, vphys);
    if (!ok) return false;  // no registers: the caller falls back to straight-line code

    // Commit: li's, loopi, the first iteration's instructions; later iterations' slots.
    for (std::int64_t i = 0; i < ns; ++i) {
      Instr li;
      li.op = Op::li;
      li.set(Field::rd, sphys[static_cast<std::size_t>(i)]);
      li.set(Field::imm32, r.sinit[static_cast<std::size_t>(i)]);
      put(t + i, Placed{li});
    }
    Instr loop;
    loop.op = Op::loopi;
    loop.set(Field::count, n);
    loop.set(Field::len, 1);  // the body's word count is set when the program is emitted
    put(t + ns, Placed{loop});
    for (const RegionOp& op : r.body) {
      Instr in = op.in;
      auto vset = [&](int v, Field f) {
        if (v >= 0) in.set(f, vphys[static_cast<std::size_t>(v)]);
      };
      auto sset = [&](int v, Field f) {
        if (v >= 0) in.set(f, sphys[static_cast<std::size_t>(v)]);
      };
      vset(op.vd, Field::rd);
      vset(op.vs, Field::rd);
      vset(op.va, Field::ra);
      vset(op.vb, Field::rb);
      sset(op.sd, Field::rd);
      sset(op.sa, Field::ra);
      sset(op.sb, Field::rb);
      put(t0 + op.off, Placed{in});
    }
    for (std::int64_t c = t0; c < t0 + p; ++c) {  // the body's idle cycles stay idle (nops)
      ensure(c);
      if (slot_[static_cast<std::size_t>(c)] == -1) slot_[static_cast<std::size_t>(c)] = -4;
    }
    for (std::int64_t c = t0 + p; c < end; ++c) {
      ensure(c);
      slot_[static_cast<std::size_t>(c)] = -3;
    }
    if (end - 1 > misc_[kLastSlotIndex]) misc_[kLastSlotIndex] = end - 1;
    // Effects of every iteration.
    for (std::int64_t k = 0; k < n; ++k) {
      for (std::size_t oi : order) {
        const RegionOp& op = r.body[oi];
        const std::int64_t c = t0 + k * p + op.off;
        switch (op.kind) {
          case RegionOp::Kind::mlw:
            for (std::int64_t i = 0; i < L_; ++i) take_port(c + 1 + i, op.bank, false);
            mlw_free_ = c + cfg_.mlw_busy;
            wbuf_ready_[op.buf] = c + cfg_.mlw_ready;
            effect(c + L_);
            break;
          case RegionOp::Kind::mm:
            for (std::uint32_t i = 0; i < op.count; ++i) {
              take_port(c + 1 + i, op.bank, false);
              auto& rd =
                  w_read_[word(op.bank, static_cast<std::uint32_t>(op.addr + k * op.step + i))];
              rd = std::max(rd, c + 1 + i);
              a_write_[static_cast<std::size_t>(op.acc + k * op.acc_step + i)] = c + 1 + i + lat;
            }
            mm_free_ = c + op.count;
            wbuf_release_[op.buf] = c + op.count + cfg_.wbuf_release;
            effect(c + op.count + lat);
            mxu_rows_ += op.count;
            break;
          case RegionOp::Kind::vlda: {
            auto& rd = a_read_[static_cast<std::size_t>(op.acc + k * op.acc_step)];
            rd = std::max(rd, c);
            effect(c + cfg_.vlat - 1);
            break;
          }
          case RegionOp::Kind::vst: {
            take_port(c, op.bank, true);
            w_write_[word(op.bank, static_cast<std::uint32_t>(op.addr + k * op.step))] = c;
            break;
          }
          case RegionOp::Kind::vector:
            effect(c + cfg_.vlat - 1);
            break;
          default:
            break;
        }
      }
    }
    for (unsigned reg : sphys)
      sregs_[reg].push_back(Interval{t, end, -1, std::numeric_limits<std::int64_t>::min() + 1});
    for (unsigned reg : vphys) vregs_[reg].push_back(Interval{t, end, -1, 0});
    loops_.push_back(LoopAt{t + ns, t0, p, static_cast<std::uint32_t>(n)});
    return true;
  }
  return false;
}

}  // namespace lpu::compiler::detail
