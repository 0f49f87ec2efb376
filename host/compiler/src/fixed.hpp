// Internal to the compiler: the integer arithmetic of docs/isa.md "Arithmetic details" as
// plain functions, and the lookup tables of the nonlinear ops (docs/compiler.md "Fixed
// point"). Used by the quantizer and the int8 reference (never by the code generator, which
// emits instructions that compute the same thing).
#pragma once

#include <cstdint>
#include <vector>

#include "lpu/compiler/quant.hpp"

namespace lpu::compiler::detail {

std::int32_t wrap32(std::int64_t x);
std::int64_t round_shift(std::int64_t p, unsigned sh);  // (p + 2^(sh-1)) >> sh, no overflow
std::int8_t sat8(std::int64_t x);
std::int32_t sat32(std::int64_t x);

// f(T) ~ G * 2^-(14 + fn.p) (quant.hpp RecipFn): G for one T, with `table` the function's LUT.
std::int32_t recip_g(const RecipFn& fn, std::int32_t t, const std::vector<std::int16_t>& table);

// Builds a RecipFn for T in [tmin, tmax] (tmin >= 1, tmax < 2^30) with a table of index
// bits b, appending the table to `luts` unless one with the same key is there.
RecipFn make_recip(bool sqrt, std::int64_t tmin, std::int64_t tmax, unsigned b,
                   std::vector<LutTable>& luts);

// The exponential table: `steps` entries per unit, n entries and a final 0 (shared "exp").
int exp_table(unsigned steps, std::uint32_t n, std::vector<LutTable>& luts);

// Table sizes for a configuration (docs/compiler.md "Fixed point").
struct LutSizes {
  unsigned rsqrt_b, recip_b, exp_steps;
  std::uint32_t exp_n;
};
LutSizes lut_sizes(std::uint32_t lut_depth);

// Largest c with r * 2^c <= max_m (and c <= max_c): the multiplier round(r * 2^c).
struct Mult {
  std::int32_t m = 0;
  unsigned shift = 0;
};
Mult mult_for(double r, std::int64_t max_m, unsigned max_c = 62);

}  // namespace lpu::compiler::detail
