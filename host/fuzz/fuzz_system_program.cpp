// libFuzzer target: SystemProgram::parse (multi-chip bundles) on arbitrary bytes. It must
// either throw lpu::Error or return a bundle that serializes and re-parses to the same bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "lpu/error.hpp"
#include "lpu/system_program.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lpu::SystemProgram sp;
  try {
    sp = lpu::SystemProgram::parse(data, size, "fuzz");
  } catch (const lpu::Error&) {
    return 0;
  }
  const auto b1 = sp.serialize();
  const auto b2 = lpu::SystemProgram::parse(b1.data(), b1.size(), "round-trip").serialize();
  if (b1 != b2) {
    std::fprintf(stderr, "system program: serialize/parse round trip is not stable\n");
    std::abort();
  }
  return 0;
}
