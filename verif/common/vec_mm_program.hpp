// A small test program that uses the vector unit and the MXU (tests of devices, transports
// and the host interface): y = saturate_int8(a + b) row by row, z = x * w.
//
// Layout: a at b0[0], b at b1[0] (`rows` rows each), y at b1[y_at]; x at b0[64] (`mm_rows`
// rows), w at b1[128] (L rows), z at acc[0] (`mm_rows` int32 rows). With `io` the program
// declares these as .input/.output tensors.
#pragma once

#include <string>

#include "lpu/config.hpp"

namespace lpu::test {

inline std::string vec_mm_program(const Config& cfg, unsigned rows, unsigned y_at, unsigned mm_rows,
                                  bool io) {
  const std::string l = std::to_string(cfg.lanes);
  auto shape = [&](unsigned n) { return "shape=(" + std::to_string(n) + "," + l + ")"; };
  std::string s = ".config " + std::string(cfg.name) + "\n";
  if (io) {
    s += ".input a, b0[0], " + shape(rows) + ", dtype=int8\n";
    s += ".input b, b1[0], " + shape(rows) + ", dtype=int8\n";
    s += ".output y, b1[" + std::to_string(y_at) + "], " + shape(rows) + ", dtype=int8\n";
    s += ".input x, b0[64], " + shape(mm_rows) + ", dtype=int8\n";
    s += ".input w, b1[128], " + shape(cfg.lanes) + ", dtype=int8\n";
    s += ".output z, acc[0], " + shape(mm_rows) + ", dtype=int32\n";
  }
  s += "    li r1, 0\n"
       "    li r5, " + std::to_string(y_at) + "\n"
       "    loop " + std::to_string(rows) + " {\n"
       "      vld v1, b0[r1]\n"
       "      vld v2, b1[r1]\n"
       "      nop 3\n"
       "      vadd v3, v1, v2\n"
       "      nop 3\n"
       "      vst v3, b1[r5], inc=1\n"
       "      addi r1, r1, 1\n"
       "    }\n"
       "    li r2, 128\n"
       "    li r3, 64\n"
       "    li r4, 0\n"
       "    mlw b1[r2]\n"
       "    nop " + std::to_string(cfg.mlw_ready) + "\n"
       "    mm b0[r3], acc[r4], " + std::to_string(mm_rows) + "\n"
       "    halt\n";
  return s;
}

}  // namespace lpu::test
