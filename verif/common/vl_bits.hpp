// Bit-field access to Verilator ports of any width: narrow ports are integers (CData, SData,
// IData, QData), wide ports are VlWide arrays of 32-bit words. Packed-vector ports of the RTL
// (e.g. `logic [NumRd*32-1:0] rd_addr_i`) are read and written a field at a time:
//   vl_set(dut.rd_addr_i, p * 32, 32, addr);
//   std::uint8_t b = vl_get(dut.rd_data_o, p * 8 * lanes + 8 * l, 8);
#pragma once

#include <cstdint>
#include <type_traits>

namespace lpu::verif {

namespace detail {
template <class T>
bool vl_bit(const T& port, unsigned i) {
  if constexpr (std::is_integral_v<T>) {
    return ((static_cast<std::uint64_t>(port) >> i) & 1u) != 0;
  } else {
    return ((port[i / 32] >> (i % 32)) & 1u) != 0;
  }
}

template <class T>
void vl_set_bit(T& port, unsigned i, bool v) {
  if constexpr (std::is_integral_v<T>) {
    std::uint64_t x = static_cast<std::uint64_t>(port);
    x = v ? (x | (std::uint64_t{1} << i)) : (x & ~(std::uint64_t{1} << i));
    port = static_cast<T>(x);
  } else {
    const std::uint32_t m = std::uint32_t{1} << (i % 32);
    port[i / 32] = v ? (port[i / 32] | m) : (port[i / 32] & ~m);
  }
}
}  // namespace detail

// Bits [lsb, lsb+width) of a port, width <= 64, as an unsigned number.
template <class T>
std::uint64_t vl_get(const T& port, unsigned lsb, unsigned width) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
    if (detail::vl_bit(port, lsb + i)) v |= std::uint64_t{1} << i;
  }
  return v;
}

// Sign-extended variant of vl_get.
template <class T>
std::int64_t vl_get_signed(const T& port, unsigned lsb, unsigned width) {
  std::uint64_t v = vl_get(port, lsb, width);
  if (width < 64 && ((v >> (width - 1)) & 1u)) v |= ~std::uint64_t{0} << width;
  return static_cast<std::int64_t>(v);
}

// Sets bits [lsb, lsb+width) of a port to the low bits of v, width <= 64.
template <class T>
void vl_set(T& port, unsigned lsb, unsigned width, std::uint64_t v) {
  for (unsigned i = 0; i < width; ++i) detail::vl_set_bit(port, lsb + i, ((v >> i) & 1u) != 0);
}

}  // namespace lpu::verif
