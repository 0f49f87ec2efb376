// The program container (.lpu): code, initial memory, named tensors, required configuration
// and predicted cycles. Format: docs/program-format.md. Parsing checks every field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lpu/config.hpp"

namespace lpu {

enum class Space : std::uint8_t { sram = 0, acc = 1, lut = 2 };
enum class DType : std::uint8_t { int8 = 0, int32 = 1 };
enum class SymKind : std::uint8_t { input = 0, output = 1, inout = 2 };
enum class Layout : std::uint8_t { linear = 0, tiled = 1 };

std::string_view space_name(Space s);
std::string_view dtype_name(DType d);
std::size_t dtype_size(DType d);

// Initial memory contents: bytes laid out from (space, bank, addr) as in docs/program-format.md.
struct Segment {
  Space space = Space::sram;
  std::uint32_t bank = 0;
  std::uint32_t addr = 0;
  std::vector<std::uint8_t> bytes;
};

// A named tensor in device memory.
struct Symbol {
  std::string name;
  SymKind kind = SymKind::input;
  DType dtype = DType::int8;
  Space space = Space::sram;
  Layout layout = Layout::linear;
  std::uint32_t bank = 0;
  std::uint32_t addr = 0;
  std::vector<std::uint32_t> shape;  // rank 1..4

  std::size_t elements() const;
  std::size_t bytes() const { return elements() * dtype_size(dtype); }
};

// What the program needs from the device.
struct Requirements {
  std::uint32_t lanes = 0;
  std::uint32_t banks = 0;
  std::uint32_t bank_depth = 0;
  std::uint32_t acc_depth = 0;
  std::uint32_t lut_depth = 0;
};
Requirements requirements_for(const Config& cfg);

// Bytes per unit of memory `s` on `cfg`: SRAM word, ACC entry or LUT entry.
std::size_t unit_bytes(Space s, const Config& cfg);
// Number of units (words/entries) in one bank of space `s` on `cfg`; number of banks.
std::size_t space_depth(Space s, const Config& cfg);
std::size_t space_banks(Space s, const Config& cfg);

// A contiguous run of a tensor in device memory: tensor bytes [offset, offset+size) live at
// (space, bank, addr) onwards, inside one bank. Size is a whole number of memory units, except
// that the last piece of a linear tensor whose byte size is not a multiple of the unit ends
// inside its last unit (the rest of that unit is not part of the tensor).
struct Piece {
  std::size_t offset = 0;
  std::size_t size = 0;
  Space space = Space::sram;
  std::uint32_t bank = 0;
  std::uint32_t addr = 0;
};
// Where every byte of symbol `s` lives on `cfg` (layouts in docs/program-format.md). Throws
// lpu::Error naming the symbol when it does not fit the memory or the layout's rules.
std::vector<Piece> symbol_pieces(const Symbol& s, const Config& cfg);
// The same for a DATA segment (linear, flat SRAM order).
std::vector<Piece> segment_pieces(const Segment& seg, const Config& cfg);

struct Program {
  Requirements req;
  std::vector<std::uint64_t> code;
  std::vector<Segment> data;
  std::vector<Symbol> symbols;
  std::uint64_t predicted_cycles = 0;  // 0 = unknown
  std::string meta;                    // key=value lines

  const Symbol* find_symbol(std::string_view name) const;

  // Throws lpu::Error naming the first thing that does not fit `cfg` (lanes, banks, code
  // length vs imem_depth, a segment or symbol past the end of memory).
  void check_fits(const Config& cfg) const;

  std::vector<std::uint8_t> serialize() const;
  // Throws lpu::Error "<source>: <field> at byte <offset>: <problem>" on any malformed input.
  static Program parse(const std::uint8_t* data, std::size_t size, std::string_view source = "<memory>");
  static Program load_file(const std::string& path);
  void save_file(const std::string& path) const;
};

// Maximum sizes (docs/program-format.md "Limits").
inline constexpr std::size_t kMaxFileSize = 64u << 20;
inline constexpr std::size_t kMaxSections = 16;
inline constexpr std::size_t kMaxSymbols = 1024;
inline constexpr std::size_t kMaxNameLen = 64;
inline constexpr std::size_t kMaxSegments = 65536;
inline constexpr std::uint16_t kFormatMajor = 1;
inline constexpr std::uint16_t kFormatMinor = 0;

}  // namespace lpu
