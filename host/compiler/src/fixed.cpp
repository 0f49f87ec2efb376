// Integer helpers and lookup tables (see fixed.hpp).
#include "fixed.hpp"

#include <algorithm>
#include <cmath>

#include "lpu/error.hpp"

namespace lpu::compiler::detail {

std::int32_t wrap32(std::int64_t x) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(x)));
}

std::int64_t round_shift(std::int64_t p, unsigned sh) {
  if (sh == 0) return p;
  const __int128 s = static_cast<__int128>(p) + (static_cast<__int128>(1) << (sh - 1));
  return static_cast<std::int64_t>(s >> sh);
}

std::int8_t sat8(std::int64_t x) {
  return static_cast<std::int8_t>(std::clamp<std::int64_t>(x, -128, 127));
}

std::int32_t sat32(std::int64_t x) {
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(x, INT32_MIN, INT32_MAX));
}

std::int32_t recip_g(const RecipFn& fn, std::int32_t t, const std::vector<std::int16_t>& table) {
  unsigned ne = 0;
  for (std::int32_t th : fn.thr) ne += t < th ? 1u : 0u;
  const unsigned up = fn.sqrt ? 2 * ne : ne;
  const std::uint32_t u = static_cast<std::uint32_t>(t) << (up & 31);
  const std::uint32_t m = u >> (fn.pre & 31);
  const std::int64_t i = static_cast<std::int64_t>(m) - fn.base;
  if (i < 0 || i >= static_cast<std::int64_t>(table.size()))
    throw Error("internal: reciprocal table index out of range");
  return wrap32(static_cast<std::int64_t>(table[static_cast<std::size_t>(i)]) << ne);
}

RecipFn make_recip(bool sqrt, std::int64_t tmin, std::int64_t tmax, unsigned b,
                   std::vector<LutTable>& luts) {
  if (tmin < 1 || tmax >= (std::int64_t{1} << 30) || tmin > tmax)
    throw Error("internal: reciprocal range out of bounds");
  RecipFn f;
  f.sqrt = sqrt;
  f.b = b;
  const unsigned step = sqrt ? 2 : 1;  // bits per threshold
  f.base = std::uint32_t{1} << (step * b);
  unsigned p = 1;
  while ((std::int64_t{1} << (step * p)) <= tmax) ++p;
  p = std::max(p, b + 1);
  f.p = p;
  f.pre = step * (p - 1 - b);
  unsigned lmin = 1;
  while (lmin < p && (std::int64_t{1} << (step * lmin)) <= tmin) ++lmin;
  // ne counts thresholds above T; T >= tmin never lies below 2^(step (lmin - 1)).
  for (unsigned l = lmin; l < p; ++l)
    f.thr.push_back(static_cast<std::int32_t>(std::int64_t{1} << (step * l)));
  const std::string key = std::string(sqrt ? "rsqrt" : "recip") + std::to_string(b);
  std::vector<std::int16_t> v;
  const std::uint32_t n = sqrt ? 3 * f.base : f.base;
  double worst = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const double m = static_cast<double>(f.base + i);
    const double r = static_cast<double>(f.base);
    const double ideal = sqrt ? 32768.0 * std::sqrt(r / (m + 0.5)) : 32768.0 * r / (m + 0.5);
    const double g = std::min(32767.0, std::round(ideal));
    v.push_back(static_cast<std::int16_t>(g));
    for (double u : {0.0, 1.0}) {
      const double ratio = sqrt ? g / 32768.0 * std::sqrt((m + u) / r) : g / 32768.0 * (m + u) / r;
      worst = std::max(worst, std::fabs(ratio - 1.0));
    }
  }
  f.rel_err = worst;
  for (std::size_t i = 0; i < luts.size(); ++i) {
    if (luts[i].key == key) f.lut = static_cast<int>(i);
  }
  if (f.lut < 0) {
    luts.push_back(LutTable{key, v, false});
    f.lut = static_cast<int>(luts.size() - 1);
  }
  return f;
}

int exp_table(unsigned steps, std::uint32_t n, std::vector<LutTable>& luts) {
  const std::string key = "exp" + std::to_string(steps) + "x" + std::to_string(n);
  for (std::size_t i = 0; i < luts.size(); ++i) {
    if (luts[i].key == key) return static_cast<int>(i);
  }
  std::vector<std::int16_t> v;
  for (std::uint32_t i = 0; i < n; ++i)
    v.push_back(
        static_cast<std::int16_t>(std::round(16384.0 * std::exp(-static_cast<double>(i) / steps))));
  v.push_back(0);
  luts.push_back(LutTable{key, v, true});
  return static_cast<int>(luts.size() - 1);
}

LutSizes lut_sizes(std::uint32_t lut_depth) {
  // base (1024 entries): rsqrt 192 + recip 64 + exp 256 leave 512 for two GELU/SiLU tables.
  if (lut_depth >= 1024) return LutSizes{3, 6, 32, 255};
  return LutSizes{2, 4, 8, 63};  // tiny (256): 48 + 16 + 64, 128 left
}

Mult mult_for(double r, std::int64_t max_m, unsigned max_c) {
  if (!(r > 0) || !std::isfinite(r)) throw Error("internal: multiplier ratio is not positive");
  Mult out;
  for (int c = static_cast<int>(max_c); c >= 0; --c) {
    const double m = std::round(std::ldexp(r, c));
    if (m <= static_cast<double>(max_m)) {
      out.m = static_cast<std::int32_t>(m);
      out.shift = static_cast<unsigned>(c);
      return out;
    }
  }
  throw Error("internal: multiplier ratio " + std::to_string(r) + " is too large");
}

}  // namespace lpu::compiler::detail
