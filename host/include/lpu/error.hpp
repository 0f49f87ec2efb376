// The one error type of the host library: every failure is an lpu::Error carrying a
// message that names what failed and where (file:line:col, byte offset, device, ...).
#pragma once

#include <stdexcept>
#include <string>

namespace lpu {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace lpu
