// A multi-chip program (.lpu system bundle): one complete program container per chip of a
// ring of chips (golden_system.hpp topology). Format: docs/program-format.md "Multi-chip
// programs". Parsing checks every field; each chip's container is checked by Program::parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lpu/program.hpp"

namespace lpu {

struct SystemProgram {
  std::vector<Program> chips;  // chip i runs chips[i]; 1..kMaxSystemChips

  std::vector<std::uint8_t> serialize() const;
  // Throws lpu::Error "<source>: <field> at byte <offset>: <problem>" (a chip's own container
  // errors are prefixed with "chip N").
  static SystemProgram parse(const std::uint8_t* data, std::size_t size, std::string_view source = "<memory>");
  // Reads a system bundle or a single-chip program (then a system of one chip).
  static SystemProgram load_file(const std::string& path);
  void save_file(const std::string& path) const;
};

// True when the bytes start with the system bundle's magic.
bool is_system_program(const std::uint8_t* data, std::size_t size);

inline constexpr std::size_t kMaxSystemChips = 16;
inline constexpr std::uint16_t kSystemFormatMajor = 1;
inline constexpr std::uint16_t kSystemFormatMinor = 0;

}  // namespace lpu
