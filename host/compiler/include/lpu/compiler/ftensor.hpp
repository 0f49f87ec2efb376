// Float tensors of the compiler front end (weights, calibration samples, reference values)
// and their .npy files. lpu::Tensor (lpu/npy.hpp) holds the device's int8/int32 tensors;
// this is its float32 counterpart, kept apart so the device library stays integer-only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lpu::compiler {

using Shape = std::vector<std::uint32_t>;

struct FTensor {
  Shape shape;
  std::vector<float> data;  // row-major (C order)

  FTensor() = default;
  FTensor(Shape s, std::vector<float> d) : shape(std::move(s)), data(std::move(d)) {}
  static FTensor zeros(Shape s);
  std::size_t elements() const;
};

// Product of the dimensions (1 for rank 0).
std::size_t shape_elements(const Shape& s);
// "[4, 20]".
std::string shape_str(const Shape& s);

// Reads a little-endian float32 ('<f4') or float64 ('<f8', converted) .npy file, C order.
// int8/int32 files are accepted too and converted. Errors name the file.
FTensor read_npy_float(const std::string& path);
FTensor parse_npy_float(const std::uint8_t* data, std::size_t size, const std::string& source);
// Writes a '<f4' .npy file (format 1.0).
void write_npy_float(const std::string& path, const FTensor& t);
std::vector<std::uint8_t> serialize_npy_float(const FTensor& t);

}  // namespace lpu::compiler
