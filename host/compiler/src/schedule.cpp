// The static list scheduler (see schedule.hpp and docs/compiler.md "Scheduling").
#include "schedule.hpp"

#include <algorithm>
#include <string>

#include "lpu/error.hpp"

namespace lpu::compiler::detail {

namespace {

constexpr std::size_t kLastEffect = 0;
constexpr std::size_t kLastSlot = Scheduler::kLastSlotIndex;
// How far before a stream its address `li` may be placed, and how many later cycles a
// chain is retried from before giving up.
constexpr std::int64_t kLiWindow = 512;
constexpr int kMaxChainRetries = 100000;

}  // namespace

Scheduler::Scheduler(const Config& cfg)
    : cfg_(cfg),
      L_(cfg.lanes),
      w_write_(static_cast<std::size_t>(cfg.banks) * cfg.bank_depth, kNever),
      w_read_(static_cast<std::size_t>(cfg.banks) * cfg.bank_depth, kNever),
      a_write_(cfg.acc_depth, kNever),
      a_read_(cfg.acc_depth, kNever),
      vregs_(cfg.vregs),
      sregs_(cfg.sregs),
      misc_{-1, -1},
      s_write_(cfg.sregs, kNever),
      s_read_(cfg.sregs, kNever) {}

// ---- journal ---------------------------------------------------------------------------

void Scheduler::set(std::vector<std::int64_t>& v, std::size_t i, std::int64_t x) {
  if (journaling_) journal_.push_back(Undo{&v, i, v[i]});
  v[i] = x;
}

void Scheduler::rollback() {
  for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) {
    if (it->v) {
      (*it->v)[it->i] = it->old;
    } else {
      vregs_[it->i].pop_back();
    }
  }
  journal_.clear();
}

void Scheduler::commit() { journal_.clear(); }

// ---- timeline --------------------------------------------------------------------------

void Scheduler::ensure(std::int64_t c) {
  const auto need = static_cast<std::size_t>(c) + 1;
  if (slot_.size() < need) {
    const std::size_t n = std::max(need, slot_.size() * 2 + 1024);
    slot_.resize(n, -1);
    rd_mask_.resize(n, 0);
    wr_mask_.resize(n, 0);
  }
}

bool Scheduler::slot_free(std::int64_t c) const {
  // -1: empty; -2: held by the instruction before it (recv)
  return static_cast<std::size_t>(c) >= slot_.size() || slot_[static_cast<std::size_t>(c)] == -1;
}

std::int64_t Scheduler::max_write(std::uint32_t bank, std::uint32_t addr, std::uint32_t n) const {
  std::int64_t m = kNever;
  for (std::uint32_t i = 0; i < n; ++i) m = std::max(m, w_write_[word(bank, addr + i)]);
  return m;
}

std::int64_t Scheduler::max_read(std::uint32_t bank, std::uint32_t addr, std::uint32_t n) const {
  std::int64_t m = kNever;
  for (std::uint32_t i = 0; i < n; ++i) m = std::max(m, w_read_[word(bank, addr + i)]);
  return m;
}

void Scheduler::reserve_sreg(unsigned r) {
  sregs_[r].push_back(Interval{0, kOpen, -1, std::numeric_limits<std::int64_t>::min() + 1});
}

bool Scheduler::port_free(std::int64_t c, std::uint32_t bank, bool write) const {
  if (static_cast<std::size_t>(c) >= rd_mask_.size()) return true;
  const std::int64_t bit = std::int64_t{1} << bank;
  const auto i = static_cast<std::size_t>(c);
  if (cfg_.sram_dual_port == 0) return ((rd_mask_[i] | wr_mask_[i]) & bit) == 0;
  return ((write ? wr_mask_[i] : rd_mask_[i]) & bit) == 0;
}

void Scheduler::take_port(std::int64_t c, std::uint32_t bank, bool write) {
  ensure(c);
  auto& m = write ? wr_mask_ : rd_mask_;
  const auto i = static_cast<std::size_t>(c);
  set(m, i, m[i] | (std::int64_t{1} << bank));
}

std::size_t Scheduler::word(std::uint32_t bank, std::uint32_t addr) const {
  return static_cast<std::size_t>(bank) * cfg_.bank_depth + addr;
}

void Scheduler::put(std::int64_t c, const Placed& p) {
  ensure(c);
  pool_.push_back(p);
  set(slot_, static_cast<std::size_t>(c), static_cast<std::int64_t>(pool_.size() - 1));
  if (c > misc_[kLastSlot]) set(misc_, kLastSlot, c);
}

void Scheduler::effect(std::int64_t c) {
  if (c > misc_[kLastEffect]) set(misc_, kLastEffect, c);
}

bool Scheduler::reg_free(const std::vector<Interval>& ivs, std::int64_t w, std::int64_t l,
                         int skip) const {
  for (std::size_t i = 0; i < ivs.size(); ++i) {
    if (static_cast<int>(i) == skip) continue;
    if (!disjoint(w, l, ivs[i].w, ivs[i].l)) return false;
  }
  return true;
}

// ---- vector chains ---------------------------------------------------------------------

int Scheduler::new_value(bool open) {
  v_write_.push_back(kNever);
  v_read_.push_back(kNever);
  v_reg_.push_back(-1);
  v_open_.push_back(open ? 1 : 0);
  return static_cast<int>(v_write_.size() - 1);
}

void Scheduler::release(int value) {
  const auto v = static_cast<std::size_t>(value);
  v_open_[v] = 0;
  if (v_reg_[v] < 0) return;
  for (auto& iv : vregs_[static_cast<std::size_t>(v_reg_[v])]) {
    if (iv.value == value) iv.l = std::max(v_read_[v], v_write_[v] + 1);
  }
}

int Scheduler::open_stream(std::uint32_t first, std::int64_t lb) {
  for (std::int64_t s = std::max<std::int64_t>(lb, 0); s < lb + kLiWindow * 8; ++s) {
    if (!slot_free(s)) continue;
    for (unsigned r = 1; r < sregs_.size(); ++r) {
      if (!reg_free(sregs_[r], s, kOpen)) continue;
      Instr li;
      li.op = Op::li;
      li.set(Field::rd, r);
      li.set(Field::imm32, first);
      put(s, Placed{li});
      // A stream register's value changes as it is used: never reuse it for a constant.
      sregs_[r].push_back(Interval{s, kOpen, -1, std::numeric_limits<std::int64_t>::min()});
      st_next_.push_back(first);
      st_last_.push_back(s);
      st_reg_.push_back(r);
      return static_cast<int>(st_next_.size() - 1);
    }
  }
  return -1;
}

void Scheduler::close_stream(int stream) {
  if (stream < 0) return;
  const auto i = static_cast<std::size_t>(stream);
  for (auto& iv : sregs_[static_cast<std::size_t>(st_reg_[i])]) {
    if (iv.l == kOpen && iv.sval == std::numeric_limits<std::int64_t>::min())
      iv.l = st_last_[i] + 1;
  }
}

void Scheduler::place_chain(const std::vector<VOp>& ops, std::int64_t lb, int tmpl) {
  const std::int64_t vlat = cfg_.vlat;
  for (int attempt = 0; attempt < kMaxChainRetries; ++attempt) {
    journaling_ = true;
    std::int64_t first = -1;
    for (const VOp& op : ops) {
      std::int64_t t = lb;
      for (int s : {op.src_a, op.src_b, op.src_s}) {
        if (s < 0) continue;
        if (v_write_[static_cast<std::size_t>(s)] == kNever)
          throw Error("internal: chain reads a value before it is written");
        t = std::max(t, v_write_[static_cast<std::size_t>(s)] + 1);
      }
      switch (op.mem) {
        case VOp::Mem::sram_read:
          t = std::max(t, max_write(op.bank, op.addr, op.range) + 1);
          break;
        case VOp::Mem::sram_write:
          t = std::max(
              {t, max_read(op.bank, op.addr, op.range), max_write(op.bank, op.addr, op.range) + 1});
          break;
        case VOp::Mem::acc_read:
          t = std::max(t, a_write_[op.addr] + 1);
          break;
        case VOp::Mem::none:
          break;
      }
      if (op.stream >= 0) {
        const auto si = static_cast<std::size_t>(op.stream);
        if (st_next_[si] != op.addr) throw Error("internal: an address stream is not consecutive");
        t = std::max(t, st_last_[si] + 1);
      }
      if (op.sreg_r >= 0) t = std::max(t, s_write_[static_cast<std::size_t>(op.sreg_r)] + 1);
      if (op.sreg_w >= 0) {
        const auto r = static_cast<std::size_t>(op.sreg_w);
        t = std::max({t, s_read_[r], s_write_[r] + 1});
      }
      const bool sram = op.mem == VOp::Mem::sram_read || op.mem == VOp::Mem::sram_write;
      const bool wr = op.mem == VOp::Mem::sram_write;
      while (!slot_free(t) || (sram && !port_free(t, op.bank, wr))) ++t;
      if (first < 0) first = t;
      put(t, Placed{op.in, op.dst, op.src_a, op.src_b, op.src_s, op.stream});
      if (op.stream >= 0) {
        const auto si = static_cast<std::size_t>(op.stream);
        set(st_last_, si, t);
        set(st_next_, si, st_next_[si] + 1);
      }
      if (sram) take_port(t, op.bank, wr);
      for (std::uint32_t k = 0; k < op.range; ++k) {
        const std::size_t wi = word(op.bank, op.addr + k);
        if (op.mem == VOp::Mem::sram_read) set(w_read_, wi, std::max(w_read_[wi], t));
        if (op.mem == VOp::Mem::sram_write) set(w_write_, wi, t);
      }
      if (op.sreg_r >= 0) {
        const auto r = static_cast<std::size_t>(op.sreg_r);
        set(s_read_, r, std::max(s_read_[r], t));
      }
      if (op.sreg_w >= 0) set(s_write_, static_cast<std::size_t>(op.sreg_w), t);
      if (op.mem == VOp::Mem::acc_read) set(a_read_, op.addr, std::max(a_read_[op.addr], t));
      for (int s : {op.src_a, op.src_b, op.src_s}) {
        if (s >= 0)
          set(v_read_, static_cast<std::size_t>(s),
              std::max(v_read_[static_cast<std::size_t>(s)], t));
      }
      if (op.dst >= 0) {
        set(v_write_, static_cast<std::size_t>(op.dst), t + vlat - 1);
        effect(t + vlat - 1);
      }
    }
    // Registers for the values this chain defines.
    bool ok = true;
    std::vector<std::pair<std::pair<int, int>, unsigned>> hints;
    for (std::size_t j = 0; j < ops.size(); ++j) {
      const int v = ops[j].dst;
      if (v < 0) continue;
      const auto vi = static_cast<std::size_t>(v);
      const std::int64_t w = v_write_[vi];
      const std::int64_t l = v_open_[vi] ? kOpen : std::max(v_read_[vi], w + 1);
      // The register of this op in the previous chain of the template first, then the
      // following ones in turn.
      const auto key = std::make_pair(tmpl, static_cast<int>(j));
      const auto h = tmpl >= 0 ? hint_.find(key) : hint_.end();
      const unsigned start = h == hint_.end() ? 0 : h->second;
      bool found = false;
      for (unsigned n = 0; n < vregs_.size() && !found; ++n) {
        const unsigned r = (start + n) % static_cast<unsigned>(vregs_.size());
        if (!reg_free(vregs_[r], w, l)) continue;
        vregs_[r].push_back(Interval{w, l, v, 0});
        journal_.push_back(Undo{nullptr, r, 0});
        set(v_reg_, vi, r);
        if (tmpl >= 0) hints.emplace_back(key, r);
        found = true;
      }
      if (!found) {
        ok = false;
        break;
      }
    }
    journaling_ = false;
    if (ok) {
      commit();
      for (const auto& [k, r] : hints) hint_[k] = r;
      return;
    }
    rollback();
    lb = first + 1;
  }
  throw Error("internal: the scheduler found no vector registers for a chain");
}

// ---- MXU streams -----------------------------------------------------------------------

Scheduler::SregPlan Scheduler::plan_sreg(std::int64_t v, std::int64_t t, std::int64_t busy_slot,
                                         unsigned busy_reg) const {
  SregPlan p;
  if (v == 0) {
    p.ok = true;
    p.reg = 0;
    return p;
  }
  // Reuse a register that already holds v, extending its interval to t.
  for (unsigned r = 1; r < sregs_.size(); ++r) {
    if (r == busy_reg) continue;
    const auto& ivs = sregs_[r];
    for (std::size_t i = 0; i < ivs.size(); ++i) {
      if (ivs[i].sval != v || ivs[i].w >= t) continue;
      if (reg_free(ivs, ivs[i].w, std::max(ivs[i].l, t), static_cast<int>(i))) {
        p.ok = true;
        p.reg = r;
        p.extend = static_cast<int>(i);
        return p;
      }
    }
  }
  // A new li in the latest free cycle before t, into the free register used longest ago
  // (values stay in registers as long as possible, so that later streams can reuse them).
  for (std::int64_t s = t - 1; s >= 0 && s >= t - kLiWindow; --s) {
    if (s == busy_slot || !slot_free(s)) continue;
    std::int64_t best_use = std::numeric_limits<std::int64_t>::max();
    for (unsigned r = 1; r < sregs_.size(); ++r) {
      if (r == busy_reg || !reg_free(sregs_[r], s, t)) continue;
      std::int64_t last = -1;
      for (const auto& iv : sregs_[r]) {
        if (iv.l <= s) last = std::max(last, iv.l);
      }
      if (last < best_use) {
        best_use = last;
        p.ok = true;
        p.reg = r;
        p.slot = s;
      }
    }
    if (p.ok) return p;
  }
  return p;
}

void Scheduler::apply_sreg(const SregPlan& p, std::int64_t v, std::int64_t t) {
  if (p.reg == 0) return;
  auto& ivs = sregs_[p.reg];
  if (p.extend >= 0) {
    auto& iv = ivs[static_cast<std::size_t>(p.extend)];
    iv.l = std::max(iv.l, t);
    return;
  }
  Instr li;
  li.op = Op::li;
  li.set(Field::rd, p.reg);
  li.set(Field::imm32, v);
  put(p.slot, Placed{li});
  ivs.push_back(Interval{p.slot, t, -1, v});
}

void Scheduler::place_mxu(const MxuOp& m) {
  const bool is_mlw = m.op == Op::mlw;
  const std::int64_t n = is_mlw ? L_ : m.count;
  if (n == 0) return;
  const std::int64_t lat = cfg_.mxu_lat;
  // Weight loads and matmul streams are two in-order queues: each mlw after the previous
  // mlw and after every earlier mm on its buffer, each mm after the previous mm and after
  // the mlw of its buffer. An mlw may thus issue before the mm listed ahead of it (into the
  // other buffer), which keeps weight loads back to back when streams are short.
  std::int64_t t = 0;
  if (is_mlw) {
    t = std::max({mlw_free_, wbuf_release_[m.buf]});
  } else {
    t = std::max({mm_free_, wbuf_ready_[m.buf]});
  }
  for (std::int64_t i = 0; i < n; ++i) {
    if (i < static_cast<std::int64_t>(m.tracked_rows)) {
      t = std::max(t, w_write_[word(m.bank, m.addr + static_cast<std::uint32_t>(i))] + 1 - (1 + i));
    }
    if (!is_mlw) {
      const std::size_t e = m.acc + static_cast<std::size_t>(i);
      t = std::max({t, a_read_[e] - 1 - i - lat, a_write_[e] - i - lat});
    }
  }
  if (t < 0) t = 0;
  for (;; ++t) {
    if (!slot_free(t)) continue;
    bool ports = true;
    for (std::int64_t i = 0; i < n && ports; ++i) ports = port_free(t + 1 + i, m.bank, false);
    if (!ports) continue;
    const SregPlan pa = plan_sreg(m.addr, t, -1, 0);
    if (!pa.ok) continue;
    SregPlan pb;
    if (!is_mlw) {
      pb = plan_sreg(m.acc, t, pa.slot, pa.reg);
      if (!pb.ok) continue;
    }
    // Commit.
    Instr in;
    in.op = m.op;
    in.set(Field::bank, m.bank);
    in.set(Field::ra, pa.reg);
    in.set(Field::sh, m.buf);
    in.set(Field::stride, 1);
    if (!is_mlw) {
      in.set(Field::rb, pb.reg);
      in.set(Field::count, m.count);
      in.set(Field::dstride, 1);
    }
    apply_sreg(pa, m.addr, t);
    if (!is_mlw) apply_sreg(pb, m.acc, t);
    put(t, Placed{in});
    for (std::int64_t i = 0; i < n; ++i) {
      take_port(t + 1 + i, m.bank, false);
      if (i < static_cast<std::int64_t>(m.tracked_rows)) {
        const std::size_t wi = word(m.bank, m.addr + static_cast<std::uint32_t>(i));
        w_read_[wi] = std::max(w_read_[wi], t + 1 + i);
      }
    }
    if (is_mlw) {
      mlw_free_ = t + cfg_.mlw_busy;
      wbuf_ready_[m.buf] = t + cfg_.mlw_ready;
      effect(t + L_);
    } else {
      for (std::int64_t i = 0; i < n; ++i)
        a_write_[m.acc + static_cast<std::size_t>(i)] = t + 1 + i + lat;
      mm_free_ = t + n;
      wbuf_release_[m.buf] = t + n + cfg_.wbuf_release;
      effect(t + n + lat);
      mxu_rows_ += static_cast<std::uint64_t>(n);
    }
    return;
  }
}

// ---- transposes and links --------------------------------------------------------------

void Scheduler::place_vtr(const VtrOp& v) {
  const std::int64_t L = L_, wr = cfg_.vtr_wr_start, busy = cfg_.vtr_busy;
  const bool rt_src = v.sreg_src >= 0, rt_dst = v.sreg_dst >= 0;
  std::int64_t t = 0;
  if (rt_src) {
    t = std::max({t, max_write(v.src_bank, v.src_addr, v.src_range),
                  s_write_[static_cast<std::size_t>(v.sreg_src)] + 1});
  } else {
    for (std::int64_t k = 0; k < L; ++k)
      t = std::max(t, w_write_[word(v.src_bank, v.src_addr + static_cast<std::uint32_t>(k))] - k);
  }
  if (rt_dst) {
    t = std::max({t, max_read(v.dst_bank, v.dst_addr, v.dst_range) - wr,
                  max_write(v.dst_bank, v.dst_addr, v.dst_range) + 1 - wr,
                  s_write_[static_cast<std::size_t>(v.sreg_dst)] + 1});
  } else {
    for (std::int64_t j = 0; j < L; ++j) {
      const std::size_t wi = word(v.dst_bank, v.dst_addr + static_cast<std::uint32_t>(j));
      t = std::max({t, w_read_[wi] - wr - j, w_write_[wi] + 1 - wr - j});
    }
  }
  for (;; ++t) {
    if (!slot_free(t)) continue;
    bool ok = true;
    for (std::int64_t u : vtr_times_) ok = ok && (t >= u + busy || u >= t + busy);
    for (std::int64_t k = 0; k < L && ok; ++k) {
      ok = port_free(t + 1 + k, v.src_bank, false) && port_free(t + wr + k, v.dst_bank, true);
    }
    if (!ok) continue;
    SregPlan pa, pb;
    if (!rt_src) {
      pa = plan_sreg(v.src_addr, t, -1, 0);
      if (!pa.ok) continue;
    }
    if (!rt_dst) {
      pb = plan_sreg(v.dst_addr, t, pa.slot, rt_src ? 0 : pa.reg);
      if (!pb.ok) continue;
    }
    Instr in;
    in.op = Op::vtr;
    in.set(Field::bank, v.src_bank);
    in.set(Field::rd, v.dst_bank);
    in.set(Field::ra, rt_src ? static_cast<unsigned>(v.sreg_src) : pa.reg);
    in.set(Field::rb, rt_dst ? static_cast<unsigned>(v.sreg_dst) : pb.reg);
    if (!rt_src) apply_sreg(pa, v.src_addr, t);
    if (!rt_dst) apply_sreg(pb, v.dst_addr, t);
    put(t, Placed{in});
    vtr_times_.push_back(t);
    for (std::int64_t k = 0; k < L; ++k) {
      take_port(t + 1 + k, v.src_bank, false);
      take_port(t + wr + k, v.dst_bank, true);
    }
    if (rt_src) {
      for (std::uint32_t i = 0; i < v.src_range; ++i) {
        auto& r = w_read_[word(v.src_bank, v.src_addr + i)];
        r = std::max(r, t + L);
      }
      auto& sr = s_read_[static_cast<std::size_t>(v.sreg_src)];
      sr = std::max(sr, t);
    } else {
      for (std::int64_t k = 0; k < L; ++k) {
        auto& r = w_read_[word(v.src_bank, v.src_addr + static_cast<std::uint32_t>(k))];
        r = std::max(r, t + 1 + k);
      }
    }
    if (rt_dst) {
      for (std::uint32_t i = 0; i < v.dst_range; ++i)
        w_write_[word(v.dst_bank, v.dst_addr + i)] = t + wr + L - 1;
      auto& sr = s_read_[static_cast<std::size_t>(v.sreg_dst)];
      sr = std::max(sr, t);
    } else {
      for (std::int64_t j = 0; j < L; ++j)
        w_write_[word(v.dst_bank, v.dst_addr + static_cast<std::uint32_t>(j))] = t + wr + j;
    }
    effect(t + wr + L - 1);
    return;
  }
}

namespace {

// send/recv of `count` consecutive words (stride 1) at bank[R[reg]] on `link`.
Instr link_instr(Op op, unsigned link, std::uint32_t bank, unsigned reg, std::uint32_t count) {
  Instr in;
  in.op = op;
  in.set(Field::sh, link);
  in.set(Field::bank, bank);
  in.set(Field::ra, reg);
  in.set(Field::count, count);
  in.set(Field::stride, 1);
  return in;
}

}  // namespace

std::int64_t Scheduler::place_send(std::uint32_t bank, std::uint32_t addr, std::uint32_t count,
                                   unsigned link) {
  const std::int64_t n = count;
  std::int64_t t = std::max(send_free_, send_last_ + 1);
  for (std::int64_t i = 0; i < n; ++i)
    t = std::max(t, w_write_[word(bank, addr + static_cast<std::uint32_t>(i))] - i);
  for (;; ++t) {
    if (!slot_free(t)) continue;
    bool ok = true;
    for (std::int64_t i = 0; i < n && ok; ++i) ok = port_free(t + 1 + i, bank, false);
    if (!ok) continue;
    const SregPlan pa = plan_sreg(addr, t, -1, 0);
    if (!pa.ok) continue;
    const Instr in = link_instr(Op::send, link, bank, pa.reg, count);
    apply_sreg(pa, addr, t);
    put(t, Placed{in});
    for (std::int64_t i = 0; i < n; ++i) {
      take_port(t + 1 + i, bank, false);
      auto& r = w_read_[word(bank, addr + static_cast<std::uint32_t>(i))];
      r = std::max(r, t + 1 + i);
    }
    send_free_ = t + n;
    send_last_ = t;
    effect(t + n);
    return t;
  }
}

std::int64_t Scheduler::place_recv(std::uint32_t bank, std::uint32_t addr, std::uint32_t count,
                                   unsigned link, const std::vector<std::int64_t>& avail) {
  if (avail.size() != count) throw Error("internal: recv arrival times");
  std::int64_t t = std::max<std::int64_t>({0, recv_last_ + 1, count ? avail[0] - 1 : 0});
  std::vector<std::int64_t> w(count);
  for (;; ++t) {
    std::int64_t c = t;
    bool ok = slot_free(t);
    for (std::uint32_t i = 0; i < count && ok; ++i) {
      c = std::max(c + 1, avail[i]);
      w[i] = c;
      const std::size_t wi = word(bank, addr + i);
      ok = port_free(c, bank, true) && c >= w_read_[wi] && c > w_write_[wi];
    }
    for (std::int64_t h = t + 1; h <= c && ok; ++h) ok = slot_free(h);
    if (!ok) continue;
    const SregPlan pa = plan_sreg(addr, t, -1, 0);
    if (!pa.ok) continue;
    const Instr in = link_instr(Op::recv, link, bank, pa.reg, count);
    apply_sreg(pa, addr, t);
    put(t, Placed{in});
    for (std::int64_t h = t + 1; h <= c; ++h) {
      ensure(h);
      slot_[static_cast<std::size_t>(h)] = -2;
    }
    if (c > misc_[kLastSlot]) misc_[kLastSlot] = c;
    for (std::uint32_t i = 0; i < count; ++i) {
      take_port(w[i], bank, true);
      w_write_[word(bank, addr + i)] = w[i];
    }
    recv_last_ = c;
    return c;
  }
}

// ---- output ----------------------------------------------------------------------------

std::vector<std::uint64_t> Scheduler::emit() const {
  std::vector<std::uint64_t> code;
  const std::int64_t end = misc_[kLastSlot] + 1;
  std::int64_t gap = 0;
  auto flush = [&]() {
    while (gap > 0) {
      const std::int64_t n = std::min<std::int64_t>(gap, 65536);
      Instr nop;
      nop.op = Op::nop;
      nop.set(Field::count, n - 1);
      code.push_back(encode(nop));
      gap -= n;
    }
  };
  for (std::int64_t c = 0; c < end; ++c) {
    const std::int64_t s = slot_[static_cast<std::size_t>(c)];
    if (s == -3) {  // a later iteration of a loop body: the body's own words end here
      flush();
      continue;
    }
    if (s == -2) continue;  // held by a recv
    if (s < 0) {            // -1 empty, -4 idle in a loop body
      ++gap;
      continue;
    }
    flush();
    Placed p = pool_[static_cast<std::size_t>(s)];
    auto reg = [&](int v) {
      const std::int64_t r = v_reg_[static_cast<std::size_t>(v)];
      if (r < 0) throw Error("internal: a value has no register");
      return r;
    };
    if (p.dst >= 0) p.in.set(Field::rd, reg(p.dst));
    if (p.src_s >= 0) p.in.set(Field::rd, reg(p.src_s));
    if (p.src_a >= 0) p.in.set(Field::ra, reg(p.src_a));
    if (p.src_b >= 0) p.in.set(Field::rb, reg(p.src_b));
    if (p.stream >= 0) {
      const auto si = static_cast<std::size_t>(p.stream);
      p.in.set(Field::ra, st_reg_[si]);
      p.in.set(Field::imm16, 0);
      p.in.set(Field::stride, 1);
    }
    for (const LoopAt& l : loops_) {
      if (l.loopi == c) p.in.set(Field::len, words(l.body, l.body + l.period));
    }
    code.push_back(encode(p.in));
  }
  Instr halt;
  halt.op = Op::halt;
  code.push_back(encode(halt));
  return code;
}

std::int64_t Scheduler::words(std::int64_t from, std::int64_t to) const {
  std::int64_t n = 0, gap = 0;
  for (std::int64_t c = from; c < to; ++c) {
    const std::int64_t s = slot_[static_cast<std::size_t>(c)];
    if (s == -1 || s == -4) {
      ++gap;
      continue;
    }
    n += (gap + 65535) / 65536 + (s >= 0 ? 1 : 0);
    gap = 0;
  }
  return n + (gap + 65535) / 65536;
}

std::uint64_t Scheduler::cycles() const {
  const std::int64_t h = misc_[kLastSlot] + 1;  // halt issues here
  return static_cast<std::uint64_t>(std::max(h, misc_[kLastEffect]) + 1);
}

}  // namespace lpu::compiler::detail
