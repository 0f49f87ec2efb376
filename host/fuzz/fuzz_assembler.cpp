// libFuzzer target: the assembler on arbitrary text. It must either throw lpu::Error or
// produce a program that serializes and whose disassembly re-assembles to identical bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lpu/assembler.hpp"
#include "lpu/disassembler.hpp"
#include "lpu/error.hpp"
#include "lpu/program.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;  // long inputs add time, not coverage
  const std::string text(reinterpret_cast<const char*>(data), size);
  lpu::Program p;
  try {
    p = lpu::assemble(text, "fuzz.s", lpu::default_config());
  } catch (const lpu::Error&) {
    return 0;
  }
  const auto bytes = p.serialize();
  const std::string dis = lpu::disassemble(p);
  const auto q = lpu::assemble(dis, "dis.s", lpu::config_by_name("tiny"));
  if (q.serialize() != bytes) {
    std::fprintf(stderr, "disassemble/assemble changed the bytes:\n%s\n", dis.c_str());
    std::abort();
  }
  return 0;
}
