// Memory layout (SRAM, ACC constants, LUT tables) and the lowering driver
// (docs/compiler.md "Memory layout", "Lowering").
#include "lower.hpp"

#include <algorithm>
#include <cstdio>

#include "lower_impl.hpp"
#include "lpu/error.hpp"
#include "roll.hpp"

namespace lpu::compiler::detail {

std::uint32_t ceil_div(std::uint32_t a, std::uint32_t b) { return (a + b - 1) / b; }

namespace {

std::string kib(std::size_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%zu bytes (%.1f KiB)", bytes,
                static_cast<double>(bytes) / 1024.0);
  return buf;
}

// Extra rows of tensor t: a transposed tensor (and its result) is read and written in whole
// L x L blocks: zero rows after each column block (per_block). A computed right matmul
// operand is read in whole tiles: room after the last block (the rows read beyond a block
// meet zero activation columns).
struct Slack {
  std::uint32_t rows = 0;
  bool per_block = false;
};
Slack row_slack(const QGraph& q, int t, unsigned l) {
  const std::uint32_t rows = q.tensors[static_cast<std::size_t>(t)].rows;
  const std::uint32_t up = ceil_div(rows, l) * l - rows;
  Slack s;
  for (const QOp& op : q.ops) {
    if (op.kind == QOpKind::copy && op.k == 1 && (op.a == t || op.out == t)) return Slack{up, true};
    if (op.kind == QOpKind::matmul && op.b == t) s = Slack{up, false};
  }
  return s;
}

// The state caches live in weight banks: the MXU reads them like weights.
bool weight_like(const QTensor& t) { return t.is_state; }

}  // namespace

std::size_t tensor_words(const QGraph& q, int t, const Config& cfg) {
  const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
  const Slack s = row_slack(q, t, cfg.lanes);
  const std::size_t cb = ceil_div(qt.cols, cfg.lanes);
  return s.per_block ? cb * (qt.rows + s.rows) : cb * qt.rows + s.rows;
}

std::size_t op_words(const QGraph& q, std::size_t i, const Config& cfg) {
  const QOp& op = q.ops[i];
  const unsigned l = cfg.lanes;
  if (op.kind == QOpKind::matmul && op.b < 0)
    return static_cast<std::size_t>(ceil_div(op.n, l)) * ceil_div(op.k, l) * l;
  if (op.kind == QOpKind::gather) return static_cast<std::size_t>(ceil_div(op.n, l)) * op.k;
  if (op.kind == QOpKind::attention) {
    const QTensor& kc = q.tensors[static_cast<std::size_t>(op.kc)];
    return static_cast<std::size_t>(ceil_div(kc.cols, l)) * kc.rows + op.heads * (kc.rows / l);
  }
  return 0;
}

std::vector<WordRun> link_runs(const QTensor& t, const Config& cfg) {
  std::vector<WordRun> runs;
  const std::uint32_t cb = ceil_div(t.cols, cfg.lanes);
  for (std::uint32_t j = 0; j < cb; ++j) {
    for (std::uint32_t r = 0; r < t.rows; r += cfg.link_tx_depth)
      runs.push_back(WordRun{j, r, std::min(cfg.link_tx_depth, t.rows - r)});
  }
  return runs;
}

std::vector<std::int64_t> link_arrivals(const Config& cfg, const std::vector<std::int64_t>& times,
                                        const std::vector<std::uint32_t>& counts) {
  std::vector<std::int64_t> out;
  std::int64_t next_depart = 0;
  for (std::size_t s = 0; s < times.size(); ++s) {
    for (std::uint32_t i = 0; i < counts[s]; ++i) {
      const std::int64_t entered = times[s] + 1 + i;  // in the TX buffer at the end of this cycle
      const std::int64_t d = std::max(entered + 1, next_depart);
      next_depart = d + cfg.link_word_cycles;
      out.push_back(d + cfg.link_word_cycles + cfg.link_latency);
    }
  }
  return out;
}

Lowerer::Lowerer(const QGraph& q, const Config& cfg, const LowerOptions& opt)
    : q_(q), cfg_(cfg), L_(cfg.lanes), opt_(opt), sched_(cfg), used_(cfg.banks, 0) {}

// ---- SRAM ------------------------------------------------------------------------------

std::size_t Lowerer::capacity_words() const {
  return static_cast<std::size_t>(cfg_.banks) * cfg_.bank_depth;
}

void Lowerer::no_fit(std::size_t need_words, const std::string& detail) const {
  const std::size_t wb = L_;  // bytes per word
  throw Error("the model does not fit the '" + std::string(cfg_.name) + "' chip: it needs " +
              kib(need_words * wb) + " of SRAM (" + kib(out_.weight_words * wb) + " of weights, " +
              kib(out_.act_words * wb) + " of activations) and the chip has " +
              kib(capacity_words() * wb) + " (" + std::to_string(cfg_.banks) + " banks of " +
              std::to_string(cfg_.bank_depth) + " words of " + std::to_string(L_) + " bytes)" +
              detail + "; use a smaller model or split it over chips with --chips N");
}

std::pair<std::uint32_t, std::uint32_t> Lowerer::take(std::size_t words,
                                                      const std::vector<std::uint32_t>& prefer,
                                                      const std::string& what) {
  std::vector<std::uint32_t> all(cfg_.banks);
  for (std::uint32_t k = 0; k < cfg_.banks; ++k) all[k] = k;
  std::uint32_t bank = 0, addr = 0;
  if (try_take(words, prefer, bank, addr) || try_take(words, all, bank, addr)) return {bank, addr};
  if (words > cfg_.bank_depth) {
    throw Error(what + " needs " + std::to_string(words) +
                " consecutive words of SRAM but a bank of the '" + std::string(cfg_.name) +
                "' chip holds " + std::to_string(cfg_.bank_depth) +
                " (model inputs and outputs must fit one bank); use a smaller tensor or split "
                "the model over chips with --chips N");
  }
  no_fit(out_.weight_words + out_.act_words,
         " (" + what + " found no bank with " + std::to_string(words) + " free words)");
}

// The bank of `banks` with the most free words, if it has room for `words`.
bool Lowerer::try_take(std::size_t words, const std::vector<std::uint32_t>& banks,
                       std::uint32_t& bank, std::uint32_t& addr) {
  int b = -1;
  for (std::uint32_t k : banks) {
    const std::size_t free = cfg_.bank_depth - used_[k];
    if (free >= words && (b < 0 || free > cfg_.bank_depth - used_[static_cast<std::size_t>(b)]))
      b = static_cast<int>(k);
  }
  if (b < 0) return false;
  bank = static_cast<std::uint32_t>(b);
  addr = used_[bank];
  used_[bank] += static_cast<std::uint32_t>(words);
  return true;
}

void Lowerer::zero_segment(std::uint32_t bank, std::uint32_t addr, std::uint32_t words) {
  if (words == 0) return;
  Segment seg;
  seg.space = Space::sram;
  seg.bank = bank;
  seg.addr = addr;
  seg.bytes.assign(static_cast<std::size_t>(words) * L_, 0);
  out_.data.push_back(std::move(seg));
}

void Lowerer::weight_block(std::size_t i, std::uint32_t j, std::uint32_t bank, std::uint32_t addr,
                           std::uint32_t words) {
  const QOp& op = q_.ops[i];
  wplace_[i].bank.push_back(bank);
  wplace_[i].addr.push_back(addr);
  Segment seg;
  seg.space = Space::sram;
  seg.bank = bank;
  seg.addr = addr;
  seg.bytes.assign(static_cast<std::size_t>(words) * L_, 0);
  for (std::uint32_t r = 0; r < op.k; ++r) {
    for (std::uint32_t l = 0; l < L_ && j * L_ + l < op.n; ++l) {
      seg.bytes[static_cast<std::size_t>(r) * L_ + l] =
          static_cast<std::uint8_t>(op.w[static_cast<std::size_t>(r) * op.n + j * L_ + l]);
    }
  }
  out_.data.push_back(std::move(seg));
}

void Lowerer::plan_sram() {
  // Activations in the lower half of the banks, weights in the upper half, so that
  // weight loads and activation streams use different banks.
  for (std::uint32_t b = 0; b < cfg_.banks; ++b)
    (b < std::max(1u, cfg_.banks / 2) ? act_banks_ : w_banks_).push_back(b);
  if (w_banks_.empty()) w_banks_ = act_banks_;

  const std::size_t nt = q_.tensors.size();
  placed_.assign(nt, false);
  row_slack_.assign(nt, 0);
  alias_of_.assign(nt, -1);
  for (std::size_t i = 0; i < q_.ops.size(); ++i) {
    if (!here(i)) continue;
    const QOp& op = q_.ops[i];
    for (int t : {op.a, op.b, op.c, op.kc, op.vc, op.pos, op.out}) {
      if (t >= 0) placed_[static_cast<std::size_t>(t)] = true;
    }
  }
  if (opt_.ops.empty()) {
    for (int t : q_.inputs) placed_[static_cast<std::size_t>(t)] = true;
  }
  for (int t : opt_.recv_tensors) placed_[static_cast<std::size_t>(t)] = true;
  for (int t : opt_.send_tensors) placed_[static_cast<std::size_t>(t)] = true;
  for (int t : opt_.extra_tensors) placed_[static_cast<std::size_t>(t)] = true;
  for (std::size_t t = 0; t < nt; ++t) {
    const Slack sl = row_slack(q_, static_cast<int>(t), L_);
    row_slack_[t] = sl.per_block ? sl.rows : 0;
    const QTensor& qt = q_.tensors[t];
    if (sl.per_block && sl.rows && (qt.is_input || qt.is_output)) {
      throw Error("tensor '" + qt.name + "' is a model " + (qt.is_input ? "input" : "output") +
                  " and is transposed, and its " + std::to_string(qt.rows) +
                  " rows are not a multiple of " + std::to_string(L_) +
                  " (not supported: transpose a copy, or pad the rows)");
    }
  }

  // A reshape that keeps every word in place shares its input's memory.
  for (std::size_t i = 0; i < q_.ops.size(); ++i) {
    const QOp& op = q_.ops[i];
    if (!here(i) || op.kind != QOpKind::copy || op.k != 0) continue;
    const QTensor& a = tensor(op.a);
    const QTensor& y = tensor(op.out);
    bool same = row_slack_[static_cast<std::size_t>(op.a)] == 0 &&
                row_slack_[static_cast<std::size_t>(op.out)] == 0;
    for (std::size_t e = 0; e < op.src.size() && same; ++e) {
      const std::uint32_t s = op.src[e];
      const std::uint32_t wa = (s % a.cols) / L_ * a.rows + s / a.cols;
      const std::uint32_t wy = static_cast<std::uint32_t>((e % y.cols) / L_ * y.rows + e / y.cols);
      same = wa == wy && (s % a.cols) % L_ == (e % y.cols) % L_ &&
             ceil_div(a.cols, L_) * a.rows == ceil_div(y.cols, L_) * y.rows &&
             (a.cols % L_ == 0) == (y.cols % L_ == 0);
    }
    if (same && !y.is_output) alias_of_[static_cast<std::size_t>(op.out)] = op.a;
  }

  for (std::size_t i = 0; i < q_.ops.size(); ++i) {
    if (here(i)) out_.weight_words += op_words(q_, i, cfg_);
  }
  for (std::size_t t = 0; t < nt; ++t) {
    if (placed_[t] && alias_of_[t] < 0)
      out_.act_words += tensor_words(q_, static_cast<int>(t), cfg_);
  }
  if (out_.weight_words + out_.act_words > capacity_words())
    no_fit(out_.weight_words + out_.act_words, "");

  // Weights, one segment per column block, round-robin over the weight banks.
  wplace_.resize(q_.ops.size());
  wchunk_.assign(q_.ops.size(), 0);
  attn_.resize(q_.ops.size());
  for (std::size_t i = 0; i < q_.ops.size(); ++i) {
    const QOp& op = q_.ops[i];
    if (!here(i)) continue;
    if (op.kind == QOpKind::matmul && op.b < 0) {
      const std::uint32_t kp = ceil_div(op.k, L_) * L_;
      const std::uint32_t nb = ceil_div(op.n, L_);
      // A loop needs its column blocks one after the other in one bank: chunks of as many
      // blocks as a bank holds, each one run.
      const std::uint32_t chunk = loop_candidate(i) ? std::max(1u, cfg_.bank_depth / kp) : 0;
      wchunk_[i] = chunk;
      std::uint32_t run_bank = 0, run_addr = 0;
      for (std::uint32_t j = 0; j < nb; ++j) {
        if (chunk && j % chunk == 0) {
          const std::size_t words = static_cast<std::size_t>(kp) * std::min(chunk, nb - j);
          if (!try_take(words, w_banks_, run_bank, run_addr) &&
              !try_take(words, act_banks_, run_bank, run_addr)) {
            wchunk_[i] = 0;  // no room for a run: one block at a time
          }
        }
        const auto [bank, addr] = wchunk_[i]
                                      ? std::make_pair(run_bank, run_addr + (j % chunk) * kp)
                                      : take(kp, w_banks_, "the weights of '" + op.node + "'");
        weight_block(i, j, bank, addr, kp);
      }
    } else if (op.kind == QOpKind::gather) {
      const std::uint32_t nb = ceil_div(op.n, L_);
      for (std::uint32_t j = 0; j < nb; ++j) {
        const auto [bank, addr] = take(op.k, w_banks_, "the table of '" + op.node + "'");
        weight_block(i, j, bank, addr, op.k);
      }
    } else if (op.kind == QOpKind::attention) {
      const QTensor& kc = tensor(op.kc);
      const std::uint32_t cb = ceil_div(kc.cols, L_);
      const auto kt = take(static_cast<std::size_t>(cb) * kc.rows, w_banks_,
                           "the transposed keys of '" + op.node + "'");
      attn_[i].kt_bank = kt.first;
      attn_[i].kt_addr = kt.second;
      const auto p = take(static_cast<std::size_t>(op.heads) * (kc.rows / L_), act_banks_,
                          "the probabilities of '" + op.node + "'");
      attn_[i].p_bank = p.first;
      attn_[i].p_addr = p.second;
    }
  }
  // Activations: a whole tensor in one bank when it fits (always for model inputs, outputs
  // and caches: their symbols are contiguous), else one run per column block.
  out_.act.resize(nt);
  for (std::size_t t = 0; t < nt; ++t) {
    if (!placed_[t] || alias_of_[t] >= 0) continue;
    const QTensor& qt = q_.tensors[t];
    ActPlace& p = out_.act[t];
    p.rows = qt.rows;
    p.cblocks = ceil_div(qt.cols, L_);
    const std::uint32_t per = qt.rows + row_slack_[t];
    const std::size_t words = tensor_words(q_, static_cast<int>(t), cfg_);
    const bool io = qt.is_input || qt.is_output;
    const auto& banks = weight_like(qt) ? w_banks_ : act_banks_;
    if (io || words <= cfg_.bank_depth) {
      const auto [bank, addr] = take(words, banks, "tensor '" + qt.name + "'");
      for (std::uint32_t j = 0; j < p.cblocks; ++j) {
        p.bank.push_back(bank);
        p.addr.push_back(addr + j * per);
      }
    } else {
      const std::uint32_t last =
          static_cast<std::uint32_t>(words - static_cast<std::size_t>(p.cblocks - 1) * per);
      for (std::uint32_t j = 0; j < p.cblocks; ++j) {
        const auto [bank, addr] =
            take(j + 1 < p.cblocks ? per : last, banks, "tensor '" + qt.name + "'");
        p.bank.push_back(bank);
        p.addr.push_back(addr);
      }
    }
    // Rows read in whole blocks beyond the tensor are zero (never written).
    bool transposed_src = false;
    for (std::size_t i = 0; i < q_.ops.size(); ++i) {
      const QOp& op = q_.ops[i];
      transposed_src |=
          here(i) && op.kind == QOpKind::copy && op.k == 1 && op.a == static_cast<int>(t);
    }
    if (transposed_src) {
      for (std::uint32_t j = 0; j < p.cblocks; ++j)
        zero_segment(p.bank[j], p.addr[j] + qt.rows, row_slack_[t]);
    }
  }
  for (std::size_t t = 0; t < nt; ++t) {
    if (alias_of_[t] >= 0) {
      const ActPlace& src = act(alias_of_[t]);
      const QTensor& qt = q_.tensors[t];
      ActPlace& p = out_.act[t];
      p.rows = qt.rows;
      p.cblocks = ceil_div(qt.cols, L_);
      for (std::uint32_t j = 0; j < p.cblocks; ++j) {
        p.bank.push_back(src.bank[0]);
        p.addr.push_back(src.addr[0] + j * qt.rows);
      }
    }
  }
}

// ---- ACC -------------------------------------------------------------------------------

std::vector<std::int32_t> Lowerer::block(const std::vector<std::int32_t>& v, std::uint32_t j,
                                         std::int32_t pad) const {
  std::vector<std::int32_t> out(L_, pad);
  for (std::uint32_t l = 0; l < L_ && j * L_ + l < v.size(); ++l) out[l] = v[j * L_ + l];
  return out;
}

std::vector<std::vector<std::int32_t>> Lowerer::thr_vectors(const RecipFn& f) const {
  std::vector<std::vector<std::int32_t>> out;
  for (std::uint32_t j = 0; j * L_ < f.thr.size(); ++j) out.push_back(block(f.thr, j, INT32_MIN));
  return out;
}

std::vector<std::int32_t> Lowerer::pad_mask(std::uint32_t cols) const {
  std::vector<std::int32_t> v(L_, 0);
  for (std::uint32_t l = cols % L_; l < L_; ++l) v[l] = -(1 << 30);
  return v;
}

std::vector<std::int32_t> Lowerer::positions(std::uint32_t pb) const {
  std::vector<std::int32_t> v(L_);
  for (std::uint32_t l = 0; l < L_; ++l) v[l] = static_cast<std::int32_t>(pb * L_ + l);
  return v;
}

std::vector<std::vector<std::int32_t>> Lowerer::op_consts(std::size_t i) const {
  const QOp& op = q_.ops[i];
  std::vector<std::vector<std::int32_t>> out;
  auto add_blocks = [&](const std::vector<std::int32_t>& v, std::uint32_t n) {
    for (std::uint32_t j = 0; j < ceil_div(n, L_); ++j) out.push_back(block(v, j));
  };
  auto add_thr = [&](const RecipFn& f) {
    for (auto& v : thr_vectors(f)) out.push_back(v);
  };
  switch (op.kind) {
    case QOpKind::matmul:  // contiguous runs per op (plan_acc), not shared
      break;
    case QOpKind::norm: {
      const std::uint32_t d = tensor(op.a).cols;
      add_thr(op.rsqrt);
      add_blocks(op.mult, d);
      if (!op.beta.empty()) add_blocks(op.beta, d);
      if (op.eint > 32767) out.push_back(std::vector<std::int32_t>(L_, op.eint));
      break;
    }
    case QOpKind::softmax: {
      const std::uint32_t d = tensor(op.a).cols;
      add_thr(op.sm.recip);
      if (d % L_ != 0) out.push_back(pad_mask(d));
      break;
    }
    case QOpKind::attention: {
      add_thr(op.sm.recip);
      const std::uint32_t t = tensor(op.kc).rows;
      for (std::uint32_t pb = 0; pb < t / L_; ++pb) out.push_back(positions(pb));
      break;
    }
    default:
      break;
  }
  return out;
}

void Lowerer::need_const(const std::vector<std::int32_t>& v) { consts_.emplace(v, 0u); }

std::uint32_t Lowerer::acc_const(const std::vector<std::int32_t>& v) const {
  const auto it = consts_.find(v);
  if (it == consts_.end()) throw Error("internal: an ACC constant was not planned");
  return it->second;
}

void Lowerer::plan_acc() {
  for (std::size_t i = 0; i < q_.ops.size(); ++i) {
    if (!here(i)) continue;
    for (const auto& v : op_consts(i)) need_const(v);
  }
  // Matmul biases and per-channel multipliers: one run of column blocks per op.
  std::vector<std::pair<std::vector<std::int32_t>, std::uint32_t*>> runs;
  bias_run_.assign(q_.ops.size(), 0);
  mult_run_.assign(q_.ops.size(), 0);
  std::uint32_t run_entries = 0;
  for (std::size_t i = 0; i < q_.ops.size(); ++i) {
    const QOp& op = q_.ops[i];
    if (!here(i) || op.kind != QOpKind::matmul) continue;
    if (!op.bias.empty()) {
      runs.emplace_back(op.bias, &bias_run_[i]);
      run_entries += ceil_div(op.n, L_);
    }
    if (op.mult.size() > 1) {
      runs.emplace_back(op.mult, &mult_run_[i]);
      run_entries += ceil_div(op.n, L_);
    }
  }
  const auto need = static_cast<std::uint32_t>(consts_.size()) + run_entries;
  if (need + 2 > cfg_.acc_depth) {
    throw Error("the model does not fit the '" + std::string(cfg_.name) +
                "' chip: its biases, per-channel scales and constants need " +
                std::to_string(need) + " accumulator entries and the chip has " +
                std::to_string(cfg_.acc_depth) +
                " (2 more are needed for results); use per-tensor weight scales, a smaller "
                "model, or split it over chips with --chips N");
  }
  acc_top_ = cfg_.acc_depth - need;
  std::uint32_t e = acc_top_;
  auto segment = [&](const std::vector<std::int32_t>& v, std::uint32_t first) {
    Segment seg;
    seg.space = Space::acc;
    seg.addr = first;
    const std::size_t n = ceil_div(static_cast<std::uint32_t>(v.size()), L_) * L_;
    seg.bytes.assign(n * 4, 0);
    for (std::size_t l = 0; l < v.size(); ++l) {
      const auto u = static_cast<std::uint32_t>(v[l]);
      for (int b = 0; b < 4; ++b)
        seg.bytes[4 * l + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(u >> (8 * b));
    }
    out_.data.push_back(std::move(seg));
  };
  for (auto& [v, entry] : runs) {
    *entry = e;
    segment(v, e);
    e += ceil_div(static_cast<std::uint32_t>(v.size()), L_);
  }
  for (auto& [v, entry] : consts_) {
    entry = e++;
    segment(v, entry);
  }
}

std::uint32_t Lowerer::alloc_region(std::uint32_t rows) {
  if (acc_ptr_ + rows > acc_top_) acc_ptr_ = 0;
  const std::uint32_t r = acc_ptr_;
  acc_ptr_ += rows;
  return r;
}

// ---- LUT -------------------------------------------------------------------------------

void Lowerer::plan_lut() {
  std::vector<bool> use(q_.luts.size(), false);
  for (std::size_t i = 0; i < q_.ops.size(); ++i) {
    if (!here(i)) continue;
    const QOp& op = q_.ops[i];
    for (int t : {op.table, op.rsqrt.lut, op.sm.exp_lut, op.sm.recip.lut}) {
      if (t >= 0) use[static_cast<std::size_t>(t)] = true;
    }
  }
  lut_off_.assign(q_.luts.size(), 0);
  std::uint32_t lo = 0, hi = cfg_.lut_depth;
  std::string list;
  for (std::size_t t = 0; t < q_.luts.size(); ++t) {
    if (!use[t]) continue;
    const auto n = static_cast<std::uint32_t>(q_.luts[t].v.size());
    list += (list.empty() ? "" : ", ") + q_.luts[t].key + " " + std::to_string(n);
    out_.lut_entries += n;
  }
  if (out_.lut_entries > cfg_.lut_depth) {
    throw Error("the model does not fit the '" + std::string(cfg_.name) +
                "' chip: its lookup tables need " + std::to_string(out_.lut_entries) +
                " entries (" + list + ") and the chip's table holds " +
                std::to_string(cfg_.lut_depth) +
                "; split the model over chips with --chips N so that fewer activations share "
                "a chip");
  }
  for (std::size_t t = 0; t < q_.luts.size(); ++t) {
    if (!use[t]) continue;
    const auto n = static_cast<std::uint32_t>(q_.luts[t].v.size());
    if (q_.luts[t].at_end) {
      hi -= n;
      lut_off_[t] = hi;
    } else {
      lut_off_[t] = lo;
      lo += n;
    }
    Segment seg;
    seg.space = Space::lut;
    seg.addr = lut_off_[t];
    for (std::int16_t v : q_.luts[t].v) {
      seg.bytes.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(v) & 0xFF));
      seg.bytes.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(v) >> 8));
    }
    out_.data.push_back(std::move(seg));
  }
}

// ---- driver ----------------------------------------------------------------------------

void Lowerer::lower_op(std::size_t idx) {
  switch (q_.ops[idx].kind) {
    case QOpKind::matmul:
      return lower_matmul(idx);
    case QOpKind::add:
    case QOpKind::mul:
    case QOpKind::relu:
    case QOpKind::requant:
      return lower_eltwise(idx);
    case QOpKind::gather:
      return lower_gather(idx);
    case QOpKind::lut:
      return lower_lut(idx);
    case QOpKind::norm:
      return lower_norm(idx);
    case QOpKind::softmax:
      return lower_softmax(idx);
    case QOpKind::copy:
      return lower_copy(idx);
    case QOpKind::attention:
      return lower_attention(idx);
  }
}

Lowered Lowerer::run() {
  plan_sram();
  plan_acc();
  plan_lut();
  for (std::size_t i = 0; i < q_.ops.size(); ++i) {
    if (here(i) && q_.ops[i].kind == QOpKind::attention) rt_regs_ = true;
  }
  if (rt_regs_) {
    for (unsigned r : {kRegPos, kRegBlock, kRegSrc, kRegDst}) sched_.reserve_sreg(r);
  }
  lower_recvs();
  for (std::size_t i = 0; i < q_.ops.size(); ++i) {
    if (here(i)) lower_op(i);
  }
  lower_sends();
  out_.code = opt_.roll ? roll_loops(sched_.emit()) : sched_.emit();
  out_.cycles = sched_.cycles();
  out_.mxu_rows = sched_.mxu_rows();
  return std::move(out_);
}

Lowered lower(const QGraph& q, const Config& cfg, const LowerOptions& opt) {
  return Lowerer(q, cfg, opt).run();
}

void check_imem(const Lowered& low, const Config& cfg) {
  if (low.code.size() <= cfg.imem_depth) return;
  throw Error("the program needs " + std::to_string(low.code.size()) +
              " instructions but the '" + std::string(cfg.name) +
              "' chip's instruction memory holds " + std::to_string(cfg.imem_depth) +
              "; use a smaller model or split it over chips with --chips N");
}

}  // namespace lpu::compiler::detail
