// libFuzzer target: Program::parse on arbitrary bytes. It must either throw lpu::Error or
// return a program that serializes, re-parses to the same bytes, and (when it fits its
// configuration) disassembles to text that re-assembles to the same bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "lpu/assembler.hpp"
#include "lpu/crc32.hpp"
#include "lpu/disassembler.hpp"
#include "lpu/error.hpp"
#include "lpu/program.hpp"

namespace {

void check(const std::uint8_t* data, std::size_t size) {
  lpu::Program p;
  try {
    p = lpu::Program::parse(data, size, "fuzz");
  } catch (const lpu::Error&) {
    return;
  }
  const auto b1 = p.serialize();
  const auto p2 = lpu::Program::parse(b1.data(), b1.size(), "round-trip");
  if (p2.serialize() != b1) {
    std::fprintf(stderr, "serialize/parse round trip is not stable\n");
    std::abort();
  }
  const lpu::Config* cfg = lpu::config_by_lanes(p.req.lanes);
  bool fits = cfg != nullptr;
  try {
    if (cfg) p.check_fits(*cfg);
  } catch (const lpu::Error&) {
    fits = false;
  }
  if (fits) {
    const std::string text = lpu::disassemble(p);
    const auto q = lpu::assemble(text, "fuzz.s", *cfg);
    if (q.serialize() != b1) {
      std::fprintf(stderr, "disassemble/assemble changed the bytes:\n%s\n", text.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check(data, size);
  // The same bytes with file_size and the CRC made consistent, so that mutations reach the
  // field checks behind the CRC instead of stopping at it.
  if (size >= 68 && size <= lpu::kMaxFileSize) {
    std::vector<std::uint8_t> b(data, data + size);
    for (int i = 0; i < 4; ++i) b[16 + i] = static_cast<std::uint8_t>(size >> (8 * i));
    const std::uint32_t crc = lpu::crc32(b.data(), size - 4);
    for (int i = 0; i < 4; ++i) b[size - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
    check(b.data(), b.size());
  }
  return 0;
}
