// libFuzzer target: Program::parse on arbitrary bytes. It must either throw lpu::Error or
// return a program that serializes, re-parses to the same bytes, and (when it fits its
// configuration) disassembles to text that re-assembles to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <cstdio>

#include "lpu/assembler.hpp"
#include "lpu/disassembler.hpp"
#include "lpu/error.hpp"
#include "lpu/program.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lpu::Program p;
  try {
    p = lpu::Program::parse(data, size, "fuzz");
  } catch (const lpu::Error&) {
    return 0;
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
  return 0;
}
