// Loop rolling (see roll.hpp).
#include "roll.hpp"

#include <algorithm>

#include "lpu/isa.hpp"

namespace lpu::compiler::detail {

namespace {

// Cycles of a nop word, or 0 when the word is not a nop.
std::int64_t nop_cycles(std::uint64_t w) {
  const auto in = decode(w);
  if (!in || in->op != Op::nop) return 0;
  return in->get(Field::count) + 1;
}

std::uint64_t make(Op op, std::initializer_list<std::pair<Field, std::int64_t>> f) {
  Instr in;
  in.op = op;
  for (const auto& [k, v] : f) in.set(k, v);
  return encode(in);
}

}  // namespace

std::vector<std::uint64_t> roll_loops(const std::vector<std::uint64_t>& flat, unsigned max_period) {
  std::vector<std::uint64_t> out;
  const std::size_t n = flat.empty() ? 0 : flat.size() - 1;  // the final halt stays outside
  const std::size_t max_len = (std::size_t{1} << 12) - 1;    // loopi len field
  const std::size_t max_count = (std::size_t{1} << 16) - 1;  // loopi count field
  std::size_t i = 0;
  // A loop already in the code (a loop region) is copied as it is, and no folded run may
  // contain one.
  std::vector<std::size_t> loop_end(n + 1, 0);
  for (std::size_t k = 0; k < n; ++k) {
    const auto in = decode(flat[k]);
    if (in && in->op == Op::loopi)
      loop_end[k] = k + 1 + static_cast<std::size_t>(in->get(Field::len));
  }
  auto has_loop = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to; ++k) {
      if (loop_end[k]) return true;
    }
    return false;
  };
  while (i < n) {
    if (loop_end[i]) {
      out.insert(out.end(), flat.begin() + static_cast<std::ptrdiff_t>(i),
                 flat.begin() + static_cast<std::ptrdiff_t>(std::min(loop_end[i], n)));
      i = loop_end[i];
      continue;
    }
    std::size_t best_p = 0, best_r = 0;
    std::int64_t best_save = 1;
    if (!out.empty() && nop_cycles(out.back()) > 0) {
      for (std::size_t p = 1; p <= std::min<std::size_t>({max_period, max_len, (n - i) / 2}); ++p) {
        std::size_t r = 1;
        while (r < max_count && i + (r + 1) * p <= n &&
               std::equal(flat.begin() + static_cast<std::ptrdiff_t>(i),
                          flat.begin() + static_cast<std::ptrdiff_t>(i + p),
                          flat.begin() + static_cast<std::ptrdiff_t>(i + r * p))) {
          ++r;
        }
        // Words saved: (r - 1) * p, minus the loopi (the nop before it is reused).
        const auto save = static_cast<std::int64_t>((r - 1) * p) - 1;
        if (r >= 2 && save > best_save && !has_loop(i, i + r * p)) {
          best_save = save;
          best_p = p;
          best_r = r;
        }
      }
    }
    if (best_p == 0) {
      out.push_back(flat[i++]);
      continue;
    }
    const std::int64_t c = nop_cycles(out.back());
    out.pop_back();
    if (c > 1) out.push_back(make(Op::nop, {{Field::count, c - 2}}));
    out.push_back(make(Op::loopi, {{Field::count, static_cast<std::int64_t>(best_r)},
                                   {Field::len, static_cast<std::int64_t>(best_p)}}));
    out.insert(out.end(), flat.begin() + static_cast<std::ptrdiff_t>(i),
               flat.begin() + static_cast<std::ptrdiff_t>(i + best_p));
    i += best_p * best_r;
  }
  if (!flat.empty()) out.push_back(flat.back());
  return out;
}

}  // namespace lpu::compiler::detail
