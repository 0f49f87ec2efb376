// The LPU assembler: text (docs/isa.md "Operands in assembly") to a Program container.
//
// Source syntax, beyond one instruction per line:
//   ; or # comments; `name:` labels (value = instruction index);
//   .equ NAME, expr                 integer constants (expressions: + - * / % << >> & | ~ unary -, parens)
//   loop N { ... } / loop rK { ... } hardware-loop blocks (emit loopi / loop with the body length)
//   .config tiny|base               the configuration the program is written for
//   .predicted_cycles N             the compiler's cycle prediction (0 = unknown)
//   .data bK[addr], b0, b1, ...     initial SRAM bytes (also acc[addr] int32 values, lut[addr] int16)
//   .data bK[addr], "f.npy" [, layout=tiled]   initial memory from a .npy file (relative to the .s)
//   .input/.output/.inout NAME, bK[addr], shape=(a,b), dtype=int8|int32 [, layout=tiled]
//   .meta "key=value"               a META line (carried verbatim into the container)
//   .word 0xHEX                     a raw instruction word (must decode)
// Every error is an lpu::Error "file:line:col: message".
#pragma once

#include <string>

#include "lpu/config.hpp"
#include "lpu/program.hpp"

namespace lpu {

// Assembles `text`. `filename` names the source in error messages and is the base for
// relative .npy paths. `cfg` is the target configuration unless the source has `.config`.
Program assemble(const std::string& text, const std::string& filename, const Config& cfg);
// Reads and assembles a file.
Program assemble_file(const std::string& path, const Config& cfg);

}  // namespace lpu
