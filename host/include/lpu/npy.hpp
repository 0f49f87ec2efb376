// Tensors in and out as NumPy .npy files (format 1.0/2.0/3.0, little-endian int8/int32,
// C order). Reading checks the header and the data length; errors name the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lpu/program.hpp"

namespace lpu {

struct Tensor {
  DType dtype = DType::int8;
  std::vector<std::uint32_t> shape;
  std::vector<std::uint8_t> bytes;  // little-endian elements, row-major

  std::size_t elements() const;
  static Tensor from_int8(std::vector<std::uint32_t> shape, const std::vector<std::int8_t>& v);
  static Tensor from_int32(std::vector<std::uint32_t> shape, const std::vector<std::int32_t>& v);
  std::vector<std::int8_t> as_int8() const;    // throws unless dtype is int8
  std::vector<std::int32_t> as_int32() const;  // int8 is widened
};

Tensor read_npy(const std::string& path);
Tensor parse_npy(const std::uint8_t* data, std::size_t size, const std::string& source);
void write_npy(const std::string& path, const Tensor& t);
std::vector<std::uint8_t> serialize_npy(const Tensor& t);

}  // namespace lpu
