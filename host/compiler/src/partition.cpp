// Partitioning into consecutive stages (see partition.hpp).
#include "partition.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "lower.hpp"
#include "lpu/error.hpp"

namespace lpu::compiler::detail {

namespace {

// Tensors an op reads (its caches included) and writes.
std::vector<int> reads(const QOp& op) {
  std::vector<int> r;
  for (int t : {op.a, op.b, op.c, op.kc, op.vc, op.pos}) {
    if (t >= 0) r.push_back(t);
  }
  return r;
}

std::vector<int> producers(const QGraph& q) {
  std::vector<int> p(q.tensors.size(), -1);
  for (std::size_t i = 0; i < q.ops.size(); ++i)
    p[static_cast<std::size_t>(q.ops[i].out)] = static_cast<int>(i);
  return p;
}

}  // namespace

std::vector<int> crossing(const QGraph& q, std::size_t b) {
  const std::vector<int> prod = producers(q);
  std::set<std::pair<int, int>> out;  // (producer, tensor): link order
  for (std::size_t i = b; i < q.ops.size(); ++i) {
    for (int t : reads(q.ops[i])) {
      const QTensor& qt = q.tensors[static_cast<std::size_t>(t)];
      const int p = prod[static_cast<std::size_t>(t)];
      if (qt.is_state) continue;
      if (p < static_cast<int>(b)) out.emplace(p, t);
    }
  }
  std::vector<int> ts;
  for (const auto& [p, t] : out) ts.push_back(t);
  return ts;
}

std::size_t link_words(const QGraph& q, const Config& cfg, const std::vector<int>& ts) {
  std::size_t n = 0;
  for (int t : ts) {
    for (const WordRun& r : link_runs(q.tensors[static_cast<std::size_t>(t)], cfg)) n += r.count;
  }
  return n;
}

std::size_t stage_words(const QGraph& q, const Config& cfg, std::size_t i, std::size_t j) {
  std::set<int> held;
  for (std::size_t k = i; k < j; ++k) {
    for (int t : reads(q.ops[k])) held.insert(t);
    held.insert(q.ops[k].out);
  }
  for (int t : crossing(q, i)) held.insert(t);  // received (and forwarded) tensors
  if (i == 0) {
    for (int t : q.inputs) {
      if (!q.tensors[static_cast<std::size_t>(t)].is_state) held.insert(t);
    }
  }
  std::size_t w = 0;
  for (std::size_t k = i; k < j; ++k) w += op_words(q, k, cfg);
  for (int t : held) w += tensor_words(q, t, cfg);
  return w;
}

Partition partition(const QGraph& q, const Config& cfg, unsigned n) {
  const std::size_t ops = q.ops.size();
  if (n < 1 || n > 16)
    throw Error("--chips " + std::to_string(n) + ": 1 to 16 chips are supported");
  if (ops < n) {
    throw Error("the model has " + std::to_string(ops) + " operations; it cannot be split over " +
                std::to_string(n) + " chips");
  }
  const std::size_t link_limit = std::min(cfg.link_tx_depth, cfg.link_rx_depth);
  std::vector<std::size_t> cross_words(ops + 1, 0);
  std::vector<bool> cut_ok(ops + 1, true);
  for (std::size_t b = 1; b < ops; ++b) {
    cross_words[b] = link_words(q, cfg, crossing(q, b));
    cut_ok[b] = cross_words[b] <= link_limit;
  }
  std::vector<std::vector<std::size_t>> cost(ops + 1, std::vector<std::size_t>(ops + 1, 0));
  for (std::size_t i = 0; i < ops; ++i) {
    for (std::size_t j = i + 1; j <= ops; ++j) cost[i][j] = stage_words(q, cfg, i, j);
  }
  constexpr std::size_t kInf = std::numeric_limits<std::size_t>::max();
  // best[s][j]: the smallest largest stage covering ops [0, j) with s stages.
  std::vector<std::vector<std::size_t>> best(n + 1, std::vector<std::size_t>(ops + 1, kInf));
  best[0][0] = 0;
  for (unsigned s = 1; s <= n; ++s) {
    for (std::size_t j = 1; j <= ops; ++j) {
      if (j < ops && !cut_ok[j]) continue;
      for (std::size_t i = 0; i < j; ++i) {
        if (best[s - 1][i] == kInf) continue;
        best[s][j] = std::min(best[s][j], std::max(best[s - 1][i], cost[i][j]));
      }
    }
  }
  if (best[n][ops] == kInf) {
    throw Error("the model cannot be split over " + std::to_string(n) +
                " chips: every split sends more than " + std::to_string(link_limit) +
                " words per run between two chips (the link buffers)");
  }
  const std::size_t limit = best[n][ops] + best[n][ops] / 20;
  // Among splits whose stages stay within `limit`, the fewest link words.
  std::vector<std::vector<std::size_t>> link(n + 1, std::vector<std::size_t>(ops + 1, kInf));
  std::vector<std::vector<std::size_t>> from(n + 1, std::vector<std::size_t>(ops + 1, 0));
  link[0][0] = 0;
  for (unsigned s = 1; s <= n; ++s) {
    for (std::size_t j = 1; j <= ops; ++j) {
      if (j < ops && !cut_ok[j]) continue;
      for (std::size_t i = 0; i < j; ++i) {
        if (link[s - 1][i] == kInf || cost[i][j] > limit) continue;
        const std::size_t v = link[s - 1][i] + (j < ops ? cross_words[j] : 0);
        if (v < link[s][j]) {
          link[s][j] = v;
          from[s][j] = i;
        }
      }
    }
  }
  Partition p;
  p.cut.assign(n + 1, ops);
  for (unsigned s = n; s > 0; --s) p.cut[s - 1] = from[s][p.cut[s]];
  for (unsigned s = 0; s < n; ++s) p.words.push_back(cost[p.cut[s]][p.cut[s + 1]]);
  for (unsigned s = 0; s + 1 < n; ++s) p.crossing.push_back(crossing(q, p.cut[s + 1]));
  return p;
}

ChipsHint chips_needed(const QGraph& q, const Config& cfg) {
  const std::size_t cap = static_cast<std::size_t>(cfg.banks) * cfg.bank_depth;
  for (unsigned n = 1; n <= 16 && n <= q.ops.size(); ++n) {
    try {
      const Partition p = partition(q, cfg, n);
      const std::size_t w = *std::max_element(p.words.begin(), p.words.end());
      if (w <= cap) return ChipsHint{n, w};
    } catch (const Error&) {
      // no split for this many chips: try more
    }
  }
  return ChipsHint{};
}

}  // namespace lpu::compiler::detail
