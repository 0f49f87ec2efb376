// libFuzzer target: parse_npy on arbitrary bytes. It must either throw lpu::Error or return
// a tensor whose bytes match its shape and that serializes and re-parses to the same tensor.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "lpu/error.hpp"
#include "lpu/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lpu::Tensor t;
  try {
    t = lpu::parse_npy(data, size, "fuzz.npy");
  } catch (const lpu::Error&) {
    return 0;
  }
  if (t.elements() * lpu::dtype_size(t.dtype) != t.bytes.size()) std::abort();
  const auto b = lpu::serialize_npy(t);
  const auto u = lpu::parse_npy(b.data(), b.size(), "round-trip");
  if (u.dtype != t.dtype || u.shape != t.shape || u.bytes != t.bytes) {
    std::fprintf(stderr, "npy round trip changed the tensor\n");
    std::abort();
  }
  return 0;
}
